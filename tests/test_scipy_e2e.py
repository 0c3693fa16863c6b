"""scipy's unmodified sdist cross-built for aarch64, checked under qemu (opt-in: slow).

Run by ``scripts/scipy-e2e.sh`` (``CROSSWHEEL_SCIPY_E2E=1``), outside the normal test
run: scipy compiles for many minutes. It needs everything the Fortran tests need plus
OpenBLAS for the target (``libopenblas-dev:arm64``, found by Meson through pkg-config
in the multiarch folders) and numpy's C API for the target (its ``npymath`` library).
The wheel is installed by pip running on Debian's arm64 CPython under qemu-aarch64,
next to numpy's aarch64 wheel, in a sysroot that has the target's OpenBLAS and
libgfortran; then ``scipy.linalg``, ``scipy.special`` and ``scipy.optimize`` must
give known answers.
"""

from __future__ import annotations

import json
import os
import time
import zipfile
from pathlib import Path

import pytest

from conftest import require, require_target_python, require_tool
from helpers import crosswheel, only_wheel, target_wheel

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        os.environ.get("CROSSWHEEL_SCIPY_E2E") != "1",
        reason="slow: run scripts/scipy-e2e.sh (CROSSWHEEL_SCIPY_E2E=1)",
    ),
]

SCIPY = os.environ.get("CROSSWHEEL_SCIPY", "scipy==1.17.1")
CHECKS = """
import json
import numpy as np
import scipy, scipy.linalg, scipy.special, scipy.optimize
a = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]])
b = np.array([1.0, 2.0, 3.0])
x = scipy.linalg.solve(a, b)
lu_p, lu_l, lu_u = scipy.linalg.lu(a)
root = scipy.optimize.brentq(lambda t: t**3 - 2.0, 0.0, 2.0)
fit = scipy.optimize.minimize(lambda v: (v[0] - 1.0)**2 + 100.0 * (v[1] - v[0]**2)**2,
                              [-1.2, 1.0], method="BFGS")
print(json.dumps({
    "version": scipy.__version__,
    "solve_residual": float(np.abs(a @ x - b).max()),
    "lu_residual": float(np.abs(lu_p @ lu_l @ lu_u - a).max()),
    "eigvalsh": scipy.linalg.eigvalsh(a).tolist(),
    "gamma_5": float(scipy.special.gamma(5.0)),
    "erf_1": float(scipy.special.erf(1.0)),
    "j0_1": float(scipy.special.j0(1.0)),
    "cbrt_2": root,
    "rosenbrock": fit.x.tolist(),
    "blas": scipy.linalg.blas.find_best_blas_type((a,))[0],
    "linalg_file": scipy.linalg._flapack.__file__,
}))
"""


def test_scipy_sdist_cross_built_for_aarch64_computes_correctly(
    tmp_path: Path, frontend_env: dict[str, str]
) -> None:
    require_tool("aarch64-linux-gnu-gfortran", "gfortran-aarch64-linux-gnu")
    require(
        Path("/usr/lib/aarch64-linux-gnu/pkgconfig/openblas.pc").is_file(),
        "no OpenBLAS for the target (apt-get install libopenblas-dev:arm64)",
    )
    # A target without OpenBLAS and libgfortran: repair bundles the target's copies.
    python = require_target_python("arm64")
    out = tmp_path / "out"
    started = time.monotonic()
    result = crosswheel(
        "build", SCIPY, "--target", "aarch64-linux-gnu", "-o", str(out), env=frontend_env
    )
    minutes = (time.monotonic() - started) / 60
    (tmp_path / "build.log").write_text(result.stdout + result.stderr)
    print(f"\n{SCIPY} for aarch64: crosswheel build took {minutes:.1f} min (log {tmp_path})")
    assert result.returncode == 0, result.stderr[-6000:]
    wheel = only_wheel(out)
    assert wheel.name.startswith("scipy-1.17.1-cp311-cp311-manylinux_")
    assert wheel.name.endswith("_aarch64.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "scipy/linalg/_flapack.cpython-311-aarch64-linux-gnu.so" in names
    bundled = sorted(n.split("/")[-1] for n in names if n.startswith("scipy.libs/"))
    print(f"{wheel.name} bundles {bundled}")
    assert any(n.startswith("libopenblas") for n in bundled), bundled
    assert any(n.startswith("libgfortran") for n in bundled), bundled

    site = tmp_path / "site"
    python.install(target_wheel("numpy"), site)
    python.install(wheel, site)
    answer = json.loads(python.call(CHECKS, site).splitlines()[-1])
    print(json.dumps(answer, indent=1))
    assert answer["version"] == "1.17.1"
    assert answer["solve_residual"] < 1e-12
    assert answer["lu_residual"] < 1e-12
    assert answer["eigvalsh"] == pytest.approx([1.26794919, 3.0, 4.73205081], abs=1e-7)
    assert answer["gamma_5"] == 24.0
    assert answer["erf_1"] == pytest.approx(0.8427007929497149, rel=1e-14)
    assert answer["j0_1"] == pytest.approx(0.7651976865579666, rel=1e-14)
    assert answer["cbrt_2"] == pytest.approx(2 ** (1 / 3), rel=1e-12)
    assert answer["rosenbrock"] == pytest.approx([1.0, 1.0], abs=1e-4)
    assert answer["blas"] == "d"
    assert answer["linalg_file"].endswith("_flapack.cpython-311-aarch64-linux-gnu.so")
