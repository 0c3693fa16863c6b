"""End to end: a project that needs GEOS, whose Debian -dev package has no second architecture.

``libgeos-dev`` is not ``Multi-Arch: same``: it cannot be installed for arm64
beside the build machine's own. ``-C target-system-packages=libgeos-dev``
fetches arm64's GEOS into a cached overlay; ``examples/setuptools-geos`` finds it
through the overlay's ``geos-config`` (first on PATH), the wheel bundles
libgeos_c and libgeos, and it runs under qemu on a target system without GEOS.
Without the setting, the build machine's GEOS is found and the link fails: the
error names the Debian package and the setting.
"""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path
from typing import Callable

import pytest

from conftest import require, require_target_python, require_tool
from crosswheel.target.cache import user_cache
from crosswheel.target.names import resolve_target
from crosswheel.target.system_packages import fetch_system_packages
from helpers import auditwheel_tag, crosswheel, only_wheel
from targetpython import NUMPY

pytestmark = pytest.mark.e2e

T = "aarch64-linux-gnu"
SETTING = "target-system-packages=libgeos-dev"
CALL = (
    "import crossgeos as g; print(g.geos_version()); print(g.point_wkt(1.5, -2)); "
    "print(round(g.buffered_point_area(1.0), 2))"
)


def needs_cross_geos() -> None:
    require_tool(f"{T}-gcc", "gcc-aarch64-linux-gnu")
    require_tool("qemu-aarch64", "qemu-user")
    require_tool("apt-get", "apt")
    arm64 = subprocess.run(["dpkg", "--print-foreign-architectures"], capture_output=True)
    require(b"arm64" in arm64.stdout.split(), "no arm64 architecture (dpkg --add-architecture)")


def test_overlay_points_pkg_config_and_geos_config_at_itself() -> None:
    """The fetched .pc file and geos-config name the overlay, not /usr (real Debian files)."""
    needs_cross_geos()
    require_tool("pkg-config", "pkg-config")
    overlay = fetch_system_packages(resolve_target(T), ["libgeos-dev"])
    assert overlay.packages[0] == "libgeos-dev"
    assert {"libgeos-c1v5"} <= set(overlay.packages)
    assert not {"libc6", "libstdc++6", "libgcc-s1"} & set(overlay.packages)
    assert overlay.root.is_relative_to(user_cache())
    env = {**os.environ, "PKG_CONFIG_LIBDIR": os.pathsep.join(map(str, overlay.pkgconfig_dirs))}
    flags = subprocess.run(
        ["pkg-config", "--cflags", "--libs", "geos"], env=env, capture_output=True, text=True
    )
    assert flags.returncode == 0, flags.stderr
    assert flags.stdout.split() == [
        f"-I{overlay.root}/usr/include",
        f"-L{overlay.root}/usr/lib/{T}",
        "-lgeos_c",
    ]
    assert overlay.config_bin is not None
    assert [p.name for p in overlay.config_bin.iterdir()] == ["geos-config"]
    clibs = subprocess.run(
        [str(overlay.config_bin / "geos-config"), "--clibs"], capture_output=True, text=True
    )
    assert clibs.stdout.split() == [f"-L{overlay.root}/usr/lib/{T}", "-lgeos_c"]
    # The overlay's libraries are the target's: aarch64 ELF files.
    assert (overlay.root / f"usr/lib/{T}/libgeos_c.so.1").read_bytes()[18] == 183  # EM_AARCH64


def test_geos_project_with_target_system_packages_is_repaired_and_runs_on_aarch64(
    source_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    needs_cross_geos()
    src = source_copy("setuptools-geos")
    out = tmp_path / "out"
    result = crosswheel("build", str(src), "-t", T, "-C", SETTING, "-o", str(out), "-v")
    assert result.returncode == 0, result.stderr[-4000:]
    assert "crossgeos setup.py: geos-config (" in result.stderr + result.stdout
    assert "system-packages/arm64-" in (result.stderr + result.stdout).split("geos-config (")[1]
    wheel = only_wheel(out)
    assert wheel.name.startswith("crossgeos-1.0.0-cp311-cp311-manylinux_2_")
    assert auditwheel_tag(wheel) == wheel.name[:-4].split("-")[-1]
    with zipfile.ZipFile(wheel) as archive:
        libs = sorted(n.split("/")[1].split("-")[0] for n in archive.namelist() if ".libs/" in n)
    assert libs == ["libgeos", "libgeos_c"]

    # The target system it runs on has no GEOS: only the wheel's bundled copies.
    python_root = user_cache() / "pythons" / "arm64-python3.11"
    proved = crosswheel("test", str(wheel), "-t", T, "--test-command", f'python -c "{CALL}"')
    assert proved.returncode == 0, proved.stderr[-3000:]
    assert not list(python_root.rglob("libgeos*"))
    assert "3.11.1-CAPI-1.17.1\nPOINT (1.5 -2)\n3.14\n" in proved.stdout


def test_without_the_setting_the_error_names_the_package_and_the_setting(
    source_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    """The build machine's GEOS (libgeos-dev:amd64) is found; its library cannot link."""
    needs_cross_geos()
    require_tool("geos-config", "libgeos-dev (the build machine's)")
    src = source_copy("setuptools-geos")
    result = crosswheel("build", str(src), "-t", T, "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "the build needs the library -lgeos_c, which the Debian package libgeos-dev" in (
        result.stderr
    )
    assert f"-C {SETTING}" in result.stderr
    assert not list((tmp_path / "out").glob("*.whl"))


SHAPELY_CALL = (
    "import shapely, shapely.geos as g; from shapely.geometry import Point; "
    "from shapely import speedups, vectorized; "
    "print(shapely.__version__, g.geos_version_string, speedups.enabled, "
    "round(Point(1, 2).buffer(1).area, 2), "
    "list(vectorized.contains(Point(0, 0).buffer(1), [0, 3], [0, 0])))"
)


def test_shapely_1_8_sdist_finds_the_targets_geos_through_geos_config(tmp_path: Path) -> None:
    """shapely 1.8.5.post1's unmodified sdist runs ``geos-config`` in its setup.py.

    The build machine's own geos-config (when installed) would give x86_64 libraries;
    the overlay's comes first. Both extensions link the bundled GEOS and run under qemu
    (numpy, a run-time extra of ``shapely.vectorized``, comes from PyPI for the target).
    """
    needs_cross_geos()
    out = tmp_path / "out"
    built = crosswheel(
        "build", "shapely==1.8.5.post1", "-t", T, "-C", SETTING, "-o", str(out)
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-4000:]
    wheel = only_wheel(out)
    assert wheel.name.startswith("Shapely-1.8.5.post1-cp311-cp311-manylinux_2_")
    with zipfile.ZipFile(wheel) as archive:
        libs = sorted(n.split("/")[1].split("-")[0] for n in archive.namelist() if ".libs/" in n)
    assert libs == ["libgeos", "libgeos_c"]
    proved = crosswheel(
        "test", str(wheel), "-t", T, "--test-requires", "numpy<2",
        "--test-command", f'python -c "{SHAPELY_CALL}"',
    )  # fmt: skip
    assert proved.returncode == 0, proved.stderr[-3000:]
    assert "1.8.5.post1 3.11.1-CAPI-1.17.1 True 3.14 [True, False]" in proved.stdout


def test_shapely_1_8_sdist_for_armhf_with_a_sysroot_target_python(tmp_path: Path) -> None:
    """The same sdist for armhf: a sysroot target Python plus the overlay's GEOS.

    The sysroot holds Debian's numpy (1.24), which the build compiles against for
    ``oldest-supported-numpy`` (before, the build machine's 64-bit numpy headers);
    setuptools<64's ``get_python_inc()`` answers the sysroot's headers (before, the
    build machine's pyconfig.h stopped the compile, and shapely fell back to pure
    Python). The sysroot it runs in has no GEOS: only the wheel's bundled copies.
    """
    require_tool("arm-linux-gnueabihf-gcc", "gcc-arm-linux-gnueabihf")
    require_tool("apt-get", "apt")
    python = require_target_python("armhf", NUMPY)
    t = "arm-linux-gnueabihf"
    out = tmp_path / "out"
    built = crosswheel(
        "build", "shapely==1.8.5.post1", "-t", t, "-C", f"target-python={python.root}",
        "-C", SETTING, "-o", str(out),
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-4000:]
    log = built.stderr + built.stdout
    assert "numpy 1.24.2 for the target: installed in the target Python" in log
    wheel = only_wheel(out)
    assert wheel.name.startswith("Shapely-1.8.5.post1-cp311-cp311-manylinux_2_")
    assert wheel.name.endswith("_armv7l.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    libs = sorted(n.split("/")[1].split("-")[0] for n in names if ".libs/" in n)
    assert libs == ["libgeos", "libgeos_c"]
    assert {n.rsplit("/", 1)[1] for n in names if n.endswith(".so")} == {
        "_speedups.cpython-311-arm-linux-gnueabihf.so",
        "_vectorized.cpython-311-arm-linux-gnueabihf.so",
    }
    assert not list(python.root.rglob("libgeos*"))
    proved = crosswheel(
        "test", str(wheel), "-t", t, "-C", f"target-python={python.root}",
        "--test-command", f'python -c "{SHAPELY_CALL}"',
    )  # fmt: skip
    assert proved.returncode == 0, proved.stderr[-3000:]
    assert "1.8.5.post1 3.11.1-CAPI-1.17.1 True 3.14 [True, False]" in proved.stdout
