"""The command line: ``crosswheel build|test|targets|doctor|inspect|fix``.

Packagers build other people's projects: ``build`` takes a source folder, an
sdist or a requirement, wraps whatever backend the project declares and leaves
its files alone. The other commands show what this machine can build for, why
a build sees what it sees, and what is inside a wheel. Every failure is one
``crosswheel: error: ...`` line (and a hint) with a non-zero exit status.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from packaging.utils import canonicalize_name

from crosswheel import __version__
from crosswheel.build.shim import ENV_VAR
from crosswheel.config import CrossConfig
from crosswheel.errors import CrosswheelError
from crosswheel.report import info, set_verbosity

if TYPE_CHECKING:
    from crosswheel.cli.parallel import TargetResult
    from crosswheel.target.names import Target


def _settings(pairs: Sequence[str]) -> dict[str, str | list[str]]:
    """``-C KEY=VALUE`` pairs as config settings; a repeated key becomes a list (as in build)."""
    settings: dict[str, str | list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise CrosswheelError(f"-C {pair!r} is not KEY=VALUE")
        if key == "target":
            raise CrosswheelError("give the target with --target, not -C target=")
        old = settings.get(key)
        if old is None:
            settings[key] = value
        elif isinstance(old, list):
            old.append(value)
        else:
            settings[key] = [old, value]
    return settings


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB"):
        if size < 1024 or unit == "MiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover


def _wheel_tag(name: str) -> str:
    from crosswheel.wheelfile import WheelName

    return WheelName.parse(name).tags


def _build_sources(args: argparse.Namespace) -> list[str]:
    """The sources and requirements named on the command line and in ``-r`` files."""
    sources = list(args.sources)
    for path in args.requirement:
        from crosswheel.cli.wheelhouse import read_requirements

        sources += read_requirements(Path(path))
    if not sources:
        raise CrosswheelError(
            "nothing to build", hint="name a source folder, an sdist or a requirement, or -r FILE"
        )
    return sources


def cmd_build(args: argparse.Namespace) -> int:
    sources = _build_sources(args)
    if args.deps:
        return _build_wheelhouse(args, sources)
    if len(sources) == 1:
        return _build_one_source(args, sources[0])
    status = 0
    for source in sources:
        try:
            status = max(status, _build_one_source(args, source))
        except CrosswheelError as exc:
            _error(CrosswheelError(f"{source}: {exc.message}", hint=exc.hint))
            status = 1
    return status


def _build_wheelhouse(args: argparse.Namespace, sources: list[str]) -> int:
    """``--deps``: the closure for one target, each node downloaded, reused or built."""
    from crosswheel.cli.output import prepare_output
    from crosswheel.cli.wheelhouse import (
        Resolver,
        Settings,
        build_all,
        resolve_roots,
        summary_lines,
        wheelhouse_wheels,
    )
    from crosswheel.target.resolve import resolve_target_python

    if len(args.target) != 1:
        raise CrosswheelError("--deps builds a wheelhouse for one --target at a time")
    _check_find_links(args.find_links)
    out_dir = prepare_output(args.outdir).resolve()
    started = time.monotonic()
    target, interpreter = resolve_target_python(_config(args.target[0], args.config_setting))
    no_binary = frozenset(
        n if n == ":all:" else canonicalize_name(n)
        for value in args.no_binary
        for n in value.split(",")
    )
    with tempfile.TemporaryDirectory(prefix="crosswheel-deps-") as scratch:
        settings = Settings(
            args.target[0],
            tuple(args.config_setting),
            out_dir,
            Path(scratch),
            args.isolation,
            args.installer,
            no_binary,
            _settings(args.config_setting),
        )
        resolver = Resolver(target, interpreter, settings)
        info(f"resolving {', '.join(sources)} for {target.triplet}")
        resolve_roots(resolver, sources, Path(scratch))
        nodes = resolver.nodes
        build_all(nodes, settings, args.jobs)
    for line in summary_lines(nodes):
        info(line)
    failed = [n for n in nodes.values() if n.error is not None]
    counts = {
        s: sum(n.source == s and n.error is None for n in nodes.values())
        for s in ("downloaded", "built", "reused")
    }
    info(
        f"{len(nodes) - len(failed)} wheels in {out_dir} in {time.monotonic() - started:.1f} s: "
        + ", ".join(f"{v} {k}" for k, v in counts.items())
    )
    for node in failed:
        print(f"crosswheel: error: {node.error}", file=sys.stderr)
    if failed:
        return 1
    if args.test_command is not None:
        from crosswheel.prove.proving import TargetTest, prove_wheels
        from crosswheel.target.runtime import find_runtime

        runtime = find_runtime(target, interpreter)
        links = (str(out_dir), *args.find_links)
        test = TargetTest(args.test_command, tuple(args.test_requires), links)
        local = [Path(s) for s in sources if Path(s).is_dir()]
        project = next(iter(local), None)
        prove_wheels(wheelhouse_wheels(nodes), runtime, interpreter, test, project, offline=True)
    return 0


def _build_one_source(args: argparse.Namespace, source_arg: str) -> int:
    from crosswheel.cli.frontend import CrossFrontend, build_environment
    from crosswheel.cli.output import prepare_output
    from crosswheel.cli.parallel import build_targets
    from crosswheel.cli.sources import resolve_source
    from crosswheel.target.names import resolve_target

    settings = _settings(args.config_setting)
    targets = [resolve_target(t) for t in args.target]
    _check_find_links(args.find_links)
    _check_zig_target(settings.get("toolchain"))
    out_dir = prepare_output(args.outdir)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crosswheel-src-") as scratch:
        source = resolve_source(source_arg, Path(scratch))
        frontend_kind = "an isolated environment" if args.isolation else "this environment"
        with build_environment(args.isolation, args.installer) as env:
            frontend = CrossFrontend(source, env)
            info(
                f"building {source.name} with {frontend.declared.name} in {frontend_kind} "
                f"for {', '.join(t.triplet for t in targets)}"
            )
            results = build_targets(
                frontend, args.target, settings, out_dir, args.jobs, Path(scratch)
            )
            if args.test_command is not None:
                results = [_tested(args, result, source) for result in results]
    if len(results) == 1 and results[0].error:
        raise results[0].error
    for result in results:
        if result.wheel:
            info(
                f"wheel: {result.wheel}  tag: {_wheel_tag(result.wheel.name)}  "
                f"size: {_size(result.wheel.stat().st_size)}  time: {result.seconds:.1f} s"
            )
        else:
            info(f"failed: {result.name}  time: {result.seconds:.1f} s")
    failed = [r for r in results if r.error]
    if len(results) > 1:
        info(
            f"{len(results) - len(failed)} wheels in {time.monotonic() - started:.1f} s"
            + (f", {len(failed)} target(s) failed" if failed else "")
        )
    for result in failed:
        print(f"crosswheel: error: {result.name}: {result.error}", file=sys.stderr)
    return 1 if failed else 0


def _first_line(exc: CrosswheelError) -> str:
    return exc.message.splitlines()[0]


def _zig_fallback(target: Target) -> str | None:
    """``-C toolchain=zig`` when the default toolchain is missing but zig can build for it."""
    from crosswheel.target.toolchain import find_toolchain

    try:
        find_toolchain(target, "zig")
    except CrosswheelError:
        return None
    return "zig (-C toolchain=zig)"


def cmd_targets(args: argparse.Namespace) -> int:
    from crosswheel.target.interpreter import find_target_interpreter
    from crosswheel.target.names import KNOWN_TARGETS
    from crosswheel.target.toolchain import find_toolchain

    rows = [("TARGET", "WHEEL PLATFORM", "TOOLCHAIN", "FORTRAN", "TARGET PYTHON")]
    for target in KNOWN_TARGETS:
        try:
            toolchain = find_toolchain(target)
            compiler, fortran = toolchain.cc, toolchain.fc
            if target.abi is not None:
                compiler += f" ({target.abi.describe()})"
            missing = toolchain.fc_missing[0] if toolchain.fc_missing else ""
        except CrosswheelError as exc:
            compiler = _zig_fallback(target) or ("no: " + _first_line(exc) if args.why else "no")
            fortran, missing = None, "no C toolchain"
        try:
            found = find_target_interpreter(target, None)
            python = f"yes: {found.source}" + (f" ({found.origin})" if found.origin else "")
        except CrosswheelError as exc:
            python = "no: " + _first_line(exc) if args.why else "no"
        fortran = fortran or ("no: " + missing if args.why else "no")
        rows.append((target.triplet, target.wheel_platform, compiler, fortran, python))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[4])
    return 0


def _config(
    target: str, pairs: Sequence[str], environ: dict[str, str] | None = None
) -> CrossConfig:
    """The configuration a command gets from ``--target``, ``-C`` and ``CROSSWHEEL_*``.

    Every command reads the same settings the same way: ``build``, ``test``, ``fix``
    and ``doctor`` alike honour the environment fallbacks (no project involved).
    """
    from crosswheel.config import load_config

    settings = _settings(pairs)
    settings["target"] = target
    with tempfile.TemporaryDirectory(prefix="crosswheel-") as empty:
        return load_config(
            Path(empty), settings, environ=os.environ if environ is None else environ
        )


def _prove(
    args: argparse.Namespace, target_name: str, wheels: list[Path], project: Path | None
) -> None:
    """Prove ``wheels`` on the target (the one a build used: settings and environment alike)."""
    from crosswheel.prove.proving import TargetTest, prove_wheel
    from crosswheel.target.names import resolve_target
    from crosswheel.target.resolve import resolve_target_python
    from crosswheel.target.runtime import cannot_run, find_runtime

    config = _config(target_name, args.config_setting)
    refused = cannot_run(resolve_target(target_name, config.api_level, config.min_version))
    if refused is not None:
        raise refused
    target, interpreter = resolve_target_python(config)
    runtime = find_runtime(target, interpreter)
    test = TargetTest(args.test_command, tuple(args.test_requires), tuple(args.find_links))
    for wheel in wheels:
        prove_wheel(wheel.resolve(), runtime, interpreter, test, project)


def _tested(args: argparse.Namespace, result: TargetResult, project: Path) -> TargetResult:
    """``result`` after proving its wheel on the target; a failed test fails the target."""
    if result.wheel is None:
        return result
    try:
        _prove(args, result.name, [result.wheel], project=project)
    except CrosswheelError as exc:
        error = CrosswheelError(
            f"the wheel for {result.name} failed its tests (it stays in {result.wheel.parent} "
            f"for inspection): {exc.message}",
            hint=exc.hint,
        )
        return dataclasses.replace(result, error=error)
    return result


def _check_zig_target(toolchain: str | list[str] | None) -> None:
    """``-C toolchain=zig:T`` checked here when this Python has ziglang, before any build."""
    import importlib.util

    from crosswheel.target.toolchain import check_zig_target

    zig = isinstance(toolchain, str) and toolchain.startswith("zig:")
    if zig and importlib.util.find_spec("ziglang") is not None:
        check_zig_target(str(toolchain).split(":", 1)[1].strip())


def _check_find_links(folders: Sequence[str]) -> None:
    """A ``--find-links`` folder that is not there would only show as a missing wheel later."""
    for folder in folders:
        if "://" not in folder and not Path(folder).expanduser().is_dir():
            raise CrosswheelError(
                f"--find-links {folder}: no such folder",
                hint="give --find-links an existing folder of wheels (or a URL)",
            )


def cmd_test(args: argparse.Namespace) -> int:
    _check_find_links(args.find_links)
    wheels = [Path(w).resolve() for w in args.wheels]
    if len(wheels) == 1:
        _prove(args, args.target, wheels, project=None)
        return 0
    # Several wheels are one environment: installed together, offline, as a wheelhouse.
    from crosswheel.prove.proving import TargetTest, prove_wheels
    from crosswheel.target.resolve import resolve_target_python
    from crosswheel.target.runtime import find_runtime

    target, interpreter = resolve_target_python(_config(args.target, args.config_setting))
    test = TargetTest(args.test_command, tuple(args.test_requires), tuple(args.find_links))
    prove_wheels(wheels, find_runtime(target, interpreter), interpreter, test, offline=True)
    return 0


def cmd_fix(args: argparse.Namespace) -> int:
    from crosswheel.cli.output import prepare_output
    from crosswheel.target.resolve import resolve_target_python
    from crosswheel.wheel.finish import finish_wheel

    wheel = Path(args.wheel)
    if not wheel.is_file():
        raise CrosswheelError(f"{args.wheel} is not a file", hint="give the path of a .whl file")
    config = _config(args.target, args.config_setting)
    # The fixer and verifier compile nothing: no cross compiler is needed here.
    target, interpreter = resolve_target_python(config)
    info(f"fixing {wheel.name} for {target.triplet} with {interpreter.describe()}")
    out_dir = prepare_output(args.outdir or str(wheel.resolve().parent))
    work = Path(tempfile.mkdtemp(prefix=f".crosswheel-{os.getpid()}-", dir=out_dir))
    try:
        fixed = finish_wheel(wheel.resolve(), target, interpreter, work, config.wheel)
        final = out_dir / fixed.name
        os.replace(fixed, final)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    info(f"wheel: {final}  tag: {_wheel_tag(final.name)}  size: {_size(final.stat().st_size)}")
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from crosswheel.cli.inspection import inspect_wheel

    wheel = Path(args.wheel)
    if not wheel.is_file():
        raise CrosswheelError(f"{args.wheel} does not exist", hint="give the path of a .whl file")
    print(inspect_wheel(wheel))
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from crosswheel.cli.doctor import doctor_report

    print(doctor_report(_config(args.target, args.config_setting)))
    return 0


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive whole number")
    return int(value)


class _Parser(argparse.ArgumentParser):
    """argparse's usage errors as crosswheel's: an error line, then a hint (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        hint = f"{self.prog} --help lists every argument"
        self.exit(2, f"crosswheel: error: {message}\n  hint: {hint}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="crosswheel",
        description="Cross-compile Python wheels, wrapping any project's own build backend.",
    )
    parser.add_argument("--version", action="version", version=f"crosswheel {__version__}")
    noise = _Parser(add_help=False)
    group = noise.add_mutually_exclusive_group()
    group.add_argument(
        "-v", "--verbose", action="store_true", help="show the build backend's full output"
    )
    group.add_argument("-q", "--quiet", action="store_true", help="show nothing but errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    build = sub.add_parser(
        "build",
        parents=[noise],
        help="cross-build a wheel from a source folder, an sdist or a requirement",
        description="Cross-build SRC (a source folder, an sdist file, or a requirement such "
        "as msgpack==1.1.0, fetched as an sdist) for each --target, wrapping the backend the "
        "project declares, without changing its files.",
    )
    build.add_argument("sources", nargs="*", metavar="SRC")
    build.add_argument(
        "-r",
        "--requirement",
        action="append",
        default=[],
        metavar="FILE",
        help="build the requirements a requirements file lists, too",
    )
    build.add_argument(
        "--deps",
        action="store_true",
        help="a wheelhouse: every runtime dependency too, resolved for the target; the "
        "index's wheel where it has one for the target, cross-built otherwise",
    )
    build.add_argument(
        "--no-binary",
        action="append",
        default=[],
        metavar="NAME",
        help="with --deps: build NAME from its sdist even when the index has a wheel "
        "(comma-separated; :all: for every one)",
    )
    build.add_argument(
        "-t",
        "--target",
        action="append",
        required=True,
        metavar="T",
        help="target triplet or wheel platform tag (repeat for several wheels)",
    )
    build.add_argument(
        "-C",
        "--config-setting",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="config setting for crosswheel (target-python, toolchain) or the project's backend",
    )
    build.add_argument("-o", "--outdir", default="dist", metavar="DIR", help="default: dist")
    build.add_argument(
        "-n",
        "--no-isolation",
        dest="isolation",
        action="store_false",
        help="build in this environment (build requirements must be installed)",
    )
    build.add_argument(
        "--installer",
        choices=("pip", "uv"),
        default="pip",
        help="what installs the isolated environment (default: pip)",
    )
    build.add_argument(
        "-j",
        "--jobs",
        type=_positive,
        default=1,
        metavar="N",
        help="build up to N targets (with --deps: N packages) at once (default: 1)",
    )
    build.set_defaults(func=cmd_build)
    proving = build.add_argument_group("testing each wheel on its target (see crosswheel test)")
    _proving_arguments(proving)

    targets = sub.add_parser(
        "targets",
        help="list the known targets and what this machine has for each",
        description="The known targets; for each, the cross compiler and the target Python "
        "found on this machine (or 'no').",
    )
    targets.add_argument("--why", action="store_true", help="say why something was not found")
    targets.set_defaults(func=cmd_targets)

    settings = _Parser(add_help=False)
    settings.add_argument("-t", "--target", required=True, metavar="T")
    settings.add_argument(
        "-C",
        "--config-setting",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="crosswheel setting such as target-python=PATH or toolchain=PREFIX",
    )

    doctor = sub.add_parser(
        "doctor",
        parents=[settings],
        help="show what a build for the target sees, and why",
        description="Resolve target, target Python and toolchain, and show for each PEP 720 "
        "introspection point the build machine's value, the shim's and the target's.",
    )
    doctor.set_defaults(func=cmd_doctor)

    test = sub.add_parser(
        "test",
        parents=[settings, noise],
        help="prove wheels on their target: install, import every extension, run tests",
        description="Install each WHEEL with its dependencies (wheels for the target) into a "
        "target environment, import every extension module it contains with the target's own "
        "CPython (natively or under qemu-user), then run the test command there.",
    )
    test.add_argument("wheels", nargs="+", metavar="WHEEL")
    _proving_arguments(test)
    test.set_defaults(func=cmd_test)

    inspect = sub.add_parser(
        "inspect",
        help="show each binary in a wheel and the tag the wheel should carry",
    )
    inspect.add_argument("wheel", metavar="WHEEL")
    inspect.set_defaults(func=cmd_inspect)

    fix = sub.add_parser(
        "fix",
        parents=[settings, noise],
        help="fix and verify a wheel built by something else",
        description="Rename extension modules, retag and verify WHEEL for the target; the "
        "result replaces nothing unless it is whole and verified.",
    )
    fix.add_argument("wheel", metavar="WHEEL")
    fix.add_argument("-o", "--outdir", metavar="DIR", help="default: the wheel's folder")
    fix.set_defaults(func=cmd_fix)
    return parser


def _proving_arguments(parser: argparse._ActionsContainer) -> None:
    parser.add_argument(
        "--test-command",
        metavar="CMD",
        help="shell command run with the target's python first on PATH ({project}, {wheel})",
    )
    parser.add_argument(
        "--test-requires",
        nargs="+",
        action="extend",
        default=[],
        metavar="REQ",
        help="requirements of the test command, installed for the target",
    )
    parser.add_argument(
        "--find-links",
        action="append",
        default=[],
        metavar="DIR",
        help="where to look for the target's wheels too (as pip's --find-links)",
    )


def _refuse_shimmed_process() -> None:
    """The frontend must see the build machine: never run it with the shim active."""
    if os.environ.pop(ENV_VAR, None) is not None:
        from crosswheel.build.shim import active_spec

        if active_spec() is not None:
            raise CrosswheelError(
                f"crosswheel is running inside a cross build ({ENV_VAR} is set)",
                hint=f"unset {ENV_VAR} before running crosswheel",
            )


def _error(exc: CrosswheelError) -> None:
    print(f"crosswheel: error: {exc}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (2 for usage errors, as argparse does)."""
    from crosswheel.cli.session import Stopped, session

    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "build" and not (args.sources or args.requirement):
        parser.error("build: the following arguments are required: SRC (or -r FILE)")
    level = 2 if getattr(args, "verbose", False) else 0 if getattr(args, "quiet", False) else 1
    set_verbosity(level)  # backend processes get it through their environment
    try:
        _refuse_shimmed_process()
        with session():
            status: int = args.func(args)
        return status
    except CrosswheelError as exc:
        _error(exc)
        return 1
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (| head): not an error of ours
        return 0
    except (KeyboardInterrupt, Stopped) as exc:
        name = exc.name if isinstance(exc, Stopped) else "SIGINT"
        hint = "every process and temp folder of this run is gone: run the command again"
        _error(CrosswheelError(f"interrupted ({name})", hint=hint))
        return 128 + (exc.signum if isinstance(exc, Stopped) else signal.SIGINT)
