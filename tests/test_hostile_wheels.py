"""Damaged and hostile wheels: refused by name through ``fix`` and ``inspect``, never a traceback.

The binary is a real aarch64 extension module (``fixtures/``, made by Debian's cross gcc).
"""

from __future__ import annotations

import random
import stat
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from crosswheel.errors import CrosswheelError
from crosswheel.target.names import resolve_target
from crosswheel.wheel.finish import finish_wheel
from crosswheel.wheelfile import record_hash
from helpers import arm64_interpreter, crosswheel, make_wheel

FIXTURES = Path(__file__).parent / "fixtures"
SO = (FIXTURES / "_demo.cpython-311-aarch64-linux-gnu.so").read_bytes()
MODULE = "demo/_demo.cpython-311-aarch64-linux-gnu.so"
WHEEL = "demo-1.0-cp311-cp311-linux_aarch64.whl"


def good_wheel(folder: Path, so: bytes = SO, name: str = MODULE, wheel_text: str = "") -> Path:
    path = make_wheel(
        folder / WHEEL, {"demo/__init__.py": b"", name: so}, "cp311-cp311-linux_x86_64"
    )
    if wheel_text:
        _rewrite_member(path, "demo-1.0.dist-info/WHEEL", wheel_text.encode())
    return path


def _rewrite_member(path: Path, member: str, data: bytes) -> None:
    """Replace one member and keep RECORD true to it (so only the member's content is wrong)."""
    with zipfile.ZipFile(path) as archive:
        items = {i.filename: archive.read(i) for i in archive.infolist()}
    items[member] = data
    record = "demo-1.0.dist-info/RECORD"
    rows = [f"{n},{record_hash(d)},{len(d)}" for n, d in items.items() if n != record]
    items[record] = ("\n".join([*rows, f"{record},,"]) + "\n").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, d in items.items():
            archive.writestr(n, d)


def _elf_with(offset: int, value: bytes) -> bytes:
    data = bytearray(SO)
    data[offset : offset + len(value)] = value
    return bytes(data)


def _fix(wheel: Path, out: Path) -> Path:
    return finish_wheel(wheel, resolve_target("aarch64-linux-gnu"), arm64_interpreter(), out)


@pytest.mark.parametrize(
    ("wheel_text", "message"),
    [
        (
            "Wheel-Version: 2.0\nRoot-Is-Purelib: false\nTag: cp311-cp311-linux_x86_64\n",
            "Wheel-Version",
        ),
        ("garbage\x00\x01", "Wheel-Version"),
        ("", "Wheel-Version"),
        ("Wheel-Version: 1.0\nTag: cp311-cp311-linux_x86_64\n", "Root-Is-Purelib"),
        ("Wheel-Version: 1.0\nRoot-Is-Purelib: false\n", "no Tag"),
        ("Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp311\n", "malformed Tag"),
    ],
    ids=["version-2", "garbage", "empty", "no-purelib", "no-tag", "bad-tag"],
)
def test_a_broken_wheel_file_is_refused_not_rewritten(
    tmp_path: Path, wheel_text: str, message: str
) -> None:
    wheel = good_wheel(tmp_path / "in", wheel_text=wheel_text or " ")
    with pytest.raises(CrosswheelError, match=message):
        _fix(wheel, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


@pytest.mark.parametrize(
    ("so", "message"),
    [
        (b"this is text, not a library\n", "not a shared library"),
        (b"\x7fELG" + SO[4:], "not a shared library"),
        (_elf_with(16, struct.pack("<H", 2)), "ET_EXEC"),
        (_elf_with(16, struct.pack("<H", 1)), "ET_REL"),
        (_elf_with(7, b"\x09"), "OS ABI"),
        (_elf_with(6, b"\x00"), "version"),
    ],
    ids=["text", "bad-magic", "exec", "rel", "freebsd", "ei-version-0"],
)
def test_an_unloadable_extension_is_refused_by_name(
    tmp_path: Path, so: bytes, message: str
) -> None:
    wheel = good_wheel(tmp_path / "in", so=so)
    with pytest.raises(CrosswheelError, match=message) as info:
        _fix(wheel, tmp_path / "out")
    assert "_demo" in str(info.value)


def test_a_bad_crc_is_a_refused_member_not_a_traceback(tmp_path: Path) -> None:
    wheel = good_wheel(tmp_path)
    data = bytearray(wheel.read_bytes())
    with zipfile.ZipFile(wheel) as archive:
        info = archive.getinfo(MODULE)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 100] ^= 0xFF
    wheel.write_bytes(bytes(data))
    result = crosswheel(
        "fix", str(wheel), "--target", "aarch64-linux-gnu", "-o", str(tmp_path / "o")
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "crosswheel: error:" in result.stderr and "hint:" in result.stderr


def test_a_written_wheel_is_readable_by_others(tmp_path: Path) -> None:
    fixed = _fix(good_wheel(tmp_path / "in"), tmp_path / "out")
    mode = stat.S_IMODE(fixed.stat().st_mode)
    assert mode & 0o044 == 0o044, oct(mode)


def _mutants(wheel: bytes, seed: int, count: int) -> list[bytes]:
    """Byte flips, truncations and header edits of a real wheel."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        data = bytearray(wheel)
        kind = rng.randrange(4)
        if kind == 0:
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif kind == 1:
            del data[rng.randrange(1, len(data)) :]
        elif kind == 2:
            index = data.find(b"\x7fELF")
            if index >= 0:
                data[index + rng.randrange(4, 20)] = rng.randrange(256)
        else:
            index = data.find(b"Tag: ")
            if index >= 0:
                data[index + rng.randrange(0, 30)] = rng.randrange(32, 127)
        out.append(bytes(data))
    return out


def test_fuzzed_wheels_give_crosswheels_errors_or_verified_wheels(tmp_path: Path) -> None:
    """In process, so 1,000 mutants stay fast: only CrosswheelError may escape."""
    base = good_wheel(tmp_path / "base", so=SO)
    written = 0
    for number, data in enumerate(_mutants(base.read_bytes(), seed=720, count=1000)):
        folder = tmp_path / f"m{number}"
        folder.mkdir()
        mutant = folder / WHEEL
        mutant.write_bytes(data)
        try:
            fixed = _fix(mutant, folder / "out")
        except CrosswheelError:
            continue
        written += 1
        with zipfile.ZipFile(fixed) as archive:
            assert archive.testzip() is None
    assert written < 1000  # the mutations really damage wheels


@pytest.mark.parametrize("command", ["fix", "inspect"])
def test_fuzzed_wheels_through_the_command_line(tmp_path: Path, command: str) -> None:
    base = good_wheel(tmp_path / "base", so=SO)
    for number, data in enumerate(_mutants(base.read_bytes(), seed=656, count=25)):
        mutant = tmp_path / f"m{number}" / WHEEL
        mutant.parent.mkdir()
        mutant.write_bytes(data)
        args = [command, str(mutant), "--target", "aarch64-linux-gnu"]
        if command == "fix":
            args += ["-o", str(mutant.parent / "out")]
        else:
            args = [command, str(mutant)]
        result = crosswheel(*args)
        assert "Traceback" not in result.stderr, result.stderr
        assert result.returncode in (0, 1), result.stderr
        if result.returncode == 1:
            assert "hint:" in result.stderr, result.stderr


@pytest.mark.e2e
def test_wheels_written_from_mutants_install_with_pip(tmp_path: Path) -> None:
    """No written wheel is one that pip refuses: each distinct one installs for the target."""
    base = good_wheel(tmp_path / "base", so=SO)
    written: dict[bytes, Path] = {}
    for number, data in enumerate(_mutants(base.read_bytes(), seed=783, count=300)):
        mutant = tmp_path / f"m{number}" / WHEEL
        mutant.parent.mkdir()
        mutant.write_bytes(data)
        try:
            fixed = _fix(mutant, mutant.parent / "out")
        except CrosswheelError:
            continue
        written.setdefault(fixed.read_bytes(), fixed)
    assert written, "some mutants (a flipped bit in a string, say) still make a wheel"
    for number, wheel in enumerate(list(written.values())[:12]):
        result = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check",
             "--target", str(tmp_path / f"site{number}"), "--only-binary=:all:",
             "--platform", "manylinux_2_17_aarch64", "--python-version", "3.11",
             "--implementation", "cp", "--abi", "cp311", str(wheel)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.returncode == 0, (wheel.name, result.stderr)
