"""``crosswheel test`` and ``build --test-command``: wheels proven on their target.

End to end: wheels built by the product, a target environment resolved for the
target by pip, every extension module imported by the target's own CPython
under qemu-user, and the test command run with that interpreter first on PATH.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import require_tool
from crosswheel.errors import CrosswheelError
from crosswheel.prove.proving import _IMPORT_ALL, expand_placeholders, extension_modules
from crosswheel.target.names import resolve_target
from crosswheel.target.policies import accepted_platforms
from crosswheel.wheel.binaries import read_wheel
from helpers import PLAIN_PYPROJECT, crosswheel, make_wheel, only_wheel, plain_project
from targetpython import TargetPython

AARCH64 = "aarch64-linux-gnu"
SUFFIXES = (".cpython-311-aarch64-linux-gnu.so", ".abi3.so", ".so")
CHECK = """\
import platform, sys
import crossdemo
assert platform.machine() == "aarch64", platform.machine()
assert crossdemo.add(2, 40) == (41 if sys.argv[1:] == ["wrong"] else 42), "add is wrong"
print("checked on", platform.machine())
"""


def test_manylinux_platforms_go_from_the_targets_glibc_down() -> None:
    """One answer for fetching and for testing: never a tag newer than the target's glibc."""
    tags = accepted_platforms(resolve_target("aarch64-linux-gnu"), (2, 36))
    assert tags[0] == "manylinux_2_36_aarch64"
    assert "manylinux_2_17_aarch64" in tags and "manylinux2014_aarch64" in tags
    assert "manylinux_2_37_aarch64" not in tags and "manylinux1_aarch64" not in tags
    assert tags[-1] == "linux_aarch64"
    assert "manylinux1_x86_64" in accepted_platforms(resolve_target("x86_64-linux-gnu"), (2, 28))


def test_placeholders_are_replaced_and_an_unknown_project_is_an_error() -> None:
    wheel, project = Path("/w/x.whl"), Path("/src/p")
    line = expand_placeholders("pytest {project}/tests {package} && ls {wheel}", wheel, project)
    assert line == "pytest /src/p/tests /src/p && ls /w/x.whl"
    with pytest.raises(CrosswheelError, match="uses \\{project\\}"):
        expand_placeholders("pytest {project}/tests", wheel, None)


def test_extension_modules_are_named_from_member_paths(tmp_path: Path) -> None:
    so = (
        Path(__file__).parent / "fixtures" / "_demo.cpython-311-aarch64-linux-gnu.so"
    ).read_bytes()
    wheel = make_wheel(
        tmp_path / "p-1.0-cp311-cp311-linux_aarch64.whl",
        {
            "pkg/__init__.py": b"",
            "pkg/_a.cpython-311-aarch64-linux-gnu.so": so,
            "pkg/sub/_demo.so": so,  # a bare .so that defines PyInit__demo: a module
            "pkg/libbundled.so": so,  # no PyInit_libbundled: a bundled library
            "p-1.0.data/platlib/top.abi3.so": so,
            "p-1.0.data/scripts/tool.so": so,
        },
        "cp311-cp311-linux_aarch64",
    )
    assert extension_modules(read_wheel(wheel), SUFFIXES) == ["pkg._a", "pkg.sub._demo", "top"]


def _require_aarch64() -> None:
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    require_tool("qemu-aarch64", "qemu-user")


def _build(project: Path, out: Path, env: dict[str, str], *args: str) -> Path:
    result = crosswheel("build", str(project), "-o", str(out), *args, env=env)
    assert result.returncode == 0, result.stderr
    return only_wheel(out)


@pytest.mark.e2e
def test_aarch64_wheel_passes_with_nothing_but_the_target(
    tmp_path: Path, frontend_env: dict[str, str]
) -> None:
    _require_aarch64()
    wheel = _build(plain_project(tmp_path / "p"), tmp_path / "out", frontend_env, "-t", AARCH64)
    check = tmp_path / "check.py"
    check.write_text(CHECK)
    result = crosswheel(
        "test", str(wheel), "--target", AARCH64, "--test-command", f"python {check}",
        env=frontend_env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "importing 1 extension module(s)" in result.stderr
    assert "under qemu-aarch64" in result.stderr
    assert "checked on aarch64" in result.stdout
    assert f"proved {wheel.name} on {AARCH64}" in result.stderr


@pytest.mark.e2e
def test_armhf_wheel_with_a_compiled_dependency_passes_from_a_sysroot(
    tmp_path: Path, frontend_env: dict[str, str], armhf_python: TargetPython
) -> None:
    """rpds-py's manylinux armv7l wheel comes from the index, resolved for the target."""
    require_tool("arm-linux-gnueabihf-gcc", "gcc-arm-linux-gnueabihf")
    pyproject = PLAIN_PYPROJECT + 'dependencies = ["rpds-py==2026.9.1"]\n'
    project = plain_project(tmp_path / "p", pyproject)
    sysroot = f"target-python={armhf_python.root}"
    target = "arm-linux-gnueabihf"
    wheel = _build(project, tmp_path / "out", frontend_env, "-t", target, "-C", sysroot)
    code = (
        "import crossdemo, platform, rpds, rpds.rpds as r; "
        "print(platform.machine(), crossdemo.add(2, 40), rpds.HashTrieMap({'a': 1})['a'], "
        "r.__file__.rsplit('/', 1)[-1])"
    )
    result = crosswheel(
        "test", str(wheel), "--target", target, "-C", sysroot,
        "--test-command", f'python -c "{code}"', env=frontend_env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "under qemu-arm" in result.stderr
    assert "armv7l 42 1 rpds.cpython-311-arm-linux-gnueabihf.so" in result.stdout


@pytest.mark.e2e
def test_extension_with_a_missing_symbol_fails_naming_module_and_symbol(
    tmp_path: Path, frontend_env: dict[str, str]
) -> None:
    _require_aarch64()
    project = plain_project(tmp_path / "p")
    source = project / "src" / "crossdemo" / "_native.c"
    source.write_text(
        source.read_text() + "\nextern int crosswheel_missing_symbol(void);\n"
        "int crossdemo_calls_missing(void) { return crosswheel_missing_symbol(); }\n"
    )
    wheel = _build(project, tmp_path / "out", frontend_env, "-t", AARCH64)
    result = crosswheel("test", str(wheel), "--target", AARCH64, env=frontend_env)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if "crosswheel: error:" in line]
    assert len(errors) == 1, result.stderr
    assert "crossdemo._native" in errors[0]
    assert "undefined symbol: crosswheel_missing_symbol" in errors[0]
    assert "Traceback" not in result.stderr


@pytest.mark.e2e
def test_build_runs_the_projects_test_file_on_the_target_and_fails_when_it_fails(
    tmp_path: Path, frontend_env: dict[str, str]
) -> None:
    _require_aarch64()
    project = plain_project(tmp_path / "p")
    (project / "tests").mkdir()
    (project / "tests" / "check.py").write_text(CHECK)
    passing = _build(
        project, tmp_path / "ok", frontend_env, "-t", AARCH64,
        "--test-command", "python {project}/tests/check.py",
    )  # fmt: skip
    assert passing.name.endswith("_aarch64.whl")

    out = tmp_path / "bad"
    result = crosswheel(
        "build", str(project), "-o", str(out), "-t", AARCH64,
        "--test-command", "python {project}/tests/check.py wrong", env=frontend_env,
    )  # fmt: skip
    assert result.returncode == 1
    assert "AssertionError: add is wrong" in result.stderr
    errors = [line for line in result.stderr.splitlines() if "crosswheel: error:" in line]
    assert len(errors) == 1, result.stderr
    assert "the test command failed for crossdemo-1.0.0-" in errors[0]
    assert f"on {AARCH64} (exit status 1)" in errors[0]
    assert only_wheel(out).name == passing.name  # kept, to be inspected


@pytest.mark.e2e
def test_errors_name_what_is_wrong(
    tmp_path: Path, frontend_env: dict[str, str], arm64_python: TargetPython
) -> None:
    missing = crosswheel("test", str(tmp_path / "nothing.whl"), "--target", AARCH64)
    assert missing.returncode == 1
    assert "nothing.whl is not a wheel file" in missing.stderr

    unknown = crosswheel("test", str(tmp_path / "x.whl"), "--target", "aarch65-linux-gnu")
    assert unknown.returncode == 1
    assert "unknown target 'aarch65-linux-gnu'" in unknown.stderr

    other = tmp_path / "x-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("x.py", "")
    sysroot = f"target-python={arm64_python.root}"
    wrong = crosswheel("test", str(other), "--target", AARCH64, "-C", sysroot, env=frontend_env)
    assert wrong.returncode == 1
    assert f"{other.name} is for manylinux_2_17_x86_64, not {AARCH64}" in wrong.stderr

    # A sysroot with the target's headers and sysconfig data but no interpreter,
    # on a machine that cannot fetch one.
    headers_only = tmp_path / "headers-only"
    (headers_only / "usr" / "lib").mkdir(parents=True)
    (headers_only / "usr" / "lib" / "python3.11").symlink_to(
        arm64_python.root / "usr" / "lib" / "python3.11"
    )
    (headers_only / "usr" / "include").symlink_to(arm64_python.root / "usr" / "include")
    no_tools = tmp_path / "no-tools"
    no_tools.mkdir()
    env = {**frontend_env, "PATH": str(no_tools), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    none = crosswheel(
        "test", str(tmp_path / "x.whl"), "--target", AARCH64, "-C",
        f"target-python={headers_only}", env=env,
    )  # fmt: skip
    assert none.returncode == 1, none.stderr
    assert "no Python 3.11 for arm64 to run here, and no apt-get/dpkg" in none.stderr
    assert "hint: pass -C target-python=DIR" in none.stderr
    assert "Traceback" not in none.stderr


def test_a_module_whose_own_import_circles_back_is_loaded_not_failed(tmp_path: Path) -> None:
    """scipy 1.17.1's _matfuncs_sqrtm_triu cannot be imported first, on any platform.

    Its init imports the Python module that imports it back: the ImportError names it
    "partially initialized", so its binary was loaded and its init ran. Other errors fail.
    """
    package = tmp_path / "circ"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from circ import b\nthing = 1\n")
    (package / "b.py").write_text("from circ.a import thing\n")
    (package / "c.py").write_text("raise ImportError('libfoo.so.1: cannot open shared object')\n")
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL, "circ.a", "circ.c"],
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    answer = json.loads(result.stdout.splitlines()[-1])
    assert list(answer["circular"]) == ["circ.a"]
    assert "partially initialized module 'circ.a'" in answer["circular"]["circ.a"]
    assert answer["failures"] == {"circ.c": "ImportError: libfoo.so.1: cannot open shared object"}
