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
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from crosswheel.errors import CrosswheelError
from crosswheel.report import info
from crosswheel.target.cache import user_cache
from crosswheel.target.names import Target
from crosswheel.target.runtime import (
    COMPLETE,
    DEBIAN_LIBRARIES,
    _apt_download,
    _relink_absolute,
)

CONFIG_BIN = "crosswheel-config-bin"
"""The overlay's folder of ``*-config`` scripts only: what goes first on the build's PATH."""

SYSROOT_VIEW = "crosswheel-pkgconfig-sysroot-{depth}"
"""The overlay's ``.pc`` files for a pkg-config that prefixes a sysroot of that depth."""

LAYOUT = "2"
"""Part of the overlay's cache key: 2 added the maintainer scripts' alternatives."""

PROVIDED = re.compile(r"^(libc6|libc6-dev|libgcc-s\d*|libgcc-\d+-dev|libstdc\+\+\d*|libcrypt1)$")
"""Packages of the C runtime: the target's root and its toolchain have them already."""

_PACKAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9+.-]+$")
_PC_VARIABLE = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_.]*)=(?P<value>/(?:usr|lib|opt)\b.*)$")
_SH_VARIABLE = re.compile(
    r"^(?P<lead>\s*)(?P<name>[A-Za-z_]*(?:prefix|dir|PREFIX|DIR)[A-Za-z_]*)="
    r"(?P<quote>[\"']?)(?P<value>/(?:usr|lib|opt)\b)"
)
_SH_FLAG = re.compile(r"(?P<flag>-[IL])(?P<path>/usr/(?:include|lib)\b)")


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
    """A ``.pc`` file whose absolute variables (``prefix=/usr``) point into ``root``."""
    lines = []
    for line in text.splitlines(keepends=True):
        found = _PC_VARIABLE.match(line.rstrip("\n"))
        if found and not found["value"].startswith(str(root)):
            line = f"{found['name']}={root}{found['value']}" + ("\n" if line.endswith("\n") else "")
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


@dataclass(frozen=True)
class Alternative:
    """One ``update-alternatives --install`` of a maintainer script: links -> paths."""

    name: str
    priority: int
    links: tuple[tuple[str, str], ...]
    """(link, path) pairs: the master first, then the ``--slave`` ones."""


def parse_alternatives(script: str) -> tuple[Alternative, ...]:
    """The ``update-alternatives --install`` commands of a ``postinst`` script.

    Entries with shell variables are skipped: only literal paths can be linked.
    """
    found = []
    for line in script.replace("\\\n", " ").splitlines():
        if "update-alternatives" not in line or "--install" not in line:
            continue
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            continue
        if "--install" not in words:
            continue
        rest = words[words.index("--install") + 1 :]
        if len(rest) < 4 or not rest[3].isdigit():
            continue
        link, name, path, priority = rest[:4]
        links = [(link, path)]
        rest = rest[4:]
        while len(rest) >= 4 and rest[0] == "--slave":
            links.append((rest[1], rest[3]))
            rest = rest[4:]
        if any("$" in word for pair in links for word in pair):
            continue
        found.append(Alternative(name, int(priority), tuple(links)))
    return tuple(found)


def apply_alternatives(root: Path, alternatives: Iterable[Alternative]) -> None:
    """Make in ``root`` the links ``update-alternatives`` would: the highest priority wins.

    Debian's OpenBLAS puts its ``openblas.pc``, ``libopenblas.so.0`` and headers in
    ``openblas-pthread/`` (and ``-openmp``, ``-serial``) and links them into the
    usual folders only from ``postinst``, which ``dpkg -x`` does not run.
    """
    chosen: dict[str, Alternative] = {}
    for alternative in alternatives:
        best = chosen.get(alternative.name)
        if best is None or alternative.priority > best.priority:
            chosen[alternative.name] = alternative
    for alternative in chosen.values():
        for link, path in alternative.links:
            source = root / link.lstrip("/")
            dest = root / path.lstrip("/")
            if not link.startswith("/") or not path.startswith("/") or ".." in link.split("/"):
                continue
            if source.exists() or source.is_symlink() or not dest.exists():
                continue
            source.parent.mkdir(parents=True, exist_ok=True)
            source.symlink_to(os.path.relpath(dest, source.parent))


def deb_alternatives(deb: Path) -> tuple[Alternative, ...]:
    """The alternatives a ``.deb``'s ``postinst`` installs (none when it has no script)."""
    with tempfile.TemporaryDirectory(prefix=".control-") as scratch:
        result = subprocess.run(
            ["dpkg-deb", "-e", str(deb), scratch], capture_output=True, check=False
        )
        postinst = Path(scratch) / "postinst"
        if result.returncode != 0 or not postinst.is_file():
            return ()
        return parse_alternatives(postinst.read_text(errors="surrogateescape"))


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
    folder = overlay.root / SYSROOT_VIEW.format(depth=depth)
    if not (folder / COMPLETE).exists():
        climb = "/" + "../" * depth
        folder.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".view-", dir=overlay.root))
        seen: set[str] = set()
        for directory in overlay.own_pkgconfig_dirs:
            for pc in sorted(directory.glob("*.pc")):
                if pc.name in seen or not pc.is_file():
                    continue
                seen.add(pc.name)
                text = pc.read_text(errors="surrogateescape")
                text = text.replace(str(overlay.root), climb + str(overlay.root).lstrip("/"))
                (scratch / pc.name).write_text(text, errors="surrogateescape")
        (scratch / COMPLETE).touch()
        try:
            os.replace(scratch, folder)
        except OSError:  # another build made it meanwhile
            shutil.rmtree(scratch, ignore_errors=True)
            if not (folder / COMPLETE).exists():
                raise
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
    packages = closure(requested, parse_depends(_apt_cache_depends(requested, arch)))
    root = overlay_folder(arch, packages)
    found = SystemPackages(requested, packages, root, target.multiarch)
    if (root / COMPLETE).exists():
        return found
    info(f"fetching {', '.join(packages)} for {arch} into {root} (once)")
    root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".fetch-", dir=root.parent) as scratch:
        debs = Path(scratch) / "debs"
        debs.mkdir()
        result = _apt_download([f"{p}:{arch}" for p in packages], debs)
        if result.returncode != 0:
            last = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
            raise CrosswheelError(
                f"apt-get download of {', '.join(packages)} for {arch} failed: {last}",
                hint=f"add the architecture (dpkg --add-architecture {arch} && apt-get update)",
            )
        unpacked = Path(scratch) / "root"
        alternatives: list[Alternative] = []
        for deb in sorted(debs.glob("*.deb")):
            subprocess.run(["dpkg", "-x", str(deb), str(unpacked)], check=True)
            alternatives += deb_alternatives(deb)
        _relink_absolute(unpacked)
        apply_alternatives(unpacked, alternatives)
        # The rewrite names the final folder: relative links keep working after the rename.
        prepare_overlay_as(unpacked, root)
        (unpacked / COMPLETE).touch()
        if (root / COMPLETE).exists():  # another build fetched the same set meanwhile
            return found
        shutil.rmtree(root, ignore_errors=True)
        try:
            os.replace(unpacked, root)
        except OSError:
            if not (root / COMPLETE).exists():
                raise
    return found


def prepare_overlay_as(unpacked: Path, final: Path) -> None:
    """``prepare_overlay`` on ``unpacked``, with the paths it writes naming ``final``."""
    prepare_overlay(unpacked)
    for path in [*unpacked.glob("usr/**/pkgconfig/*.pc"), *unpacked.glob("usr/bin/*-config")]:
        if path.is_file() and not path.is_symlink():
            text = path.read_text(errors="surrogateescape")
            path.write_text(text.replace(str(unpacked), str(final)), errors="surrogateescape")
