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
    macho_cputype: int = 0
    """Mach-O ``cputype`` (macOS, iOS), 0 where Apple does not ship the arch."""
    pe_machine: int = 0
    """PE/COFF ``Machine`` (Windows), 0 where Python ships no Windows build."""


ARCHES: tuple[Arch, ...] = (
    Arch(
        "x86_64",
        "x86_64",
        "x86_64",
        "gnu",
        "musl",
        64,
        "little",
        "EM_X86_64",
        "amd64",
        ("amd64", "x64"),
        macho_cputype=0x01000007,
        pe_machine=0x8664,
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
        macho_cputype=0x0100000C,
        pe_machine=0xAA64,
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
        ("i386", "i486", "i586", "x86", "win32"),
        pe_machine=0x014C,
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
"""The Linux architectures; every other family uses a subset of them (or wasm32)."""

WASM32 = Arch("wasm32", "wasm32", "wasm32", "", "", 32, "little", "EM_WASM", "wasm32")


FAMILIES = ("linux", "android", "ios", "macos", "windows", "emscripten", "wasi")

DEFAULT_ANDROID_API = 24
"""CPython's minimum Android API level (PEP 738)."""
DEFAULT_IOS_VERSION = "13.0"
"""CPython's minimum iOS version (PEP 730)."""
DEFAULT_MACOS_VERSION = {"aarch64": "11.0", "x86_64": "10.13"}
"""python.org installers' deployment targets."""
DEFAULT_EMSCRIPTEN_TAG = "pyemscripten_2026_0_wasm32"
"""PEP 783's (accepted) platform tag; an older Pyodide ABI is named by its tag
(``pyodide_2024_0_wasm32``)."""


@dataclass(frozen=True)
class Target:
    """One platform we can build wheels for, with every fact later stages need."""

    triplet: str
    """Canonical name, the GNU/LLVM triplet: also the usual cross-toolchain prefix."""
    family: str
    """One of ``FAMILIES``."""
    libc: str
    """``glibc``, ``musl``, ``bionic``, ``darwin``, ``msvc``, ``emscripten`` or ``wasi``."""
    arch: Arch
    multiarch: str
    """``sys.implementation._multiarch`` and sysconfig's ``MULTIARCH`` ('' on Windows)."""
    sys_platform: str
    binary_format: str
    """What every binary in the wheel must be: ``elf``, ``macho``, ``pe`` or ``wasm``."""
    links_libpython: bool
    """Whether extension modules must link libpython (PEP 720, 730, 738)."""
    tag_arch: str
    """The arch part of the platform tag (``arm64_v8a``, ``amd64``, ``arm64``)."""
    uname_machine: str
    """``platform.machine()`` on the target."""
    requested_tag: str | None = None
    """The platform tag the user named (``manylinux_2_28_aarch64``), if any."""
    api_level: int | None = None
    """Android API level."""
    min_version: str | None = None
    """iOS or macOS deployment target (``13.0``)."""
    sdk: str | None = None
    """iOS SDK: ``iphoneos`` or ``iphonesimulator``."""

    @property
    def machine(self) -> str:
        return self.uname_machine

    @property
    def platform(self) -> str:
        """``sysconfig.get_platform()`` on the target."""
        if self.family == "android":
            return f"android-{self.api_level}-{self.tag_arch}"
        if self.family == "ios":
            return f"ios-{self.min_version}-{self.tag_arch}-{self.sdk}"
        if self.family == "macos":
            return f"macosx-{self.min_version}-{self.tag_arch}"
        if self.family == "windows":
            return "win32" if self.tag_arch == "win32" else f"win-{self.tag_arch}"
        if self.family == "emscripten":
            return "emscripten-3.1.58-wasm32"
        if self.family == "wasi":
            return "wasi-0.0.0-wasm32"
        return f"linux-{self.arch.machine}"

    @property
    def wheel_platform(self) -> str:
        """The platform tag this target's wheels carry unless a policy tag applies."""
        if self.requested_tag:
            return self.requested_tag
        if self.family == "emscripten":
            return DEFAULT_EMSCRIPTEN_TAG
        if self.libc == "musl":
            return f"musllinux_1_2_{self.arch.machine}"
        if self.family == "windows":
            return "win32" if self.tag_arch == "win32" else f"win_{self.tag_arch}"
        return self.platform.replace("-", "_").replace(".", "_")

    @property
    def uname_sysname(self) -> str:
        return {
            "ios": "Darwin",
            "macos": "Darwin",
            "windows": "Windows",
            "emscripten": "Emscripten",
            "wasi": "wasi",
        }.get(self.family, "Linux")

    @property
    def platform_system(self) -> str:
        """``platform.system()``: differs from ``os.uname().sysname`` on Android."""
        return {"android": "Android", "ios": "iOS"}.get(self.family, self.uname_sysname)

    @property
    def shlib_suffix(self) -> str:
        """sysconfig's ``SHLIB_SUFFIX``."""
        return {"ios": ".dylib", "windows": ".pyd"}.get(self.family, ".so")

    @property
    def pointer_size(self) -> int:
        return self.arch.bits // 8

    def ext_suffix(self, version: tuple[int, int], abiflags: str = "") -> str:
        """The ``EXT_SUFFIX`` a CPython of ``version`` for this target uses."""
        nodot = f"{version[0]}{version[1]}{abiflags}"
        if self.family == "windows":
            return f".cp{nodot}-{self.wheel_platform}.pyd"
        if self.family == "macos":
            return f".cpython-{nodot}-darwin.so"
        if self.family == "ios":
            return f".cpython-{nodot}-{self.sdk}.so"
        return f".cpython-{nodot}-{self.multiarch}.so"

    @property
    def stable_abi_suffix(self) -> str:
        return ".pyd" if self.family == "windows" else ".abi3.so"

    def describe(self) -> str:
        """A short human description: ``aarch64-linux-gnu (ELF 64-bit LSB AArch64)``."""
        return f"{self.triplet} ({describe_binary(self)})"


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


def _arch(machine: str) -> Arch:
    for arch in (*ARCHES, WASM32):
        if arch.machine == machine:
            return arch
    raise AssertionError(machine)  # pragma: no cover


def _linux_target(arch: Arch, libc: str) -> Target:
    abi = arch.gnu_abi if libc == "glibc" else arch.musl_abi
    return Target(
        triplet=f"{arch.gnu_cpu}-linux-{abi}",
        family="linux",
        libc=libc,
        arch=arch,
        multiarch=f"{arch.multiarch_cpu}-linux-{abi}",
        sys_platform="linux",
        binary_format="elf",
        links_libpython=False,
        tag_arch=arch.machine,
        uname_machine=arch.machine,
    )


_ANDROID = (
    # machine, clang triplet, multiarch, ABI name
    ("aarch64", "aarch64-linux-android", "aarch64-linux-android", "arm64_v8a"),
    ("armv7l", "armv7a-linux-androideabi", "arm-linux-androideabi", "armeabi_v7a"),
    ("i686", "i686-linux-android", "i686-linux-android", "x86"),
    ("x86_64", "x86_64-linux-android", "x86_64-linux-android", "x86_64"),
)


def _android_target(machine: str, triplet: str, multiarch: str, abi: str) -> Target:
    return Target(
        triplet=triplet,
        family="android",
        libc="bionic",
        arch=_arch(machine),
        multiarch=multiarch,
        sys_platform="android",
        binary_format="elf",
        links_libpython=True,
        tag_arch=abi,
        uname_machine=machine,
        api_level=DEFAULT_ANDROID_API,
    )


def _ios_target(machine: str, sdk: str) -> Target:
    cpu = "arm64" if machine == "aarch64" else machine
    simulator = "-simulator" if sdk == "iphonesimulator" else ""
    return Target(
        triplet=f"{cpu}-apple-ios{simulator}",
        family="ios",
        libc="darwin",
        arch=_arch(machine),
        multiarch=f"{cpu}-{sdk}",
        sys_platform="ios",
        binary_format="macho",
        links_libpython=True,
        tag_arch=cpu,
        uname_machine=cpu,
        min_version=DEFAULT_IOS_VERSION,
        sdk=sdk,
    )


def _macos_target(machine: str) -> Target:
    cpu = "arm64" if machine == "aarch64" else machine
    return Target(
        triplet=f"{cpu}-apple-darwin",
        family="macos",
        libc="darwin",
        arch=_arch(machine),
        multiarch="darwin",
        sys_platform="darwin",
        binary_format="macho",
        links_libpython=False,
        tag_arch=cpu,
        uname_machine=cpu,
        min_version=DEFAULT_MACOS_VERSION[machine],
    )


def _windows_target(machine: str, tag_arch: str, uname: str) -> Target:
    return Target(
        triplet=f"{machine}-pc-windows-msvc",
        family="windows",
        libc="msvc",
        arch=_arch(machine),
        multiarch="",
        sys_platform="win32",
        binary_format="pe",
        links_libpython=True,
        tag_arch=tag_arch,
        uname_machine=uname,
    )


def _wasm_target(os_name: str) -> Target:
    return Target(
        triplet=f"wasm32-unknown-{os_name}",
        family=os_name,
        libc=os_name,
        arch=WASM32,
        multiarch=f"wasm32-{os_name}",
        sys_platform=os_name,
        binary_format="wasm",
        links_libpython=False,
        tag_arch="wasm32",
        uname_machine="wasm32",
    )


KNOWN_TARGETS: tuple[Target, ...] = (
    *(_linux_target(arch, libc) for libc in ("glibc", "musl") for arch in ARCHES),
    *(_android_target(*row) for row in _ANDROID),
    _ios_target("aarch64", "iphoneos"),
    _ios_target("aarch64", "iphonesimulator"),
    _ios_target("x86_64", "iphonesimulator"),
    _macos_target("aarch64"),
    _macos_target("x86_64"),
    _windows_target("x86_64", "amd64", "AMD64"),
    _windows_target("aarch64", "arm64", "ARM64"),
    _windows_target("i686", "win32", "x86"),
    _wasm_target("emscripten"),
    _wasm_target("wasi"),
)
"""Every target, with default API level / deployment target."""

_LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
_POLICY_TAG = re.compile(
    r"^(?P<policy>manylinux|musllinux)_(?P<major>\d+)_(?P<minor>\d+)_(?P<arch>[a-z0-9_]+)$"
)
_LEGACY_TAG = re.compile(
    r"^(?P<policy>manylinux1|manylinux2010|manylinux2014)_(?P<arch>[a-z0-9_]+)$"
)
_ANDROID_ABIS = "|".join(row[3] for row in _ANDROID)
_VERSIONED = (
    # Android: aarch64-linux-android24, android_24_arm64_v8a, android-24-arm64_v8a
    re.compile(r"^(?P<cpu>[a-z0-9_]+)-(?:unknown-)?linux-androideabi(?P<api>\d+)?$"),
    re.compile(r"^(?P<cpu>[a-z0-9_]+)-(?:unknown-)?linux-android(?P<api>\d+)?$"),
    re.compile(rf"^android[_-](?P<api>\d+)[_-](?P<abi>{_ANDROID_ABIS}|arm64-v8a|armeabi-v7a)$"),
    # iOS: arm64-apple-ios13.0[-simulator], ios_13_0_arm64_iphoneos, ios-13.0-arm64-iphoneos
    re.compile(r"^(?P<cpu>[a-z0-9_]+)-apple-ios(?P<ver>\d+(?:\.\d+)*)?(?P<sim>-simulator)?$"),
    re.compile(
        r"^ios[_-](?P<major>\d+)[_.](?P<minor>\d+)[_-](?P<cpu>arm64|x86_64)[_-]"
        r"(?P<sdk>iphoneos|iphonesimulator)$"
    ),
    # macOS: arm64-apple-darwin, arm64-apple-macos11.0, macosx_11_0_arm64, macosx-11.0-arm64
    re.compile(r"^(?P<cpu>[a-z0-9_]+)-apple-(?:darwin[\d.]*|macosx?(?P<ver>\d+(?:\.\d+)*)?)$"),
    re.compile(r"^macosx[_-](?P<major>\d+)[_.](?P<minor>\d+)[_-](?P<cpu>arm64|x86_64)$"),
    # Emscripten / Pyodide ABI tags name the platform and its version
    re.compile(
        r"^(?P<emtag>(?:pyodide|pyemscripten)_\d+_\d+_wasm32|emscripten_\d+_\d+_\d+_wasm32)$"
    ),
    re.compile(r"^emscripten-(?P<emver>\d+\.\d+\.\d+)-wasm32$"),
)


def _arch_by_name(name: str) -> Arch | None:
    for arch in (*ARCHES, WASM32):
        if name in (arch.machine, arch.gnu_cpu, arch.multiarch_cpu, *arch.aliases):
            return arch
    return None


def _find(
    family: str, arch: Arch | None, libc: str | None = None, sdk: str | None = None
) -> Target:
    for target in KNOWN_TARGETS:
        if (
            target.family == family
            and (arch is None or target.arch == arch)
            and (libc is None or target.libc == libc)
            and (sdk is None or target.sdk == sdk)
        ):
            return target
    raise CrosswheelError(
        f"crosswheel has no {family} target for {arch.machine if arch else '?'}",
        hint=f"the {family} targets are: "
        + ", ".join(t.triplet for t in KNOWN_TARGETS if t.family == family),
    )


def _alias_table() -> dict[str, Target]:
    """Every exact spelling we accept, mapped to its target."""
    table: dict[str, Target] = {}
    for target in KNOWN_TARGETS:
        arch = target.arch
        names = {target.triplet, target.platform, target.wheel_platform}
        if target.family == "linux":
            abi = target.triplet.rsplit("-", 1)[1]
            names.add(target.multiarch)
            for cpu in {arch.machine, arch.gnu_cpu, arch.multiarch_cpu, *arch.aliases}:
                names.add(f"{cpu}-linux-{abi}")
                names.add(f"{cpu}-unknown-linux-{abi}")
                names.add(f"{cpu}-pc-linux-{abi}")
            if target.libc == "musl":
                names -= {target.platform, target.wheel_platform}
        elif target.family == "windows":
            cpus = {arch.machine, arch.gnu_cpu, *arch.aliases} - {"win32", "x64"}
            for cpu in cpus:
                names.update({f"{cpu}-pc-windows-msvc", f"{cpu}-w64-mingw32", f"{cpu}-windows"})
            if target.tag_arch == "win32":
                names.add("win-32")
        elif target.family in ("emscripten", "wasi"):
            names.update({f"wasm32-{target.family}", f"wasm32-{target.family}-unknown"})
            if target.family == "wasi":
                names.update({"wasm32-wasip1", "wasm32-unknown-wasip1", "wasm32-wasi-threads"})
        for name in names:
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


def _from_pattern(key: str) -> Target | None:
    """Names that carry a version (API level, deployment target) or a policy tag."""
    match = _POLICY_TAG.match(key) or _LEGACY_TAG.match(key)
    if match:
        arch = _arch_by_name(match["arch"])
        if arch is None:
            return None
        policy = match["policy"]
        libc = "musl" if policy == "musllinux" else "glibc"
        if policy in _LEGACY_MANYLINUX:
            major, minor = _LEGACY_MANYLINUX[policy]
            tag = f"manylinux_{major}_{minor}_{arch.machine}"
        else:
            tag = f"{policy}_{match['major']}_{match['minor']}_{arch.machine}"
        return dataclasses.replace(_find("linux", arch, libc), requested_tag=tag)
    for pattern in _VERSIONED:
        match = pattern.match(key)
        if not match:
            continue
        groups = {k: v for k, v in match.groupdict().items() if v is not None}
        if "emtag" in groups:
            return dataclasses.replace(_find("emscripten", None), requested_tag=groups["emtag"])
        if "emver" in groups:
            tag = "emscripten_" + groups["emver"].replace(".", "_") + "_wasm32"
            return dataclasses.replace(_find("emscripten", None), requested_tag=tag)
        if "abi" in groups:
            abi = groups["abi"].replace("-", "_")
            target = next(t for t in KNOWN_TARGETS if t.family == "android" and t.tag_arch == abi)
            return dataclasses.replace(target, api_level=int(groups["api"]))
        if "android" in pattern.pattern:
            arch = _arch_by_name(groups["cpu"].replace("armv7a", "armv7"))
            if arch is None:
                return None
            target = _find("android", arch)
            api = int(groups.get("api", target.api_level or DEFAULT_ANDROID_API))
            return dataclasses.replace(target, api_level=api)
        arch = _arch_by_name(groups["cpu"])
        if arch is None:
            return None
        version = groups.get("ver") or (
            f"{groups['major']}.{groups['minor']}" if "major" in groups else None
        )
        if "ios" in pattern.pattern:
            sdk = groups.get("sdk") or ("iphonesimulator" if "sim" in groups else "iphoneos")
            target = _find("ios", arch, sdk=sdk)
        else:
            target = _find("macos", arch)
        if version:
            target = dataclasses.replace(target, min_version=_version_string(version))
        return target
    return None


def resolve_target(
    name: str, api_level: int | str | None = None, min_version: str | None = None
) -> Target:
    """Turn any accepted spelling of a target into a ``Target``.

    ``api_level`` (Android) and ``min_version`` (iOS/macOS deployment target) come
    from config settings; a name that carries its own must agree with them.
    Raises ``CrosswheelError`` naming the known targets and the closest match.
    """
    key = name.strip().lower()
    target = _ALIASES.get(key) or _from_pattern(key)
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
        if target.family != "android":
            raise CrosswheelError(
                f"api-level applies to Android targets only, not {target.triplet}"
            )
        level = _int_setting("api-level", api_level)
        if _carries_version(key) and level != target.api_level:
            raise CrosswheelError(
                f"target {name!r} says API level {target.api_level} but api-level is {level}",
                hint="name the API level once: in the target or in api-level",
            )
        target = dataclasses.replace(target, api_level=level)
    if min_version is not None and min_version.strip():
        if target.family not in ("ios", "macos"):
            raise CrosswheelError(
                f"min-version applies to iOS and macOS targets only, not {target.triplet}"
            )
        version = _version_string(min_version)
        if _carries_version(key) and version != target.min_version:
            raise CrosswheelError(
                f"target {name!r} says {target.min_version} but min-version is {version}",
                hint="name the deployment target once: in the target or in min-version",
            )
        target = dataclasses.replace(target, min_version=version)
    return target


def _carries_version(name: str) -> bool:
    """Whether an Android/iOS/macOS target name spells its own API level or OS version."""
    return bool(re.search(r"(android[_-]?|ios|macosx?[_-]?)\d", name))


def _int_setting(key: str, value: int | str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise CrosswheelError(f"config setting {key!r} must be a number, not {value!r}") from None
    if number <= 0:
        raise CrosswheelError(f"config setting {key!r} must be positive, not {value!r}")
    return number
