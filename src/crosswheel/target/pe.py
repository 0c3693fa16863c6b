"""A PE/COFF reader (standard library only): what a DLL is, imports and exports.

The verifier needs a ``.pyd``'s machine, DLL flag, imported DLLs and exported
``PyInit_`` names; an embeddable CPython lacks import libraries, which are made
from its DLL's exports. Both read the same few tables, so no ``pefile`` dependency.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

IMAGE_FILE_DLL = 0x2000
_SCN_MEM_EXECUTE = 0x20000000


class PEError(ValueError):
    """The bytes are not a PE file this reader understands."""


@dataclass(frozen=True)
class PEInfo:
    """One PE file's header facts and its import and export tables."""

    machine: int
    is_dll: bool
    pe32plus: bool
    imports: tuple[str, ...] = ()
    """Imported DLLs, normal then delay-loaded, in file order."""
    dll_name: str | None = None
    exports: tuple[str, ...] = ()
    """Exported names (forwarders included)."""
    data_exports: frozenset[str] = field(default_factory=frozenset)
    """Exports outside executable sections: variables, imported with ``DATA``."""


def _cstr(data: bytes, offset: int) -> str:
    end = data.index(b"\0", offset)
    return data[offset:end].decode("ascii", "replace")


def read_pe(data: bytes) -> PEInfo:
    """Parse ``data``; raise ``PEError`` for anything that is not a readable PE image."""
    try:
        return _read(data)
    except (struct.error, IndexError, ValueError) as exc:
        raise PEError(f"damaged PE file: {exc}") from None


def _read(data: bytes) -> PEInfo:
    if data[:2] != b"MZ":
        raise PEError("not an MZ executable")
    (pe_offset,) = struct.unpack_from("<I", data, 0x3C)
    if data[pe_offset : pe_offset + 4] != b"PE\0\0":
        raise PEError("no PE signature")
    coff = pe_offset + 4
    machine, sections_count, _, _, _, optional_size, characteristics = struct.unpack_from(
        "<HHIIIHH", data, coff
    )
    optional = coff + 20
    (magic,) = struct.unpack_from("<H", data, optional)
    if magic not in (0x10B, 0x20B):
        raise PEError(f"unknown optional header magic {magic:#x}")
    plus = magic == 0x20B
    dirs_at = optional + (112 if plus else 96)
    (dirs_count,) = struct.unpack_from("<I", data, dirs_at - 4)
    dirs = [struct.unpack_from("<II", data, dirs_at + 8 * i) for i in range(min(dirs_count, 16))]
    sections = []
    for i in range(sections_count):
        at = optional + optional_size + 40 * i
        vsize, va, rsize, rptr = struct.unpack_from("<IIII", data, at + 8)
        (flags,) = struct.unpack_from("<I", data, at + 36)
        sections.append((va, max(vsize, rsize), rptr, rsize, flags))

    def offset(rva: int) -> int:
        for va, size, rptr, rsize, _ in sections:
            if va <= rva < va + size and rva - va < rsize:
                return int(rptr + rva - va)
        raise PEError(f"address {rva:#x} is in no section")

    exports: list[str] = []
    data_exports: set[str] = set()
    dll_name = None
    if dirs and dirs[0][0]:
        erva, esize = dirs[0]
        fields = struct.unpack_from("<IIHHIIIIIII", data, offset(erva))
        name_rva, names_count, funcs_rva, names_rva, ords_rva = (
            fields[4], fields[7], fields[8], fields[9], fields[10],
        )  # fmt: skip
        dll_name = _cstr(data, offset(name_rva)) if name_rva else None
        for i in range(names_count):
            (nrva,) = struct.unpack_from("<I", data, offset(names_rva) + 4 * i)
            (index,) = struct.unpack_from("<H", data, offset(ords_rva) + 2 * i)
            (frva,) = struct.unpack_from("<I", data, offset(funcs_rva) + 4 * index)
            name = _cstr(data, offset(nrva))
            exports.append(name)
            forwarder = erva <= frva < erva + esize
            code = any(
                va <= frva < va + size and f & _SCN_MEM_EXECUTE for va, size, *_, f in sections
            )
            if not forwarder and not code:
                data_exports.add(name)
    imports: list[str] = []
    for index, size, name_at in ((1, 20, 3), (13, 32, 1)):  # imports, delay imports
        if len(dirs) > index and dirs[index][0]:
            at = offset(dirs[index][0])
            while True:
                desc = struct.unpack_from(f"<{size // 4}I", data, at)
                if not any(desc):
                    break
                imports.append(_cstr(data, offset(desc[name_at])))
                at += size
    return PEInfo(
        machine=machine,
        is_dll=bool(characteristics & IMAGE_FILE_DLL),
        pe32plus=plus,
        imports=tuple(imports),
        dll_name=dll_name,
        exports=tuple(exports),
        data_exports=frozenset(data_exports),
    )


def def_file(info: PEInfo, library: str, data_names: frozenset[str] | None = None) -> str:
    """A module-definition file of ``info``'s exports, for ``dlltool``.

    Variables get ``DATA`` (only an ``__imp_`` symbol), as in MSVC's pythonXY.lib:
    Python.h declares them ``dllimport``. ``data_names`` lets python3.dll, whose
    exports all forward, borrow pythonXY.dll's set.
    """
    data = info.data_exports if data_names is None else data_names
    lines = [f"LIBRARY {library}", "EXPORTS"]
    lines += [f"    {name}" + (" DATA" if name in data else "") for name in info.exports]
    return "\n".join(lines) + "\n"


def import_library_machine(data: bytes) -> int | None:
    """The PE machine of an import library (``pythonXY.lib``): its first import member's.

    Reads short import objects (MSVC's, llvm-dlltool's) and COFF objects (mingw
    dlltool's); None when ``data`` is not an archive or has neither.
    """
    if data[:8] != b"!<arch>\n":
        return None
    offset = 8
    while offset + 60 <= len(data):
        name = data[offset : offset + 16].rstrip()
        try:
            size = int(data[offset + 48 : offset + 58].decode("ascii").strip())
        except ValueError:
            return None
        body = data[offset + 60 : offset + 60 + size]
        if name not in (b"/", b"//", b"/<SYM64>/", b"/<ECSYMBOLS>/") and len(body) >= 8:
            sig1, sig2, _, machine = struct.unpack_from("<HHHH", body)
            if sig1 == 0 and sig2 == 0xFFFF:
                return int(machine)
            (coff_machine,) = struct.unpack_from("<H", body)
            if coff_machine:
                return int(coff_machine)
        offset += 60 + size + (size & 1)
    return None
