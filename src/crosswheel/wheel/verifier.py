"""The verifier: every binary in a wheel must be one the target can load.

It runs on the finished wheel, after the fixer, and refuses the wheel when any
binary is of another format than the target's (ELF, Mach-O, PE, WebAssembly),
when an ELF file's class, byte order or machine (and, for 32-bit ARM, float ABI)
differs, when a Mach-O or PE file is for another CPU, when a Linux binary links
another libc than its row's, or when an extension module carries a suffix the
target interpreter would not import. A family's own rules for its extension
modules come from its module (``extension_problem``: e.g. a DLL's imports).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from crosswheel.errors import RefusedWheel
from crosswheel.target.families import family_hook
from crosswheel.target.names import Target, describe_binary, describe_elf, machine_name
from crosswheel.wheel.binaries import EXTENSION_NAME, PE_KIND, Binary

_FORMAT_OF_KIND = {
    "Mach-O 64-bit": "macho",
    "Mach-O 32-bit": "macho",
    "Mach-O universal": "macho",
    "WebAssembly": "wasm",
    PE_KIND: "pe",
}
EF_ARM_ABI_FLOAT_HARD = 0x400
EF_ARM_ABI_FLOAT_SOFT = 0x200
_CPYTHON_EXTENSION = re.compile(r"\.cpython-[^./]+\.so$")


def _foreign_problem(binary: Binary, target: Target) -> str | None:
    """Mach-O, PE and WebAssembly binaries: the right format and CPU for the target."""
    expected = describe_binary(target)
    fmt = _FORMAT_OF_KIND.get(binary.kind, binary.kind)
    if fmt != target.binary_format:
        return f"{binary.describe()}, not {expected}"
    if fmt == "wasm" and binary.unloadable:
        return binary.unloadable
    universal = binary.kind == "Mach-O universal"  # universal2: delocate checks each slice
    if fmt == "macho" and not universal and binary.flags != target.machine_code:
        return f"Mach-O for {machine_name(fmt, binary.flags)}, not {expected}"
    if fmt == "pe" and binary.flags != target.machine_code:
        return f"PE for {machine_name(fmt, binary.flags)}, not {expected}"
    return None


def binary_problem(binary: Binary, target: Target) -> str | None:
    """Why ``binary`` cannot run on ``target`` (format, CPU, float ABI, libc), or ``None``."""
    arch = target.arch
    if target.binary_format != "elf":
        return _foreign_problem(binary, target)
    expected = describe_elf(arch.bits, arch.byteorder, arch.elf_machine)
    if not binary.is_elf:
        return f"{binary.describe()}, not {expected}"
    if binary.unloadable and EXTENSION_NAME.search(binary.name.lower()):
        return binary.unloadable  # an executable may be ET_EXEC; a shared library may not
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
    return libc_problem(binary, target)


def libc_problem(binary: Binary, target: Target) -> str | None:
    """A Linux binary that links another C library than the target's (``Binary.libc``)."""
    if not target.facts.tag_policy or binary.libc in (None, target.libc):
        return None
    evidence = binary.glibc_versions or binary.libc_libraries or (binary.interpreter or "",)
    return f"links {binary.libc} ({', '.join(evidence[:3])}), not {target.libc} ({target.triplet})"


def extension_problem(name: str, extension_suffixes: tuple[str, ...]) -> str | None:
    """Why an extension module's file name would not import on the target."""
    tagged = tuple(s for s in extension_suffixes if s.startswith(".cpython-"))
    if _CPYTHON_EXTENSION.search(name) and not name.endswith(tagged):
        return f"named for another interpreter; the target imports {', '.join(extension_suffixes)}"
    return None


def verify_binaries(
    wheel_name: str,
    binaries: Iterable[tuple[str, Binary]],
    target: Target,
    extension_suffixes: tuple[str, ...] | None,
) -> int:
    """Refuse the wheel unless every binary matches ``target``; return how many there are.

    ``binaries`` are (name in the wheel, facts) pairs. ``extension_suffixes`` are
    the ones the target imports; ``None`` skips the file-name check (for a wheel
    the fixer has yet to rename).
    """
    problems: list[str] = []
    hints: list[str] = []
    pairs = list(binaries)
    bundled = frozenset(b.basename.lower() for _, b in pairs)
    suffix = extension_suffixes[0] if extension_suffixes else None
    family_problem = family_hook(target.facts, "extension_problem")
    for name, binary in pairs:
        problem = binary_problem(binary, target)
        if problem is None and extension_suffixes is not None and name.endswith(".so"):
            problem = extension_problem(name, extension_suffixes)
        if problem is None and family_problem is not None:
            found = family_problem(binary, suffix, bundled)
            if found is not None:
                problem = found[0]
                hints.extend([found[1]] if found[1] else [])
        if problem:
            problems.append(f"{name}: {problem}")
    if problems:
        listing = "\n  ".join(problems)
        raise RefusedWheel(
            f"refusing to ship {wheel_name}: {len(problems)} file(s) do not match "
            f"{target.describe()}:\n  {listing}",
            hint=hints[0]
            if hints
            else "the inner backend used a compiler or prebuilt binary for another platform; "
            "check CC/CXX and the project's build scripts",
        )
    return len(pairs)
