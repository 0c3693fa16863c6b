"""Pyodide's ABIs: which Pyodide, emscripten and platform tag go with a CPython version.

A Pyodide ABI fixes CPython's minor version and the emscripten version every side
module must be compatible with (pyodide-lock.json in each npm ``pyodide`` release).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PyodideABI:
    """One Pyodide ABI, as its npm runtime release declares it."""

    python: tuple[int, int]
    pyodide_version: str
    """The npm ``pyodide`` package version that is the runtime."""
    python_patch: str
    """The exact CPython the runtime is (``3.13.2``)."""
    emscripten_version: str
    tag: str
    """The wheel platform tag (PEP 783's ``pyemscripten_*`` from 3.14)."""


ABIS: tuple[PyodideABI, ...] = (
    PyodideABI((3, 12), "0.27.7", "3.12.7", "3.1.58", "pyodide_2024_0_wasm32"),
    PyodideABI((3, 13), "0.29.3", "3.13.2", "4.0.9", "pyodide_2025_0_wasm32"),
    PyodideABI((3, 14), "314.0.8", "3.14.2", "5.0.3", "pyemscripten_2026_0_wasm32"),
)
"""Known ABIs, oldest first."""

DEFAULT_ABI = ABIS[-1]


def abi_for_python(version: tuple[int, int]) -> PyodideABI | None:
    """The ABI whose CPython is ``version`` (major, minor), if Pyodide has one."""
    return next((abi for abi in ABIS if abi.python == tuple(version[:2])), None)


def abi_for_tag(tag: str) -> PyodideABI | None:
    """The ABI a wheel platform tag names, if known."""
    return next((abi for abi in ABIS if abi.tag == tag), None)
