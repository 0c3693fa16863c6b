"""What we build for: one ``Target`` per platform, whatever name the user gave it.

A target is named by GNU triplet (``aarch64-linux-gnu``), by wheel platform tag
(``linux_aarch64``, ``manylinux_2_28_aarch64``) or by ``sysconfig.get_platform()``
string (``linux-aarch64``); every name of one platform resolves to the same facts.
A target is an arch (``arches``) and a family row (``families``) plus the
versions the user chose (API level, deployment target, a requested tag).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import sys
from dataclasses import dataclass

from crosswheel.errors import CrosswheelError
from crosswheel.target.arches import Arch, arch_by_machine, arch_by_name
from crosswheel.target.arches import describe_elf as describe_elf
from crosswheel.target.families import FAMILIES, OS_NAMES, Family, PyodideABI

FAMILY_NAMES = OS_NAMES
"""``Target.family`` values."""


@dataclass(frozen=True)
class Target:
    """One platform we can build wheels for: an arch, a family row, and chosen versions."""

    facts: Family
    arch: Arch
    sdk: str = ""
    """The SDK, where a family has several per arch (its row's ``variants``)."""
    requested_tag: str | None = None
    """The platform tag the user named (``manylinux_2_28_aarch64``), if any."""
    api_level: int | None = None
    """The API level, where the family has one (``Family.default_api_level``)."""
    min_version: str | None = None
    """The deployment target (``13.0``), where the family has one (``Family.min_versions``)."""

    def names(self, **extra: str) -> dict[str, str]:
        """The values the family's templates are written in."""
        arch = self.arch
        tag = self.requested_tag or ""
        names = {
            "machine": arch.machine,
            "gnu_cpu": arch.gnu_cpu,
            "multiarch_cpu": arch.multiarch_cpu,
            "eabi": arch.eabi,
            "zig_cpu": arch.zig_cpu,
            "rust_cpu": arch.rust_cpu,
            "api_level": str(self.api_level or ""),
            "min_version": self.min_version or "",
            "sdk": self.sdk,
            "glibc_pin": ".{}.{}".format(*tag.split("_")[1:3])
            if tag.startswith("manylinux_")
            else "",
            **self.facts.variants.get((arch.machine, self.sdk), {}),
            **(self.abi.names() if self.abi else {}),
        }
        names["triplet"] = self.facts.triplet.format(**names)
        names["debian_triplet"] = names["triplet"].replace("_", "-")
        names["tag_arch"] = self.facts.tag_arch.format(**names)
        return {**names, **extra}

    @property
    def abi(self) -> PyodideABI | None:
        """The runtime ABI (``Family.abis``): the requested tag's, else the build Python's,
        else the newest; None for families without."""
        abis = self.facts.abis
        if not abis:
            return None
        by_tag = next((a for a in abis if a.tag == self.requested_tag), None)
        by_python = next((a for a in abis if a.python == sys.version_info[:2]), None)
        return by_tag or by_python or abis[-1]

    @property
    def machine_code(self) -> int:
        """The CPU number of a PE or Mach-O binary for this target (0 for ELF, wasm)."""
        return self.facts.machine_codes.get(self.arch.machine, 0)

    def form(self, template: str, **extra: str) -> str:
        """``template`` (a family row's) filled in for this target."""
        return template.format(**self.names(**extra))

    @property
    def family(self) -> str:
        """The OS: the row's ``os`` (``linux`` for both Linux rows)."""
        return self.facts.os

    @property
    def libc(self) -> str:
        return self.facts.libc

    @property
    def triplet(self) -> str:
        """Canonical name, the GNU/LLVM triplet: also the usual cross-toolchain prefix."""
        return self.form(self.facts.triplet)

    @property
    def multiarch(self) -> str:
        """``sys.implementation._multiarch`` and ``MULTIARCH`` ('' if the row has none)."""
        return self.form(self.facts.multiarch)

    @property
    def sys_platform(self) -> str:
        return self.facts.sys_platform

    @property
    def binary_format(self) -> str:
        return self.facts.binary_format

    @property
    def links_libpython(self) -> bool:
        return self.facts.links_libpython

    @property
    def tag_arch(self) -> str:
        return self.form(self.facts.tag_arch)

    @property
    def uname_machine(self) -> str:
        return self.form(self.facts.uname_machine)

    @property
    def machine(self) -> str:
        return self.uname_machine

    @property
    def platform(self) -> str:
        """``sysconfig.get_platform()`` on the target."""
        return self.form(self.facts.platform)

    @property
    def wheel_platform(self) -> str:
        """The platform tag this target's wheels carry unless a policy tag applies."""
        if self.requested_tag:
            return self.requested_tag
        if self.facts.wheel_platform:
            return self.form(self.facts.wheel_platform)
        return self.platform.replace("-", "_").replace(".", "_")

    @property
    def uname_sysname(self) -> str:
        return self.facts.uname_sysname

    @property
    def platform_system(self) -> str:
        """``platform.system()``: the row's, which may differ from ``os.uname().sysname``."""
        return self.facts.platform_system

    @property
    def shlib_suffix(self) -> str:
        """sysconfig's ``SHLIB_SUFFIX``."""
        return self.facts.shlib_suffix

    @property
    def pointer_size(self) -> int:
        return self.arch.bits // 8

    def ext_suffix(self, version: tuple[int, int], abiflags: str = "") -> str:
        """The ``EXT_SUFFIX`` a CPython of ``version`` for this target uses."""
        nodot = f"{version[0]}{version[1]}{abiflags}"
        return self.form(
            self.facts.ext_suffix,
            nodot=nodot,
            multiarch=self.multiarch,
            wheel_platform=self.wheel_platform,
        )

    @property
    def stable_abi_suffix(self) -> str:
        return self.facts.stable_abi_suffix

    def describe(self) -> str:
        """A short human description: ``aarch64-linux-gnu (ELF 64-bit LSB AArch64)``."""
        return f"{self.triplet} ({describe_binary(self)})"


def describe_binary(target: Target) -> str:
    """What every binary of ``target`` is, in words."""
    arch = target.arch
    if target.binary_format == "macho":
        return f"Mach-O {arch.bits}-bit {target.tag_arch}"
    if target.binary_format == "pe":
        return f"PE {arch.bits}-bit {target.tag_arch}"
    if target.binary_format == "wasm":
        return "WebAssembly"
    return describe_elf(arch.bits, arch.byteorder, arch.elf_machine)


def machine_name(binary_format: str, code: int) -> str:
    """``amd64`` for PE machine 0x8664: a PE or Mach-O CPU number in words."""
    for target in KNOWN_TARGETS:
        if target.binary_format == binary_format and target.machine_code == code:
            return target.tag_arch
    for row in FAMILIES.values():
        if row.binary_format == binary_format and code in row.other_machines:
            return row.other_machines[code]
    return hex(code)


def _default_target(facts: Family, machine: str, sdk: str) -> Target:
    return Target(
        facts,
        arch_by_machine(machine),
        sdk=sdk,
        api_level=facts.default_api_level or None,
        min_version=facts.min_versions.get(machine),
    )


KNOWN_TARGETS: tuple[Target, ...] = tuple(
    _default_target(facts, machine, sdk)
    for facts in FAMILIES.values()
    for machine, sdk in facts.variants
)
"""Every target, with default API level / deployment target."""

_LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
_POLICY_TAG = re.compile(
    r"^(?P<policy>manylinux|musllinux)_(?P<major>\d+)_(?P<minor>\d+)_(?P<arch>[a-z0-9_]+)$"
)
_LEGACY_TAG = re.compile(
    r"^(?P<policy>manylinux1|manylinux2010|manylinux2014)_(?P<arch>[a-z0-9_]+)$"
)
_VERSION_GROUPS = ("api", "ver", "major")
"""Pattern groups that say the name carries its own API level or deployment target."""
_NOT_TEMPLATE_GROUPS = ("cpu", "api", "ver", "major", "minor", "tag")


_arch_by_name = arch_by_name


def _find(row: Family, arch: Arch | None) -> Target:
    for target in KNOWN_TARGETS:
        if target.facts is row and (arch is None or target.arch == arch):
            return target
    raise CrosswheelError(
        f"crosswheel has no {row.os} target for {arch.machine if arch else '?'}",
        hint=f"the {row.os} targets are: "
        + ", ".join(t.triplet for t in KNOWN_TARGETS if t.family == row.os),
    )


def _cpu_spellings(arch: Arch) -> set[str]:
    return {arch.machine, arch.gnu_cpu, arch.multiarch_cpu, *arch.aliases}


def _alias_table() -> dict[str, Target]:
    """Every exact spelling we accept, mapped to its target.

    A policy tag (``musllinux_1_2_aarch64``) is never an alias: parsed, it is also
    the tag the user asked for.
    """
    table: dict[str, Target] = {}
    for target in KNOWN_TARGETS:
        names = {target.triplet, target.platform, target.wheel_platform}
        for alias in target.facts.aliases:
            cpus = _cpu_spellings(target.arch) if "{cpu}" in alias else {""}
            names.update(target.form(alias, cpu=cpu, multiarch=target.multiarch) for cpu in cpus)
        for name in names:
            if name and not _POLICY_TAG.match(name):
                table.setdefault(name, target)
    return table


_ALIASES = _alias_table()


def known_target_names() -> list[str]:
    """The canonical names, for error messages and ``crosswheel targets``."""
    return [t.triplet for t in KNOWN_TARGETS]


def _version_string(text: str) -> str:
    """``13`` -> ``13.0``; ``11.0.1`` -> ``11.0`` (tags carry major and minor only)."""
    parts = text.strip().split(".")
    if not all(p.isdigit() for p in parts):
        raise CrosswheelError(f"{text!r} is not a version such as 13.0")
    if len(parts) == 1:
        parts.append("0")
    return ".".join(str(int(p)) for p in parts[:2])


def _from_policy_tag(key: str) -> Target | None:
    """``manylinux_2_28_aarch64``, ``musllinux_1_2_x86_64``: the row whose policy it is."""
    match = _POLICY_TAG.match(key) or _LEGACY_TAG.match(key)
    if not match:
        return None
    arch = _arch_by_name(match["arch"])
    if arch is None:
        return None
    policy = match["policy"]
    if policy in _LEGACY_MANYLINUX:
        major, minor = _LEGACY_MANYLINUX[policy]
        tag = f"manylinux_{major}_{minor}_{arch.machine}"
    else:
        tag = f"{policy}_{match['major']}_{match['minor']}_{arch.machine}"
    row = next(r for r in FAMILIES.values() if r.tag_policy and tag.startswith(r.tag_policy))
    return dataclasses.replace(_find(row, arch), requested_tag=tag)


def _from_pattern(key: str) -> tuple[Target | None, bool]:
    """A name one of the rows' ``name_patterns`` parses, and whether it carries a version."""
    for row in FAMILIES.values():
        for pattern in row.name_patterns:
            match = re.match(pattern, key)
            if match:
                return _from_groups(row, match), any(
                    match[g] for g in _VERSION_GROUPS if g in match.re.groupindex
                )
    return None, False


def _from_groups(row: Family, match: re.Match[str]) -> Target | None:
    """The target of ``row`` that a name pattern's groups describe (see ``name_patterns``)."""
    groups = match.groupdict(default="")
    targets = [t for t in KNOWN_TARGETS if t.facts is row]
    cpu = groups.get("cpu", "")
    arch = _arch_by_name(cpu) if cpu else None
    if cpu:
        targets = [t for t in targets if t.arch == arch or t.triplet.split("-", 1)[0] == cpu]
        if arch is None and not targets:
            return None
    for name, value in groups.items():
        if name not in _NOT_TEMPLATE_GROUPS:
            want = value.replace("-", "_")
            targets = [t for t in targets if t.names()[name].replace("-", "_") == want]
    if not targets:
        raise CrosswheelError(
            f"crosswheel has no {row.os} target for {arch.machine if arch else cpu or '?'}",
            hint=f"the {row.os} targets are: "
            + ", ".join(t.triplet for t in KNOWN_TARGETS if t.facts is row),
        )
    target = targets[0]
    if groups.get("tag"):
        tag = re.sub(r"[-.]", "_", groups["tag"])
        target = dataclasses.replace(target, requested_tag=tag)
    if groups.get("api"):
        target = dataclasses.replace(target, api_level=int(groups["api"]))
    version = groups.get("ver") or (
        f"{groups['major']}.{groups['minor']}" if groups.get("major") else ""
    )
    if version:
        target = dataclasses.replace(target, min_version=_version_string(version))
    return target


def _titles(has: str) -> str:
    """The titles of the families whose rows have ``has`` set, joined with "and"."""
    return " and ".join(dict.fromkeys(r.title for r in FAMILIES.values() if getattr(r, has)))


def resolve_target(
    name: str, api_level: int | str | None = None, min_version: str | None = None
) -> Target:
    """Turn any accepted spelling of a target into a ``Target``.

    ``api_level`` and ``min_version`` (deployment target) come from config settings,
    for the families that have them; a name that carries its own must agree with them.
    Raises ``CrosswheelError`` naming the known targets and the closest match.
    """
    key = name.strip().lower()
    target = _ALIASES.get(key) or _from_policy_tag(key) or _from_pattern(key)[0]
    if target is None:
        close = difflib.get_close_matches(key, list(_ALIASES), n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        raise CrosswheelError(
            f"unknown target {name!r}",
            hint=f"{hint}known targets: {', '.join(known_target_names())} "
            "(a wheel platform tag such as manylinux_2_28_aarch64 or android_24_arm64_v8a, "
            "or a sysconfig.get_platform() string, works too)",
        )
    if api_level is not None and str(api_level).strip():
        if not target.facts.default_api_level:
            raise CrosswheelError(
                f"api-level applies to {_titles('default_api_level')} targets only, "
                f"not {target.triplet}"
            )
        level = _int_setting("api-level", api_level)
        if _from_pattern(key)[1] and level != target.api_level:
            raise CrosswheelError(
                f"target {name!r} says API level {target.api_level} but api-level is {level}",
                hint="name the API level once: in the target or in api-level",
            )
        target = dataclasses.replace(target, api_level=level)
    if min_version is not None and min_version.strip():
        if not target.facts.min_versions:
            raise CrosswheelError(
                f"min-version applies to {_titles('min_versions')} targets only, "
                f"not {target.triplet}"
            )
        version = _version_string(min_version)
        if _from_pattern(key)[1] and version != target.min_version:
            raise CrosswheelError(
                f"target {name!r} says {target.min_version} but min-version is {version}",
                hint="name the deployment target once: in the target or in min-version",
            )
        target = dataclasses.replace(target, min_version=version)
    return target


def _int_setting(key: str, value: int | str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise CrosswheelError(f"config setting {key!r} must be a number, not {value!r}") from None
    if number <= 0:
        raise CrosswheelError(f"config setting {key!r} must be positive, not {value!r}")
    return number
