"""verifier: real binaries for the wrong CPU, format or libc are refused, the right ones pass.

The binaries are committed fixtures (``fixtures/make_fixtures.py`` made them with Debian's
cross gcc and ``zig cc``), so this runs without a compiler.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crosswheel.errors import RefusedWheel
from crosswheel.target.names import resolve_target
from crosswheel.wheel.binaries import describe_binary_bytes
from crosswheel.wheel.verifier import verify_binaries

FIXTURES = Path(__file__).parent / "fixtures"
"""``x-<target>.so``/``.pyd``: ``fixtures/src/ext.c`` (``PyInit__x``), by ``make_fixtures.py``."""


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def verify(member: str, data: bytes, target: str, suffixes: tuple[str, ...]) -> int:
    binary = describe_binary_bytes(member, data)
    assert binary is not None
    return verify_binaries(
        "demo-1.0-cp311-cp311-any.whl", [(member, binary)], resolve_target(target), suffixes
    )


GNU_AARCH64 = "x-aarch64-linux-gnu.so"  # Debian's aarch64-linux-gnu-gcc
GNU_ARMHF = "x-arm-linux-gnueabihf.so"  # Debian's arm-linux-gnueabihf-gcc
GNU_S390X = "x-s390x-linux-gnu.so"  # Debian's s390x-linux-gnu-gcc
MUSL_AARCH64 = "x-aarch64-linux-musl.so"  # zig cc -target aarch64-linux-musl
MACOS_ARM64 = "x-aarch64-macos.so"  # zig cc -target aarch64-macos
WINDOWS_AMD64 = "x-x86_64-windows-gnu.pyd"  # zig cc -target x86_64-windows-gnu

# binary (fixture), member name, target, expected problem (None: accepted)
CASES = [
    (GNU_AARCH64, "demo/_x.so", "aarch64-linux-gnu", None),
    (GNU_AARCH64, "demo/_x.so", "s390x-linux-gnu", "not ELF 64-bit MSB IBM S/390"),
    (GNU_ARMHF, "demo/_x.so", "arm-linux-gnueabihf", None),
    (GNU_ARMHF, "demo/_x.so", "i686-linux-gnu", "not ELF 32-bit LSB Intel"),
    (GNU_S390X, "demo/_x.so", "s390x-linux-gnu", None),
    (MUSL_AARCH64, "demo/_x.so", "aarch64-linux-musl", None),
    (MUSL_AARCH64, "demo/_x.so", "aarch64-linux-gnu", "links musl"),
    (GNU_AARCH64, "demo/_x.so", "aarch64-linux-musl", "links glibc"),
    (MACOS_ARM64, "demo/_x.so", "arm64-apple-darwin", None),
    (MACOS_ARM64, "demo/_x.so", "x86_64-apple-darwin", "Mach-O for arm64"),
    (MACOS_ARM64, "demo/_x.so", "aarch64-linux-gnu", "Mach-O 64-bit, not"),
    (WINDOWS_AMD64, "demo/_x.pyd", "win_amd64", None),
    (WINDOWS_AMD64, "demo/_x.pyd", "win_arm64", "PE for amd64"),
    (GNU_AARCH64, "demo/_x.so", "win_arm64", "not PE 64-bit arm64"),
]


@pytest.mark.parametrize(
    ("binary", "member", "target", "problem"),
    CASES,
    ids=[f"{c[0][2:].rsplit('.', 1)[0]}-on-{c[2]}" for c in CASES],
)
def test_binaries_are_checked_against_the_target(
    binary: str, member: str, target: str, problem: str | None
) -> None:
    data = fixture(binary)
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
def test_extension_names_must_import_on_the_target(member: str, problem: str | None) -> None:
    """A right-CPU binary still fails when the target interpreter would not import its name."""
    data = fixture(GNU_AARCH64)
    suffixes = (".cpython-311-aarch64-linux-gnu.so", ".abi3.so", ".so")
    if problem is None:
        assert verify(member, data, "aarch64-linux-gnu", suffixes) == 1
    else:
        with pytest.raises(RefusedWheel, match=problem):
            verify(member, data, "aarch64-linux-gnu", suffixes)
