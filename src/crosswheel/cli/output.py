"""The output folder of ``build`` and ``fix``, checked before anything is built.

A build can take minutes; an output folder that cannot take its wheel must fail
the command at once, with the reason, not after the build. The same check
removes what a killed run left there (``.crosswheel-<pid>-*`` with a dead PID).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from crosswheel.errors import CrosswheelError
from crosswheel.staging import remove, remove_stale

_LEGACY_STAGING = re.compile(r"\.crosswheel-[a-z0-9_]{8}")
"""Staging folders that earlier crosswheel versions made here (no PID): never verified."""

_HINT = "give -o a folder you can write to (it is made when missing)"


def _made(folder: Path, shown: str) -> None:
    if folder.exists() and not folder.is_dir():
        raise CrosswheelError(f"the output folder {shown} is a file", hint=_HINT)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CrosswheelError(
            f"cannot make the output folder {shown}: {exc.strerror or exc}", hint=_HINT
        ) from None


def _writable(folder: Path, shown: str) -> None:
    """Write a file there: permission bits, read-only mounts and root all answer alike."""
    try:
        fd, probe = tempfile.mkstemp(prefix=f".crosswheel-{os.getpid()}-probe-", dir=folder)
    except OSError as exc:
        raise CrosswheelError(
            f"cannot write into the output folder {shown}: {exc.strerror or exc}", hint=_HINT
        ) from None
    os.close(fd)
    os.unlink(probe)


def _no_folder_named_like_a_wheel(folder: Path) -> None:
    for entry in folder.iterdir():
        if entry.name.endswith(".whl") and entry.is_dir() and not entry.is_symlink():
            raise CrosswheelError(
                f"{entry} is a folder where a wheel would be written",
                hint="remove or rename that folder, or give -o another folder",
            )


def prepare_output(outdir: str) -> Path:
    """``outdir`` made, writable, cleaned of killed runs' leftovers; its absolute path."""
    folder = Path(outdir).expanduser().absolute()
    _made(folder, outdir)
    _writable(folder, outdir)
    remove_stale(folder, prefix=".crosswheel-")
    for entry in folder.iterdir():
        if _LEGACY_STAGING.fullmatch(entry.name) and entry.is_dir():
            remove(entry)
    _no_folder_named_like_a_wheel(folder)
    return folder.resolve()
