"""Temp folders named after their owner process, so that a later run can tell them stale.

A SIGKILL leaves every temp folder where it is; no ``finally`` runs. Each folder
crosswheel makes is named ``crosswheel-<pid>-*`` (``.crosswheel-<pid>-*`` in an
output folder), and a run removes the ones whose PID is no longer running.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path

PREFIX = "crosswheel-"
OWNER_VAR = "CROSSWHEEL_OWNER_PID"
"""The PID of the command that asked for a wheel: the backend ships none once it is dead."""

_OWNED = re.compile(r"\.?crosswheel-(\d+)-")


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (one owned by another user counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def owner_pid(name: str) -> int | None:
    """The PID recorded in a crosswheel temp name (``crosswheel-<pid>-...``), if any."""
    match = _OWNED.match(name)
    return int(match.group(1)) if match else None


def remove(path: Path) -> None:
    """Remove a file or folder tree as far as possible (never raises)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


def remove_stale(folder: Path, prefix: str = PREFIX) -> None:
    """Remove ``prefix<pid>-*`` entries of ``folder`` whose owner process is dead."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        pid = owner_pid(entry.name)
        if entry.name.startswith(prefix) and pid is not None and not pid_alive(pid):
            remove(entry)


def make_staging(base: Path | None = None) -> Path:
    """A fresh ``crosswheel-<pid>-*`` folder in ``base`` (TMPDIR), after removing stale ones."""
    folder = Path(base or tempfile.gettempdir())
    remove_stale(folder)
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=folder))


def owner_gone() -> bool:
    """Whether the command that asked for this build (``OWNER_VAR``) has died."""
    owner = os.environ.get(OWNER_VAR, "")
    return owner.isdigit() and not pid_alive(int(owner))
