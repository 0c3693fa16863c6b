"""One run of the command line: its own temp folder, its own children, nothing left behind.

A build starts pip, the backend, compilers; pypa/build, pip and gcc each make
temp files. All of them go under one folder, ``$TMPDIR/crosswheel-<pid>-*``,
that the run removes when it ends, however it ends short of SIGKILL; a later
run removes the folders whose owner PID is dead. SIGTERM and SIGINT stop every
process the run started (children of children included) before the run
unwinds, so that no backend finishes a wheel after the command has died.
"""

from __future__ import annotations

import os
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType

from crosswheel.staging import OWNER_VAR, make_staging, pid_alive, remove


class Stopped(BaseException):
    """The run was asked to stop by a signal (a BaseException: nothing may swallow it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


def _parents() -> dict[int, int]:
    """Every visible process and its parent, from /proc (empty where there is no /proc)."""
    parents: dict[int, int] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return parents
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and fields[1].isdigit():
            parents[int(name)] = int(fields[1])
    return parents


def descendants(pid: int | None = None) -> list[int]:
    """The processes below ``pid`` (default: this one), children before grandchildren."""
    root = os.getpid() if pid is None else pid
    parents = _parents()
    found: list[int] = []
    frontier = [root]
    while frontier:
        children = [p for p, parent in parents.items() if parent in frontier and p not in found]
        found.extend(children)
        frontier = children
    return found


def _signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        with suppress(OSError):
            os.kill(pid, signum)


def stop_descendants(grace: float = 5.0) -> None:
    """SIGTERM every process this one started, then SIGKILL what outlives ``grace`` seconds."""
    deadline = time.monotonic() + grace
    pending = descendants()
    _signal_all(pending, signal.SIGTERM)
    while pending and time.monotonic() < deadline:
        time.sleep(0.05)
        _reap()
        pending = [p for p in descendants() if pid_alive(p)]
        _signal_all(pending, signal.SIGTERM)  # late forks of what was stopped
    for _ in range(3):
        pending = descendants()
        if not pending:
            break
        _signal_all(pending, signal.SIGKILL)
        time.sleep(0.05)
        _reap()


def _reap() -> None:
    """Collect exited children, so that they stop counting as descendants."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _on_signal(signum: int, frame: FrameType | None) -> None:
    """Stop the children first, then unwind this process (its ``finally`` blocks clean up)."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    stop_descendants()
    raise Stopped(signum)


@contextmanager
def session() -> Iterator[Path]:
    """A private temp folder for this run (``TMPDIR`` for every child) and signal handling."""
    folder = make_staging()
    saved_env, saved_dir = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"] = tempfile.tempdir = str(folder)
    os.environ[OWNER_VAR] = str(os.getpid())
    handlers = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield folder
    finally:
        for sig in handlers:
            signal.signal(sig, signal.SIG_IGN)  # no second interruption of the cleanup
        if descendants():
            stop_descendants(grace=2.0)
        tempfile.tempdir = saved_dir
        os.environ.pop(OWNER_VAR, None)
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env
        remove(folder)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
