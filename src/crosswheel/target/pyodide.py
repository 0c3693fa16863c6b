"""Pyodide's ABIs, its runtime, headers and emscripten: everything Pyodide-only.

A Pyodide ABI fixes CPython's minor version and the emscripten version every side
module must be compatible with (pyodide-lock.json in each npm ``pyodide`` release).
pyodide-build gets its cross-build environment from GitHub; crosswheel needs only
the npm runtime (fetched with ``npm pack``): its ``python_stdlib.zip`` holds the
target's sysconfig data, from which a ``pyconfig.h`` is written next to a copy of the
build Python's own headers (same major.minor; ``Python.h`` includes ``"pyconfig.h"``
from its own folder, so the whole folder is copied).

The stages reach it through the emscripten row's hooks (``families.family_hook``):
the target-python reader, the compiler and its setup, ``crosswheel doctor``'s lines.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
import shlex
import shutil
import subprocess
import sysconfig
import tarfile
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from crosswheel.errors import CrosswheelError, MissingTool
from crosswheel.report import info
from crosswheel.scripts import write_script
from crosswheel.target.cache import is_complete, make_once, user_cache
from crosswheel.target.families import PYODIDE_ABIS, PyodideABI
from crosswheel.target.interpreter import (
    TargetInterpreter,
    check_matches,
    from_sysconfigdata,
)
from crosswheel.target.names import Target


class ResolvedBuild(Protocol):
    """What ``doctor_lines`` reads of a ``resolve.CrossBuild`` (named here without importing
    it: ``resolve`` comes after this module)."""

    @property
    def interpreter(self) -> Any: ...
    @property
    def toolchain(self) -> Any: ...


ABIS = PYODIDE_ABIS
"""Known ABIs, oldest first (the family row's table)."""
DEFAULT_ABI = ABIS[-1]
SYSCONFIG_MEMBER = re.compile(r"^_sysconfigdata_.*emscripten.*\.py$")


def abi_for_python(version: tuple[int, int]) -> PyodideABI | None:
    """The ABI whose CPython is ``version`` (major, minor), if Pyodide has one."""
    return next((abi for abi in ABIS if abi.python == tuple(version[:2])), None)


def abi_for_tag(tag: str) -> PyodideABI | None:
    """The ABI a wheel platform tag names, if known."""
    return next((abi for abi in ABIS if abi.tag == tag), None)


# The runtime: npm's pyodide package, unpacked.


def is_runtime(folder: Path) -> bool:
    """Whether ``folder`` is an unpacked npm ``pyodide`` package."""
    return (folder / "pyodide.asm.wasm").is_file() and (folder / "python_stdlib.zip").is_file()


def runtime_version(folder: Path) -> str:
    """The npm package's version (``0.29.3``), from its package.json."""
    text = (folder / "package.json").read_text(encoding="utf-8") if folder.is_dir() else ""
    match = re.search(r'"version"\s*:\s*"([^"]+)"', text)
    return match[1] if match else "unknown"


def fetch_runtime(abi: PyodideABI) -> Path:
    """The npm ``pyodide`` runtime of ``abi``, in the user's cache (fetched with npm once)."""
    root = user_cache() / "pyodide" / abi.pyodide_version
    if is_complete(root) and is_runtime(root):
        return root
    npm = shutil.which("npm")
    if npm is None:
        raise CrosswheelError(
            f"no Pyodide {abi.pyodide_version} runtime here, and no npm to fetch it",
            hint="install npm (apt-get install npm), or unpack the npm package pyodide@"
            f"{abi.pyodide_version} and pass its folder with -C target-python=DIR",
        )
    info(f"fetching Pyodide {abi.pyodide_version} with npm pack into {root} (once)")

    def unpack(out: Path) -> None:
        scratch = out.parent
        result = subprocess.run(
            [npm, "pack", "--silent", f"pyodide@{abi.pyodide_version}"],
            cwd=scratch,
            capture_output=True,
            text=True,
            check=False,
        )
        packed = sorted(scratch.glob("pyodide-*.tgz"))
        if result.returncode != 0 or not packed:
            last = (result.stderr.strip().splitlines() or ["no package"])[-1]
            raise CrosswheelError(
                f"npm pack pyodide@{abi.pyodide_version} failed: {last}",
                hint="check npm's registry access, or pass an unpacked runtime with "
                "-C target-python=DIR",
            )
        unpacked = scratch / "runtime"
        with tarfile.open(packed[0]) as archive:
            archive.extractall(unpacked, filter="data")
        os.replace(unpacked / "package", out)

    if root.exists() and not is_runtime(root):
        shutil.rmtree(root)  # marked whole, but not a runtime: fetch again
    return make_once(root, unpack)


def runtime_sysconfig(folder: Path) -> tuple[str, dict[str, Any]]:
    """The runtime's ``build_time_vars`` (from ``python_stdlib.zip``) and the member's name."""
    stdlib = folder / "python_stdlib.zip"
    try:
        with zipfile.ZipFile(stdlib) as archive:
            names = [n for n in archive.namelist() if SYSCONFIG_MEMBER.match(n)]
            text = archive.read(names[0]).decode("utf-8") if names else ""
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        raise CrosswheelError(f"cannot read {stdlib}: {exc}") from None
    for node in ast.parse(text).body if text else ():
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "build_time_vars" for t in node.targets
        ):
            value = ast.literal_eval(_Unformat().visit(node.value))
            if isinstance(value, dict):
                return names[0], value
    raise CrosswheelError(
        f"{stdlib} has no _sysconfigdata_*emscripten*.py with build_time_vars",
        hint="point target-python at an unpacked npm pyodide package",
    )


class _Unformat(ast.NodeTransformer):
    """f-strings over ``PYODIDE_ROOT`` (Pyodide's build folder) as plain strings, unevaluated.

    Pyodide's data computes paths from an environment variable; they name folders
    of Pyodide's build machine, which crosswheel never uses.
    """

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue) and isinstance(value.value, ast.Name):
                parts.append("/" + value.value.id)
            else:
                return node
        return ast.Constant("".join(parts))


def find_sysconfigdata(folder: Path) -> Path | None:
    """The emscripten ``_sysconfigdata_*.py`` in a cross-build environment (xbuildenv)."""
    found = sorted(p for p in folder.rglob("_sysconfigdata_*.py") if "emscripten" in p.name)
    return found[0] if found else None


# Headers: the build Python's, with the runtime's pyconfig.h.

_DEFINE = re.compile(r"^#define ([A-Z][A-Za-z0-9_]+)(?: (.*))?$")
_UNDEF = re.compile(r"^/\* #undef ([A-Z][A-Za-z0-9_]+) \*/$")


def _render(name: str, value: Any, zero_is_define: bool = False) -> str:
    if value == 0 and isinstance(value, int) and not zero_is_define:
        return f"/* #undef {name} */"
    return f"#define {name}" if value == "" else f"#define {name} {value}"


def render_pyconfig(config_vars: Mapping[str, Any], template: str) -> str:
    """A ``pyconfig.h`` for ``config_vars``, laid out as ``template`` (same minor version).

    sysconfig records every upper-case macro of pyconfig.h (``#undef`` as 0) but not
    the feature-test macros (``_GNU_SOURCE``): those, and the guard, come from a
    pyconfig.h of the same minor version from any platform. A template macro the
    target lacks is undefined; a target macro the template lacks is appended.
    """
    out: list[str] = []
    used: set[str] = set()
    for line in template.splitlines():
        define, undef = _DEFINE.match(line), _UNDEF.match(line)
        name = define[1] if define else undef[1] if undef else None
        if name is None or name == "Py_PYCONFIG_H":
            out.append(line)
        elif name in config_vars:
            used.add(name)
            zero = bool(define) and (define[2] or "").strip() == "0" if define else False
            out.append(_render(name, config_vars[name], zero_is_define=zero))
        else:
            out.append(f"/* #undef {name} */ /* not in the target's sysconfig data */")
    extras = [
        _render(name, value)
        for name, value in sorted(config_vars.items())
        if name not in used
        and re.match(r"^(HAVE|SIZEOF|ALIGNOF|WITH|USE)_", name)
        and isinstance(value, int)
        and value != 0
    ]
    if extras:
        end = max(i for i, line in enumerate(out) if line.startswith("#endif"))
        out[end:end] = ["/* in the target's sysconfig data, not in the template */", *extras]
    return "\n".join(out) + "\n"


def write_headers(
    runtime: Path, config_vars: Mapping[str, Any], build_include: Path, short: str
) -> Path:
    """``python{short}`` headers for the runtime: ``build_include`` + a written pyconfig.h.

    Cached per runtime and per build headers' folder (once).
    """
    template = build_include / "pyconfig.h"
    if not (build_include / "Python.h").is_file() or not template.is_file():
        raise CrosswheelError(
            f"the build Python's headers are missing ({build_include})",
            hint=f"install CPython {short}'s headers (python{short}-dev) for the build Python",
        )
    key = re.sub(r"[^A-Za-z0-9]+", "-", str(build_include)).strip("-")
    out = user_cache() / "pyodide" / "headers" / f"{runtime_version(runtime)}-{key}"
    include = out / f"python{short}"

    def write(made: Path) -> None:
        shutil.copytree(build_include, made / f"python{short}", symlinks=False)
        text = render_pyconfig(config_vars, template.read_text(encoding="utf-8"))
        (made / f"python{short}" / "pyconfig.h").write_text(text, encoding="utf-8")

    make_once(out, write)
    return include


# emscripten: the compiler, its version, and what an older one needs.


@dataclass(frozen=True)
class EmscriptenSetup:
    """What emcc needs to build side modules for an ABI, beyond being on PATH."""

    version: str | None
    env: dict[str, str] = field(default_factory=dict)
    """EM_* variables: a newer clang for an old emcc driver, a patched cache."""
    cxx_link: tuple[str, ...] = ()
    """Objects every C++ side module links (the libc++ 14 compat object)."""
    caveat: str = ""
    """Why its modules are at risk, when emcc is not the ABI's emscripten: warned once
    per build (the backend resolves the toolchain in every hook, each its own process)."""


RISKS = (
    "C++ exceptions, setjmp/longjmp, and any struct or libc++ inline code that changed "
    "between the two versions"
)


def emcc_version(emcc: str, env: Mapping[str, str]) -> str | None:
    """emcc's version (``3.1.6``), from ``emcc --version``."""
    try:
        out = subprocess.run(
            [emcc, "--version"], capture_output=True, text=True, env=dict(env), timeout=120
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"\b(\d+\.\d+\.\d+)\b", out.stdout)
    return match[1] if match else None


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


def _emscripten_cache(emcc: str) -> Path | None:
    """The emscripten installation's own cache (its sysroot), e.g. Debian's."""
    found = shutil.which(emcc)
    real = Path(os.path.realpath(found)) if found else None
    for candidate in (real.parent / "cache" if real else None, Path("/usr/share/emscripten/cache")):
        if candidate is not None and (candidate / "sysroot" / "include").is_dir():
            return candidate
    return None


_STAT_H = """\
/* crosswheel: emscripten >= 3.1.4x's layout (no padding fields, 64-bit time_t timespecs) */
struct stat {
\tdev_t st_dev; mode_t st_mode; nlink_t st_nlink; uid_t st_uid; gid_t st_gid;
\tdev_t st_rdev; off_t st_size; blksize_t st_blksize; blkcnt_t st_blocks;
\tstruct timespec st_atim; struct timespec st_mtim; struct timespec st_ctim;
\tino_t st_ino;
};
"""


def _time64_cache(system: Path, version: str) -> Path:
    """A copy of an old emscripten's cache whose sysroot has 64-bit ``time_t`` (once)."""
    out = user_cache() / "emscripten" / f"{version}-time64-cache"
    if is_complete(out):
        return out
    info(f"writing a 64-bit time_t sysroot for emcc {version} into {out} (once)")

    def write(made: Path) -> None:
        (made / "sysroot").mkdir(parents=True)
        shutil.copytree(system / "sysroot" / "include", made / "sysroot" / "include")
        for sub in ("lib", "bin"):
            if (system / "sysroot" / sub).exists():
                (made / "sysroot" / sub).symlink_to(system / "sysroot" / sub)
        for stamp in system.glob("*.stamp"):
            shutil.copy(stamp, made / stamp.name)
        (made / "cache.lock").touch()
        types = made / "sysroot" / "include" / "bits" / "alltypes.h"
        text = types.read_text(encoding="utf-8")
        for name in ("time_t", "suseconds_t"):
            text = text.replace(f"typedef long {name};", f"typedef _Int64 {name};")
        types.write_text(text, encoding="utf-8")
        (made / "sysroot" / "include" / "bits" / "stat.h").write_text(_STAT_H, encoding="utf-8")

    return make_once(out, write)


_COMPAT_CPP = """\
// crosswheel: libc++ 14's headers (old emscripten) reference these; the libc++ of
// newer runtimes no longer exports them. Weak definitions: duplicates are harmless.
#include <string>
#include <vector>
template class std::__basic_string_common<true>;
template class std::__vector_base_common<true>;
"""


def _compat_object(emxx: str, version: str, env: Mapping[str, str], eh_flags: str) -> Path:
    out = user_cache() / "emscripten" / f"{version}-libcxx14-compat-{len(eh_flags)}.o"
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".compat-", dir=out.parent) as scratch:
        source = Path(scratch) / "compat.cpp"
        source.write_text(_COMPAT_CPP, encoding="utf-8")
        made = Path(scratch) / "compat.o"
        command = [emxx, "-O2", "-fPIC", *eh_flags.split(), "-c", str(source), "-o", str(made)]
        result = subprocess.run(command, capture_output=True, text=True, env=dict(env))
        if result.returncode != 0:
            raise CrosswheelError(f"em++ cannot build the libc++ 14 compat object: {result.stderr}")
        os.replace(made, out)
    return out


def _newer_clang(env: Mapping[str, str]) -> str | None:
    """The version suffix of an installed clang/wasm-ld/llvm-nm set new enough for the ABI."""
    path = env.get("PATH")
    for major in ("21", "20", "19"):
        if all(
            shutil.which(f"{tool}-{major}", path=path) for tool in ("clang", "wasm-ld", "llvm-nm")
        ):
            return major
    return None


OLD_DRIVER = (3, 1, 40)
"""Before this emscripten, the sysroot has a 32-bit time_t and libc++ 14."""


def emscripten_setup(
    emcc: str, emxx: str, abi: PyodideABI, environ: Mapping[str, str]
) -> EmscriptenSetup:
    """Check emcc against the ABI's emscripten; make an older emcc driver fit where it can.

    Debian's emcc 3.1.6 with clang 14 builds modules that load but break at run
    time (old setjmp ABI, 32-bit time_t). Run with a clang of 19 or newer
    (``EM_LLVM_ADD_VERSION``), a sysroot patched for 64-bit time_t and a libc++ 14
    compat object, its modules load and run in Pyodide 0.29 (see the README).
    """
    env = dict(environ)
    version = emcc_version(emcc, env)
    if version is None or _version_tuple(version) >= OLD_DRIVER:
        if (
            version is not None
            and _version_tuple(version)[:2] != _version_tuple(abi.emscripten_version)[:2]
        ):
            return EmscriptenSetup(
                version,
                caveat=f"emcc {version} is not Pyodide {abi.pyodide_version}'s emscripten "
                f"{abi.emscripten_version}; at risk: {RISKS}",
            )
        return EmscriptenSetup(version)
    extra: dict[str, str] = {}
    major = _newer_clang(env)
    if major is None:
        raise CrosswheelError(
            f"emcc {version} with its own clang builds modules Pyodide {abi.pyodide_version} "
            "cannot run (setjmp/longjmp and time_t ABIs changed)",
            hint=f"install emsdk {abi.emscripten_version} (set EMSDK), or clang-19 lld-19 "
            "llvm-19 for crosswheel to drive this emcc with",
        )
    extra["EM_LLVM_ADD_VERSION"] = extra["EM_CLANG_ADD_VERSION"] = major
    system = _emscripten_cache(emcc)
    if system is not None and not env.get("EM_CACHE"):
        types = system / "sysroot" / "include" / "bits" / "alltypes.h"
        if "typedef long time_t;" in types.read_text(encoding="utf-8", errors="replace"):
            extra["EM_CACHE"] = str(_time64_cache(system, version))
    compat = _compat_object(emxx, version, {**env, **extra}, abi.eh_flags)
    caveat = (
        f"emcc {version} (driving clang {major}) is not Pyodide {abi.pyodide_version}'s "
        f"emscripten {abi.emscripten_version}; crosswheel patches its sysroot for 64-bit "
        f"time_t and links C++ with a libc++ 14 compat object; at risk: {RISKS}. For "
        f"release wheels use emsdk {abi.emscripten_version}"
    )
    return EmscriptenSetup(version, extra, (str(compat),), caveat)


def doctor_lines(build: ResolvedBuild) -> list[str]:
    """``crosswheel doctor``'s lines for Pyodide: the ABI, emcc, and where the pieces came from."""
    interp, tool = build.interpreter, build.toolchain
    abi = abi_for_python(interp.version)
    lines = []
    if abi is not None:
        lines.append(
            f"Pyodide:       {abi.pyodide_version} (CPython {abi.python_patch}, "
            f"{abi.tag}, built with emscripten {abi.emscripten_version})"
        )
    version = emcc_version(tool.cc, {**os.environ, **dict(tool.env)})
    found = shutil.which(shlex.split(tool.cc)[0]) if tool.cc else None
    where = os.path.realpath(found) if found else tool.cc
    driven = " ".join(f"{k}={v}" for k, v in tool.env)
    lines.append(
        f"emscripten:    emcc {version or '(version unknown)'} at {where}"
        + (f", run with {driven}" if driven else "")
    )
    runtime, _, headers = interp.origin.partition("; headers: ")
    lines.append(f"runtime:       {interp.source.parent}" + (f" ({runtime})" if runtime else ""))
    lines.append(f"headers:       {interp.include_dir}" + (f" ({headers})" if headers else ""))
    if tool.caveat:
        lines.append(f"caveat:        {tool.caveat}")
    return lines


# Running it: a python3.X launcher that is Pyodide under node.

RUNNER = Path(__file__).with_name("pyodide_runner.mjs")
"""The node program that starts Pyodide like a ``python`` command line (package data)."""


def node_launcher(runtime: Path, short: str) -> Path:
    """A ``python{short}`` script that runs Pyodide from ``runtime`` under node.

    It mounts the host folders it is given (``PYTHONPATH``, the working folder,
    script paths) at their own paths, so that ``python -m pytest tests`` works.
    """
    node = shutil.which("node")
    if node is None:
        raise CrosswheelError(
            "running Pyodide needs node (18 or newer)",
            hint="install it: apt-get install nodejs",
        )
    key = re.sub(r"[^A-Za-z0-9]+", "-", str(RUNNER)).strip("-")
    launcher = runtime / "crosswheel-bin" / key / f"python{short}"
    command = shlex.join([node, str(RUNNER), "--runtime", str(runtime)])
    body = f'# crosswheel: Pyodide\'s CPython under node\nexec {command} "$@"\n'
    launcher.parent.mkdir(parents=True, exist_ok=True)
    return write_script(launcher, body)


# Hooks of the emscripten row (families.family_hook).


def read_target_python(
    given: Path | None, target: Target, build_version: tuple[int, int]
) -> TargetInterpreter:
    """Pyodide: a cross-build environment folder, or the npm runtime (given or fetched).

    The runtime's sysconfig data comes from its ``python_stdlib.zip``; its headers are
    the build Python's (same major.minor) with a ``pyconfig.h`` written from that data.
    """
    abi = target.abi
    assert abi is not None
    if given is not None and given.is_dir() and is_runtime(given):
        runtime, how = given, "given as target-python"
    elif given is not None and given.is_dir():
        data = find_sysconfigdata(given)
        if data is None:
            raise CrosswheelError(
                f"{given} is neither a Pyodide runtime (pyodide.asm.wasm, python_stdlib.zip) "
                "nor a cross-build environment (an emscripten _sysconfigdata_*.py)",
                hint="give the unpacked npm pyodide package, or pyodide-build's xbuildenv",
            )
        found = from_sysconfigdata(data, target, build_version)
        origin = f"headers and sysconfig data from the cross-build environment {given}"
        return dataclasses.replace(found, origin=origin)
    elif abi.python != build_version:
        want = "{}.{}".format(*abi.python)
        raise MissingTool(
            f"Pyodide {abi.pyodide_version} ({abi.tag}) is CPython {want}, but crosswheel runs "
            f"on Python {build_version[0]}.{build_version[1]}",
            hint=f"build with a Python {want}, or name the ABI of your build Python by its tag "
            f"({', '.join(a.tag for a in ABIS)})",
        )
    else:
        runtime, how = fetch_runtime(abi), "from crosswheel's cache (npm pack)"
    name, raw = runtime_sysconfig(runtime)
    source = runtime / "python_stdlib.zip"
    check_matches(target, raw, source, build_version)
    short = f"{build_version[0]}.{build_version[1]}"
    build_include = Path(sysconfig.get_paths()["include"])
    include = write_headers(runtime, raw, build_include, short)
    config_vars = dict(raw, INCLUDEPY=str(include), CONFINCLUDEPY=str(include))
    ext_suffix = str(config_vars["EXT_SUFFIX"])
    return TargetInterpreter(
        config_vars=config_vars,
        version=build_version,
        source=source,
        sysroot=None,
        include_dir=include,
        config_h=include / "pyconfig.h",
        extra_include_dirs=(),
        extension_suffixes=(ext_suffix, ".abi3.so", ".so"),
        origin=f"Pyodide {runtime_version(runtime)} runtime {how}; headers: the build "
        f"Python's ({build_include}) with pyconfig.h written from the runtime's {name} into "
        f"{include}",
    )


def find_compiler(target: Target, env: Mapping[str, str]) -> str | None:
    """emcc: on PATH, or in ``$EMSDK`` (None: neither)."""
    if shutil.which("emcc", path=env.get("PATH")):
        return "emcc"
    if env.get("EMSDK"):
        emcc = Path(env["EMSDK"]) / "upstream" / "emscripten" / "emcc"
        if emcc.is_file():
            return str(emcc)
    return None


def compiler_setup(target: Target, cc: str, cxx: str, env: Mapping[str, str]) -> EmscriptenSetup:
    """emcc checked against the target's Pyodide ABI (nothing for another compiler)."""
    abi = target.abi
    if abi is None or not cc.endswith("emcc"):
        return EmscriptenSetup(None)
    emxx = str(Path(cc).with_name("em++")) if "/" in cc else "em++"
    return emscripten_setup(cc, emxx if cxx == "em++" else cxx, abi, env)
