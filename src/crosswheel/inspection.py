"""``crosswheel inspect``: what each binary in a wheel is, and the tag the wheel should carry.

A wheel from anywhere (another tool, another machine) says nothing reliable
about itself but its binaries: their format, machine, the libraries and symbol
versions they need. The tag is computed from those by ``crosswheel.tags``, for
the target the binaries themselves name.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from crosswheel.errors import CrosswheelError
from crosswheel.tags import ElfFacts, elf_facts, linux_tag
from crosswheel.targets import KNOWN_TARGETS, Target
from crosswheel.verifier import BinaryInfo, iter_binaries

_MUSL = ("ld-musl-", "libc.musl-")


def target_of(binaries: list[BinaryInfo], facts: list[ElfFacts]) -> Target | None:
    """The Linux target the ELF binaries are for, when they agree on one."""
    kinds = {(b.bits, b.byteorder, b.machine) for b in binaries if b.kind == "elf"}
    if len(kinds) != 1:
        return None
    bits, byteorder, machine = kinds.pop()
    musl = any(lib.startswith(_MUSL) for f in facts for lib in (*f.needed, f.interpreter or ""))
    libc = "musl" if musl else "glibc"
    for target in KNOWN_TARGETS:
        arch = target.arch
        if (
            target.family == "linux"
            and target.libc == libc
            and (arch.bits, arch.byteorder, arch.elf_machine) == (bits, byteorder, machine)
        ):
            return target
    return None


def _versions(fact: ElfFacts) -> str:
    parts = []
    for lib, versions in sorted(fact.version_needs.items()):
        newest = sorted(versions, key=_version_key)
        parts.append(f"{lib}: {', '.join(newest)}")
    return "; ".join(parts) or "-"


def _version_key(version: str) -> tuple[str, tuple[int, ...]]:
    name, _, number = version.partition("_")
    return name, tuple(int(p) for p in number.split(".") if p.isdigit())


def inspect_wheel(path: Path) -> str:
    """A human report of ``path``'s binaries and its proper tag."""
    try:
        with zipfile.ZipFile(path) as archive:
            binaries = list(iter_binaries(archive))
            facts = [elf_facts(b.name, archive.read(b.name)) for b in binaries if b.kind == "elf"]
            count = len([i for i in archive.infolist() if not i.is_dir()])
    except (zipfile.BadZipFile, OSError) as exc:
        raise CrosswheelError(f"{path} is not a wheel (a zip archive): {exc}") from None
    if not path.name.endswith(".whl") or path.name.count("-") < 4:
        raise CrosswheelError(f"{path.name} is not named like a wheel (NAME-VERSION-TAGS.whl)")
    current = "-".join(path.name[: -len(".whl")].split("-")[-3:])
    lines = [f"{path.name}: {count} files, {len(binaries)} binaries", f"  tag now: {current}"]
    by_name = {f.name: f for f in facts}
    for binary in binaries:
        lines.append(f"  {binary.name}")
        lines.append(f"    format: {binary.describe()}")
        fact = by_name.get(binary.name)
        if fact is not None:
            lines.append(f"    needs: {', '.join(fact.needed) or '-'}")
            lines.append(f"    symbol versions: {_versions(fact)}")
    if not binaries:
        lines.append("  should carry: the tag it has (no binaries: nothing ties it to a platform)")
        return "\n".join(lines)
    target = target_of(binaries, facts)
    python_abi = "-".join(current.split("-")[:2])
    if target is None:
        lines.append("  should carry: unknown (the binaries are not all for one Linux target)")
        return "\n".join(lines)
    decision = linux_tag(target, facts)
    lines.append(f"  target: {target.triplet}")
    lines.append(f"  should carry: {python_abi}-{decision.platform}")
    for reason in decision.reasons:
        lines.append(f"    not a better tag because: {reason}")
    return "\n".join(lines)
