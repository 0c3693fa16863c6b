"""Fortran: the target's gfortran, or a stand-in that fails with crosswheel's message.

Most projects never compile Fortran, so a missing cross gfortran must not stop
them; a project that does (scipy, f2py modules) must get a message that says what
to install, not Meson's "Unknown compiler". So every build names a Fortran
compiler (``FC``, Meson's cross file, CMake's toolchain file). When there is no
real one, it is a stand-in script: build tools run it only when the project uses
Fortran; it prints the message, leaves a note in the work folder and fails, and
crosswheel reports the message when the inner backend then fails.
"""

from __future__ import annotations

import shlex
import shutil
from collections.abc import Mapping

from crosswheel.errors import CrosswheelError
from crosswheel.target.names import Target, _arch_by_name
from crosswheel.target.probes import builds_for

STAND_IN = "crosswheel-no-fortran-compiler"
"""The stand-in's file name: Meson and CMake print it in their own error."""

USED_NOTE = "fortran-was-needed"
"""Left in the work folder by the stand-in when a build tool ran it."""

MissingFortran = tuple[str, str]
"""Why there is no Fortran compiler: (message, hint)."""


def gfortran_package(target: Target) -> str:
    """The Debian/Ubuntu package that ships ``<triplet>-gfortran``."""
    return f"gfortran-{target.triplet.replace('_', '-')}"


def _builds_for(fc: str) -> str | None:
    """What ``fc -dumpmachine`` says, or None when it cannot say (not every compiler can)."""
    return builds_for(fc).machine


def _check_fortran(target: Target, fc: str, source: str) -> None:
    """A Fortran compiler for another CPU is a mistake now, as a wrong ``CC`` is."""
    machine = _builds_for(fc)
    if machine is None:
        return
    arch = _arch_by_name(machine.split("-", 1)[0])
    if arch is not None and arch != target.arch:
        raise CrosswheelError(
            f"the Fortran compiler {fc!r} ({source}) builds for {machine}, "
            f"not for {target.triplet}",
            hint=f"unset FC or set it to the target's cross gfortran "
            f"({target.triplet}-gfortran, package {gfortran_package(target)})",
        )


def find_fortran(
    target: Target, prefix: str, environ: Mapping[str, str]
) -> tuple[str | None, MissingFortran | None]:
    """``FC``, else ``<prefix>gfortran`` on PATH: (command, None) or (None, why it is missing).

    ``prefix`` is the C toolchain's (``aarch64-linux-gnu-`` or the ``toolchain`` setting).
    """
    if environ.get("FC"):
        fc = environ["FC"]
        if shutil.which(shlex.split(fc)[0]) is None:
            return None, (
                f"FC={fc!r} is not an executable on PATH",
                "set FC to the target's Fortran compiler, or unset it",
            )
        _check_fortran(target, fc, "FC")
        return fc, None
    fc = f"{prefix}gfortran"
    if shutil.which(fc) is None:
        hint = f"set FC to a Fortran compiler for {target.triplet}"
        if target.family == "linux":
            hint = f"on Debian/Ubuntu: apt-get install {gfortran_package(target)}; or " + hint
        return None, (
            f"there is no Fortran compiler for {target.triplet}: {fc} is not on PATH",
            hint,
        )
    _check_fortran(target, fc, f"the toolchain prefix {prefix!r}")
    return fc, None


def zig_has_no_fortran(target: Target) -> MissingFortran:
    """``toolchain=zig`` compiles C and C++ only."""
    return (
        "zig has no Fortran compiler (toolchain=zig compiles C and C++ only)",
        "build projects with Fortran sources with a gcc cross toolchain: drop -C toolchain=zig "
        f"and install {gfortran_package(target)} (Debian/Ubuntu), or set FC to a Fortran "
        f"compiler for {target.triplet}",
    )


def no_family_fortran(target: Target) -> MissingFortran:
    """A family whose platform SDK has no Fortran compiler (the row's ``has_fortran``)."""
    return (
        f"there is no Fortran compiler for {target.triplet}: its platform's toolchain has none",
        f"set FC to a Fortran compiler that builds for {target.triplet}",
    )


def users_fortran(
    target: Target, environ: Mapping[str, str], otherwise: MissingFortran
) -> tuple[str | None, MissingFortran | None]:
    """``FC`` for a toolchain that has no Fortran compiler of its own (zig, SDK clangs)."""
    if environ.get("FC"):
        return find_fortran(target, "", environ)
    return None, otherwise
