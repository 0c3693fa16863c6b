"""The shell scripts crosswheel writes for build tools: launchers, wrappers, stand-ins.

Build systems and test commands take one program where crosswheel has a command
(an emulator and an interpreter, a compound compiler, a message to print): each
becomes a small ``/bin/sh`` script, written the one way here.
"""

from __future__ import annotations

import stat
from pathlib import Path


def write_script(path: Path, body: str) -> Path:
    """Write ``#!/bin/sh`` and ``body`` to ``path``, executable by everyone; return ``path``."""
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path
