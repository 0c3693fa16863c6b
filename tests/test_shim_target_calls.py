"""The shim's ctypes calls on the target's CPython: the protocol, without an emulator.

``TargetLibrary`` starts the target's interpreter (``spec["target_runtime"]``) for each
question; here the "target" is this machine's own Python and libm, so the round trip
(arguments by value and by reference, results, missing functions) runs in the fast
tier. The same calls under qemu-aarch64, from a real build script's process, are in
``test_shim_ctypes.py``.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import sysconfig
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from crosswheel.build.environment import build_environment
from crosswheel.build.shim import ENV_VAR, _cannot_load, _patch_get_python_inc
from crosswheel.build.target_calls import TargetLibrary
from crosswheel.target.names import resolve_target
from helpers import ARM64_TOOLCHAIN, arm64_interpreter, run

HOST_RUNTIME = {"command": [sys.executable], "env": {}, "describe": "this machine's Python"}


def libm() -> str:
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    for folder in (f"/lib/{multiarch}", f"/usr/lib/{multiarch}", "/lib64", "/usr/lib"):
        if os.path.exists(os.path.join(folder, "libm.so.6")):
            return os.path.join(folder, "libm.so.6")
    pytest.skip("no libm.so.6 here")


def test_calls_with_references_and_results_cross_and_come_back() -> None:
    lib = TargetLibrary(libm(), HOST_RUNTIME, [], os.environ)
    assert lib.load() is None
    frexp = lib.function("frexp")
    frexp.restype = ctypes.c_double
    exponent = ctypes.c_int(-1)
    assert frexp(ctypes.c_double(8.0), ctypes.byref(exponent)) == 0.5
    assert exponent.value == 4  # written on the "target", copied back
    exponent.value = 0
    assert frexp(ctypes.c_double(8.0), ctypes.pointer(exponent)) == 0.5
    assert exponent.value == 4
    ilogb = lib.function("ilogb")  # restype c_int by default
    assert ilogb(ctypes.c_double(1024.0)) == 10


def test_a_missing_function_is_an_attribute_error_asked_once() -> None:
    lib = TargetLibrary(libm(), HOST_RUNTIME, [], os.environ)
    asked: list[dict[str, Any]] = []
    real_ask = lib.ask

    def ask(request: dict[str, Any]) -> dict[str, Any]:
        asked.append(request)
        return real_ask(request)

    lib.ask = ask  # type: ignore[method-assign]
    for _ in range(2):
        with pytest.raises(AttributeError, match="undefined symbol: H5Pget_fapl_ros3"):
            lib.function("H5Pget_fapl_ros3")
    assert asked == [{"function": "H5Pget_fapl_ros3"}]


def test_what_cannot_cross_is_a_type_error_naming_it() -> None:
    lib = TargetLibrary(libm(), HOST_RUNTIME, [], os.environ)
    cos = lib.function("cos")
    with pytest.raises(TypeError, match="cannot cross to the target's CPython"):
        cos(ctypes.create_string_buffer(8))
    cos.restype = ctypes.c_void_p
    with pytest.raises(TypeError, match="restype"):
        cos(ctypes.c_double(0.0))


def test_a_library_the_target_cannot_load_says_why(tmp_path: Path) -> None:
    bogus = tmp_path / "libhdf5.so"
    bogus.write_text("not a library\n")
    failed = TargetLibrary(str(bogus), HOST_RUNTIME, [], os.environ).load()
    assert failed is not None and "libhdf5.so" in failed
    broken = {"command": [sys.executable, "-c", "raise SystemExit(3)"], "describe": "qemu"}
    failed = TargetLibrary(str(bogus), broken, [], os.environ).load()
    assert failed is not None and failed.startswith("qemu: ")


SPEC = {"target": "aarch64-linux-gnu", "machine": "aarch64", "build_machine": "x86_64"}


def test_the_error_without_a_target_interpreter_says_why_and_what_h5py_takes() -> None:
    message = _cannot_load(
        "libhdf5.so", "/o/libhdf5.so", SPEC, OSError("wrong ELF class"),
        {"unavailable": "no python3.11 for aarch64-linux-gnu in /srv/root"},
    )  # fmt: skip
    assert "cannot load a library built for aarch64 (wrong ELF class)" in message
    assert "no python3.11 for aarch64-linux-gnu in /srv/root" in message
    assert "HDF5_VERSION=<x.y.z> H5PY_ROS3=0 H5PY_DIRECT_VFD=0" in message
    failed = _cannot_load("libz.so", "/o/libz.so", SPEC, OSError("x"), {}, "missing libq.so")
    assert "The target's CPython could not load it either: missing libq.so." in failed
    assert "environment variable the project documents" in failed


def test_get_python_inc_answers_the_targets_headers() -> None:
    """setuptools<64 and the standard library's distutils answer from sys.base_prefix."""
    module = SimpleNamespace(get_python_inc=lambda plat_specific=0, prefix=None: f"host {prefix}")
    spec = {"include": "/t/usr/include/python3.11", "platinclude": "/t/usr/include/arm/python3.11"}
    _patch_get_python_inc(module, spec)
    _patch_get_python_inc(module, spec)  # once only
    assert module.get_python_inc() == "/t/usr/include/python3.11"
    assert module.get_python_inc(1) == "/t/usr/include/arm/python3.11"
    assert module.get_python_inc(0, "/p") == "host /p"
    # The target's config vars first, as setuptools 64+ reads them.
    debian = SimpleNamespace(get_python_inc=lambda plat_specific=0, prefix=None: "host")
    vars_ = {"INCLUDEPY": "/t/usr/include/python3.11", "CONFINCLUDEPY": "/t/usr/include/python3.11"}
    _patch_get_python_inc(debian, {**spec, "config_vars": vars_})
    assert debian.get_python_inc(1) == "/t/usr/include/python3.11"


def test_a_shimmed_build_script_gets_the_message_when_the_target_cannot_load_it(
    tmp_path: Path,
) -> None:
    """The real patched ``ctypes.CDLL`` in a shimmed process; the "target" cannot load it."""
    libs = tmp_path / "lib"
    libs.mkdir()
    (libs / "libhdf5.so").write_text("not a library\n")
    env = build_environment(
        resolve_target("aarch64-linux-gnu"), arm64_interpreter(), ARM64_TOOLCHAIN, tmp_path
    )
    spec_path = Path(env[ENV_VAR])
    spec = json.loads(spec_path.read_text())
    spec.update(library_dirs=[str(libs)], target_runtime=HOST_RUNTIME)
    spec_path.write_text(json.dumps(spec))
    code = "import ctypes, sys\ntry:\n    ctypes.cdll.LoadLibrary(sys.argv[1])\n"
    code += "except OSError as exc:\n    print(exc)\n"
    out = run([sys.executable, "-c", code, str(libs / "libhdf5.so")], {**os.environ, **env})
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"crosswheel: {libs}/libhdf5.so is the target's library")
    assert "The target's CPython could not load it either" in out.stdout
    assert "HDF5_VERSION" in out.stdout
