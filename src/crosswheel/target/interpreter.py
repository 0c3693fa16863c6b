"""The target interpreter: its sysconfig data, headers and libpython, found on this machine.

Sources, in the order a user would reach for them: a PEP 739 ``build-details.json``,
a ``_sysconfigdata_*.py`` file, a prefix or sysroot folder that holds one, or
Debian/Ubuntu multiarch (``libpython3.X-dev:<arch>`` installed next to the build
machine's own). Paths in the data describe the target's file system; they are
rewritten to where those files sit here ("localized"), so that a sysroot folder
works like an installed target.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crosswheel.errors import CrosswheelError, MissingTool
from crosswheel.target.cache import while_unchanged
from crosswheel.target.families import family_hook
from crosswheel.target.names import Target

ConfigVars = dict[str, Any]


@dataclass(frozen=True)
class TargetInterpreter:
    """A target CPython, described well enough to build extensions for it."""

    config_vars: ConfigVars
    """The target's sysconfig variables, paths localized to this machine."""
    version: tuple[int, int]
    source: Path
    """The file it was read from."""
    sysroot: Path | None
    """The folder that stands for the target's ``/``, when there is one."""
    include_dir: Path
    """Where ``Python.h`` is."""
    config_h: Path
    """The real ``pyconfig.h`` for this target (not Debian's dispatcher)."""
    extra_include_dirs: tuple[Path, ...]
    """Searched after the toolchain's own dirs (Debian's dispatcher needs the multiarch dir)."""
    extension_suffixes: tuple[str, ...]
    origin: str = ""
    """Where the pieces came from, when not all from ``source`` (Pyodide's runtime and headers)."""
    build_details: Path | None = None
    """A PEP 739 file that describes this target, for tools that take one (Meson)."""

    @property
    def ext_suffix(self) -> str:
        return str(self.config_vars["EXT_SUFFIX"])

    @property
    def soabi(self) -> str:
        return str(self.config_vars.get("SOABI") or self.ext_suffix.split(".")[1])

    @property
    def abiflags(self) -> str:
        return str(self.config_vars.get("ABIFLAGS") or self.config_vars.get("abiflags") or "")

    @property
    def library_dir(self) -> Path | None:
        libdir = self.config_vars.get("LIBDIR")
        return Path(libdir) if libdir else None

    @property
    def version_string(self) -> str:
        return f"{self.version[0]}.{self.version[1]}"

    def describe(self) -> str:
        said = f"CPython {self.version_string} ({self.soabi}) from {self.source}"
        return f"{said}; {self.origin}" if self.origin else said


def read_sysconfigdata(path: Path) -> ConfigVars:
    """The ``build_time_vars`` dict of a ``_sysconfigdata_*.py``, read without running it."""
    return dict(_parsed_sysconfigdata(path))  # a copy: callers may change theirs


@while_unchanged
def _parsed_sysconfigdata(path: Path) -> ConfigVars:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError) as exc:
        raise CrosswheelError(f"cannot read target sysconfig data {path}: {exc}") from None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "build_time_vars" for t in node.targets
        ):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                break
            if isinstance(value, dict):
                return value
    raise CrosswheelError(
        f"{path} has no literal build_time_vars dict",
        hint="point target-python at the target's _sysconfigdata_*.py as CPython installs it",
    )


def _localizer(data_prefix: str, location: Path) -> Any:
    """A function that rewrites target paths under ``data_prefix`` to ``location``."""
    prefix = data_prefix.rstrip("/") or "/"
    if Path(prefix) == location:
        return lambda value: value
    pattern = re.compile(r"(^|(?<=\s)|(?<=-I)|(?<=-L))" + re.escape(prefix) + r"(?=/|$|\s)")
    replacement = str(location)

    def localize(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(lambda m: m.group(1) + replacement, value)
        return value

    return localize


def _stdlib_location(data_file: Path) -> Path:
    """The prefix a ``lib/python3.X/`` file sits in, on this machine."""
    parent = data_file.parent
    if re.fullmatch(r"python\d+\.\d+t?", parent.name):
        return parent.parent.parent
    return parent


def _version_of(config_vars: Mapping[str, Any], source: Path) -> tuple[int, int]:
    version = str(config_vars.get("VERSION") or config_vars.get("py_version_short") or "")
    match = re.match(r"^(\d+)\.(\d+)", version)
    if not match:
        raise CrosswheelError(f"target sysconfig data {source} does not say its Python version")
    return int(match[1]), int(match[2])


def check_matches(
    target: Target, config_vars: Mapping[str, Any], source: Path, build_version: tuple[int, int]
) -> None:
    version = _version_of(config_vars, source)
    if version != build_version:
        raise CrosswheelError(
            f"the target Python is {version[0]}.{version[1]} ({source}) but crosswheel runs on "
            f"Python {build_version[0]}.{build_version[1]}",
            hint=f"run the build with a Python {version[0]}.{version[1]}, or point target-python "
            f"at a Python {build_version[0]}.{build_version[1]} for the target",
        )
    multiarch = config_vars.get("MULTIARCH")
    if multiarch and multiarch != target.multiarch:
        raise CrosswheelError(
            f"the target Python at {source} is for {multiarch}, not {target.triplet}",
            hint="point target-python at a Python built for the target",
        )
    ext_suffix = config_vars.get("EXT_SUFFIX")
    if not isinstance(ext_suffix, str) or not ext_suffix:
        raise CrosswheelError(f"target sysconfig data {source} has no EXT_SUFFIX")


def _build_interpreter(
    target: Target,
    data_file: Path,
    raw_vars: ConfigVars,
    build_version: tuple[int, int],
    details: Mapping[str, Any] | None = None,
) -> TargetInterpreter:
    check_matches(target, raw_vars, data_file, build_version)
    location = _stdlib_location(data_file)
    data_prefix = str(raw_vars.get("prefix") or "/usr")
    localize = _localizer(data_prefix, location)
    config_vars = {key: localize(value) for key, value in raw_vars.items()}
    sysroot: Path | None = None
    if str(location).endswith(data_prefix) and Path(data_prefix) != location:
        root = Path(str(location)[: -len(data_prefix)] or "/")
        sysroot = root if root != Path("/") else None
    version = _version_of(raw_vars, data_file)

    include_dir = Path(str(config_vars.get("INCLUDEPY") or location / "include"))
    if not (include_dir / "Python.h").is_file():
        raise CrosswheelError(
            f"the target Python's headers are missing: no Python.h in {include_dir}",
            hint=_install_hint(target, version),
        )
    short = f"python{version[0]}.{version[1]}{raw_vars.get('ABIFLAGS') or ''}"
    root = sysroot or Path("/")
    multiarch_config = root / "usr" / "include" / target.multiarch / short / "pyconfig.h"
    # Only a Debian-style Python at <root>/usr has its pyconfig.h in the multiarch
    # folder; for any other prefix (conda's $PREFIX) that folder is the build
    # machine's, and a header the target lacks would silently come from there.
    debian_style = location == root / "usr"
    extra: tuple[Path, ...] = ()
    if debian_style and multiarch_config.is_file():
        config_h = multiarch_config
        # Debian's pyconfig.h dispatcher includes <MULTIARCH/pythonX.Y/pyconfig.h>:
        # Debian's cross gcc searches /usr/include, but clang, zig and a sysroot's
        # headers need the folder named.
        extra = (root / "usr" / "include",)
    else:
        config_h = include_dir / "pyconfig.h"
    if not config_h.is_file():
        raise CrosswheelError(
            f"the target Python's pyconfig.h is missing ({config_h})",
            hint=_install_hint(target, version),
        )

    ext_suffix = str(config_vars["EXT_SUFFIX"])
    shlib = str(config_vars.get("SHLIB_SUFFIX") or ".so")
    suffixes: tuple[str, ...] = (ext_suffix, f".abi3{shlib}", shlib)
    if details:
        listed = details.get("suffixes", {}).get("extensions")
        if isinstance(listed, list) and listed and listed[0] == ext_suffix:
            suffixes = tuple(str(s) for s in listed)
    return TargetInterpreter(
        config_vars=config_vars,
        version=version,
        source=data_file,
        sysroot=sysroot,
        include_dir=include_dir,
        config_h=config_h,
        extra_include_dirs=extra,
        extension_suffixes=suffixes,
    )


GIVE_IT = (
    "pass -C target-python=PATH (its prefix or sysroot folder, its _sysconfigdata_*.py, "
    "or its build-details.json)"
)


def _install_hint(target: Target, version: tuple[int, int]) -> str:
    """How to get a target Python for *this* target family (never a package that cannot help)."""
    short = f"{version[0]}.{version[1]}"
    if target.facts.interpreter_hint:
        what = target.form(target.facts.interpreter_hint, v=short, tag_arch=target.tag_arch)
        return f"this target needs {what}; {GIVE_IT}"
    deb = target.arch.debian_arch
    return (
        f"on Debian/Ubuntu: dpkg --add-architecture {deb} && apt-get update && "
        f"apt-get install libpython{short}-dev:{deb}; or {GIVE_IT}"
    )


def _pick_sysconfigdata(candidates: list[Path], target: Target) -> Path | None:
    """The data file meant for the target among several (Debian ships one per arch)."""
    if not candidates:
        return None
    ranked = sorted(
        candidates,
        key=lambda p: (
            p.name != f"_sysconfigdata__linux_{target.multiarch}.py",
            target.multiarch not in p.name,
            p.name,
        ),
    )
    best = ranked[0]
    if target.multiarch in best.name or len(candidates) == 1:
        return best
    return None


def _sysconfigdata_in(stdlib: Path) -> list[Path]:
    return sorted(stdlib.glob("_sysconfigdata_*.py")) if stdlib.is_dir() else []


def from_build_details(
    path: Path, target: Target, build_version: tuple[int, int]
) -> TargetInterpreter:
    """A PEP 739 ``build-details.json``, with the sysconfig data beside it for the rest."""
    try:
        details = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CrosswheelError(f"cannot read {path}: {exc}") from None
    if not isinstance(details, dict) or "language" not in details:
        raise CrosswheelError(f"{path} is not a PEP 739 build-details.json")
    data = _pick_sysconfigdata(_sysconfigdata_in(path.parent), target)
    if data is None:
        raise CrosswheelError(
            f"no _sysconfigdata_*.py for {target.multiarch} next to {path}",
            hint="crosswheel reads compiler flags from it; point target-python at the "
            "target's stdlib folder that holds both",
        )
    raw = read_sysconfigdata(data)
    # PEP 739 values of cross-built Pythons can be wrong (python/cpython#136267):
    # the sysconfig data wins, build-details.json only adds what it lacks.
    abi = details.get("abi", {})
    if "EXT_SUFFIX" not in raw and abi.get("extension_suffix"):
        raw["EXT_SUFFIX"] = abi["extension_suffix"]
    return _build_interpreter(target, data, raw, build_version, details=details)


def from_sysconfigdata(
    path: Path, target: Target, build_version: tuple[int, int]
) -> TargetInterpreter:
    """A ``_sysconfigdata_*.py`` file, wherever it is."""
    details_file = path.parent / "build-details.json"
    if details_file.is_file():
        return from_build_details(details_file, target, build_version)
    return _build_interpreter(target, path, read_sysconfigdata(path), build_version)


def from_folder(root: Path, target: Target, build_version: tuple[int, int]) -> TargetInterpreter:
    """A target prefix (``.../lib/python3.X``) or a whole sysroot (``.../usr/lib/python3.X``)."""
    short = f"python{build_version[0]}.{build_version[1]}"
    stdlibs = [root]
    for sub in ("", "usr", "usr/local"):
        for lib in ("lib", "lib64"):
            stdlibs.extend(sorted((root / sub / lib).glob(f"{short}*")))
    candidates = [data for stdlib in stdlibs for data in _sysconfigdata_in(stdlib)]
    data = _pick_sysconfigdata(candidates, target)
    if data is None:
        found = ", ".join(str(c) for c in candidates) or "none"
        raise CrosswheelError(
            f"no sysconfig data for {target.multiarch} Python {build_version[0]}."
            f"{build_version[1]} under {root} (found: {found})",
            hint="point target-python at the target's prefix, sysroot, _sysconfigdata_*.py "
            "or build-details.json",
        )
    return from_sysconfigdata(data, target, build_version)


def from_multiarch(
    target: Target, build_version: tuple[int, int], root: Path = Path("/")
) -> TargetInterpreter:
    """Debian/Ubuntu multiarch: the target's data and headers installed beside ours."""
    short = f"{build_version[0]}.{build_version[1]}"
    data = root / "usr" / "lib" / f"python{short}" / f"_sysconfigdata__linux_{target.multiarch}.py"
    if not data.is_file():
        raise MissingTool(
            f"no target Python {short} for {target.triplet} found (looked for {data})",
            hint=_install_hint(target, build_version),
        )
    return _build_interpreter(target, data, read_sysconfigdata(data), build_version)


FolderReader = Callable[[Path | None, Target, tuple[int, int]], TargetInterpreter | None]


def find_target_interpreter(
    target: Target,
    target_python: str | None,
    build_version: tuple[int, int] | None = None,
    root: Path = Path("/"),
) -> TargetInterpreter:
    """Resolve the target interpreter from the user's setting or from multiarch.

    A family whose CPython has no sysconfig data to read, or comes from elsewhere,
    reads ``target-python`` (or its absence) itself: its module's
    ``read_target_python(path, target, version)``, which returns None to leave a
    path to the readers here.
    """
    version = build_version or (sys.version_info[0], sys.version_info[1])
    reader: FolderReader | None = family_hook(target.facts, "read_target_python")
    if reader is not None:
        given = Path(target_python).expanduser().resolve() if target_python else None
        found = reader(given, target, version)
        if found is not None:
            return found
    if not target_python:
        if target.family != "linux" or target.libc != "glibc":
            raise MissingTool(
                f"no target Python for {target.triplet}: give one with target-python",
                hint=_install_hint(target, version),
            )
        return from_multiarch(target, version, root)
    path = Path(target_python).expanduser()
    if not path.exists():
        raise CrosswheelError(
            f"target-python {target_python!r} does not exist",
            hint="give a target prefix or sysroot folder, a _sysconfigdata_*.py or a "
            "build-details.json",
        )
    path = path.resolve()
    if path.is_dir():
        if (path / "build-details.json").is_file():
            return from_build_details(path / "build-details.json", target, version)
        return from_folder(path, target, version)
    if path.name == "build-details.json" or path.suffix == ".json":
        return from_build_details(path, target, version)
    if path.name.startswith("_sysconfigdata") and path.suffix == ".py":
        return from_sysconfigdata(path, target, version)
    raise CrosswheelError(
        f"target-python {target_python!r} is neither a folder, a _sysconfigdata_*.py nor a "
        "build-details.json"
    )


def library_folders(target: Target, interpreter: TargetInterpreter) -> tuple[Path, ...]:
    """Where the target's shared libraries are, in the order they are searched.

    The target Python's sysroot (``lib/<multiarch>``, ``usr/lib/<multiarch>``, ``lib``,
    ``usr/lib``), or its prefix, or, for a multiarch target Python, ``/lib/<multiarch>``
    and ``/usr/lib/<multiarch>``; last the cross toolchain's ``/usr/<triplet>/lib``.
    The build machine's own ``/lib`` and ``/usr/lib`` never: repair and the shim's
    ``ctypes.util.find_library`` must not answer with the build machine's libraries.
    """
    multiarch = target.multiarch
    folders: list[Path] = []
    prefix = Path(str(interpreter.config_vars.get("prefix") or "/usr"))
    if interpreter.sysroot is not None:
        root = interpreter.sysroot
        folders += [root / "lib" / multiarch, root / "usr" / "lib" / multiarch]
        folders += [root / "lib", root / "usr" / "lib"]
    elif prefix in (Path("/usr"), Path("/")):
        folders += [Path("/lib") / multiarch, Path("/usr/lib") / multiarch]
    else:
        folders += [prefix / "lib" / multiarch, prefix / "lib"]
    folders.append(Path("/usr") / target.triplet / "lib")
    return tuple(dict.fromkeys(folders))
