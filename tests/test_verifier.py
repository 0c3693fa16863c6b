"""verifier: real binaries for the wrong CPU, format or libc are refused, the right ones pass."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from conftest import require
from crosswheel.errors import RefusedWheel
from crosswheel.target.names import resolve_target
from crosswheel.wheel.binaries import describe_binary_bytes
from crosswheel.wheel.verifier import verify_binaries

SOURCE = (
    '#include <stdio.h>\nint demo(char *b) { return sprintf(b, "%d", 42); }\n'
    "void *PyInit__x(void) { return 0; }\n"
)
ZIG = [sys.executable, "-m", "ziglang", "cc"]
Build = Callable[[list[str], str], bytes]
"""Compile the test source with a compiler command into a shared object; its bytes."""


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    folder = tmp_path_factory.mktemp("verifier")
    src = folder / "demo.c"
    src.write_text(SOURCE)
    made: dict[str, bytes] = {}

    def build_(compiler: list[str], out_name: str) -> bytes:
        key = " ".join(compiler) + out_name
        if key not in made:
            if compiler[0] == sys.executable:
                try:
                    import ziglang  # noqa: F401
                except ImportError:
                    require(False, "ziglang is not installed")
            else:
                require(shutil.which(compiler[0]) is not None, f"{compiler[0]} not found")
            out = folder / f"{len(made)}-{out_name}"
            result = subprocess.run(
                [*compiler, "-shared", "-fPIC", "-o", str(out), str(src)],
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode == 0, result.stderr
            made[key] = out.read_bytes()
        return made[key]

    return build_


def verify(member: str, data: bytes, target: str, suffixes: tuple[str, ...]) -> int:
    binary = describe_binary_bytes(member, data)
    assert binary is not None
    return verify_binaries(
        "demo-1.0-cp311-cp311-any.whl", [(member, binary)], resolve_target(target), suffixes
    )


# binary made by, member name, target, expected problem (None: accepted)
CASES = [
    (["aarch64-linux-gnu-gcc"], "demo/_x.so", "aarch64-linux-gnu", None),
    (["aarch64-linux-gnu-gcc"], "demo/_x.so", "s390x-linux-gnu", "not ELF 64-bit MSB IBM S/390"),
    (["arm-linux-gnueabihf-gcc"], "demo/_x.so", "arm-linux-gnueabihf", None),
    (["arm-linux-gnueabihf-gcc"], "demo/_x.so", "i686-linux-gnu", "not ELF 32-bit LSB Intel"),
    (["s390x-linux-gnu-gcc"], "demo/_x.so", "s390x-linux-gnu", None),
    ([*ZIG, "-target", "aarch64-linux-musl"], "demo/_x.so", "aarch64-linux-musl", None),
    ([*ZIG, "-target", "aarch64-linux-musl"], "demo/_x.so", "aarch64-linux-gnu", "links musl"),
    (["aarch64-linux-gnu-gcc"], "demo/_x.so", "aarch64-linux-musl", "links glibc"),
    ([*ZIG, "-target", "aarch64-macos"], "demo/_x.so", "arm64-apple-darwin", None),
    ([*ZIG, "-target", "aarch64-macos"], "demo/_x.so", "x86_64-apple-darwin", "Mach-O for arm64"),
    ([*ZIG, "-target", "aarch64-macos"], "demo/_x.so", "aarch64-linux-gnu", "Mach-O 64-bit, not"),
    ([*ZIG, "-target", "x86_64-windows-gnu"], "demo/_x.pyd", "win_amd64", None),
    ([*ZIG, "-target", "x86_64-windows-gnu"], "demo/_x.pyd", "win_arm64", "PE for amd64"),
    (["aarch64-linux-gnu-gcc"], "demo/_x.so", "win_arm64", "not PE 64-bit arm64"),
]


@pytest.mark.parametrize(
    ("compiler", "member", "target", "problem"),
    CASES,
    ids=[f"{c[1][-1]}-on-{c[2]}" for c in CASES],
)
def test_binaries_are_checked_against_the_target(
    build: Build,
    tmp_path: Path,
    compiler: list[str],
    member: str,
    target: str,
    problem: str | None,
) -> None:
    data = build(compiler, Path(member).name)
    if problem is None:
        assert verify(member, data, target, (".so", ".pyd")) == 1
    else:
        with pytest.raises(RefusedWheel, match=problem):
            verify(member, data, target, (".so", ".pyd"))


@pytest.mark.parametrize(
    ("member", "problem"),
    [
        ("demo/_x.cpython-311-aarch64-linux-gnu.so", None),
        ("demo/_x.abi3.so", None),
        ("demo/_x.so", None),
        ("demo/_x.cpython-311-x86_64-linux-gnu.so", "named for another interpreter"),
        ("demo/_x.cpython-312-aarch64-linux-gnu.so", "named for another interpreter"),
    ],
)
def test_extension_names_must_import_on_the_target(
    build: Build, tmp_path: Path, member: str, problem: str | None
) -> None:
    """A right-CPU binary still fails when the target interpreter would not import its name."""
    data = build(["aarch64-linux-gnu-gcc"], "_x.so")
    suffixes = (".cpython-311-aarch64-linux-gnu.so", ".abi3.so", ".so")
    if problem is None:
        assert verify(member, data, "aarch64-linux-gnu", suffixes) == 1
    else:
        with pytest.raises(RefusedWheel, match=problem):
            verify(member, data, "aarch64-linux-gnu", suffixes)
