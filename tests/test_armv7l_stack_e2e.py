"""pandas, scipy and scikit-learn for armv7l, every compiled dependency, in one command (opt-in).

Run by ``scripts/armv7l-stack-e2e.sh`` (``CROSSWHEEL_ARMV7L_STACK_E2E=1``), outside the
normal test run: it cross-compiles numpy, pandas, scipy and scikit-learn from their
sdists (24 min on 2 cores from empty). One ``crosswheel build --deps`` against Debian
bookworm's armhf CPython in a sysroot, with Debian's OpenBLAS for the target fetched
by ``target-system-packages=libopenblas-dev`` (not installed in the sysroot), then
all the wheels installed together offline into that sysroot's CPython, which has
neither OpenBLAS nor libgfortran, and known answers checked under qemu-arm. A rerun
rebuilds nothing. ``CROSSWHEEL_ARMV7L_STACK_OUT=DIR`` keeps the wheelhouse in DIR, so
an interrupted run goes on from the wheels already built.
"""

from __future__ import annotations

import json
import os
import time
import zipfile
from pathlib import Path

import pytest

from conftest import require, require_target_python, require_tool
from helpers import crosswheel
from test_wheelhouse_e2e import summary

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        os.environ.get("CROSSWHEEL_ARMV7L_STACK_E2E") != "1",
        reason="slow: run scripts/armv7l-stack-e2e.sh (CROSSWHEEL_ARMV7L_STACK_E2E=1)",
    ),
]

TRIPLET = "arm-linux-gnueabihf"
ROOTS = ("pandas==3.1.1", "scipy==1.17.1", "scikit-learn==1.9.1")
COMPILED = {"numpy", "pandas", "scipy", "scikit_learn"}
MARK = "ARMV7L-STACK "
CHECKS = """
import json, os, platform
import numpy as np
import pandas as pd
import scipy, scipy.linalg, scipy.special, scipy.optimize
import sklearn
from sklearn.cluster import KMeans
from sklearn.datasets import load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression
from threadpoolctl import threadpool_info

a = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]])
b = np.array([1.0, 2.0, 3.0])
x = scipy.linalg.solve(a, b)
fit = scipy.optimize.minimize(lambda v: (v[0] - 1.0)**2 + 100.0 * (v[1] - v[0]**2)**2,
                              [-1.2, 1.0], method="BFGS")

df = pd.DataFrame({"k": list("ababa"), "v": [1.0, 2.0, 3.0, 4.0, 5.0]})
grouped = df.groupby("k")["v"].agg(["sum", "mean"])
dates = pd.to_datetime(pd.Series(["2024-03-05", "2024-12-31 23:59", "2023-02-28"]),
                       format="ISO8601")
european = pd.to_datetime(pd.Series(["05.03.2024 14:30", "31.12.2024 08:00"]), dayfirst=True)
daily = pd.Series(range(6), index=pd.date_range("2024-01-01", periods=6, freq="12h"))

rng = np.random.default_rng(0)
features = rng.normal(size=(60, 3))
linear = LinearRegression().fit(features, features @ np.array([1.5, -2.0, 0.25]) + 3.0)
blobs = np.vstack([rng.normal(0.0, 0.3, size=(40, 2)), rng.normal(10.0, 0.3, size=(40, 2))])
kmeans = KMeans(n_clusters=2, n_init=3, random_state=0).fit(blobs)
iris = load_iris()
logistic = LogisticRegression(max_iter=1000).fit(iris.data, iris.target)

print("ARMV7L-STACK " + json.dumps({
    "machine": platform.machine(),
    "versions": [np.__version__, pd.__version__, scipy.__version__, sklearn.__version__],
    "solve_residual": float(np.abs(a @ x - b).max()),
    "eigvalsh": scipy.linalg.eigvalsh(a).tolist(),
    "gamma_5": float(scipy.special.gamma(5.0)),
    "erf_1": float(scipy.special.erf(1.0)),
    "cbrt_2": scipy.optimize.brentq(lambda t: t**3 - 2.0, 0.0, 2.0),
    "rosenbrock": fit.x.tolist(),
    "group_sum": grouped["sum"].to_dict(),
    "group_mean": grouped["mean"].to_dict(),
    "rolling": df["v"].rolling(3).mean().dropna().tolist(),
    "dayofyear": dates.dt.day_of_year.tolist(),
    "span_days": int((dates[1] - dates[0]).days),
    "european": european.dt.strftime("%Y-%m-%dT%H:%M").tolist(),
    "daily_sum": daily.resample("D").sum().tolist(),
    "coef": linear.coef_.tolist(),
    "intercept": float(linear.intercept_),
    "centers": sorted(kmeans.cluster_centers_.tolist()),
    "iris_accuracy": float(logistic.score(iris.data, iris.target)),
    "blas": sorted({(i["internal_api"], os.path.basename(os.path.dirname(i["filepath"])))
                    for i in threadpool_info()}),
}))
"""


def _answer(log: str) -> dict[str, object]:
    lines = [line for line in log.splitlines() if line.startswith(MARK)]
    assert lines, log[-6000:]
    found: dict[str, object] = json.loads(lines[-1][len(MARK) :])
    return found


def test_pandas_scipy_sklearn_for_armv7l_in_one_command(
    frontend_env: dict[str, str], tmp_path: Path
) -> None:
    for tool, package in (("gcc", "gcc"), ("g++", "g++"), ("gfortran", "gfortran")):
        require_tool(f"{TRIPLET}-{tool}", f"{package}-{TRIPLET}")
    require_tool("apt-get", "apt")
    sysroot = require_target_python("armhf")
    # The proving target has neither: repair must have bundled them.
    for library in ("libopenblas*", "libgfortran*", "libblas*"):
        require(not list(sysroot.root.rglob(library)), f"{library} in {sysroot.root}")
    out = Path(os.environ.get("CROSSWHEEL_ARMV7L_STACK_OUT") or tmp_path / "house")
    script = tmp_path / "check.py"
    script.write_text(CHECKS)
    args = ["build", *ROOTS, "--deps", "--target", TRIPLET, "-j", "2", "-o", str(out)]
    args += ["-C", f"target-python={sysroot.root}", "-C", "target-system-packages=libopenblas-dev"]
    started = time.monotonic()
    result = crosswheel(*args, "--test-command", f"python {script}", env=frontend_env)
    minutes = (time.monotonic() - started) / 60
    log = result.stdout + result.stderr
    (tmp_path / "build.log").write_text(log)
    made = summary(log)
    times = [line for line in log.splitlines() if "time:" in line]
    print(f"\n{' '.join(ROOTS)} for armv7l: {minutes:.1f} min (log {tmp_path / 'build.log'})")
    print("\n".join(times))
    assert result.returncode == 0, log[-8000:]

    assert {name.split("-")[0] for name in made} >= COMPILED, made
    for name, how in made.items():
        assert how in ("built", "reused", "downloaded"), made
        if name.split("-")[0] in COMPILED:
            assert how in ("built", "reused"), made  # no armv7l wheel on the index
            assert name.endswith("_armv7l.whl") and "-cp311-cp311-" in name, name
        else:
            assert name.endswith("-none-any.whl"), name
    assert f"installing {len(made)} wheels together for {TRIPLET}, offline" in log

    for project, needs in (("numpy", ("libopenblas",)), ("scipy", ("libopenblas", "libgfortran"))):
        wheel = next(out.glob(f"{project}-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            bundled = sorted(n.split("/")[-1] for n in archive.namelist() if ".libs/" in n)
        print(f"{wheel.name} bundles {bundled}")
        for library in needs:
            assert any(n.startswith(library) for n in bundled), (wheel.name, bundled)

    answer = _answer(log)
    print(json.dumps(answer, indent=1))
    assert answer["machine"] == "armv7l"
    assert answer["versions"][1:] == ["3.1.1", "1.17.1", "1.9.1"]  # type: ignore[index]
    assert answer["solve_residual"] < 1e-12  # type: ignore[operator]
    assert answer["eigvalsh"] == pytest.approx([1.26794919, 3.0, 4.73205081], abs=1e-7)
    assert answer["gamma_5"] == 24.0
    assert answer["erf_1"] == pytest.approx(0.8427007929497149, rel=1e-14)
    assert answer["cbrt_2"] == pytest.approx(2 ** (1 / 3), rel=1e-12)
    assert answer["rosenbrock"] == pytest.approx([1.0, 1.0], abs=1e-4)
    assert answer["group_sum"] == {"a": 9.0, "b": 6.0}
    assert answer["group_mean"] == {"a": 3.0, "b": 3.0}
    assert answer["rolling"] == [2.0, 3.0, 4.0]
    assert answer["dayofyear"] == [65, 366, 59]
    assert answer["span_days"] == 301
    assert answer["european"] == ["2024-03-05T14:30", "2024-12-31T08:00"]
    assert answer["daily_sum"] == [1, 5, 9]
    assert answer["coef"] == pytest.approx([1.5, -2.0, 0.25], abs=1e-9)
    assert answer["intercept"] == pytest.approx(3.0, abs=1e-9)
    centers: list[list[float]] = answer["centers"]  # type: ignore[assignment]
    low, high = centers
    assert low == pytest.approx([0.0, 0.0], abs=0.2) and high == pytest.approx([10, 10], abs=0.2)
    assert answer["iris_accuracy"] > 0.95  # type: ignore[operator]
    # numpy and scipy bundle the same OpenBLAS under the same name: the loader keeps the
    # copy the first import loaded, and both run on it (not on a reference BLAS).
    blas: list[list[str]] = answer["blas"]  # type: ignore[assignment]
    openblas = [folder for api, folder in blas if api == "openblas"]
    assert openblas and set(openblas) <= {"numpy.libs", "scipy.libs"}, blas

    started = time.monotonic()
    again = crosswheel(*args, env=frontend_env)  # the same build, without the proof
    log = again.stdout + again.stderr
    assert again.returncode == 0, log[-4000:]
    assert set(summary(log).values()) == {"reused"}, log[-3000:]
    assert len(summary(log)) == len(made)
    print(f"rerun: {time.monotonic() - started:.0f} s, everything reused")
