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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

from packaging.tags import Tag

from crosswheel.errors import RefusedWheel
from crosswheel.wheel.binaries import Binary, WheelContents, describe_binary_bytes
from crosswheel.wheelfile import (
    Content,
    RawMember,
    copy_info,
    make_record,
    record_hash,
    write_atomically,
)

_FOREIGN_EXTENSION = re.compile(r"\.cpython-(?P<soabi>[^./]+)\.so$")
LIBRARY_MODE = 0o100755 << 16
"""Mode of files the fixer adds (bundled libraries): a regular, executable file."""


def target_extension_name(name: str, ext_suffix: str, extension_suffixes: Sequence[str]) -> str:
    """``name`` with a foreign ``.cpython-*.so`` suffix replaced by the target's."""
    match = _FOREIGN_EXTENSION.search(name)
    if not match or name[match.start() :] in extension_suffixes:
        return name
    return name[: match.start()] + ext_suffix


def compress_tags(tags: Sequence[Tag]) -> str:
    """The compressed tag set of a wheel file name (``cp311-cp311-linux_aarch64``)."""
    interpreters = sorted({t.interpreter for t in tags})
    abis = sorted({t.abi for t in tags})
    platforms = sorted({t.platform for t in tags})
    return "-".join(".".join(part) for part in (interpreters, abis, platforms))


def target_tags(
    tags: Sequence[Tag], platform_tags: Sequence[str], stable_abi: str | None = None
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


def _rewrite_wheel_file(metadata: Message, tags: Sequence[Tag]) -> bytes:
    lines: list[str] = []
    for key, value in metadata.items():
        if key == "Tag":
            continue
        if key == "Root-Is-Purelib":
            value = "false"
        lines.append(f"{key}: {value}")
    lines.extend(f"Tag: {tag}" for tag in tags)
    return ("\n".join(lines) + "\n\n").encode("utf-8")


@dataclass(frozen=True)
class FixPlan:
    """The fixed wheel, decided but not yet written."""

    filename: str
    tags: tuple[Tag, ...]
    members: tuple[tuple[zipfile.ZipInfo, Content], ...]
    binaries: tuple[tuple[str, Binary], ...]
    """Every binary under its final name, with the facts of its final bytes."""
    renamed: tuple[tuple[str, str], ...]
    dropped: tuple[str, ...] = ()
    """Members left out: ``X.dll.a`` beside an ``X.pyd`` (see ``module_import_libraries``)."""
    copy_of: Path | None = None
    """A pure wheel is shipped as it is: the path to copy."""


def module_import_libraries(names: Sequence[str]) -> frozenset[str]:
    """``X.dll.a`` members beside an ``X.pyd``: the import library of an extension module.

    GNU-style links for PE targets (Meson, CMake with MinGW rules) write one per module and
    install it with the module. Nothing links against an extension module, so it is
    dead weight and an extra binary to check; an import library of a real DLL
    (``foo.dll.a`` beside ``foo.dll``) is kept.
    """
    present = set(names)
    return frozenset(
        name
        for name in names
        if name.endswith(".dll.a") and name[: -len(".dll.a")] + ".pyd" in present
    )


def plan_fix(
    contents: WheelContents,
    platform: str | None,
    stable_abi: str | None,
    ext_suffix: str,
    extension_suffixes: Sequence[str],
    replaced: Mapping[str, bytes] | None = None,
    added: Sequence[tuple[str, bytes]] = (),
) -> FixPlan:
    """Decide the target's version of a wheel: names, tags, WHEEL, RECORD.

    ``replaced`` maps member names to new content (repair's patched binaries);
    ``added`` are new members (bundled libraries). Every other member is copied
    as its stored bytes, and its RECORD line (verified on reading) is kept.
    """
    replaced = dict(replaced or {})
    if platform is None and not contents.binaries and not replaced and not added:
        return FixPlan(contents.path.name, contents.tags, (), (), (), copy_of=contents.path)
    new_tags = target_tags(contents.tags, [platform or "any"], stable_abi)
    wheel_file = f"{contents.dist_info}/WHEEL"
    members: list[tuple[zipfile.ZipInfo, Content]] = []
    rows: list[tuple[str, str, int]] = []
    binaries: list[tuple[str, Binary]] = []
    renamed: list[tuple[str, str]] = []
    dropped = module_import_libraries([m.name for m in contents.members])
    for member in contents.members:
        name = member.name
        if name in dropped:
            continue
        if name.endswith(".so"):
            name = target_extension_name(name, ext_suffix, extension_suffixes)
            if name != member.name:
                renamed.append((member.name, name))
        data: bytes | None = replaced.pop(member.name, None)
        if member.name == wheel_file:
            data = _rewrite_wheel_file(contents.metadata, new_tags)
        binary = member.binary
        if data is None:
            members.append((copy_info(member.info, name), RawMember(contents.path, member.info)))
            rows.append((name, member.hash, member.size))
        else:
            members.append((copy_info(member.info, name), data))
            rows.append((name, record_hash(data), len(data)))
            if binary is not None:
                binary = describe_binary_bytes(name, data)
        if binary is not None:
            binaries.append((name, binary))
    if replaced:
        raise RefusedWheel(f"no such member to replace: {', '.join(sorted(replaced))}")
    date_time = contents.record_info.date_time
    for name, data in added:
        info = zipfile.ZipInfo(name, date_time=date_time)
        info.external_attr = LIBRARY_MODE
        info.compress_type = zipfile.ZIP_DEFLATED
        # Added files go before the .dist-info folder, which stays last.
        index = next(
            (i for i, (m, _) in enumerate(members) if m.filename.startswith(contents.dist_info)),
            len(members),
        )
        members.insert(index, (info, data))
        rows.insert(index, (name, record_hash(data), len(data)))
        added_binary = describe_binary_bytes(name, data)
        if added_binary is not None:
            binaries.append((name, added_binary))
    names = [info.filename for info, _ in members]
    if len(set(names)) != len(names):
        raise RefusedWheel(
            f"renaming extension modules in {contents.path.name} would overwrite another member"
        )
    record = make_record(rows, contents.record_name)
    members.append((copy_info(contents.record_info), record))
    filename = contents.name.with_tags(compress_tags(new_tags)).filename
    return FixPlan(
        filename,
        tuple(new_tags),
        tuple(members),
        tuple(binaries),
        tuple(renamed),
        tuple(sorted(dropped)),
    )


def write_fix(plan: FixPlan, out_dir: Path) -> Path:
    """Write a planned wheel into ``out_dir`` atomically; return its path."""
    dest = out_dir / plan.filename
    if plan.copy_of is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp = out_dir / f".tmp-{plan.filename}"
        shutil.copyfile(plan.copy_of, tmp)
        tmp.replace(dest)
        return dest
    write_atomically(dest, plan.members)
    return dest
