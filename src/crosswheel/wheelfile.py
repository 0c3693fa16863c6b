"""Reading and writing wheel archives safely and reproducibly.

Wheels come from inner backends and, with ``crosswheel fix``, from anywhere: a
member name that escapes the archive, a duplicate, a link or an archive that
inflates far beyond its size is refused before anything is written. Writing
keeps each member's timestamp and mode, so the same input gives the same bytes.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import stat
import struct
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path, PurePosixPath
from typing import Union

from crosswheel.errors import CrosswheelError

MAX_TOTAL_SIZE = 16 * 1024**3
"""Refuse archives that claim to inflate to more than this (a zip bomb, not a wheel)."""


@dataclass(frozen=True)
class WheelName:
    """The parts of a wheel file name, spelled as in the file name."""

    distribution: str
    version: str
    build: str | None
    tags: str

    @classmethod
    def parse(cls, filename: str) -> WheelName:
        if not filename.endswith(".whl"):
            raise CrosswheelError(f"{filename!r} is not a wheel file name")
        parts = filename[: -len(".whl")].split("-")
        if len(parts) == 5:
            return cls(parts[0], parts[1], None, "-".join(parts[2:]))
        if len(parts) == 6:
            return cls(parts[0], parts[1], parts[2], "-".join(parts[3:]))
        raise CrosswheelError(f"{filename!r} is not a valid wheel file name")

    def with_tags(self, tags: str) -> WheelName:
        return WheelName(self.distribution, self.version, self.build, tags)

    @property
    def filename(self) -> str:
        build = [self.build] if self.build else []
        return "-".join([self.distribution, self.version, *build, self.tags]) + ".whl"


def _check_member_name(name: str) -> None:
    path = PurePosixPath(name)
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or any(part in ("..", "") for part in name.rstrip("/").split("/"))
        or path.is_absolute()
        or (len(name) > 1 and name[1] == ":")
    ):
        raise CrosswheelError(f"unsafe member name in wheel: {name!r}")


def open_wheel(path: Path) -> zipfile.ZipFile:
    """Open a wheel after checking every member name, type and the total size."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise CrosswheelError(f"{path} is not a readable wheel: {exc}") from None
    seen: set[str] = set()
    total = 0
    for info in archive.infolist():
        _check_member_name(info.filename)
        if info.filename in seen:
            archive.close()
            raise CrosswheelError(f"duplicate member in wheel {path.name}: {info.filename!r}")
        seen.add(info.filename)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            archive.close()
            raise CrosswheelError(f"wheel {path.name} holds a symbolic link: {info.filename!r}")
        total += info.file_size
    if total > MAX_TOTAL_SIZE:
        archive.close()
        raise CrosswheelError(f"wheel {path.name} claims to inflate to {total} bytes; refusing")
    return archive


def dist_info_dir(archive: zipfile.ZipFile, name: WheelName) -> str:
    """The one ``.dist-info`` folder at the top of the wheel."""
    tops = {n.split("/", 1)[0] for n in archive.namelist() if "/" in n}
    found = sorted(t for t in tops if t.endswith(".dist-info"))
    if len(found) != 1:
        raise CrosswheelError(
            f"wheel {name.filename} must hold exactly one .dist-info folder, "
            f"found {found or 'none'}"
        )
    return found[0]


def read_wheel_metadata(archive: zipfile.ZipFile, dist_info: str) -> Message:
    """The ``WHEEL`` file, parsed as the email-style headers it is."""
    try:
        text = archive.read(f"{dist_info}/WHEEL").decode("utf-8")
    except KeyError:
        raise CrosswheelError(f"the wheel has no {dist_info}/WHEEL file") from None
    return HeaderParser().parsestr(text)


def record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def make_record(entries: Iterable[tuple[str, bytes]], record_name: str) -> bytes:
    """A ``RECORD`` for the given members, itself listed last without a hash."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for name, data in entries:
        writer.writerow([name, record_hash(data), len(data)])
    writer.writerow([record_name, "", ""])
    return buffer.getvalue().encode("utf-8")


@dataclass(frozen=True)
class StoredMember:
    """A member of another archive, to be copied as it is stored: not inflated, not deflated.

    Members the fixer does not change keep their exact compressed bytes, which is
    faster than recompressing and keeps them byte for byte.
    """

    archive_path: Path
    info: zipfile.ZipInfo

    def read_stored(self) -> bytes:
        with self.archive_path.open("rb") as f:
            f.seek(self.info.header_offset)
            header = f.read(30)
            if len(header) != 30 or header[:4] != b"PK\x03\x04":
                raise CrosswheelError(
                    f"{self.archive_path.name}: bad local header for {self.info.filename!r}"
                )
            name_length, extra_length = struct.unpack("<HH", header[26:30])
            f.seek(self.info.header_offset + 30 + name_length + extra_length)
            data = f.read(self.info.compress_size)
        if len(data) != self.info.compress_size:
            raise CrosswheelError(f"{self.archive_path.name}: {self.info.filename!r} is truncated")
        return data


Content = Union[bytes, StoredMember]


def _write_stored(archive: zipfile.ZipFile, info: zipfile.ZipInfo, member: StoredMember) -> None:
    """Append ``member``'s stored bytes under ``info``'s name, timestamp and mode."""
    source = member.info
    data = member.read_stored()
    new = copy_info(info)
    new.compress_type = source.compress_type
    new.CRC = source.CRC
    new.compress_size = source.compress_size
    new.file_size = source.file_size
    new.flag_bits = source.flag_bits & ~0x08  # sizes are known: no data descriptor
    zip64 = max(new.file_size, new.compress_size) > zipfile.ZIP64_LIMIT
    fp = archive.fp
    assert fp is not None
    new.header_offset = fp.tell()
    fp.write(new.FileHeader(zip64))
    fp.write(data)
    archive.filelist.append(new)
    archive.NameToInfo[new.filename] = new
    archive.start_dir = fp.tell()
    archive._didModify = True  # type: ignore[attr-defined]


def write_atomically(path: Path, members: Iterable[tuple[zipfile.ZipInfo, Content]]) -> None:
    """Write a zip whose members keep their given metadata; replace ``path`` only when done.

    ``bytes`` contents are compressed as the ``ZipInfo`` says; a ``StoredMember``
    is copied as stored in its source archive.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".whl")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w") as archive:
            for info, content in members:
                if isinstance(content, StoredMember):
                    _write_stored(archive, info, content)
                else:
                    archive.writestr(info, content)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def copy_info(info: zipfile.ZipInfo, name: str | None = None) -> zipfile.ZipInfo:
    """A fresh ``ZipInfo`` with the same timestamp, mode and compression, maybe renamed."""
    new = zipfile.ZipInfo(name or info.filename, date_time=info.date_time)
    new.external_attr = info.external_attr
    new.compress_type = info.compress_type
    new.create_system = info.create_system
    return new
