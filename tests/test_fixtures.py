"""The committed binary fixtures are what ``fixtures/make_fixtures.py`` makes with the compilers.

The fast tests (verifier, tags) read the binaries in ``fixtures/``; this end-to-end
test runs the script into a temporary folder and checks that today's cross gcc and
``zig cc`` still make binaries with the same facts (format, machine, libc, needed
libraries, symbol versions, init functions, LOAD alignment), so the fixtures cannot
silently drift from what the compilers make. After a deliberate change (a new
compiler, a new source), regenerate them: ``python3 tests/fixtures/make_fixtures.py``.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from conftest import require
from crosswheel.wheel.binaries import Binary, describe_binary_bytes

FIXTURES = Path(__file__).parent / "fixtures"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


SCRIPT = _script()
NAMES = [str(fixture.name) for fixture in SCRIPT.FIXTURES]


def facts(binary: Binary | None) -> dict[str, object]:
    """What the tests read from a binary (not its bytes: paths and build ids may differ)."""
    assert binary is not None
    return {
        "kind": binary.kind,
        "bits": binary.bits,
        "byteorder": binary.byteorder,
        "machine": binary.machine,
        "flags": binary.flags,
        "libc": binary.libc,
        "needed": sorted(binary.needed),
        "soname": binary.soname,
        "version_needs": {lib: sorted(v) for lib, v in binary.version_needs.items()},
        "init_functions": sorted(binary.init_functions),
        "load_alignments": binary.load_alignments,
        "unloadable": binary.unloadable,
        "pe_dll": binary.pe_dll,
    }


def test_every_binary_fixture_is_made_by_the_script() -> None:
    committed = {
        p.name for p in FIXTURES.iterdir() if p.is_file() and p.suffix not in (".py", ".md")
    }
    assert committed == set(NAMES)
    assert len(NAMES) == len(set(NAMES))
    for name in NAMES:
        assert describe_binary_bytes(name, (FIXTURES / name).read_bytes()) is not None, name


@pytest.fixture(scope="module")
def regenerated_fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixtures made afresh by ``make_fixtures.py`` (skips when a compiler is missing)."""
    for fixture in SCRIPT.FIXTURES:
        if fixture.uses_zig:
            require(importlib.util.find_spec("ziglang") is not None, "ziglang is not installed")
        else:
            tool = str(fixture.compiler[0])
            require(shutil.which(tool) is not None, f"{tool} not found")
        for path in fixture.requires:
            require(Path(path).is_file(), f"{path} not found (for {fixture.name})")
    out = tmp_path_factory.mktemp("fixtures")
    result = subprocess.run(
        [sys.executable, str(FIXTURES / "make_fixtures.py"), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.mark.parametrize("name", NAMES)
def test_compilers_still_make_the_committed_fixtures(regenerated_fixtures: Path, name: str) -> None:
    fresh = describe_binary_bytes(name, (regenerated_fixtures / name).read_bytes())
    committed = describe_binary_bytes(name, (FIXTURES / name).read_bytes())
    assert facts(fresh) == facts(committed), (
        f"{name}: the compilers here make another binary than the committed one; "
        "if that is expected, run python3 tests/fixtures/make_fixtures.py and commit"
    )
