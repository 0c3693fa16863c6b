"""What a failed build's own output says, turned into one message.

A crashed compiler, or a dependency the build machine has but the target lacks.

A cross compiler that crashes (an internal compiler error, or cc1 killed) is not
the project's fault and not crosswheel's: the user needs to know which compiler,
which version, which file, and which other toolchain to try for the target.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sysconfig
from pathlib import Path

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


# What a build that misses a dependency says, by the tool that says it.
_MISSING = (
    # pkg-config / pkgconf, Meson, CMake's FindPkgConfig
    (
        "pkg-config",
        re.compile(r"Package '?([\w.+-]+)'?,? (?:required by [^,]+, )?(?:was )?not found"),
    ),
    ("pkg-config", re.compile(r"No package '([\w.+-]+)' found")),
    (
        "pkg-config",
        re.compile(r'(?:Run-time )?[Dd]ependency "?([\w.+-]+)"? (?:found: NO|not found)'),
    ),
    # *-config programs: sh, bash, Python's subprocess
    (
        "program",
        re.compile(
            r"(?:^|[\s'\"])([\w.+-]+-config)(?:: (?:\d+: )?(?:[\w.+-]+: )?"
            r"(?:command )?not found)",
            re.M,
        ),
    ),
    ("program", re.compile(r"No such file or directory: '([\w.+-]+-config)'")),
    # the compiler and the linker
    ("header", re.compile(r"fatal error: ([\w./+-]+\.h(?:pp|h)?): No such file or directory")),
    ("library", re.compile(r"cannot find -l([\w.+-]+)")),
)


def _host_owner(path: Path) -> str | None:
    """The Debian package that installed ``path`` on this machine (``dpkg -S``), if any."""
    if shutil.which("dpkg") is None:
        return None
    for candidate in dict.fromkeys([path, path.resolve()]):
        try:
            out = subprocess.run(
                ["dpkg", "-S", str(candidate)], capture_output=True, text=True, timeout=30
            )
        except (OSError, subprocess.SubprocessError):
            return None
        if out.returncode == 0 and out.stdout.strip():
            # "libgeos-dev:amd64: /usr/bin/geos-config" (or "a, b: path")
            owner = out.stdout.splitlines()[0].rsplit(": ", 1)[0].split(",")[0]
            return owner.strip().split(":")[0]
    return None


def _host_multiarch() -> str:
    return str(sysconfig.get_config_var("MULTIARCH") or "")


def _host_path(kind: str, name: str) -> Path | None:
    """Where this machine has ``name`` (a pkg-config package, program, header or library)."""
    multiarch = _host_multiarch()
    if kind == "pkg-config":
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("PKG_CONFIG_LIBDIR", "PKG_CONFIG_SYSROOT_DIR", "PKG_CONFIG_PATH")
        }
        try:
            out = subprocess.run(
                ["pkg-config", "--variable=pcfiledir", name],
                capture_output=True,
                text=True,
                env=env,
                timeout=30,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        folder = out.stdout.strip()
        return Path(folder) / f"{name}.pc" if out.returncode == 0 and folder else None
    if kind == "program":
        found = shutil.which(name)
        return Path(found) if found else None
    if kind == "header":
        folders = [Path("/usr/include") / multiarch, Path("/usr/include")]
        return next((f / name for f in folders if (f / name).is_file()), None)
    folders = [Path("/usr/lib") / multiarch, Path("/lib") / multiarch, Path("/usr/lib")]
    names = (f"lib{name}.so", f"lib{name}.a")
    return next((f / n for f in folders for n in names if (f / n).exists()), None)


_KIND_WORDS = {
    "pkg-config": "the pkg-config package {}",
    "program": "the program {}",
    "header": "the header {}",
    "library": "the library -l{}",
}


def missing_names(output: str) -> list[tuple[str, str]]:
    """What a build's output says it did not find: ``(kind, name)``, in the patterns' order."""
    found = [(kind, m.group(1)) for kind, pattern in _MISSING for m in pattern.finditer(output)]
    return list(dict.fromkeys(found))


def missing_for_target(output: str, target: Target) -> CrosswheelError | None:
    """The error for a build that misses a dependency the build machine has, or None.

    The build's output names what was not found (a pkg-config package, a ``*-config``
    program, a header, a library); when this machine has it, ``dpkg -S`` names the
    Debian package, which ``target-system-packages`` fetches for the target.
    """
    for kind, name in missing_names(output):
        path = _host_path(kind, name)
        if path is not None:
            return missing_error(_KIND_WORDS[kind].format(name), path, _host_owner(path), target)
    return None


def missing_error(what: str, path: Path, owner: str | None, target: Target) -> CrosswheelError:
    """The one message for ``what``, which this machine has at ``path`` (from ``owner``)."""
    if owner is None:
        return CrosswheelError(
            f"the build needs {what}: this machine has it ({path}) but not for {target.triplet}",
            hint="give the target's copy with -C library-path, CPPFLAGS and PKG_CONFIG_PATH, "
            "or its Debian package with -C target-system-packages=PACKAGE",
        )
    arch = target.arch.debian_arch
    also = f" (or apt-get install {owner}:{arch} where it is Multi-Arch: same)" if arch else ""
    return CrosswheelError(
        f"the build needs {what}, which the Debian package {owner} provides: this machine "
        f"has it for itself ({path}) but not for {target.triplet}",
        hint=f"fetch it for the target: -C target-system-packages={owner}{also}",
    )
