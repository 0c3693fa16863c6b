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
import re
import stat
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Union

from packaging.tags import parse_tag
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from crosswheel.errors import RefusedWheel

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
        try:
            parse_wheel_filename(filename)
        except InvalidWheelFilename as exc:
            raise RefusedWheel(
                f"{filename!r} is not a wheel file name: {exc}",
                hint="a wheel is named NAME-VERSION[-BUILD]-PYTHON-ABI-PLATFORM.whl",
            ) from None
        parts = filename[: -len(".whl")].split("-")
        if len(parts) == 5:
            return cls(parts[0], parts[1], None, "-".join(parts[2:]))
        if len(parts) == 6:
            return cls(parts[0], parts[1], parts[2], "-".join(parts[3:]))
        raise RefusedWheel(f"{filename!r} is not a valid wheel file name")

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
        raise RefusedWheel(f"unsafe member name in wheel: {name!r}")


ZIP_READ_ERRORS = (
    OSError,
    EOFError,
    ValueError,  # UnicodeDecodeError included
    RuntimeError,  # an encrypted member
    NotImplementedError,  # an unknown compression method or zip version
    zipfile.BadZipFile,  # a bad CRC, a bad magic number
    zlib.error,
)
"""What reading a damaged archive raises, in zipfile's words: each is a refused input."""


def open_wheel(path: Path) -> zipfile.ZipFile:
    """Open a wheel after checking every member name, type and the total size."""
    try:
        archive = zipfile.ZipFile(path)
    except ZIP_READ_ERRORS as exc:
        raise RefusedWheel(f"{path} is not a readable wheel: {exc}") from None
    seen: set[str] = set()
    total = 0
    for info in archive.infolist():
        _check_member_name(info.filename)
        if info.filename in seen:
            archive.close()
            raise RefusedWheel(f"duplicate member in wheel {path.name}: {info.filename!r}")
        seen.add(info.filename)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            archive.close()
            raise RefusedWheel(f"wheel {path.name} holds a symbolic link: {info.filename!r}")
        total += info.file_size
    if total > MAX_TOTAL_SIZE:
        archive.close()
        raise RefusedWheel(f"wheel {path.name} claims to inflate to {total} bytes; refusing")
    return archive


def dist_info_dir(archive: zipfile.ZipFile, name: WheelName) -> str:
    """The one ``.dist-info`` folder at the top of the wheel."""
    tops = {n.split("/", 1)[0] for n in archive.namelist() if "/" in n}
    found = sorted(t for t in tops if t.endswith(".dist-info"))
    if len(found) != 1:
        raise RefusedWheel(
            f"wheel {name.filename} must hold exactly one .dist-info folder, "
            f"found {found or 'none'}"
        )
    return found[0]


def read_wheel_metadata(archive: zipfile.ZipFile, dist_info: str) -> Message:
    """The ``WHEEL`` file, parsed as the email-style headers it is."""
    name = f"{dist_info}/WHEEL"
    try:
        text = read_member(archive, name).decode("utf-8")
    except KeyError:
        raise RefusedWheel(f"the wheel has no {name} file", hint=_REBUILD) from None
    except UnicodeDecodeError:
        raise RefusedWheel(f"{name} is not UTF-8 text", hint=_REBUILD) from None
    metadata = HeaderParser().parsestr(text)
    check_wheel_metadata(metadata, name)
    return metadata


_REBUILD = "rebuild the wheel with its build backend; crosswheel never rewrites a broken one"


def check_wheel_metadata(metadata: Message, name: str) -> None:
    """Refuse a ``WHEEL`` file that pip or pypa/installer would refuse (PEP 427)."""
    version = (metadata.get("Wheel-Version") or "").strip()
    if not re.fullmatch(r"1\.\d+", version):
        raise RefusedWheel(
            f"{name} says Wheel-Version {version or '(none)'!r}; only 1.x wheels install",
            hint=_REBUILD,
        )
    if (metadata.get("Root-Is-Purelib") or "").strip().lower() not in ("true", "false"):
        raise RefusedWheel(f"{name} has no Root-Is-Purelib: true|false line", hint=_REBUILD)
    tags = metadata.get_all("Tag") or []
    if not tags:
        raise RefusedWheel(f"{name} has no Tag line", hint=_REBUILD)
    for value in tags:
        try:
            parsed = parse_tag(value.strip())
        except ValueError:
            parsed = frozenset()
        if len(parsed) != 1 or "." in value:
            raise RefusedWheel(f"{name} has a malformed Tag line {value.strip()!r}", hint=_REBUILD)


def read_member(archive: zipfile.ZipFile, name: str | zipfile.ZipInfo) -> bytes:
    """A member's bytes; any damage (CRC, zlib, method, encryption) refuses the wheel by name."""
    try:
        return archive.read(name)
    except KeyError:
        raise
    except ZIP_READ_ERRORS as exc:
        member = name.filename if isinstance(name, zipfile.ZipInfo) else name
        raise RefusedWheel(
            f"member {member} cannot be read: {exc}",
            hint="the archive is damaged; download or build it again",
        ) from None


def encode_digest(algorithm: str, digest: bytes) -> str:
    """``sha256=<urlsafe base64, unpadded>``, as RECORD spells a hash."""
    return f"{algorithm}=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def record_hash(data: bytes) -> str:
    return encode_digest("sha256", hashlib.sha256(data).digest())


def make_record(rows: Iterable[tuple[str, str, int]], record_name: str) -> bytes:
    """A ``RECORD`` from (name, hash, size) rows, itself listed last without a hash."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for name, digest, size in rows:
        writer.writerow([name, digest, size])
    writer.writerow([record_name, "", ""])
    return buffer.getvalue().encode("utf-8")


@dataclass(frozen=True)
class RawMember:
    """A member of another archive, copied as it is stored: not inflated, not deflated.

    Members the fixer does not change keep their exact compressed bytes, CRC, size
    and method; they are streamed in chunks, so memory stays bounded.
    """

    archive_path: Path
    info: zipfile.ZipInfo

    def data_offset(self, f: BinaryIO) -> int:
        """Where the compressed bytes start, read from the member's local header."""
        f.seek(self.info.header_offset)
        header = f.read(30)
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            raise RefusedWheel(
                f"{self.archive_path.name}: bad local header for {self.info.filename!r}"
            )
        name_length: int
        extra_length: int
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        return int(self.info.header_offset) + 30 + name_length + extra_length


Content = Union[bytes, RawMember]
COPY_CHUNK = 1024 * 1024


def _write_raw(archive: zipfile.ZipFile, info: zipfile.ZipInfo, member: RawMember) -> None:
    """Append ``member``'s stored bytes under ``info``'s name, timestamp and mode."""
    source = member.info
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
    with member.archive_path.open("rb") as f:
        f.seek(member.data_offset(f))
        left = source.compress_size
        while left:
            chunk = f.read(min(COPY_CHUNK, left))
            if not chunk:
                raise RefusedWheel(f"{member.archive_path.name}: {source.filename!r} is truncated")
            fp.write(chunk)
            left -= len(chunk)
    archive.filelist.append(new)
    archive.NameToInfo[new.filename] = new
    archive.start_dir = fp.tell()
    archive._didModify = True  # type: ignore[attr-defined]


def write_atomically(path: Path, members: Iterable[tuple[zipfile.ZipInfo, Content]]) -> None:
    """Write a zip whose members keep their given metadata; replace ``path`` only when done.

    ``bytes`` contents are compressed as the ``ZipInfo`` says; a ``RawMember``
    is copied as stored in its source archive.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".whl")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w") as archive:
            for info, content in members:
                if isinstance(content, RawMember):
                    _write_raw(archive, info, content)
                else:
                    archive.writestr(info, content)
        # mkstemp makes 0600; a wheel is a file like any other (0644 less the umask).
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o666 & ~umask)
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
