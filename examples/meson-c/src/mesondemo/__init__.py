"""A meson-python C extension, cross-built by crosswheel."""

from mesondemo._native import add, build_info

__all__ = ["add", "build_info"]
