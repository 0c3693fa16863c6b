"""Real sdists from PyPI, untouched, cross-built with ``crosswheel build`` and run on aarch64.

Three shapes of project: markupsafe (setuptools, an optional C speedup that
falls back to Python when it cannot build, so the test checks the C module
really is the one imported), msgpack (setuptools with Cython output shipped in
the sdist) and siphash24 (meson-python with Cython, a static Meson subproject
and a Python script that Meson runs at build time). Each wheel is installed by
pip running on Debian's arm64 CPython under qemu-aarch64, and exercised there.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import require_tool
from targetpython import TargetPython
from test_cli_build import crosswheel, only_wheel

TARGET = "aarch64-linux-gnu"
SUFFIX = ".cpython-311-aarch64-linux-gnu.so"

# SipHash-2-4 of bytes 00..0e under key 00..0f: the reference vector from the SipHash paper.
SIPHASH_KEY = bytes(range(16))
SIPHASH_MESSAGE = bytes(range(15))
SIPHASH_EXPECTED = 0xA129CA6149BE45E5

CASES: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "markupsafe==3.0.2": (
        "import json, markupsafe, markupsafe._speedups as s;"
        "print(json.dumps([str(markupsafe.escape('<a href=\"x\">&')), s.__file__,"
        " markupsafe.escape.__module__]))",
        lambda out: (
            out[0] == "&lt;a href=&#34;x&#34;&gt;&amp;"
            and out[1].endswith("markupsafe/_speedups" + SUFFIX)
            and out[2] == "markupsafe._speedups"
        ),
    ),
    "msgpack==1.1.0": (
        "import json, msgpack;"
        "data = {'a': [1, 2.5, None, 'x' * 40], 'b': {'c': b'bytes'}};"
        "packed = msgpack.packb(data);"
        "print(json.dumps([msgpack.unpackb(packed) == data, msgpack.Packer.__module__]))",
        lambda out: out == [True, "msgpack._cmsgpack"],
    ),
    "siphash24==1.9": (
        "import json, siphash24;"
        f"h = siphash24.siphash24({SIPHASH_MESSAGE!r}, key={SIPHASH_KEY!r});"
        "print(json.dumps([h.intdigest(), siphash24.__file__]))",
        lambda out: out[0] == SIPHASH_EXPECTED and out[1].endswith("siphash24" + SUFFIX),
    ),
}


@pytest.mark.e2e
@pytest.mark.parametrize("requirement", list(CASES))
def test_pypi_sdist_cross_builds_and_runs_on_aarch64(
    requirement: str, tmp_path: Path, arm64_python: TargetPython, frontend_env: dict[str, str]
) -> None:
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    out = tmp_path / "out"
    result = crosswheel("build", requirement, "--target", TARGET, "-o", str(out), env=frontend_env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    wheel = only_wheel(out)
    name = requirement.split("==")[0]
    assert re.fullmatch(rf"{name}-[\d.]+-cp311-cp311-manylinux_2_\d+_aarch64\.whl", wheel.name), (
        wheel.name
    )
    code, check = CASES[requirement]
    site = tmp_path / "site"
    arm64_python.install(wheel, site)
    answer = json.loads(arm64_python.call(code, site).splitlines()[-1])
    assert check(answer), answer
