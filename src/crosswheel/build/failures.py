"""What a failed build's own output says, turned into one message: a crashed compiler.

A cross compiler that crashes (an internal compiler error, or cc1 killed) is not
the project's fault and not crosswheel's: the user needs to know which compiler,
which version, which file, and which other toolchain to try for the target.
"""

from __future__ import annotations

import re
import shlex
import subprocess

from crosswheel.errors import CrosswheelError
from crosswheel.target.names import Target
from crosswheel.target.toolchain import Toolchain

_ICE = re.compile(
    r"^(?:(?P<where>[^\s:][^:\n]*\.\w+):\d+(?::\d+)?: )?(?:(?P<who>\S+): )?"
    r"internal compiler error: ?(?P<what>.*)$",
    re.MULTILINE,
)
_CLANG_CRASH = re.compile(r"^(?P<who>\S*clang\S*): error: clang frontend command failed", re.M)
_SOURCE = re.compile(r"\s-c\s+(?:\S+\s+)*?(?P<file>\S+\.(?:c|cc|cpp|cxx|C|m|f|f90|F90))\b")


def compiler_crash(output: str, target: Target, toolchain: Toolchain) -> CrosswheelError | None:
    """The error for a build whose output shows a crashed compiler, or None."""
    match = _ICE.search(output) or _CLANG_CRASH.search(output)
    if match is None:
        return None
    groups = match.groupdict()
    compiler = groups.get("who") or (toolchain.cc_argv[0] if toolchain.cc_argv else "the compiler")
    where = groups.get("where") or _last_source(output[: match.start()], compiler)
    what = (groups.get("what") or "").strip()
    return CrosswheelError(
        f"the cross compiler {compiler} ({_version(compiler)}) crashed: an internal compiler "
        f"error{f' ({what})' if what else ''}"
        + (f" compiling {where}" if where else "")
        + "; the compiler failed, not the project's code",
        hint=_other_toolchains(target, toolchain)
        + "; or lower the optimization for that file (CFLAGS=-O1), and report the crash "
        "to the compiler's distributor",
    )


def _last_source(before: str, compiler: str) -> str | None:
    """The source file of the last compile command before the crash."""
    for line in reversed(before.splitlines()):
        found = _SOURCE.search(line)
        if found and (compiler in line or not compiler):
            return found.group("file")
    return None


def _version(compiler: str) -> str:
    try:
        out = subprocess.run(
            [*shlex.split(compiler), "--version"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return "version unknown"
    first = out.stdout.strip().splitlines()
    if not first:
        return "version unknown"
    name = shlex.split(compiler)[0]
    return first[0].removeprefix(name).strip() or first[0]


def _other_toolchains(target: Target, toolchain: Toolchain) -> str:
    """The other toolchains crosswheel can build ``target`` with."""
    options = []
    if toolchain.kind != "zig" and target.facts.zig_target:
        options.append("-C toolchain=zig (zig cc, clang-based; pip-installed)")
    if toolchain.kind != "gcc" and target.family == "linux":
        options.append(f"-C toolchain={target.triplet}- (the GCC cross compiler)")
    if target.family == "linux":
        options.append(
            f"another GCC release by its prefix (-C toolchain=/opt/cross/bin/{target.triplet}-)"
        )
    options.append("a compiler of your own in CC/CXX")
    return "build with another toolchain for " + target.triplet + ": " + ", ".join(options)
