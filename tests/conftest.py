"""Shared fixtures: crosswheel's own wheel for frontends, and real target Pythons.

End-to-end tests need a cross compiler, qemu-user and Debian's target packages.
Where the machine lacks them they are skipped with the reason, except when
``CROSSWHEEL_REQUIRE_E2E=1`` (as CI sets): then a missing piece is a failure,
so a green run always means the end-to-end tests ran.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from crosswheel.config import CrossConfig, InnerBackend
from crosswheel.target.resolve import CrossBuild, resolve_cross_build
from targetpython import SysrootExtras, TargetPython, Unavailable, target_python

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def require(condition: bool, reason: str) -> None:
    """Skip (or fail, under CROSSWHEEL_REQUIRE_E2E=1) when the machine lacks something."""
    if condition:
        return
    if os.environ.get("CROSSWHEEL_REQUIRE_E2E") == "1":
        pytest.fail(f"end-to-end prerequisite missing: {reason}")
    pytest.skip(reason)


def require_tool(command: str, package: str) -> None:
    require(shutil.which(command) is not None, f"{command} not found (apt-get install {package})")


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with crosswheel's own wheel, for frontends' isolated environments."""
    out = tmp_path_factory.mktemp("wheelhouse")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="session")
def frontend_env(wheelhouse: Path) -> dict[str, str]:
    """Environment for pip, build and uv that makes them find crosswheel's wheel."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSWHEEL_")}
    links = str(wheelhouse)
    if env.get("PIP_FIND_LINKS"):
        links = f"{links} {env['PIP_FIND_LINKS']}"
    env.update(
        PIP_FIND_LINKS=links,
        UV_FIND_LINKS=str(wheelhouse),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        SOURCE_DATE_EPOCH="1700000000",
    )
    return env


def require_target_python(debian_arch: str, extras: SysrootExtras | None = None) -> TargetPython:
    try:
        return target_python(debian_arch, extras)
    except Unavailable as exc:
        require(False, str(exc))
        raise


@pytest.fixture(scope="session")
def arm64_python() -> TargetPython:
    """Debian's arm64 CPython, run under qemu-aarch64."""
    return require_target_python("arm64")


@pytest.fixture(scope="session")
def armhf_python() -> TargetPython:
    """Debian's armhf CPython in a sysroot, run under qemu-arm."""
    return require_target_python("armhf")


@pytest.fixture
def source_copy(tmp_path: Path) -> Iterator[object]:
    """Copy an example project into a fresh folder (no stale build/ from other tests)."""

    def copy(name: str) -> Path:
        dest = tmp_path / name
        shutil.copytree(EXAMPLES / name, dest, ignore=shutil.ignore_patterns("build", "*.egg-info"))
        return dest

    yield copy


@pytest.fixture(scope="module")
def aarch64_build() -> CrossBuild:
    """A resolved cross build for aarch64: multiarch target Python, Debian's cross gcc."""
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    require(
        Path("/usr/lib/python3.11/_sysconfigdata__linux_aarch64-linux-gnu.py").is_file(),
        "no multiarch target Python (apt-get install libpython3.11-dev:arm64)",
    )
    config = CrossConfig(inner=InnerBackend("mesonpy"), target="aarch64-linux-gnu")
    return resolve_cross_build(config)


COMPILING_FIXTURES = ("regenerated_fixtures",)
"""Fixtures that run a cross compiler (zig, gcc): the tests using them are end-to-end.

Unit tests read committed binaries instead (``fixtures/``, made by ``make_fixtures.py``).
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything that compiles or runs target code is ``e2e``; the fast tier stays fast."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if any(name in fixtures for name in COMPILING_FIXTURES):
            item.add_marker(pytest.mark.e2e)


PYTHON_313 = (
    shutil.which("python3.13") or "/root/.pyenv/versions/3.13.0/bin/python3.13",
    "/root/.pyenv/versions/3.13.0/bin/python3",
)
"""A build Python of the major.minor the Pyodide and Windows CPythons here have (3.13)."""


def _runs(python: str) -> bool:
    """Whether ``python`` starts (pyenv's shim on PATH may name a version not selected)."""
    result = subprocess.run([python, "-c", ""], capture_output=True, check=False)
    return result.returncode == 0


@pytest.fixture(scope="session")
def python313(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3.13 venv with pypa/build and crosswheel (editable), the build Python for 3.13 targets.

    Frontends started from it build in isolated environments that get crosswheel from
    the ``wheelhouse`` (``frontend_env``) and the rest from the index.
    """
    base = next((p for p in PYTHON_313 if p and Path(p).is_file() and _runs(p)), None)
    require(base is not None, "no CPython 3.13 here (pyenv install 3.13)")
    assert base is not None
    venv = tmp_path_factory.mktemp("py313") / "venv"
    subprocess.run([base, "-m", "venv", str(venv)], check=True, capture_output=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "build",
         "-e", str(ROOT)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return python
