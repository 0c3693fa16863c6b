"""``crosswheel build``: unmodified projects, sdists and requirements, end to end under qemu.

The project is never edited: it declares plain setuptools (or nothing at all),
and the wheel crosswheel makes from it must install with pip *on the target*
and run there.
"""

from __future__ import annotations

import os
import re
import tarfile
import zipfile
from pathlib import Path
from typing import Callable

import pytest

from helpers import check_runs, crosswheel, only_wheel, plain_project, snapshot
from targetpython import TargetPython


def make_sdist(project: Path, out: Path) -> Path:
    path = out / "crossdemo-1.0.0.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        tar.add(project, arcname="crossdemo-1.0.0")
    return path


@pytest.mark.e2e
def test_unmodified_source_folder(
    tmp_path: Path, arm64_python: TargetPython, frontend_env: dict[str, str]
) -> None:
    project = plain_project(tmp_path / "crossdemo")
    before = snapshot(project)
    result = crosswheel(
        "build",
        str(project),
        "--target",
        "aarch64-linux-gnu",
        "-o",
        str(tmp_path / "out"),
        env=frontend_env,
    )
    assert result.returncode == 0, result.stderr
    wheel = only_wheel(tmp_path / "out")
    assert re.fullmatch(
        r"crossdemo-1\.0\.0-cp311-cp311-(linux|manylinux_\d+_\d+)_aarch64\.whl", wheel.name
    )
    assert snapshot(project) == before, "the project's own files were changed"
    # One progress line per stage, and the summary.
    assert "with setuptools.build_meta in an isolated environment" in result.stderr
    assert "compiler: aarch64-linux-gnu-gcc" in result.stderr
    assert "target Python: CPython 3.11" in result.stderr
    tag = wheel.name[: -len(".whl")].split("-", 2)[2]
    assert f"wheel: {wheel}  tag: {tag}  size: " in result.stderr
    assert "Traceback" not in result.stderr
    check_runs(wheel, arm64_python, tmp_path / "site")


@pytest.mark.e2e
def test_sdist_file_without_pyproject_uses_the_legacy_backend(
    tmp_path: Path, arm64_python: TargetPython, frontend_env: dict[str, str]
) -> None:
    project = plain_project(tmp_path / "crossdemo-1.0.0", pyproject=None)
    sdist = make_sdist(project, tmp_path)
    result = crosswheel(
        "build",
        str(sdist),
        "-t",
        "aarch64-linux-gnu",
        "-o",
        str(tmp_path / "out"),
        "-q",
        env=frontend_env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and result.stdout == "", "-q must print nothing on success"
    check_runs(only_wheel(tmp_path / "out"), arm64_python, tmp_path / "site")


@pytest.mark.e2e
@pytest.mark.parametrize("epoch", ["1700000000", None], ids=["SOURCE_DATE_EPOCH", "unset"])
def test_same_sdist_gives_identical_wheels(
    tmp_path: Path, frontend_env: dict[str, str], epoch: str | None
) -> None:
    """Each build unpacks the sdist into a fresh scratch folder: its path must not leak.

    Without SOURCE_DATE_EPOCH crosswheel gives the inner backend a fixed default one.
    """
    sdist = make_sdist(plain_project(tmp_path / "crossdemo-1.0.0"), tmp_path)
    env = {k: v for k, v in frontend_env.items() if k != "SOURCE_DATE_EPOCH"}
    if epoch:
        env["SOURCE_DATE_EPOCH"] = epoch
    wheels = []
    for attempt in ("one", "two"):
        out = tmp_path / attempt
        result = crosswheel("build", str(sdist), "-t", "aarch64-linux-gnu", "-o", str(out), env=env)
        assert result.returncode == 0, result.stderr
        wheels.append(only_wheel(out).read_bytes())
    assert wheels[0] == wheels[1]


@pytest.mark.e2e
def test_several_targets_and_no_isolation(
    tmp_path: Path, arm64_python: TargetPython, frontend_env: dict[str, str]
) -> None:
    project = plain_project(tmp_path / "crossdemo")
    out = tmp_path / "out"
    result = crosswheel(
        "build",
        str(project),
        "--no-isolation",
        "-v",
        "-t",
        "aarch64-linux-gnu",
        "-t",
        "manylinux_2_28_aarch64",
        "-o",
        str(out),
        env=frontend_env,
    )
    assert result.returncode == 0, result.stderr
    assert "in this environment" in result.stderr
    # -v shows the inner backend's own output: setuptools' compiler command lines.
    assert "aarch64-linux-gnu-gcc" in result.stderr and "_native.c" in result.stderr
    names = sorted(p.name for p in out.glob("*.whl"))
    assert len(names) == 2, names
    assert "crossdemo-1.0.0-cp311-cp311-manylinux_2_28_aarch64.whl" in names
    assert "2 wheels in" in result.stderr
    for name in names:
        check_runs(out / name, arm64_python, tmp_path / name)


@pytest.mark.e2e
def test_declared_crosswheel_backend_is_used_as_is(
    source_copy: Callable[[str], Path], tmp_path: Path, frontend_env: dict[str, str]
) -> None:
    project = source_copy("setuptools-c")
    result = crosswheel(
        "build",
        str(project),
        "-t",
        "aarch64-linux-gnu",
        "-o",
        str(tmp_path / "out"),
        env=frontend_env,
    )
    assert result.returncode == 0, result.stderr
    assert "with crosswheel in an isolated environment" in result.stderr
    with zipfile.ZipFile(only_wheel(tmp_path / "out")) as wheel:
        assert "crossdemo/_native.cpython-311-aarch64-linux-gnu.so" in wheel.namelist()


@pytest.mark.e2e
@pytest.mark.parametrize("isolation", ["isolated", "--no-isolation"])
def test_failed_build_leaves_no_wheel_and_shows_the_compiler(
    tmp_path: Path, frontend_env: dict[str, str], isolation: str
) -> None:
    """Isolated (crosswheel's backend in a subprocess) or not (its hooks in-process), the
    backend's output is shown above one error, and no wheel is left."""
    project = plain_project(tmp_path / "crossdemo")
    native = project / "src" / "crossdemo" / "_native.c"
    native.write_text(native.read_text() + "\nthis is not C;\n")
    out = tmp_path / "out"
    flags = ["--no-isolation"] if isolation == "--no-isolation" else []
    result = crosswheel(
        "build", str(project), *flags, "-t", "aarch64-linux-gnu", "-o", str(out), env=frontend_env
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "error:" in result.stderr  # the compiler's message
    compiler = result.stderr.index("_native.c")
    error = result.stderr.index(
        "crosswheel: error: the inner backend 'setuptools.build_meta' failed in build_wheel"
    )
    assert compiler < error, result.stderr  # the output the message points to is above it
    assert not list(out.rglob("*.whl"))


def test_source_errors(tmp_path: Path) -> None:
    wheel = tmp_path / "x-1.0-py3-none-any.whl"
    wheel.write_bytes(b"")
    empty = tmp_path / "empty"
    empty.mkdir()
    text = tmp_path / "notes.txt"
    text.write_text("hi")
    cases = {
        str(tmp_path / "missing"): "does not exist",
        str(wheel): "is a wheel, not a source",
        str(empty): "is not a Python project",
        str(text): "is neither a source folder nor an sdist",
        "not a requirement!!": "is not a folder, an sdist or a requirement",
    }
    for source, message in cases.items():
        result = crosswheel("build", source, "-t", "aarch64-linux-gnu", "-o", str(tmp_path))
        assert result.returncode == 1, source
        assert result.stderr.startswith("crosswheel: error: "), result.stderr
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_hostile_sdist_is_refused(tmp_path: Path) -> None:
    sdist = tmp_path / "evil-1.0.tar.gz"
    payload = tmp_path / "payload"
    payload.write_text("x")
    with tarfile.open(sdist, "w:gz") as tar:
        tar.add(payload, arcname="../../evil")
    result = crosswheel("build", str(sdist), "-t", "aarch64-linux-gnu", "-o", str(tmp_path))
    assert result.returncode == 1
    assert "would be written outside its folder" in result.stderr
    assert not (tmp_path.parent.parent / "evil").exists()


def test_usage_errors(tmp_path: Path) -> None:
    result = crosswheel("build", str(tmp_path))
    assert result.returncode == 2
    assert "--target" in result.stderr
    project = plain_project(tmp_path / "p")
    result = crosswheel("build", str(project), "-t", "sparc-linux-gnu")
    assert result.returncode == 1
    assert result.stderr.startswith("crosswheel: error: unknown target 'sparc-linux-gnu'")
    result = crosswheel("build", str(project), "-t", "aarch64-linux-gnu", "-C", "novalue")
    assert result.returncode == 1
    assert "is not KEY=VALUE" in result.stderr


def test_unknown_requirement(tmp_path: Path) -> None:
    result = crosswheel(
        "build",
        "crosswheel-no-such-project-xyz==0.0.1",
        "-t",
        "aarch64-linux-gnu",
        "-o",
        str(tmp_path),
    )
    assert result.returncode == 1
    assert "has no project 'crosswheel-no-such-project-xyz'" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


RECORD_BACKENDS = """\
import os, sys
backend = os.environ.get("_PYPROJECT_HOOKS_BUILD_BACKEND")
if backend:
    with open(os.environ["BACKENDS_LOG"], "a") as log:
        log.write(backend + " " + sys.argv[1] + "\\n")
"""


def test_without_isolation_crosswheels_hooks_run_in_the_commands_process(tmp_path: Path) -> None:
    """Only the inner backend gets a process: pyproject-hooks never starts crosswheel's."""
    project = tmp_path / "purepkg"
    (project / "purepkg").mkdir(parents=True)
    (project / "purepkg" / "__init__.py").write_text("VALUE = 42\n")
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=61"]\n'
        'build-backend = "setuptools.build_meta"\n'
        '[project]\nname = "purepkg"\nversion = "1.0"\n'
    )
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(RECORD_BACKENDS)
    log = tmp_path / "backends.log"
    env = {**os.environ, "PYTHONPATH": str(hooks), "BACKENDS_LOG": str(log)}
    out = tmp_path / "out"
    result = crosswheel(
        "build", str(project), "--no-isolation", "-t", "aarch64-linux-gnu", "-o", str(out), env=env
    )
    assert result.returncode == 0, result.stderr
    assert [p.name for p in out.iterdir()] == ["purepkg-1.0-py3-none-any.whl"]
    started = log.read_text().splitlines()
    assert started == [
        "setuptools.build_meta get_requires_for_build_wheel",
        "setuptools.build_meta build_wheel",
    ], started
