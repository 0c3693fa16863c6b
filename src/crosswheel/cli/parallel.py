"""Several targets from one source: one after another, or side by side in processes.

``crosswheel build --target A --target B --jobs N``: the source is resolved and
the build environment made once; each target's build requirements are installed
(or checked) in this process, one target after another, so that no two installers
write into one environment. Then each target builds in a worker process of its
own, from its own copy of the source (setuptools writes ``build/`` and
``*.egg-info`` into the source folder), and every line it prints is prefixed
with the target's name. Wheels reach the shared output folder atomically (the
backend renames a finished, verified wheel into place). A failing target does
not stop the others: each target gets its own result.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from crosswheel.errors import CrosswheelError
from crosswheel.report import info

if TYPE_CHECKING:
    from concurrent.futures import Future

    from build.env import DefaultIsolatedEnv

    from crosswheel.cli.frontend import CrossFrontend
    from crosswheel.config import ConfigSettings


@dataclass
class TargetResult:
    """What became of one target: its wheel, or the error that stopped it."""

    name: str
    """The target as the user named it."""
    seconds: float
    wheel: Path | None = None
    error: CrosswheelError | None = None


@dataclass(frozen=True)
class _Job:
    """One target's build, as a worker process receives it (picklable)."""

    name: str
    source: Path
    env: DefaultIsolatedEnv | None
    settings: ConfigSettings
    out_dir: Path
    copy_to: Path


class _PrefixedLines:
    """A text stream that writes whole lines to ``stream``, each starting with ``prefix``.

    Whole lines, flushed one by one, keep the output of parallel workers from
    tearing into each other's lines.
    """

    def __init__(self, stream: TextIO, prefix: str) -> None:
        self.stream = stream
        self.prefix = prefix
        self.pending = ""

    def write(self, text: str) -> int:
        *lines, self.pending = (self.pending + text).split("\n")
        for line in lines:
            self.stream.write(f"{self.prefix}{line}\n")
            self.stream.flush()
        return len(text)

    def flush(self) -> None:
        if self.pending:
            self.write("\n")
        self.stream.flush()


@contextmanager
def _lines_prefixed(prefix: str) -> Iterator[None]:
    """Everything written to ``sys.stderr`` meanwhile starts with ``prefix``."""
    stream = _PrefixedLines(sys.stderr, prefix)
    saved, sys.stderr = sys.stderr, stream
    try:
        yield
    finally:
        stream.flush()
        sys.stderr = saved


def _build_one(
    frontend: CrossFrontend, name: str, settings: ConfigSettings, out_dir: Path
) -> TargetResult:
    started = time.monotonic()
    try:
        wheel = frontend.build_wheel(settings, out_dir)
    except CrosswheelError as exc:
        return TargetResult(name, time.monotonic() - started, error=exc)
    info(f"built {wheel.name} for {name}")
    return TargetResult(name, time.monotonic() - started, wheel=wheel)


_Outcome = tuple[str, float, "str | None", "str | None", "str | None"]
"""A worker's result as plain data: name, seconds, wheel, error message, hint."""


def _copy_source(source: Path, scratch: Path) -> Path:
    try:
        shutil.copytree(source, scratch / source.name, symlinks=True)
    except OSError as exc:
        raise CrosswheelError(f"cannot copy the source for this target: {exc}") from None
    return scratch / source.name


def _run_job(job: _Job) -> _Outcome:
    """A worker process: build one target from its own copy of the source."""
    from crosswheel.cli.frontend import CrossFrontend

    with _lines_prefixed(f"[{job.name}] "):
        try:
            frontend = CrossFrontend(_copy_source(job.source, job.copy_to), job.env)
            result = _build_one(frontend, job.name, job.settings, job.out_dir)
        except CrosswheelError as exc:
            result = TargetResult(job.name, 0.0, error=exc)
    wheel = str(result.wheel) if result.wheel else None
    if result.error is None:
        return result.name, result.seconds, wheel, None, None
    return result.name, result.seconds, wheel, result.error.message, result.error.hint


def _from_worker(future: Future[_Outcome]) -> TargetResult:
    name, seconds, wheel, message, hint = future.result()
    error = CrosswheelError(message, hint=hint) if message is not None else None
    return TargetResult(name, seconds, Path(wheel) if wheel else None, error)


def build_targets(
    frontend: CrossFrontend,
    names: Sequence[str],
    user_settings: Mapping[str, str | list[str]],
    out_dir: Path,
    jobs: int,
    scratch: Path,
) -> list[TargetResult]:
    """Build one wheel per target name, ``jobs`` at a time; one result per name, in order."""
    results: dict[int, TargetResult] = {}
    ready: dict[int, ConfigSettings] = {}
    parallel = jobs > 1 and len(names) > 1
    for i, name in enumerate(names):
        settings = frontend.builder.settings(user_settings, name)
        started = time.monotonic()
        try:
            with _lines_prefixed(f"[{name}] ") if parallel else nullcontext():
                frontend.prepare(settings)
        except CrosswheelError as exc:
            results[i] = TargetResult(name, time.monotonic() - started, error=exc)
            continue
        if parallel:
            ready[i] = settings
        else:
            results[i] = _build_one(frontend, name, settings, out_dir)
    if ready:
        workers = min(jobs, len(ready))
        info(f"building for {len(ready)} targets, {workers} at a time")
        source = Path(frontend.builder.source_dir)
        # Imported here: a build for one target never starts a pool.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            futures = {
                i: pool.submit(
                    _run_job,
                    _Job(names[i], source, frontend.env, settings, out_dir, scratch / f"t{i}"),
                )
                for i, settings in ready.items()
            }
            for i, future in futures.items():
                results[i] = _from_worker(future)
    return [results[i] for i in range(len(names))]
