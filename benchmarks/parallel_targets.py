"""Wall time of ``crosswheel build --jobs 2`` against one target after another, in one run.

Runs the command line a user runs (``python -m crosswheel build``) for the same
source and targets, first with ``--jobs 1``, then with ``--jobs 2``, each into a
fresh output folder, checks both give the same wheel names, and prints both
times and their ratio as measured here and now (the machine's free cores decide
it). The default source is a generated setuptools project whose one C extension
takes a few seconds to compile (``--functions``), so that compiling, not start-up,
dominates as in real projects; any folder, sdist or requirement ``crosswheel build``
takes works too, as do more targets.

    python benchmarks/parallel_targets.py [--source SRC] [--functions 600] [-t T ...]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYPROJECT = """\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "benchdemo"
version = "1.0"
"""
SETUP = """\
from setuptools import Extension, setup

setup(ext_modules=[Extension("benchdemo", ["benchdemo.c"])])
"""


def make_project(folder: Path, functions: int) -> None:
    """A plain setuptools project with one C extension of ``functions`` small functions."""
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(PYPROJECT)
    (folder / "setup.py").write_text(SETUP)
    body = "".join(
        f"long f{i}(long x) {{ long s = 0; for (long k = 0; k < x; k++) "
        f"s += (k * {i + 3}) ^ (s >> 3); return s + {i}; }}\n"
        for i in range(functions)
    )
    table = ", ".join(f"f{i}" for i in range(functions))
    (folder / "benchdemo.c").write_text(
        "#define PY_SSIZE_T_CLEAN\n#include <Python.h>\n"
        + body
        + f"static long (*table[])(long) = {{{table}}};\n"
        + "static PyObject *run(PyObject *self, PyObject *arg) {\n"
        + "  long n = PyLong_AsLong(arg), s = 0;\n"
        + "  for (size_t i = 0; i < sizeof table / sizeof *table; i++) s += table[i](n);\n"
        + "  return PyLong_FromLong(s);\n}\n"
        + 'static PyMethodDef methods[] = {{"run", run, METH_O, NULL}, {NULL}};\n'
        + 'static struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, "benchdemo", NULL, -1, '
        + "methods};\nPyMODINIT_FUNC PyInit_benchdemo(void) { return PyModule_Create(&mod); }\n"
    )


def build(source: str, targets: list[str], jobs: int, out: Path, isolation: bool) -> float:
    """Seconds one ``crosswheel build`` takes; fails loudly if the build fails."""
    argv = [sys.executable, "-m", "crosswheel", "build", source, "-o", str(out), "-q"]
    argv += [f"--target={t}" for t in targets] + ["--jobs", str(jobs)]
    if not isolation:
        argv.append("--no-isolation")
    start = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{result.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", help="default: a generated C project")
    parser.add_argument("--functions", type=int, default=600, help="size of the generated C")
    parser.add_argument("-t", "--target", action="append", dest="targets")
    parser.add_argument(
        "--isolation", action="store_true", help="build in isolated environments (default: not)"
    )
    parser.add_argument("--repeat", type=int, default=2, help="best of N runs each")
    args = parser.parse_args()
    targets = args.targets or ["aarch64-linux-gnu", "x86_64-linux-gnu"]
    with tempfile.TemporaryDirectory() as tmp:
        times: dict[int, float] = {}
        names: dict[int, list[str]] = {}
        for run in range(args.repeat):
            for jobs in (1, 2):
                # A fresh source each time: setuptools would reuse the objects in build/.
                folder = Path(tmp) / f"src-{jobs}-{run}" / "benchdemo"
                source = args.source
                if source is None:
                    make_project(folder, args.functions)
                    source = str(folder)
                elif Path(source).is_dir():
                    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("build"))
                    source = str(folder)
                out = Path(tmp) / f"out-{jobs}-{run}"
                seconds = build(source, targets, jobs, out, args.isolation)
                times[jobs] = min(times.get(jobs, seconds), seconds)
                names[jobs] = sorted(p.name for p in out.glob("*.whl"))
        assert names[1] == names[2] and len(names[1]) == len(set(targets)), names
    print(f"targets: {', '.join(targets)}  ({len(names[1])} wheels)")
    print(f"one after another (--jobs 1): {times[1]:.2f} s")
    print(f"side by side      (--jobs 2): {times[2]:.2f} s")
    print(f"ratio --jobs 2 / --jobs 1: {times[2] / times[1]:.2f}")


if __name__ == "__main__":
    main()
