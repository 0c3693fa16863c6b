"""``crosswheel build --deps``: a real dependency tree, every wheel in one folder, proven together.

aarch64: python-dateutil (pure, needs six) and msgpack's sdist (cross-built with
``--no-binary``, though PyPI has an aarch64 wheel) from a requirements file; the
wheels are installed offline into one target environment and called under qemu;
a rerun reuses all three. A dependency that cannot be had fails naming it and
the chain that needed it. numexpr and numpy for armhf (both compiled: numpy has
no armv7l wheel) are opt-in: ``scripts/numexpr-armhf-e2e.sh``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from conftest import require, require_target_python, require_tool
from helpers import crosswheel

pytestmark = pytest.mark.e2e

AARCH64 = "aarch64-linux-gnu"
MULTIARCH = Path("/usr/lib/python3.11/_sysconfigdata__linux_aarch64-linux-gnu.py")
CHECK = (
    "python -c 'import msgpack, dateutil.parser as p; "
    'print(msgpack.unpackb(msgpack.packb([p.parse("2024-03-05").month, "x"])))\''
)


def summary(log: str) -> dict[str, str]:
    """The summary lines: wheel file name -> downloaded, built or reused."""
    found = {}
    for line in log.splitlines():
        words = line.removeprefix("crosswheel: ").split()
        if len(words) >= 2 and words[0] in ("downloaded", "built", "reused"):
            found[words[1]] = words[0]
    return found


def test_small_tree_for_aarch64_built_proven_and_reused(
    frontend_env: dict[str, str], tmp_path: Path
) -> None:
    require_tool(f"{AARCH64}-gcc", "gcc-aarch64-linux-gnu")
    require(MULTIARCH.is_file(), "apt-get install libpython3.11-dev:arm64")
    require_target_python("arm64")
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("# the tree\npython-dateutil==2.9.0.post0\nmsgpack==1.1.0  # cross-built\n")
    out = tmp_path / "house"
    args = ["build", "-r", str(reqs), "--deps", "--no-binary", "msgpack", "--target", AARCH64]
    args += ["-o", str(out), "--test-command", CHECK]
    first = crosswheel(*args, env=frontend_env)
    log = first.stdout + first.stderr
    assert first.returncode == 0, log[-4000:]
    assert summary(log) == {
        "msgpack-1.1.0-cp311-cp311-manylinux_2_17_aarch64.whl": "built",
        "python_dateutil-2.9.0.post0-py2.py3-none-any.whl": "downloaded",
        "six-1.17.0-py2.py3-none-any.whl": "downloaded",
    }, log[-3000:]
    assert "installing 3 wheels together for aarch64-linux-gnu, offline" in log
    assert "[3, 'x']" in log  # msgpack's C extension and dateutil, on aarch64 under qemu
    assert len(list(out.glob("*.whl"))) == 3

    started = time.monotonic()
    again = crosswheel(*args, env=frontend_env)
    log = again.stdout + again.stderr
    assert again.returncode == 0, log[-4000:]
    assert set(summary(log).values()) == {"reused"} and len(summary(log)) == 3, log
    assert "building" not in log and "downloaded " not in log
    assert time.monotonic() - started < 60


def test_a_node_that_cannot_be_had_is_named_with_its_chain(
    frontend_env: dict[str, str], tmp_path: Path
) -> None:
    require(MULTIARCH.is_file(), "apt-get install libpython3.11-dev:arm64")
    project = tmp_path / "needs-missing"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "needs-missing"\nversion = "1.0"\n'
        'dependencies = ["six", "crosswheel-no-such-dist-9f3a; platform_machine == \'aarch64\'",'
        " \"crosswheel-no-such-dist-x86; platform_machine == 'x86_64'\"]\n"
    )
    (project / "needs_missing.py").write_text("")
    out = tmp_path / "house"
    result = crosswheel(
        "build", str(project), "--deps", "--target", AARCH64, "-o", str(out), env=frontend_env
    )
    log = result.stdout + result.stderr
    assert result.returncode == 1, log[-4000:]
    errors = [line for line in log.splitlines() if line.startswith("crosswheel: error:")]
    assert len(errors) == 1, log[-3000:]
    assert "crosswheel-no-such-dist-9f3a" in errors[0]
    assert (
        f'crosswheel-no-such-dist-9f3a; platform_machine == "aarch64" <- {project}' in (errors[0])
    ), errors[0]
    assert "x86" not in log  # the x86_64-only dependency is not wanted on aarch64


def test_a_setup_py_that_asks_the_platform_names_the_targets_dependencies(
    frontend_env: dict[str, str], tmp_path: Path
) -> None:
    """A source tree's metadata is prepared for the target: its setup.py sees aarch64."""
    require(MULTIARCH.is_file(), "apt-get install libpython3.11-dev:arm64")
    project = tmp_path / "asks-platform"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
    )
    (project / "setup.py").write_text(
        "import platform\nfrom setuptools import setup\n"
        "wanted = 'six' if platform.machine() == 'aarch64' else 'crosswheel-no-such-dist-x86'\n"
        "setup(name='asks-platform', version='1.0', py_modules=['asks'],\n"
        "      install_requires=[wanted])\n"
    )
    (project / "asks.py").write_text("")
    out = tmp_path / "house"
    result = crosswheel(
        "build", str(project), "--deps", "--target", AARCH64, "-o", str(out), env=frontend_env
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    assert "no-such-dist" not in log
    assert sorted(w.name.split("-")[0] for w in out.glob("*.whl")) == ["asks_platform", "six"]


NUMEXPR_CHECK = """
import numpy as np, numexpr as ne, platform
a = np.arange(1e5); b = np.arange(1e5) * 2
r = ne.evaluate("a * b + 3 * sin(a)")
assert np.allclose(r, a * b + 3 * np.sin(a))
print(platform.machine(), np.__version__, ne.__version__, float(r[7]))
"""


@pytest.mark.skipif(
    os.environ.get("CROSSWHEEL_NUMEXPR_E2E") != "1",
    reason="slow (compiles numpy for armhf): run scripts/numexpr-armhf-e2e.sh",
)
def test_numexpr_and_numpy_for_armhf_in_one_command(
    frontend_env: dict[str, str], tmp_path: Path
) -> None:
    require_tool("arm-linux-gnueabihf-gcc", "gcc-arm-linux-gnueabihf")
    sysroot = require_target_python("armhf")
    out = Path(os.environ.get("CROSSWHEEL_NUMEXPR_OUT") or tmp_path / "house")
    script = tmp_path / "check.py"
    script.write_text(NUMEXPR_CHECK)
    args = ["build", "numexpr==2.14.2", "--deps", "--target", "arm-linux-gnueabihf"]
    args += ["-C", f"target-python={sysroot.root}", "-o", str(out), "-j", "2"]
    args += ["--test-command", f"python {script}"]
    started = time.monotonic()
    result = crosswheel(*args, env=frontend_env)
    log = result.stdout + result.stderr
    print(f"numexpr + numpy for armhf: {time.monotonic() - started:.0f} s")
    assert result.returncode == 0, log[-6000:]
    made = summary(log)
    assert {k.split("-")[0] for k, v in made.items() if v in ("built", "reused")} >= {
        "numexpr",
        "numpy",
    }, made
    assert all(k.endswith("_armv7l.whl") for k in made), made
    assert "armv7l" in log and "1e+05" not in log
    again = crosswheel(*args, env=frontend_env)
    log = again.stdout + again.stderr
    assert again.returncode == 0, log[-4000:]
    assert set(summary(log).values()) == {"reused"}, log[-3000:]
