"""A scikit-build-core C++ extension, cross-built by crosswheel."""

from skbuilddemo._native import add, build_info

__all__ = ["add", "build_info"]
