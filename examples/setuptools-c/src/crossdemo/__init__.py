"""crossdemo: a tiny C extension to prove a cross build works on its target."""

from crossdemo._native import add, build_info

__all__ = ["add", "build_info"]
