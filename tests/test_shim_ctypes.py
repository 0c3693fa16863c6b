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
from helpers import ARM64_TOOLCHAIN, arm64_interpreter

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


def _library(folder: Path, soname: str, real: str) -> None:
    src = folder / "probe.c"
    src.write_text("int probe_version(void) { return 7; }\n")
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
    spec_path.write_text(json.dumps(spec))
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(libs / "libhdf5.so")],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["probe"] == "libcrosswheelprobe.so.1"
    assert out["hdf5"] == "libhdf5.so.310"
    assert out["z_from_host"] is None
    assert out["by_name"].startswith("crosswheel: libcrosswheelprobe.so.1 is the target's library")
    assert "cannot load a library built for aarch64" in out["by_name"]
    assert "environment variable the project documents" in out["by_name"]
    assert "HDF5_VERSION=<x.y.z>" in out["hdf5_path"]
    assert str(libs / "libhdf5.so") in out["hdf5_path"]
