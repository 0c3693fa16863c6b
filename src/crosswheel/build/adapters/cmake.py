"""scikit-build-core: a CMake toolchain file, passed through its config settings.

scikit-build-core runs under the shim, so the Python hints it passes
(``Python_EXECUTABLE``, the include dir, ``SKBUILD_SOABI``) already describe the
target, and so does the interpreter FindPython starts (it inherits the shim).
CMake still needs to be told it cross-compiles: for which system and processor,
with which compilers, where the target's root is, and how to run target
programs (``try_run``). The toolchain file says so, plus the FindPython hints
that do not depend on running Python. Where the target's own CPython can run
here (``crosswheel.target.runtime``), it is ``Python_EXECUTABLE``: build steps
that import the extension just built (nanobind's stub generation) need it.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import shutil
import sys
import sysconfig
from pathlib import Path
from typing import TYPE_CHECKING

from crosswheel.build.adapters._base import Adapter, Settings
from crosswheel.build.adapters._cross import emulator
from crosswheel.errors import CrosswheelError
from crosswheel.report import info
from crosswheel.scripts import write_script
from crosswheel.target.toolchain import fortran_command

if TYPE_CHECKING:
    from crosswheel.target.names import Target
    from crosswheel.target.resolve import CrossBuild

TOOLCHAIN_FILE = "crosswheel-toolchain.cmake"
PROJECT_INCLUDE = "crosswheel-project-include.cmake"
"""Runs after every ``project()``, once the platform's own modules have run."""
TARGET_PYTHON = "python-on-target"
"""The launcher of the target's own CPython that CMake gets as ``Python_EXECUTABLE``."""


def system_name(target: Target) -> str:
    """``CMAKE_SYSTEM_NAME``, from the family's row."""
    return target.facts.cmake_system_name


LAUNCHERS = ("ccache", "sccache", "distcc")
"""Words that start a compound ``CC`` without being the compiler."""


def system_processor(target: Target) -> str:
    """``CMAKE_SYSTEM_PROCESSOR``: what ``uname -m`` says on the target (CMake's convention)."""
    if target.binary_format == "pe":
        return target.uname_machine.upper()  # AMD64, ARM64, X86
    return target.uname_machine


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


def _compiler_lines(lang: str, command: str) -> list[str]:
    """A compound compiler (``ccache gcc -m32``): launcher, compiler, and leading flags."""
    words = shlex.split(command)
    if not words:
        return []
    lines = []
    if len(words) > 1 and os.path.basename(words[0]) in LAUNCHERS:
        lines.append(f"set(CMAKE_{lang}_COMPILER_LAUNCHER {_quote(words[0])})")
        words = words[1:]
    lines.append(f"set(CMAKE_{lang}_COMPILER {_quote(words[0])})")
    if words[1:]:
        lines.append(f"set(CMAKE_{lang}_FLAGS_INIT {_quote(' '.join(words[1:]))})")
    return lines


def platform_toolchain(build: CrossBuild) -> Path | None:
    """The platform's own CMake toolchain file (the row's ``cmake_toolchain``), or None.

    It is found beside the family's compiler, by the compiler's real path (a
    distribution's compiler command may be a symlink into the installation).
    """
    relative = build.target.facts.cmake_toolchain
    if not relative:
        return None
    words = shlex.split(build.toolchain.cc)
    found = shutil.which(words[0]) if words else None
    if found is not None:
        path = Path(os.path.realpath(found)).parent / relative
        if path.is_file():
            return path
    raise CrosswheelError(
        f"the compiler {build.toolchain.cc!r} has no {relative} beside it: CMake needs the "
        f"{build.target.facts.cmake_system_name} platform's toolchain file",
        hint="use a complete installation of the compiler (emsdk, or Debian's package)",
    )


def target_runner(build: CrossBuild) -> list[str] | None:
    """How CMake runs a target program (``try_run``): qemu-user, or the row's command."""
    wrapper = emulator(build)
    words = build.target.facts.cmake_emulator.split()
    if wrapper is None and words:
        found = shutil.which(words[0])
        return [found, *words[1:]] if found else None
    return wrapper


def _platform_lines(build: CrossBuild, platform: Path, workdir: Path) -> list[str]:
    """Include the platform's toolchain file; keep shared modules, which it may disable.

    A platform's own file may say that it has no shared libraries (every ``MODULE``
    would become static) and name another processor, and run again as the platform
    module in each ``project()``: extension modules are shared libraries (side modules
    on wasm), so crosswheel says so again after it and, in a project include, after
    each ``project()``.
    """
    include = workdir / PROJECT_INCLUDE
    include.write_text(
        "# Written by crosswheel: runs after each project().\n"
        "set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS TRUE)\n"
        f"set(CMAKE_SHARED_LIBRARY_SUFFIX {_quote(build.target.facts.shlib_suffix)})\n"
        f"set(CMAKE_SHARED_MODULE_SUFFIX {_quote(build.target.facts.shlib_suffix)})\n"
        f"set(CMAKE_SYSTEM_PROCESSOR {system_processor(build.target)})\n",
        encoding="utf-8",
    )
    return [
        f"# The {build.target.facts.cmake_system_name} platform's own toolchain file first.",
        f"include({_quote(str(platform))})",
        "set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS TRUE)",
        f"set(CMAKE_PROJECT_INCLUDE {_quote(str(include))})",
    ]


def _tool(command: str) -> str:
    words = shlex.split(command)
    return words[0] if words else command


def toolchain_file(
    build: CrossBuild,
    user_toolchain: str | None = None,
    fortran: str | None = None,
    target_python: Path | None = None,
    emulator_command: list[str] | None = None,
    platform: Path | None = None,
    workdir: Path | None = None,
) -> str:
    """The text of a CMake toolchain file for ``build`` (``include()``-ing the user's last).

    ``fortran`` is the Fortran compiler (see ``fortran.fortran_command``); CMake runs it
    only for projects that enable Fortran. ``target_python``: a launcher of the target's
    own CPython, for ``Python_EXECUTABLE``. ``platform``: the platform's own toolchain
    file (``platform_toolchain``), included first; its project include goes in ``workdir``.
    """
    target, tool, interp = build.target, build.toolchain, build.interpreter
    lines = ["# Written by crosswheel for this build."]
    if platform is not None:
        lines += _platform_lines(build, platform, workdir or Path.cwd())
    lines += [
        f"set(CMAKE_SYSTEM_NAME {system_name(target)})",
        f"set(CMAKE_SYSTEM_PROCESSOR {system_processor(target)})",
    ]
    if target.api_level:
        lines.append(f"set(CMAKE_SYSTEM_VERSION {target.api_level})")
    if target.multiarch and target.family == "linux":
        lines.append(f"set(CMAKE_LIBRARY_ARCHITECTURE {target.multiarch})")
    lines += _compiler_lines("C", tool.cc)
    if tool.cxx_found:
        lines += _compiler_lines("CXX", tool.cxx)
    if fortran:
        lines += _compiler_lines("Fortran", fortran)
    # Debian's pyconfig.h dispatcher includes <MULTIARCH/pythonX.Y/pyconfig.h>: compilers
    # other than Debian's cross gcc (zig, clang) need its folder named, as setuptools gets.
    for folder in interp.extra_include_dirs:
        for lang in ("C", "CXX"):
            lines.append(f'string(APPEND CMAKE_{lang}_FLAGS_INIT " -idirafter {folder}")')
    compile_flags = target.form(target.facts.compile_flags)
    link_flags = target.form(target.facts.link_flags)
    for lang in ("C", "CXX") if compile_flags else ():
        lines.append(f'string(APPEND CMAKE_{lang}_FLAGS_INIT " {compile_flags}")')
    for kind in ("SHARED", "MODULE") if link_flags else ():
        lines.append(f'string(APPEND CMAKE_{kind}_LINKER_FLAGS_INIT " {link_flags}")')
    if tool.cxx_link:
        lines.append(f"set(CMAKE_CXX_STANDARD_LIBRARIES {_quote(' '.join(tool.cxx_link))})")
    lines += [
        f'set(CMAKE_AR {_quote(_tool(tool.ar))} CACHE FILEPATH "")',
        f'set(CMAKE_RANLIB {_quote(_tool(tool.ranlib))} CACHE FILEPATH "")',
        f'set(CMAKE_STRIP {_quote(_tool(tool.strip))} CACHE FILEPATH "")',
    ]
    if interp.sysroot is not None:
        lines += [
            f"set(CMAKE_SYSROOT {_quote(str(interp.sysroot))})",
            f"list(APPEND CMAKE_FIND_ROOT_PATH {_quote(str(interp.sysroot))})",
            "set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)",
            "set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)",
        ]
    overlay = build.system_packages
    if overlay is not None:
        lines += [
            "# The target's system libraries crosswheel fetched (target-system-packages).",
            f"list(APPEND CMAKE_FIND_ROOT_PATH {_quote(str(overlay.root))})",
            f"list(APPEND CMAKE_PREFIX_PATH {_quote(str(overlay.prefix))})",
        ]
    lines += [
        "# Build tools run here; packages (pybind11's config in the build environment)",
        "# are found both here and in the target's root.",
        "set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)",
        "set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)",
    ]
    wrapper = emulator_command or target_runner(build)
    if wrapper is not None:
        lines.append(f"set(CMAKE_CROSSCOMPILING_EMULATOR {';'.join(wrapper)})")
    lines += ["# FindPython: the target's ABI, headers and (where extensions link it) libpython."]
    for prefix in ("Python", "Python3"):
        # An artifact hint for CMake >= 3.26; older FindPython ignores it when cross-compiling.
        lines.append(f'set({prefix}_SOABI {_quote(interp.soabi)} CACHE STRING "")')
        lines.append(f'set({prefix}_INCLUDE_DIR {_quote(str(interp.include_dir))} CACHE PATH "")')
        library = python_library(build)
        if library is not None:
            lines.append(f'set({prefix}_LIBRARY {_quote(str(library))} CACHE FILEPATH "")')
        for package in build.target_packages:
            if package.package.name == "numpy":  # FindPython's NumPy component
                include = _quote(str(package.include_dir))
                lines.append(f'set({prefix}_NumPy_INCLUDE_DIR {include} CACHE PATH "")')
    if target_python is not None:
        lines.append(
            "# The target's own CPython (under the emulator): build steps that import what was"
            "\n# built (nanobind_add_stub) run there. It wins over the build frontend's hint."
        )
        for name in ("Python_EXECUTABLE", "Python3_EXECUTABLE", "PYTHON_EXECUTABLE"):
            lines.append(f'set({name} {_quote(str(target_python))} CACHE FILEPATH "" FORCE)')
    if user_toolchain:
        lines += [
            "# The project's own toolchain file comes last, so it wins.",
            f"include({_quote(user_toolchain)})",
        ]
    return "\n".join(lines) + "\n"


def python_library(build: CrossBuild) -> Path | None:
    """The target's libpython, when its extensions must link it (the row's ``links_libpython``)."""
    if not build.target.links_libpython:
        return None
    libdir = build.interpreter.library_dir
    name = build.interpreter.config_vars.get("LDLIBRARY")
    if libdir is None or not name:
        return None
    path = libdir / str(name)
    return path if path.exists() else None


def build_requirements_path() -> list[str]:
    """This environment's import path without its standard library.

    Pure-Python build requirements (nanobind, pybind11) import on the target's
    interpreter too; the target brings its own standard library.
    """
    paths = sysconfig.get_paths()
    stdlib = {paths["stdlib"], paths["platstdlib"]}
    return [
        p
        for p in sys.path
        if p and p not in stdlib and not p.endswith(("lib-dynload", ".zip")) and os.path.isdir(p)
    ]


def target_python_launcher(build: CrossBuild, workdir: Path) -> Path | None:
    """A launcher of the target's own CPython, or None (and why) when there is none."""
    from crosswheel.target.runtime import find_runtime

    try:
        runtime = find_runtime(build.target, build.interpreter)
    except CrosswheelError as exc:
        info(
            "CMake's Python_EXECUTABLE is the build machine's Python answering as the target "
            f"({exc.message}): a build step that imports the built extension (nanobind's "
            "stub generation) needs the target's interpreter"
        )
        return None
    info(f"CMake's Python_EXECUTABLE: the target's CPython, {runtime.describe()}")
    return runtime.write_launcher(workdir / TARGET_PYTHON, build_requirements_path())


def emulator_script(workdir: Path, qemu: list[str], launcher: Path) -> Path:
    """CMake's emulator: the runner for target programs, the target Python's launcher as it is.

    FindPython's cross mode (CMake >= 4.1, policy CMP0190) runs ``Python_EXECUTABLE``
    through ``CMAKE_CROSSCOMPILING_EMULATOR``; the launcher already runs the target's
    CPython under the runner (qemu-user, node), which cannot run a shell script.
    """
    return write_script(
        workdir / "cmake-emulator",
        "# crosswheel: run target programs under their runner; the target Python's launcher\n"
        "# already does, so it runs as it is.\n"
        f'if [ "$1" = {shlex.quote(str(launcher))} ]; then exec "$@"; fi\n'
        f'exec {shlex.join(qemu)} "$@"\n',
    )


def _supports_toolchain_setting() -> bool:
    """Whether the installed scikit-build-core has ``cmake.toolchain-file`` (1.x)."""
    try:
        from scikit_build_core.settings.skbuild_model import (  # type: ignore[import-not-found,unused-ignore]
            CMakeSettings,
        )
    except ImportError:
        return False
    return any(f.name == "toolchain_file" for f in dataclasses.fields(CMakeSettings))


class ScikitBuildCoreAdapter(Adapter):
    """Passes a toolchain file as ``cmake.toolchain-file`` (or ``CMAKE_TOOLCHAIN_FILE``)."""

    modules = ("scikit_build_core",)

    def config_settings(self, build: CrossBuild, workdir: Path, settings: Settings) -> Settings:
        settings = dict(settings)
        user: str | list[str] | None = None
        for key in ("cmake.toolchain-file", "cmake.define.CMAKE_TOOLCHAIN_FILE"):
            user = settings.pop(key, None) or user
        user = user or os.environ.get("CMAKE_TOOLCHAIN_FILE")
        if isinstance(user, list):
            user = user[-1] if user else None
        path = workdir / TOOLCHAIN_FILE
        user_file = str(Path(user).resolve()) if user else None
        launcher = target_python_launcher(build, workdir)
        fortran = fortran_command(build.toolchain, workdir)
        qemu = target_runner(build)
        runner = None
        if launcher is not None and qemu is not None:
            runner = [str(emulator_script(workdir, qemu, launcher))]
        platform = platform_toolchain(build)
        # CMake takes a compiler program and flags: zig's compound command becomes a script.
        programs = dataclasses.replace(build, toolchain=build.toolchain.as_programs(workdir))
        text = toolchain_file(programs, user_file, fortran, launcher, runner, platform, workdir)
        path.write_text(text, encoding="utf-8")
        if _supports_toolchain_setting():
            settings["cmake.toolchain-file"] = str(path)
        else:
            settings["cmake.define.CMAKE_TOOLCHAIN_FILE"] = str(path)
        return settings

    def environment(self, build: CrossBuild, workdir: Path) -> dict[str, str]:
        # CMake reads CMAKE_TOOLCHAIN_FILE from the environment too: ours is in the settings.
        return {"CMAKE_TOOLCHAIN_FILE": str(workdir / TOOLCHAIN_FILE)}
