"""The build environment: the shim's spec and the variables the inner backend runs with.

Two channels reach a build: the shim answers Python-level introspection (the
backend, ``setup.py``); environment variables reach everything else (compilers
picked by CMake, Meson, cargo, autotools, ``pkg-config``). Both are derived here
from one target, interpreter and toolchain, so they cannot disagree.
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crosswheel.build.autotools import autotools_environment
from crosswheel.build.shim import ENV_VAR
from crosswheel.errors import CrosswheelError
from crosswheel.target.interpreter import TargetInterpreter, library_folders
from crosswheel.target.names import Target
from crosswheel.target.packages import TargetPackage
from crosswheel.target.resolve import CrossBuild
from crosswheel.target.runtime import build_machine, find_runtime
from crosswheel.target.toolchain import Toolchain, fortran_command

if TYPE_CHECKING:
    from crosswheel.target.system_packages import SystemPackages

SPEC_FILE = "crosswheel-target.json"


def _replace_compiler(command: str, old: str, new: str) -> str:
    """``LDSHARED``-style commands start with the target's compiler: put ours there."""
    if old and command.startswith(old):
        return new + command[len(old) :]
    words = shlex.split(command)
    if not words:
        return new
    return " ".join([new, *map(shlex.quote, words[1:])])


ZIG_UNSUPPORTED = ("-Wl,-Bsymbolic-functions", "-Wl,--as-needed", "-Wl,--no-as-needed")
"""Linker flags in Debian's sysconfig data that ``zig cc`` refuses ("unsupported linker arg")."""


def _drop_flags(command: str, flags: tuple[str, ...]) -> str:
    return " ".join(word for word in command.split(" ") if word not in flags)


def target_config_vars(
    target: Target, interpreter: TargetInterpreter, toolchain: Toolchain
) -> dict[str, Any]:
    """The target's sysconfig variables with the build commands pointing at our toolchain."""
    config = dict(interpreter.config_vars)
    old_cc = str(config.get("CC") or "")
    old_cxx = str(config.get("CXX") or "")
    for key, old, new in (
        ("LDSHARED", old_cc, toolchain.cc),
        ("BLDSHARED", old_cc, toolchain.cc),
        ("LINKCC", old_cc, toolchain.cc),
        ("CPP", old_cc, toolchain.cc),
        ("LDCXXSHARED", old_cxx, toolchain.cxx),
    ):
        if config.get(key):
            config[key] = _replace_compiler(str(config[key]), old, new)
    if not config.get("LDSHARED"):
        config["LDSHARED"] = f"{toolchain.cc} -shared"
    zig = toolchain.kind == "zig"
    if interpreter.sysroot is not None and not zig:
        # LDSHARED puts the sysroot's LIBDIR on -L; its libc.so is a linker script
        # naming /lib/<multiarch>/libc.so.6, which ld only finds inside the sysroot
        # when told where that is.
        flag = f"-Wl,--sysroot={shlex.quote(str(interpreter.sysroot))}"
        for key in ("LDSHARED", "BLDSHARED", "LDCXXSHARED"):
            if config.get(key):
                config[key] = f"{config[key]} {flag}"
    if zig:
        for key in ("LDSHARED", "BLDSHARED", "LDCXXSHARED", "LDFLAGS", "CONFIG_ARGS", "PY_LDFLAGS"):
            if isinstance(config.get(key), str):
                config[key] = _drop_flags(config[key], ZIG_UNSUPPORTED)
    config["CC"] = toolchain.cc
    config["CXX"] = toolchain.cxx
    config["AR"] = toolchain.ar
    config["MULTIARCH"] = target.multiarch
    config.setdefault("SOABI", interpreter.soabi)
    config.setdefault("SIZEOF_VOID_P", target.arch.bits // 8)
    config.setdefault("SIZEOF_SIZE_T", target.arch.bits // 8)
    for key, value in target.facts.config_vars:
        text = target.form(value)
        config[key] = int(text) if text.isdigit() else text
    flags = target.form(target.facts.link_flags)
    if toolchain.cxx_link and not config.get("LDCXXSHARED"):
        config["LDCXXSHARED"] = toolchain.cxx
    for key in ("LDSHARED", "LDCXXSHARED"):
        if flags and config.get(key) and flags not in str(config[key]):
            config[key] = f"{config[key]} {flags}"
    if toolchain.cxx_link and config.get("LDCXXSHARED"):
        config["LDCXXSHARED"] = " ".join([str(config["LDCXXSHARED"]), *toolchain.cxx_link])
    compile_flags = target.form(target.facts.compile_flags)
    if compile_flags:
        config["CFLAGS"] = f"{config.get('CFLAGS') or ''} {compile_flags}".strip()
        config["CCSHARED"] = f"{config.get('CCSHARED') or ''} {compile_flags}".strip()
    return config


def shim_spec(
    target: Target,
    interpreter: TargetInterpreter,
    toolchain: Toolchain,
    target_packages: Sequence[TargetPackage] = (),
    system_packages: SystemPackages | None = None,
) -> dict[str, Any]:
    """Everything the shim fakes, as plain JSON data."""
    libpl = interpreter.config_vars.get("LIBPL")
    makefile = Path(str(libpl)) / "Makefile" if libpl else None
    return {
        "target": target.triplet,
        "sys_platform": target.sys_platform,
        "multiarch": target.multiarch,
        "abiflags": interpreter.abiflags,
        "byteorder": target.arch.byteorder,
        "pointer_bits": target.arch.bits,
        "machine": target.machine,
        "uname_sysname": target.uname_sysname,
        "platform": target.platform,
        "extension_suffixes": list(interpreter.extension_suffixes),
        "config_vars": target_config_vars(target, interpreter, toolchain),
        "include": str(interpreter.include_dir),
        "platinclude": str(interpreter.config_h.parent),
        "config_h": str(interpreter.config_h),
        "makefile": str(makefile) if makefile and makefile.is_file() else None,
        "libc": _libc(target),
        "platform_system": target.platform_system,
        "sys_functions": {name: int(target.form(v)) for name, v in target.facts.sys_functions},
        "target_packages": [package.shim_entry() for package in target_packages],
        "library_dirs": [
            str(d)
            for d in (
                *(system_packages.library_dirs if system_packages else ()),
                *library_folders(target, interpreter),
            )
        ]
        if target.family == "linux"
        else [],
        "build_machine": build_machine(),
        "target_runtime": _target_runtime(target, interpreter, fetch=system_packages is not None),
    }


def _target_runtime(
    target: Target, interpreter: TargetInterpreter, fetch: bool
) -> dict[str, Any] | None:
    """How the shim starts the target's CPython to answer a ctypes probe, or why it cannot.

    Linux targets another machine's only (the build machine loads its own libraries).
    Debian's CPython is fetched only when the build fetches the target's packages
    anyway (``target-system-packages``) or was fetched before: a build that never
    probes a library should not download an interpreter.
    """
    if target.family != "linux" or target.arch.machine == build_machine():
        return None
    try:
        runtime = find_runtime(target, interpreter, fetch=fetch)
    except CrosswheelError as exc:
        return {"unavailable": exc.message}
    return {
        "command": runtime.command(),
        "env": runtime.environment(base={}),
        "describe": runtime.describe(),
    }


def _libc(target: Target) -> list[str] | None:
    """What ``platform.libc_ver()`` answers on the target, where we know it."""
    tag = target.requested_tag or ""
    if target.libc == "glibc":
        if tag.startswith("manylinux_"):
            return ["glibc", ".".join(tag.split("_")[1:3])]
        return None
    return ["", ""]


def target_pkgconfig_dirs(target: Target, root: Path) -> list[Path]:
    """The target's own ``.pc`` folders under ``root`` (its sysroot, or ``/`` for multiarch)."""
    return [
        root / "usr" / "lib" / target.multiarch / "pkgconfig",
        root / "usr" / "lib" / "pkgconfig",
        root / "usr" / "share" / "pkgconfig",
    ]


def pkg_config_libdir(target: Target, root: Path) -> str:
    """The target's ``.pc`` folders as ``PKG_CONFIG_LIBDIR`` and Meson's ``pkg_config_libdir``
    take them: never the build machine's."""
    return os.pathsep.join(str(d) for d in target_pkgconfig_dirs(target, root))


def _pkg_config_env(target: Target, interpreter: TargetInterpreter) -> dict[str, str]:
    root = interpreter.sysroot or Path("/")
    env = {"PKG_CONFIG_LIBDIR": pkg_config_libdir(target, root)}
    if interpreter.sysroot is not None:
        env["PKG_CONFIG_SYSROOT_DIR"] = str(interpreter.sysroot)
    return env


def build_environment(
    target: Target,
    interpreter: TargetInterpreter,
    toolchain: Toolchain,
    workdir: Path,
    environ: Mapping[str, str] | None = None,
    source_dir: Path | None = None,
    target_packages: Sequence[TargetPackage] = (),
    system_packages: SystemPackages | None = None,
) -> dict[str, str]:
    """Write the shim spec into ``workdir``; return the variables to add to the backend's env.

    ``SETUPTOOLS_EXT_SUFFIX`` stays unset: setuptools reads the shim's EXT_SUFFIX,
    and projects that special-case the variable for crossenv (zstandard) break on it.
    ``source_dir`` is mapped to ``.`` in debug info (``CPPFLAGS``), so that the same source built
    from another folder (an sdist unpacked into a fresh scratch folder) gives the
    same bytes.
    """
    environ = os.environ if environ is None else environ
    spec_path = workdir / SPEC_FILE
    spec_path.write_text(
        json.dumps(
            shim_spec(target, interpreter, toolchain, target_packages, system_packages),
            indent=1,
            sort_keys=True,
        ),
        encoding="utf-8",
    )
    env = {
        ENV_VAR: str(spec_path),
        "_PYTHON_HOST_PLATFORM": target.platform,
        "CC": toolchain.cc,
        "CXX": toolchain.cxx,
        "AR": toolchain.ar,
        "STRIP": toolchain.strip,
        "RANLIB": toolchain.ranlib,
        "FC": fortran_command(toolchain, workdir),
        **dict(toolchain.env),
    }
    for key in ("F77", "F90"):  # older Fortran build scripts (numpy.distutils) read these
        if key not in environ:
            env[key] = env["FC"]
    # CPPFLAGS, not CFLAGS: setuptools appends CPPFLAGS to the target's CFLAGS, but a
    # CFLAGS variable replaces them (and -O2, -fstack-protector... with them).
    flags = [f"-idirafter {shlex.quote(str(d))}" for d in interpreter.extra_include_dirs]
    if source_dir is not None and not any(c.isspace() for c in str(source_dir)):
        flags.append(f"-ffile-prefix-map={source_dir}=.")
    if flags:
        env["CPPFLAGS"] = " ".join([environ.get("CPPFLAGS", ""), *flags]).strip()
    for key, value in _pkg_config_env(target, interpreter).items():
        if key not in environ:
            env[key] = value
    env.update(autotools_environment(target, toolchain, workdir, environ))
    # The target's numpy.pc (crosswheel's) before any other, the user's path kept.
    pc_dirs = [str(p.pkgconfig_dir) for p in target_packages if p.pkgconfig_dir]
    if pc_dirs:
        env["PKG_CONFIG_PATH"] = os.pathsep.join([*pc_dirs, environ.get("PKG_CONFIG_PATH", "")])
        env["PKG_CONFIG_PATH"] = env["PKG_CONFIG_PATH"].rstrip(os.pathsep)
    if system_packages is not None:
        env.update(system_packages_environment(system_packages, {**environ, **env}))
    return env


def system_packages_environment(
    overlay: SystemPackages, environ: Mapping[str, str]
) -> dict[str, str]:
    """What makes the fetched overlay visible: compiler and linker flags, pkg-config, PATH.

    PATH gets only the overlay's ``*-config`` scripts, never its programs (the target's).
    With a sysroot target Python, its ``.pc`` folder is the overlay's sysroot view
    (``system_packages.sysroot_view``), whose paths survive pkg-config's sysroot prefix.
    """
    env: dict[str, str] = {}
    includes = [f"-I{shlex.quote(str(d))}" for d in overlay.include_dirs]
    if includes:
        env["CPPFLAGS"] = " ".join([environ.get("CPPFLAGS", ""), *includes]).strip()
    links = [f"-L{shlex.quote(str(d))}" for d in overlay.library_dirs]
    links += [f"-Wl,-rpath-link,{shlex.quote(str(d))}" for d in overlay.library_dirs]
    if links:
        env["LDFLAGS"] = " ".join([environ.get("LDFLAGS", ""), *links]).strip()
    pc_dirs = [str(d) for d in overlay.pkgconfig_dirs]
    if pc_dirs:
        env["PKG_CONFIG_PATH"] = os.pathsep.join(
            [*pc_dirs, *filter(None, [environ.get("PKG_CONFIG_PATH", "")])]
        )
    if overlay.config_bin is not None:
        env["PATH"] = os.pathsep.join([str(overlay.config_bin), environ.get("PATH", os.defpath)])
    return env


def cross_environment(
    build: CrossBuild, workdir: Path, source_dir: Path | None = None
) -> dict[str, str]:
    """``build_environment`` for a resolved ``CrossBuild``."""
    return build_environment(
        build.target,
        build.interpreter,
        build.toolchain,
        workdir,
        source_dir=source_dir,
        target_packages=build.target_packages,
        system_packages=build.system_packages,
    )
