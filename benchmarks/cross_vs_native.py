"""A real sdist built natively and cross-built for aarch64 in one run: the ratio, and the overhead.

The product's path: ``python -m build --wheel`` (native) against ``python -m crosswheel
build --target aarch64-linux-gnu`` (cross) of the same unpacked sdist, both without
isolation in one venv that holds the build requirements (so that creating
environments, which costs both the same, does not blur the ratio), each from a
fresh copy of the source, alternating native and cross for ``--rounds`` rounds.
crosswheel is installed into that venv from this checkout as a user installs it
(a wheel, its modules byte-compiled by pip), not run from the source folder.
The median of each is printed with their ratio, in wall time and in CPU time (user
plus system of every process the build ran: steadier than wall time on a shared
machine). crosswheel's fixed overhead is the same measure on a project whose C
extension is empty: cross minus native.

The compilers alone are measured too: the sdist's largest C file compiled by ``gcc``
and by ``aarch64-linux-gnu-gcc`` with the same flags, alternating. Their ratio is the
floor no cross build can go below: the part of cross/native that is not crosswheel.

    python benchmarks/cross_vs_native.py [--sdist msgpack==1.1.0] [--numpy] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = "aarch64-linux-gnu"
PROJECT = Path(__file__).resolve().parent.parent
SRC = PROJECT / "src"
EMPTY_C = """\
#include <Python.h>
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "emptyext", NULL, -1, NULL};
PyMODINIT_FUNC PyInit_emptyext(void) { return PyModule_Create(&def); }
"""


def empty_project(folder: Path) -> Path:
    """A setuptools project whose one extension compiles in a blink."""
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=77"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "emptyext"\nversion = "1.0"\n'
    )
    (folder / "setup.py").write_text(
        'from setuptools import Extension, setup\nsetup(ext_modules=[Extension("emptyext", '
        '["emptyext.c"])])\n'
    )
    (folder / "emptyext.c").write_text(EMPTY_C)
    return folder


def make_venv(folder: Path, requires: list[str]) -> Path:
    """A venv with crosswheel (this checkout, installed as a wheel) and ``requires``.

    It sees this Python's packages too (crosswheel's dependencies). Installed, not
    put on ``PYTHONPATH``: pip byte-compiles what it installs, as users get it,
    where a source folder may be compiled again at every start
    (``PYTHONDONTWRITEBYTECODE``).
    """
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", str(folder)], check=True
    )
    python = folder / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "build", "setuptools>=77", "wheel", *requires], check=True)
    subprocess.run([*pip, "--no-deps", str(PROJECT)], check=True)
    return python


Times = tuple[float, float]
"""Wall seconds, CPU seconds (user + system, children included)."""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path) -> Times:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    cpu = _children_cpu()
    started = time.monotonic()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return seconds, _children_cpu() - cpu


def _median(times: list[Times]) -> Times:
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def compare(python: Path, source: Path, scratch: Path, rounds: int) -> tuple[Times, Times]:
    """Median times of a native and a cross build of ``source``, alternating."""
    native: list[Times] = []
    cross: list[Times] = []
    for i in range(rounds):
        for kind, times in (("native", native), ("cross", cross)):
            work = scratch / f"{source.name}-{kind}-{i}"
            shutil.copytree(source, work)
            out = scratch / f"out-{source.name}-{kind}-{i}"
            if kind == "native":
                command = [str(python), "-m", "build", "--wheel", "--no-isolation", "-o", str(out)]
                command.append(str(work))
            else:
                command = [str(python), "-m", "crosswheel", "build", str(work), "-q"]
                command += ["--no-isolation", "--target", TARGET, "-o", str(out)]
            times.append(timed(command, scratch))
            shutil.rmtree(work)
    return _median(native), _median(cross)


COMPILE_FLAGS = ["-O2", "-g", "-fwrapv", "-fPIC", "-DNDEBUG", "-c"]


def compilers_alone(python: Path, source: Path, scratch: Path, rounds: int) -> tuple[Times, Times]:
    """Median times of the largest C file of ``source``, by gcc and the cross gcc, same flags."""
    biggest = max(source.rglob("*.c"), key=lambda p: p.stat().st_size)
    native_include = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['include'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    commands = {
        "native": ["gcc", f"-I{native_include}"],
        "cross": [f"{TARGET}-gcc", "-I/usr/include/python3.11"],
    }
    times: dict[str, list[Times]] = {"native": [], "cross": []}
    for _ in range(rounds):
        for kind, compiler in commands.items():
            command = [*compiler, f"-I{source}", f"-I{biggest.parent}", *COMPILE_FLAGS]
            command += [str(biggest), "-o", str(scratch / f"{kind}.o")]
            times[kind].append(timed(command, source))
    return _median(times["native"]), _median(times["cross"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdist", action="append", default=[], help="default: msgpack==1.1.0")
    parser.add_argument("--numpy", action="store_true", help="numpy's sdist too (long)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(SRC))
    from crosswheel.cli.index import fetch_sdist
    from crosswheel.cli.sources import unpack_sdist

    requirements = args.sdist or ["msgpack==1.1.0"]
    if args.numpy:
        requirements.append("numpy==2.2.6")
    with tempfile.TemporaryDirectory(prefix="cross-vs-native-") as tmp:
        scratch = Path(tmp)
        python = make_venv(scratch / "venv", ["Cython>=3", "meson-python", "ninja"])
        rows = []
        compilers = []
        for i, requirement in enumerate(requirements):
            folder = scratch / f"sdist{i}"
            folder.mkdir()
            source = unpack_sdist(fetch_sdist(requirement, folder), folder)
            rows.append((requirement, *compare(python, source, scratch, args.rounds)))
            compilers.append((requirement, *compilers_alone(python, source, scratch, args.rounds)))
        empty = compare(python, empty_project(scratch / "emptyext"), scratch, args.rounds)
    print(f"median of {args.rounds} alternating rounds, cross = --target {TARGET}")
    for name, native, cross in rows:
        print(
            f"{name}: wall native {native[0]:.2f} s, cross {cross[0]:.2f} s, "
            f"cross/native {cross[0] / native[0]:.3f}; CPU native {native[1]:.2f} s, "
            f"cross {cross[1]:.2f} s, cross/native {cross[1] / native[1]:.3f}"
        )
    for name, native, cross in compilers:
        print(
            f"{name}, its largest C file alone: gcc {native[0]:.2f} s, {TARGET}-gcc "
            f"{cross[0]:.2f} s, cross/native {cross[0] / native[0]:.3f} (the compilers' own "
            "difference, before crosswheel)"
        )
    native, cross = empty
    print(
        f"empty extension: wall native {native[0]:.2f} s, cross {cross[0]:.2f} s, "
        f"crosswheel's fixed overhead {cross[0] - native[0]:.3f} s; CPU native "
        f"{native[1]:.2f} s, cross {cross[1]:.2f} s, overhead {cross[1] - native[1]:.3f} s"
    )


if __name__ == "__main__":
    main()
