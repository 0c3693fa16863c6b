"""targets: every family Python ships wheels for, and every name of each resolves the same."""

from __future__ import annotations

import pytest

from crosswheel.errors import CrosswheelError
from crosswheel.target.names import FAMILY_NAMES, KNOWN_TARGETS, resolve_target

# Each row: canonical triplet, then every other name of the same target (triplet forms,
# wheel platform tags, sysconfig.get_platform() strings), then facts the later stages use.
NAMES: dict[str, list[str]] = {
    "aarch64-linux-gnu": [
        "aarch64-unknown-linux-gnu",
        "arm64-linux-gnu",
        "linux_aarch64",
        "linux-aarch64",
        "manylinux_2_17_aarch64",
        "manylinux2014_aarch64",
    ],
    "arm-linux-gnueabihf": [
        "armv7l-linux-gnueabihf",
        "armv7-unknown-linux-gnueabihf",
        "linux_armv7l",
        "linux-armv7l",
        "manylinux_2_31_armv7l",
    ],
    "i686-linux-gnu": ["i386-linux-gnu", "linux_i686", "linux-i686", "manylinux1_i686"],
    "powerpc64le-linux-gnu": ["ppc64le-linux-gnu", "linux_ppc64le", "manylinux_2_28_ppc64le"],
    "riscv64-linux-gnu": ["riscv64gc-unknown-linux-gnu".replace("gc", ""), "linux_riscv64"],
    "s390x-linux-gnu": ["s390x-unknown-linux-gnu", "linux_s390x", "linux-s390x"],
    "x86_64-linux-gnu": ["x86_64-pc-linux-gnu", "linux_x86_64", "manylinux2010_x86_64"],
    "loongarch64-linux-gnu": ["linux_loongarch64", "manylinux_2_36_loongarch64"],
    "aarch64-linux-musl": ["aarch64-unknown-linux-musl", "musllinux_1_2_aarch64"],
    "arm-linux-musleabihf": ["armv7l-linux-musleabihf", "musllinux_1_2_armv7l"],
    "i686-linux-musl": ["musllinux_1_1_i686", "i386-linux-musl"],
    "powerpc64le-linux-musl": ["musllinux_1_2_ppc64le"],
    "riscv64-linux-musl": ["musllinux_1_2_riscv64"],
    "s390x-linux-musl": ["musllinux_1_2_s390x"],
    "x86_64-linux-musl": ["x86_64-unknown-linux-musl", "musllinux_1_2_x86_64"],
    "loongarch64-linux-musl": ["musllinux_1_2_loongarch64"],
    "aarch64-linux-android": [
        "aarch64-linux-android24",
        "android_24_arm64_v8a",
        "android-24-arm64_v8a",
        "aarch64-unknown-linux-android",
    ],
    "armv7a-linux-androideabi": [
        "armv7a-linux-androideabi24",
        "android_24_armeabi_v7a",
        "android-24-armeabi_v7a",
    ],
    "i686-linux-android": ["i686-linux-android24", "android_24_x86", "android-24-x86"],
    "x86_64-linux-android": ["x86_64-linux-android24", "android_24_x86_64"],
    "arm64-apple-ios": [
        "arm64-apple-ios13.0",
        "aarch64-apple-ios",
        "ios_13_0_arm64_iphoneos",
        "ios-13.0-arm64-iphoneos",
    ],
    "arm64-apple-ios-simulator": [
        "arm64-apple-ios13.0-simulator",
        "ios_13_0_arm64_iphonesimulator",
        "ios-13.0-arm64-iphonesimulator",
    ],
    "x86_64-apple-ios-simulator": [
        "x86_64-apple-ios13.0-simulator",
        "ios_13_0_x86_64_iphonesimulator",
    ],
    "arm64-apple-darwin": [
        "aarch64-apple-darwin",
        "macosx_11_0_arm64",
        "macosx-11.0-arm64",
        "arm64-apple-macos11.0",
    ],
    "x86_64-apple-darwin": ["macosx_10_13_x86_64", "macosx-10.13-x86_64"],
    "x86_64-pc-windows-msvc": ["x86_64-w64-mingw32", "win_amd64", "win-amd64", "amd64-windows"],
    "aarch64-pc-windows-msvc": ["aarch64-w64-mingw32", "win_arm64", "win-arm64"],
    "i686-pc-windows-msvc": ["i686-w64-mingw32", "win32"],
    "wasm32-unknown-emscripten": [
        "wasm32-emscripten",
        "pyemscripten_2026_0_wasm32",
        "pyodide_2024_0_wasm32",
        "emscripten-3.1.58-wasm32",
    ],
    "wasm32-unknown-wasi": ["wasm32-wasi", "wasm32-wasip1", "wasi-0.0.0-wasm32"],
}

# triplet: sys.platform, _multiarch, binary format, bits, byte order, links libpython,
# default platform tag, EXT_SUFFIX for CPython 3.13
FACTS: dict[str, tuple[str, str, str, int, str, bool, str, str]] = {
    "aarch64-linux-gnu": (
        "linux",
        "aarch64-linux-gnu",
        "elf",
        64,
        "little",
        False,
        "linux_aarch64",
        ".cpython-313-aarch64-linux-gnu.so",
    ),
    "arm-linux-gnueabihf": (
        "linux",
        "arm-linux-gnueabihf",
        "elf",
        32,
        "little",
        False,
        "linux_armv7l",
        ".cpython-313-arm-linux-gnueabihf.so",
    ),
    "i686-linux-gnu": (
        "linux",
        "i386-linux-gnu",
        "elf",
        32,
        "little",
        False,
        "linux_i686",
        ".cpython-313-i386-linux-gnu.so",
    ),
    "s390x-linux-gnu": (
        "linux",
        "s390x-linux-gnu",
        "elf",
        64,
        "big",
        False,
        "linux_s390x",
        ".cpython-313-s390x-linux-gnu.so",
    ),
    "aarch64-linux-musl": (
        "linux",
        "aarch64-linux-musl",
        "elf",
        64,
        "little",
        False,
        "musllinux_1_2_aarch64",
        ".cpython-313-aarch64-linux-musl.so",
    ),
    "aarch64-linux-android": (
        "android",
        "aarch64-linux-android",
        "elf",
        64,
        "little",
        True,
        "android_24_arm64_v8a",
        ".cpython-313-aarch64-linux-android.so",
    ),
    "armv7a-linux-androideabi": (
        "android",
        "arm-linux-androideabi",
        "elf",
        32,
        "little",
        True,
        "android_24_armeabi_v7a",
        ".cpython-313-arm-linux-androideabi.so",
    ),
    "arm64-apple-ios": (
        "ios",
        "arm64-iphoneos",
        "macho",
        64,
        "little",
        True,
        "ios_13_0_arm64_iphoneos",
        ".cpython-313-iphoneos.so",
    ),
    "x86_64-apple-ios-simulator": (
        "ios",
        "x86_64-iphonesimulator",
        "macho",
        64,
        "little",
        True,
        "ios_13_0_x86_64_iphonesimulator",
        ".cpython-313-iphonesimulator.so",
    ),
    "arm64-apple-darwin": (
        "darwin",
        "darwin",
        "macho",
        64,
        "little",
        False,
        "macosx_11_0_arm64",
        ".cpython-313-darwin.so",
    ),
    "x86_64-pc-windows-msvc": (
        "win32",
        "",
        "pe",
        64,
        "little",
        True,
        "win_amd64",
        ".cp313-win_amd64.pyd",
    ),
    "i686-pc-windows-msvc": ("win32", "", "pe", 32, "little", True, "win32", ".cp313-win32.pyd"),
    "wasm32-unknown-emscripten": (
        "emscripten",
        "wasm32-emscripten",
        "wasm",
        32,
        "little",
        False,
        "pyemscripten_2026_0_wasm32",
        ".cpython-313-wasm32-emscripten.so",
    ),
}


def _base(name: str) -> tuple[str, str, int | None, str | None, str | None]:
    t = resolve_target(name)
    return (t.triplet, t.family, t.api_level, t.min_version, t.sdk)


@pytest.mark.parametrize(
    ("canonical", "alias"), [(c, a) for c, names in NAMES.items() for a in names]
)
def test_every_name_resolves_to_the_same_target(canonical: str, alias: str) -> None:
    assert _base(alias) == _base(canonical)
    assert _base(alias.upper()) == _base(canonical)


def test_table_covers_every_known_target() -> None:
    assert {t.triplet for t in KNOWN_TARGETS} == set(NAMES)
    assert {t.family for t in KNOWN_TARGETS} == set(FAMILY_NAMES)
    assert len({t.triplet for t in KNOWN_TARGETS}) == len(KNOWN_TARGETS)


@pytest.mark.parametrize("target", KNOWN_TARGETS, ids=lambda t: t.triplet)
def test_own_names_round_trip(target: object) -> None:
    from crosswheel.target.names import Target

    assert isinstance(target, Target)
    assert resolve_target(target.triplet) == target
    assert resolve_target(target.wheel_platform).triplet == target.triplet
    if target.libc != "musl":  # linux-aarch64 means glibc; musl shares get_platform()
        assert resolve_target(target.platform).triplet == target.triplet


@pytest.mark.parametrize("triplet", sorted(FACTS))
def test_facts(triplet: str) -> None:
    t = resolve_target(triplet)
    platform, multiarch, fmt, bits, order, links, tag, suffix = FACTS[triplet]
    assert (t.sys_platform, t.multiarch, t.binary_format) == (platform, multiarch, fmt)
    assert (t.arch.bits, t.arch.byteorder, t.pointer_size) == (bits, order, bits // 8)
    assert t.links_libpython is links
    assert t.wheel_platform == tag
    assert t.ext_suffix((3, 13)) == suffix


def test_policy_tags_are_kept_as_requested() -> None:
    assert resolve_target("manylinux2014_aarch64").requested_tag == "manylinux_2_17_aarch64"
    assert resolve_target("musllinux_1_1_x86_64").requested_tag == "musllinux_1_1_x86_64"
    assert resolve_target("aarch64-linux-gnu").requested_tag is None


def test_android_api_level_from_name_or_setting() -> None:
    assert resolve_target("aarch64-linux-android").api_level == 24
    assert resolve_target("aarch64-linux-android21").wheel_platform == "android_21_arm64_v8a"
    assert resolve_target("android_30_x86_64").platform == "android-30-x86_64"
    t = resolve_target("aarch64-linux-android", api_level="26")
    assert t.wheel_platform == "android_26_arm64_v8a"
    assert resolve_target("aarch64-linux-android26", api_level="26").api_level == 26
    assert t.sys_platform == "android" and t.uname_sysname == "Linux"
    assert t.platform_system == "Android"


def test_ios_and_macos_versions() -> None:
    assert resolve_target("arm64-apple-ios", min_version="15").wheel_platform == (
        "ios_15_0_arm64_iphoneos"
    )
    assert resolve_target("arm64-apple-ios16.4-simulator").platform == (
        "ios-16.4-arm64-iphonesimulator"
    )
    assert resolve_target("macosx_14_0_arm64").min_version == "14.0"
    assert resolve_target("x86_64-apple-darwin", min_version="10.15").wheel_platform == (
        "macosx_10_15_x86_64"
    )


@pytest.mark.parametrize(
    ("name", "settings", "message"),
    [
        ("aarch64-linux-android24", {"api_level": "30"}, "says API level 24"),
        # every name that carries a version is held to it (these two were once overridden)
        ("armv7a-linux-androideabi24", {"api_level": "30"}, "says API level 24"),
        ("ios_13_0_arm64_iphoneos", {"min_version": "14.0"}, "says 13.0"),
        ("aarch64-linux-gnu", {"api_level": "24"}, "Android targets only"),
        ("aarch64-linux-android", {"api_level": "twenty"}, "must be a number"),
        ("arm64-apple-ios14.0", {"min_version": "15.0"}, "says 14.0"),
        ("win_amd64", {"min_version": "11.0"}, "iOS and macOS targets only"),
        ("arm64-apple-ios", {"min_version": "fifteen"}, "not a version"),
        ("sparc64-linux-gnu", {}, "unknown target"),
        ("aarch64-linux-gnux", {}, "did you mean"),
        ("manylinux_2_17_sparc", {}, "unknown target"),
    ],
)
def test_mistakes_are_explained(name: str, settings: dict[str, str], message: str) -> None:
    with pytest.raises(CrosswheelError, match=message):
        resolve_target(name, **settings)
