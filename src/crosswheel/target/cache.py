"""crosswheel's per-user cache folder: fetched interpreters, runtimes and generated headers."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache() -> Path:
    """``$XDG_CACHE_HOME/crosswheel`` (default ``~/.cache/crosswheel``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "crosswheel"
