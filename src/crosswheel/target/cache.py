"""crosswheel's caches: the per-user folder (fetched interpreters, runtimes, generated
headers) and, within one process, what was read from a target's files."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from crosswheel.staging import PREFIX, remove_stale

COMPLETE = ".complete"
"""Marks a cached folder as whole (it is made elsewhere and renamed into place)."""
_OLD_MARKERS = (".crosswheel-complete",)
"""Markers earlier versions wrote (Pyodide's runtimes and headers): still whole, not refetched."""


T = TypeVar("T")


def while_unchanged(read: Callable[[Path], T]) -> Callable[[Path], T]:
    """``read(path)``, remembered in this process while the file's inode, size and mtime stay.

    A build asks about the same target files in each hook it runs in one process
    (requirements, then the wheel): its sysconfig data, its CPython's ELF header.
    """

    @functools.lru_cache(maxsize=64)
    def remembered(path: Path, stamp: tuple[int, int, int]) -> T:
        return read(path)

    @functools.wraps(read)
    def reader(path: Path) -> T:
        try:
            state = path.stat()
        except OSError:
            return read(path)  # read() says what is wrong with it
        return remembered(path, (state.st_ino, state.st_size, state.st_mtime_ns))

    return reader


def user_cache() -> Path:
    """``$XDG_CACHE_HOME/crosswheel`` (default ``~/.cache/crosswheel``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "crosswheel"


def is_complete(folder: Path) -> bool:
    """Whether ``folder`` was made whole by ``make_once`` (or an older crosswheel)."""
    return any((folder / marker).exists() for marker in (COMPLETE, *_OLD_MARKERS))


def make_once(folder: Path, make: Callable[[Path], None]) -> Path:
    """``folder``, made by ``make(out)`` unless a whole one is there already.

    ``make`` fills ``out`` (not there yet; its parent is a scratch folder of its own,
    beside ``folder``); the result is marked whole and renamed into place, so a killed
    or failed make leaves nothing that looks finished, and of two concurrent makes
    the first to finish wins.
    """
    if is_complete(folder):
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(folder.parent, prefix=f".{PREFIX}")  # a killed make's scratch
    scratch_prefix = f".{PREFIX}{os.getpid()}-make-"
    with tempfile.TemporaryDirectory(prefix=scratch_prefix, dir=folder.parent) as scratch:
        out = Path(scratch) / "out"
        make(out)
        (out / COMPLETE).touch()
        if is_complete(folder):  # another process made it meanwhile
            return folder
        shutil.rmtree(folder, ignore_errors=True)
        try:
            os.replace(out, folder)
        except OSError:
            if not is_complete(folder):
                raise
    return folder
