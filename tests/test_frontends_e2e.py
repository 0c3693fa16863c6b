"""The backend behaves the same under every frontend: build, pip and uv.

Each frontend passes the target its own way (``-C``, ``--config-settings``),
makes its own isolated environment and must still get a wheel that pip on the
target installs and the target's CPython runs.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Callable

import pytest
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile

from conftest import require_tool
from helpers import CALL, TARGET, build_with, only_wheel
from targetpython import TargetPython

pytestmark = pytest.mark.e2e


def needed_libraries(wheel: Path) -> dict[str, list[str]]:
    """Each ELF member's DT_NEEDED entries (and a check that it is an aarch64 binary)."""
    found: dict[str, list[str]] = {}
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.endswith(".so"):
                elf = ELFFile(io.BytesIO(archive.read(name)))
                assert elf["e_machine"] == "EM_AARCH64", name
                found[name] = [
                    tag.needed  # type: ignore[attr-defined]
                    for section in elf.iter_sections()
                    if isinstance(section, DynamicSection)
                    for tag in section.iter_tags()
                    if tag.entry.d_tag == "DT_NEEDED"
                ]
    return found


@pytest.mark.parametrize("frontend", ["build", "pip", "uv"])
def test_frontend_cross_builds_for_aarch64(
    frontend: str,
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    arm64_python: TargetPython,
    tmp_path: Path,
) -> None:
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    src = source_copy("setuptools-c")
    out = tmp_path / "dist"
    result = build_with(frontend, src, out, frontend_env, TARGET)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log
    # setup.py ran under the shim in this frontend's isolated environment, and its own
    # introspection saw the target (it prints what it saw).
    assert "crossdemo setup.py: machine=aarch64 pointer_size=8" in log, log
    assert "EXT_SUFFIX=.cpython-311-aarch64-linux-gnu.so" in log, log
    assert "crosswheel: building crossdemo 1.0.0 for aarch64-linux-gnu" in log, log
    assert "crosswheel: verified 1 binary" in log, log
    wheel = only_wheel(out)
    assert wheel.name.startswith("crossdemo-1.0.0-cp311-cp311-")
    assert wheel.name.endswith("_aarch64.whl")
    with zipfile.ZipFile(wheel) as archive:
        wheel_file = archive.read("crossdemo-1.0.0.dist-info/WHEEL").decode()
    assert "Root-Is-Purelib: false" in wheel_file
    # (uv writes a .gitignore into its output folder; crosswheel leaves nothing of its own.)
    assert not [p for p in out.iterdir() if p.name.startswith(".crosswheel")], "temp files left"
    libs = needed_libraries(wheel)
    assert list(libs) == ["crossdemo/_native.cpython-311-aarch64-linux-gnu.so"]
    # A Linux extension must not link libpython (PEP 720): the interpreter provides it.
    assert not any(lib.startswith("libpython") for lib in next(iter(libs.values())))

    site = tmp_path / "site"
    arm64_python.install(wheel, site)
    answer = arm64_python.call(CALL, site)
    assert answer.startswith('[42, {"build_machine": "aarch64", "pointer_bits": 64'), answer
