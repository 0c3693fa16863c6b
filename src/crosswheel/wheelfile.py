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
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path, PurePosixPath

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


def write_atomically(path: Path, members: Iterable[tuple[zipfile.ZipInfo, bytes]]) -> None:
    """Write a zip whose members keep their given metadata; replace ``path`` only when done."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".whl")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w") as archive:
            for info, data in members:
                archive.writestr(info, data)
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
