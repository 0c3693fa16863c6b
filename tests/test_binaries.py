"""binaries: one pass over a wheel; facts of real binaries; RECORD checked, never laundered."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from crosswheel.errors import RefusedWheel
from crosswheel.wheel import binaries
from crosswheel.wheel.binaries import read_wheel
from helpers import DATE, compile_shared, make_wheel

SOURCE = '#include <stdio.h>\nint demo(char *b) { return sprintf(b, "%d", 42); }\n'


def test_facts_of_a_real_binary(tmp_path: Path) -> None:
    so = compile_shared("aarch64-linux-gnu-gcc", tmp_path / "x.so", SOURCE)
    wheel = make_wheel(
        tmp_path / "demo-1.0-cp311-cp311-linux_aarch64.whl",
        {"demo/_x.so": so, "demo/__init__.py": b""},
        "cp311-cp311-linux_aarch64",
    )
    contents = read_wheel(wheel)
    assert contents.dist_info == "demo-1.0.dist-info"
    assert [str(t) for t in contents.tags] == ["cp311-cp311-linux_aarch64"]
    (binary,) = contents.binaries
    assert (binary.name, binary.kind, binary.bits, binary.byteorder, binary.machine) == (
        "demo/_x.so",
        "elf",
        64,
        "little",
        "EM_AARCH64",
    )
    assert "libc.so.6" in binary.needed
    assert binary.libc == "glibc"
    assert "sprintf" in binary.undefined
    assert any(v.startswith("GLIBC_2.") for v in binary.version_needs["libc.so.6"])


def test_large_binaries_are_spooled_with_the_same_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    so = compile_shared("aarch64-linux-gnu-gcc", tmp_path / "x.so", SOURCE)
    wheel = make_wheel(
        tmp_path / "demo-1.0-cp311-cp311-linux_aarch64.whl",
        {"demo/_x.so": so},
        "cp311-cp311-linux_aarch64",
    )
    in_memory = read_wheel(wheel).binaries
    monkeypatch.setattr(binaries, "SPOOL_IN_MEMORY", 1024)
    monkeypatch.setattr(binaries, "CHUNK", 512)
    assert read_wheel(wheel).binaries == in_memory


def _rewrite(wheel: Path, change: dict[str, bytes | None]) -> Path:
    """A copy of ``wheel`` with members replaced (bytes), dropped (None) or added."""
    out = wheel.parent / "altered" / wheel.name
    out.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename in change:
                data = change.pop(info.filename)
                if data is not None:
                    dst.writestr(info, data)
            else:
                dst.writestr(info, src.read(info))
        for name, data in change.items():
            assert data is not None
            dst.writestr(zipfile.ZipInfo(name, DATE), data)
    return out


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        pytest.param({"demo/a.py": b"evil = 1\n"}, "does not match its RECORD hash", id="altered"),
        pytest.param({"demo/extra.py": b"x = 1\n"}, "not listed in RECORD", id="unlisted"),
        pytest.param({"demo/a.py": None}, "listed in RECORD but not in the wheel", id="missing"),
        pytest.param(
            {"demo-1.0.dist-info/RECORD": None}, "has no demo-1.0.dist-info/RECORD", id="no-record"
        ),
        pytest.param(
            {"demo-1.0.dist-info/RECORD": b"demo/a.py,,\n"}, "has no hash for", id="no-hash"
        ),
    ],
)
def test_a_wheel_that_contradicts_its_record_is_refused(
    tmp_path: Path, change: dict[str, bytes | None], problem: str
) -> None:
    wheel = make_wheel(
        tmp_path / "demo-1.0-py3-none-any.whl", {"demo/a.py": b"a = 1\n"}, "py3-none-any"
    )
    read_wheel(wheel)  # the original is sound
    with pytest.raises(RefusedWheel, match=problem):
        read_wheel(_rewrite(wheel, change))


@pytest.mark.parametrize(
    "content", [pytest.param(b"", id="empty"), pytest.param(b"not a zip", id="text")]
)
def test_a_file_that_is_no_zip_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "demo-1.0-py3-none-any.whl"
    path.write_bytes(content)
    with pytest.raises(RefusedWheel, match="is not a readable wheel"):
        read_wheel(path)


def test_a_badly_named_file_is_refused(tmp_path: Path) -> None:
    path = make_wheel(tmp_path / "demo-1.0-py3-none-any.whl", {}, "py3-none-any")
    bad = path.rename(tmp_path / "demo.whl")
    with pytest.raises(RefusedWheel, match="not a wheel file name"):
        read_wheel(bad)
