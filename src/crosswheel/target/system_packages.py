"""The target's system libraries, fetched: ``target-system-packages``.

Some Debian ``-dev`` packages cannot be installed for a second architecture beside
the build machine's (they are not ``Multi-Arch: same``: GEOS and HDF5 are two).
For those, crosswheel fetches the target's packages and the libraries they depend
on (``apt-get download`` and ``dpkg -x``, no root, as the target CPython is
fetched) into an overlay folder in the user's cache, keyed by the package set.
The overlay's pkg-config files and ``*-config`` scripts are rewritten to point into
it, and the build sees its headers, libraries, pkg-config files, CMake packages
and ``*-config`` scripts (never its programs, which are the target's). Repair
searches its libraries: they are the target's.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from crosswheel.errors import CrosswheelError
from crosswheel.report import info
from crosswheel.target.cache import is_complete, make_once, user_cache
from crosswheel.target.names import Target
from crosswheel.target.runtime import (
    DEBIAN_LIBRARIES,
    _apt_download,
    _relink_absolute,
)

CONFIG_BIN = "crosswheel-config-bin"
"""The overlay's folder of ``*-config`` scripts only: what goes first on the build's PATH."""

SYSROOT_VIEW = "crosswheel-pkgconfig-sysroot-{depth}"
"""The overlay's ``.pc`` files for a pkg-config that prefixes a sysroot of that depth."""

LAYOUT = "2"
"""Part of the overlay's cache key: 2 added the maintainer scripts' alternatives links."""

PROVIDED = re.compile(r"^(libc6|libc6-dev|libgcc-s\d*|libgcc-\d+-dev|libstdc\+\+\d*|libcrypt1)$")
"""Packages of the C runtime: the target's root and its toolchain have them already."""

_PACKAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9+.-]+$")
_PC_VARIABLE = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_.]*)=(?P<value>/(?:usr|lib|opt)\b.*)$")
_SH_VARIABLE = re.compile(
    r"^(?P<lead>\s*)(?P<name>[A-Za-z_]*(?:prefix|dir|PREFIX|DIR)[A-Za-z_]*)="
    r"(?P<quote>[\"']?)(?P<value>/(?:usr|lib|opt)\b)"
)
_SH_FLAG = re.compile(r"(?P<flag>-[IL])(?P<path>/usr/(?:include|lib)\b)")
_PC_FIELD = re.compile(r"^(?:Cflags|Libs)(?:\.private)?\s*:")


@dataclass(frozen=True)
class SystemPackages:
    """The overlay that holds the target's copies of ``target-system-packages``."""

    requested: tuple[str, ...]
    packages: tuple[str, ...]
    """What was fetched: the requested packages and their library dependencies."""
    root: Path
    """The overlay: the packages' files as they unpack into ``/``."""
    multiarch: str
    pc_view: Path | None = None
    """For a sysroot build: one folder with the ``.pc`` files as its pkg-config must see them."""

    @property
    def include_dirs(self) -> tuple[Path, ...]:
        dirs = (self.root / "usr/include" / self.multiarch, self.root / "usr/include")
        return tuple(d for d in dirs if d.is_dir())

    @property
    def library_dirs(self) -> tuple[Path, ...]:
        dirs = (
            self.root / "usr/lib" / self.multiarch,
            self.root / "lib" / self.multiarch,
            self.root / "usr/lib",
        )
        return tuple(d for d in dirs if d.is_dir())

    @property
    def pkgconfig_dirs(self) -> tuple[Path, ...]:
        if self.pc_view is not None:
            return (self.pc_view,)
        return self.own_pkgconfig_dirs

    @property
    def own_pkgconfig_dirs(self) -> tuple[Path, ...]:
        dirs = (
            self.root / "usr/lib" / self.multiarch / "pkgconfig",
            self.root / "usr/lib/pkgconfig",
            self.root / "usr/share/pkgconfig",
        )
        return tuple(d for d in dirs if d.is_dir())

    @property
    def prefix(self) -> Path:
        """The overlay's ``/usr``: CMake's prefix for the packages' ``*Config.cmake`` files."""
        return self.root / "usr"

    @property
    def config_bin(self) -> Path | None:
        """The folder holding only the overlay's ``*-config`` scripts, or None if it has none."""
        folder = self.root / CONFIG_BIN
        return folder if folder.is_dir() and any(folder.iterdir()) else None


def check_package_names(names: Iterable[str]) -> tuple[str, ...]:
    """Debian package names as given (a ``:arch`` or a typo is an error, not an apt query)."""
    for name in names:
        if not _PACKAGE_NAME.match(name):
            raise CrosswheelError(
                f"config setting 'target-system-packages': {name!r} is not a Debian package name",
                hint="name the packages without an architecture, e.g. "
                "-C target-system-packages=libgeos-dev,libhdf5-dev",
            )
    return tuple(dict.fromkeys(names))


def parse_depends(output: str) -> tuple[str, ...]:
    """The packages ``apt-cache depends --recurse`` lists (its unindented lines), in order.

    Virtual packages (``<name>``) are not packages to download; ``:arch`` is dropped.
    """
    names = []
    for line in output.splitlines():
        if not line or line[0].isspace() or line.startswith("<"):
            continue
        names.append(line.strip().split(":")[0])
    return tuple(dict.fromkeys(names))


def architecture_all(output: str, debian_arch: str) -> frozenset[str]:
    """Packages ``apt-cache depends`` lists only without ``:arch``: ``Architecture: all`` ones.

    They have no ``name:arm64`` to download (libhdf5-dev needs libtirpc-common).
    """
    qualified: set[str] = set()
    plain: set[str] = set()
    for line in output.splitlines():
        if not line or line[0].isspace() or line.startswith("<"):
            continue
        name, _, arch = line.strip().partition(":")
        if arch == debian_arch:
            qualified.add(name)
        elif not arch:
            plain.add(name)
    return frozenset(plain - qualified)


def closure(requested: Sequence[str], depends: Sequence[str]) -> tuple[str, ...]:
    """``requested`` plus the libraries they depend on that the target's root lacks."""
    provided = set(DEBIAN_LIBRARIES)
    kept = [
        name
        for name in depends
        if name.startswith("lib") and not PROVIDED.match(name) and name not in provided
    ]
    return tuple(dict.fromkeys([*requested, *kept]))


def rewrite_pc(text: str, root: Path) -> str:
    """A ``.pc`` file whose absolute variables (``prefix=/usr``) and flags point into ``root``."""
    lines = []
    for line in text.splitlines(keepends=True):
        found = _PC_VARIABLE.match(line.rstrip("\n"))
        if found and not found["value"].startswith(str(root)):
            line = f"{found['name']}={root}{found['value']}" + ("\n" if line.endswith("\n") else "")
        elif _PC_FIELD.match(line):
            # Literal paths in the flags (libhdf5-dev's -I/usr/include/hdf5/serial).
            line = _SH_FLAG.sub(lambda m: f"{m['flag']}{root}{m['path']}", line)
        lines.append(line)
    return "".join(lines)


def rewrite_config_script(text: str, root: Path) -> str:
    """A ``*-config`` shell script whose prefix variables and -I/-L paths point into ``root``."""
    out = []
    for line in text.splitlines(keepends=True):
        line = _SH_VARIABLE.sub(
            lambda m: f"{m['lead']}{m['name']}={m['quote']}{root}{m['value']}", line
        )
        line = _SH_FLAG.sub(lambda m: f"{m['flag']}{root}{m['path']}", line)
        out.append(line)
    return "".join(out)


def sysroot_view(overlay: SystemPackages, sysroot: Path) -> SystemPackages:
    """``overlay`` with its ``.pc`` files as pkg-config must see them in a sysroot build.

    pkg-config (and Meson, from ``sys_root``) puts ``PKG_CONFIG_SYSROOT_DIR`` in front
    of every absolute path of every ``.pc`` file, the overlay's too, which is not
    in the sysroot. So the view's files climb out of the sysroot first: ``/../..``
    (as many as the sysroot's real path has parts) and then the overlay's path, which
    names the same folder with or without the sysroot in front.
    """
    real = Path(os.path.realpath(sysroot))
    depth = max(len(real.parts), len(Path(os.path.abspath(sysroot)).parts)) - 1
    climb = "/" + "../" * depth

    def write(out: Path) -> None:
        out.mkdir()
        seen: set[str] = set()
        for directory in overlay.own_pkgconfig_dirs:
            for pc in sorted(directory.glob("*.pc")):
                if pc.name in seen or not pc.is_file():
                    continue
                seen.add(pc.name)
                text = pc.read_text(errors="surrogateescape")
                text = text.replace(str(overlay.root), climb + str(overlay.root).lstrip("/"))
                (out / pc.name).write_text(text, errors="surrogateescape")

    folder = make_once(overlay.root / SYSROOT_VIEW.format(depth=depth), write)
    return dataclasses.replace(overlay, pc_view=folder)


def is_config_script(path: Path) -> bool:
    """A ``usr/bin/*-config`` that is a script (a target ELF program never runs here)."""
    if not path.name.endswith("-config") or not path.is_file():
        return False
    with path.open("rb") as f:
        return f.read(2) == b"#!"


def prepare_overlay(root: Path) -> None:
    """Point the unpacked packages' ``.pc`` files and ``*-config`` scripts into ``root``.

    ``root`` is where the overlay will finally be (the rewrite names it); the
    ``*-config`` scripts are linked into ``root/crosswheel-config-bin``.
    """
    for pc in sorted(root.glob("usr/**/pkgconfig/*.pc")):
        if pc.is_file() and not pc.is_symlink():
            pc.write_text(rewrite_pc(pc.read_text(errors="surrogateescape"), root))
    scripts = sorted(p for p in (root / "usr/bin").glob("*-config") if is_config_script(p))
    folder = root / CONFIG_BIN
    folder.mkdir(exist_ok=True)
    for script in scripts:
        text = script.read_text(errors="surrogateescape")
        script.write_text(rewrite_config_script(text, root), errors="surrogateescape")
        link = folder / script.name
        if not link.exists():
            link.symlink_to(os.path.relpath(script, folder))


_ALTERNATIVE = re.compile(
    r"--(?P<kind>install|slave)\s+(?P<link>/\S+)\s+(?P<name>[\w.+-]+)\s+(?P<path>/\S+)"
    r"(?:\s+(?P<priority>\d+)\b)?"
)


def alternatives(script: str, exists: Callable[[str], bool]) -> dict[str, str]:
    """The links ``update-alternatives --install``/``--slave`` lines of ``script`` would make.

    Per alternative name, the highest literal priority among those whose target
    ``exists`` wins (an ``--install`` whose priority is a shell variable is skipped,
    as are its slaves); links map to their targets, both absolute.
    """
    text = script.replace("\\\n", " ")
    groups: list[tuple[int, str, str, str, list[tuple[str, str]]]] = []
    slaves: list[tuple[str, str]] | None = None
    for found in _ALTERNATIVE.finditer(text):
        if found["kind"] == "install":
            slaves = None
            if found["priority"] is not None and exists(found["path"]):
                slaves = []
                groups.append(
                    (int(found["priority"]), found["name"], found["link"], found["path"], slaves)
                )
        elif slaves is not None:
            slaves.append((found["link"], found["path"]))
    links: dict[str, str] = {}
    chosen: set[str] = set()
    for _, name, link, path, group_slaves in sorted(groups, key=lambda g: -g[0]):
        if name in chosen:
            continue
        chosen.add(name)
        links.setdefault(link, path)
        for slave_link, slave_path in group_slaves:
            if exists(slave_path):
                links.setdefault(slave_link, slave_path)
    return links


def make_alternatives(root: Path, scripts: str) -> None:
    """The alternatives links of the packages' ``postinst`` scripts, made inside ``root``.

    dpkg's maintainer scripts do not run for an overlay, and some packages' files are
    reached only through such a link (libhdf5-dev's ``pkgconfig/hdf5.pc`` names
    ``hdf5-serial.pc``). A link is made only where its target is in ``root`` and the
    link is not.
    """

    def exists(path: str) -> bool:
        inside = root / path.lstrip("/")
        return inside.exists() or inside.is_symlink()

    for link, path in alternatives(scripts, exists).items():
        where = root / link.lstrip("/")
        if not exists(link):
            where.parent.mkdir(parents=True, exist_ok=True)
            where.symlink_to(os.path.relpath(root / path.lstrip("/"), where.parent))


def _apt_cache_depends(packages: Sequence[str], debian_arch: str) -> str:
    result = subprocess.run(
        [
            "apt-cache",
            "depends",
            "--recurse",
            "--no-recommends",
            "--no-suggests",
            "--no-conflicts",
            "--no-breaks",
            "--no-replaces",
            "--no-enhances",
            *(f"{p}:{debian_arch}" for p in packages),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not result.stdout.strip():
        last = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
        raise CrosswheelError(
            f"apt-cache knows no {' or '.join(packages)} for {debian_arch}: {last}".rstrip(": "),
            hint=f"add the architecture (dpkg --add-architecture {debian_arch} && apt-get "
            "update), and check the names with apt-cache show",
        )
    return result.stdout


def overlay_folder(debian_arch: str, packages: Sequence[str]) -> Path:
    """Where the overlay of ``packages`` for ``debian_arch`` is cached."""
    key = hashlib.sha256(" ".join([LAYOUT, *sorted(packages)]).encode()).hexdigest()[:12]
    return user_cache() / "system-packages" / f"{debian_arch}-{key}"


def fetch_system_packages(target: Target, requested: Sequence[str]) -> SystemPackages:
    """The overlay of ``requested`` (and their library closure) for ``target``, fetched once."""
    requested = check_package_names(requested)
    if target.family != "linux" or target.libc != "glibc" or not target.arch.debian_arch:
        raise CrosswheelError(
            f"target-system-packages fetches Debian packages: {target.triplet} has none",
            hint="give the target's libraries with library-path, CPPFLAGS and PKG_CONFIG_PATH",
        )
    if not all(shutil.which(tool) for tool in ("apt-get", "apt-cache", "dpkg")):
        raise CrosswheelError(
            "target-system-packages needs apt-get, apt-cache and dpkg (Debian/Ubuntu)",
            hint="give the target's libraries with library-path, CPPFLAGS and PKG_CONFIG_PATH",
        )
    arch = target.arch.debian_arch
    depends = _apt_cache_depends(requested, arch)
    packages = closure(requested, parse_depends(depends))
    plain = architecture_all(depends, arch)
    root = overlay_folder(arch, packages)
    found = SystemPackages(requested, packages, root, target.multiarch)
    if is_complete(root):
        return found
    info(f"fetching {', '.join(packages)} for {arch} into {root} (once)")

    def unpack(out: Path) -> None:
        debs = out.parent / "debs"
        debs.mkdir()
        result = _apt_download([p if p in plain else f"{p}:{arch}" for p in packages], debs)
        if result.returncode != 0:
            last = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
            raise CrosswheelError(
                f"apt-get download of {', '.join(packages)} for {arch} failed: {last}",
                hint=f"add the architecture (dpkg --add-architecture {arch} && apt-get update)",
            )
        scripts = []
        for deb in sorted(debs.glob("*.deb")):
            subprocess.run(["dpkg", "-x", str(deb), str(out)], check=True)
            control = out.parent / "control" / deb.name
            control.parent.mkdir(exist_ok=True)
            subprocess.run(["dpkg", "-e", str(deb), str(control)], check=True)
            if (control / "postinst").is_file():
                scripts.append((control / "postinst").read_text(errors="replace"))
        _relink_absolute(out)
        make_alternatives(out, "\n".join(scripts))
        # The rewrite names the final folder: relative links keep working after the rename.
        prepare_overlay_as(out, root)

    make_once(root, unpack)
    return found


def prepare_overlay_as(unpacked: Path, final: Path) -> None:
    """``prepare_overlay`` on ``unpacked``, with the paths it writes naming ``final``."""
    prepare_overlay(unpacked)
    for path in [*unpacked.glob("usr/**/pkgconfig/*.pc"), *unpacked.glob("usr/bin/*-config")]:
        if path.is_file() and not path.is_symlink():
            text = path.read_text(errors="surrogateescape")
            path.write_text(text.replace(str(unpacked), str(final)), errors="surrogateescape")
