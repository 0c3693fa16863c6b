"""Progress lines on stderr: one per stage, so a user sees what is built and how.

``CROSSWHEEL_VERBOSITY`` (0 quiet, 1 normal, 2 verbose) reaches the backend
process from the command line's ``-q``/``-v`` through the environment.
"""

from __future__ import annotations

import os
import sys

VERBOSITY_VAR = "CROSSWHEEL_VERBOSITY"


_level: int | None = None


def set_verbosity(level: int) -> None:
    """The command line's ``-q``/``-v``, for this process (children get it in their env)."""
    global _level
    _level = level


def verbosity() -> int:
    """0 quiet, 1 normal, 2 verbose: the command line's choice, else the variable's."""
    if _level is not None:
        return _level
    try:
        return int(os.environ.get(VERBOSITY_VAR, "1"))
    except ValueError:
        return 1


def info(message: str) -> None:
    """A progress line, unless quiet."""
    if verbosity() >= 1:
        print(f"crosswheel: {message}", file=sys.stderr, flush=True)


def warn(message: str) -> None:
    """A warning, always shown."""
    print(f"crosswheel: warning: {message}", file=sys.stderr, flush=True)
