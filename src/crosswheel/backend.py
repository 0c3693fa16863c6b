"""The PEP 517 hooks: proxy to the inner backend, cross-building when a target is set.

Without a target every hook is a pass-through. With one, the inner backend runs
with the cross environment, and its wheel goes through the fixer and the
verifier before it reaches the frontend's output folder: the wheel appears
there whole, verified, or not at all.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

from crosswheel.build.adapters import adapter_for
from crosswheel.build.environment import cross_environment
from crosswheel.build.inner import InnerBackendCaller, TextSink
from crosswheel.config import ConfigSettings, CrossConfig, load_config, project_label
from crosswheel.errors import CrosswheelError
from crosswheel.staging import make_staging, owner_gone
from crosswheel.target.resolve import (
    CrossBuild,
    announce,
    resolve_cross_build,
    with_system_packages,
    with_target_packages,
)
from crosswheel.target.toolchain import fortran_failure

T = TypeVar("T")


def _fail_cleanly(func: Callable[[], T]) -> T:
    """Turn a user mistake into one message and exit status 1, not a traceback."""
    try:
        with _terminable():
            return func()
    except CrosswheelError as exc:
        raise SystemExit(f"crosswheel: error: {exc}") from None


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def _terminable() -> Iterator[None]:
    """SIGTERM unwinds the hook (its ``finally`` blocks remove its temp folders) instead of
    ending the process where it stands."""
    try:
        saved = signal.signal(signal.SIGTERM, _stop)
    except ValueError:  # not the main thread: the frontend's own handling applies
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, saved)


def _output_folder(wheel_directory: str) -> Path:
    """The frontend's output folder, made now: a folder it cannot be fails before the build."""
    out = Path(wheel_directory).resolve()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CrosswheelError(
            f"cannot make the output folder {wheel_directory}: {exc.strerror or exc}",
            hint="give the frontend an output folder you can write to",
        ) from None
    return out


def _ship(wheel: Path, out: Path) -> str:
    """Move a finished, verified wheel into ``out`` whole, unless its requester is gone."""
    if owner_gone():
        raise CrosswheelError(
            f"the command that asked for {wheel.name} has died: the wheel is not shipped",
            hint="run the build again",
        )
    final = out / wheel.name
    if final.is_dir():
        raise CrosswheelError(
            f"{final} is a folder where the wheel would be written",
            hint="remove or rename that folder, or build into another one",
        )
    try:
        try:
            os.replace(wheel, final)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            # Another file system: copy next to the wheel's place, then rename it there.
            part = out / f".crosswheel-{os.getpid()}-{wheel.name}.part"
            try:
                shutil.copyfile(wheel, part)
                os.replace(part, final)
            finally:
                if part.exists():
                    part.unlink()
    except OSError as exc:
        raise CrosswheelError(
            f"cannot write {wheel.name} into {out}: {exc.strerror or exc}",
            hint="give the frontend an output folder you can write to",
        ) from None
    return wheel.name


DEFAULT_SOURCE_DATE_EPOCH = "1580601600"
"""2020-02-02, hatchling's default: a wheel's timestamps when SOURCE_DATE_EPOCH is unset."""


def _caller(
    config: CrossConfig,
    build: CrossBuild | None,
    workdir: Path,
    source_dir: Path,
    adapt: bool = True,
    output: TextSink | None = None,
) -> tuple[InnerBackendCaller, dict[str, str | list[str]]]:
    """The inner backend's caller and config settings, adapted to the cross build.

    ``adapt=False`` (requirements, metadata): the shim only. The adapters' cross
    files may fetch the target's CPython or run rustc: side effects a hook that
    builds nothing must not have. ``output`` takes the inner backend's output
    (default: this process's stdout and stderr).
    """
    if build is None:
        return InnerBackendCaller(source_dir, config.inner, output=output), dict(
            config.inner_settings
        )
    env = cross_environment(build, workdir, source_dir=source_dir)
    if not adapt:
        caller = InnerBackendCaller(source_dir, config.inner, env, output=output)
        return caller, dict(config.inner_settings)
    adapter = adapter_for(config.inner.name)
    env.update(adapter.environment(build, workdir))
    if not os.environ.get("SOURCE_DATE_EPOCH"):
        # Reproducible without asking, as hatchling is: a fixed default epoch.
        env["SOURCE_DATE_EPOCH"] = DEFAULT_SOURCE_DATE_EPOCH
    settings = adapter.config_settings(build, workdir, dict(config.inner_settings))
    return InnerBackendCaller(source_dir, config.inner, env, output=output), settings


def _call_inner(
    caller: InnerBackendCaller, build: CrossBuild | None, workdir: Path, hook: str, **kwargs: Any
) -> Any:
    """Call ``hook``; a failure after the build asked for a missing Fortran compiler says so."""
    try:
        return caller.call(hook, **kwargs)
    except CrosswheelError:
        # Imported here: the failure readers' patterns are for failed builds only.
        from crosswheel.build.failures import compiler_crash, missing_for_target

        missing = fortran_failure(build.toolchain, workdir) if build else None
        if missing is None and build is not None:
            missing = compiler_crash(caller.output_tail, build.target, build.toolchain)
        if missing is None and build is not None:
            missing = missing_for_target(caller.output_tail, build.target)
        if missing is not None:
            raise missing from None
        raise


def requires_for(
    hook: str, settings: ConfigSettings | None, source_dir: Path, output: TextSink | None = None
) -> list[str]:
    """The inner backend's requirements, plus the cross toolchain's (``ziglang``)."""
    config = load_config(source_dir, settings)
    build = resolve_cross_build(config, installed=False) if config.target else None
    with tempfile.TemporaryDirectory(prefix=f"crosswheel-{os.getpid()}-") as tmp:
        caller, inner_settings = _caller(config, build, Path(tmp), source_dir, False, output)
        requires = list(caller.call(hook, config_settings=inner_settings))
    if build is not None:
        requires += [r for r in build.toolchain.requires if r not in requires]
    return requires


def get_requires(hook: str, settings: ConfigSettings | None) -> list[str]:
    return _fail_cleanly(lambda: requires_for(hook, settings, Path.cwd()))


def get_requires_for_build_sdist(settings: ConfigSettings | None) -> list[str]:
    def run() -> list[str]:
        config = load_config(Path.cwd(), settings)
        with tempfile.TemporaryDirectory(prefix=f"crosswheel-{os.getpid()}-") as tmp:
            caller, inner_settings = _caller(config, None, Path(tmp), Path.cwd())
            return list(caller.call("get_requires_for_build_sdist", config_settings=inner_settings))

    return _fail_cleanly(run)


def metadata_for(
    hook: str,
    metadata_directory: str,
    settings: ConfigSettings | None,
    source_dir: Path,
    output: TextSink | None = None,
) -> str:
    """The inner backend's metadata, prepared with the target's shim (no cross files)."""
    config = load_config(source_dir, settings)
    build = resolve_cross_build(config) if config.target else None
    with tempfile.TemporaryDirectory(prefix=f"crosswheel-{os.getpid()}-") as tmp:
        caller, inner_settings = _caller(config, build, Path(tmp), source_dir, False, output)
        return str(
            _call_inner(
                caller,
                build,
                Path(tmp),
                hook,
                metadata_directory=metadata_directory,
                config_settings=inner_settings,
                _allow_fallback=True,
            )
        )


def prepare_metadata(hook: str, metadata_directory: str, settings: ConfigSettings | None) -> str:
    return _fail_cleanly(lambda: metadata_for(hook, metadata_directory, settings, Path.cwd()))


def wheel_for(
    hook: str,
    wheel_directory: str,
    settings: ConfigSettings | None,
    metadata_directory: str | None,
    source_dir: Path,
    output: TextSink | None = None,
) -> str:
    """Build with the inner backend; with a target, fix and verify before shipping."""
    config = load_config(source_dir, settings)
    cross = resolve_cross_build(config) if config.target else None
    out = _output_folder(wheel_directory)
    workdir = make_staging()
    try:
        if cross:
            announce(cross, f"building {project_label(source_dir)}")
            cross = with_target_packages(cross, config, workdir)
            cross = with_system_packages(cross, config)
        inner_out = workdir / "inner"
        inner_out.mkdir()
        caller, inner_settings = _caller(config, cross, workdir, source_dir, output=output)
        name = _call_inner(
            caller,
            cross,
            workdir,
            hook,
            wheel_directory=str(inner_out),
            config_settings=inner_settings,
            metadata_directory=metadata_directory,
        )
        inner_wheel = inner_out / name
        if cross is None:
            return _ship(inner_wheel, out)
        from crosswheel.wheel.finish import finish_wheel  # the requirement hooks never need it

        fixed = finish_wheel(
            inner_wheel,
            cross.target,
            cross.interpreter,
            workdir / "fixed",
            cross.wheel,
            source_dir=source_dir,
        )
        return _ship(fixed, out)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def build(
    hook: str,
    wheel_directory: str,
    settings: ConfigSettings | None,
    metadata_directory: str | None,
) -> str:
    return _fail_cleanly(
        lambda: wheel_for(hook, wheel_directory, settings, metadata_directory, Path.cwd())
    )


def build_sdist(sdist_directory: str, settings: ConfigSettings | None) -> str:
    """The sdist does not depend on the target: always a pass-through."""

    def run() -> str:
        config = load_config(Path.cwd(), settings)
        out = _output_folder(sdist_directory)
        workdir = make_staging()
        try:
            caller, inner_settings = _caller(config, None, workdir, Path.cwd())
            name = caller.call(
                "build_sdist", sdist_directory=str(workdir), config_settings=inner_settings
            )
            return _ship(workdir / name, out)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    return _fail_cleanly(run)
