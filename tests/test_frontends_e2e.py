"""The backend behaves the same under every frontend: build, pip and uv.

Each frontend passes the target its own way (``-C``, ``--config-settings``),
makes its own isolated environment and must still get a wheel that pip on the
target installs and the target's CPython runs.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Callable

import pytest

from conftest import require
from targetpython import TargetPython

pytestmark = pytest.mark.e2e
CALL = "import crossdemo, json; print(json.dumps([crossdemo.add(2, 40), crossdemo.build_info()]))"
SETTING = "target=aarch64-linux-gnu"


def command(frontend: str, src: Path, out: Path) -> list[str]:
    if frontend == "build":
        return [sys.executable, "-m", "build", "--wheel", "-o", str(out), f"-C{SETTING}", str(src)]
    if frontend == "pip":
        return [
            sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(out),
            f"--config-settings={SETTING}", str(src),
        ]  # fmt: skip
    uv = shutil.which("uv")
    require(uv is not None, "uv not found (pip install uv)")
    assert uv is not None
    return [
        uv, "build", "--wheel", "--python", sys.executable, "-o", str(out),
        "-C", SETTING, str(src),
    ]  # fmt: skip


@pytest.mark.parametrize("frontend", ["build", "pip", "uv"])
def test_frontend_cross_builds_for_aarch64(
    frontend: str,
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    arm64_python: TargetPython,
    tmp_path: Path,
) -> None:
    src = source_copy("setuptools-c")
    out = tmp_path / "dist"
    result = subprocess.run(
        command(frontend, src, out),
        env=frontend_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    # setup.py ran under the shim in this frontend's isolated environment.
    assert "crossdemo setup.py: machine=aarch64 pointer_size=8" in log, log
    assert "crosswheel: verified 1 binary" in log, log
    wheels = sorted(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    wheel = wheels[0]
    assert wheel.name.startswith("crossdemo-1.0.0-cp311-cp311-")
    assert wheel.name.endswith("_aarch64.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        wheel_file = archive.read("crossdemo-1.0.0.dist-info/WHEEL").decode()
    assert "crossdemo/_native.cpython-311-aarch64-linux-gnu.so" in names
    assert "Root-Is-Purelib: false" in wheel_file
    assert not [p for p in out.iterdir() if p.name.startswith(".crosswheel")], "temp left"

    site = tmp_path / "site"
    arm64_python.install(wheel, site)
    answer = arm64_python.call(CALL, site)
    assert answer.startswith('[42, {"build_machine": "aarch64", "pointer_bits": 64'), answer
