"""meson-python: a Meson cross file, passed through its ``setup-args`` config setting.

meson-python writes a native file with ``python = sys.executable`` and takes wheel
tags from the running (shimmed) interpreter; Meson itself still needs to be told
that this is a cross build, with which compilers, for which host machine, and how
to run host programs. The cross file says so; the ``python`` entry of its
``[binaries]`` is what ``import('python').find_installation()`` introspects in a
cross build, so it is the shimmed Python.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from crosswheel.build.adapters._base import Adapter, Settings
from crosswheel.build.adapters._cross import append_setting, emulator, python_launcher
from crosswheel.build.environment import pkg_config_libdir, target_pkgconfig_dirs
from crosswheel.build.shim import ENV_VAR
from crosswheel.config import read_pyproject
from crosswheel.scripts import write_script
from crosswheel.target.toolchain import fortran_command

if TYPE_CHECKING:
    from crosswheel.target.names import Target
    from crosswheel.target.resolve import CrossBuild

CROSS_FILE = "crosswheel-meson-cross.ini"


def _string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _array(values: list[str]) -> str:
    return "[" + ", ".join(_string(v) for v in values) + "]"


def host_machine(target: Target) -> dict[str, str]:
    """The cross file's ``[host_machine]`` section."""
    section = {
        "system": target.facts.meson_system,
        "cpu_family": target.arch.meson_cpu_family,
        "cpu": target.arch.machine,
        "endian": target.arch.byteorder,
    }
    if target.facts.meson_subsystem:
        section["kernel"], section["subsystem"] = target.facts.meson_subsystem.split("/")
    return section


def cross_file(build: CrossBuild, workdir: Path) -> str:
    """The text of a Meson cross file for ``build`` (the launcher is written to ``workdir``)."""
    tool = build.toolchain
    binaries = {
        "c": shlex.split(tool.cc),
        "cpp": shlex.split(tool.cxx),
        "fortran": shlex.split(fortran_command(tool, workdir)),
        "ar": shlex.split(tool.ar),
        "strip": shlex.split(tool.strip),
        "ranlib": shlex.split(tool.ranlib),
        "pkg-config": ["pkg-config"],
        "python": [str(python_launcher(workdir))],
    }
    if importlib.util.find_spec("pybind11") is not None:
        # pybind11-config's --includes names the running Python's headers: the shimmed
        # Python names the target's (the build machine's pyconfig.h is the wrong one).
        binaries["pybind11-config"] = [*binaries["python"], "-m", "pybind11"]
    wrapper = emulator(build)
    if wrapper is not None:
        binaries["exe_wrapper"] = wrapper
    lines = ["# Written by crosswheel for this build.", "[binaries]"]
    lines += [f"{key} = {_array(value)}" for key, value in binaries.items()]
    lines += ["", "[host_machine]"]
    lines += [f"{key} = {_string(value)}" for key, value in host_machine(build.target).items()]
    lines += ["", "[properties]", "needs_exe_wrapper = true"]
    sysroot = build.interpreter.sysroot
    if sysroot is not None:
        lines.append(f"sys_root = {_string(str(sysroot))}")
        libdir = pkg_config_libdir(build.target, sysroot)
        lines.append(f"pkg_config_libdir = {_string(libdir)}")
    options = []
    target = build.target
    extra = [f"-idirafter{d}" for d in build.interpreter.extra_include_dirs]
    extra += shlex.split(target.form(target.facts.compile_flags))
    if extra:
        options += [f"c_args = {_array(extra)}", f"cpp_args = {_array(extra)}"]
    link = shlex.split(target.form(target.facts.link_flags))
    if link:
        options.append(f"c_link_args = {_array(link)}")
    if link or tool.cxx_link:
        options.append(f"cpp_link_args = {_array([*link, *tool.cxx_link])}")
    # The target's numpy.pc (crosswheel's) for dependency('numpy'); -Dpkg_config_path wins.
    pc_dirs = [str(p.pkgconfig_dir) for p in build.target_packages if p.pkgconfig_dir]
    overlay = build.system_packages
    if overlay is not None:
        # The fetched target libraries: pkg-config and CMake dependencies (-D options win).
        pc_dirs += [str(d) for d in overlay.pkgconfig_dirs]
        options.append(f"cmake_prefix_path = {_array([str(overlay.prefix)])}")
    python_pc = python_pkgconfig(build, workdir)  # last: a fetched python3.pc wins
    if python_pc is not None:
        pc_dirs.append(str(python_pc))
    if pc_dirs:
        options.append(f"pkg_config_path = {_array(pc_dirs)}")
    details = build.interpreter.build_details
    if details is not None:
        # Meson on Linux would take libpython and suffixes from the running Python;
        # a PEP 739 file of the target (its import library) overrides both.
        options.append(f"python.build_config = {_string(str(details))}")
    if options:
        lines += ["", "[built-in options]", *options]
    return "\n".join(lines) + "\n"


PYTHON_PC_DIR = "crosswheel-python-pkgconfig"


def python_pkgconfig(build: CrossBuild, workdir: Path) -> Path | None:
    """A folder with a ``python3.pc`` for the target's CPython, unless the target has one.

    Meson 1.12 checks Cython by compiling its output against ``dependency('python3')``.
    Debian's ``libpython3.X-dev`` has only ``python-3.X.pc`` (``python3.pc`` is in
    ``libpython3-dev``), so that lookup fell back to the build machine's own headers,
    Meson's interpreter's (x86_64: "LONG_BIT definition appears wrong"), and every
    Cython project (pandas, scipy) stopped at "Compiler cython cannot compile programs".
    The headers' folder is written relative to a sysroot, which pkg-config puts in
    front of it; the rest of the target's include path is in the cross file's ``c_args``.
    """
    if build.target.family != "linux":
        return None
    root = build.interpreter.sysroot or Path("/")
    if any((d / "python3.pc").is_file() for d in target_pkgconfig_dirs(build.target, root)):
        return None
    interpreter = build.interpreter
    major, minor = interpreter.version
    include = str(interpreter.include_dir)
    if interpreter.sysroot is not None:
        include = "/" + os.path.relpath(interpreter.include_dir, interpreter.sysroot)
    folder = workdir / PYTHON_PC_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "python3.pc").write_text(
        f"includedir={include}\n\n"
        "Name: Python\n"
        f"Description: the target's CPython {major}.{minor}, for crosswheel\n"
        f"Version: {major}.{minor}\n"
        "Libs:\n"
        "Cflags: -I${includedir}\n",
        encoding="utf-8",
    )
    return folder


def meson_launcher(workdir: Path, source_dir: Path, environ: Mapping[str, str]) -> Path:
    """A ``MESON`` command that runs Meson itself without the shim.

    Meson is a build-machine tool: under the shim it would detect the build
    machine as the target. It learns the target from the cross file, and the
    Python it introspects is the shimmed launcher of ``[binaries] python``.
    The user's ``MESON`` or ``[tool.meson-python] meson`` is the one it runs.
    """
    meson = environ.get("MESON")
    if not meson:
        tool = read_pyproject(source_dir).get("tool", {}).get("meson-python", {})
        meson = tool.get("meson") if isinstance(tool, dict) else None
    command = [meson or "meson"]
    if command[0].endswith(".py"):
        command = [sys.executable, str((source_dir / command[0]).resolve())]
    return write_script(
        workdir / "meson-build-machine",
        "# crosswheel: Meson runs as a build-machine tool; the cross file tells it the target.\n"
        f"unset {ENV_VAR}\n"
        f'exec {" ".join(shlex.quote(word) for word in command)} "$@"\n',
    )


class MesonPythonAdapter(Adapter):
    """Adds a cross file to meson-python's ``setup-args`` (the user's own still apply)."""

    modules = ("mesonpy",)

    def config_settings(self, build: CrossBuild, workdir: Path, settings: Settings) -> Settings:
        cross = workdir / CROSS_FILE
        cross.write_text(cross_file(build, workdir), encoding="utf-8")
        settings = dict(settings)
        append_setting(settings, "setup-args", f"--cross-file={cross}")
        return settings

    def environment(self, build: CrossBuild, workdir: Path) -> dict[str, str]:
        return {"MESON": str(meson_launcher(workdir, Path.cwd(), os.environ))}
