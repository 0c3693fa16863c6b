"""Each inner backend, cross-built end to end for aarch64 and run there under qemu.

The proof per backend: ``python -m build -C target=aarch64-linux-gnu`` builds the
example project, pip running on the target installs the wheel, and the target's
CPython imports it and calls into it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Callable

import pytest

from conftest import require, require_tool
from helpers import build_wheel, target_python_settings
from targetpython import TargetPython

pytestmark = pytest.mark.e2e
TARGET = "target=aarch64-linux-gnu"


@pytest.mark.parametrize("target_python", ["multiarch", "sysroot"])
def test_meson_python_c_extension_runs_on_aarch64(
    target_python: str,
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    arm64_python: TargetPython,
    tmp_path: Path,
) -> None:
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    require_tool("qemu-aarch64", "qemu-user")
    out = tmp_path / "dist"
    settings = target_python_settings(target_python, arm64_python)
    wheel = build_wheel(source_copy("meson-c"), out, frontend_env, *settings)
    log = (out / "build.log").read_text()
    assert "Build type: cross build" in log
    # Meson itself describes the real build machine; the cross file the host.
    assert "Build machine cpu family: x86_64" in log
    assert "Host machine cpu family: aarch64" in log
    assert wheel.name.startswith("mesondemo-1.0.0-cp311-cp311-")
    assert wheel.name.endswith("_aarch64.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert "mesondemo/_native.cpython-311-aarch64-linux-gnu.so" in archive.namelist()

    site = tmp_path / "site"
    arm64_python.install(wheel, site)
    code = (
        "import mesondemo, json; print(json.dumps([mesondemo.add(2, 40), mesondemo.build_info()]))"
    )
    total, info = json.loads(arm64_python.call(code, site))
    assert total == 42
    assert info["host_cpu_family"] == "aarch64"
    assert info["sizeof_void_p"] == 8
    # The configure-time test program ran through the cross file's exe_wrapper.
    assert info["configure_run_machine"] == "aarch64"


@pytest.mark.parametrize("target_python", ["multiarch", "sysroot"])
def test_scikit_build_core_pybind11_extension_runs_on_aarch64(
    target_python: str,
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    arm64_python: TargetPython,
    tmp_path: Path,
) -> None:
    require_tool("aarch64-linux-gnu-g++", "g++-aarch64-linux-gnu")
    require_tool("qemu-aarch64", "qemu-user")
    out = tmp_path / "dist"
    settings = target_python_settings(target_python, arm64_python)
    wheel = build_wheel(source_copy("scikit-build-cpp"), out, frontend_env, *settings)
    assert wheel.name.startswith("skbuilddemo-1.0.0-cp311-cp311-")
    assert wheel.name.endswith("_aarch64.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert "skbuilddemo/_native.cpython-311-aarch64-linux-gnu.so" in archive.namelist()

    site = tmp_path / "site"
    arm64_python.install(wheel, site)
    code = (
        "import skbuilddemo, json; "
        "print(json.dumps([skbuilddemo.add(2, 40), skbuilddemo.build_info()]))"
    )
    total, info = json.loads(arm64_python.call(code, site))
    assert total == 42
    assert info["cmake_processor"] == "aarch64"
    assert info["python_soabi"] == "cpython-311-aarch64-linux-gnu"
    assert info["sizeof_void_p"] == 8
    # try_run ran the probe through CMAKE_CROSSCOMPILING_EMULATOR.
    assert info["probe_machine"] == "aarch64"


PURE_BACKENDS = {
    "hatchling.build": "hatchling",
    "flit_core.buildapi": "flit_core>=3.4",
    "pdm.backend": "pdm-backend",
    "poetry.core.masonry.api": "poetry-core>=2",
}


def _wheel_members(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("backend", list(PURE_BACKENDS))
def test_pure_backends_give_the_native_wheel(
    backend: str,
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    tmp_path: Path,
) -> None:
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    src = source_copy("hatch-pure")
    pyproject = src / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        .replace('"hatchling"]', f'"{PURE_BACKENDS[backend]}"]')
        .replace('"hatchling.build"', f'"{backend}"')
    )
    native = build_wheel(src, tmp_path / "native", frontend_env)
    cross = build_wheel(src, tmp_path / "cross", frontend_env, TARGET)
    assert native.name == "puredemo-1.0.0-py3-none-any.whl"
    assert cross.name == native.name
    assert _wheel_members(cross) == _wheel_members(native)


def test_pure_wheel_runs_on_aarch64(
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    arm64_python: TargetPython,
    tmp_path: Path,
) -> None:
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    wheel = build_wheel(source_copy("hatch-pure"), tmp_path / "dist", frontend_env, TARGET)
    site = tmp_path / "site"
    arm64_python.install(wheel, site)
    assert arm64_python.call("import puredemo; print(puredemo.add(2, 40))", site).strip() == "42"


def _rust_std_installed(triple: str) -> bool:
    out = subprocess.run(
        ["rustc", "--print", "target-libdir", "--target", triple],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.returncode == 0 and any(Path(out.stdout.strip()).glob("libstd-*.rlib"))


# Rust projects: example folder -> (wheel name prefix, cargo target folder, code that calls it)
RUST_PROJECTS = {
    "maturin-rust": (
        "rustdemo-1.0.0-py3-none-",
        "target",
        "import rustdemo; "
        "print(rustdemo.lib.add(2, 40), rustdemo.ffi.string(rustdemo.lib.target_arch()).decode())",
    ),
    "setuptools-rust": (
        "rsdemo-1.0.0-cp311-cp311-",
        "rust/target",
        "import rsdemo; print(rsdemo.add(2, 40), rsdemo.target_arch())",
    ),
}


@pytest.mark.parametrize("project", list(RUST_PROJECTS))
def test_missing_rust_std_is_one_clear_message(
    project: str, source_copy: Callable[[str], Path], frontend_env: dict[str, str], tmp_path: Path
) -> None:
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    require_tool("rustc", "rustup")
    if _rust_std_installed("aarch64-unknown-linux-gnu"):
        pytest.skip("the aarch64 Rust std is installed: nothing missing to report")
    out = tmp_path / "dist"
    cmd = [sys.executable, "-m", "build", "--wheel", "-o", str(out), f"-C{TARGET}"]
    result = subprocess.run(
        [*cmd, str(source_copy(project))],
        env=frontend_env,
        capture_output=True,
        text=True,
        check=False,
    )
    text = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Rust standard library for aarch64-unknown-linux-gnu is not installed" in text
    assert "hint: rustup target add aarch64-unknown-linux-gnu" in text
    assert "Traceback" not in text
    assert not list(out.glob("*.whl")) if out.exists() else True


@pytest.mark.parametrize("project", list(RUST_PROJECTS))
def test_rust_build_goes_through_crosswheels_cargo_target_and_linker(
    project: str, source_copy: Callable[[str], Path], frontend_env: dict[str, str], tmp_path: Path
) -> None:
    """The one Rust std here is x86_64's: a "cross" build for x86_64-linux-gnu.

    It still goes through the adapter (maturin's, or setuptools' for setuptools-rust):
    cargo's ``--target`` and per-target linker (a logging wrapper around the
    toolchain's gcc proves cargo linked with it), and the wheel runs here.
    """
    require_tool("x86_64-linux-gnu-gcc", "gcc-x86-64-linux-gnu")
    require_tool("cargo", "rustup")
    require(_rust_std_installed("x86_64-unknown-linux-gnu"), "no x86_64 Rust std")
    prefix, target_dir, code = RUST_PROJECTS[project]
    log = tmp_path / "linker.log"
    wrapper = tmp_path / "bin" / "logging-gcc"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec x86_64-linux-gnu-gcc "$@"\n')
    wrapper.chmod(0o755)
    env = {**frontend_env, "CC": str(wrapper)}
    src = source_copy(project)
    wheel = build_wheel(src, tmp_path / "dist", env, "target=x86_64-linux-gnu")
    assert wheel.name.startswith(prefix)
    assert wheel.name.endswith("_x86_64.whl")
    assert (src / target_dir / "x86_64-unknown-linux-gnu" / "release").is_dir()
    assert "-shared" in log.read_text()

    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--target", str(site), str(wheel)],
        env=frontend_env,
        capture_output=True,
        check=True,
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**frontend_env, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["42", "x86_64"]
