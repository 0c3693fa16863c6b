"""What a compiler says it builds for, asked once per command and environment.

Every compiler is asked (``-dumpmachine``) so that a wrong one fails early; the
answer does not change within a run, and a build asks it from several hooks.
"""

from __future__ import annotations

import functools
import shlex
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class MachineAnswer:
    """The outcome of ``command -dumpmachine``: the triplet, or why there is none."""

    machine: str | None
    error: str = ""


def builds_for(command: str, env: Mapping[str, str] | None = None) -> MachineAnswer:
    """``command -dumpmachine``'s answer (``env``: the whole environment to run it with)."""
    return _ask(command, None if env is None else tuple(sorted(env.items())))


@functools.lru_cache(maxsize=64)
def _ask(command: str, env: tuple[tuple[str, str], ...] | None) -> MachineAnswer:
    try:
        out = subprocess.run(
            [*shlex.split(command), "-dumpmachine"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env=None if env is None else dict(env),
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return MachineAnswer(None, str(exc))
    if out.returncode != 0 or not out.stdout.strip():
        return MachineAnswer(None, (out.stderr or out.stdout).strip())
    return MachineAnswer(out.stdout.strip())
