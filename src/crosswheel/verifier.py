"""The verifier: every binary in a wheel must be one the target can load.

It runs on the finished wheel, after the fixer, and refuses the wheel when any
ELF file's class, byte order or machine (and, for 32-bit ARM, float ABI) differs
from the target, when a binary of another format hides in it, or when an
extension module carries a suffix the target interpreter would not import.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile

from crosswheel.errors import CrosswheelError
from crosswheel.targets import Target, describe_elf

ELF_MAGIC = b"\x7fELF"
_OTHER_FORMATS = (
    (b"\xcf\xfa\xed\xfe", "Mach-O 64-bit"),
    (b"\xce\xfa\xed\xfe", "Mach-O 32-bit"),
    (b"\xca\xfe\xba\xbe", "Mach-O universal"),
    (b"\x00asm", "WebAssembly"),
)
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
            return BinaryInfo(name=name, kind=kind)
    if data.startswith(b"MZ") and name.lower().endswith((".pyd", ".dll", ".exe")):
        return BinaryInfo(name=name, kind="a Windows PE binary")
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


def binary_problem(binary: BinaryInfo, target: Target) -> str | None:
    """Why ``binary`` cannot run on ``target``, or ``None`` when it can."""
    arch = target.arch
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


def extension_problem(name: str, extension_suffixes: tuple[str, ...]) -> str | None:
    """Why an extension module's file name would not import on the target."""
    if _CPYTHON_EXTENSION.search(name) and not name.endswith(extension_suffixes):
        return f"named for another interpreter; the target imports {', '.join(extension_suffixes)}"
    return None


def verify_wheel(path: Path, target: Target, extension_suffixes: tuple[str, ...]) -> int:
    """Refuse ``path`` unless every binary in it matches ``target``; return how many there are."""
    problems: list[str] = []
    count = 0
    with zipfile.ZipFile(path) as archive:
        for binary in iter_binaries(archive):
            count += 1
            problem = binary_problem(binary, target)
            if problem:
                problems.append(f"{binary.name}: {problem}")
            elif binary.name.endswith(".so"):
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
