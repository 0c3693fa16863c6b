"""numpy's C API, compiled for the target: what it was compiled against, and a computation."""

from npdemo._native import build_info, scaled

__all__ = ["build_info", "scaled"]
