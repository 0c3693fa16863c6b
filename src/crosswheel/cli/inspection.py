"""``crosswheel inspect``: what each binary in a wheel is, and the tag the wheel should carry.

A wheel from anywhere (another tool, another machine) says nothing reliable
about itself but its binaries: their format, machine, the libraries and symbol
versions they need, and which libraries a repair bundled (``<name>.libs/``,
auditwheel's and crosswheel's layout). The tag is computed from those by
``crosswheel.wheel.tags``, for the target the binaries themselves name.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from crosswheel.target.names import KNOWN_TARGETS, Target
from crosswheel.wheel.binaries import Binary, read_wheel
from crosswheel.wheel.tags import linux_tag, version_key


def target_of(binaries: Sequence[Binary]) -> Target | None:
    """The Linux target the ELF binaries are for, when they agree on one."""
    kinds = {(b.bits, b.byteorder, b.machine) for b in binaries if b.is_elf}
    if len(kinds) != 1:
        return None
    bits, byteorder, machine = kinds.pop()
    libc = next((b.libc for b in binaries if b.libc and b.libc != "glibc"), "glibc")
    for target in KNOWN_TARGETS:
        arch = target.arch
        if (
            target.family == "linux"
            and target.libc == libc
            and (arch.bits, arch.byteorder, arch.elf_machine) == (bits, byteorder, machine)
        ):
            return target
    return None


def _versions(binary: Binary) -> str:
    parts = []
    for lib, versions in sorted(binary.version_needs.items()):
        newest = sorted(versions, key=version_key)
        parts.append(f"{lib}: {', '.join(newest)}")
    return "; ".join(parts) or "-"


def inspect_wheel(path: Path) -> str:
    """A human report of ``path``'s binaries and its proper tag."""
    contents = read_wheel(path)
    binaries = contents.binaries
    current = contents.name.tags
    lines = [
        f"{path.name}: {len(contents.members) + 1} files, {len(binaries)} binaries",
        f"  tag now: {current}",
    ]
    bundled = [b for b in binaries if b.name.split("/", 1)[0].endswith(".libs")]
    if bundled:
        lines.append(f"  bundled libraries: {len(bundled)}")
        lines += [f"    {b.name} (soname {b.soname or '-'})" for b in bundled]
    for binary in binaries:
        lines.append(f"  {binary.name}")
        lines.append(f"    format: {binary.describe()}")
        if binary.is_elf:
            lines.append(f"    needs: {', '.join(binary.needed) or '-'}")
            lines.append(f"    symbol versions: {_versions(binary)}")
    if not binaries:
        lines.append("  should carry: the tag it has (no binaries: nothing ties it to a platform)")
        return "\n".join(lines)
    target = target_of(binaries)
    python_abi = "-".join(current.split("-")[:2])
    if target is None:
        lines.append("  should carry: unknown (the binaries are not all for one Linux target)")
        return "\n".join(lines)
    decision = linux_tag(target, [b for b in binaries if b.is_elf])
    lines.append(f"  target: {target.triplet}")
    lines.append(f"  should carry: {python_abi}-{decision.platform}")
    for reason in decision.reasons:
        lines.append(f"    not a better tag because: {reason}")
    return "\n".join(lines)
