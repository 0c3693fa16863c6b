"""Build requirements with a C API: the build compiles against the *target's* copy.

numpy's headers (``_numpyconfig.h``: sizes of ``long`` and pointers, byte order),
its static ``npymath``/``npyrandom`` libraries and its C-API version describe the
machine and the numpy release its wheel was built for. The build environment's
copy runs the build scripts on the build machine; extensions must be compiled
against the copy that will load them on the target. That copy comes, in order, from

1. the target Python's own site-packages (a sysroot with Debian's
   ``python3-numpy``, a Yocto or Buildroot staging dir, a conda prefix);
2. the package's wheel for the target (platform, Python version, ABI) from the
   package index or ``--find-links``, through the build machine's pip, at the
   version ``target-requires`` pins or else the one the build environment has;
3. otherwise one error that says how to provide one.

``C_API_PACKAGES`` is the table of such packages: add a row for another one.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from crosswheel.errors import CrosswheelError
from crosswheel.report import info, warn
from crosswheel.target.cache import user_cache
from crosswheel.target.interpreter import TargetInterpreter
from crosswheel.target.names import Target
from crosswheel.target.policies import accepted_platforms
from crosswheel.wheelfile import open_wheel


@dataclass(frozen=True)
class CApiPackage:
    """A build requirement that compiled code builds against, and what it ships for that."""

    name: str
    """Canonical distribution name."""
    module: str
    """Import name; its folder holds the files below."""
    include_dirs: tuple[str, ...] = ()
    """Candidates for the C headers' folder, relative to the module's, first match wins."""
    build_files: tuple[str, ...] = ()
    """Folders a build needs from the target's wheel (headers, static libraries)."""
    pkgconfig: str | None = None
    """The pkg-config name crosswheel writes a ``.pc`` file for."""

    @property
    def header_only(self) -> bool:
        """Header-only packages describe no machine: the build environment's copy serves."""
        return not self.include_dirs


C_API_PACKAGES: dict[str, CApiPackage] = {
    package.name: package
    for package in (
        CApiPackage(
            "numpy",
            "numpy",
            include_dirs=("_core/include", "core/include"),  # numpy 2, numpy 1.x
            build_files=(
                "_core/include",
                "_core/lib",
                "core/include",
                "core/lib",
                "random/lib",
                "f2py/src",  # fortranobject.c/.h: scipy finds them beside the headers
            ),
            pkgconfig="numpy",
        ),
        CApiPackage("pybind11", "pybind11"),
        CApiPackage("nanobind", "nanobind"),
    )
}
"""Packages that ship headers or libraries for compiled consumers."""

REQUIREMENT_ALIASES = {"oldest-supported-numpy": "numpy"}
"""Build requirements that stand for a table package: a meta-package that pins numpy
(shapely 1.8 builds against ``oldest-supported-numpy``)."""

TARGET_PACKAGES_DIR = "target-packages"
"""The work dir's folder for unpacked wheels and the pkg-config files crosswheel writes."""


@dataclass(frozen=True)
class TargetPackage:
    """The target's copy of one ``CApiPackage``, found or fetched for this build."""

    package: CApiPackage
    version: str
    module_dir: Path
    include_dir: Path
    origin: str
    """Where it came from, for the progress line."""
    pkgconfig_dir: Path | None = None

    def shim_entry(self) -> dict[str, str | None]:
        """What the shim answers for this package (see ``crosswheel.build.shim``)."""
        return {
            "module": self.package.module,
            "version": self.version,
            "include": str(self.include_dir),
            "pkgconfigdir": str(self.pkgconfig_dir) if self.pkgconfig_dir else None,
        }


def parse_target_requires(values: Iterable[str]) -> dict[str, Requirement]:
    """``target-requires`` by canonical name; a later entry for a name wins."""
    requirements: dict[str, Requirement] = {}
    for value in values:
        try:
            requirement = Requirement(value)
        except InvalidRequirement as exc:
            raise CrosswheelError(
                f"target-requires: {value!r} is not a requirement: {exc}",
                hint="write it as pip does, without spaces: numpy==2.2.6",
            ) from None
        requirements[canonicalize_name(requirement.name)] = requirement
    return requirements


def wanted_packages(
    build_requires: Iterable[str], target_requires: dict[str, Requirement]
) -> list[CApiPackage]:
    """The table's packages this build compiles against; header-only ones need nothing."""
    names = {REQUIREMENT_ALIASES.get(name, name) for name in build_requires} | set(target_requires)
    for name in sorted(set(target_requires) - set(C_API_PACKAGES)):
        warn(
            f"target-requires names {name}, which crosswheel does not build against "
            f"(it knows {', '.join(sorted(C_API_PACKAGES))}): ignored"
        )
    wanted = (C_API_PACKAGES[name] for name in sorted(names & set(C_API_PACKAGES)))
    return [package for package in wanted if not package.header_only]


def _build_environment_version(package: CApiPackage) -> str | None:
    try:
        return importlib.metadata.version(package.name)
    except importlib.metadata.PackageNotFoundError:
        return None


def site_packages_dirs(interpreter: TargetInterpreter) -> list[Path]:
    """Where the target Python keeps installed packages, as folders on this machine."""
    prefix = interpreter.config_vars.get("prefix")
    if not prefix:
        return []
    version = f"python{interpreter.version_string}"
    libs = dict.fromkeys(("lib", str(interpreter.config_vars.get("platlibdir") or "lib")))
    subs = (f"{version}/site-packages", f"{version}/dist-packages", "python3/dist-packages")
    found = []
    for base in (Path(str(prefix)), Path(str(prefix)) / "local"):
        for lib in libs:
            for sub in subs:
                folder = base / lib / sub
                if folder.is_dir():
                    found.append(folder)
    return found


def _installed_version(package: CApiPackage, site: Path) -> str | None:
    for dist in importlib.metadata.distributions(path=[str(site)]):
        if canonicalize_name(dist.metadata["Name"] or "") == package.name:
            return dist.version
    return None


def _first_dir(root: Path, candidates: Iterable[str]) -> Path | None:
    return next((root / c for c in candidates if (root / c).is_dir()), None)


def _built_for(module_dir: Path, interpreter: TargetInterpreter) -> bool:
    """Whether the copy has extension modules for the target (not the build machine's)."""
    return any(True for _ in module_dir.rglob(f"*{interpreter.ext_suffix}"))


def find_in_target_python(
    package: CApiPackage, interpreter: TargetInterpreter
) -> TargetPackage | None:
    """Source 1: the copy installed in the target Python's own site-packages."""
    for site in site_packages_dirs(interpreter):
        module_dir = site / package.module
        include = _first_dir(module_dir, package.include_dirs)
        if include is None or not _built_for(module_dir, interpreter):
            continue
        version = _installed_version(package, site) or "unknown"
        return TargetPackage(
            package, version, module_dir, include, f"installed in the target Python ({site})"
        )
    return None


def target_tags(target: Target, interpreter: TargetInterpreter) -> set[Tag]:
    """Every wheel tag the target's interpreter installs (its CPython ABI, abi3, none)."""
    version = interpreter.version
    platforms = accepted_platforms(target)
    abi = f"cp{version[0]}{version[1]}{interpreter.abiflags}"
    return {
        *cpython_tags(version, abis=[abi], platforms=platforms),
        *compatible_tags(version, f"cp{version[0]}{version[1]}", platforms),
    }


def cache_dir() -> Path:
    """Where downloaded target wheels are kept between builds."""
    return user_cache() / "target-wheels"


def cached_wheel(requirement: Requirement, tags: set[Tag], folder: Path) -> Path | None:
    """The newest wheel in ``folder`` that satisfies ``requirement`` and fits ``tags``."""
    best: tuple[Version, Path] | None = None
    for path in folder.glob("*.whl") if folder.is_dir() else ():
        try:
            name, version, _, wheel_tags = parse_wheel_filename(path.name)
        except InvalidWheelFilename:
            continue
        if name != canonicalize_name(requirement.name) or not wheel_tags & tags:
            continue
        if requirement.specifier.contains(version, prereleases=True) and (
            best is None or version > best[0]
        ):
            best = (version, path)
    return best[1] if best else None


def pip_for_target(
    action: str, interpreter: TargetInterpreter, platforms: Iterable[str]
) -> list[str]:
    """``pip <action>`` of the target's wheels: its Python version, ABIs and platform tags."""
    major, minor = interpreter.version
    command = [*_pip(), action, "--only-binary=:all:", "--implementation", "cp"]
    command += ["--python-version", f"{major}.{minor}", "--disable-pip-version-check"]
    for abi in (f"cp{major}{minor}{interpreter.abiflags}", "abi3", "none"):
        command += ["--abi", abi]
    for platform in platforms:
        command += ["--platform", platform]
    return command


def _pip() -> list[str]:
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip"]
    found = shutil.which("pip3") or shutil.which("pip")
    if found is None:
        raise CrosswheelError(
            "crosswheel needs pip to fetch a wheel for the target, and finds none",
            hint="install pip in the build environment or on PATH",
        )
    return [found]


def download_wheel(
    requirement: Requirement, target: Target, interpreter: TargetInterpreter, folder: Path
) -> tuple[Path | None, str]:
    """Source 2: ``pip download`` of the wheel for the target; (wheel, pip's complaint)."""
    folder.mkdir(parents=True, exist_ok=True)
    command = pip_for_target("download", interpreter, accepted_platforms(target))
    command += ["--no-deps", "--dest", str(folder)]
    result = subprocess.run(
        [*command, str(requirement)], capture_output=True, text=True, check=False
    )
    wheel = cached_wheel(requirement, target_tags(target, interpreter), folder)
    if result.returncode != 0 or wheel is None:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        return None, lines[-1] if lines else "pip found no wheel"
    return wheel, ""


def unpack_build_files(package: CApiPackage, wheel: Path, dest: Path) -> Path:
    """The wheel's headers and libraries under ``dest``; returns the module's folder there."""
    prefixes = tuple(f"{package.module}/{folder}/" for folder in package.build_files)
    with open_wheel(wheel) as archive:
        for member in archive.infolist():
            if member.is_dir() or not member.filename.startswith(prefixes):
                continue
            path = dest / member.filename
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(archive.read(member))
    return dest / package.module


def fetch_for_target(
    package: CApiPackage,
    requirement: Requirement,
    target: Target,
    interpreter: TargetInterpreter,
    dest: Path,
) -> tuple[TargetPackage | None, str]:
    """Source 2 end to end: a cached or downloaded wheel, unpacked into ``dest``."""
    tags = target_tags(target, interpreter)
    folder = cache_dir()
    pinned = [s for s in requirement.specifier if s.operator in ("==", "===")]
    wheel = cached_wheel(requirement, tags, folder) if pinned else None
    where = f"cached in {folder}"
    complaint = ""
    if wheel is None:
        wheel, complaint = download_wheel(requirement, target, interpreter, folder)
        where = "fetched with pip"
    if wheel is None:
        return None, complaint
    version = str(parse_wheel_filename(wheel.name)[1])
    module_dir = unpack_build_files(package, wheel, dest / f"{package.name}-{version}")
    include = _first_dir(module_dir, package.include_dirs)
    if include is None:
        return None, f"{wheel.name} has no C headers ({', '.join(package.include_dirs)})"
    return TargetPackage(package, version, module_dir, include, f"{wheel.name}, {where}"), ""


def write_pkgconfig(found: TargetPackage, folder: Path, sysroot: Path | None) -> TargetPackage:
    """A ``.pc`` file naming the target's headers, for Meson's ``dependency()`` and others.

    numpy 1.x ships none, and numpy 2's is relative to its own folder. pkg-config
    puts ``PKG_CONFIG_SYSROOT_DIR`` (set for sysroot targets) before every ``-I``
    path, so the path is written relative to the sysroot, even when it is outside it.
    """
    name = found.package.pkgconfig
    if name is None:
        return found
    include = str(found.include_dir)
    if sysroot is not None:
        include = "/" + os.path.relpath(found.include_dir, sysroot)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.pc").write_text(
        f"includedir={include}\n\n"
        f"Name: {name}\n"
        f"Description: the target's {found.package.name} ({found.origin}), for crosswheel\n"
        f"Version: {found.version}\n"
        "Cflags: -I${includedir}\n",
        encoding="utf-8",
    )
    return dataclasses.replace(found, pkgconfig_dir=folder)


def _missing(
    package: CApiPackage,
    requirement: Requirement,
    target: Target,
    interpreter: TargetInterpreter,
    complaint: str,
) -> CrosswheelError:
    sites = ", ".join(str(s) for s in site_packages_dirs(interpreter))
    looked = f"looked in {sites}" if sites else "it has no site-packages folder"
    name = package.name
    return CrosswheelError(
        f"no {name} for {target.triplet} to build against: the target Python has none "
        f"installed ({looked}), and no wheel of {requirement} for cp"
        f"{interpreter.version[0]}{interpreter.version[1]} {target.wheel_platform} was found "
        f"({complaint})",
        hint=f"install {name} into the target Python and pass it as target-python (a sysroot "
        f"with Debian's python3-{name}, a Yocto or Buildroot staging dir, a conda prefix); "
        f"or put a wheel of {name} for the target in a --find-links folder (PIP_FIND_LINKS); "
        f"or pin a version that has one with -C target-requires={name}==VERSION",
    )


def _satisfies(version: str, requirement: Requirement) -> bool:
    try:
        return requirement.specifier.contains(Version(version), prereleases=True)
    except InvalidVersion:
        return False


def find_target_packages(
    target: Target,
    interpreter: TargetInterpreter,
    build_requires: Iterable[str],
    target_requires: Iterable[str],
    workdir: Path,
) -> tuple[TargetPackage, ...]:
    """The target's copy of each C-API package this build compiles against, or an error."""
    pins = parse_target_requires(target_requires)
    found: list[TargetPackage] = []
    for package in wanted_packages(build_requires, pins):
        build_version = _build_environment_version(package)
        pinned = pins.get(package.name)
        copy = find_in_target_python(package, interpreter)
        if copy is not None and pinned and not _satisfies(copy.version, pinned):
            info(f"{package.name} {copy.version} in the target Python does not match {pinned}")
            copy = None
        complaint = ""
        if copy is None:
            if pinned is not None and pinned.specifier:
                requirement = pinned
            elif build_version is not None:
                requirement = Requirement(f"{package.name}=={build_version}")
            else:
                requirement = Requirement(package.name)
            copy, complaint = fetch_for_target(
                package, requirement, target, interpreter, workdir / TARGET_PACKAGES_DIR
            )
            if copy is None:
                raise _missing(package, requirement, target, interpreter, complaint)
        copy = write_pkgconfig(
            copy, workdir / TARGET_PACKAGES_DIR / "pkgconfig", interpreter.sysroot
        )
        runs = f" (the build scripts run {package.name} {build_version})" if build_version else ""
        info(f"{package.name} {copy.version} for the target: {copy.origin}{runs}")
        found.append(copy)
    return tuple(found)
