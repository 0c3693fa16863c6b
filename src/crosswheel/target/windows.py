"""A Windows CPython folder read as a target interpreter, import libraries made when missing.

What users have is a folder: an installed CPython, the NuGet python/pythonarm64/
pythonx86 package's ``tools/``, or an embeddable distribution with ``include/``
added. It has no sysconfig data to read (Windows' is computed at run time), so
the few variables a build needs come from the folder itself: the version from
``pythonXY.dll``, the ABI from the target, headers from ``include/`` (Windows'
``pyconfig.h``) and the import library from ``libs/``. An embeddable folder has no
``libs/``: the import libraries are made from the DLLs' export tables into
crosswheel's cache, once per DLL.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from crosswheel.errors import CrosswheelError, MissingTool
from crosswheel.report import info
from crosswheel.target.cache import user_cache
from crosswheel.target.interpreter import TargetInterpreter
from crosswheel.target.names import Target
from crosswheel.target.pe import PEError, PEInfo, def_file, import_library_machine, read_pe

DLLTOOL_MACHINE = {0x8664: "i386:x86-64", 0xAA64: "arm64", 0x014C: "i386"}
"""``dlltool -m`` for each PE machine."""
_VERSIONED_DLL = re.compile(r"^python3(\d+)(t?)\.dll$", re.IGNORECASE)
_VERSIONED_LIB = re.compile(r"^python3(\d+)(t?)\.lib$", re.IGNORECASE)
MACHINE_NAMES = {0x8664: "amd64", 0xAA64: "arm64", 0x014C: "x86"}


def python_dll(folder: Path) -> tuple[Path, tuple[int, int], str] | None:
    """``pythonXY.dll`` in ``folder``: its path, (major, minor) and ABI flags (``t``)."""
    for path in sorted(folder.iterdir()) if folder.is_dir() else ():
        match = _VERSIONED_DLL.match(path.name)
        if match:
            return path, (3, int(match[1])), match[2].lower()
    return None


def import_library(folder: Path) -> tuple[Path, tuple[int, int], str] | None:
    """``libs/pythonXY.lib`` in ``folder``: its path, (major, minor) and ABI flags (``t``)."""
    libs = folder / "libs"
    for path in sorted(libs.iterdir()) if libs.is_dir() else ():
        match = _VERSIONED_LIB.match(path.name)
        if match:
            return path, (3, int(match[1])), match[2].lower()
    return None


def is_windows_python(folder: Path) -> bool:
    """Whether ``folder`` looks like a Windows CPython (``python.exe``, ``pythonXY.dll`` or lib)."""
    return (
        (folder / "python.exe").is_file()
        or python_dll(folder) is not None
        or import_library(folder) is not None
    )


def _read(path: Path) -> PEInfo:
    try:
        return read_pe(path.read_bytes())
    except (OSError, PEError) as exc:
        raise CrosswheelError(f"cannot read {path}: {exc}") from None


def _dlltool(machine: int) -> list[str]:
    """A ``dlltool`` that writes import libraries for ``machine``: zig's, LLVM's or mingw's."""
    if importlib.util.find_spec("ziglang") is not None:
        return [sys.executable, "-m", "ziglang", "dlltool"]
    for name in ("llvm-dlltool", "zig"):
        found = shutil.which(name)
        if found:
            return [found, "dlltool"] if name == "zig" else [found]
    prefix = {0x8664: "x86_64", 0x014C: "i686"}.get(machine)
    found = shutil.which(f"{prefix}-w64-mingw32-dlltool") if prefix else None
    if found:
        return [found]
    raise MissingTool(
        "the target CPython folder has no import library, and no dlltool is here to make one",
        hint="pip install ziglang (crosswheel's Windows toolchain), or install llvm "
        "(llvm-dlltool); or use a folder with libs/pythonXY.lib (an installed CPython, NuGet)",
    )


def make_import_libraries(dll: Path, stable: Path | None, machine: int) -> Path:
    """``pythonXY.lib`` (and ``python3.lib``) for ``dll``, in the cache; return their folder.

    Named also ``libpythonXY.a``, which GNU ld finds for ``-lpythonXY``.
    """
    digest = hashlib.sha256(dll.read_bytes()).hexdigest()[:16]
    out = user_cache() / "windows-libs" / f"{dll.stem}-{machine:04x}-{digest}"
    if (out / f"{dll.stem}.lib").is_file():
        return out
    info(f"making import libraries for {dll.name} from its exports, into {out} (once)")
    main = _read(dll)
    tool = _dlltool(machine)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".libs-", dir=out.parent) as scratch:
        work = Path(scratch)
        jobs: list[tuple[Path, PEInfo, frozenset[str] | None]] = [(dll, main, None)]
        if stable is not None:
            jobs.append((stable, _read(stable), main.data_exports))
        for path, pe, data in jobs:
            definition = work / f"{path.stem}.def"
            definition.write_text(def_file(pe, path.name, data), encoding="utf-8")
            lib = work / f"{path.stem}.lib"
            command = [*tool, "-d", str(definition), "-l", str(lib), "-m", DLLTOOL_MACHINE[machine]]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0 or not lib.is_file():
                raise CrosswheelError(
                    f"making {lib.name} from {path} failed: {done.stderr.strip()}",
                    hint="check that the dlltool named here works: " + " ".join(tool),
                )
            shutil.copyfile(lib, work / f"lib{path.stem}.a")
        shutil.rmtree(out, ignore_errors=True)
        work.rename(out)
        work.mkdir()  # for TemporaryDirectory's clean-up
    return out


def _import_libraries(folder: Path, dll: Path, machine: int) -> Path:
    """The folder's own ``libs/`` when it has ``pythonXY.lib``, else ones made from the DLL."""
    libs = folder / "libs"
    if (libs / f"{dll.stem}.lib").is_file():
        return libs
    stable = folder / "python3.dll"
    return make_import_libraries(dll, stable if stable.is_file() else None, machine)


def _from_import_library(
    folder: Path,
    target: Target,
    found: tuple[Path, tuple[int, int], str] | None,
    machine: int | None,
) -> tuple[Path, tuple[int, int], str, Path]:
    """A folder whose ``pythonXY.dll`` is missing or for another machine, read from ``libs/``.

    Enough to build (headers and import libraries for the target's machine), not to run:
    an arm64 folder made on an amd64 machine, for example. Says so in the progress line.
    """
    wanted = target.machine_code
    lib = import_library(folder)
    lib_machine = import_library_machine(lib[0].read_bytes()) if lib is not None else None
    if lib is None or lib_machine != wanted:
        if found is None:
            what = f"{folder} has no pythonXY.dll: it is not a Windows CPython folder"
            if lib is not None:
                what = f"{folder} has no pythonXY.dll, and {lib[0]} is not for {target.triplet}"
        else:
            what = f"{found[0]} is for PE machine {machine:#06x}, not {target.triplet}"
            if lib is not None:
                what += f", nor is {lib[0]}"
        raise CrosswheelError(
            what, hint=_hint(target, found[1] if found else lib[1] if lib else (3, 0))
        )
    path, version, abiflags = lib
    dll = folder / f"{path.stem}.dll"
    if found is None:
        why = f"{folder} has no {dll.name}"
    else:
        why = f"{found[0].name} is for {MACHINE_NAMES.get(machine or 0, hex(machine or 0))}"
    info(
        f"{why}: building against the {MACHINE_NAMES.get(wanted, hex(wanted))} import "
        f"libraries in {path.parent} (build only: this folder cannot run the wheel)"
    )
    return dll, version, abiflags, path


def _hint(target: Target, version: tuple[int, int]) -> str:
    what = target.form(
        target.facts.interpreter_hint, v=f"{version[0]}.{version[1]}", tag_arch=target.tag_arch
    )
    return f"give -C target-python={what}"


def build_details(
    interpreter: TargetInterpreter, target: Target, folder: Path
) -> dict[str, object]:
    """A PEP 739 ``build-details.json`` for the folder (Meson's ``python.build_config``)."""
    major, minor = interpreter.version
    libs = Path(str(interpreter.config_vars["LIBDIR"]))
    stable = libs / "python3.lib"
    libpython: dict[str, object] = {
        "dynamic": str(libs / f"python{major}{minor}{interpreter.abiflags}.lib"),
        "link_extensions": True,
    }
    if stable.is_file():
        libpython["dynamic_stableabi"] = str(stable)
    version = {"major": major, "minor": minor, "micro": 0, "releaselevel": "final", "serial": 0}
    return {
        "schema_version": "1.0",
        "base_prefix": str(folder),
        "platform": target.platform,
        "language": {"version": interpreter.version_string, "version_info": version},
        "implementation": {
            "name": "cpython",
            "version": version,
            "hexversion": (major << 24) | (minor << 16) | 0xF0,
            "cache_tag": f"cpython-{major}{minor}",
        },
        "abi": {
            "flags": list(interpreter.abiflags),
            "extension_suffix": interpreter.ext_suffix,
            "stable_abi_suffix": ".pyd",
        },
        "suffixes": {
            "source": [".py", ".pyw"],
            "bytecode": [".pyc"],
            "extensions": list(interpreter.extension_suffixes),
        },
        "libpython": libpython,
        "c_api": {"headers": str(interpreter.include_dir)},
    }


def read_windows_python(
    folder: Path, target: Target, build_version: tuple[int, int]
) -> TargetInterpreter:
    """The Windows CPython in ``folder``, checked against the target and the build Python."""
    found = python_dll(folder)
    machine = _read(found[0]).machine if found is not None else None
    if found is not None and machine == target.machine_code:
        dll, version, abiflags = found
        source = dll
    else:
        dll, version, abiflags, source = _from_import_library(folder, target, found, machine)
    if version != build_version:
        raise CrosswheelError(
            f"the target Python is {version[0]}.{version[1]} ({source}) but crosswheel runs on "
            f"Python {build_version[0]}.{build_version[1]}",
            hint=f"run the build with a Python {version[0]}.{version[1]}",
        )
    machine = target.machine_code
    include = folder / "include"
    for header in ("Python.h", "pyconfig.h"):
        if not (include / header).is_file():
            raise CrosswheelError(
                f"the target Python's headers are missing: no {header} in {include}",
                hint="an embeddable CPython has no include/: add the headers of the same "
                "version (CPython's Include/ and PC/pyconfig.h.in as pyconfig.h), or "
                + _hint(target, version),
            )
    libs = source.parent if source.suffix == ".lib" else _import_libraries(folder, dll, machine)
    ext_suffix = target.ext_suffix(version, abiflags)
    short = f"{version[0]}.{version[1]}"
    config_vars: dict[str, object] = {
        "VERSION": short,
        "py_version_nodot": f"{version[0]}{version[1]}",
        "EXT_SUFFIX": ext_suffix,
        "SOABI": ext_suffix.split(".")[1],
        "SHLIB_SUFFIX": ".pyd",
        "EXE": ".exe",
        "ABIFLAGS": abiflags,
        "INCLUDEPY": str(include),
        "LIBDIR": str(libs),
        "LIBPL": str(libs),
        "LIBRARY": f"{dll.stem}.lib",
        "LDLIBRARY": dll.name,
        "LDVERSION": short + abiflags,
        "Py_ENABLE_SHARED": 1,
        "Py_GIL_DISABLED": int(abiflags == "t"),
        "MACHDEP": "win32",
    }
    interpreter = TargetInterpreter(
        config_vars=config_vars,
        version=version,
        source=source,
        sysroot=None,
        include_dir=include,
        config_h=include / "pyconfig.h",
        extra_include_dirs=(),
        extension_suffixes=(ext_suffix, ".pyd"),
    )
    # In the cache: the user's folder may be read-only.
    key = hashlib.sha256(str(folder).encode()).hexdigest()[:16]
    details = user_cache() / "windows-libs" / f"build-details-{key}-{target.wheel_platform}.json"
    text = json.dumps(build_details(interpreter, target, folder), indent=1) + "\n"
    if not details.is_file() or details.read_text(encoding="utf-8") != text:
        details.parent.mkdir(parents=True, exist_ok=True)
        details.write_text(text, encoding="utf-8")
    return dataclasses.replace(interpreter, build_details=details)


def read_target_python(
    given: Path | None, target: Target, build_version: tuple[int, int]
) -> TargetInterpreter | None:
    """The windows row's hook: a CPython folder; files and no setting to the generic readers."""
    if given is None or not given.is_dir():
        return None
    return read_windows_python(given, target, build_version)


"""The family module's hook ``interpreter.find_target_interpreter`` calls for a folder."""


SYSTEM_DLLS = frozenset(
    f"{name}.dll"
    for name in (
        "kernel32",
        "kernelbase",
        "ntdll",
        "user32",
        "gdi32",
        "gdiplus",
        "advapi32",
        "shell32",
        "shlwapi",
        "ole32",
        "oleaut32",
        "comctl32",
        "comdlg32",
        "ws2_32",
        "wsock32",
        "mswsock",
        "iphlpapi",
        "dnsapi",
        "winhttp",
        "wininet",
        "crypt32",
        "bcrypt",
        "ncrypt",
        "secur32",
        "rpcrt4",
        "userenv",
        "version",
        "winmm",
        "psapi",
        "dbghelp",
        "setupapi",
        "cfgmgr32",
        "netapi32",
        "powrprof",
        "imm32",
        "uxtheme",
        "dwmapi",
        "opengl32",
        "d3d9",
        "d3d11",
        "d3d12",
        "dxgi",
        "d2d1",
        "dwrite",
        "winspool",
        "wtsapi32",
        "shcore",
        "propsys",
        "normaliz",
        "msvcrt",
        "ucrtbase",
        "vcruntime140",
        "vcruntime140_1",
    )
)
"""DLLs every Windows has, plus the UCRT (``msvcrt`` too) and the VC runtime CPython ships."""


def is_system_dll(name: str) -> bool:
    """Whether Windows (or CPython's own folder) provides ``name``, whatever the machine."""
    lower = name.lower()
    return lower in SYSTEM_DLLS or lower.startswith(("api-ms-win-", "ext-ms-win-"))


def foreign_dlls(
    imports: tuple[str, ...], python_dlls: frozenset[str], bundled: frozenset[str]
) -> list[str]:
    """The imported DLLs the target does not have: not CPython's, Windows', nor in the wheel."""
    return [
        name
        for name in imports
        if not is_system_dll(name)
        and name.lower() not in python_dlls
        and name.lower() not in bundled
    ]


@functools.cache
def python_dlls(extension_suffix: str | None) -> frozenset[str]:
    """CPython DLLs an extension may import: ``pythonXY.dll`` (by suffix) and ``python3.dll``."""
    match = re.match(r"^\.cp(\d)(\d+)(t?)-", extension_suffix or "")
    if match is None:  # the version is not known yet: any CPython 3 DLL
        return frozenset(
            {
                "python3.dll",
                *(f"python3{minor}{t}.dll" for minor in range(6, 40) for t in ("", "t")),
            }
        )
    return frozenset({"python3.dll", f"python{match[1]}{match[2]}{match[3]}.dll"})


class PEExtension(Protocol):
    """What ``extension_problem`` reads of a ``wheel.binaries.Binary`` (named without
    importing it: the wheel stage comes after this one)."""

    @property
    def name(self) -> str: ...
    @property
    def basename(self) -> str: ...
    @property
    def pe_dll(self) -> bool: ...
    @property
    def init_functions(self) -> frozenset[str]: ...
    @property
    def needed(self) -> tuple[str, ...]: ...


def extension_problem(
    binary: PEExtension, extension_suffix: str | None, bundled: frozenset[str]
) -> tuple[str, str | None] | None:
    """A PE extension that Windows would not load as one: (problem, hint) or None.

    It must be a DLL, export ``PyInit_<name>`` and import only CPython's DLLs (those
    of ``extension_suffix``'s version), Windows' own and the UCRT, or DLLs the wheel
    carries (``bundled``, lower case). The windows row's hook for the verifier.
    """
    lower = binary.name.lower()
    if not lower.endswith((".pyd", ".dll")):
        return None
    if not binary.pe_dll:
        return "a PE executable, not a DLL", None
    module = binary.basename.split(".", 1)[0]
    if lower.endswith(".pyd") and f"PyInit_{module}" not in binary.init_functions:
        found = ", ".join(sorted(binary.init_functions)) or "none"
        return f"exports no PyInit_{module} (PyInit_ exports: {found})", None
    foreign = foreign_dlls(binary.needed, python_dlls(extension_suffix), bundled)
    if foreign:
        return (
            f"imports {', '.join(foreign)}, which the target does not have",
            "link that library statically, or bundle the DLL in the wheel (as delvewheel "
            "does; crosswheel does not bundle Windows DLLs yet)",
        )
    return None


def msvcrt_warnings(binaries: Iterable[tuple[str, tuple[str, ...]]]) -> list[str]:
    """A warning for each binary importing ``msvcrt.dll``: (name, imported DLLs) pairs.

    CPython 3.5+ is built against the UCRT. Debian's mingw-w64 links the old
    ``msvcrt.dll`` instead: the module loads, but a ``FILE*``, ``malloc``/``free``,
    ``errno`` or locale shared with CPython would cross two C runtimes.
    """
    return [
        f"{name} imports msvcrt.dll (mingw-w64's default C runtime), not the UCRT CPython "
        "uses: it loads, but a FILE*, malloc/free, errno or locale passed between it and "
        "CPython mixes two C runtimes. Build with zig (the default toolchain, UCRT) or a "
        "mingw-w64 configured for the UCRT to avoid the risk"
        for name, needed in binaries
        if any(dll.lower() == "msvcrt.dll" for dll in needed)
    ]


wheel_warnings = msvcrt_warnings
"""The windows row's hook for the finished wheel's (name, imported DLLs) pairs."""
