"""End to end: a wheel that links the target's libyaml, repaired, installed and run on the target.

``examples/setuptools-yaml`` finds libyaml with pkg-config, which crosswheel
points at the target's. The wheel must come out manylinux with libyaml bundled
(``auditwheel show`` agrees) and import and run under qemu on a target system
that has no libyaml; with ``-C repair=no`` it stays ``linux_<arch>``.

- armhf: Debian's ``libyaml-dev:armhf`` in the target Python's sysroot.
- aarch64: Debian's ``libyaml-dev:arm64`` installed through multiarch, the
  target Python from multiarch too (``scripts/setup-machine.sh`` installs both).
"""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path
from typing import Callable

import pytest

from conftest import require, require_target_python, require_tool
from helpers import auditwheel_tag, build_with, crosswheel, need_multiarch_arm64, only_wheel
from targetpython import SysrootExtras, TargetPython

pytestmark = pytest.mark.e2e

LIBYAML = SysrootExtras("libyaml", ("libyaml-0-2", "libyaml-dev"))
"""Debian's libyaml (0.2.5 in bookworm) and its headers and pkg-config file."""
CALL = "import crossyaml; print(crossyaml.libyaml_version()); print(crossyaml.emit('a', 'b'))"
ARMHF = "arm-linux-gnueabihf"


def build(src: Path, out: Path, env: dict[str, str], *settings: str) -> tuple[Path, str]:
    """The wheel ``python -m build`` makes, and its progress output."""
    result = build_with("build", src, out, env, *settings)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return only_wheel(out), result.stderr


def fix_armhf(wheel: Path, sysroot: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """``crosswheel fix`` of ``wheel`` for armhf against the target Python in ``sysroot``."""
    return crosswheel(
        "fix", str(wheel), "--target", ARMHF, "-C", f"target-python={sysroot}", "-o", str(out)
    )


def bundled(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return [n for n in archive.namelist() if ".libs/" in n and not n.endswith("/")]


def has_libyaml(python: TargetPython) -> bool:
    return any(python.root.rglob("libyaml*.so*"))


def runs_without_system_libyaml(wheel: Path, python: TargetPython, site: Path) -> None:
    assert not has_libyaml(python), "the target system for the run must lack libyaml"
    python.install(wheel, site)
    version, document = python.call(CALL, site).split("\n", 1)
    assert version == "0.2.5"
    assert document.strip() == "a: b"


@pytest.fixture(scope="module")
def armhf_with_libyaml() -> TargetPython:
    require_tool(f"{ARMHF}-gcc", "gcc-arm-linux-gnueabihf")
    require_tool("pkg-config", "pkg-config")
    return require_target_python("armhf", LIBYAML)


def test_armhf_wheel_bundles_libyaml_and_runs_without_it(
    armhf_with_libyaml: TargetPython,
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    tmp_path: Path,
) -> None:
    root = armhf_with_libyaml.root
    src = source_copy("setuptools-yaml")
    wheel, log = build(
        src, tmp_path / "out", frontend_env, f"target={ARMHF}", f"target-python={root}"
    )
    assert wheel.name.startswith("crossyaml-1.0.0-cp311-cp311-manylinux_2_")
    assert wheel.name.endswith("_armv7l.whl")
    assert auditwheel_tag(wheel) == wheel.name[:-4].split("-")[-1]
    [copy] = bundled(wheel)
    assert copy.startswith("crossyaml.libs/libyaml-0-") and copy.endswith(".so.2.0.9")
    source = root / "usr/lib/arm-linux-gnueabihf/libyaml-0.so.2"
    assert f"bundled libyaml-0.so.2 from {source} as {copy}" in log
    runs_without_system_libyaml(wheel, require_target_python("armhf"), tmp_path / "site")

    # The same wheel again through `crosswheel fix`: the same bytes (reproducible).
    again = fix_armhf(wheel, root, tmp_path / "fixed")
    assert again.returncode == 0, again.stderr
    assert only_wheel(tmp_path / "fixed").read_bytes() == wheel.read_bytes()


def test_armhf_repair_no_keeps_the_system_library(
    armhf_with_libyaml: TargetPython,
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    tmp_path: Path,
) -> None:
    root = armhf_with_libyaml.root
    src = source_copy("setuptools-yaml")
    settings = (f"target={ARMHF}", f"target-python={root}", "repair=no")
    wheel, _ = build(src, tmp_path / "out", frontend_env, *settings)
    assert wheel.name == "crossyaml-1.0.0-cp311-cp311-linux_armv7l.whl"
    assert bundled(wheel) == []
    assert auditwheel_tag(wheel) == "linux_armv7l"
    # On a target system that has libyaml (the sysroot it was built against) it runs.
    site = tmp_path / "site"
    armhf_with_libyaml.install(wheel, site)
    assert armhf_with_libyaml.call(CALL, site).startswith("0.2.5\n")

    # `crosswheel fix` repairs it later; against a target without libyaml it says what is missing.
    plain = require_target_python("armhf").root
    failed = fix_armhf(wheel, plain, tmp_path / "none")
    assert failed.returncode == 1
    assert "libyaml-0.so.2 (needed by _native.cpython-311-arm-linux-gnueabihf.so)" in failed.stderr
    assert f"\n  {plain}/usr/lib/arm-linux-gnueabihf\n" in failed.stderr
    assert "hint:" in failed.stderr and "Traceback" not in failed.stderr
    assert not list((tmp_path / "none").glob("*.whl"))
    fixed = fix_armhf(wheel, root, tmp_path / "fixed")
    assert fixed.returncode == 0, fixed.stderr
    repaired = only_wheel(tmp_path / "fixed")
    assert repaired.name.endswith("_armv7l.whl") and "manylinux_2_" in repaired.name
    assert len(bundled(repaired)) == 1


def test_aarch64_wheel_bundles_multiarch_libyaml(
    arm64_python: TargetPython,
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    tmp_path: Path,
) -> None:
    need_multiarch_arm64()
    multiarch = Path("/usr/lib/aarch64-linux-gnu/libyaml-0.so.2")
    require(multiarch.is_file(), "libyaml-dev:arm64 is not installed (multiarch)")
    src = source_copy("setuptools-yaml")
    wheel, log = build(src, tmp_path / "out", frontend_env, "target=aarch64-linux-gnu")
    assert wheel.name == "crossyaml-1.0.0-cp311-cp311-manylinux_2_17_aarch64.whl"
    assert auditwheel_tag(wheel) == "manylinux_2_17_aarch64"
    [copy] = bundled(wheel)
    # From the multiarch folders (/lib is /usr/lib on merged-/usr systems), not the toolchain's.
    line = next(x for x in log.splitlines() if "bundled libyaml-0.so.2 from" in x)
    assert line.endswith(f" as {copy}")
    assert Path(line.split(" from ")[1].split(" as ")[0]).resolve() == multiarch.resolve()
    runs_without_system_libyaml(wheel, arm64_python, tmp_path / "site")
    inspected = crosswheel("inspect", str(wheel))
    assert f"bundled libraries: 1\n    {copy} (soname {copy.split('/')[-1]})" in inspected.stdout
