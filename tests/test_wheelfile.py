"""wheelfile: stored copies keep members byte for byte; writes are atomic."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from crosswheel.wheelfile import RawMember, WheelName, copy_info, write_atomically
from helpers import stored_form

DATE = (2021, 3, 4, 5, 6, 8)


class _Unseekable(io.RawIOBase):
    """A write-only stream: zipfile then writes data descriptors (flag bit 3)."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.buffer += data
        return len(data)


@pytest.mark.parametrize("streamed", [False, True])
def test_stored_copy_is_byte_for_byte(tmp_path: Path, streamed: bool) -> None:
    source = tmp_path / "demo-1.0-py3-none-any.whl"
    payload = {f"demo/m{i}.py": (f"x = {i}\n" * (50 * i + 1)).encode() for i in range(20)}
    stream = _Unseekable() if streamed else None
    with zipfile.ZipFile(stream or source, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in payload.items():
            archive.writestr(zipfile.ZipInfo(name, DATE), data, zipfile.ZIP_DEFLATED)
    if stream is not None:
        source.write_bytes(bytes(stream.buffer))
    dest = tmp_path / "out" / "copy.whl"
    with zipfile.ZipFile(source) as archive:
        infos = archive.infolist()
        assert all(bool(i.flag_bits & 0x08) == streamed for i in infos)
        members = [(copy_info(i, "renamed/" + i.filename), RawMember(source, i)) for i in infos]
        write_atomically(dest, members)
    with zipfile.ZipFile(dest) as copy, zipfile.ZipFile(source) as original:
        assert copy.testzip() is None
        for info in original.infolist():
            new = copy.getinfo("renamed/" + info.filename)
            assert copy.read(new) == payload[info.filename]
            assert (new.CRC, new.compress_size, new.date_time) == (
                info.CRC,
                info.compress_size,
                info.date_time,
            )
            assert stored_form(dest, new.filename)[3] == stored_form(source, info.filename)[3]


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "demo-1.0-py3-none-any.whl"
    dest.write_bytes(b"previous")

    def members() -> Iterator[tuple[zipfile.ZipInfo, bytes]]:
        yield zipfile.ZipInfo("a.py", DATE), b"a"
        raise RuntimeError("inner failure")

    with pytest.raises(RuntimeError):
        write_atomically(dest, members())
    assert dest.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == [dest.name]


def test_wheel_names() -> None:
    name = WheelName.parse("demo-1.0-1-cp311-cp311-linux_x86_64.whl")
    assert name.build == "1"
    assert name.with_tags("cp311-cp311-linux_aarch64").filename == (
        "demo-1.0-1-cp311-cp311-linux_aarch64.whl"
    )
