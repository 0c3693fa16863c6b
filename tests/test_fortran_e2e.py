"""Fortran end to end: a C extension calling Fortran kernels, built and run on the target.

examples/meson-fortran (meson-python; C calls Fortran through ``ISO_C_BINDING``)
is cross-built for aarch64 (target Python from multiarch) and armhf (from a
sysroot), installed by pip running on the target, and called under qemu-user on a
target without libgfortran: repair bundled the target's copy. Then what happens
without a cross gfortran: a C-only project still builds, and a Fortran project fails
with crosswheel's message.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Callable

import pytest

from conftest import require, require_target_python, require_tool
from helpers import c_only_prefix
from targetpython import SysrootExtras

pytestmark = pytest.mark.e2e

LIBGFORTRAN = SysrootExtras("libgfortran", ("libgfortran5",))
"""The target's Fortran run-time library, which the extension links."""

MULTIARCH_PYTHON = Path("/usr/lib/python3.11/_sysconfigdata__linux_aarch64-linux-gnu.py")

# Debian architecture, target, wheel arch, pointer bits, target Python source.
FORTRAN_TARGETS = [
    ("arm64", "aarch64-linux-gnu", "aarch64", 64, "multiarch"),
    ("armhf", "arm-linux-gnueabihf", "armv7l", 32, "sysroot"),
]


def run_build(src: Path, out: Path, env: dict[str, str], *settings: str) -> tuple[int, str]:
    cmd = [sys.executable, "-m", "build", "--wheel", "-o", str(out), str(src)]
    cmd += [f"-C{s}" for s in settings]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("debian_arch", "triplet", "wheel_arch", "bits", "source"),
    FORTRAN_TARGETS,
    ids=[t[0] for t in FORTRAN_TARGETS],
)
def test_c_and_fortran_extension_runs_on_the_target(
    debian_arch: str,
    triplet: str,
    wheel_arch: str,
    bits: int,
    source: str,
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    tmp_path: Path,
) -> None:
    require_tool(f"{triplet}-gcc", f"gcc-{triplet}")
    require_tool(f"{triplet}-gfortran", f"gfortran-{triplet}")
    settings = [f"target={triplet}"]
    if source == "sysroot":
        # No libgfortran in the sysroot: the cross gfortran's own runtime, beside the
        # toolchain in /usr/<triplet>/lib, serves Meson's sanity check under qemu and
        # is what repair bundles.
        sysroot = require_target_python(debian_arch)
        assert not list(sysroot.root.rglob("libgfortran.so*"))
        settings.append(f"target-python={sysroot.root}")
    else:
        require(MULTIARCH_PYTHON.is_file(), "apt-get install libpython3.11-dev:arm64")
    out = tmp_path / "dist"
    status, log = run_build(source_copy("meson-fortran"), out, frontend_env, *settings)
    assert status == 0, log[-4000:]
    assert f"crosswheel:   Fortran: {triplet}-gfortran" in log
    assert f"Fortran compiler for the host machine: {triplet}-gfortran" in log
    (wheel,) = out.glob("*.whl")
    assert wheel.name.startswith("fortdemo-1.0.0-cp311-cp311-manylinux_")
    # No manylinux policy allows libgfortran: repair bundles the target's copy, as
    # scipy's own wheels do, and the wheel runs where the target has none.
    assert wheel.name.endswith(f"_{wheel_arch}.whl")
    assert "bundled libgfortran.so.5 from " in log
    if source == "sysroot":
        assert f"bundled libgfortran.so.5 from /usr/{triplet}/lib" in log, log[-4000:]
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert f"fortdemo/_native.cpython-311-{triplet}.so" in names
    assert any(n.startswith("fortdemo.libs/libgfortran-") for n in names), names

    python = require_target_python(debian_arch)  # a target without libgfortran
    site = tmp_path / "site"
    python.install(wheel, site)
    code = (
        "import fortdemo; "
        "print(fortdemo.dot([1.0, 2.0, 3.0], [4.0, 5.0, 6.0])); "
        "print(fortdemo.daxpy(2.0, [1.0, 2.0, 3.0], [10.0, 20.0, 30.0])); "
        "print(fortdemo.fortran_info())"
    )
    lines = python.call(code, site).splitlines()
    assert lines == ["32.0", "[12.0, 24.0, 36.0]", f"pointer_bits={bits}"]


def build_without_gfortran(
    project: str, source_copy: Callable[[str], Path], env: dict[str, str], tmp_path: Path
) -> tuple[int, str, Path, str]:
    """Build ``project`` for aarch64 with a toolchain prefix that has no gfortran."""
    require(MULTIARCH_PYTHON.is_file(), "apt-get install libpython3.11-dev:arm64")
    prefix = c_only_prefix(tmp_path / "bin")
    out = tmp_path / "dist"
    settings = ("target=aarch64-linux-gnu", f"toolchain={prefix}")
    status, log = run_build(source_copy(project), out, env, *settings)
    return status, log, out, prefix


def test_c_only_project_builds_without_a_cross_gfortran(
    source_copy: Callable[[str], Path], frontend_env: dict[str, str], tmp_path: Path
) -> None:
    status, log, out, _ = build_without_gfortran("meson-c", source_copy, frontend_env, tmp_path)
    assert status == 0, log[-4000:]
    assert "crosswheel:   Fortran: none (there is no Fortran compiler for aarch64-linux-gnu" in log
    assert "Fortran compiler for the host machine" not in log
    assert len(list(out.glob("*_aarch64.whl"))) == 1


def test_fortran_project_without_a_cross_gfortran_gets_crosswheels_message(
    source_copy: Callable[[str], Path], frontend_env: dict[str, str], tmp_path: Path
) -> None:
    status, log, out, prefix = build_without_gfortran(
        "meson-fortran", source_copy, frontend_env, tmp_path
    )
    assert status != 0
    assert (
        "crosswheel: error: this build compiles Fortran, and there is no Fortran compiler "
        f"for aarch64-linux-gnu: {prefix}gfortran is not on PATH"
    ) in log
    assert "hint: on Debian/Ubuntu: apt-get install gfortran-aarch64-linux-gnu" in log
    assert "Traceback" not in log
    assert not list(out.glob("*.whl"))


def test_zig_says_it_has_no_fortran(
    source_copy: Callable[[str], Path], frontend_env: dict[str, str], tmp_path: Path
) -> None:
    require(MULTIARCH_PYTHON.is_file(), "apt-get install libpython3.11-dev:arm64")
    out = tmp_path / "dist"
    status, log = run_build(
        source_copy("meson-fortran"), out, frontend_env, "target=aarch64-linux-gnu", "toolchain=zig"
    )
    assert status != 0
    assert "crosswheel:   Fortran: none (zig has no Fortran compiler" in log
    assert "crosswheel: error: this build compiles Fortran, and zig has no Fortran compiler" in log
    assert "hint: build projects with Fortran sources with a gcc cross toolchain" in log
    assert "Traceback" not in log
    assert not list(out.glob("*.whl"))


SETUP_PY = '''
"""Compile the Fortran kernels with $FC, as setup.py files that wrap Fortran do."""
import os, subprocess
from setuptools import Extension, setup

os.makedirs("build", exist_ok=True)
fc = os.environ["FC"]
print("fortdemo setup.py: FC=" + fc)
subprocess.run([*fc.split(), "-fPIC", "-O2", "-c", "src/fortdemo/kernels.f90",
                "-J", "build", "-o", "build/kernels.o"], check=True)
setup(ext_modules=[Extension("fortdemo._native", ["src/fortdemo/_native.c"],
                             extra_objects=["build/kernels.o"], libraries=["gfortran"])])
'''


def test_setuptools_gets_fc_and_its_fortran_runs_on_aarch64(
    source_copy: Callable[[str], Path], frontend_env: dict[str, str], tmp_path: Path
) -> None:
    """A setup.py that compiles Fortran with ``$FC`` gets the target's gfortran."""
    require_tool("aarch64-linux-gnu-gfortran", "gfortran-aarch64-linux-gnu")
    require(MULTIARCH_PYTHON.is_file(), "apt-get install libpython3.11-dev:arm64")
    python = require_target_python("arm64", LIBGFORTRAN)
    src = source_copy("meson-fortran")
    (src / "meson.build").unlink()
    (src / "setup.py").write_text(SETUP_PY)
    pyproject = src / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        .replace('"meson-python>=0.15"', '"setuptools>=77"')
        .replace('backend = "mesonpy"', 'backend = "setuptools.build_meta"')
    )
    out = tmp_path / "dist"
    status, log = run_build(src, out, frontend_env, "target=aarch64-linux-gnu")
    assert status == 0, log[-4000:]
    assert "fortdemo setup.py: FC=aarch64-linux-gnu-gfortran" in log
    (wheel,) = out.glob("*_aarch64.whl")
    site = tmp_path / "site"
    python.install(wheel, site)
    code = "import fortdemo; print(fortdemo.dot([1.0, 2.0], [3.0, 4.0]), fortdemo.fortran_info())"
    assert python.call(code, site).split() == ["11.0", "pointer_bits=64"]
