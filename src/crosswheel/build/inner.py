"""The inner backend, run in a subprocess through pyproject-hooks.

The subprocess gets the build environment's variables, so the shim is active in
it and in everything it starts; crosswheel's own process stays the build
machine's. Failures become one ``CrosswheelError`` that names the backend.
"""

from __future__ import annotations

import codecs
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Protocol

from pyproject_hooks import (
    BackendUnavailable,
    BuildBackendHookCaller,
    HookMissing,
    UnsupportedOperation,
)

from crosswheel.build.shim import unshimmed_environ
from crosswheel.config import InnerBackend
from crosswheel.errors import CrosswheelError

TAIL_BYTES = 64 * 1024
"""How much of the end of the backend's output is kept (a crash is near the end)."""


class TextSink(Protocol):
    """Where a backend's output goes: this process's stdout, or a frontend's filter."""

    def write(self, text: str, /) -> object: ...


class _Tail:
    """The end of a process's stdout and stderr, interleaved as they came."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._lock = threading.Lock()

    def copy(self, stream: IO[bytes], out: TextSink) -> None:
        """Copy ``stream`` to ``out`` as it comes, keeping its end."""
        binary = getattr(out, "buffer", None)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        for chunk in iter(lambda: stream.read1(65536), b""):  # type: ignore[attr-defined]
            if binary is not None:
                binary.write(chunk)
                binary.flush()
            else:
                out.write(decoder.decode(chunk))
            with self._lock:
                self._data += chunk
                del self._data[:-TAIL_BYTES]

    def text(self) -> str:
        with self._lock:
            return self._data.decode(errors="replace")


def _run_teed(
    cmd: Sequence[str], cwd: str | None, env: Mapping[str, str], output: TextSink | None = None
) -> tuple[int, str]:
    """Run ``cmd`` with its output passed through; its exit status and the output's end.

    Without ``output``, its stdout and stderr go to this process's; with it, both
    go there, interleaved as they came.
    """
    tail = _Tail()
    stderr = subprocess.PIPE if output is None else subprocess.STDOUT
    with subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=stderr) as process:
        assert process.stdout is not None
        if output is not None:
            tail.copy(process.stdout, output)
        else:
            assert process.stderr is not None
            err = threading.Thread(target=tail.copy, args=(process.stderr, sys.stderr), daemon=True)
            err.start()
            tail.copy(process.stdout, sys.stdout)
            err.join()
    return process.returncode, tail.text()


class InnerBackendCaller:
    """Calls one hook of the project's real backend with the cross environment."""

    def __init__(
        self,
        source_dir: Path,
        backend: InnerBackend,
        extra_env: Mapping[str, str] | None = None,
        python_executable: str | None = None,
        output: TextSink | None = None,
    ) -> None:
        self.backend = backend
        self.output = output
        self.extra_env = dict(extra_env or {})
        self.output_tail = ""
        """The end of the last hook's error output, for messages about why it failed."""
        self._caller = BuildBackendHookCaller(
            str(source_dir),
            backend.name,
            backend_path=list(backend.path) or None,
            runner=self._run,
            python_executable=python_executable or sys.executable,
        )

    def _run(
        self,
        cmd: Sequence[str],
        cwd: str | None = None,
        extra_environ: Mapping[str, str] | None = None,
    ) -> None:
        env = unshimmed_environ({**(extra_environ or {}), **self.extra_env})
        returncode, self.output_tail = _run_teed(cmd, cwd, env, self.output)
        if returncode:
            raise subprocess.CalledProcessError(returncode, cmd)

    def call(self, hook: str, **kwargs: Any) -> Any:
        """Run ``hook`` in the inner backend and return its result."""
        method = getattr(self._caller, hook)
        try:
            return method(**kwargs)
        except BackendUnavailable as exc:
            detail = (getattr(exc, "message", "") or str(exc)).strip().splitlines()
            raise CrosswheelError(
                f"cannot import the inner backend {self.backend.name!r}"
                + (f": {detail[-1]}" if detail else ""),
                hint="add the package that provides it to [build-system] requires in "
                "pyproject.toml, next to crosswheel",
            ) from None
        except HookMissing:
            raise CrosswheelError(
                f"the inner backend {self.backend.name!r} has no {hook} hook",
                hint="editable installs need a backend that supports PEP 660"
                if "editable" in hook
                else None,
            ) from None
        except UnsupportedOperation as exc:
            raise CrosswheelError(
                f"the inner backend {self.backend.name!r} cannot do {hook}: {exc}"
            ) from None
        except subprocess.CalledProcessError as exc:
            raise CrosswheelError(
                f"the inner backend {self.backend.name!r} failed in {hook} "
                f"(exit status {exc.returncode}); its output is above",
                hint="the backend's own messages above say what failed (-v shows all of them); "
                "crosswheel doctor --target TARGET checks the toolchain and target Python",
            ) from None
