"""Proving a wheel on its target: install it there, import every extension, run the tests.

A cross-built wheel is only a promise until the target's own CPython has loaded
it. The target environment is a folder of wheels resolved *for the target* (its
platform tags, Python version and ABI, by the build machine's pip, which never
falls back to build-machine wheels or sdists); the target's interpreter, run
natively or under qemu-user, imports each extension module the wheel contains
and then runs the test command with its ``python`` first on PATH, as
cibuildwheel's test command does.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.tags import parse_tag

from crosswheel.errors import CrosswheelError
from crosswheel.prove.wasm import check_linked_symbols
from crosswheel.report import info
from crosswheel.scripts import write_script
from crosswheel.target.interpreter import TargetInterpreter
from crosswheel.target.names import Target
from crosswheel.target.packages import pip_for_target
from crosswheel.target.policies import accepted_platforms
from crosswheel.target.runtime import TargetRuntime
from crosswheel.wheel.binaries import WheelContents, read_wheel
from crosswheel.wheelfile import WheelName

_LEGACY_MANYLINUX = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
_IMPORT_ALL = """\
import importlib, json, sys
failures, circular = {}, {}
for name in sys.argv[1:]:
    print(name, file=sys.stderr, flush=True)
    try:
        importlib.import_module(name)
    except BaseException as exc:
        why = f"{type(exc).__name__}: {exc}"
        own = f"partially initialized module {name!r}"
        (circular if isinstance(exc, ImportError) and own in str(exc) else failures)[name] = why
print(json.dumps({"failures": failures, "circular": circular}))
"""
"""Run by the target's interpreter: each module's import error, by name.

A module whose own import comes back to it half-initialized (an ImportError naming
it "partially initialized") was loaded and its init ran: the binary is fine, and the
circle is in the package's Python code, on every platform (scipy 1.17.1's
``scipy.linalg._matfuncs_sqrtm_triu`` cannot be imported first, on x86_64 either).
"""


@dataclass(frozen=True)
class TargetTest:
    """What to run besides the imports, and where the target's wheels come from."""

    command: str | None = None
    """A shell command; ``{project}``, ``{package}`` and ``{wheel}`` are replaced."""
    requires: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()


def _glibc_of(runtime: TargetRuntime) -> tuple[int, int] | None:
    """The target's glibc version, from its own interpreter."""
    result = runtime.run(["-c", "import platform; print(platform.libc_ver()[1])"], timeout=120)
    match = re.match(r"(\d+)\.(\d+)", result.stdout.strip())
    return (int(match[1]), int(match[2])) if match else None


def extension_modules(contents: WheelContents, suffixes: Sequence[str]) -> list[str]:
    """Dotted names of the extension modules in a read wheel (``.data/platlib`` included).

    A member with the bare suffix (``.so``) is a module only if the binaries stage
    found its ``PyInit_<name>`` (a bundled library has none).
    """
    names = []
    for member in contents.members:
        path = re.sub(r"^[^/]+\.data/(platlib|purelib)/", "", member.name)
        if path.split("/", 1)[0].endswith((".dist-info", ".data")) or member.binary is None:
            continue
        suffix = next((s for s in suffixes if path.endswith(s)), None)
        if suffix is None:
            continue
        dotted = path[: -len(suffix)].replace("/", ".")
        last = dotted.rsplit(".", 1)[-1]
        if suffix == suffixes[-1] and f"PyInit_{last}" not in member.binary.init_functions:
            continue
        names.append(dotted)
    return sorted(names)


def check_wheel_fits(wheel: Path, target: Target, platforms: Sequence[str]) -> None:
    """Refuse, by name, a wheel built for another platform than the one being tested."""
    tags = parse_tag(WheelName.parse(wheel.name).tags)
    wanted = {*platforms, "any"}
    if not any(tag.platform in wanted for tag in tags):
        found = ", ".join(sorted({t.platform for t in tags}))
        raise CrosswheelError(
            f"{wheel.name} is for {found}, not {target.triplet}",
            hint="name the wheel's own target with --target",
        )


def install_for_target(
    wheels: Sequence[Path],
    site: Path,
    interpreter: TargetInterpreter,
    platforms: Sequence[str],
    test: TargetTest,
    offline: bool = False,
) -> None:
    """``wheels``, their dependencies and the test requirements, as target wheels, into ``site``.

    ``offline``: dependencies only from ``find_links`` (a wheelhouse is proven as it
    will be used, so a wheel it lacks, or holds only for another ABI, fails by name);
    the test requirements (pytest) may still come from the index after.
    """
    base = pip_for_target("install", interpreter, platforms)
    base += ["--target", str(site), "--no-compile", "--no-warn-script-location"]
    for links in test.find_links:
        base += ["--find-links", links]
    if offline:
        steps = [[*base, "--no-index", *map(str, wheels)]]
        steps += [[*base, *test.requires]] if test.requires else []
    else:
        steps = [[*base, *map(str, wheels), *test.requires]]
    for command in steps:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode == 0:
            continue
        errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR:")]
        detail = errors[0] if errors else (result.stderr.strip().splitlines() or ["pip failed"])[-1]
        names = ", ".join(w.name for w in wheels)
        if offline:
            raise CrosswheelError(
                f"the wheels do not install together for the target, offline: {detail}",
                hint="every dependency needs a wheel for the target in the --find-links "
                "folder: crosswheel build REQ --deps --target T -o DIR makes them all",
            )
        raise CrosswheelError(
            f"cannot install {names} with its dependencies for the target: {detail}",
            hint="a dependency needs a wheel for the target: build it with crosswheel build "
            "REQUIREMENT --target T and pass its folder with --find-links",
        )


def import_extensions(
    runtime: TargetRuntime, site: Path, modules: Sequence[str], wheel: Path
) -> None:
    """Import each module on the target; fail naming each one and the loader's message."""
    if not modules:
        return
    with tempfile.TemporaryDirectory(prefix="crosswheel-cwd-") as empty:
        result = runtime.run(["-c", _IMPORT_ALL, *modules], pythonpath=[site], cwd=Path(empty))
    where = runtime.target.triplet
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        trace = result.stderr.strip().splitlines()
        last = next((m for m in reversed(trace) if m in modules), "the interpreter")
        raise CrosswheelError(
            f"importing {last} from {wheel.name} crashed the interpreter on {where} "
            f"(exit status {result.returncode}): {trace[-1] if trace else ''}"
        )
    answer = json.loads(lines[-1])
    failures: dict[str, str] = answer["failures"]
    for name, why in answer["circular"].items():
        info(f"{name} loaded on {where}; imported on its own it meets a circular import ({why})")
    if failures:
        said = "; ".join(f"{name}: {why}" for name, why in failures.items())
        hint = None
        if "undefined symbol" in said:
            hint = "link the library that defines the symbol, or stop using it"
        elif "cannot open shared object file" in said:
            hint = "bundle the missing library in the wheel, or install it on the target"
        missing = re.findall(r"Library (\S+) \(which is needed by [^)]*\) not found", result.stderr)
        if missing:  # wine names the DLL; the loader's own message does not
            said += f" (missing DLL: {', '.join(dict.fromkeys(missing))})"
            hint = "bundle the DLL in the wheel (as delvewheel does), or link it statically"
        raise CrosswheelError(
            f"{', '.join(failures)} from {wheel.name} cannot be imported on {where}: {said}",
            hint=hint,
        )


def _console_scripts(site: Path) -> dict[str, str]:
    scripts: dict[str, str] = {}
    for entry_points in sorted(site.glob("*.dist-info/entry_points.txt")):
        parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read(entry_points, encoding="utf-8")
        if parser.has_section("console_scripts"):
            scripts.update(parser.items("console_scripts"))
    return scripts


def write_bin(runtime: TargetRuntime, bin_dir: Path, site: Path) -> None:
    """``python``, ``python3``, ``python3.X`` and the console scripts, all on the target."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    python = bin_dir / "python"
    runtime.write_launcher(python, [site])
    for alias in ("python3", f"python{runtime.python.name[len('python') :]}"):
        (bin_dir / alias).symlink_to("python")
    for name, spec in _console_scripts(site).items():
        module, _, attrs = spec.partition(":")
        code = (
            f"import importlib, sys\nf = importlib.import_module({module.strip()!r})\n"
            f"for a in {attrs.split('[')[0].strip()!r}.split('.'):\n    f = getattr(f, a)\n"
            f"sys.argv[0] = {name!r}\nsys.exit(f())\n"
        )
        write_script(
            bin_dir / name, f'exec {shlex.quote(str(python))} -c {shlex.quote(code)} "$@"\n'
        )


def expand_placeholders(command: str, wheel: Path, project: Path | None) -> str:
    """``command`` with cibuildwheel's placeholders replaced."""
    if project is None and ("{project}" in command or "{package}" in command):
        raise CrosswheelError(
            "the test command uses {project}, but no source folder is known here",
            hint="write the folder's path, or test from crosswheel build --test-command",
        )
    for key, value in (("{project}", project), ("{package}", project), ("{wheel}", wheel)):
        if value is not None:
            command = command.replace(key, str(value))
    return command


def run_test_command(
    runtime: TargetRuntime, env_dir: Path, site: Path, command: str, wheel: Path
) -> None:
    bin_dir = env_dir / "bin"
    write_bin(runtime, bin_dir, site)
    env = runtime.environment()
    env.pop("PYTHONHOME", None)
    env.pop("PYTHONNOUSERSITE", None)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', os.defpath)}"
    work = env_dir / "cwd"  # not the source tree: the installed wheel is what is tested
    work.mkdir()
    info(f"running the test command on {runtime.target.triplet}: {command}")
    status = subprocess.run(["/bin/sh", "-c", command], cwd=work, env=env, check=False)
    if status.returncode != 0:
        raise CrosswheelError(
            f"the test command failed for {wheel.name} on {runtime.target.triplet} "
            f"(exit status {status.returncode})",
            hint=f"its output is above; the wheel is {wheel}",
        )


def prove_wheels(
    wheels: Sequence[Path],
    runtime: TargetRuntime,
    interpreter: TargetInterpreter,
    test: TargetTest,
    project: Path | None = None,
    offline: bool = False,
) -> float:
    """Install ``wheels`` into one target environment, import every extension, run the test.

    Return the seconds it took. Several wheels (a wheelhouse) are proven as they will
    be used: together and, with ``offline``, from nothing but themselves and
    ``--find-links``.
    """
    started = time.monotonic()
    for wheel in wheels:
        if not wheel.is_file() or not wheel.name.endswith(".whl"):
            raise CrosswheelError(f"{wheel} is not a wheel file", hint="give .whl files")
    listed = Path(" ".join(shlex.quote(str(w)) for w in wheels))
    command = expand_placeholders(test.command, listed, project) if test.command else None
    target = runtime.target
    glibc = _glibc_of(runtime) if target.facts.tag_policy == "manylinux" else None
    platforms = accepted_platforms(target, glibc)
    for wheel in wheels:
        check_wheel_fits(wheel, target, platforms)
    what = wheels[0].name if len(wheels) == 1 else f"{len(wheels)} wheels together"
    with tempfile.TemporaryDirectory(prefix="crosswheel-test-") as scratch:
        env_dir = Path(scratch)
        site = env_dir / "site"
        where = "offline" if offline else "into a target environment"
        info(f"installing {what} for {target.triplet}, {where}")
        install_for_target(wheels, site, interpreter, platforms, test, offline)
        for wheel in wheels:
            modules = extension_modules(read_wheel(wheel), interpreter.extension_suffixes)
            if runtime.main_module is not None:
                check_linked_symbols(runtime.main_module, site, wheel)
            info(f"importing {len(modules)} extension module(s) with {runtime.describe()}")
            import_extensions(runtime, site, modules, wheel)
        if command:
            run_test_command(runtime, env_dir, site, command, wheels[0])
    seconds = time.monotonic() - started
    info(f"proved {what} on {target.triplet} in {seconds:.1f} s")
    return seconds


def prove_wheel(
    wheel: Path,
    runtime: TargetRuntime,
    interpreter: TargetInterpreter,
    test: TargetTest,
    project: Path | None = None,
) -> float:
    """One wheel on its target, dependencies from the index and ``--find-links``."""
    return prove_wheels([wheel], runtime, interpreter, test, project)
