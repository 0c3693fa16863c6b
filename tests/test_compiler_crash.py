"""A crashed cross compiler is named as such: compiler, version, file, other toolchains.

The crash is a real one: gcc's ``-wrapper`` starts cc1 under a script that kills it
with SIGSEGV, which gcc reports as it reports any internal compiler error.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from conftest import require_tool
from crosswheel.build.failures import compiler_crash
from crosswheel.scripts import write_script
from crosswheel.target.names import resolve_target
from helpers import ARM64_TOOLCHAIN, crosswheel

GCC_ICE = """\
aarch64-linux-gnu-gcc -fPIC -c src/fast/kernel.c -o build/kernel.o
src/fast/kernel.c: In function 'mix':
src/fast/kernel.c:41:1: internal compiler error: in extract_insn, at recog.cc:2791
Please submit a full bug report, with preprocessed source (by using -freport-bug).
"""


def test_gcc_ice_text_names_file_and_toolchains() -> None:
    error = compiler_crash(GCC_ICE, resolve_target("aarch64-linux-gnu"), ARM64_TOOLCHAIN)
    assert error is not None
    assert "the cross compiler aarch64-linux-gnu-gcc (" in error.message
    assert "internal compiler error (in extract_insn, at recog.cc:2791)" in error.message
    assert "compiling src/fast/kernel.c" in error.message
    assert "-C toolchain=zig" in error.hint


def test_ordinary_compile_error_is_not_a_crash() -> None:
    text = "src/a.c:3:1: error: expected ';' before '}' token\n"
    assert compiler_crash(text, resolve_target("aarch64-linux-gnu"), ARM64_TOOLCHAIN) is None


@pytest.mark.e2e
def test_build_whose_compiler_crashes_says_so(tmp_path: Path, source_copy: Any) -> None:
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    segv = write_script(tmp_path / "segv", 'case "$1" in *cc1) kill -SEGV $$ ;; esac\nexec "$@"\n')
    env = {**os.environ, "CFLAGS": f"-wrapper {segv}"}
    result = crosswheel(
        "build", str(source_copy("setuptools-c")), "--target", "aarch64-linux-gnu",
        "-o", str(tmp_path / "out"), "--no-isolation", env=env,
    )  # fmt: skip
    assert result.returncode == 1
    error = next(line for line in result.stderr.splitlines() if "crosswheel: error:" in line)
    assert "the cross compiler aarch64-linux-gnu-gcc (" in error
    assert "crashed: an internal compiler error (Segmentation fault" in error
    assert "compiling src/crossdemo/_native.c" in error
    assert "-C toolchain=zig" in result.stderr
    assert not list((tmp_path / "out").glob("*.whl"))
