"""End to end for more target families: build, install with the target's pip, import, call.

- aarch64 with ``zig cc`` pinned to glibc 2.17 and a stable-ABI extension: the
  wheel must come out ``cp39-abi3-manylinux_2_17_aarch64``, computed from the
  binary (auditwheel agrees), and run on Debian's arm64 CPython under qemu.
- armhf (32-bit, hard-float), i686 (32-bit) and s390x (big-endian) with Debian's
  cross gcc and Debian's CPython for each in a sysroot, under qemu-user.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from conftest import require, require_target_python, require_tool
from helpers import auditwheel_tag
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


@pytest.mark.parametrize("target_python", ["multiarch", "sysroot"])
def test_zig_glibc_217_abi3_wheel_runs_on_aarch64(
    target_python: str,
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    arm64_python: TargetPython,
    tmp_path: Path,
) -> None:
    """zig with glibc pinned to 2.17; the target Python from multiarch or a sysroot.

    The project does not name ziglang: crosswheel's get_requires_for_build_wheel
    asks the frontend to install it into the isolated build environment. With
    multiarch, Debian's pyconfig.h dispatcher must resolve for zig as for Debian's gcc.
    """
    settings = ["target=manylinux2014_aarch64", "toolchain=zig"]
    if target_python == "sysroot":
        settings.append(f"target-python={arm64_python.root}")
    else:
        require(
            Path("/usr/lib/python3.11/_sysconfigdata__linux_aarch64-linux-gnu.py").is_file(),
            "no multiarch target Python (apt-get install libpython3.11-dev:arm64)",
        )
    src = source_copy("setuptools-abi3")
    wheel = build_wheel(src, tmp_path / "out", frontend_env, *settings)
    assert wheel.name == "crossabi3-1.0.0-cp39-abi3-manylinux_2_17_aarch64.whl"
    assert auditwheel_tag(wheel) == "manylinux_2_17_aarch64"
    site = tmp_path / "site"
    arm64_python.install(wheel, site)
    out = arm64_python.call("import crossabi3; print(crossabi3.mul(6, 7), crossabi3.info())", site)
    assert out.split() == ["42", "(8,", "'little')"]


# Debian architecture, target, wheel arch, pointer bits, byte order, cross gcc package.
DIFFERENT_MACHINES = [
    ("armhf", "arm-linux-gnueabihf", "armv7l", 32, "little", "gcc-arm-linux-gnueabihf"),
    ("i386", "i686-linux-gnu", "i686", 32, "little", "gcc-i686-linux-gnu"),
    ("s390x", "s390x-linux-gnu", "s390x", 64, "big", "gcc-s390x-linux-gnu"),
]


@pytest.mark.parametrize(
    ("debian_arch", "triplet", "wheel_arch", "bits", "byteorder", "package"),
    DIFFERENT_MACHINES,
    ids=[m[0] for m in DIFFERENT_MACHINES],
)
def test_wheel_for_another_word_size_or_byte_order_runs(
    debian_arch: str,
    triplet: str,
    wheel_arch: str,
    bits: int,
    byteorder: str,
    package: str,
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    tmp_path: Path,
) -> None:
    """32-bit and big-endian targets: setup.py's introspection and the binary must agree.

    Debian's CPython for the architecture, in a sysroot, is both the target Python
    of the build and the interpreter that installs and runs the wheel under qemu.
    """
    require_tool(f"{triplet}-gcc", package)
    python = require_target_python(debian_arch)
    src = source_copy("setuptools-c")
    wheel = build_wheel(
        src,
        tmp_path / "out",
        frontend_env,
        f"target={triplet}",
        f"target-python={python.root}",
    )
    assert wheel.name.startswith("crossdemo-1.0.0-cp311-cp311-manylinux_2_")
    assert wheel.name.endswith(f"_{wheel_arch}.whl")
    assert wheel.name[:-4].split("-")[-1] == auditwheel_tag(wheel)
    site = tmp_path / "site"
    python.install(wheel, site)
    out = python.call(
        "import crossdemo, json; print(json.dumps([crossdemo.add(2, 40), crossdemo.build_info()]))",
        site,
    )
    result, info = json.loads(out)
    assert result == 42
    assert info == {
        "build_machine": wheel_arch,
        "pointer_bits": bits,
        "byteorder": byteorder,
        "setup_byteorder": byteorder,
    }


def test_zig_with_scikit_build_core_gives_a_pinned_manylinux_wheel(
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    arm64_python: TargetPython,
    tmp_path: Path,
) -> None:
    """CMake takes a compiler program: zig's ``python -m ziglang c++`` reaches it as one.

    Before, CMake got the build environment's ``python`` as its C++ compiler and
    ninja stopped on ``Unknown option: -D`` (pyzmq 27.3.0 for manylinux_2_28_aarch64).
    """
    require_tool("cmake", "cmake")
    src = source_copy("scikit-build-cpp")
    settings = ["target=manylinux_2_28_aarch64", "toolchain=zig"]
    settings.append(f"target-python={arm64_python.root}")
    wheel = build_wheel(src, tmp_path / "out", frontend_env, *settings)
    assert wheel.name.endswith("-cp311-cp311-manylinux_2_28_aarch64.whl"), wheel.name
    site = tmp_path / "site"
    arm64_python.install(wheel, site)
    out = arm64_python.call("import skbuilddemo; print(skbuilddemo.add(2, 40))", site)
    assert out.strip() == "42"
