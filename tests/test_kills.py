"""A killed build leaves nothing behind: no unverified wheel, no temp folder, no process.

``timeout`` and a cancelled CI job signal the build's whole process group; a user
may signal the main process alone. Each case kills a real ``crosswheel build`` of
the C example at some point of its life (environment, install, compile, fix,
verify), then looks at the output folder, a private TMPDIR and the process group.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import EXAMPLES, require_tool
from helpers import crosswheel, need_multiarch_arm64

KILLS = [
    (signal.SIGTERM, True, 0.5),
    (signal.SIGKILL, True, 1.0),
    (signal.SIGTERM, True, 1.5),
    (signal.SIGKILL, True, 2.0),
    (signal.SIGTERM, False, 2.0),
    (signal.SIGTERM, True, 3.0),
    (signal.SIGKILL, True, 3.0),
    (signal.SIGINT, False, 1.2),
    (signal.SIGKILL, True, 2.5),
    (signal.SIGTERM, False, 2.5),
]
"""(signal, to the whole process group or the main process alone, seconds after the start)."""

COMMAND = [sys.executable, "-m", "crosswheel", "build", str(EXAMPLES / "setuptools-c")]
COMMAND += ["--target", "aarch64-linux-gnu"]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_group_gone(pgid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _group_alive(pgid):
            return True
        time.sleep(0.1)
    return not _group_alive(pgid)


def _assert_only_verified_wheels(out: Path, tmp: Path, env: dict[str, str]) -> None:
    """Each entry of ``out`` is a whole aarch64 wheel that the verifier passes again."""
    for entry in out.iterdir() if out.exists() else ():
        assert entry.is_file() and entry.name.endswith("_aarch64.whl"), sorted(out.iterdir())
        with zipfile.ZipFile(entry) as zf:
            assert zf.testzip() is None
        check = crosswheel(
            "fix", str(entry), "--target", "aarch64-linux-gnu", "-o", str(tmp / "check"), env=env
        )
        assert check.returncode == 0, check.stderr


@pytest.mark.e2e
@pytest.mark.parametrize(("signum", "group", "after"), KILLS)
def test_a_killed_build_leaves_nothing_behind(
    tmp_path: Path, signum: signal.Signals, group: bool, after: float
) -> None:
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    need_multiarch_arm64()
    tmp, out = tmp_path / "tmp", tmp_path / "out"
    tmp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSWHEEL_")}
    env["TMPDIR"] = str(tmp)
    proc = subprocess.Popen(
        [*COMMAND, "-o", str(out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(after)
    (os.killpg if group else os.kill)(proc.pid, signum)
    _, stderr = proc.communicate(timeout=60)
    # No process of the build outlives it (orphans stay in the session's group).
    assert _wait_group_gone(proc.pid, 10), "processes of the killed build are still running"
    assert "Traceback" not in stderr, stderr
    finished = "crosswheel: wheel: " in stderr  # killed on its way out: nothing to say
    if signum != signal.SIGKILL and proc.returncode != 0 and not finished:
        assert "crosswheel: error: interrupted" in stderr and "hint:" in stderr, stderr
    if signum == signal.SIGKILL:
        # The next run cleans what the killed one left (here: one that fails at once).
        again = crosswheel(
            "build", str(tmp_path / "nothing"), "-t", "aarch64-linux-gnu", "-o", str(out), env=env
        )
        assert again.returncode == 1 and "does not exist" in again.stderr
    assert sorted(p.name for p in tmp.iterdir()) == []
    _assert_only_verified_wheels(out, tmp_path, env)
