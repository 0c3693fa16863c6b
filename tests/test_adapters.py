"""adapters: what each inner backend is told about the target, checked on real inputs.

The cross builds themselves are in test_backends_e2e.py; here the adapters' outputs
(Meson cross file, CMake toolchain file, cargo/PyO3 variables) are checked
directly, against the real multiarch target Python, cross compiler and rustc.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import require, require_tool
from crosswheel.build.adapters import (
    Adapter,
    adapter_for,
)
from crosswheel.build.adapters.cmake import (
    TARGET_PYTHON,
    ScikitBuildCoreAdapter,
    system_processor,
    target_python_launcher,
    toolchain_file,
)
from crosswheel.build.adapters.maturin import (
    MaturinAdapter,
    cargo_env_name,
    check_rust_std,
    rust_triple,
)
from crosswheel.build.adapters.meson import (
    MesonPythonAdapter,
    cross_file,
    host_machine,
    meson_launcher,
    python_pkgconfig,
)
from crosswheel.build.environment import cross_environment
from crosswheel.config import CrossConfig, InnerBackend
from crosswheel.errors import CrosswheelError
from crosswheel.target.names import resolve_target
from crosswheel.target.resolve import CrossBuild, resolve_cross_build


@pytest.mark.parametrize(
    ("backend", "adapter"),
    [
        ("mesonpy", "MesonPythonAdapter"),
        ("scikit_build_core.build", "ScikitBuildCoreAdapter"),
        ("maturin", "MaturinAdapter"),
        ("setuptools.build_meta:__legacy__", "SetuptoolsAdapter"),
        ("hatchling.build", "PurePythonAdapter"),
        ("flit_core.buildapi", "PurePythonAdapter"),
        ("pdm.backend", "PurePythonAdapter"),
        ("poetry.core.masonry.api", "PurePythonAdapter"),
    ],
)
def test_each_backend_gets_its_adapter(
    backend: str, adapter: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert type(adapter_for(backend)).__name__ == adapter
    assert "warning" not in capsys.readouterr().err


def test_unknown_backend_gets_the_shim_only_and_a_warning_that_names_it(
    aarch64_build: CrossBuild, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    adapter = adapter_for("enscons.api")
    err = capsys.readouterr().err
    assert "no adapter for the backend 'enscons.api'" in err
    assert isinstance(adapter, Adapter)
    settings: dict[str, str | list[str]] = {"some-option": "x"}
    assert adapter.config_settings(aarch64_build, tmp_path, dict(settings)) == settings
    assert adapter.environment(aarch64_build, tmp_path) == {}


# --- meson-python ---------------------------------------------------------------


def _setup_args(settings: dict[str, str | list[str]]) -> list[str]:
    value = settings["setup-args"]
    assert isinstance(value, list)
    return value


@pytest.mark.parametrize("user", [None, "-Dfoo=bar", ["-Dfoo=bar", "--cross-file=mine.ini"]])
def test_meson_cross_file_goes_first_and_the_users_setup_args_still_apply(
    user: str | list[str] | None, aarch64_build: CrossBuild, tmp_path: Path
) -> None:
    settings: dict[str, str | list[str]] = {} if user is None else {"setup-args": user}
    args = _setup_args(MesonPythonAdapter().config_settings(aarch64_build, tmp_path, settings))
    cross = tmp_path / "crosswheel-meson-cross.ini"
    assert args[0] == f"--cross-file={cross}"
    assert args[1:] == ([] if user is None else [user] if isinstance(user, str) else user)
    text = cross.read_text()
    assert "c = ['aarch64-linux-gnu-gcc']" in text
    assert "cpp = ['aarch64-linux-gnu-g++']" in text
    assert "cpu_family = 'aarch64'" in text
    assert "endian = 'little'" in text
    assert "needs_exe_wrapper = true" in text
    if shutil.which("qemu-aarch64"):
        assert "exe_wrapper = ['" in text and "qemu-aarch64" in text


def test_meson_python_launcher_answers_as_the_target(
    aarch64_build: CrossBuild, tmp_path: Path
) -> None:
    MesonPythonAdapter().config_settings(aarch64_build, tmp_path, {})
    cross_environment(aarch64_build, tmp_path)  # the shim spec the launcher points at
    launcher = tmp_path / "python-target"
    code = (
        "import sysconfig, platform; "
        "print(sysconfig.get_config_var('EXT_SUFFIX'), platform.machine())"
    )
    env = {k: v for k, v in os.environ.items() if k != "CROSSWHEEL_SHIM"}
    out = subprocess.run(
        [str(launcher), "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == [".cpython-311-aarch64-linux-gnu.so", "aarch64"]


def test_meson_gets_a_python3_pc_for_the_target(aarch64_build: CrossBuild, tmp_path: Path) -> None:
    """Meson 1.12's Cython check compiles against dependency('python3'): the target's headers.

    Without a python3.pc it took the build machine's (pandas and scipy for armhf failed
    with "Compiler cython cannot compile programs"); Debian's libpython3.11-dev has only
    python-3.11.pc.
    """
    sysroot = tmp_path / "sysroot"
    include = sysroot / "usr/include/python3.11"
    include.mkdir(parents=True)
    interpreter = dataclasses.replace(
        aarch64_build.interpreter, sysroot=sysroot, include_dir=include
    )
    build = dataclasses.replace(aarch64_build, interpreter=interpreter)
    work = tmp_path / "work"
    work.mkdir()
    folder = python_pkgconfig(build, work)
    assert folder is not None and f"'{folder}'" in cross_file(build, work)
    pc = (folder / "python3.pc").read_text()
    assert "includedir=/usr/include/python3.11\n" in pc  # pkg-config puts the sysroot first
    assert "Cflags: -I${includedir}\n" in pc and "Version: 3.11\n" in pc
    own = sysroot / "usr/lib/aarch64-linux-gnu/pkgconfig"
    own.mkdir(parents=True)
    (own / "python3.pc").write_text("Name: Python\n")
    assert python_pkgconfig(build, work) is None  # the target's own is used


def test_meson_runs_without_the_shim_and_keeps_the_users_meson(tmp_path: Path) -> None:
    launcher = meson_launcher(tmp_path, tmp_path, {"MESON": "env"})
    out = subprocess.run(
        [str(launcher)],
        env={**os.environ, "CROSSWHEEL_SHIM": "/some/spec.json"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "PATH=" in out.stdout  # `env` ran: the user's MESON command
    assert "CROSSWHEEL_SHIM" not in out.stdout


@pytest.mark.parametrize(
    ("name", "system", "cpu_family", "endian"),
    [
        ("aarch64-linux-gnu", "linux", "aarch64", "little"),
        ("arm-linux-gnueabihf", "linux", "arm", "little"),
        ("i686-linux-gnu", "linux", "x86", "little"),
        ("powerpc64le-linux-gnu", "linux", "ppc64", "little"),
        ("s390x-linux-gnu", "linux", "s390x", "big"),
        ("aarch64-linux-android", "android", "aarch64", "little"),
    ],
)
def test_meson_host_machine(name: str, system: str, cpu_family: str, endian: str) -> None:
    section = host_machine(resolve_target(name))
    assert (section["system"], section["cpu_family"], section["endian"]) == (
        system,
        cpu_family,
        endian,
    )


# --- scikit-build-core ----------------------------------------------------------


def test_cmake_toolchain_file(aarch64_build: CrossBuild, tmp_path: Path) -> None:
    settings = ScikitBuildCoreAdapter().config_settings(aarch64_build, tmp_path, {})
    toolchain = tmp_path / "crosswheel-toolchain.cmake"
    assert str(toolchain) in settings.values()
    text = toolchain.read_text()
    assert "set(CMAKE_SYSTEM_NAME Linux)" in text
    assert "set(CMAKE_SYSTEM_PROCESSOR aarch64)" in text
    assert 'set(CMAKE_C_COMPILER "aarch64-linux-gnu-gcc")' in text
    assert 'set(CMAKE_CXX_COMPILER "aarch64-linux-gnu-g++")' in text
    assert 'set(Python_SOABI "cpython-311-aarch64-linux-gnu"' in text
    if shutil.which("qemu-aarch64"):
        assert "set(CMAKE_CROSSCOMPILING_EMULATOR " in text


def test_cmake_python_executable_is_the_target_pythons_launcher_when_there_is_one(
    aarch64_build: CrossBuild, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    launcher = tmp_path / "python-on-target"
    text = toolchain_file(aarch64_build, None, target_python=launcher)
    for name in ("Python_EXECUTABLE", "Python3_EXECUTABLE", "PYTHON_EXECUTABLE"):
        assert f'set({name} "{launcher}" CACHE FILEPATH "" FORCE)' in text
    monkeypatch.setenv("PATH", str(tmp_path))  # no apt-get or dpkg to fetch one
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert target_python_launcher(aarch64_build, tmp_path) is None
    said = capsys.readouterr().err
    assert "Python_EXECUTABLE is the build machine's Python answering as the target" in said
    assert "nanobind's stub generation" in said
    assert "_EXECUTABLE" not in toolchain_file(aarch64_build)


def test_cmake_emulator_runs_target_programs_under_qemu_and_the_launcher_as_it_is(
    aarch64_build: CrossBuild, tmp_path: Path
) -> None:
    """FindPython's cross mode (CMP0190) runs Python_EXECUTABLE through the emulator."""
    require_tool("qemu-aarch64", "qemu-user")
    ScikitBuildCoreAdapter().config_settings(aarch64_build, tmp_path, {})
    text = (tmp_path / "crosswheel-toolchain.cmake").read_text()
    launcher = tmp_path / TARGET_PYTHON
    require(f'set(Python_EXECUTABLE "{launcher}"' in text, "no arm64 CPython runs here")
    script = tmp_path / "cmake-emulator"
    assert f"set(CMAKE_CROSSCOMPILING_EMULATOR {script})" in text
    # The launcher through the emulator: the target's CPython, not qemu on a shell script.
    ran = subprocess.run(
        [str(script), str(launcher), "-c", "import platform; print(platform.machine())"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "aarch64"
    # A target program through the emulator: qemu-user runs it.
    (tmp_path / "hello.c").write_text('#include <stdio.h>\nint main(void){puts("hi");return 0;}\n')
    subprocess.run(
        ["aarch64-linux-gnu-gcc", "-o", str(tmp_path / "hello"), str(tmp_path / "hello.c")],
        check=True,
    )
    ran = subprocess.run(
        [str(script), str(tmp_path / "hello")], capture_output=True, text=True, check=False
    )
    assert (ran.returncode, ran.stdout) == (0, "hi\n"), ran.stderr


def test_cmake_users_toolchain_is_included_last(aarch64_build: CrossBuild, tmp_path: Path) -> None:
    mine = tmp_path / "mine.cmake"
    mine.write_text("set(FROM_USER 1)\n")
    settings = ScikitBuildCoreAdapter().config_settings(
        aarch64_build, tmp_path, {"cmake.define.CMAKE_TOOLCHAIN_FILE": str(mine)}
    )
    ours = str(tmp_path / "crosswheel-toolchain.cmake")
    assert ours in settings.values()
    assert str(mine) not in settings.values()
    assert Path(ours).read_text().rstrip().endswith(f'include("{mine}")')


def test_cmake_toolchain_configures_a_real_project(
    aarch64_build: CrossBuild, tmp_path: Path
) -> None:
    """CMake itself accepts the file: it finds the cross compiler and runs try_run under qemu."""
    require_tool("cmake", "cmake")
    require_tool("qemu-aarch64", "qemu-user")
    ScikitBuildCoreAdapter().config_settings(aarch64_build, tmp_path, {})
    src = tmp_path / "src"
    src.mkdir()
    (src / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.15)\nproject(p C)\n"
        'file(WRITE "${CMAKE_BINARY_DIR}/m.c" "int main(void){return sizeof(void*)==8 ? 7 : 1;}")\n'
        'try_run(R C "${CMAKE_BINARY_DIR}/t" "${CMAKE_BINARY_DIR}/m.c")\n'
        'message(STATUS "ran=${R} proc=${CMAKE_SYSTEM_PROCESSOR} cross=${CMAKE_CROSSCOMPILING}")\n'
    )
    out = subprocess.run(
        [
            "cmake",
            "-S",
            str(src),
            "-B",
            str(tmp_path / "b"),
            f"-DCMAKE_TOOLCHAIN_FILE={tmp_path / 'crosswheel-toolchain.cmake'}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "ran=7 proc=aarch64 cross=TRUE" in out.stdout


@pytest.mark.parametrize(
    ("name", "processor"),
    [
        ("aarch64-linux-gnu", "aarch64"),
        ("arm-linux-gnueabihf", "armv7l"),
        ("i686-linux-gnu", "i686"),
    ],
)
def test_cmake_system_processor(name: str, processor: str) -> None:
    assert system_processor(resolve_target(name)) == processor


# --- maturin --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "triple"),
    [
        ("aarch64-linux-gnu", "aarch64-unknown-linux-gnu"),
        ("x86_64-linux-gnu", "x86_64-unknown-linux-gnu"),
        ("arm-linux-gnueabihf", "armv7-unknown-linux-gnueabihf"),
        ("i686-linux-gnu", "i686-unknown-linux-gnu"),
        ("powerpc64le-linux-gnu", "powerpc64le-unknown-linux-gnu"),
        ("riscv64-linux-gnu", "riscv64gc-unknown-linux-gnu"),
        ("s390x-linux-gnu", "s390x-unknown-linux-gnu"),
        ("aarch64-linux-musl", "aarch64-unknown-linux-musl"),
        ("aarch64-linux-android", "aarch64-linux-android"),
    ],
)
def test_rust_triples(name: str, triple: str) -> None:
    assert rust_triple(resolve_target(name)) == triple


def test_rust_triples_are_ones_rustc_knows() -> None:
    require_tool("rustc", "rustup")
    known = subprocess.run(
        ["rustc", "--print", "target-list"], capture_output=True, text=True, check=True
    ).stdout.split()
    for name in ("aarch64-linux-gnu", "arm-linux-gnueabihf", "riscv64-linux-gnu", "i686-linux-gnu"):
        assert rust_triple(resolve_target(name)) in known


def test_missing_rust_std_is_one_message_with_the_rustup_command() -> None:
    require_tool("rustc", "rustup")
    try:
        check_rust_std("aarch64-unknown-linux-gnu", os.environ)
    except CrosswheelError as exc:
        assert "standard library for aarch64-unknown-linux-gnu is not installed" in exc.message
        assert exc.hint == "rustup target add aarch64-unknown-linux-gnu"
    else:
        pytest.skip("the aarch64 Rust std is installed here: nothing missing to report")


def test_installed_rust_std_is_found() -> None:
    require_tool("rustc", "rustup")
    assert any(check_rust_std("x86_64-unknown-linux-gnu", os.environ).glob("libstd-*.rlib"))


def test_maturin_settings_and_environment(aarch64_build: CrossBuild, tmp_path: Path) -> None:
    adapter = MaturinAdapter()
    env = adapter.environment(aarch64_build, tmp_path)
    assert env["CARGO_BUILD_TARGET"] == "aarch64-unknown-linux-gnu"
    assert env["CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER"] == "aarch64-linux-gnu-gcc"
    assert env["CC_aarch64_unknown_linux_gnu"] == "aarch64-linux-gnu-gcc"
    assert env["PYO3_CROSS_PYTHON_VERSION"] == "3.11"
    # PyO3 refuses a folder with several _sysconfigdata files (Debian's has one per arch).
    cross_lib = list(Path(env["PYO3_CROSS_LIB_DIR"]).iterdir())
    assert [p.name for p in cross_lib] == ["_sysconfigdata__linux_aarch64-linux-gnu.py"]
    assert cargo_env_name("armv7-unknown-linux-gnueabihf") == "ARMV7_UNKNOWN_LINUX_GNUEABIHF"
    if shutil.which("rustc"):
        try:
            settings = adapter.config_settings(aarch64_build, tmp_path, {"build-args": "--locked"})
        except CrosswheelError as exc:
            assert exc.hint == "rustup target add aarch64-unknown-linux-gnu"
        else:
            assert settings == {
                "maturin.build-args": ["--target", "aarch64-unknown-linux-gnu", "--locked"]
            }


@pytest.mark.e2e
def test_zig_is_cargos_linker_as_a_whole_command(tmp_path: Path) -> None:
    """cargo runs one program: zig's compound command gets a script, not the Python binary."""
    require(importlib.util.find_spec("ziglang") is not None, "ziglang is not installed")
    require(
        Path("/usr/lib/python3.11/_sysconfigdata__linux_aarch64-linux-gnu.py").is_file(),
        "no multiarch target Python (apt-get install libpython3.11-dev:arm64)",
    )
    config = CrossConfig(inner=InnerBackend("maturin"), target="aarch64-linux-gnu", toolchain="zig")
    build = resolve_cross_build(config)
    env = MaturinAdapter().environment(build, tmp_path)
    linker = env["CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER"]
    assert linker != sys.executable and Path(linker).parent == tmp_path
    # The script really is the zig compiler for the target: it links an aarch64 object.
    (tmp_path / "x.c").write_text("int answer(void) { return 42; }\n")
    out = tmp_path / "libx.so"
    result = subprocess.run(
        [linker, "-shared", "-o", str(out), str(tmp_path / "x.c")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:4] == b"\x7fELF"
    assert out.read_bytes()[18] == 183  # e_machine EM_AARCH64
