"""fixer: suffixes, tags, RECORD; and the wheel reader's refusal of hostile archives."""

from __future__ import annotations

import csv
import io
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import require_tool
from crosswheel.errors import CrosswheelError
from crosswheel.fixer import fix_wheel
from crosswheel.interpreter import find_target_interpreter
from crosswheel.targets import resolve_target
from crosswheel.wheelfile import open_wheel, record_hash
from test_interpreter import need_multiarch_arm64

AARCH64 = resolve_target("aarch64-linux-gnu")
HOST_SUFFIX = ".cpython-311-x86_64-linux-gnu.so"
DATE = (2020, 2, 2, 0, 0, 0)


def compile_shared(cc: str, out: Path) -> bytes:
    require_tool(cc, f"gcc-{cc.rsplit('-', 1)[0]}" if "-" in cc else "gcc")
    src = out.with_suffix(".c")
    src.write_text("int answer(void) { return 42; }\n")
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(out), str(src)], check=True)
    return out.read_bytes()


def make_wheel(path: Path, members: dict[str, bytes], tag: str, purelib: bool = False) -> Path:
    dist_info = "demo-1.0.dist-info"
    wheel_file = (
        f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: {str(purelib).lower()}\n"
        f"Tag: {tag}\n\n"
    ).encode()
    files = {
        **members,
        f"{dist_info}/METADATA": b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n\n",
        f"{dist_info}/WHEEL": wheel_file,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, DATE), data)
        record = "".join(f"{n},,\n" for n in files) + f"{dist_info}/RECORD,,\n"
        archive.writestr(zipfile.ZipInfo(f"{dist_info}/RECORD", DATE), record)
    return path


@pytest.fixture
def arm64_interp():  # type: ignore[no-untyped-def]
    need_multiarch_arm64()
    return find_target_interpreter(AARCH64, None)


def test_renames_retags_and_records(tmp_path: Path, arm64_interp) -> None:  # type: ignore[no-untyped-def]
    so = compile_shared("aarch64-linux-gnu-gcc", tmp_path / "ext.so")
    wheel = make_wheel(
        tmp_path / "in" / "demo-1.0-cp311-cp311-linux_x86_64.whl",
        {f"demo/_ext{HOST_SUFFIX}": so, "demo/__init__.py": b"", "demo/plain.so": so},
        "cp311-cp311-linux_x86_64",
    )
    result = fix_wheel(wheel, AARCH64, arm64_interp, tmp_path / "out")
    assert result.path.name == "demo-1.0-cp311-cp311-linux_aarch64.whl"
    assert result.renamed == ((f"demo/_ext{HOST_SUFFIX}", f"demo/_ext{arm64_interp.ext_suffix}"),)
    with zipfile.ZipFile(result.path) as archive:
        names = archive.namelist()
        assert f"demo/_ext{arm64_interp.ext_suffix}" in names
        assert "demo/plain.so" in names  # a plain .so is every interpreter's
        wheel_text = archive.read("demo-1.0.dist-info/WHEEL").decode()
        assert "Tag: cp311-cp311-linux_aarch64" in wheel_text
        assert "Root-Is-Purelib: false" in wheel_text
        assert names[-1] == "demo-1.0.dist-info/RECORD"
        rows = list(csv.reader(io.StringIO(archive.read(names[-1]).decode())))
        listed = {row[0]: row for row in rows}
        assert set(listed) == set(names)
        for name in names[:-1]:
            data = archive.read(name)
            assert listed[name][1:] == [record_hash(data), str(len(data))]
        assert all(info.date_time == DATE for info in archive.infolist())


def test_fixing_is_reproducible(tmp_path: Path, arm64_interp) -> None:  # type: ignore[no-untyped-def]
    so = compile_shared("aarch64-linux-gnu-gcc", tmp_path / "ext.so")
    wheel = make_wheel(
        tmp_path / "in" / "demo-1.0-cp311-cp311-linux_x86_64.whl",
        {f"demo/_ext{HOST_SUFFIX}": so},
        "cp311-cp311-linux_x86_64",
    )
    first = fix_wheel(wheel, AARCH64, arm64_interp, tmp_path / "a").path.read_bytes()
    second = fix_wheel(wheel, AARCH64, arm64_interp, tmp_path / "b").path.read_bytes()
    assert first == second


def test_pure_wheel_is_left_alone(tmp_path: Path, arm64_interp) -> None:  # type: ignore[no-untyped-def]
    wheel = make_wheel(
        tmp_path / "in" / "demo-1.0-py3-none-any.whl",
        {"demo/__init__.py": b"x = 1\n"},
        "py3-none-any",
        purelib=True,
    )
    result = fix_wheel(wheel, AARCH64, arm64_interp, tmp_path / "out")
    assert result.path.name == wheel.name
    assert result.path.read_bytes() == wheel.read_bytes()


def _hostile(path: Path, name: str, *, symlink: bool = False, twice: bool = False) -> Path:
    shutil.rmtree(path.parent, ignore_errors=True)
    path.parent.mkdir(parents=True)
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo(name, DATE)
        if symlink:
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, b"/etc/passwd" if symlink else b"x")
        if twice:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                archive.writestr(zipfile.ZipInfo(name, DATE), b"y")
    return path


@pytest.mark.parametrize(
    ("name", "kwargs", "message"),
    [
        ("../../evil.py", {}, "unsafe member name"),
        ("/etc/evil.py", {}, "unsafe member name"),
        ("demo\\..\\evil.py", {}, "unsafe member name"),
        ("demo/link", {"symlink": True}, "symbolic link"),
        ("demo/twice.py", {"twice": True}, "duplicate member"),
    ],
)
def test_hostile_wheels_are_refused(
    tmp_path: Path, name: str, kwargs: dict[str, bool], message: str
) -> None:
    path = _hostile(tmp_path / "w" / "demo-1.0-py3-none-any.whl", name, **kwargs)
    with pytest.raises(CrosswheelError, match=message):
        open_wheel(path)


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "demo-1.0-py3-none-any.whl"
    path.write_bytes(b"not a zip")
    with pytest.raises(CrosswheelError, match="not a readable wheel"):
        open_wheel(path)
