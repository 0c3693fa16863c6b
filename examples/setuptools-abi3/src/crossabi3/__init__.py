"""crossabi3: a stable-ABI extension module."""

from crossabi3._native import info, mul

__all__ = ["info", "mul"]
