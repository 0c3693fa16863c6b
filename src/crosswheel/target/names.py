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
from crosswheel.target import pyodide
from crosswheel.target.arches import ARCHES, Arch, arch_by_machine, arch_by_name
from crosswheel.target.arches import describe_elf as describe_elf
from crosswheel.target.families import FAMILIES, OS_NAMES, Family

FAMILY_NAMES = OS_NAMES
"""``Target.family`` values."""

DEFAULT_ANDROID_API = 24
"""CPython's minimum Android API level (PEP 738)."""
DEFAULT_MIN_VERSION = {
    ("ios", ""): "13.0",
    ("macos", "aarch64"): "11.0",
    ("macos", "x86_64"): "10.13",
}
"""CPython's minimum iOS version (PEP 730); python.org installers' macOS deployment targets."""


@dataclass(frozen=True)
class Target:
    """One platform we can build wheels for: an arch, a family row, and chosen versions."""

    facts: Family
    arch: Arch
    sdk: str = ""
    """iOS SDK: ``iphoneos`` or ``iphonesimulator``."""
    requested_tag: str | None = None
    """The platform tag the user named (``manylinux_2_28_aarch64``), if any."""
    api_level: int | None = None
    """Android API level."""
    min_version: str | None = None
    """iOS or macOS deployment target (``13.0``)."""

    def names(self, **extra: str) -> dict[str, str]:
        """The values the family's templates are written in."""
        arch = self.arch
        abi = self._pyodide_abi()
        tag = self.requested_tag or ""
        names = {
            "machine": arch.machine,
            "gnu_cpu": arch.gnu_cpu,
            "multiarch_cpu": arch.multiarch_cpu,
            "gnu_abi": arch.gnu_abi,
            "musl_abi": arch.musl_abi,
            "apple_cpu": arch.apple_cpu,
            "android_abi": arch.android_abi,
            "android_triplet": arch.android_triplet,
            "android_multiarch": arch.android_multiarch,
            "android_rust": arch.android_triplet.replace("armv7a", "armv7"),
            "windows_tag": arch.windows_tag,
            "windows_machine": arch.windows_machine,
            "windows_platform": "win32"
            if arch.windows_tag == "win32"
            else f"win-{arch.windows_tag}",
            "zig_cpu": arch.zig_cpu,
            "rust_cpu": arch.rust_cpu,
            "api_level": str(self.api_level or ""),
            "min_version": self.min_version or "",
            "sdk": self.sdk,
            "sim": "-simulator" if self.sdk == "iphonesimulator" else "",
            "rust_sim": "-sim"
            if self.sdk == "iphonesimulator" and arch.machine == "aarch64"
            else "",
            "emscripten_version": abi.emscripten_version,
            "pyodide_tag": abi.tag,
            "pyodide_eh": abi.eh_flags,
            "glibc_pin": ".{}.{}".format(*tag.split("_")[1:3])
            if tag.startswith("manylinux_")
            else "",
        }
        names["triplet"] = self.facts.triplet.format(**names)
        names["debian_triplet"] = names["triplet"].replace("_", "-")
        names["tag_arch"] = self.facts.tag_arch.format(**names)
        return {**names, **extra}

    def _pyodide_abi(self) -> pyodide.PyodideABI:
        """The Pyodide ABI: the requested tag's, else the build Python's, else the newest."""
        by_tag = pyodide.abi_for_tag(self.requested_tag or "")
        return by_tag or pyodide.abi_for_python(sys.version_info[:2]) or pyodide.DEFAULT_ABI

    def form(self, template: str, **extra: str) -> str:
        """``template`` (a family row's) filled in for this target."""
        return template.format(**self.names(**extra))

    @property
    def pyodide_abi(self) -> pyodide.PyodideABI | None:
        """The Pyodide ABI of an Emscripten target (None for the others)."""
        return self._pyodide_abi() if self.facts.runner == "node" else None

    @property
    def family(self) -> str:
        """The OS: ``linux``, ``android``, ``ios``, ``macos``, ``windows``..."""
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
        """``sys.implementation._multiarch`` and sysconfig's ``MULTIARCH`` ('' on Windows)."""
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
        """``platform.system()``: differs from ``os.uname().sysname`` on Android and iOS."""
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


def _default_target(facts: Family, machine: str, sdk: str) -> Target:
    min_version = DEFAULT_MIN_VERSION.get((facts.os, "")) or DEFAULT_MIN_VERSION.get(
        (facts.os, machine)
    )
    return Target(
        facts,
        arch_by_machine(machine),
        sdk=sdk,
        api_level=DEFAULT_ANDROID_API if facts.os == "android" else None,
        min_version=min_version,
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
_ANDROID_ABIS = "|".join(a.android_abi for a in ARCHES if a.android_abi)
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


_arch_by_name = arch_by_name


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
