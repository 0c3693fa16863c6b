"""ctypes under the shim: ``find_library`` answers from the target's folders, and loading a
target library into the build machine's Python fails with one message that says what to do.

The processes are real shimmed interpreters; the libraries are real aarch64 ones made
with the cross gcc.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import require_tool
from crosswheel.build.environment import build_environment
from crosswheel.build.shim import ENV_VAR
from crosswheel.target.names import resolve_target
from helpers import ARM64_TOOLCHAIN, arm64_interpreter, run
from targetpython import TargetPython

pytestmark = pytest.mark.e2e

PROBE = r"""
import ctypes, ctypes.util, json, sys
out = {"probe": ctypes.util.find_library("crosswheelprobe"),
       "hdf5": ctypes.util.find_library("hdf5"),
       "z_from_host": ctypes.util.find_library("crosswheel-nowhere")}
for key, name in (("by_name", out["probe"]), ("hdf5_path", sys.argv[1])):
    try:
        ctypes.CDLL(name)
        out[key] = "loaded"
    except OSError as exc:
        out[key] = str(exc)
print(json.dumps(out))
"""


VERSION_C = """\
int probe_version(void) { return 7; }
int H5get_libversion(unsigned *major, unsigned *minor, unsigned *release)
{ *major = 1; *minor = 10; *release = 8; return 0; }
unsigned long sizeof_long(void) { return sizeof(long); }
int length(const char *text) { int n = 0; while (text[n]) n++; return n; }
"""


def _library(folder: Path, soname: str, real: str) -> None:
    src = folder / "probe.c"
    src.write_text(VERSION_C)
    subprocess.run(
        ["aarch64-linux-gnu-gcc", "-shared", "-fPIC", f"-Wl,-soname,{soname}",
         "-o", str(folder / real), str(src)],
        check=True,
    )  # fmt: skip
    (folder / soname).symlink_to(real)
    (folder / real.split(".so")[0]).with_suffix(".so").symlink_to(real)


def test_find_library_answers_the_target_and_loading_it_names_what_to_do(tmp_path: Path) -> None:
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    libs = tmp_path / "lib"
    libs.mkdir()
    _library(libs, "libcrosswheelprobe.so.1", "libcrosswheelprobe.so.1.2.3")
    _library(libs, "libhdf5.so.310", "libhdf5.so.310.0.4")
    target = resolve_target("aarch64-linux-gnu")
    env = build_environment(target, arm64_interpreter(), ARM64_TOOLCHAIN, tmp_path)
    spec_path = Path(env[ENV_VAR])
    spec = json.loads(spec_path.read_text())
    assert f"/usr/lib/{target.multiarch}" in spec["library_dirs"]
    spec["library_dirs"] = [str(libs)]
    # No target interpreter runs here: the load fails, with the message.
    spec["target_runtime"] = {"unavailable": "no python3.11 for aarch64-linux-gnu in /nowhere"}
    spec_path.write_text(json.dumps(spec))
    result = run([sys.executable, "-c", PROBE, str(libs / "libhdf5.so")], {**os.environ, **env})
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["probe"] == "libcrosswheelprobe.so.1"
    assert out["hdf5"] == "libhdf5.so.310"
    assert out["z_from_host"] is None
    assert out["by_name"].startswith("crosswheel: libcrosswheelprobe.so.1 is the target's library")
    assert "cannot load a library built for aarch64" in out["by_name"]
    assert "environment variable the project documents" in out["by_name"]
    assert "HDF5_VERSION=<x.y.z>" in out["hdf5_path"]
    assert "no python3.11 for aarch64-linux-gnu in /nowhere" in out["hdf5_path"]
    assert str(libs / "libhdf5.so") in out["hdf5_path"]


H5PY_PROBE = r"""
import ctypes, json, sys
from ctypes import byref
lib = ctypes.CDLL(sys.argv[1])  # as h5py's setup_configure.py does
major, minor, release = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
status = lib.H5get_libversion(byref(major), byref(minor), ctypes.pointer(release))
lib.sizeof_long.restype = ctypes.c_ulong
print(json.dumps({
    "version": [status, major.value, minor.value, release.value],
    "sizeof_long": lib.sizeof_long(),
    "length": lib.length(b"aarch64"),
    "ros3": hasattr(lib, "H5Pget_fapl_ros3"),
}))
"""


def test_a_version_probe_runs_in_the_targets_cpython_under_qemu(
    tmp_path: Path, arm64_python: TargetPython
) -> None:
    """h5py's probe, in a shimmed process: the calls run on aarch64, the answers come back."""
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    libs = tmp_path / "lib"
    libs.mkdir()
    _library(libs, "libhdf5.so.310", "libhdf5.so.310.0.4")
    target = resolve_target("aarch64-linux-gnu")
    env = build_environment(target, arm64_interpreter(), ARM64_TOOLCHAIN, tmp_path)
    spec_path = Path(env[ENV_VAR])
    spec = json.loads(spec_path.read_text())
    runtime = arm64_python.runtime
    spec["library_dirs"] = [str(libs)]
    spec["target_runtime"] = {
        "command": runtime.command(),
        "env": runtime.environment(base={}),
        "describe": runtime.describe(),
    }
    spec_path.write_text(json.dumps(spec))
    result = run(
        [sys.executable, "-c", H5PY_PROBE, str(libs / "libhdf5.so")], {**os.environ, **env}
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "version": [0, 1, 10, 8],
        "sizeof_long": 8,
        "length": 7,
        "ros3": False,
    }
    assert "libhdf5.so is the target's library: its functions run in the target's CPython" in (
        result.stderr
    )
    assert "under qemu-aarch64" in result.stderr
