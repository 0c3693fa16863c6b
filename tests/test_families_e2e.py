"""End to end for more target families: build, install with the target's pip, import, call.

- aarch64 with ``zig cc`` pinned to glibc 2.17 and a stable-ABI extension: the
  wheel must come out ``cp39-abi3-manylinux_2_17_aarch64``, computed from the
  binary (auditwheel agrees), and run on Debian's arm64 CPython under qemu.
- armhf (32-bit, hard-float) with Debian's cross gcc and Debian's armhf CPython
  in a sysroot, under qemu-arm.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from conftest import _target_python, require, require_tool
from targetpython import TargetPython

pytestmark = pytest.mark.e2e


def build_wheel(src: Path, out: Path, env: dict[str, str], *settings: str) -> Path:
    cmd = [sys.executable, "-m", "build", "--wheel", "-o", str(out), str(src)]
    cmd += [f"-C{s}" for s in settings]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    wheels = sorted(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def auditwheel_tag(wheel: Path) -> str:
    require_tool("auditwheel", "pip install auditwheel")
    result = subprocess.run(
        ["auditwheel", "show", "--json", "--disable-isa-ext-check", str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return str(json.loads(result.stdout)["overall_tag"])


@pytest.fixture(scope="session")
def armhf_python() -> TargetPython:
    """Debian's armhf CPython in a sysroot, run under qemu-arm."""
    return _target_python("armhf")


def test_zig_glibc_217_abi3_wheel_runs_on_aarch64(
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    arm64_python: TargetPython,
    tmp_path: Path,
) -> None:
    try:
        import ziglang  # noqa: F401
    except ImportError:
        require(False, "ziglang is not installed (pip install ziglang)")
    src = source_copy("setuptools-abi3")
    pyproject = src / "pyproject.toml"
    # zig comes into the isolated build environment like any build requirement.
    pyproject.write_text(
        pyproject.read_text().replace('"setuptools>=77"', '"setuptools>=77", "ziglang"')
    )
    wheel = build_wheel(
        src,
        tmp_path / "out",
        frontend_env,
        "target=manylinux2014_aarch64",
        "toolchain=zig",
        f"target-python={arm64_python.root}",
    )
    assert wheel.name == "crossabi3-1.0.0-cp39-abi3-manylinux_2_17_aarch64.whl"
    assert auditwheel_tag(wheel) == "manylinux_2_17_aarch64"
    site = tmp_path / "site"
    arm64_python.install(wheel, site)
    out = arm64_python.call("import crossabi3; print(crossabi3.mul(6, 7), crossabi3.info())", site)
    assert out.split() == ["42", "(8,", "'little')"]


def test_armhf_wheel_gets_a_manylinux_tag_and_runs(
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    armhf_python: TargetPython,
    tmp_path: Path,
) -> None:
    require_tool("arm-linux-gnueabihf-gcc", "gcc-arm-linux-gnueabihf")
    src = source_copy("setuptools-c")
    wheel = build_wheel(
        src,
        tmp_path / "out",
        frontend_env,
        "target=arm-linux-gnueabihf",
        f"target-python={armhf_python.root}",
    )
    assert wheel.name.startswith("crossdemo-1.0.0-cp311-cp311-manylinux_2_")
    assert wheel.name.endswith("_armv7l.whl")
    assert wheel.name[:-4].split("-")[-1] == auditwheel_tag(wheel)
    site = tmp_path / "site"
    armhf_python.install(wheel, site)
    out = armhf_python.call(
        "import crossdemo, json; print(json.dumps([crossdemo.add(2, 40), crossdemo.build_info()]))",
        site,
    )
    result, info = json.loads(out)
    assert result == 42
    assert shutil.which("qemu-arm")
    assert "armv7l" in json.dumps(info)
