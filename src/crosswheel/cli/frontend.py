"""The frontend behind ``crosswheel build``: pypa/build, with crosswheel wrapping the project.

An unmodified project names its own backend. ``build.ProjectBuilder`` reads and
validates that ``[build-system]``; its hooks are then pointed at crosswheel, and
the declared backend reaches crosswheel as the ``inner-backend`` config
settings. In an isolated environment (``build.env.DefaultIsolatedEnv``) the
project's ``requires`` go in next to crosswheel itself and its ``.pth`` shim
hook. This process, the frontend, is never shimmed: the runner removes
``CROSSWHEEL_SHIM`` from every environment it starts a backend with.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pyproject_hooks
from build import BuildBackendException, BuildException, ProjectBuilder
from build.env import DefaultIsolatedEnv
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

import crosswheel
from crosswheel.build.shim import ENV_VAR, PTH_TEXT, unshimmed_environ
from crosswheel.config import (
    DEFAULT_BACKEND,
    INNER_BACKEND_PATH_SETTING,
    INNER_BACKEND_SETTING,
    ConfigSettings,
    read_pyproject,
)
from crosswheel.errors import CrosswheelError
from crosswheel.report import VERBOSITY_VAR, verbosity

SHIM_PTH = "crosswheel-shim.pth"
_RUNTIME_FALLBACK = ("build>=1.0", "packaging>=24", "pyelftools>=0.31", "pyproject-hooks>=1.0")
_ERROR_PREFIX = "crosswheel: error: "
_HINT_PREFIX = "\n  hint: "


@dataclass(frozen=True)
class DeclaredBackend:
    """The project's own ``[build-system]`` backend (PEP 517 defaults applied)."""

    name: str
    path: tuple[str, ...]

    @property
    def is_crosswheel(self) -> bool:
        return self.name.split(":")[0].split(".")[0] == "crosswheel"


def declared_backend(source_dir: Path) -> DeclaredBackend:
    """What the project declares, or setuptools' legacy backend when it declares nothing."""
    system = read_pyproject(source_dir).get("build-system", {})
    name = system.get("build-backend") if isinstance(system, dict) else None
    path = system.get("backend-path", []) if isinstance(system, dict) else []
    if not isinstance(name, str) or not name.strip():
        name = DEFAULT_BACKEND
    if not isinstance(path, list):
        path = []
    return DeclaredBackend(name.strip(), tuple(str(p) for p in path))


def runtime_requirements() -> list[str]:
    """crosswheel's own dependencies, which its backend needs inside the isolated env."""
    try:
        declared = metadata.requires("crosswheel") or []
    except metadata.PackageNotFoundError:
        return list(_RUNTIME_FALLBACK)
    return [r for r in declared if "extra ==" not in r] or list(_RUNTIME_FALLBACK)


def _is_crosswheel(requirement: str) -> bool:
    try:
        return canonicalize_name(Requirement(requirement).name) == "crosswheel"
    except InvalidRequirement:
        return False


class OutputRunner:
    """Runs backend subprocesses unshimmed, showing what the verbosity asks for.

    Verbose: everything. Normal: crosswheel's own progress lines; the rest is kept
    and shown only if the build fails. Quiet: nothing until a failure. An
    in-process hook's inner backend writes its output here too (``write``).
    """

    def __init__(self) -> None:
        self.kept: list[str] = []
        self._partial = ""
        self._lock = threading.Lock()

    def _show(self, line: str) -> None:
        """Show or keep one line of backend output, as the verbosity asks."""
        level = verbosity()
        progress = line.startswith("crosswheel: ") and not line.startswith(_ERROR_PREFIX)
        if level >= 2 or (level == 1 and progress):
            sys.stderr.write(line)
            sys.stderr.flush()
        elif not progress:
            self.kept.append(line)

    def write(self, text: str) -> int:
        """Backend output that reaches this process as text, shown line by line."""
        with self._lock:
            lines = (self._partial + text).splitlines(keepends=True)
            self._partial = lines.pop() if lines and not lines[-1].endswith("\n") else ""
            for line in lines:
                self._show(line)
        return len(text)

    def begin(self) -> None:
        """A new hook: the output kept for the last one is dropped."""
        with self._lock:
            self._partial = ""
            self.kept = []

    def _end(self) -> None:
        with self._lock:
            if self._partial:
                self._show(self._partial + "\n")
                self._partial = ""

    def __call__(
        self,
        cmd: Sequence[str],
        cwd: str | None = None,
        extra_environ: Mapping[str, str] | None = None,
    ) -> None:
        env = unshimmed_environ({**(extra_environ or {}), VERBOSITY_VAR: str(verbosity())})
        env.pop(ENV_VAR, None)  # extra_environ never shims the frontend's own tools
        self.begin()
        with subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        ) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                self._show(line)
        if proc.returncode:
            raise subprocess.CalledProcessError(proc.returncode, list(cmd))

    def _hidden(self) -> list[str]:
        self._end()
        lines = [line.rstrip("\n") for line in self.kept]
        self.kept = []
        return lines if verbosity() < 2 else []

    def failure(self, fallback: str) -> CrosswheelError:
        """One error for a failed hook: crosswheel's own message, after the hidden output."""
        lines = self._hidden()
        starts = [i for i, line in enumerate(lines) if line.startswith(_ERROR_PREFIX)]
        if starts:
            text = "\n".join(lines[starts[-1] :])[len(_ERROR_PREFIX) :]
            message, _, hint = text.partition(_HINT_PREFIX)
            return self.raised(CrosswheelError(message, hint=hint or None), lines[: starts[-1]])
        if lines:
            sys.stderr.write("\n".join(lines) + "\n")
        return CrosswheelError(fallback)

    def raised(self, error: CrosswheelError, before: list[str] | None = None) -> CrosswheelError:
        """``error``, raised by a hook, after the output it points to when it says so."""
        if before is None:
            before = self._hidden()
        if "output is above" in error.message and before:
            sys.stderr.write("\n".join(before) + "\n")
        return error


class InProcessHooks:
    """crosswheel's own hooks, called in this process: one Python start fewer per hook.

    Used where the backend would run in this very interpreter anyway (no isolated
    environment): the inner backend still runs in its subprocess, with its output
    going to the frontend's filter.
    """

    def __init__(self, source_dir: Path, runner: OutputRunner) -> None:
        self.source_dir = source_dir
        self.runner = runner

    def get_requires_for_build_wheel(
        self, config_settings: ConfigSettings | None = None
    ) -> list[str]:
        from crosswheel import backend

        self.runner.begin()
        hook = "get_requires_for_build_wheel"
        return backend.requires_for(hook, config_settings, self.source_dir, self.runner)

    def prepare_metadata_for_build_wheel(
        self,
        metadata_directory: str,
        config_settings: ConfigSettings | None = None,
        _allow_fallback: bool = True,
    ) -> str:
        from crosswheel import backend

        self.runner.begin()
        hook = "prepare_metadata_for_build_wheel"
        return backend.metadata_for(
            hook, metadata_directory, config_settings, self.source_dir, self.runner
        )

    def build_wheel(
        self,
        wheel_directory: str,
        config_settings: ConfigSettings | None = None,
        metadata_directory: str | None = None,
    ) -> str:
        from crosswheel import backend

        self.runner.begin()
        return backend.wheel_for(
            "build_wheel",
            wheel_directory,
            config_settings,
            metadata_directory,
            self.source_dir,
            self.runner,
        )


class CrossProjectBuilder(ProjectBuilder):
    """``ProjectBuilder`` whose hooks go to crosswheel, which wraps the declared backend."""

    def __init__(
        self,
        source_dir: Path,
        python_executable: str,
        runner: OutputRunner,
        hooks: InProcessHooks | None = None,
    ) -> None:
        super().__init__(source_dir, python_executable=python_executable, runner=runner)
        self.declared = declared_backend(source_dir)
        if hooks is not None and not self.declared.path:
            self._backend = "crosswheel"
            self._hook = hooks  # type: ignore[assignment]
        elif not self.declared.is_crosswheel:
            # build has no public way to name another backend for a project than
            # the one it declares; its hook caller is the one attribute to swap.
            self._backend = "crosswheel"
            self._hook = pyproject_hooks.BuildBackendHookCaller(
                self.source_dir,
                "crosswheel",
                backend_path=None,
                python_executable=python_executable,
                runner=runner,
            )

    def settings(self, user: Mapping[str, str | list[str]], target: str) -> ConfigSettings:
        """The config settings for crosswheel: the user's, the target, the inner backend."""
        settings: dict[str, str | list[str]] = dict(user)
        settings["target"] = target
        if not self.declared.is_crosswheel:
            settings[INNER_BACKEND_SETTING] = self.declared.name
            if self.declared.path:
                settings[INNER_BACKEND_PATH_SETTING] = list(self.declared.path)
        return settings

    @property
    def requires(self) -> set[str]:
        """The project's build requirements, without crosswheel (installed from here)."""
        return {r for r in self.build_system_requires if not _is_crosswheel(r)}


def install_crosswheel(python: str) -> None:
    """Put this crosswheel and its ``.pth`` shim hook into ``python``'s site-packages."""
    out = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    purelib = Path(out.stdout.strip())
    package = Path(crosswheel.__file__).resolve().parent
    shutil.copytree(
        package, purelib / "crosswheel", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    pth = package.parent / SHIM_PTH
    if pth.is_file():
        shutil.copyfile(pth, purelib / SHIM_PTH)
    else:
        (purelib / SHIM_PTH).write_text(PTH_TEXT, encoding="utf-8")


@contextmanager
def build_environment(
    isolated: bool, installer: str = "pip"
) -> Iterator[DefaultIsolatedEnv | None]:
    """A fresh isolated environment holding crosswheel, or ``None`` without isolation."""
    if not isolated:
        yield None
        return
    try:
        with DefaultIsolatedEnv(installer=installer) as env:  # type: ignore[arg-type]
            install_crosswheel(env.python_executable)
            yield env
    except (BuildException, subprocess.CalledProcessError) as exc:
        raise CrosswheelError(f"cannot set up the isolated build environment: {exc}") from None


def _install(env: DefaultIsolatedEnv, requirements: set[str], what: str) -> None:
    if not requirements:
        return
    try:
        env.install(requirements)
    except subprocess.CalledProcessError as exc:
        output = exc.stderr or exc.stdout or b""
        text = output.decode(errors="replace") if isinstance(output, bytes) else str(output)
        tail = "\n".join(text.strip().splitlines()[-5:])
        raise CrosswheelError(
            f"cannot install {what} ({', '.join(sorted(requirements))})"
            + (f":\n{tail}" if tail else "")
        ) from None
    except Exception as exc:  # build wraps pip's failure in its own exception types
        raise CrosswheelError(
            f"cannot install {what} ({', '.join(sorted(requirements))}): {exc}"
        ) from None


class CrossFrontend:
    """Builds one project for one or more targets, in one build environment."""

    def __init__(self, source_dir: Path, env: DefaultIsolatedEnv | None) -> None:
        self.env = env
        self.runner = OutputRunner()
        python = env.python_executable if env is not None else sys.executable
        runner = self.runner
        if env is not None:
            extra = env.make_extra_environ()

            def wrapped(
                cmd: Sequence[str],
                cwd: str | None = None,
                extra_environ: Mapping[str, str] | None = None,
            ) -> None:
                self.runner(cmd, cwd, {**extra, **(extra_environ or {})})

            runner = wrapped  # type: ignore[assignment]
        read_pyproject(source_dir)  # its errors as crosswheel's, before build reads it
        # Without isolation crosswheel's backend would run in this interpreter anyway.
        hooks = InProcessHooks(source_dir, self.runner) if env is None else None
        try:
            self.builder = CrossProjectBuilder(source_dir, python, runner, hooks)
        except BuildException as exc:
            raise CrosswheelError(f"{source_dir}: {exc}") from None
        self.requirements_installed = False

    @property
    def declared(self) -> DeclaredBackend:
        return self.builder.declared

    def _hook(self, what: str, func: object, *args: object) -> object:
        try:
            with warnings.catch_warnings(record=True) as caught:
                # pyproject-hooks re-raises the backend's warnings here: they are
                # backend output, shown with -v like the rest of it.
                warnings.simplefilter("always", pyproject_hooks.BuildBackendWarning)
                try:
                    return func(*args)  # type: ignore[operator]
                finally:
                    for w in caught:
                        line = warnings.formatwarning(
                            w.message, w.category, w.filename, w.lineno, None
                        )
                        if verbosity() >= 2:
                            sys.stderr.write(line)
                        else:
                            self.runner.kept.append(line)
        except BuildBackendException as exc:
            if isinstance(exc.exception, CrosswheelError):  # raised by an in-process hook
                raise self.runner.raised(exc.exception) from None
            raise self.runner.failure(f"the build backend failed in {what}") from None
        except BuildException as exc:
            raise CrosswheelError(str(exc)) from None

    def prepare(self, settings: ConfigSettings) -> None:
        """Install the build requirements the project and crosswheel's hook name."""
        if self.env is None:
            missing = self._hook(
                "get_requires_for_build_wheel",
                self.builder.check_dependencies,
                "wheel",
                settings,
            )
            unmet = sorted(
                " -> ".join(chain)
                for chain in missing  # type: ignore[attr-defined]
                if not _is_crosswheel(chain[0])
            )
            if unmet:
                raise CrosswheelError(
                    f"missing build requirements: {', '.join(unmet)}",
                    hint="install them, or build without --no-isolation",
                )
            return
        if not self.requirements_installed:
            runtime = set(runtime_requirements())
            _install(self.env, self.builder.requires | runtime, "the build requirements")
            self.requirements_installed = True
        extra = self._hook(
            "get_requires_for_build_wheel",
            self.builder.get_requires_for_build,
            "wheel",
            settings,
        )
        wanted = {r for r in extra if not _is_crosswheel(r)}  # type: ignore[attr-defined]
        _install(self.env, wanted, "the backend's extra requirements")

    def metadata(self, settings: ConfigSettings, out_dir: Path) -> Path:
        """The project's ``.dist-info`` folder for the target, prepared into ``out_dir``.

        With the target's settings, so a ``setup.py`` that asks the platform for its
        dependencies sees the target's (crosswheel's backend falls back to building a
        wheel for a backend without the hook, so there is always a folder).
        """
        path = self._hook(
            "prepare_metadata_for_build_wheel", self.builder.prepare, "wheel", out_dir, settings
        )
        if path is None:
            raise CrosswheelError(
                f"the backend of {self.builder.source_dir} prepared no metadata",
                hint="build the project's wheel first and pass its folder with --find-links",
            )
        return Path(str(path))

    def build_wheel(self, settings: ConfigSettings, out_dir: Path) -> Path:
        """Build, fix and verify one wheel into ``out_dir`` (whole or not at all)."""
        path = self._hook("build_wheel", self.builder.build, "wheel", out_dir, settings)
        return Path(str(path))
