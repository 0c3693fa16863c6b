"""What we build for: one ``Target`` per platform, whatever name the user gave it.

A target is named by GNU triplet (``aarch64-linux-gnu``), by wheel platform tag
(``linux_aarch64``, ``manylinux_2_28_aarch64``) or by ``sysconfig.get_platform()``
string (``linux-aarch64``); every name of one platform resolves to the same facts.
The facts are what the later stages need and cannot ask the running interpreter:
``sys.platform``, the multiarch tuple, the binary format the verifier checks, the
wheel tag form, and where the toolchain and target Python usually live.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass

from crosswheel.errors import CrosswheelError


@dataclass(frozen=True)
class Arch:
    """A CPU architecture as each tool of the chain spells it."""

    machine: str
    """``platform.machine()`` on the target, also the wheel tag's arch part."""
    gnu_cpu: str
    """The cpu part of the GNU triplet (``arm`` for armhf, ``powerpc64le``)."""
    multiarch_cpu: str
    """The cpu part of Debian's multiarch tuple (``i386`` for i686)."""
    gnu_abi: str
    """The ABI part of the triplet for glibc: ``gnu`` or ``gnueabihf``."""
    musl_abi: str
    """The ABI part of the triplet for musl: ``musl`` or ``musleabihf``."""
    bits: int
    byteorder: str
    elf_machine: str
    """``e_machine`` as pyelftools names it."""
    debian_arch: str
    aliases: tuple[str, ...] = ()
    """Other spellings of the cpu part (``arm64``, ``armv7``, ``i386``)."""


ARCHES: tuple[Arch, ...] = (
    Arch(
        "x86_64", "x86_64", "x86_64", "gnu", "musl", 64, "little", "EM_X86_64", "amd64", ("amd64",)
    ),
    Arch(
        "aarch64",
        "aarch64",
        "aarch64",
        "gnu",
        "musl",
        64,
        "little",
        "EM_AARCH64",
        "arm64",
        ("arm64",),
    ),
    Arch(
        "armv7l",
        "arm",
        "arm",
        "gnueabihf",
        "musleabihf",
        32,
        "little",
        "EM_ARM",
        "armhf",
        ("armv7", "armhf", "arm"),
    ),
    Arch(
        "i686",
        "i686",
        "i386",
        "gnu",
        "musl",
        32,
        "little",
        "EM_386",
        "i386",
        ("i386", "i486", "i586", "x86"),
    ),
    Arch(
        "ppc64le",
        "powerpc64le",
        "powerpc64le",
        "gnu",
        "musl",
        64,
        "little",
        "EM_PPC64",
        "ppc64el",
        ("powerpc64le", "ppc64el"),
    ),
    Arch("riscv64", "riscv64", "riscv64", "gnu", "musl", 64, "little", "EM_RISCV", "riscv64"),
    Arch("s390x", "s390x", "s390x", "gnu", "musl", 64, "big", "EM_S390", "s390x"),
    Arch(
        "loongarch64",
        "loongarch64",
        "loongarch64",
        "gnu",
        "musl",
        64,
        "little",
        "EM_LOONGARCH",
        "loong64",
    ),
)


@dataclass(frozen=True)
class Target:
    """One platform we can build wheels for."""

    triplet: str
    """Canonical name, the GNU triplet: also the usual cross-toolchain prefix."""
    family: str
    """``linux`` for now; later ``android``, ``ios``, ``macos``, ``windows``..."""
    libc: str
    """``glibc`` or ``musl`` on Linux."""
    arch: Arch
    multiarch: str
    """``sys.implementation._multiarch`` and sysconfig's ``MULTIARCH``."""
    sys_platform: str
    platform: str
    """``sysconfig.get_platform()`` on the target."""
    binary_format: str
    """What the verifier expects every binary to be: ``elf``."""
    links_libpython: bool
    """Whether extension modules must link libpython (PEP 720)."""
    requested_tag: str | None = None
    """The platform tag the user named (``manylinux_2_28_aarch64``), if any."""

    @property
    def machine(self) -> str:
        return self.arch.machine

    @property
    def wheel_platform(self) -> str:
        """The platform tag this target's wheels carry unless a policy tag applies."""
        return self.requested_tag or f"linux_{self.arch.machine}"

    @property
    def uname_sysname(self) -> str:
        return "Linux"

    def describe(self) -> str:
        """A short human description: ``aarch64-linux-gnu (ELF 64-bit LSB AArch64)``."""
        arch = self.arch
        return f"{self.triplet} ({describe_elf(arch.bits, arch.byteorder, arch.elf_machine)})"


_ELF_MACHINE_NAMES = {
    "EM_X86_64": "x86-64",
    "EM_AARCH64": "AArch64",
    "EM_ARM": "ARM",
    "EM_386": "Intel 80386",
    "EM_PPC64": "PowerPC64",
    "EM_RISCV": "RISC-V",
    "EM_S390": "IBM S/390",
    "EM_LOONGARCH": "LoongArch",
}


def describe_elf(bits: int, byteorder: str, machine: str) -> str:
    """``ELF 64-bit LSB AArch64``, the way ``file`` says it."""
    order = "LSB" if byteorder == "little" else "MSB"
    return f"ELF {bits}-bit {order} {_ELF_MACHINE_NAMES.get(machine, machine)}"


def _linux_target(arch: Arch, libc: str) -> Target:
    abi = arch.gnu_abi if libc == "glibc" else arch.musl_abi
    return Target(
        triplet=f"{arch.gnu_cpu}-linux-{abi}",
        family="linux",
        libc=libc,
        arch=arch,
        multiarch=f"{arch.multiarch_cpu}-linux-{abi}",
        sys_platform="linux",
        platform=f"linux-{arch.machine}",
        binary_format="elf",
        links_libpython=False,
    )


KNOWN_TARGETS: tuple[Target, ...] = tuple(
    _linux_target(arch, libc) for libc in ("glibc", "musl") for arch in ARCHES
)

_LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
_POLICY_TAG = re.compile(
    r"^(?P<policy>manylinux|musllinux)_(?P<major>\d+)_(?P<minor>\d+)_(?P<arch>[a-z0-9_]+)$"
)
_LEGACY_TAG = re.compile(
    r"^(?P<policy>manylinux1|manylinux2010|manylinux2014)_(?P<arch>[a-z0-9_]+)$"
)


def _arch_by_name(name: str) -> Arch | None:
    for arch in ARCHES:
        if name in (arch.machine, arch.gnu_cpu, arch.multiarch_cpu, *arch.aliases):
            return arch
    return None


def _find(arch: Arch, libc: str) -> Target:
    for target in KNOWN_TARGETS:
        if target.arch == arch and target.libc == libc:
            return target
    raise AssertionError(f"no target for {arch.machine}/{libc}")  # pragma: no cover


def _alias_table() -> dict[str, Target]:
    """Every exact spelling we accept, mapped to its target."""
    table: dict[str, Target] = {}
    for target in KNOWN_TARGETS:
        arch = target.arch
        abi = target.triplet.rsplit("-", 1)[1]
        names = {target.triplet, target.multiarch}
        for cpu in {arch.machine, arch.gnu_cpu, arch.multiarch_cpu, *arch.aliases}:
            names.add(f"{cpu}-linux-{abi}")
            names.add(f"{cpu}-unknown-linux-{abi}")
            names.add(f"{cpu}-pc-linux-{abi}")
        if target.libc == "glibc":
            names.add(f"linux_{arch.machine}")
            names.add(f"linux-{arch.machine}")
        for name in names:
            table.setdefault(name, target)
    return table


_ALIASES = _alias_table()


def known_target_names() -> list[str]:
    """The canonical names, for error messages and ``crosswheel targets``."""
    return [t.triplet for t in KNOWN_TARGETS]


def resolve_target(name: str) -> Target:
    """Turn any accepted spelling of a target into a ``Target``.

    Raises ``CrosswheelError`` naming the known targets and the closest match.
    """
    key = name.strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    match = _POLICY_TAG.match(key) or _LEGACY_TAG.match(key)
    if match:
        arch = _arch_by_name(match["arch"])
        if arch is not None:
            policy = match["policy"]
            libc = "musl" if policy == "musllinux" else "glibc"
            if policy in _LEGACY_MANYLINUX:
                major, minor = _LEGACY_MANYLINUX[policy]
                tag = f"manylinux_{major}_{minor}_{arch.machine}"
            else:
                tag = f"{policy}_{match['major']}_{match['minor']}_{arch.machine}"
            return dataclasses.replace(_find(arch, libc), requested_tag=tag)
    close = difflib.get_close_matches(key, list(_ALIASES), n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    raise CrosswheelError(
        f"unknown target {name!r}",
        hint=f"{hint}known targets: {', '.join(known_target_names())} "
        "(a wheel platform tag such as manylinux_2_28_aarch64 works too)",
    )
