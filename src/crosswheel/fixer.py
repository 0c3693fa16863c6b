"""The wheel fixer: make a cross-built wheel say what it is.

Inner backends that read the running interpreter can name extension modules
with the build machine's suffix and tag the wheel for the build machine. The
fixer renames such modules to the target's suffix, rewrites the ``WHEEL`` tags
and the file name for the target, and regenerates ``RECORD``. A pure wheel
(no binaries, ``Root-Is-Purelib: true``) is returned as it is.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

from packaging.tags import Tag, parse_tag

from crosswheel.errors import CrosswheelError
from crosswheel.interpreter import TargetInterpreter
from crosswheel.targets import Target
from crosswheel.verifier import iter_binaries
from crosswheel.wheelfile import (
    WheelName,
    copy_info,
    dist_info_dir,
    make_record,
    open_wheel,
    read_wheel_metadata,
    write_atomically,
)

_FOREIGN_EXTENSION = re.compile(r"\.cpython-(?P<soabi>[^./]+)\.so$")


@dataclass(frozen=True)
class FixResult:
    """What the fixer did, for the summary line."""

    path: Path
    tags: tuple[Tag, ...]
    renamed: tuple[tuple[str, str], ...]
    binaries: int


def target_extension_name(name: str, interpreter: TargetInterpreter) -> str:
    """``name`` with a foreign ``.cpython-*.so`` suffix replaced by the target's."""
    match = _FOREIGN_EXTENSION.search(name)
    if not match or name[match.start() :] in interpreter.extension_suffixes:
        return name
    return name[: match.start()] + interpreter.ext_suffix


def compress_tags(tags: list[Tag]) -> str:
    """The compressed tag set of a wheel file name (``cp311-cp311-linux_aarch64``)."""
    interpreters = sorted({t.interpreter for t in tags})
    abis = sorted({t.abi for t in tags})
    platforms = sorted({t.platform for t in tags})
    return "-".join(".".join(part) for part in (interpreters, abis, platforms))


def target_tags(
    tags: list[Tag], platform_tags: list[str], stable_abi: str | None = None
) -> list[Tag]:
    """Keep each tag's interpreter and ABI; put the target's platform tags in.

    ``stable_abi`` (``cp39``) replaces the interpreter and ABI with ``cp39-abi3``.
    """
    if stable_abi is not None:
        tags = [Tag(stable_abi, "abi3", "any")]
    result: list[Tag] = []
    for tag in tags:
        for platform in platform_tags:
            new = Tag(tag.interpreter, tag.abi, platform)
            if new not in result:
                result.append(new)
    return result


def _rewrite_wheel_file(metadata: Message, tags: list[Tag], has_binaries: bool) -> bytes:
    lines: list[str] = []
    for key, value in metadata.items():
        if key == "Tag":
            continue
        if key == "Root-Is-Purelib" and has_binaries:
            value = "false"
        lines.append(f"{key}: {value}")
    lines.extend(f"Tag: {tag}" for tag in tags)
    return ("\n".join(lines) + "\n\n").encode("utf-8")


def _wheel_tags(metadata: Message, name: WheelName) -> list[Tag]:
    values = metadata.get_all("Tag") or []
    tags: list[Tag] = []
    for value in values or [name.tags]:
        for tag in parse_tag(value.strip()):
            if tag not in tags:
                tags.append(tag)
    return tags


def fix_wheel(
    wheel: Path,
    target: Target,
    interpreter: TargetInterpreter,
    out_dir: Path,
    platform_tags: list[str] | None = None,
    stable_abi: str | None = None,
) -> FixResult:
    """Write the target's version of ``wheel`` into ``out_dir``; return what it is."""
    name = WheelName.parse(wheel.name)
    with open_wheel(wheel) as archive:
        dist_info = dist_info_dir(archive, name)
        metadata = read_wheel_metadata(archive, dist_info)
        tags = _wheel_tags(metadata, name)
        binaries = list(iter_binaries(archive))
        pure = not binaries and all(t.platform == "any" for t in tags)
        if pure:
            out_dir.mkdir(parents=True, exist_ok=True)
            dest = out_dir / wheel.name
            shutil.copyfile(wheel, dest)
            return FixResult(dest, tuple(tags), (), 0)

        new_tags = target_tags(tags, platform_tags or [target.wheel_platform], stable_abi)
        record_name = f"{dist_info}/RECORD"
        renamed: list[tuple[str, str]] = []
        members: list[tuple[zipfile.ZipInfo, bytes]] = []
        for info in archive.infolist():
            if info.filename == record_name:
                continue
            data = archive.read(info)
            new_name = info.filename
            if not info.is_dir() and new_name.endswith(".so"):
                new_name = target_extension_name(new_name, interpreter)
                if new_name != info.filename:
                    renamed.append((info.filename, new_name))
            if info.filename == f"{dist_info}/WHEEL":
                data = _rewrite_wheel_file(metadata, new_tags, has_binaries=True)
            members.append((copy_info(info, new_name), data))
        names = [info.filename for info, _ in members]
        if len(set(names)) != len(names):
            raise CrosswheelError(
                f"renaming extension modules in {wheel.name} would overwrite another member"
            )
        record_info = (
            copy_info(archive.getinfo(record_name))
            if record_name in archive.namelist()
            else zipfile.ZipInfo(record_name, date_time=members[-1][0].date_time)
        )
        record = make_record(((i.filename, d) for i, d in members if not i.is_dir()), record_name)
        members.append((record_info, record))

    dest = out_dir / name.with_tags(compress_tags(new_tags)).filename
    write_atomically(dest, members)
    return FixResult(dest, tuple(new_tags), tuple(renamed), len(binaries))
