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
    eabi: str
    """What follows the libc in the triplet's ABI part: ``eabihf`` for armhf, else ''."""
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


ARCHES: tuple[Arch, ...] = (
    Arch(
        "x86_64", "x86_64", "x86_64", "", 64, "little", "EM_X86_64", "x86-64",
        "amd64", "qemu-x86_64", "x86_64", "x86_64", "x86_64", ("amd64", "x64"),
    ),
    Arch(
        "aarch64", "aarch64", "aarch64", "", 64, "little", "EM_AARCH64", "AArch64",
        "arm64", "qemu-aarch64", "aarch64", "aarch64", "aarch64", ("arm64",),
    ),
    Arch(
        "armv7l", "arm", "arm", "eabihf", 32, "little", "EM_ARM", "ARM",
        "armhf", "qemu-arm", "arm", "armv7", "arm", ("armv7", "armhf", "arm"),
    ),
    Arch(
        "i686", "i686", "i386", "", 32, "little", "EM_386", "Intel 80386",
        "i386", "qemu-i386", "x86", "i686", "x86", ("i386", "i486", "i586", "x86", "win32"),
    ),
    Arch(
        "ppc64le", "powerpc64le", "powerpc64le", "", 64, "little", "EM_PPC64",
        "PowerPC64", "ppc64el", "qemu-ppc64le", "ppc64", "powerpc64le", "powerpc64le",
        ("powerpc64le", "ppc64el"),
    ),
    Arch(
        "riscv64", "riscv64", "riscv64", "", 64, "little", "EM_RISCV", "RISC-V",
        "riscv64", "qemu-riscv64", "riscv64", "riscv64gc", "riscv64",
    ),
    Arch(
        "s390x", "s390x", "s390x", "", 64, "big", "EM_S390", "IBM S/390",
        "s390x", "qemu-s390x", "s390x", "s390x", "s390x",
    ),
    Arch(
        "loongarch64", "loongarch64", "loongarch64", "", 64, "little",
        "EM_LOONGARCH", "LoongArch", "loong64", "qemu-loongarch64", "loongarch64",
        "loongarch64", "loongarch64",
    ),
)  # fmt: skip
"""The Linux architectures; every other family uses a subset of them (or wasm32)."""

WASM32 = Arch(
    "wasm32", "wasm32", "wasm32", "", 32, "little", "EM_WASM", "WebAssembly", "wasm32",
    "", "wasm32", "wasm32", "wasm32",
)  # fmt: skip


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


def describe_elf(bits: int, byteorder: str, machine: str) -> str:
    """``ELF 64-bit LSB AArch64``, the way ``file`` says it."""
    order = "LSB" if byteorder == "little" else "MSB"
    name = next((a.elf_name for a in (*ARCHES, WASM32) if a.elf_machine == machine), machine)
    return f"ELF {bits}-bit {order} {name}"
