"""fixer: suffixes, tags, RECORD; unchanged members copied as their stored bytes.

The fixer plans from what the binaries stage read; these tests need no target
interpreter, only the target's suffixes, and real aarch64 binaries.
"""

from __future__ import annotations

import csv
import io
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from crosswheel.errors import CrosswheelError
from crosswheel.target.names import resolve_target
from crosswheel.wheel.binaries import read_wheel
from crosswheel.wheel.fixer import plan_fix, write_fix
from crosswheel.wheelfile import open_wheel, record_hash
from helpers import DATE, compile_shared, make_wheel, stored_form, suffixes_of

AARCH64 = resolve_target("aarch64-linux-gnu")
EXT, SUFFIXES = suffixes_of(AARCH64)
HOST_SUFFIX = ".cpython-311-x86_64-linux-gnu.so"


def fix(wheel: Path, out: Path, platform: str | None = "linux_aarch64") -> tuple[Path, object]:
    plan = plan_fix(read_wheel(wheel), platform, None, EXT, SUFFIXES)
    return write_fix(plan, out), plan


def test_renames_retags_and_records(tmp_path: Path) -> None:
    so = compile_shared("aarch64-linux-gnu-gcc", tmp_path / "ext.so")
    wheel = make_wheel(
        tmp_path / "in" / "demo-1.0-cp311-cp311-linux_x86_64.whl",
        {f"demo/_ext{HOST_SUFFIX}": so, "demo/__init__.py": b"", "demo/plain.so": so},
        "cp311-cp311-linux_x86_64",
    )
    path, plan = fix(wheel, tmp_path / "out")
    assert path.name == "demo-1.0-cp311-cp311-linux_aarch64.whl"
    assert plan.renamed == ((f"demo/_ext{HOST_SUFFIX}", f"demo/_ext{EXT}"),)  # type: ignore[attr-defined]
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert f"demo/_ext{EXT}" in names
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


def test_unchanged_members_keep_their_compressed_bytes(tmp_path: Path) -> None:
    """A level-1 member stays level 1: same CRC, size, method and raw bytes."""
    so = compile_shared("aarch64-linux-gnu-gcc", tmp_path / "ext.so")
    text = ("def f(x):\n    return x * 2\n" * 300).encode()
    wheel = make_wheel(
        tmp_path / "in" / "demo-1.0-cp311-cp311-linux_x86_64.whl",
        {f"demo/_ext{HOST_SUFFIX}": so, "demo/big.py": text},
        "cp311-cp311-linux_x86_64",
        level=1,
    )
    path, _ = fix(wheel, tmp_path / "out")

    assert stored_form(path, "demo/big.py") == stored_form(wheel, "demo/big.py")
    assert stored_form(path, f"demo/_ext{EXT}") == stored_form(wheel, f"demo/_ext{HOST_SUFFIX}")
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None


def test_fixing_is_reproducible(tmp_path: Path) -> None:
    so = compile_shared("aarch64-linux-gnu-gcc", tmp_path / "ext.so")
    wheel = make_wheel(
        tmp_path / "in" / "demo-1.0-cp311-cp311-linux_x86_64.whl",
        {f"demo/_ext{HOST_SUFFIX}": so},
        "cp311-cp311-linux_x86_64",
    )
    first = fix(wheel, tmp_path / "a")[0].read_bytes()
    second = fix(wheel, tmp_path / "b")[0].read_bytes()
    assert first == second


def test_pure_wheel_is_left_alone(tmp_path: Path) -> None:
    wheel = make_wheel(
        tmp_path / "in" / "demo-1.0-py3-none-any.whl",
        {"demo/__init__.py": b"x = 1\n"},
        "py3-none-any",
        purelib=True,
    )
    path, _ = fix(wheel, tmp_path / "out", platform=None)
    assert path.name == wheel.name
    assert path.read_bytes() == wheel.read_bytes()


def test_replaced_and_added_members_get_fresh_record_lines(tmp_path: Path) -> None:
    so = compile_shared("aarch64-linux-gnu-gcc", tmp_path / "ext.so")
    lib = compile_shared("aarch64-linux-gnu-gcc", tmp_path / "libx.so", "int x(void){return 1;}\n")
    wheel = make_wheel(
        tmp_path / "in" / "demo-1.0-cp311-cp311-linux_x86_64.whl",
        {f"demo/_ext{EXT}": so},
        "cp311-cp311-linux_x86_64",
    )
    plan = plan_fix(
        read_wheel(wheel),
        "linux_aarch64",
        None,
        EXT,
        SUFFIXES,
        replaced={f"demo/_ext{EXT}": lib},
        added=[("demo.libs/libx-0123abcd.so", lib)],
    )
    assert {name for name, _ in plan.binaries} == {f"demo/_ext{EXT}", "demo.libs/libx-0123abcd.so"}
    path = write_fix(plan, tmp_path / "out")
    contents = read_wheel(path)  # its RECORD holds: read_wheel checks every line
    assert contents.names[-1] == "demo-1.0.dist-info/WHEEL"
    assert "demo.libs/libx-0123abcd.so" in contents.names
    with zipfile.ZipFile(path) as archive:
        assert archive.read(f"demo/_ext{EXT}") == lib


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


def test_an_extension_modules_import_library_is_found_but_a_dlls_is_kept() -> None:
    from crosswheel.wheel.fixer import module_import_libraries

    names = [
        "pkg/_native.cp313-win_amd64.pyd",
        "pkg/_native.cp313-win_amd64.dll.a",
        "pkg/foo.dll",
        "pkg/foo.dll.a",
        "pkg/orphan.dll.a",
    ]
    assert module_import_libraries(names) == {"pkg/_native.cp313-win_amd64.dll.a"}
