"""CPU architectures, each spelled the way every tool of the chain spells it.

One row per architecture: a new one is a row here, nothing else. The families
(``families.py``) choose which of these they run on and how they name them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Arch:
    """A CPU architecture as each tool of the chain spells it."""

    machine: str
    """``platform.machine()`` on Linux, also the Linux wheel tag's arch part."""
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
    elf_name: str
    """How ``file`` names the machine (``AArch64``)."""
    debian_arch: str
    qemu_user: str
    """qemu-user's binary for it (Debian package ``qemu-user``); '' where there is none."""
    meson_cpu_family: str
    """Meson's ``cpu_family`` (Meson's reference tables)."""
    rust_cpu: str
    """Rust's cpu part of Linux triples (``armv7``, ``riscv64gc``)."""
    zig_cpu: str
    """zig's cpu name (``x86``, ``arm``)."""
    aliases: tuple[str, ...] = ()
    """Other spellings of the cpu part (``arm64``, ``armv7``, ``i386``)."""
    apple_cpu: str = ""
    """Apple's name (``arm64``) where Apple ships the arch, else ''."""
    macho_cputype: int = 0
    """Mach-O ``cputype`` (macOS, iOS), 0 where Apple does not ship the arch."""
    windows_machine: str = ""
    """``platform.machine()`` on Windows (``AMD64``), '' where Python ships no Windows build."""
    windows_tag: str = ""
    """The Windows wheel tag's arch part (``amd64``, ``arm64``, ``win32``)."""
    pe_machine: int = 0
    """PE/COFF ``Machine`` (Windows), 0 where Python ships no Windows build."""
    android_abi: str = ""
    """Android's ABI name (``arm64_v8a``), '' where Android has none."""
    android_triplet: str = ""
    """The NDK's clang triplet (``armv7a-linux-androideabi``)."""
    android_multiarch: str = ""


ARCHES: tuple[Arch, ...] = (
    Arch(
        "x86_64", "x86_64", "x86_64", "gnu", "musl", 64, "little", "EM_X86_64", "x86-64",
        "amd64", "qemu-x86_64", "x86_64", "x86_64", "x86_64", ("amd64", "x64"),
        apple_cpu="x86_64", macho_cputype=0x01000007,
        windows_machine="AMD64", windows_tag="amd64", pe_machine=0x8664,
        android_abi="x86_64", android_triplet="x86_64-linux-android",
        android_multiarch="x86_64-linux-android",
    ),
    Arch(
        "aarch64", "aarch64", "aarch64", "gnu", "musl", 64, "little", "EM_AARCH64", "AArch64",
        "arm64", "qemu-aarch64", "aarch64", "aarch64", "aarch64", ("arm64",),
        apple_cpu="arm64", macho_cputype=0x0100000C,
        windows_machine="ARM64", windows_tag="arm64", pe_machine=0xAA64,
        android_abi="arm64_v8a", android_triplet="aarch64-linux-android",
        android_multiarch="aarch64-linux-android",
    ),
    Arch(
        "armv7l", "arm", "arm", "gnueabihf", "musleabihf", 32, "little", "EM_ARM", "ARM",
        "armhf", "qemu-arm", "arm", "armv7", "arm", ("armv7", "armhf", "arm"),
        android_abi="armeabi_v7a", android_triplet="armv7a-linux-androideabi",
        android_multiarch="arm-linux-androideabi",
    ),
    Arch(
        "i686", "i686", "i386", "gnu", "musl", 32, "little", "EM_386", "Intel 80386",
        "i386", "qemu-i386", "x86", "i686", "x86", ("i386", "i486", "i586", "x86", "win32"),
        windows_machine="x86", windows_tag="win32", pe_machine=0x014C,
        android_abi="x86", android_triplet="i686-linux-android",
        android_multiarch="i686-linux-android",
    ),
    Arch(
        "ppc64le", "powerpc64le", "powerpc64le", "gnu", "musl", 64, "little", "EM_PPC64",
        "PowerPC64", "ppc64el", "qemu-ppc64le", "ppc64", "powerpc64le", "powerpc64le",
        ("powerpc64le", "ppc64el"),
    ),
    Arch(
        "riscv64", "riscv64", "riscv64", "gnu", "musl", 64, "little", "EM_RISCV", "RISC-V",
        "riscv64", "qemu-riscv64", "riscv64", "riscv64gc", "riscv64",
    ),
    Arch(
        "s390x", "s390x", "s390x", "gnu", "musl", 64, "big", "EM_S390", "IBM S/390",
        "s390x", "qemu-s390x", "s390x", "s390x", "s390x",
    ),
    Arch(
        "loongarch64", "loongarch64", "loongarch64", "gnu", "musl", 64, "little",
        "EM_LOONGARCH", "LoongArch", "loong64", "qemu-loongarch64", "loongarch64",
        "loongarch64", "loongarch64",
    ),
)  # fmt: skip
"""The Linux architectures; every other family uses a subset of them (or wasm32)."""

WASM32 = Arch(
    "wasm32", "wasm32", "wasm32", "", "", 32, "little", "EM_WASM", "WebAssembly", "wasm32",
    "", "wasm32", "wasm32", "wasm32",
)  # fmt: skip

_PE_NAMES = {0x01C4: "arm"}
"""PE machines no arch here ships, by name, for messages."""
_MACHO_NAMES = {7: "i386", 12: "arm"}
"""Mach-O CPU types no arch here ships (32-bit), by name, for messages."""


def arch_by_name(name: str) -> Arch | None:
    """The arch any tool's spelling of a cpu names, or None."""
    for arch in (*ARCHES, WASM32):
        if name in (arch.machine, arch.gnu_cpu, arch.multiarch_cpu, *arch.aliases):
            return arch
    return None


def arch_by_machine(machine: str) -> Arch:
    """The arch whose ``machine`` is ``machine`` (a known one)."""
    found = next((a for a in (*ARCHES, WASM32) if a.machine == machine), None)
    if found is None:
        raise KeyError(machine)
    return found


def pe_machine_name(machine: int) -> str:
    """``amd64`` for 0x8664: a PE machine number in words."""
    for arch in ARCHES:
        if arch.pe_machine == machine:
            return arch.windows_tag
    return _PE_NAMES.get(machine, hex(machine))


def macho_cpu_name(cputype: int) -> str:
    """``arm64`` for 0x0100000C: a Mach-O CPU type in words."""
    for arch in ARCHES:
        if arch.macho_cputype == cputype:
            return arch.apple_cpu
    return _MACHO_NAMES.get(cputype, hex(cputype))


def describe_elf(bits: int, byteorder: str, machine: str) -> str:
    """``ELF 64-bit LSB AArch64``, the way ``file`` says it."""
    order = "LSB" if byteorder == "little" else "MSB"
    name = next((a.elf_name for a in (*ARCHES, WASM32) if a.elf_machine == machine), machine)
    return f"ELF {bits}-bit {order} {name}"
