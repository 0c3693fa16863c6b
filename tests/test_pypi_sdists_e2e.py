"""Real sdists from PyPI, untouched, cross-built with ``crosswheel build`` and run on aarch64.

Four shapes of project: markupsafe (setuptools, an optional C speedup that
falls back to pure Python when it cannot build, so the test checks that the C
module is the one imported), msgpack (setuptools with Cython output shipped in
the sdist), zstandard (setuptools with a C and a cffi backend, and a setup.py
that special-cases cross builds) and contourpy (meson-python, C++ with pybind11, numpy at run time).
Each wheel is installed by pip running on Debian's arm64 CPython under
qemu-aarch64, and exercised there.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import require_tool
from helpers import crosswheel, only_wheel, target_wheel
from targetpython import TargetPython

pytestmark = pytest.mark.e2e
TARGET = "aarch64-linux-gnu"
SUFFIX = ".cpython-311-aarch64-linux-gnu.so"
NUMPY = "numpy==2.2.6"


# requirement: (code run on the target, check of its JSON answer, run-time dependencies)
CASES: dict[str, tuple[str, Callable[[Any], bool], tuple[str, ...]]] = {
    "markupsafe==3.0.2": (
        "import json, markupsafe, markupsafe._speedups as s;"
        "print(json.dumps([str(markupsafe.escape('<a href=\"x\">&')), s.__file__,"
        " s._escape_inner('<&>')]))",
        lambda out: (
            out[0] == "&lt;a href=&#34;x&#34;&gt;&amp;"
            and out[1].endswith("markupsafe/_speedups" + SUFFIX)
            and out[2] == "&lt;&amp;&gt;"
        ),
        (),
    ),
    "msgpack==1.1.0": (
        "import json, msgpack;"
        "data = {'a': [1, 2.5, None, 'x' * 40], 'b': {'c': b'bytes'}};"
        "packed = msgpack.packb(data);"
        "print(json.dumps([msgpack.unpackb(packed) == data, msgpack.Packer.__module__]))",
        lambda out: out == [True, "msgpack._cmsgpack"],
        (),
    ),
    "zstandard==0.25.0": (
        "import json, zstandard;"
        "data = b'crosswheel ' * 500;"
        "packed = zstandard.ZstdCompressor(level=3).compress(data);"
        "back = zstandard.ZstdDecompressor().decompress(packed);"
        "print(json.dumps([zstandard.backend, back == data, len(packed) < len(data),"
        " zstandard.backend_c.__file__]))",
        lambda out: (
            out[:3] == ["cext", True, True] and out[3].endswith("zstandard/backend_c" + SUFFIX)
        ),
        (),
    ),
    "contourpy==1.3.3": (
        "import json, numpy as np, contourpy;"
        "lines = contourpy.contour_generator(z=np.array([[0.0, 1.0], [1.0, 2.0]])).lines(1.0);"
        "print(json.dumps([[np.asarray(l).tolist() for l in lines],"
        " contourpy._contourpy.__file__]))",
        lambda out: (
            out[0] == [[[0.0, 1.0], [1.0, 0.0]]]
            and out[1].endswith("contourpy/_contourpy" + SUFFIX)
        ),
        (NUMPY,),
    ),
}


@pytest.mark.parametrize("requirement", list(CASES))
def test_pypi_sdist_cross_builds_and_runs_on_aarch64(
    requirement: str, tmp_path: Path, arm64_python: TargetPython, frontend_env: dict[str, str]
) -> None:
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    code, check, runtime = CASES[requirement]
    out = tmp_path / "out"
    result = crosswheel("build", requirement, "--target", TARGET, "-o", str(out), env=frontend_env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    wheel = only_wheel(out)
    name = requirement.split("==")[0]
    pattern = rf"{name}-[\d.]+-cp311-cp311-manylinux_2_\d+_aarch64\.whl"
    assert re.fullmatch(pattern, wheel.name), wheel.name
    site = tmp_path / "site"
    for dependency in runtime:
        arm64_python.install(target_wheel(dependency), site)
    arm64_python.install(wheel, site)
    answer = json.loads(arm64_python.call(code, site).splitlines()[-1])
    assert check(answer), answer


def test_nanobind_stubs_are_generated_on_the_target_and_the_wheel_passes_its_tests(
    tmp_path: Path, frontend_env: dict[str, str]
) -> None:
    """mapbox-earcut 2.1.0 (scikit-build-core + nanobind) imports its extension to write stubs.

    nanobind_add_stub runs ``${Python_EXECUTABLE}`` on stubgen.py: the target's
    CPython under qemu. The sdist's own test suite then runs on the target.
    """
    require_tool("aarch64-linux-gnu-g++", "g++-aarch64-linux-gnu")
    require_tool("qemu-aarch64", "qemu-user")
    out = tmp_path / "out"
    result = crosswheel(
        "build", "mapbox-earcut==2.1.0", "--target", TARGET, "-o", str(out),
        "--test-requires", "pytest", "--test-command", "pytest -p no:cacheprovider {project}/tests",
        env=frontend_env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "CMake's Python_EXECUTABLE: the target's CPython" in result.stderr
    assert re.search(r"\d+ passed", result.stdout), result.stdout
    wheel = only_wheel(out)
    with zipfile.ZipFile(wheel) as archive:
        assert f"mapbox_earcut/_core{SUFFIX}" in archive.namelist()
        stub = archive.read("mapbox_earcut/_core.pyi").decode()
    assert "def triangulate_float64(" in stub
