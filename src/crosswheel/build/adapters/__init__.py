"""Backend adapters: tell each inner backend about the target in its own language.

The shim and the environment reach every backend; some backends also need
their own inputs (a Meson cross file, a CMake toolchain file, cargo's target).
An adapter adds those as config settings and environment variables. A backend
with no adapter still gets the shim, and a warning that names it.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING

from crosswheel.build.adapters._base import Adapter, Settings
from crosswheel.build.adapters.cmake import ScikitBuildCoreAdapter
from crosswheel.build.adapters.maturin import (
    MaturinAdapter,
    cargo_environment,
    check_rust_std,
    rust_triple,
)
from crosswheel.build.adapters.meson import MesonPythonAdapter
from crosswheel.report import warn

if TYPE_CHECKING:
    from crosswheel.target.resolve import CrossBuild

__all__ = ["ADAPTERS", "Adapter", "Settings", "adapter_for"]


class SetuptoolsAdapter(Adapter):
    """setuptools reads sysconfig and ``CC``/``_PYTHON_HOST_PLATFORM``: the shim is enough.

    Rust extensions (setuptools-rust in the build environment) are built by cargo,
    which the shim does not reach: it gets the same target, linker and PyO3
    variables as maturin, after a check that the target's Rust std is installed.
    """

    modules = ("setuptools",)

    def environment(self, build: CrossBuild, workdir: Path) -> dict[str, str]:
        if importlib.util.find_spec("setuptools_rust") is None:
            return {}
        check_rust_std(rust_triple(build.target), os.environ)
        return cargo_environment(build, workdir)


class PurePythonAdapter(Adapter):
    """Backends that build pure wheels only: nothing is compiled, nothing to tell them."""

    modules = ("hatchling", "flit_core", "pdm", "poetry", "uv_build")


class UnknownBackendAdapter(Adapter):
    """Any other backend: the shim only, and a warning."""

    def __init__(self, backend: str) -> None:
        self.backend = backend

    def matches(self, backend: str) -> bool:
        return backend == self.backend


ADAPTERS: list[Adapter] = [
    SetuptoolsAdapter(),
    PurePythonAdapter(),
    MesonPythonAdapter(),
    ScikitBuildCoreAdapter(),
    MaturinAdapter(),
]


def adapter_for(backend: str) -> Adapter:
    """The adapter for ``backend`` (an ``[tool.crosswheel] backend`` value)."""
    for adapter in ADAPTERS:
        if adapter.matches(backend):
            return adapter
    warn(
        f"crosswheel has no adapter for the backend {backend!r}: it gets the target through "
        "the shim and CC/CXX only; check the wheel it builds"
    )
    return UnknownBackendAdapter(backend)
