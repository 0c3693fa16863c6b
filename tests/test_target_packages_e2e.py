"""Extensions compiled against the target's numpy, run under qemu with that numpy.

The witness: numpy's C-API version the headers gave at compile time
(``NPY_API_VERSION``) equals the one the numpy that loads the module reports
(``PyArray_GetNDArrayCFeatureVersion()``), and numpy's sizes (``npy_intp``,
``NPY_SIZEOF_LONG``) are the target's. The build machine's numpy (>= 2.3 here,
C-API 0x14 or later) runs the build scripts throughout.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import require_target_python, require_tool
from helpers import build_wheel, target_python_settings, target_wheel
from targetpython import NUMPY, TargetPython

pytestmark = pytest.mark.e2e

NUMPY_2_2_API = 0x13
"""numpy 2.1 and 2.2's C-API version."""
NUMPY_1_24_API = 0x10
PIN = "target-requires=numpy==2.2.6"

CALL = (
    "import json, numpy, {module}; "
    "print(json.dumps([{module}.build_info(), {module}.scaled([1.5, 2.0, -4.0], 2.0).tolist(), "
    "numpy.__version__]))"
)


def build_scripts_numpy(log: str, target_version: str) -> tuple[int, ...]:
    """The build machine's numpy version, from the progress line that names both."""
    match = re.search(
        rf"crosswheel: numpy {re.escape(target_version)} for the target: .*"
        r"\(the build scripts run numpy ([\d.]+)\)",
        log,
    )
    assert match, log[-3000:]
    return tuple(int(part) for part in match[1].split("."))


def run(python: TargetPython, wheels: list[Path], site: Path, module: str) -> list[Any]:
    for wheel in wheels:
        python.install(wheel, site)
    answer: list[Any] = json.loads(python.call(CALL.format(module=module), site))
    return answer


def test_setuptools_numpy_extension_for_aarch64_with_pinned_target_numpy(
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    arm64_python: TargetPython,
    tmp_path: Path,
) -> None:
    """``target-requires`` pins the target's numpy below the build machine's."""
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    out = tmp_path / "dist"
    settings = (*target_python_settings("multiarch", arm64_python), PIN)
    wheel = build_wheel(source_copy("setuptools-numpy"), out, frontend_env, *settings)
    log = (out / "build.log").read_text()
    assert build_scripts_numpy(log, "2.2.6") >= (2, 3)
    assert "numpy-2.2.6-cp311-cp311-manylinux_2_17_aarch64" in log
    assert "/target-packages/numpy-2.2.6/numpy/_core/include" in log  # setup.py's get_include()
    assert "crosswheel: warning" not in log

    numpy = target_wheel("numpy==2.2.6")
    info, scaled, version = run(arm64_python, [numpy, wheel], tmp_path / "site", "npdemo")
    assert version == "2.2.6"
    assert info["compiled_api_version"] == info["runtime_api_version"] == NUMPY_2_2_API
    assert info["sizeof_npy_intp"] == info["npy_sizeof_long"] == info["sizeof_long"] == 8
    assert scaled == [3.0, 4.0, -8.0]


def test_setuptools_numpy_extension_for_armhf_from_the_sysroots_numpy(
    source_copy: Callable[[str], Path], frontend_env: dict[str, str], tmp_path: Path
) -> None:
    """No configuration: the sysroot's Debian numpy 1.24 (32-bit headers) is found."""
    require_tool("arm-linux-gnueabihf-gcc", "gcc-arm-linux-gnueabihf")
    python = require_target_python("armhf", NUMPY)
    out = tmp_path / "dist"
    settings = ("target=arm-linux-gnueabihf", f"target-python={python.root}")
    wheel = build_wheel(source_copy("setuptools-numpy"), out, frontend_env, *settings)
    log = (out / "build.log").read_text()
    assert build_scripts_numpy(log, "1.24.2") >= (2, 3)
    assert "for the target: installed in the target Python" in log
    assert "crosswheel: warning" not in log
    assert wheel.name.endswith("_armv7l.whl")

    info, scaled, version = run(python, [wheel], tmp_path / "site", "npdemo")
    assert version == "1.24.2"
    assert info["compiled_api_version"] == info["runtime_api_version"] == NUMPY_1_24_API
    assert info["sizeof_npy_intp"] == info["npy_sizeof_long"] == info["sizeof_long"] == 4
    assert scaled == [3.0, 4.0, -8.0]


def test_meson_python_dependency_numpy_for_aarch64_from_a_sysroot(
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    arm64_python: TargetPython,
    tmp_path: Path,
) -> None:
    """Meson's ``dependency('numpy')`` finds the target's numpy through pkg-config.

    The target Python is a sysroot without numpy: its wheel is fetched, outside the
    sysroot, which pkg-config's ``PKG_CONFIG_SYSROOT_DIR`` must not break.
    """
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    out = tmp_path / "dist"
    settings = (*target_python_settings("sysroot", arm64_python), PIN)
    wheel = build_wheel(source_copy("meson-numpy"), out, frontend_env, *settings)
    log = (out / "build.log").read_text()
    assert build_scripts_numpy(log, "2.2.6") >= (2, 3)
    assert re.search(r"Run-time dependency numpy found: YES 2\.2\.6", log), log[-3000:]

    numpy = target_wheel("numpy==2.2.6")
    info, scaled, version = run(arm64_python, [numpy, wheel], tmp_path / "site", "npmesondemo")
    assert version == info["dependency_version"] == "2.2.6"
    assert info["compiled_api_version"] == info["runtime_api_version"] == NUMPY_2_2_API
    assert info["sizeof_npy_intp"] == 8
    assert scaled == [3.0, 4.0, -8.0]
