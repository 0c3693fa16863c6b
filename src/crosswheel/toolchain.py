"""The cross toolchain: compilers and binutils that produce the target's binaries.

Found from the ``toolchain`` prefix setting or the target's GNU triplet on PATH.
``CC``/``CXX``/``AR``... set by the user win. Every compiler is asked what it
builds for (``-dumpmachine``) so that a wrong one fails here, with a message,
instead of producing a wheel the verifier would refuse.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass

from crosswheel.errors import CrosswheelError
from crosswheel.targets import Target, _arch_by_name


@dataclass(frozen=True)
class Toolchain:
    """The commands a build uses for the target (each may carry arguments)."""

    cc: str
    cxx: str
    ar: str
    strip: str
    ranlib: str
    machine: str
    """What the C compiler says it builds for (``-dumpmachine``)."""
    cxx_found: bool = True

    @property
    def cc_argv(self) -> list[str]:
        return shlex.split(self.cc)

    def describe(self) -> str:
        return f"{self.cc} (builds for {self.machine})"


def debian_package(target: Target, tool: str = "gcc") -> str:
    """The Debian/Ubuntu package that ships ``<triplet>-<tool>``."""
    return f"{tool}-{target.triplet.replace('_', '-')}"


def _which(command: str) -> str | None:
    return shutil.which(command)


def _dumpmachine(cc: str) -> str:
    argv = [*shlex.split(cc), "-dumpmachine"]
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except OSError as exc:
        raise CrosswheelError(f"cannot run the C compiler {cc!r}: {exc}") from None
    if out.returncode != 0:
        raise CrosswheelError(
            f"the C compiler {cc!r} failed to say what it builds for: "
            f"{(out.stderr or out.stdout).strip()}"
        )
    return out.stdout.strip()


def _check_builds_for(target: Target, cc: str, machine: str) -> None:
    cpu = machine.split("-", 1)[0]
    arch = _arch_by_name(cpu)
    if arch is not None and arch != target.arch:
        raise CrosswheelError(
            f"the C compiler {cc!r} builds for {machine}, not for {target.triplet}",
            hint="unset CC or set it to the target's cross compiler, or pass "
            f"-C toolchain={target.triplet}-",
        )


def find_toolchain(
    target: Target, prefix: str | None = None, environ: Mapping[str, str] | None = None
) -> Toolchain:
    """Locate the cross compilers for ``target``; the user's ``CC`` and friends win."""
    env = os.environ if environ is None else environ
    prefix = prefix if prefix is not None else f"{target.triplet}-"
    if env.get("CC"):
        cc = env["CC"]
        if _which(shlex.split(cc)[0]) is None:
            raise CrosswheelError(f"CC={cc!r} is not an executable on PATH")
    else:
        found = _which(f"{prefix}gcc") or _which(f"{prefix}cc")
        if found is None:
            raise CrosswheelError(
                f"no C compiler for {target.triplet}: {prefix}gcc is not on PATH",
                hint=f"on Debian/Ubuntu: apt-get install {debian_package(target)} "
                f"{debian_package(target, 'g++')}; or pass -C toolchain=PREFIX "
                "(e.g. /opt/cross/bin/aarch64-linux-gnu-), or set CC",
            )
        cc = f"{prefix}gcc" if found.endswith("gcc") else f"{prefix}cc"
    machine = _dumpmachine(cc)
    _check_builds_for(target, cc, machine)

    cxx_found = True
    if env.get("CXX"):
        cxx = env["CXX"]
    else:
        cxx = f"{prefix}g++"
        cxx_found = _which(cxx) is not None
    ar = env.get("AR") or (f"{prefix}ar" if _which(f"{prefix}ar") else f"{prefix}gcc-ar")
    strip = env.get("STRIP") or f"{prefix}strip"
    ranlib = env.get("RANLIB") or f"{prefix}ranlib"
    return Toolchain(
        cc=cc, cxx=cxx, ar=ar, strip=strip, ranlib=ranlib, machine=machine, cxx_found=cxx_found
    )
