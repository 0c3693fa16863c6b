"""A meson-python extension mixing C and Fortran, cross-built by crosswheel."""

from fortdemo._native import daxpy, dot, fortran_info

__all__ = ["daxpy", "dot", "fortran_info"]
