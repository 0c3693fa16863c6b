"""h5py's unmodified sdist cross-built for aarch64 and armhf, checked under qemu (opt-in: slow).

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

For armhf the target Python is a sysroot without numpy, and numpy's armv7l wheel (PyPI
has none) is the one crosswheel's cache holds, else it is cross-built from numpy's sdist
first; ``target-requires`` pins the target's numpy to it. The probe runs in the
sysroot's CPython under qemu-arm, pkg-config reads the overlay's ``.pc`` files relative
to the sysroot, and the wheel runs in the same sysroot, which has no HDF5.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from conftest import require, require_target_python, require_tool
from crosswheel.target.cache import user_cache
from helpers import crosswheel, only_wheel
from targetpython import TargetPython

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


def needs_arch(debian_arch: str, triplet: str) -> None:
    require_tool(f"{triplet}-gcc", f"gcc-{triplet}")
    require_tool("apt-get", "apt")
    known = subprocess.run(["dpkg", "--print-foreign-architectures"], capture_output=True)
    require(
        debian_arch.encode() in known.stdout.split(),
        f"no {debian_arch} architecture (dpkg --add-architecture)",
    )


def build_h5py(triplet: str, out: Path, *settings: str, **extra_env: str) -> Path:
    """The unmodified sdist, with no HDF5_* or H5PY_* variable: the probe runs on the target."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HDF5_", "H5PY_"))}
    env.update(extra_env)
    started = time.monotonic()
    built = crosswheel(
        "build", H5PY, "-t", triplet, "-C", "target-system-packages=libhdf5-dev", *settings,
        "-o", str(out), "-v", env=env,
    )  # fmt: skip
    took = time.monotonic() - started
    log = built.stdout + built.stderr
    assert built.returncode == 0, log[-6000:]
    print(f"\n{H5PY} for {triplet}: built in {took:.0f} s")
    assert "libhdf5.so is the target's library: its functions run in the target's CPython" in log
    assert "HDF5 Version: (1, 10, 8)" in log
    wheel = only_wheel(out)
    assert wheel.name.startswith(f"{H5PY.replace('==', '-')}-cp311-cp311-manylinux_2_")
    with zipfile.ZipFile(wheel) as archive:
        libs = {n.split("/")[1].split("-")[0] for n in archive.namelist() if ".libs/" in n}
    assert {"libhdf5_serial", "libsz"} <= libs, libs
    return wheel


def test_h5py_sdist_probes_the_targets_hdf5_under_qemu_and_runs_there(tmp_path: Path) -> None:
    needs_arch("arm64", T)
    require_tool("qemu-aarch64", "qemu-user")
    wheel = build_h5py(T, tmp_path / "out")
    assert wheel.name.endswith("_aarch64.whl")

    python_root = user_cache() / "pythons" / "arm64-python3.11"
    proved = crosswheel("test", str(wheel), "-t", T, "--test-command", f'python -c "{CHECK}"')
    assert proved.returncode == 0, proved.stderr[-3000:]
    assert not list(python_root.rglob("libhdf5*"))
    assert "1.10.8 (3, 4) 66.0 m True" in proved.stdout


NUMPY_ARMHF = os.environ.get("CROSSWHEEL_H5PY_NUMPY", "numpy==2.4.6")


def numpy_for_armhf(python: TargetPython, folder: Path) -> Path:
    """numpy 2's armv7l wheel: crosswheel's cached one, else cross-built from its sdist."""
    folder.mkdir()
    cached = sorted((user_cache() / "target-wheels").glob("numpy-2.*-cp311-cp311-*armv7l.whl"))
    if cached:
        shutil.copy(cached[-1], folder)
    else:
        built = crosswheel(
            "build", NUMPY_ARMHF, "-t", "arm-linux-gnueabihf", "-C",
            f"target-python={python.root}", "-o", str(folder),
        )  # fmt: skip
        assert built.returncode == 0, built.stderr[-4000:]
    return only_wheel(folder)


def test_h5py_sdist_for_armhf_with_a_sysroot_target_python(tmp_path: Path) -> None:
    triplet = "arm-linux-gnueabihf"
    needs_arch("armhf", triplet)
    python = require_target_python("armhf")
    numpy = numpy_for_armhf(python, tmp_path / "numpy")
    version = numpy.name.split("-")[1]
    wheel = build_h5py(
        triplet, tmp_path / "out", "-C", f"target-python={python.root}",
        "-C", f"target-requires=numpy=={version}", PIP_FIND_LINKS=str(numpy.parent),
    )  # fmt: skip
    assert wheel.name.endswith("_armv7l.whl")
    assert not list(python.root.rglob("libhdf5*"))
    site = tmp_path / "site"
    python.install(numpy, site)
    python.install(wheel, site)
    work = tmp_path / "work"
    work.mkdir()
    result = python.runtime.run(["-c", CHECK], pythonpath=[site], cwd=work)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "1.10.8 (3, 4) 66.0 m True" in result.stdout
