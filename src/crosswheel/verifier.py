"""The verifier: every binary in a wheel must be one the target can load.

It runs on the finished wheel, after the fixer, and refuses the wheel when any
binary is of another format than the target's (ELF, Mach-O, PE, WebAssembly),
when an ELF file's class, byte order or machine (and, for 32-bit ARM, float ABI)
differs, when a Mach-O or PE file is for another CPU, when a Linux binary links
the other libc (glibc vs musl), or when an extension module carries a suffix the
target interpreter would not import.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile

from crosswheel.errors import CrosswheelError
from crosswheel.tags import elf_facts
from crosswheel.targets import Target, describe_binary, describe_elf

ELF_MAGIC = b"\x7fELF"
_OTHER_FORMATS = (
    (b"\xcf\xfa\xed\xfe", "Mach-O 64-bit"),
    (b"\xce\xfa\xed\xfe", "Mach-O 32-bit"),
    (b"\xca\xfe\xba\xbe", "Mach-O universal"),
    (b"\x00asm", "WebAssembly"),
)
_FORMAT_OF_KIND = {
    "Mach-O 64-bit": "macho",
    "Mach-O 32-bit": "macho",
    "Mach-O universal": "macho",
    "WebAssembly": "wasm",
}
_MACHO_CPU = {0x01000007: "x86_64", 0x0100000C: "arm64", 7: "i386", 12: "arm"}
_PE_MACHINE = {0x8664: "amd64", 0xAA64: "arm64", 0x014C: "win32", 0x01C4: "arm"}
EF_ARM_ABI_FLOAT_HARD = 0x400
EF_ARM_ABI_FLOAT_SOFT = 0x200
_CPYTHON_EXTENSION = re.compile(r"\.cpython-[^./]+\.so$")


@dataclass(frozen=True)
class BinaryInfo:
    """What one binary member is."""

    name: str
    kind: str
    """``elf`` or the name of another format."""
    bits: int = 0
    byteorder: str = ""
    machine: str = ""
    flags: int = 0

    def describe(self) -> str:
        if self.kind != "elf":
            return self.kind
        return describe_elf(self.bits, self.byteorder, self.machine)


def identify(name: str, data: bytes) -> BinaryInfo | None:
    """Describe ``data`` if it is a binary; ``None`` for anything else."""
    if data.startswith(ELF_MAGIC):
        try:
            elf = ELFFile(io.BytesIO(data))
            header = elf.header
            machine = header["e_machine"]
            return BinaryInfo(
                name=name,
                kind="elf",
                bits=elf.elfclass,
                byteorder="little" if elf.little_endian else "big",
                machine=machine if isinstance(machine, str) else f"machine {machine}",
                flags=int(header["e_flags"]),
            )
        except (ELFError, ValueError, KeyError) as exc:
            return BinaryInfo(name=name, kind=f"a damaged ELF file ({exc})")
    for magic, kind in _OTHER_FORMATS:
        if data.startswith(magic):
            thin = kind in ("Mach-O 64-bit", "Mach-O 32-bit") and len(data) >= 8
            cpu = struct.unpack_from("<I", data, 4)[0] if thin else 0
            return BinaryInfo(name=name, kind=kind, flags=cpu)
    if data.startswith(b"MZ") and name.lower().endswith((".pyd", ".dll", ".exe")):
        machine = 0
        if len(data) >= 0x40:
            offset = struct.unpack_from("<I", data, 0x3C)[0]
            if data[offset : offset + 4] == b"PE\0\0":
                machine = struct.unpack_from("<H", data, offset + 4)[0]
        return BinaryInfo(name=name, kind="a Windows PE binary", flags=machine)
    return None


def iter_binaries(archive: zipfile.ZipFile) -> Iterator[BinaryInfo]:
    """Every binary member of an open wheel."""
    for info in archive.infolist():
        if info.is_dir():
            continue
        with archive.open(info) as f:
            head = f.read(4)
        if not head:
            continue
        if (
            head == ELF_MAGIC
            or any(head.startswith(m) for m, _ in _OTHER_FORMATS)
            or (head.startswith(b"MZ"))
        ):
            binary = identify(info.filename, archive.read(info))
            if binary is not None:
                yield binary


def _foreign_problem(binary: BinaryInfo, target: Target) -> str | None:
    """Mach-O, PE and WebAssembly binaries: the right format and CPU for the target."""
    expected = describe_binary(target)
    kind = binary.kind
    fmt = "pe" if kind == "a Windows PE binary" else _FORMAT_OF_KIND.get(kind, kind)
    if fmt != target.binary_format:
        return f"{binary.describe()}, not {expected}"
    universal = kind == "Mach-O universal"  # universal2: each slice is checked by delocate
    if fmt == "macho" and not universal and binary.flags != target.arch.macho_cputype:
        cpu = _MACHO_CPU.get(binary.flags, hex(binary.flags))
        return f"Mach-O for {cpu}, not {expected}"
    if fmt == "pe" and binary.flags != target.arch.pe_machine:
        cpu = _PE_MACHINE.get(binary.flags, hex(binary.flags))
        return f"PE for {cpu}, not {expected}"
    return None


def binary_problem(binary: BinaryInfo, target: Target) -> str | None:
    """Why ``binary`` cannot run on ``target``, or ``None`` when it can."""
    arch = target.arch
    if target.binary_format != "elf":
        return _foreign_problem(binary, target)
    expected = describe_elf(arch.bits, arch.byteorder, arch.elf_machine)
    if binary.kind != "elf":
        return f"{binary.describe()}, not {expected}"
    if (binary.bits, binary.byteorder, binary.machine) != (
        arch.bits,
        arch.byteorder,
        arch.elf_machine,
    ):
        return f"{binary.describe()}, not {expected}"
    hard_float = target.multiarch.endswith("hf")
    if (
        arch.elf_machine == "EM_ARM"
        and hard_float
        and (binary.flags & EF_ARM_ABI_FLOAT_SOFT or not binary.flags & EF_ARM_ABI_FLOAT_HARD)
    ):
        return f"{binary.describe()} with the soft-float ABI, not hard-float ({target.triplet})"
    return None


def libc_problem(name: str, data: bytes, target: Target) -> str | None:
    """A Linux binary that links the other C library (glibc on musl or the reverse)."""
    if target.family != "linux":
        return None
    facts = elf_facts(name, data)
    glibc = sorted(
        {v for vs in facts.version_needs.values() for v in vs if v.startswith("GLIBC_")}
        | {n for n in facts.needed if n == "libc.so.6"}
    )
    musl = [n for n in facts.needed if n == "libc.so" or n.startswith("libc.musl-")]
    if target.libc == "musl" and glibc:
        return f"links glibc ({', '.join(glibc[:3])}), not musl ({target.triplet})"
    if target.libc == "glibc" and musl:
        return f"links musl ({musl[0]}), not glibc ({target.triplet})"
    return None


def extension_problem(name: str, extension_suffixes: tuple[str, ...]) -> str | None:
    """Why an extension module's file name would not import on the target."""
    tagged = tuple(s for s in extension_suffixes if s.startswith(".cpython-"))
    if _CPYTHON_EXTENSION.search(name) and not name.endswith(tagged):
        return f"named for another interpreter; the target imports {', '.join(extension_suffixes)}"
    return None


def verify_wheel(path: Path, target: Target, extension_suffixes: tuple[str, ...] | None) -> int:
    """Refuse ``path`` unless every binary in it matches ``target``; return how many there are.

    ``extension_suffixes`` are the ones the target imports; ``None`` skips the
    file-name check (for a wheel the fixer has yet to rename).
    """
    problems: list[str] = []
    count = 0
    with zipfile.ZipFile(path) as archive:
        for binary in iter_binaries(archive):
            count += 1
            problem = binary_problem(binary, target)
            if problem is None and binary.kind == "elf":
                problem = libc_problem(binary.name, archive.read(binary.name), target)
            if problem:
                problems.append(f"{binary.name}: {problem}")
            elif extension_suffixes is not None and binary.name.endswith(".so"):
                problem = extension_problem(binary.name, extension_suffixes)
                if problem:
                    problems.append(f"{binary.name}: {problem}")
    if problems:
        listing = "\n  ".join(problems)
        raise CrosswheelError(
            f"refusing to ship {path.name}: {len(problems)} file(s) do not match "
            f"{target.describe()}:\n  {listing}",
            hint="the inner backend used a compiler or prebuilt binary for another platform; "
            "check CC/CXX and the project's build scripts",
        )
    return count
