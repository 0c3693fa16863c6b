"""The cross toolchain: compilers and binutils that produce the target's binaries.

Found from the ``toolchain`` prefix setting or the target's GNU triplet on PATH;
``toolchain=zig`` (or ``zig:<zig target>``) uses ``zig cc`` from the ``ziglang``
package, which builds for the families whose row names a zig target (and for a
pinned old glibc). The other families find their SDK's compiler (a hook of the
family's module, e.g. the NDK's clang, emcc) and say exactly what is missing.
``CC``/``CXX``/``AR``... set by the user win. Every compiler is asked what it
builds for (``-dumpmachine``) so that a wrong one fails here, with a message,
instead of producing a wheel the verifier would refuse.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from crosswheel.errors import ConfigError, CrosswheelError, MissingTool
from crosswheel.scripts import write_script
from crosswheel.target.arches import arch_by_name
from crosswheel.target.families import family_hook
from crosswheel.target.fortran import (
    STAND_IN,
    USED_NOTE,
    MissingFortran,
    find_fortran,
    no_family_fortran,
    users_fortran,
    zig_has_no_fortran,
)
from crosswheel.target.names import Target
from crosswheel.target.probes import builds_for

ToolchainKind = Literal["gcc", "clang", "zig", "emcc", "user"]
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
    env: tuple[tuple[str, str], ...] = ()
    """Variables the commands need (emcc's ``EM_*``), set in the build's environment."""
    cxx_link: tuple[str, ...] = ()
    """Objects every C++ shared library links (emcc's libc++ compat object)."""
    caveat: str = ""
    """What a build with this toolchain is at risk of (an emcc that is not the target
    ABI's), warned once per build with its progress lines (``resolve.announce``)."""

    @property
    def cc_argv(self) -> list[str]:
        return shlex.split(self.cc)

    @property
    def cxx_argv(self) -> list[str]:
        return shlex.split(self.cxx)

    def describe(self) -> str:
        return f"{self.cc} (builds for {self.machine})"

    def as_programs(self, workdir: Path) -> Toolchain:
        """This toolchain with every command that is not a program of its own made one.

        zig's commands are ``python -m ziglang cc -target ...``: tools that take a
        program and flags (CMake's ``CMAKE_C_COMPILER``, cargo's linker) get a script
        in ``workdir`` that runs the whole command. Others are returned as they are.
        """
        if self.kind != "zig":
            return self

        def program(name: str, command: str) -> str:
            script = workdir / f"crosswheel-{name}"
            return str(write_script(script, f'# crosswheel: {name}\nexec {command} "$@"\n'))

        return dataclasses.replace(
            self,
            cc=program("cc", self.cc),
            cxx=program("c++", self.cxx),
            ar=program("ar", self.ar),
            strip=str(
                write_script(
                    workdir / "crosswheel-strip",
                    "# crosswheel: strip in place, as binutils' strip does (zig objcopy needs\n"
                    "# an output file). zig's objcopy cannot strip every target's files\n"
                    "# ('unimplemented'): those stay as linked, since stripping is optional.\n"
                    'for f in "$@"; do case "$f" in -*) ;; *)\n'
                    f'  if {self.strip} "$f" "$f.stripped" 2>/dev/null\n'
                    '  then mv "$f.stripped" "$f"; else rm -f "$f.stripped"; fi;;\n'
                    "esac; done\n",
                )
            ),
            ranlib=program("ranlib", self.ranlib),
        )


def debian_package(target: Target, tool: str = "gcc") -> str:
    """The Debian/Ubuntu package that ships ``<triplet>-<tool>``."""
    return f"{tool}-{target.triplet.replace('_', '-')}"


def _which(command: str) -> str | None:
    return shutil.which(command)


def _dumpmachine(cc: str, env: Mapping[str, str] | None = None) -> str:
    answer = builds_for(cc, env)
    if answer.machine is None:
        raise CrosswheelError(
            f"the C compiler {cc!r} failed to say what it builds for: {answer.error}"
        )
    return answer.machine


def zig_target(target: Target) -> str:
    """zig's name for ``target``: ``aarch64-linux-gnu.2.17`` pins glibc to a manylinux tag."""
    if not target.facts.zig_target:
        raise CrosswheelError(
            f"zig cannot build for {target.triplet}",
            hint=f"zig has no SDK for it; {target.form(target.facts.compiler_hint)}",
        )
    return target.form(target.facts.zig_target)


def zig_targets() -> dict[str, list[str]] | None:
    """zig's own lists (``arch``, ``os``, ``abi``, ``libc``) from ``zig targets``, or None.

    ``zig targets`` prints JSON in older releases and ZON (Zig's own object
    notation, with the same keys) in newer ones; both are read.
    """
    try:
        out = subprocess.run(
            [sys.executable, "-m", "ziglang", "targets"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    try:
        data = json.loads(out)
        return {key: [str(v) for v in data.get(key, [])] for key in _ZIG_KEYS}
    except (ValueError, AttributeError):
        blocks = {m.group(1): m.group(2) for m in _ZON_BLOCK.finditer(out)}
        return {key: re.findall(r'"([^"]+)"', blocks.get(key, "")) for key in _ZIG_KEYS}


_ZIG_KEYS = ("arch", "os", "abi", "libc")
_ZON_BLOCK = re.compile(r"^    \.(\w+) = \.\{(.*?)^    \}", re.MULTILINE | re.DOTALL)


def zig_target_problem(ztarget: str, known: Mapping[str, list[str]]) -> str | None:
    """What is wrong with ``arch-os[.version][-abi[.version]]`` by zig's lists, or None."""
    parts = ztarget.split("-")
    if not ztarget or len(parts) not in (2, 3) or not all(parts):
        return "is not ARCH-OS-ABI (e.g. aarch64-linux-gnu.2.17)"
    wanted = [("arch", parts[0]), ("os", parts[1].split(".")[0])]
    if len(parts) == 3:
        wanted.append(("abi", parts[2].split(".")[0]))
    for key, value in wanted:
        if known.get(key) and value not in known[key] and value != "native":
            return f"has {key} {value!r}, which zig does not know"
    return None


def check_zig_target(ztarget: str) -> None:
    """``toolchain=zig:T`` fails before compiling when zig has no target T."""
    known = zig_targets()
    if known is None:
        return  # zig says nothing: its compiler will say it, with its own message
    problem = zig_target_problem(ztarget, known)
    if problem is None:
        return
    close = difflib.get_close_matches(ztarget.split(".")[0], known.get("libc", []), n=3)
    raise ConfigError(
        f"toolchain=zig:{ztarget}: {ztarget!r} {problem}",
        hint=(f"did you mean {' or '.join(close)}? " if close else "")
        + "python -m ziglang targets lists zig's targets (arch, os, abi); "
        + "or give toolchain=zig and crosswheel picks zig's name for the target",
    )


def _zig_toolchain(target: Target, spec: str, installed: bool, env: Mapping[str, str]) -> Toolchain:
    if installed and importlib.util.find_spec("ziglang") is None:
        raise CrosswheelError(
            "toolchain=zig needs the ziglang package in the build environment",
            hint="frontends install it from get_requires_for_build_wheel; without build "
            "isolation: pip install ziglang",
        )
    ztarget = spec.split(":", 1)[1].strip() if ":" in spec else zig_target(target)
    if ":" in spec and installed:
        check_zig_target(ztarget)
    zig = f"{shlex.quote(sys.executable)} -m ziglang"
    # PE targets: a wrapper keeps zig's import library and .pdb out of the wheel.
    compiler = (
        f"{shlex.quote(sys.executable)} -m crosswheel.target.zigwrap"
        if (target.facts.zig_implib)
        else zig
    )
    fc, fc_missing = users_fortran(target, env, zig_has_no_fortran(target))
    return Toolchain(
        cc=f"{compiler} cc -target {ztarget}",
        cxx=f"{compiler} c++ -target {ztarget}",
        ar=f"{zig} ar",
        strip=f"{zig} objcopy --strip-all",
        ranlib=f"{zig} ranlib",
        machine=ztarget,
        requires=("ziglang",),
        kind="zig",
        fc=fc,
        fc_missing=fc_missing,
    )


class CompilerSetup(Protocol):
    """What a family's ``compiler_setup`` hook says its compiler needs beyond PATH."""

    @property
    def env(self) -> dict[str, str]: ...
    @property
    def cxx_link(self) -> tuple[str, ...]: ...
    @property
    def caveat(self) -> str: ...


@dataclass(frozen=True)
class _NoSetup:
    env: dict[str, str] = dataclasses.field(default_factory=dict)
    cxx_link: tuple[str, ...] = ()
    caveat: str = ""


def _family_compiler(target: Target, env: Mapping[str, str]) -> str:
    """The C compiler a non-Linux family uses, found the way its SDK installs it: by the
    family module's ``find_compiler`` hook, or for WASI in ``$WASI_SDK_PATH``."""
    find = family_hook(target.facts, "find_compiler")
    found: str | None = find(target, env) if find is not None else None
    if found:
        return found
    if target.facts.compiler == "wasi-sdk" and env.get("WASI_SDK_PATH"):
        clang = Path(env["WASI_SDK_PATH"]) / "bin" / "clang"
        if clang.is_file():
            return f"{clang} --target=wasm32-wasi"
    raise CrosswheelError(
        f"no C compiler for {target.triplet} on this machine",
        hint=target.form(target.facts.compiler_hint) + "; or set CC (and CXX) to a compiler for it",
    )


def _compiler_setup(target: Target, cc: str, cxx: str, env: Mapping[str, str]) -> CompilerSetup:
    """The family module's ``compiler_setup`` hook (an old emcc made to fit), if any."""
    setup = family_hook(target.facts, "compiler_setup")
    found: CompilerSetup = setup(target, cc, cxx, env) if setup is not None else _NoSetup()
    return found


def _check_builds_for(target: Target, cc: str, machine: str) -> None:
    cpu = machine.split("-", 1)[0]
    arch = arch_by_name(cpu)
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
    if prefix is None and not env.get("CC") and target.facts.compiler == "zig":
        return _zig_toolchain(target, "zig", installed, env)
    if target.family != "linux" and prefix is None and not env.get("CC"):
        cc = _family_compiler(target, env)
        base = cc.rsplit("clang", 1)[0] if "clang" in cc else ""
        cxx = env.get("CXX") or (cc.replace("clang", "clang++") if "clang" in cc else "em++")
        setup = _compiler_setup(target, cc, cxx, env)
        machine = _dumpmachine(cc, {**env, **setup.env})
        _check_builds_for(target, cc, machine)
        fc, fc_missing = users_fortran(target, env, no_family_fortran(target))
        ar = env.get("AR") or (f"{base}llvm-ar" if base else "emar")
        return Toolchain(
            cc=cc,
            cxx=cxx,
            ar=ar,
            strip=env.get("STRIP") or f"{base}llvm-strip",
            ranlib=env.get("RANLIB") or (f"{base}llvm-ranlib" if base else "emranlib"),
            machine=machine,
            kind="user" if env.get("CC") else "emcc" if cc == "emcc" else "clang",
            fc=fc,
            fc_missing=fc_missing,
            env=tuple(sorted(setup.env.items())),
            cxx_link=setup.cxx_link,
            caveat=setup.caveat,
        )
    prefix = prefix if prefix is not None else f"{target.triplet}-"
    if env.get("CC"):
        cc = env["CC"]
        if _which(shlex.split(cc)[0]) is None:
            raise CrosswheelError(f"CC={cc!r} is not an executable on PATH")
    else:
        found = _which(f"{prefix}gcc") or _which(f"{prefix}cc")
        if found is None:
            hint = target.form(target.facts.compiler_hint)
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


# What the later stages ask of a toolchain's Fortran compiler.


def fortran_command(toolchain: Toolchain, workdir: Path) -> str:
    """The Fortran compiler the build is given: the real one, or the stand-in in ``workdir``."""
    if toolchain.fc is not None:
        return toolchain.fc
    message, hint = toolchain.fc_missing or ("there is no Fortran compiler", "set FC")
    stand_in = workdir / STAND_IN
    if not stand_in.exists():
        text = f"crosswheel: error: this build compiles Fortran, and {message}\n  hint: {hint}\n"
        write_script(
            stand_in,
            "# crosswheel: no Fortran compiler for this target. Build tools run this only\n"
            "# when the project uses Fortran; it says so and fails.\n"
            f"cat >&2 <<'CROSSWHEEL_EOF'\n{text}CROSSWHEEL_EOF\n"
            f": > {shlex.quote(str(workdir / USED_NOTE))}\n"
            "exit 1\n",
        )
    return str(stand_in)


def fortran_failure(toolchain: Toolchain, workdir: Path) -> CrosswheelError | None:
    """The message for a failed build that asked the stand-in for a Fortran compiler."""
    if toolchain.fc is not None or not (workdir / USED_NOTE).exists():
        return None
    message, hint = toolchain.fc_missing or ("there is no Fortran compiler", "set FC")
    return CrosswheelError(f"this build compiles Fortran, and {message}", hint=hint)


def describe_fortran(toolchain: Toolchain) -> str:
    """For progress lines, ``targets`` and ``doctor``."""
    if toolchain.fc is not None:
        return toolchain.fc
    message = toolchain.fc_missing[0] if toolchain.fc_missing else "no Fortran compiler"
    return f"none ({message}); needed only by Fortran sources"
