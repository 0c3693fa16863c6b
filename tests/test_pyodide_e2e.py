"""Pyodide end to end: build with one flag under a 3.13 build Python, prove in Pyodide.

The build Python is 3.13, so ``wasm32-unknown-emscripten`` is Pyodide 0.29.3's ABI
(``pyodide_2025_0_wasm32``); its npm runtime is fetched into crosswheel's cache with
npm. Debian's emcc 3.1.6 is driven with clang 19 (see the README's Pyodide
section). ``crosswheel test`` loads each wheel in the real runtime under node.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import require
from helpers import C_SDIST_SMOKE_TESTS

pytestmark = pytest.mark.e2e

TARGET = "wasm32-unknown-emscripten"


def require_pyodide_tools() -> None:
    for tool, package in (("emcc", "emscripten"), ("clang-19", "clang-19"), ("node", "nodejs")):
        require(shutil.which(tool) is not None, f"{tool} not found (apt-get install {package})")
    require(shutil.which("npm") is not None, "npm not found (apt-get install npm)")


def build(python: Path, src: Path, out: Path, env: dict[str, str]) -> Path:
    command = [
        str(python),
        "-m",
        "build",
        "--wheel",
        "-o",
        str(out),
        str(src),
        f"-Ctarget={TARGET}",
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "emcc 3.1.6" not in result.stderr or "at risk" in result.stderr
    # Every hook resolves the toolchain (each in its own process): the caveat comes once.
    assert (result.stdout + result.stderr).count("is not Pyodide 0.29.3's emscripten") <= 1
    (wheel,) = out.glob("*.whl")
    return wheel


def prove(python: Path, wheel: Path, env: dict[str, str], command: str | None = None) -> str:
    argv = [str(python), "-m", "crosswheel", "test", str(wheel), "--target", TARGET]
    if command:
        argv += ["--test-command", command]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout + result.stderr


@pytest.mark.parametrize(
    ("example", "module"), [("setuptools-c", "crossdemo"), ("meson-c", "mesondemo")]
)
def test_example_builds_for_pyodide_and_runs_in_it(
    example: str,
    module: str,
    python313: Path,
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    tmp_path: Path,
) -> None:
    """The wheel is tagged for Pyodide 0.29.3, holds a side module, and computes in Pyodide."""
    require_pyodide_tools()
    wheel = build(python313, source_copy(example), tmp_path / "out", frontend_env)
    assert wheel.name == f"{module}-1.0.0-cp313-cp313-pyodide_2025_0_wasm32.whl"
    check = (
        f"import sys, {module} as m; assert sys.platform == 'emscripten'; "
        "assert m.add(2, 3) == 5, m.add(2, 3); print('pointer bits', m.build_info())"
    )
    out = prove(python313, wheel, frontend_env, f'python -c "{check}"')
    assert "Pyodide 0.29.3 under node" in out
    assert "proved" in out


def test_scikit_build_core_cpp_builds_for_pyodide_and_runs_in_it(
    python313: Path,
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    tmp_path: Path,
) -> None:
    """pybind11 C++ through CMake with emscripten's platform file: the module computes in Pyodide.

    C++ links the libc++ 14 compat object (old emcc); the SOABI and processor CMake saw
    are the target's, and the configure-time probe ran under node.
    """
    require_pyodide_tools()
    wheel = build(python313, source_copy("scikit-build-cpp"), tmp_path / "out", frontend_env)
    assert wheel.name == "skbuilddemo-1.0.0-cp313-cp313-pyodide_2025_0_wasm32.whl"
    check = (
        "import skbuilddemo as m; assert m.add(2, 3) == 5; i = m.build_info(); "
        "assert i['python_soabi'] == 'cpython-313-wasm32-emscripten', i; "
        "assert i['cmake_processor'] == 'wasm32', i; assert i['sizeof_void_p'] == 4, i; "
        "assert i['probe_machine'] == 'wasm32', i; print('skbuild ok')"
    )
    out = prove(python313, wheel, frontend_env, f'python -c "{check}"')
    assert "skbuild ok" in out
    assert "proved" in out


def test_doctor_shows_pyodide_emscripten_and_where_runtime_and_headers_came_from(
    python313: Path, frontend_env: dict[str, str]
) -> None:
    """The ABI's versions, the emcc that builds (and how it is driven), and the origins."""
    require_pyodide_tools()
    argv = [str(python313), "-m", "crosswheel", "doctor", "--target", TARGET]
    result = subprocess.run(argv, env=frontend_env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lines = {line.split(":", 1)[0]: line for line in result.stdout.splitlines() if ":" in line}
    assert (
        "0.29.3 (CPython 3.13.2, pyodide_2025_0_wasm32, built with emscripten 4.0.9)"
        in (lines["Pyodide"])
    )
    assert "emcc 3." in lines["emscripten"] or "emcc 4." in lines["emscripten"]
    assert "Pyodide 0.29.3 runtime" in lines["runtime"]
    assert "pyconfig.h written from the runtime's _sysconfigdata_" in lines["headers"]
    # The emcc caveat is shown by doctor, once, and never by the build hooks' resolution.
    assert result.stdout.count("is not Pyodide 0.29.3's emscripten") <= 1
    assert "is not Pyodide" not in result.stderr
    assert "the shim answers every introspection point as the target does" in result.stdout


MISSING = """\
#include <Python.h>
int crosswheel_missing_function(int);
static PyObject *call(PyObject *self, PyObject *unused) {
    return PyLong_FromLong(crosswheel_missing_function(1));
}
static PyMethodDef methods[] = {{"call", call, METH_NOARGS, ""}, {0}};
static struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, "cwmissing", 0, -1, methods};
PyMODINIT_FUNC PyInit_cwmissing(void) { return PyModule_Create(&mod); }
"""


def test_a_function_no_library_provides_fails_the_proof_by_name(
    python313: Path, frontend_env: dict[str, str], tmp_path: Path
) -> None:
    """Pyodide would import it and die at the first call; crosswheel test names the symbol."""
    require_pyodide_tools()
    src = tmp_path / "cwmissing"
    (src / "src").mkdir(parents=True)
    (src / "src" / "cwmissing.c").write_text(MISSING)
    (src / "setup.py").write_text(
        "from setuptools import Extension, setup\n"
        'setup(ext_modules=[Extension("cwmissing", ["src/cwmissing.c"])])\n'
    )
    (src / "pyproject.toml").write_text(
        textwrap.dedent("""\
            [build-system]
            requires = ["crosswheel", "setuptools>=77"]
            build-backend = "crosswheel"
            [tool.crosswheel]
            backend = "setuptools.build_meta"
            [project]
            name = "cwmissing"
            version = "1.0"
            """)
    )
    wheel = build(python313, src, tmp_path / "out", frontend_env)
    argv = [str(python313), "-m", "crosswheel", "test", str(wheel), "--target", TARGET]
    result = subprocess.run(argv, env=frontend_env, capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stderr
    assert (
        "cwmissing.cpython-313-wasm32-emscripten.so imports crosswheel_missing_function"
        in result.stderr
    )


@pytest.mark.parametrize("requirement", list(C_SDIST_SMOKE_TESTS))
def test_pypi_sdist_cross_builds_for_pyodide_and_passes_its_smoke_test(
    requirement: str, python313: Path, frontend_env: dict[str, str], tmp_path: Path
) -> None:
    """Unmodified sdists (Cython C, plain C): built, then their C modules used in Pyodide."""
    require_pyodide_tools()
    argv = [str(python313), "-m", "crosswheel", "build", requirement, "--target", TARGET]
    argv += [
        "-o",
        str(tmp_path),
        "--test-command",
        f'python -c "{C_SDIST_SMOKE_TESTS[requirement]}"',
    ]
    result = subprocess.run(argv, env=frontend_env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (wheel,) = tmp_path.glob("*.whl")
    assert wheel.name.endswith("-cp313-cp313-pyodide_2025_0_wasm32.whl")
    assert "proved" in result.stderr + result.stdout


CONTOURPY = """\
import sys
sys.path.insert(0, sys.argv[1])  # the extension alone: contourpy's Python layer needs numpy
import _contourpy as c
assert sys.platform == "emscripten"
assert c.__file__.endswith(".cpython-313-wasm32-emscripten.so"), c.__file__
assert int(c.FillType.OuterCode) == 201 and c.LineType.Separate.name == "Separate"
assert c.max_threads() >= 1
try:
    c.SerialContourGenerator(1, 2, 3)
except TypeError as exc:  # pybind11's overload error: a C++ exception caught in C++
    assert "incompatible constructor arguments" in str(exc), exc
else:
    raise AssertionError("no TypeError")
print("contourpy ok")
"""


def test_meson_python_cpp_sdist_cross_builds_for_pyodide_and_its_module_runs(
    python313: Path, frontend_env: dict[str, str], tmp_path: Path
) -> None:
    """contourpy 1.4.0 (meson-python, pybind11, C++17, werror) unmodified: its module in Pyodide.

    contourpy's Python layer imports numpy, which has no Pyodide wheel on PyPI: the
    compiled module ``_contourpy`` is loaded alone in the runtime and called.
    """
    require_pyodide_tools()
    argv = [str(python313), "-m", "crosswheel", "build", "contourpy==1.4.0", "--target", TARGET]
    argv += ["-o", str(tmp_path / "out")]
    result = subprocess.run(argv, env=frontend_env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (wheel,) = (tmp_path / "out").glob("*.whl")
    assert wheel.name == "contourpy-1.4.0-cp313-cp313-pyodide_2025_0_wasm32.whl"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path / "unpacked")
    from crosswheel.target.cache import user_cache
    from crosswheel.target.pyodide import RUNNER

    runtime = user_cache() / "pyodide" / "0.29.3"
    (tmp_path / "check.py").write_text(CONTOURPY)
    node = [shutil.which("node") or "node", str(RUNNER), "--runtime", str(runtime)]
    command = [*node, str(tmp_path / "check.py"), str(tmp_path / "unpacked" / "contourpy")]
    run = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "contourpy ok" in run.stdout
