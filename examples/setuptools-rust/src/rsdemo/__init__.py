"""Calls into the Rust library that setuptools-rust built next to this file."""

from __future__ import annotations

import ctypes
import importlib.machinery
from pathlib import Path


def _library() -> ctypes.CDLL:
    here = Path(__file__).parent
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = here / f"_native{suffix}"
        if path.is_file():
            lib = ctypes.CDLL(str(path))
            lib.add.argtypes = (ctypes.c_long, ctypes.c_long)
            lib.add.restype = ctypes.c_long
            lib.target_arch.restype = ctypes.c_char_p
            return lib
    raise ImportError(f"no _native library for this interpreter in {here}")


_lib = _library()


def add(a: int, b: int) -> int:
    return int(_lib.add(a, b))


def target_arch() -> str:
    return bytes(_lib.target_arch()).decode()
