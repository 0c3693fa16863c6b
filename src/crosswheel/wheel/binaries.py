"""The binaries stage: one pass over a built wheel, yielding what every later stage needs.

The archive is opened once and its safety checks (``wheelfile.open_wheel``) run
before anything trusts it. Each member is then inflated once: hashed against the
wheel's ``RECORD`` (a wheel whose files do not match its own RECORD is refused, not
given a fresh one) and, when it is a binary, described: format, machine, class,
byte order, libc, needed libraries, symbol versions. The verifier, the tag
decision, the fixer, ``inspect`` and repair all read these facts; none of them
opens the wheel again. Members are streamed (binaries spooled to disk past a few
MB), so memory stays bounded whatever the wheel's size.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import re
import struct
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import IO

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection
from elftools.elf.sections import SymbolTableSection
from packaging.tags import Tag, parse_tag

from crosswheel.errors import RefusedWheel
from crosswheel.target.families import FAMILIES
from crosswheel.target.names import describe_elf
from crosswheel.wheelfile import (
    ZIP_READ_ERRORS,
    WheelName,
    dist_info_dir,
    encode_digest,
    open_wheel,
    read_member,
    read_wheel_metadata,
)

ELF_MAGIC = b"\x7fELF"
_LIBC_ROWS = tuple(
    (re.compile(row.libc_names), row.libc) for row in FAMILIES.values() if row.libc_names
)
"""Each C library a row names, with the sonames and loaders binaries link it by."""
OTHER_MAGICS = (
    (b"\xcf\xfa\xed\xfe", "Mach-O 64-bit"),
    (b"\xce\xfa\xed\xfe", "Mach-O 32-bit"),
    (b"\xca\xfe\xba\xbe", "Mach-O universal"),
    (b"\x00asm", "WebAssembly"),
)
PE_KIND = "a PE binary"
CHUNK = 1024 * 1024
SPOOL_IN_MEMORY = 8 * 1024 * 1024
"""Binaries larger than this are spooled to a temporary file while pyelftools reads them."""
_SIGNATURES = ("RECORD.jws", "RECORD.p7s")


@dataclass(frozen=True)
class Binary:
    """What one binary member is, and what it needs from the system it runs on."""

    name: str
    kind: str
    """``elf``, ``Mach-O 64-bit``, ``WebAssembly``, ``a PE binary``, or damage."""
    bits: int = 0
    byteorder: str = ""
    machine: str = ""
    """``e_machine`` as pyelftools names it (ELF only)."""
    flags: int = 0
    """ELF ``e_flags``; the CPU type of a Mach-O or PE file."""
    needed: tuple[str, ...] = ()
    soname: str | None = None
    runpath: tuple[str, ...] = ()
    """``DT_RUNPATH`` (or ``DT_RPATH``) entries."""
    version_needs: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """library -> symbol versions needed from it (``GLIBC_2.17``)."""
    undefined: frozenset[str] = frozenset()
    load_alignments: tuple[int, ...] = ()
    interpreter: str | None = None
    unloadable: str | None = None
    """Why no loader would load it as a shared library (ET_EXEC, no dynamic section...)."""
    init_functions: frozenset[str] = frozenset()
    """The ``PyInit_<name>`` functions it defines: what makes it an extension module."""
    exports: frozenset[str] = frozenset()
    """WebAssembly: the names it exports."""
    pe_dll: bool = False
    """A PE file with the DLL flag (what a ``.pyd`` extension module must be)."""

    @property
    def is_elf(self) -> bool:
        return self.kind == "elf"

    @property
    def basename(self) -> str:
        return self.name.rsplit("/", 1)[-1]

    @property
    def libc(self) -> str | None:
        """The row's ``libc`` whose C library the binary links (ELF only): the one answer."""
        loader = self.interpreter.rsplit("/", 1)[-1] if self.interpreter else ""
        for names, libc in _LIBC_ROWS:
            if any(names.fullmatch(n) for n in (loader, *self.needed)):
                return libc
        return "glibc" if self.glibc_versions else None

    @property
    def libc_libraries(self) -> tuple[str, ...]:
        """The C library names it needs (``libc.so.6``, ``libc.musl-aarch64.so.1``)."""
        return tuple(n for n in self.needed if any(names.fullmatch(n) for names, _ in _LIBC_ROWS))

    @property
    def glibc_versions(self) -> tuple[str, ...]:
        return tuple(
            sorted({v for vs in self.version_needs.values() for v in vs if v.startswith("GLIBC_")})
        )

    def describe(self) -> str:
        if not self.is_elf:
            return self.kind
        return describe_elf(self.bits, self.byteorder, self.machine)


EXTENSION_NAME = re.compile(r"\.(so|pyd)$|\.so\.\d")
"""A file named like an extension module or shared library: it must be one."""
NOT_A_BINARY = "not a shared library (no ELF, PE, Mach-O or WebAssembly header)"


def is_binary_head(name: str, head: bytes) -> bool:
    """Whether the first bytes of a member start a binary worth describing.

    A member named like an extension module is always described: one that is no
    binary at all (text, broken magic) must be refused, not counted as no binary.
    """
    if head.startswith(ELF_MAGIC) or any(head.startswith(m) for m, _ in OTHER_MAGICS):
        return True
    if EXTENSION_NAME.search(name.lower()):
        return True
    return head.startswith(b"MZ") and name.lower().endswith((".pyd", ".dll", ".exe"))


_LINUX_OSABI = ("ELFOSABI_SYSV", "ELFOSABI_LINUX")


def _unloadable(elf: ELFFile, has_dynamic: bool) -> str | None:
    """Why a loader would refuse ``elf`` as a shared library, or None."""
    header = elf.header
    ident = header["e_ident"]
    if header["e_type"] != "ET_DYN":
        return f"ELF type {header['e_type']}, not a shared object (ET_DYN)"
    if ident["EI_OSABI"] not in _LINUX_OSABI:
        return f"ELF OS ABI {ident['EI_OSABI']}, which Linux does not load"
    if ident["EI_VERSION"] != "EV_CURRENT":
        return f"ELF version {ident['EI_VERSION']}, not 1"
    if header["e_phnum"] == 0:
        return "ELF file without program headers"
    if not has_dynamic:
        return "ELF file without a dynamic section"
    return None


def _elf(name: str, stream: IO[bytes]) -> Binary:
    try:
        elf = ELFFile(stream)
        header = elf.header
        machine = header["e_machine"]
        needed: list[str] = []
        runpath: list[str] = []
        soname = None
        versions: dict[str, set[str]] = {}
        undefined: set[str] = set()
        inits: set[str] = set()
        for section in elf.iter_sections():
            if isinstance(section, DynamicSection):
                for tag in section.iter_tags():
                    kind = tag.entry.d_tag
                    if kind == "DT_NEEDED":
                        needed.append(str(tag.needed))  # type: ignore[attr-defined]
                    elif kind == "DT_SONAME":
                        soname = str(tag.soname)  # type: ignore[attr-defined]
                    elif kind in ("DT_RUNPATH", "DT_RPATH"):
                        value = str(getattr(tag, kind[3:].lower()))
                        runpath.extend(p for p in value.split(":") if p)
            elif isinstance(section, GNUVerNeedSection):
                for verneed, auxes in section.iter_versions():
                    versions.setdefault(str(verneed.name), set()).update(a.name for a in auxes)
            elif isinstance(section, SymbolTableSection) and section.name == ".dynsym":
                for symbol in section.iter_symbols():
                    if symbol.name and symbol["st_shndx"] == "SHN_UNDEF":
                        undefined.add(symbol.name)
                    elif symbol.name.startswith("PyInit_"):
                        inits.add(symbol.name)
        aligns: list[int] = []
        interpreter = None
        has_dynamic = False
        for segment in elf.iter_segments():
            if segment["p_type"] == "PT_DYNAMIC":
                has_dynamic = True
            if segment["p_type"] == "PT_LOAD":
                aligns.append(int(segment["p_align"]))
            elif segment["p_type"] == "PT_INTERP":
                interpreter = str(segment.get_interp_name())  # type: ignore[attr-defined]
        return Binary(
            name=name,
            kind="elf",
            bits=elf.elfclass,
            byteorder="little" if elf.little_endian else "big",
            machine=machine if isinstance(machine, str) else f"machine {machine}",
            flags=int(header["e_flags"]),
            needed=tuple(needed),
            soname=soname,
            runpath=tuple(runpath),
            version_needs={lib: frozenset(v) for lib, v in versions.items()},
            undefined=frozenset(undefined),
            load_alignments=tuple(aligns),
            interpreter=interpreter,
            unloadable=_unloadable(elf, has_dynamic),
            init_functions=frozenset(inits),
        )
    except (ELFError, ValueError, KeyError, struct.error, AssertionError) as exc:
        return Binary(name=name, kind=f"a damaged ELF file ({exc})")


def _uleb(data: bytes, i: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, i


def _wasm_name(data: bytes, i: int) -> tuple[str, int]:
    size, i = _uleb(data, i)
    return data[i : i + size].decode("utf-8", "replace"), i + size


def _skip_limits(data: bytes, i: int) -> int:
    flags = data[i]
    _, i = _uleb(data, i + 1)
    return _uleb(data, i)[1] if flags & 1 else i


WASM_LINKED_IMPORTS = ("env", "GOT.func", "GOT.mem")
"""Import modules the dynamic linker resolves by symbol name (others are the runtime's)."""


def wasm_symbols(data: bytes) -> tuple[bool, tuple[str, ...], frozenset[str]]:
    """(has a ``dylink.0`` section, linked imports, exports) of a WebAssembly module.

    Imports are the functions of ``env`` (``name``) and every ``GOT.func``/``GOT.mem``
    entry (``GOT.mem:name``): what the dynamic linker must find elsewhere.
    """
    i, dylink, imports, exports = 8, False, [], set()
    while i < len(data):
        section = data[i]
        size, i = _uleb(data, i + 1)
        end = i + size
        if section == 0:
            dylink = dylink or _wasm_name(data, i)[0] in ("dylink.0", "dylink")
        elif section == 2:
            count, j = _uleb(data, i)
            for _ in range(count):
                module, j = _wasm_name(data, j)
                field, j = _wasm_name(data, j)
                kind = data[j]
                j += 1
                if kind in (0, 4):  # function: type index; tag: attribute + type index
                    j = _uleb(data, j + (kind == 4))[1]
                elif kind == 1:
                    j = _skip_limits(data, j + 1)
                elif kind == 2:
                    j = _skip_limits(data, j)
                else:
                    j += 2
                if (module == "env" and kind == 0) or module in WASM_LINKED_IMPORTS[1:]:
                    imports.append(field if module == "env" else f"{module}:{field}")
        elif section == 7:
            count, j = _uleb(data, i)
            for _ in range(count):
                field, j = _wasm_name(data, j)
                j = _uleb(data, j + 1)[1]
                exports.add(field)
        i = end
    return dylink, tuple(imports), frozenset(exports)


NOT_A_SIDE_MODULE = (
    "a WebAssembly module without a dylink.0 section: not a side module Pyodide can load "
    "(link it with -sSIDE_MODULE=1)"
)


def _wasm(name: str, stream: IO[bytes]) -> Binary:
    stream.seek(0)
    data = stream.read()
    try:
        dylink, imports, exports = wasm_symbols(data)
    except (IndexError, UnicodeDecodeError) as exc:
        return Binary(name=name, kind=f"a damaged WebAssembly file ({exc})")
    return Binary(
        name=name,
        kind="WebAssembly",
        bits=32,
        byteorder="little",
        undefined=frozenset(imports),
        exports=exports,
        init_functions=frozenset(e for e in exports if e.startswith("PyInit_")),
        unloadable=None if dylink else NOT_A_SIDE_MODULE,
    )


def describe_binary_stream(name: str, stream: IO[bytes]) -> Binary | None:
    """Describe the binary in ``stream`` (seekable), or ``None`` when it is none."""
    stream.seek(0)
    head = stream.read(0x40)
    if head.startswith(ELF_MAGIC):
        stream.seek(0)
        return _elf(name, stream)
    if head.startswith(b"\x00asm"):
        return _wasm(name, stream)
    for magic, kind in OTHER_MAGICS:
        if head.startswith(magic):
            thin = kind in ("Mach-O 64-bit", "Mach-O 32-bit") and len(head) >= 8
            cpu = struct.unpack_from("<I", head, 4)[0] if thin else 0
            return Binary(name=name, kind=kind, flags=cpu)
    if head.startswith(b"MZ") and name.lower().endswith((".pyd", ".dll", ".exe")):
        from crosswheel.target.pe import PEError, read_pe  # PE binaries only

        stream.seek(0)
        try:
            pe = read_pe(stream.read())
        except PEError as exc:
            return Binary(name=name, kind=f"a damaged PE file ({exc})")
        return Binary(
            name=name,
            kind=PE_KIND,
            bits=64 if pe.pe32plus else 32,
            flags=pe.machine,
            needed=pe.imports,
            pe_dll=pe.is_dll,
            init_functions=frozenset(e for e in pe.exports if e.startswith("PyInit_")),
        )
    if EXTENSION_NAME.search(name.lower()):
        return Binary(name=name, kind=NOT_A_BINARY)
    return None


def describe_binary_bytes(name: str, data: bytes) -> Binary | None:
    """Describe ``data`` when it is a binary (for files made outside a wheel, e.g. by repair)."""
    return describe_binary_stream(name, io.BytesIO(data))


@dataclass(frozen=True)
class Member:
    """One file of the wheel, as read: its entry, its RECORD hash and size, what it is."""

    info: zipfile.ZipInfo
    hash: str
    """``sha256=<urlsafe b64>``, computed from the content (and equal to RECORD's)."""
    size: int
    binary: Binary | None

    @property
    def name(self) -> str:
        return self.info.filename


@dataclass(frozen=True)
class WheelContents:
    """Everything known about a built wheel after one pass over it."""

    path: Path
    name: WheelName
    dist_info: str
    members: tuple[Member, ...]
    """Files in archive order (folders and RECORD itself left out)."""
    record_info: zipfile.ZipInfo
    metadata: Message
    """The parsed ``WHEEL`` file."""
    tags: tuple[Tag, ...]

    @property
    def binaries(self) -> tuple[Binary, ...]:
        return tuple(m.binary for m in self.members if m.binary is not None)

    @property
    def elf_binaries(self) -> tuple[Binary, ...]:
        return tuple(b for b in self.binaries if b.is_elf)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.members)

    @property
    def record_name(self) -> str:
        return f"{self.dist_info}/RECORD"


def _parse_record(data: bytes, wheel: str) -> dict[str, tuple[str, str]]:
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise RefusedWheel(f"the RECORD of {wheel} is unreadable: {exc}") from None
    record: dict[str, tuple[str, str]] = {}
    for row in rows:
        if not row:
            continue
        if len(row) != 3:
            raise RefusedWheel(f"the RECORD of {wheel} has a malformed row: {row!r}")
        path, digest, size = row
        if path in record:
            raise RefusedWheel(f"the RECORD of {wheel} lists {path!r} twice")
        record[path] = (digest, size)
    return record


def _scan(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, algorithm: str
) -> tuple[str, str, int, Binary | None]:
    """Inflate one member once: its RECORD-style digest (sha256 and ``algorithm``) and facts."""
    try:
        return _scan_member(archive, info, algorithm)
    except ZIP_READ_ERRORS as exc:
        raise RefusedWheel(
            f"member {info.filename} cannot be read: {exc}",
            hint="the archive is damaged; download or build it again",
        ) from None


def _scan_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, algorithm: str
) -> tuple[str, str, int, Binary | None]:
    sha = hashlib.sha256()
    other = hashlib.new(algorithm) if algorithm != "sha256" else None
    size = 0
    binary: Binary | None = None
    with archive.open(info) as f, contextlib.ExitStack() as stack:
        data = f.read(CHUNK)
        spool: IO[bytes] | None = None
        if is_binary_head(info.filename, data[:4]):
            spool = stack.enter_context(tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY))
        while data:
            sha.update(data)
            if other is not None:
                other.update(data)
            if spool is not None:
                spool.write(data)
            size += len(data)
            data = f.read(CHUNK)
        if spool is not None:
            binary = describe_binary_stream(info.filename, spool)
    own = encode_digest("sha256", sha.digest())
    listed = encode_digest(algorithm, other.digest()) if other is not None else own
    return own, listed, size, binary


def _workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def read_wheel(path: Path) -> WheelContents:
    """Open, check and describe ``path`` in one pass; refuse anything that is not a sound wheel.

    Refused (``RefusedWheel``): a file that is no zip, hostile member names, links or
    sizes (``open_wheel``), no single ``.dist-info``, no ``WHEEL`` or ``RECORD``, and a
    RECORD that does not list every file with its true hash and size.
    """
    name = WheelName.parse(path.name)
    with open_wheel(path) as archive:
        dist_info = dist_info_dir(archive, name)
        metadata = read_wheel_metadata(archive, dist_info)
        record_name = f"{dist_info}/RECORD"
        try:
            record_info = archive.getinfo(record_name)
        except KeyError:
            raise RefusedWheel(
                f"{path.name} has no {record_name}",
                hint="a wheel must list its files with their hashes (PEP 376 RECORD); "
                "rebuild it with its build backend",
            ) from None
        record = _parse_record(read_member(archive, record_info), path.name)
        record.pop(record_name, None)  # RECORD lists itself, without a hash
        files = [
            info
            for info in archive.infolist()
            if not info.is_dir() and info.filename != record_name
        ]
        algorithms = {_algorithm(record, info.filename, path.name) for info in files}
        algorithm = algorithms.pop() if len(algorithms) == 1 else "sha256"
        with ThreadPoolExecutor(_workers()) as pool:
            scans = list(pool.map(lambda info: _scan(archive, info, algorithm), files))
    members: list[Member] = []
    problems: list[str] = []
    for info, (own, listed, size, binary) in zip(files, scans):
        entry = record.pop(info.filename, None)
        signature = info.filename.startswith(f"{dist_info}/") and info.filename.endswith(
            _SIGNATURES
        )
        if entry is None and not signature:
            problems.append(f"{info.filename}: not listed in RECORD")
        elif entry is not None and not signature:
            digest, listed_size = entry
            if digest.split("=", 1)[0] == algorithm and digest != listed:
                problems.append(f"{info.filename}: content does not match its RECORD hash")
            elif listed_size and listed_size != str(size):
                problems.append(f"{info.filename}: {size} bytes, RECORD says {listed_size}")
        members.append(Member(info, own, size, binary))
    problems.extend(f"{missing}: listed in RECORD but not in the wheel" for missing in record)
    if problems:
        raise RefusedWheel(
            f"{path.name} does not match its own RECORD (a damaged or altered wheel):\n  "
            + "\n  ".join(problems[:20]),
            hint="rebuild the wheel; crosswheel will not give a damaged wheel a fresh RECORD",
        )
    return WheelContents(
        path=path,
        name=name,
        dist_info=dist_info,
        members=tuple(members),
        record_info=record_info,
        metadata=metadata,
        tags=tuple(_wheel_tags(metadata, name)),
    )


def _algorithm(record: Mapping[str, tuple[str, str]], member: str, wheel: str) -> str:
    """The hash algorithm RECORD uses for ``member`` (sha256 when it is not listed)."""
    entry = record.get(member)
    if entry is None or not entry[0]:
        if entry is not None and not member.endswith(_SIGNATURES):
            raise RefusedWheel(f"the RECORD of {wheel} has no hash for {member!r}")
        return "sha256"
    algorithm = entry[0].split("=", 1)[0]
    if algorithm not in hashlib.algorithms_guaranteed or algorithm in ("md5", "sha1"):
        raise RefusedWheel(f"the RECORD of {wheel} uses the hash {algorithm!r} for {member!r}")
    return algorithm


def _wheel_tags(metadata: Message, name: WheelName) -> Iterator[Tag]:
    seen: set[Tag] = set()
    for value in metadata.get_all("Tag") or [name.tags]:
        for tag in parse_tag(value.strip()):
            if tag not in seen:
                seen.add(tag)
                yield tag
