"""``crosswheel build --target A --target B --jobs 2``: targets side by side, each on its own.

Correctness only (``benchmarks/parallel_targets.py`` measures the time): both
wheels are built and run on the target, each worker's lines carry its target's
name, the project folder is left alone, and a target that fails (before its
build or inside it) stops neither the others nor the summary.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import check_runs, crosswheel, plain_project, snapshot
from targetpython import TargetPython

REFUSE_GLIBC_228 = """\
import platform, sys
if "bdist_wheel" in sys.argv and platform.libc_ver() == ("glibc", "2.28"):
    raise SystemExit("crossdemo does not build for glibc 2.28")
"""


@pytest.mark.e2e
def test_two_targets_in_parallel_give_both_wheels(
    tmp_path: Path, arm64_python: TargetPython, frontend_env: dict[str, str]
) -> None:
    project = plain_project(tmp_path / "crossdemo")
    before = snapshot(project)
    out = tmp_path / "out"
    result = crosswheel(
        "build",
        str(project),
        "--target",
        "aarch64-linux-gnu",
        "--target",
        "manylinux_2_28_aarch64",
        "--jobs",
        "2",
        "-o",
        str(out),
        env=frontend_env,
    )
    assert result.returncode == 0, result.stderr
    assert "building for 2 targets, 2 at a time" in result.stderr
    for name in ("aarch64-linux-gnu", "manylinux_2_28_aarch64"):
        assert f"[{name}] crosswheel: building crossdemo 1.0.0 for aarch64-linux-gnu" in (
            result.stderr
        )
        assert re.search(rf"^\[{name}\] crosswheel: built crossdemo-1\.0\.0-", result.stderr, re.M)
    wheels = sorted(out.glob("*.whl"))
    assert [w.name for w in wheels][-1] == "crossdemo-1.0.0-cp311-cp311-manylinux_2_28_aarch64.whl"
    assert len(wheels) == 2, wheels
    assert "2 wheels in" in result.stderr
    assert not [p for p in out.iterdir() if not p.name.endswith(".whl")], "leftovers in out"
    # Each target built from its own copy: no build/ or egg-info in the project.
    assert not (project / "build").exists()
    assert snapshot(project) == before
    for wheel in wheels:
        check_runs(wheel, arm64_python, tmp_path / wheel.name)


@pytest.mark.e2e
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_failing_target_does_not_stop_the_others(
    jobs: str, tmp_path: Path, frontend_env: dict[str, str]
) -> None:
    """One target fails inside its build, one before it (no target Python): one wheel, exit 1."""
    project = plain_project(tmp_path / "crossdemo")
    setup = project / "setup.py"
    setup.write_text(REFUSE_GLIBC_228 + setup.read_text())
    out = tmp_path / "out"
    result = crosswheel(
        "build",
        str(project),
        "--no-isolation",
        "-t",
        "manylinux_2_28_aarch64",
        "-t",
        "aarch64-linux-gnu",
        "-t",
        "riscv64-linux-gnu",
        "-j",
        jobs,
        "-o",
        str(out),
        env=frontend_env,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert [p.name for p in out.iterdir()] == [
        "crossdemo-1.0.0-cp311-cp311-manylinux_2_17_aarch64.whl"
    ]
    errors = [line for line in result.stderr.splitlines() if line.startswith("crosswheel: error:")]
    assert len(errors) == 2, result.stderr
    assert errors[0].startswith("crosswheel: error: manylinux_2_28_aarch64: the inner backend")
    assert errors[1].startswith("crosswheel: error: riscv64-linux-gnu: no target Python 3.11")
    # The failed build's own output is shown (in parallel, under its target's name).
    prefix = "[manylinux_2_28_aarch64] " if jobs == "2" else ""
    assert f"{prefix}crossdemo does not build for glibc 2.28" in result.stderr
    assert "crosswheel: failed: manylinux_2_28_aarch64" in result.stderr
    assert "crosswheel: failed: riscv64-linux-gnu" in result.stderr
    assert "1 wheels in" in result.stderr and "2 target(s) failed" in result.stderr


def test_jobs_must_be_a_positive_number(tmp_path: Path) -> None:
    result = crosswheel("build", str(tmp_path), "-t", "aarch64-linux-gnu", "--jobs", "0")
    assert result.returncode == 2
    assert "'0' is not a positive whole number" in result.stderr
