"""Fortran in the toolchain and in what each backend is told, on the real cross compilers.

The builds themselves are in test_fortran_e2e.py; here: which gfortran the
toolchain finds (or why none), what reaches ``FC``, Meson's cross file and CMake's
toolchain file, and that the stand-in for a missing compiler fails with
crosswheel's message when a build tool runs it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import require, require_tool
from crosswheel.build.adapters.cmake import ScikitBuildCoreAdapter
from crosswheel.build.adapters.meson import MesonPythonAdapter
from crosswheel.build.environment import cross_environment
from crosswheel.config import CrossConfig, InnerBackend
from crosswheel.errors import CrosswheelError
from crosswheel.target.fortran import STAND_IN
from crosswheel.target.names import resolve_target
from crosswheel.target.resolve import CrossBuild, resolve_cross_build
from crosswheel.target.toolchain import find_toolchain, fortran_command, fortran_failure
from helpers import c_only_prefix

AARCH64 = resolve_target("aarch64-linux-gnu")
MULTIARCH_PYTHON = Path("/usr/lib/python3.11/_sysconfigdata__linux_aarch64-linux-gnu.py")


def cross_build(toolchain: str | None = None, environ: dict[str, str] | None = None) -> CrossBuild:
    """A resolved aarch64 build (multiarch target Python) with the given toolchain."""
    require(MULTIARCH_PYTHON.is_file(), "apt-get install libpython3.11-dev:arm64")
    config = CrossConfig(inner=InnerBackend("mesonpy"), target="aarch64-linux-gnu")
    build = resolve_cross_build(config)
    tool = find_toolchain(AARCH64, toolchain, environ={} if environ is None else environ)
    return CrossBuild(build.target, build.interpreter, tool)


def test_the_toolchain_finds_the_cross_gfortran() -> None:
    require_tool("aarch64-linux-gnu-gfortran", "gfortran-aarch64-linux-gnu")
    tool = find_toolchain(AARCH64, environ={})
    assert tool.fc == "aarch64-linux-gnu-gfortran"
    assert tool.fc_missing is None


def test_a_missing_gfortran_is_not_an_error_until_needed(tmp_path: Path) -> None:
    tool = find_toolchain(AARCH64, c_only_prefix(tmp_path / "bin"), environ={})
    assert tool.cc.endswith("aarch64-linux-gnu-gcc")
    assert tool.fc is None
    assert tool.fc_missing is not None
    message, hint = tool.fc_missing
    assert message.endswith("aarch64-linux-gnu-gfortran is not on PATH")
    assert "apt-get install gfortran-aarch64-linux-gnu" in hint


def test_the_users_fc_wins(tmp_path: Path) -> None:
    require_tool("aarch64-linux-gnu-gfortran", "gfortran-aarch64-linux-gnu")
    prefix = c_only_prefix(tmp_path / "bin")
    tool = find_toolchain(AARCH64, prefix, environ={"FC": "aarch64-linux-gnu-gfortran"})
    assert tool.fc == "aarch64-linux-gnu-gfortran"


def test_a_users_fc_for_another_cpu_is_refused() -> None:
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    require_tool("arm-linux-gnueabihf-gfortran", "gfortran-arm-linux-gnueabihf")
    with pytest.raises(CrosswheelError) as caught:
        find_toolchain(AARCH64, environ={"FC": "arm-linux-gnueabihf-gfortran"})
    assert "builds for arm-linux-gnueabihf, not for aarch64-linux-gnu" in caught.value.message
    assert caught.value.hint is not None
    assert "gfortran-aarch64-linux-gnu" in caught.value.hint


def test_zig_has_no_fortran_unless_the_user_gives_one() -> None:
    tool = find_toolchain(AARCH64, "zig", environ={}, installed=False)
    assert tool.fc is None
    assert tool.fc_missing is not None
    assert tool.fc_missing[0].startswith("zig has no Fortran compiler")
    require_tool("aarch64-linux-gnu-gfortran", "gfortran-aarch64-linux-gnu")
    tool = find_toolchain(
        AARCH64, "zig", environ={"FC": "aarch64-linux-gnu-gfortran"}, installed=False
    )
    assert tool.fc == "aarch64-linux-gnu-gfortran"


def test_fc_f77_f90_reach_the_backend_and_the_users_f77_wins(tmp_path: Path) -> None:
    require_tool("aarch64-linux-gnu-gfortran", "gfortran-aarch64-linux-gnu")
    build = cross_build()
    env = cross_environment(build, tmp_path)
    assert env["FC"] == env["F77"] == env["F90"] == "aarch64-linux-gnu-gfortran"
    from crosswheel.build.environment import build_environment

    env = build_environment(
        build.target, build.interpreter, build.toolchain, tmp_path, environ={"F77": "mine"}
    )
    assert "F77" not in env
    assert env["F90"] == "aarch64-linux-gnu-gfortran"


def test_meson_cross_file_names_the_fortran_compiler(tmp_path: Path) -> None:
    require_tool("aarch64-linux-gnu-gfortran", "gfortran-aarch64-linux-gnu")
    MesonPythonAdapter().config_settings(cross_build(), tmp_path, {})
    text = (tmp_path / "crosswheel-meson-cross.ini").read_text()
    assert "fortran = ['aarch64-linux-gnu-gfortran']" in text


def test_cmake_toolchain_file_names_the_fortran_compiler_and_cmake_uses_it(
    tmp_path: Path,
) -> None:
    """A real CMake project that enables Fortran configures with the cross gfortran."""
    require_tool("aarch64-linux-gnu-gfortran", "gfortran-aarch64-linux-gnu")
    require_tool("cmake", "cmake")
    ScikitBuildCoreAdapter().config_settings(cross_build(), tmp_path, {})
    toolchain = tmp_path / "crosswheel-toolchain.cmake"
    assert 'set(CMAKE_Fortran_COMPILER "aarch64-linux-gnu-gfortran")' in toolchain.read_text()
    src = tmp_path / "src"
    src.mkdir()
    (src / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.15)\nproject(p C Fortran)\n"
        'message(STATUS "fc=${CMAKE_Fortran_COMPILER_ID} target=${CMAKE_Fortran_COMPILER_TARGET}'
        ' arch=${CMAKE_Fortran_LIBRARY_ARCHITECTURE}")\n'
    )
    out = subprocess.run(
        ["cmake", "-S", str(src), "-B", str(tmp_path / "b"), f"-DCMAKE_TOOLCHAIN_FILE={toolchain}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "The Fortran compiler identification is GNU 12" in out.stdout
    assert "fc=GNU" in out.stdout


def test_the_stand_in_fails_with_crosswheels_message_when_run(tmp_path: Path) -> None:
    build = cross_build(c_only_prefix(tmp_path / "bin"))
    work = tmp_path / "work"
    work.mkdir()
    env = cross_environment(build, work)
    assert env["FC"] == str(work / STAND_IN)
    assert fortran_command(build.toolchain, work) == env["FC"]
    # Nothing ran it yet: a failed C-only build is not blamed on Fortran.
    assert fortran_failure(build.toolchain, work) is None
    ran = subprocess.run([env["FC"], "--version"], capture_output=True, text=True, check=False)
    assert ran.returncode == 1
    assert ran.stderr.startswith(
        "crosswheel: error: this build compiles Fortran, and there is no Fortran compiler "
        "for aarch64-linux-gnu"
    )
    assert "hint: on Debian/Ubuntu: apt-get install gfortran-aarch64-linux-gnu" in ran.stderr
    error = fortran_failure(build.toolchain, work)
    assert error is not None
    assert error.hint is not None
    assert "gfortran-aarch64-linux-gnu" in error.hint


def test_cmake_with_the_stand_in_fails_only_for_fortran_projects(tmp_path: Path) -> None:
    require_tool("cmake", "cmake")
    build = cross_build(c_only_prefix(tmp_path / "bin"))
    ScikitBuildCoreAdapter().config_settings(build, tmp_path, {})
    toolchain = tmp_path / "crosswheel-toolchain.cmake"
    results = {}
    for languages in ("C", "C Fortran"):
        src = tmp_path / languages.replace(" ", "-")
        src.mkdir()
        (src / "CMakeLists.txt").write_text(
            f"cmake_minimum_required(VERSION 3.15)\nproject(p {languages})\n"
        )
        status = subprocess.run(
            ["cmake", "-S", str(src), "-B", str(src / "b"), f"-DCMAKE_TOOLCHAIN_FILE={toolchain}"],
            capture_output=True,
            text=True,
            check=False,
        ).returncode
        results[languages] = (status, fortran_failure(build.toolchain, tmp_path) is not None)
    assert results == {"C": (0, False), "C Fortran": (1, True)}
