"""h5py's unmodified sdist cross-built for aarch64, checked under qemu (opt-in: slow).

Run by ``scripts/h5py-e2e.sh`` (``CROSSWHEEL_H5PY_E2E=1``), outside the normal test
run: h5py compiles two dozen Cython modules. It is the ctypes shape of build script:
``setup_configure.py`` finds libhdf5 with pkg-config and loads it with ctypes to call
``H5get_libversion(byref(major), byref(minor), byref(release))`` unless
``HDF5_VERSION``, ``H5PY_ROS3`` and ``H5PY_DIRECT_VFD`` are all set. None is set here:
the build machine cannot load the target's libhdf5, so the shim runs those calls in
the target's CPython under qemu-aarch64. HDF5 (``libhdf5-dev``, not ``Multi-Arch:
same``) comes from ``target-system-packages``; numpy's headers for the target from
numpy's aarch64 wheel. Repair bundles libhdf5 and its libraries; the wheel then writes
and reads an HDF5 file on Debian's arm64 CPython, which has no HDF5.
"""

from __future__ import annotations

import os
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from conftest import require, require_tool
from crosswheel.target.cache import user_cache
from helpers import crosswheel, only_wheel

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        os.environ.get("CROSSWHEEL_H5PY_E2E") != "1",
        reason="slow: run scripts/h5py-e2e.sh (CROSSWHEEL_H5PY_E2E=1)",
    ),
]

H5PY = os.environ.get("CROSSWHEEL_H5PY", "h5py==3.14.0")
T = "aarch64-linux-gnu"
CHECK = (
    "import h5py, numpy as np; "
    "f = h5py.File('data.h5', 'w'); f['x'] = np.arange(12.0).reshape(3, 4); "
    "f['x'].attrs['unit'] = 'm'; f.close(); "
    "g = h5py.File('data.h5', 'r'); x = g['x'][...]; "
    "print(h5py.version.hdf5_version, x.shape, float(x.sum()), g['x'].attrs['unit'], "
    "h5py.h5z.filter_avail(h5py.h5z.FILTER_DEFLATE)); g.close()"
)


def test_h5py_sdist_probes_the_targets_hdf5_under_qemu_and_runs_there(tmp_path: Path) -> None:
    require_tool(f"{T}-gcc", "gcc-aarch64-linux-gnu")
    require_tool("qemu-aarch64", "qemu-user")
    require_tool("apt-get", "apt")
    arm64 = subprocess.run(["dpkg", "--print-foreign-architectures"], capture_output=True)
    require(b"arm64" in arm64.stdout.split(), "no arm64 architecture (dpkg --add-architecture)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HDF5_", "H5PY_"))}
    out = tmp_path / "out"
    started = time.monotonic()
    built = crosswheel(
        "build", H5PY, "-t", T, "-C", "target-system-packages=libhdf5-dev", "-o", str(out), "-v",
        env=env,
    )  # fmt: skip
    took = time.monotonic() - started
    log = built.stdout + built.stderr
    assert built.returncode == 0, log[-6000:]
    print(f"\n{H5PY} for {T}: built in {took:.0f} s")
    assert "libhdf5.so is the target's library: its functions run in the target's CPython" in log
    assert "HDF5 Version: (1, 10, 8)" in log
    wheel = only_wheel(out)
    assert wheel.name.startswith(f"{H5PY.replace('==', '-')}-cp311-cp311-manylinux_2_")
    assert wheel.name.endswith("_aarch64.whl")
    with zipfile.ZipFile(wheel) as archive:
        libs = {n.split("/")[1].split("-")[0] for n in archive.namelist() if ".libs/" in n}
    assert {"libhdf5_serial", "libsz"} <= libs, libs

    python_root = user_cache() / "pythons" / "arm64-python3.11"
    proved = crosswheel("test", str(wheel), "-t", T, "--test-command", f'python -c "{CHECK}"')
    assert proved.returncode == 0, proved.stderr[-3000:]
    assert not list(python_root.rglob("libhdf5*"))
    assert "1.10.8 (3, 4) 66.0 m True" in proved.stdout
