"""Every mistake a user can make on the command line: one error line, a hint, no traceback.

Each case runs the command line in a fresh process, as a user would, and fails
before anything is built (so each takes about a second). Permission cases run
without the capabilities that let root ignore permission bits.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crosswheel.backend import _ship
from crosswheel.errors import CrosswheelError
from crosswheel.staging import OWNER_VAR
from helpers import crosswheel, plain_project

T = "aarch64-linux-gnu"
DROP_ROOT_POWERS = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
"""root stays root, but permission bits apply to it, as they do to any user."""


def _as_user(*args: str) -> subprocess.CompletedProcess[str]:
    """``crosswheel ARGS`` for which permission bits count, even when the tests run as root."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: permission bits do not apply")
        prefix = DROP_ROOT_POWERS
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CROSSWHEEL_")}
    return subprocess.run(
        [*prefix, sys.executable, "-m", "crosswheel", *args],
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )


def _one_error(result: subprocess.CompletedProcess[str], status: int, words: str) -> None:
    """Exit ``status``; one ``crosswheel: error:`` line saying ``words``, then a hint."""
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and errors[0].startswith("crosswheel: error: "), result.stderr
    assert words in errors[0], result.stderr
    lines = result.stderr.splitlines()
    assert lines[lines.index(errors[0]) + 1].startswith("  hint: "), result.stderr
    assert "crosswheel: building" not in result.stderr  # failed before any build


def test_output_folder_under_proc(tmp_path: Path) -> None:
    project = plain_project(tmp_path / "p")
    result = crosswheel("build", str(project), "-t", T, "-o", "/proc/crosswheel-out")
    _one_error(result, 1, "cannot make the output folder /proc/crosswheel-out")


def test_output_folder_that_is_a_file(tmp_path: Path) -> None:
    project = plain_project(tmp_path / "p")
    (tmp_path / "out").write_text("")
    _one_error(
        crosswheel("build", str(project), "-t", T, "-o", str(tmp_path / "out")), 1, "is a file"
    )
    inside = crosswheel("build", str(project), "-t", T, "-o", str(tmp_path / "out" / "sub"))
    _one_error(inside, 1, "Not a directory")


def test_read_only_output_folder(tmp_path: Path) -> None:
    project = plain_project(tmp_path / "p")
    out = tmp_path / "out"
    out.mkdir(mode=0o555)
    try:
        _one_error(_as_user("build", str(project), "-t", T, "-o", str(out)), 1, "cannot write into")
        below = _as_user("build", str(project), "-t", T, "-o", str(out / "sub"))
        _one_error(below, 1, "cannot make the output folder")
    finally:
        out.chmod(0o755)
    assert list(out.iterdir()) == []


def test_a_folder_in_the_wheels_place(tmp_path: Path) -> None:
    project = plain_project(tmp_path / "p")
    (tmp_path / "out" / "crossdemo-1.0.0-cp311-cp311-manylinux_2_17_aarch64.whl").mkdir(
        parents=True
    )
    result = crosswheel("build", str(project), "-t", T, "-o", str(tmp_path / "out"))
    _one_error(result, 1, "is a folder where a wheel would be written")


def test_unreadable_source_folder(tmp_path: Path) -> None:
    project = plain_project(tmp_path / "p")
    project.chmod(0)
    try:
        result = _as_user("build", str(project), "-t", T, "-o", str(tmp_path / "out"))
    finally:
        project.chmod(0o755)
    _one_error(result, 1, f"cannot read {project}")


def test_pyproject_that_is_not_utf8(tmp_path: Path) -> None:
    project = plain_project(tmp_path / "p")
    (project / "pyproject.toml").write_bytes(b"[project]\nname = '\xff\xfe'\n")
    result = crosswheel("build", str(project), "-t", T, "-n", "-o", str(tmp_path / "out"))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "pyproject.toml is not UTF-8 text" in result.stderr
    assert "  hint: TOML files are UTF-8" in result.stderr


@pytest.mark.parametrize("target", ["", " "])
def test_doctor_with_an_empty_target(target: str) -> None:
    result = crosswheel("doctor", "--target", target)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("crosswheel: error: config setting 'target' is empty\n  hint:")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["build"], "the following arguments are required: -t/--target"),
        (["build", "-t", T], "the following arguments are required: SRC (or -r FILE)"),
        (["targets", "extra"], "unrecognized arguments: extra"),
        (["nosuchcommand"], "invalid choice: 'nosuchcommand'"),
        (["build", ".", "-t", T, "--jobs", "0"], "'0' is not a positive whole number"),
    ],
)
def test_usage_errors_have_a_hint(args: list[str], words: str) -> None:
    result = crosswheel(*args)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: ")
    error = next(line for line in result.stderr.splitlines() if "error:" in line)
    assert error.startswith("crosswheel: error: ") and words in error
    assert result.stderr.splitlines()[-1].startswith("  hint: crosswheel")


def test_zig_target_checked_against_zigs_list(tmp_path: Path) -> None:
    if importlib.util.find_spec("ziglang") is None:
        pytest.skip("ziglang is not installed here")
    project = plain_project(tmp_path / "p")
    bad = crosswheel(
        "build",
        str(project),
        "-t",
        T,
        "-C",
        "toolchain=zig:aarch64-linux-gnux",
        "-o",
        str(tmp_path),
    )
    _one_error(bad, 1, "'aarch64-linux-gnux' has abi 'gnux', which zig does not know")
    assert "did you mean aarch64-linux-gnu" in bad.stderr


def test_library_path_must_exist(tmp_path: Path) -> None:
    project = plain_project(tmp_path / "p")
    result = crosswheel(
        "build", str(project), "-t", T, "-n", "-C", f"library-path={tmp_path / 'none'}",
        "-o", str(tmp_path / "out"),
    )  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert errors == [
        f"crosswheel: error: config setting 'library-path': {tmp_path / 'none'} is not a folder"
    ]
    assert result.stderr.count("  hint: ") == 1


def test_find_links_must_exist(tmp_path: Path) -> None:
    wheel = tmp_path / "x-1.0-py3-none-any.whl"
    wheel.write_bytes(b"")
    missing = str(tmp_path / "none")
    _one_error(
        crosswheel("test", str(wheel), "-t", T, "--find-links", missing), 1, "no such folder"
    )
    project = plain_project(tmp_path / "p")
    built = crosswheel("build", str(project), "-t", T, "--find-links", missing, "-o", str(tmp_path))
    _one_error(built, 1, f"--find-links {missing}: no such folder")


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", ""])
    proc.wait()
    return proc.pid


def test_the_next_run_removes_what_a_killed_one_left(tmp_path: Path) -> None:
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    dead = _dead_pid()
    stale = (
        out / f".crosswheel-{dead}-abc" / "inner" / "crossdemo-1.0.0-cp311-cp311-linux_aarch64.whl"
    )
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"never verified")
    (out / ".crosswheel-k3j_9zq1").mkdir()  # an earlier version's staging folder
    live = out / f".crosswheel-{os.getpid()}-abc"  # a running build's: left alone
    live.mkdir()
    (tmp / f"crosswheel-{dead}-xyz" / "build-env-1").mkdir(parents=True)
    (tmp / "someone-elses").mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    result = crosswheel("build", str(tmp_path / "nothing"), "-t", T, "-o", str(out), env=env)
    _one_error(result, 1, "does not exist")
    assert sorted(p.name for p in out.iterdir()) == [live.name]
    assert sorted(p.name for p in tmp.iterdir()) == ["someone-elses"]


def test_no_wheel_is_shipped_once_its_command_died(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheel = tmp_path / "crossdemo-1.0.0-cp311-cp311-manylinux_2_17_aarch64.whl"
    wheel.write_bytes(b"whole")
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setenv(OWNER_VAR, str(_dead_pid()))
    with pytest.raises(CrosswheelError, match="has died"):
        _ship(wheel, out)
    assert list(out.iterdir()) == []
    monkeypatch.setenv(OWNER_VAR, str(os.getpid()))
    assert _ship(wheel, out) == wheel.name
    assert (out / wheel.name).read_bytes() == b"whole"
