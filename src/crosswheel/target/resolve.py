"""One cross build, resolved before anything is built: target, interpreter, toolchain.

``resolve_cross_build`` is what the backend and the command line run first; its
``CrossBuild`` is the data every later stage reads.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from crosswheel.config import CrossConfig, WheelSettings
from crosswheel.report import info, warn
from crosswheel.target.interpreter import TargetInterpreter, find_target_interpreter
from crosswheel.target.names import Target, resolve_target
from crosswheel.target.packages import TargetPackage, find_target_packages
from crosswheel.target.toolchain import Toolchain, describe_fortran, find_toolchain

if TYPE_CHECKING:
    from crosswheel.target.system_packages import SystemPackages


@dataclass(frozen=True)
class CrossBuild:
    """Everything known about the target before the inner backend runs."""

    target: Target
    interpreter: TargetInterpreter
    toolchain: Toolchain
    wheel: WheelSettings = field(default_factory=WheelSettings)
    """What the user asked of the finished wheel (its tag, the page-size rule)."""
    target_packages: tuple[TargetPackage, ...] = ()
    """The target's copies of the C-API packages the build compiles against."""
    system_packages: SystemPackages | None = None
    """The target's system libraries fetched into an overlay (``target-system-packages``)."""


def resolve_target_python(config: CrossConfig) -> tuple[Target, TargetInterpreter]:
    """The target and its interpreter: what every command that reads or builds wheels needs."""
    assert config.target is not None
    target = resolve_target(config.target, config.api_level, config.min_version)
    return target, find_target_interpreter(target, config.target_python)


def resolve_cross_build(config: CrossConfig, installed: bool = True) -> CrossBuild:
    """Resolve target, interpreter and toolchain, or fail with a message that says why.

    ``installed=False``: before the build requirements are installed (see
    ``find_toolchain``).
    """
    target, interpreter = resolve_target_python(config)
    toolchain = find_toolchain(target, config.toolchain, installed=installed)
    if not toolchain.cxx_found:
        warn(f"{toolchain.cxx} not found; C++ sources will not build")
    return CrossBuild(target, interpreter, toolchain, config.wheel)


def announce(build: CrossBuild, what: str) -> None:
    """The progress lines at the start of a build."""
    info(f"{what} for {build.target.triplet}")
    info(f"  compiler: {build.toolchain.describe()}")
    info(f"  Fortran: {describe_fortran(build.toolchain)}")
    info(f"  target Python: {build.interpreter.describe()}")
    if build.toolchain.caveat:
        warn(build.toolchain.caveat)


def with_target_packages(build: CrossBuild, config: CrossConfig, workdir: Path) -> CrossBuild:
    """``build`` with the target's copy of each C-API build requirement (``workdir`` holds them)."""
    packages = find_target_packages(
        build.target, build.interpreter, config.build_requires, config.target_requires, workdir
    )
    return dataclasses.replace(build, target_packages=packages)


def with_system_packages(build: CrossBuild, config: CrossConfig) -> CrossBuild:
    """``build`` with ``target-system-packages`` fetched; repair searches their libraries.

    Only the build path calls this: requirements and metadata hooks fetch nothing.
    """
    if not config.system_packages:
        return build
    # Imported here: only builds that ask for the target's system packages fetch them.
    from crosswheel.target.system_packages import fetch_system_packages, sysroot_view

    overlay = fetch_system_packages(build.target, config.system_packages)
    info(f"  target system packages: {', '.join(overlay.packages)} in {overlay.root}")
    if build.interpreter.sysroot is not None:
        overlay = sysroot_view(overlay, build.interpreter.sysroot)
    wheel = dataclasses.replace(
        build.wheel, library_path=(*build.wheel.library_path, *overlay.library_dirs)
    )
    return dataclasses.replace(build, system_packages=overlay, wheel=wheel)
