"""The cross toolchain: compilers and binutils that produce the target's binaries.

Found from the ``toolchain`` prefix setting or the target's GNU triplet on PATH;
``toolchain=zig`` (or ``zig:<zig target>``) uses ``zig cc`` from the ``ziglang``
package, which builds for musl and for a pinned old glibc. Android looks for the
NDK's clang, the other families for their SDK's compiler, and say exactly what
is missing. ``CC``/``CXX``/``AR``... set by the user win. Every compiler is asked what it
builds for (``-dumpmachine``) so that a wrong one fails here, with a message,
instead of producing a wheel the verifier would refuse.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from crosswheel.errors import CrosswheelError, MissingTool
from crosswheel.fortran import (
    MissingFortran,
    find_fortran,
    no_family_fortran,
    users_fortran,
    zig_has_no_fortran,
)
from crosswheel.targets import Target, _arch_by_name

ToolchainKind = Literal["gcc", "clang", "zig", "emscripten", "user"]
"""GNU gcc (Debian's cross gcc or a prefix), an SDK's clang, ``zig cc``, ``emcc``, or ``CC``."""


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
    requires: tuple[str, ...] = ()
    """Python packages the build environment needs for these commands (``ziglang``)."""
    kind: ToolchainKind = "gcc"
    """What the compiler is, so that no stage has to guess it from the command string."""
    fc: str | None = None
    """The Fortran compiler, None when there is none (see ``fortran.py``)."""
    fc_missing: MissingFortran | None = None
    """Why ``fc`` is None: (message, hint), shown only if the build needs Fortran."""

    @property
    def cc_argv(self) -> list[str]:
        return shlex.split(self.cc)

    @property
    def cxx_argv(self) -> list[str]:
        return shlex.split(self.cxx)

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


def zig_target(target: Target) -> str:
    """zig's name for ``target``: ``aarch64-linux-gnu.2.17`` pins glibc to a manylinux tag."""
    arch = target.arch
    cpu = {"i686": "x86", "armv7l": "arm", "ppc64le": "powerpc64le"}.get(arch.machine, arch.machine)
    if target.family == "linux":
        abi = target.triplet.rsplit("-", 1)[1]
        tag = target.requested_tag or ""
        if tag.startswith("manylinux_"):
            major, minor = tag.split("_")[1:3]
            abi += f".{major}.{minor}"
        return f"{cpu}-linux-{abi}"
    if target.family == "macos":
        return f"{cpu}-macos.{target.min_version}"
    if target.family == "windows":
        return f"{cpu}-windows-gnu"
    if target.family == "wasi":
        return "wasm32-wasi"
    raise CrosswheelError(
        f"zig cannot build for {target.triplet}",
        hint="zig has no bionic (Android) or iOS SDK; use the platform's own toolchain",
    )


def _zig_toolchain(target: Target, spec: str, installed: bool, env: Mapping[str, str]) -> Toolchain:
    if installed and importlib.util.find_spec("ziglang") is None:
        raise CrosswheelError(
            "toolchain=zig needs the ziglang package in the build environment",
            hint="frontends install it from get_requires_for_build_wheel; without build "
            "isolation: pip install ziglang",
        )
    ztarget = spec.split(":", 1)[1] if ":" in spec else zig_target(target)
    zig = f"{shlex.quote(sys.executable)} -m ziglang"
    fc, fc_missing = users_fortran(target, env, zig_has_no_fortran(target))
    return Toolchain(
        cc=f"{zig} cc -target {ztarget}",
        cxx=f"{zig} c++ -target {ztarget}",
        ar=f"{zig} ar",
        strip=f"{zig} objcopy --strip-all",
        ranlib=f"{zig} ranlib",
        machine=ztarget,
        requires=("ziglang",),
        kind="zig",
        fc=fc,
        fc_missing=fc_missing,
    )


def _ndk_clang(target: Target, env: Mapping[str, str]) -> str:
    """The Android NDK's clang for ``target`` at its API level, or a message that says why not."""
    ndk = env.get("ANDROID_NDK_HOME") or env.get("ANDROID_NDK_ROOT") or env.get("ANDROID_NDK")
    if not ndk:
        raise CrosswheelError(
            f"no Android NDK for {target.triplet}: ANDROID_NDK_HOME is not set",
            hint="install the Android NDK (r26 or newer, e.g. sdkmanager 'ndk;27.2.12479018') "
            "and set ANDROID_NDK_HOME to it; or set CC to the NDK's "
            f"{target.triplet}{target.api_level}-clang",
        )
    bin_dir = Path(ndk) / "toolchains" / "llvm" / "prebuilt" / "linux-x86_64" / "bin"
    clang = bin_dir / f"{target.triplet}{target.api_level}-clang"
    if not clang.is_file():
        raise CrosswheelError(
            f"the Android NDK at {ndk} has no {clang.name} (looked in {bin_dir})",
            hint=f"API level {target.api_level} needs an NDK that supports it; "
            "set ANDROID_NDK_HOME to one",
        )
    return str(clang)


MISSING_SDK = {
    "ios": "iOS targets need Xcode's clang and the iPhoneOS/iPhoneSimulator SDK (xcrun), "
    "which only run on macOS",
    "macos": "macOS targets need Apple's clang and the macOS SDK (xcrun); on Linux, "
    "-C toolchain=zig builds C code for macOS",
    "windows": "Windows targets need clang-cl or MSVC with the Windows SDK (e.g. xwin); "
    "CPython's ABI is MSVC's, so MinGW gcc is not enough",
    "emscripten": "Emscripten targets need emcc from the emsdk version the target Pyodide "
    "was built with (EMSDK on PATH)",
    "wasi": "WASI targets need the WASI SDK's clang (set WASI_SDK_PATH); note that CPython "
    "on WASI cannot load extension modules dynamically",
}


def _family_compiler(target: Target, env: Mapping[str, str]) -> str:
    """The C compiler a non-Linux family uses, found the way its SDK installs it."""
    if target.family == "android":
        return _ndk_clang(target, env)
    if target.family == "emscripten" and _which("emcc"):
        return "emcc"
    if target.family == "wasi" and env.get("WASI_SDK_PATH"):
        clang = Path(env["WASI_SDK_PATH"]) / "bin" / "clang"
        if clang.is_file():
            return f"{clang} --target=wasm32-wasi"
    raise CrosswheelError(
        f"no C compiler for {target.triplet} on this machine",
        hint=MISSING_SDK[target.family] + "; or set CC (and CXX) to a compiler for it",
    )


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
    target: Target,
    prefix: str | None = None,
    environ: Mapping[str, str] | None = None,
    installed: bool = True,
) -> Toolchain:
    """Locate the cross compilers for ``target``; the user's ``CC`` and friends win.

    ``installed=False`` accepts a toolchain whose Python packages are not installed
    yet (``Toolchain.requires``): the frontend installs them from
    ``get_requires_for_build_wheel``.
    """
    env = os.environ if environ is None else environ
    if prefix is not None and (prefix == "zig" or prefix.startswith("zig:")):
        return _zig_toolchain(target, prefix, installed, env)
    if target.family != "linux" and prefix is None and not env.get("CC"):
        cc = _family_compiler(target, env)
        machine = _dumpmachine(cc)
        _check_builds_for(target, cc, machine)
        base = cc.rsplit("clang", 1)[0] if "clang" in cc else ""
        cxx = env.get("CXX") or (cc.replace("clang", "clang++") if "clang" in cc else "em++")
        fc, fc_missing = users_fortran(target, env, no_family_fortran(target))
        ar = env.get("AR") or (f"{base}llvm-ar" if base else "emar")
        return Toolchain(
            cc=cc,
            cxx=cxx,
            ar=ar,
            strip=env.get("STRIP") or f"{base}llvm-strip",
            ranlib=env.get("RANLIB") or (f"{base}llvm-ranlib" if base else "emranlib"),
            machine=machine,
            kind="user" if env.get("CC") else "emscripten" if cc == "emcc" else "clang",
            fc=fc,
            fc_missing=fc_missing,
        )
    prefix = prefix if prefix is not None else f"{target.triplet}-"
    if env.get("CC"):
        cc = env["CC"]
        if _which(shlex.split(cc)[0]) is None:
            raise CrosswheelError(f"CC={cc!r} is not an executable on PATH")
    else:
        found = _which(f"{prefix}gcc") or _which(f"{prefix}cc")
        if found is None:
            if target.libc == "musl":
                hint = (
                    "pass -C toolchain=zig (zig cc builds for musl; crosswheel installs it), "
                    f"or a musl cross toolchain with -C toolchain=/path/to/bin/{target.triplet}-"
                )
            else:
                hint = (
                    f"on Debian/Ubuntu: apt-get install {debian_package(target)} "
                    f"{debian_package(target, 'g++')}; or pass -C toolchain=PREFIX "
                    "(e.g. /opt/cross/bin/aarch64-linux-gnu-), or set CC"
                )
            raise MissingTool(
                f"no C compiler for {target.triplet}: {prefix}gcc is not on PATH", hint=hint
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
    fc, fc_missing = find_fortran(target, prefix, env)
    return Toolchain(
        cc=cc,
        cxx=cxx,
        ar=ar,
        strip=strip,
        ranlib=ranlib,
        machine=machine,
        cxx_found=cxx_found,
        kind="user" if env.get("CC") else "gcc",
        fc=fc,
        fc_missing=fc_missing,
    )
