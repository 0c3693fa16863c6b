"""One row of facts per target family: everything that differs by family is here.

A row says what CPython on that family reports (``sys.platform``, the
``sysconfig.get_platform()`` form, the extension suffix form), how its targets are
named (exact aliases and patterns that carry versions), what its binaries are, how
each build tool names it (Meson, CMake, Rust, zig), what toolchain and target
interpreter it needs (and the hint when they are missing), how target code runs on
this machine, and which tag policy, C library and loader rules apply.

Templates are ``str.format`` strings over a target's names (see
``names.Target.names``): the arch's (``{machine}``, ``{gnu_cpu}``, ``{eabi}``,
``{multiarch_cpu}``, ``{zig_cpu}``, ``{rust_cpu}``), the row's own spellings of the
variant (``variants``), the chosen versions (``{api_level}``, ``{min_version}``,
``{sdk}``), the ABI's (``abis``) and ``{nodot}``, ``{multiarch}``, ``{wheel_platform}``.

To add a family: add its row to ``FAMILIES``. Give it a module of its own only
for real logic; the row's ``module`` names it and the stages reach it through
``family_hook``.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crosswheel.target.arches import ARCHES

Spellings = Mapping[tuple[str, str], Mapping[str, str]]
"""(``Arch.machine``, SDK) -> the family's own names for that variant (template names)."""


@dataclass(frozen=True)
class PyodideABI:
    """One ABI of a runtime that fixes CPython's minor version and the compiler version
    every side module must match (Pyodide: pyodide-lock.json of each npm release)."""

    python: tuple[int, int]
    pyodide_version: str
    """The npm ``pyodide`` package version that is the runtime."""
    python_patch: str
    """The exact CPython the runtime is (``3.13.2``)."""
    emscripten_version: str
    tag: str
    """The wheel platform tag (PEP 783's ``pyemscripten_*`` from 3.14)."""
    eh_flags: str = "-fwasm-exceptions -sSUPPORT_LONGJMP=wasm"
    """How the runtime does C++ exceptions and setjmp/longjmp (its own CFLAGS)."""

    def describe(self) -> str:
        """What the runtime wants of the compiler, for ``crosswheel targets``."""
        return f"Pyodide {self.pyodide_version} wants emscripten {self.emscripten_version}"

    def names(self) -> dict[str, str]:
        """Its values for the row's templates."""
        return {
            "emscripten_version": self.emscripten_version,
            "pyodide_tag": self.tag,
            "pyodide_eh": self.eh_flags,
        }


PYODIDE_ABIS: tuple[PyodideABI, ...] = (
    PyodideABI((3, 12), "0.27.7", "3.12.7", "3.1.58", "pyodide_2024_0_wasm32", "-fexceptions"),
    PyodideABI((3, 13), "0.29.3", "3.13.2", "4.0.9", "pyodide_2025_0_wasm32"),
    PyodideABI((3, 14), "314.0.8", "3.14.2", "5.0.3", "pyemscripten_2026_0_wasm32"),
)
"""Pyodide's known ABIs, oldest first."""


@dataclass(frozen=True)
class Family:
    """Everything about a target family that the stages need and cannot ask the build machine."""

    key: str
    """The row's name: ``glibc``, ``musl``, ``android``, ``ios``, ``macos``, ``windows``..."""
    title: str
    """How people write the family's name, for messages."""
    os: str
    """``Target.family``: the OS (``linux`` for both Linux rows)."""
    libc: str
    variants: Spellings
    """The (``Arch.machine``, SDK) pairs this family has targets for, with the row's own
    names for each (SDK '' but on iOS), in the order ``crosswheel targets`` lists them."""
    triplet: str
    """Canonical name template: also the usual cross-toolchain prefix."""
    multiarch: str
    """``sys.implementation._multiarch`` template ('' on Windows)."""
    sys_platform: str
    uname_sysname: str
    platform_system: str
    """``platform.system()`` (differs from the uname on Android and iOS)."""
    tag_arch: str
    """The platform tag's arch part (template)."""
    uname_machine: str
    """``platform.machine()`` on the target (template)."""
    platform: str
    """``sysconfig.get_platform()`` template."""
    wheel_platform: str
    """The wheel platform tag template ('' means: ``platform`` with ``-`` and ``.`` as ``_``)."""
    binary_format: str
    """What every binary in a wheel must be: ``elf``, ``macho``, ``pe`` or ``wasm``."""
    links_libpython: bool
    """Whether extension modules must link libpython (PEP 720, 730, 738)."""
    ext_suffix: str
    """``EXT_SUFFIX`` template."""
    stable_abi_suffix: str
    shlib_suffix: str
    """sysconfig's ``SHLIB_SUFFIX``."""
    meson_system: str
    meson_subsystem: str
    """Meson's ``kernel`` and ``subsystem`` come as ``kernel/subsystem`` ('' to leave out)."""
    cmake_system_name: str
    rust_triple: str
    """Rust's target triple template."""
    zig_target: str
    """zig's ``-target`` template ('' where zig cannot build for the family)."""
    compiler: str
    """The family's own C compiler (``ndk``, ``emcc``, ``wasi-sdk``) or '' for a GNU triplet."""
    compiler_hint: str
    """What the family's toolchain is and where it comes from, for when none is found."""
    interpreter_hint: str
    """What a target interpreter is for this family ('' when Debian's multiarch has it)."""
    runner: str
    """How target code runs here: ``qemu-user``, ``wine``, ``node``, or ''."""
    tag_policy: str
    """``manylinux`` or ``musllinux`` where a PEP 600/656 policy picks the tag, else ''."""
    has_fortran: bool = True
    """Whether the family's SDK has a Fortran compiler."""
    config_vars: tuple[tuple[str, str], ...] = (("ANDROID_API_LEVEL", "0"),)
    """sysconfig variables the family sets (templates). setuptools links libpython
    whenever ``_PYTHON_HOST_PLATFORM`` is set and ANDROID_API_LEVEL is not 0, missing
    included: only Android needs that (PEP 738)."""
    link_flags: str = ""
    """Flags every shared library of the family links with (template)."""
    compile_flags: str = ""
    """Flags every C and C++ file of the family compiles with (template)."""
    sys_functions: tuple[tuple[str, str], ...] = ()
    """``sys`` functions the family's CPython has, with the int each returns (template)."""
    module: str = ""
    """The module under ``crosswheel.target`` with the family's own logic, '' for none;
    see ``family_hook`` for what the stages look for there."""
    cmake_toolchain: str = ""
    """The platform's own CMake toolchain file, relative to the real folder of the
    family's compiler (emscripten's ``cmake/Modules/Platform/Emscripten.cmake``): the
    CMake toolchain file crosswheel writes includes it first. '' for none."""
    cmake_emulator: str = ""
    """How CMake runs a target program (``try_run``) where qemu-user does not: a command
    on PATH and its arguments ('' for none)."""
    zig_implib: bool = False
    """zig writes an import library (and a ``.pdb``) beside every DLL it links: its
    commands go through ``zigwrap``, which sends them elsewhere (not into the wheel)."""
    aliases: tuple[str, ...] = ()
    """More exact names of each target (templates; ``{cpu}``: each spelling of the arch),
    besides its triplet, ``platform`` and wheel platform."""
    name_patterns: tuple[str, ...] = ()
    """Names that carry a version or an ABI, as regular expressions. Groups: ``cpu`` (any
    spelling of the arch, or the triplet's first part), ``api``, ``ver`` or
    ``major``/``minor`` (deployment target), ``tag`` (a requested wheel platform tag,
    ``-`` and ``.`` read as ``_``), and any template name the target must have
    (``sdk``, ``sim``, ``tag_arch``)."""
    default_api_level: int = 0
    """The API level a target has unless named (0: the family has none)."""
    min_versions: Mapping[str, str] = field(default_factory=dict)
    """The default deployment target by ``Arch.machine`` (empty: the family has none)."""
    abis: tuple[PyodideABI, ...] = ()
    """ABIs of the family's runtime; a target builds for one (its tag's, or the build
    Python's, or the newest)."""
    machine_codes: Mapping[str, int] = field(default_factory=dict)
    """The binary format's CPU number by ``Arch.machine`` (PE ``Machine``, Mach-O
    ``cputype``); ELF files are checked against ``Arch.elf_machine``."""
    other_machines: Mapping[int, str] = field(default_factory=dict)
    """CPU numbers of the format that no target here has, by name, for messages."""
    page_size: int = 0
    """The LOAD segment alignment the family's loader (or store) demands, 0 for none."""
    page_size_setting: str = ""
    """The config setting that makes a ``page_size`` miss a warning instead of an error."""
    libc_names: str = ""
    """The sonames (and loaders) by which a binary links the row's C library (a regex)."""
    loaders: str = ""
    """The row's dynamic loaders (a regex): never bundled, never a reason against a tag."""


_LINUX_ARCHES: Spellings = {(arch.machine, ""): {} for arch in ARCHES}
_LINUX_ALIASES = (
    "{multiarch}",
    "{cpu}-linux-{abi}",
    "{cpu}-unknown-linux-{abi}",
    "{cpu}-pc-linux-{abi}",
)
_PYTHON_FROM = "python.org's {what}, or the one cibuildwheel/BeeWare build"
_ANDROID: Spellings = {
    (machine, ""): {
        "android_abi": abi,
        "android_triplet": triplet,
        "android_multiarch": multiarch,
        "android_rust": triplet.replace("armv7a", "armv7"),
    }
    for machine, abi, triplet, multiarch in (
        ("aarch64", "arm64_v8a", "aarch64-linux-android", "aarch64-linux-android"),
        ("armv7l", "armeabi_v7a", "armv7a-linux-androideabi", "arm-linux-androideabi"),
        ("i686", "x86", "i686-linux-android", "i686-linux-android"),
        ("x86_64", "x86_64", "x86_64-linux-android", "x86_64-linux-android"),
    )
}
_APPLE_CPU = {"aarch64": "arm64", "x86_64": "x86_64"}
_MACHO_CPUS = {"x86_64": 0x01000007, "aarch64": 0x0100000C}
_MACHO_OTHERS = {7: "i386", 12: "arm"}
_IOS: Spellings = {
    (machine, sdk): {
        "apple_cpu": _APPLE_CPU[machine],
        "sim": "-simulator" if sdk == "iphonesimulator" else "",
        "rust_sim": "-sim" if sdk == "iphonesimulator" and machine == "aarch64" else "",
    }
    for machine, sdk in (
        ("aarch64", "iphoneos"),
        ("aarch64", "iphonesimulator"),
        ("x86_64", "iphonesimulator"),
    )
}
_WINDOWS: Spellings = {
    (machine, ""): {
        "windows_tag": tag,
        "windows_machine": uname,
        "windows_platform": "win32" if tag == "win32" else f"win-{tag}",
        "windows_alias": "win-32" if tag == "win32" else "",
    }
    for machine, tag, uname in (
        ("x86_64", "amd64", "AMD64"),
        ("aarch64", "arm64", "ARM64"),
        ("i686", "win32", "x86"),
    )
}

FAMILIES: dict[str, Family] = {
    row.key: row
    for row in (
        Family(
            key="glibc", title="Linux", os="linux", libc="glibc", variants=_LINUX_ARCHES,
            triplet="{gnu_cpu}-linux-gnu{eabi}", multiarch="{multiarch_cpu}-linux-gnu{eabi}",
            sys_platform="linux", uname_sysname="Linux", platform_system="Linux",
            tag_arch="{machine}", uname_machine="{machine}", platform="linux-{machine}",
            wheel_platform="", binary_format="elf", links_libpython=False,
            ext_suffix=".cpython-{nodot}-{multiarch}.so", stable_abi_suffix=".abi3.so",
            shlib_suffix=".so", meson_system="linux", meson_subsystem="",
            cmake_system_name="Linux", rust_triple="{rust_cpu}-unknown-linux-gnu{eabi}",
            zig_target="{zig_cpu}-linux-gnu{eabi}{glibc_pin}", compiler="",
            compiler_hint="on Debian/Ubuntu: apt-get install gcc-{debian_triplet} "
            "g++-{debian_triplet}; or pass -C toolchain=PREFIX "
            "(e.g. /opt/cross/bin/aarch64-linux-gnu-), or set CC",
            interpreter_hint="", runner="qemu-user", tag_policy="manylinux",
            aliases=tuple(a.replace("{abi}", "gnu{eabi}") for a in _LINUX_ALIASES),
            libc_names=r"libc\.so\.6", loaders=r"ld-linux.*|ld64\.so\.[12]|ld\.so\.1",
        ),
        Family(
            key="musl", title="Linux (musl)", os="linux", libc="musl", variants=_LINUX_ARCHES,
            triplet="{gnu_cpu}-linux-musl{eabi}", multiarch="{multiarch_cpu}-linux-musl{eabi}",
            sys_platform="linux", uname_sysname="Linux", platform_system="Linux",
            tag_arch="{machine}", uname_machine="{machine}", platform="linux-{machine}",
            wheel_platform="musllinux_1_2_{machine}", binary_format="elf",
            links_libpython=False, ext_suffix=".cpython-{nodot}-{multiarch}.so",
            stable_abi_suffix=".abi3.so", shlib_suffix=".so", meson_system="linux",
            meson_subsystem="", cmake_system_name="Linux",
            rust_triple="{rust_cpu}-unknown-linux-musl{eabi}",
            zig_target="{zig_cpu}-linux-musl{eabi}", compiler="",
            compiler_hint="pass -C toolchain=zig (zig cc builds for musl; crosswheel installs "
            "it), or a musl cross toolchain with -C toolchain=/path/to/bin/{triplet}-",
            interpreter_hint="a musl CPython {v}: an Alpine sysroot for {machine} (Alpine's "
            "minirootfs with python3-dev installed, e.g. apk --root ROOT --arch {machine} add "
            "python3-dev)",
            runner="qemu-user", tag_policy="musllinux",
            aliases=tuple(a.replace("{abi}", "musl{eabi}") for a in _LINUX_ALIASES),
            # Alpine's libc is libc.musl-<arch>.so.1, its loader ld-musl-<arch>.so.1
            libc_names=r"libc\.so|libc\.musl-[a-z0-9_]+\.so\.1|ld-musl-.*",
            loaders=r"ld-musl-.*",
        ),
        Family(
            key="android", title="Android", os="android", libc="bionic", variants=_ANDROID,
            triplet="{android_triplet}", multiarch="{android_multiarch}",
            sys_platform="android", uname_sysname="Linux", platform_system="Android",
            tag_arch="{android_abi}", uname_machine="{machine}",
            platform="android-{api_level}-{android_abi}", wheel_platform="",
            binary_format="elf", links_libpython=True,
            ext_suffix=".cpython-{nodot}-{multiarch}.so", stable_abi_suffix=".abi3.so",
            shlib_suffix=".so", meson_system="android", meson_subsystem="linux/android",
            cmake_system_name="Android", rust_triple="{android_rust}", zig_target="",
            compiler="ndk",
            compiler_hint="install the Android NDK (r26 or newer, e.g. sdkmanager "
            "'ndk;27.2.12479018') and set ANDROID_NDK_HOME to it; or set CC to the NDK's "
            "{triplet}{api_level}-clang",
            interpreter_hint="the Android NDK (set ANDROID_NDK_HOME) and an Android CPython "
            "{v} for {tag_arch} (" + _PYTHON_FROM.format(what="Android release") + ")",
            runner="", tag_policy="", has_fortran=False,
            config_vars=(("ANDROID_API_LEVEL", "{api_level}"),),
            # Google Play wants 16 KB pages; the NDK before r28 links for 4 KB.
            link_flags="-Wl,-z,max-page-size=16384",
            sys_functions=(("getandroidapilevel", "{api_level}"),),
            module="android",
            # PEP 738: aarch64-linux-android24, android_24_arm64_v8a, android-24-arm64_v8a
            name_patterns=(
                r"^(?P<cpu>[a-z0-9_]+)-(?:unknown-)?linux-androideabi(?P<api>\d+)?$",
                r"^(?P<cpu>[a-z0-9_]+)-(?:unknown-)?linux-android(?P<api>\d+)?$",
                r"^android[_-](?P<api>\d+)[_-]"
                r"(?P<tag_arch>arm64[_-]v8a|armeabi[_-]v7a|x86_64|x86)$",
            ),
            default_api_level=24,  # CPython's minimum (PEP 738)
            page_size=16384,  # Google Play's rule from November 2025
            page_size_setting="android-page-size-check",
        ),
        Family(
            key="ios", title="iOS", os="ios", libc="darwin", variants=_IOS,
            triplet="{apple_cpu}-apple-ios{sim}", multiarch="{apple_cpu}-{sdk}",
            sys_platform="ios", uname_sysname="Darwin", platform_system="iOS",
            tag_arch="{apple_cpu}", uname_machine="{apple_cpu}",
            platform="ios-{min_version}-{apple_cpu}-{sdk}", wheel_platform="",
            binary_format="macho", links_libpython=True,
            ext_suffix=".cpython-{nodot}-{sdk}.so", stable_abi_suffix=".abi3.so",
            shlib_suffix=".dylib", meson_system="darwin", meson_subsystem="xnu/ios",
            cmake_system_name="iOS", rust_triple="{machine}-apple-ios{rust_sim}",
            zig_target="", compiler="xcode",
            compiler_hint="iOS targets need Xcode's clang and the iPhoneOS/iPhoneSimulator "
            "SDK (xcrun), which only run on macOS",
            interpreter_hint="an iOS CPython {v} framework for {tag_arch} (python.org's iOS "
            "release, or BeeWare's Python-Apple-support)",
            runner="", tag_policy="", has_fortran=False,
            # PEP 730: arm64-apple-ios13.0[-simulator], ios_13_0_arm64_iphoneos, ios-13.0-...
            name_patterns=(
                r"^(?P<cpu>[a-z0-9_]+)-apple-ios(?P<ver>\d+(?:\.\d+)*)?(?P<sim>-simulator)?$",
                r"^ios[_-](?P<major>\d+)[_.](?P<minor>\d+)[_-](?P<cpu>arm64|x86_64)[_-]"
                r"(?P<sdk>iphoneos|iphonesimulator)$",
            ),
            min_versions={"aarch64": "13.0", "x86_64": "13.0"},  # CPython's minimum (PEP 730)
            machine_codes=_MACHO_CPUS, other_machines=_MACHO_OTHERS,
        ),
        Family(
            key="macos", title="macOS", os="macos", libc="darwin",
            variants={(m, ""): {"apple_cpu": _APPLE_CPU[m]} for m in ("aarch64", "x86_64")},
            triplet="{apple_cpu}-apple-darwin", multiarch="darwin",
            sys_platform="darwin", uname_sysname="Darwin", platform_system="Darwin",
            tag_arch="{apple_cpu}", uname_machine="{apple_cpu}",
            platform="macosx-{min_version}-{apple_cpu}", wheel_platform="",
            binary_format="macho", links_libpython=False,
            ext_suffix=".cpython-{nodot}-darwin.so", stable_abi_suffix=".abi3.so",
            shlib_suffix=".so", meson_system="darwin", meson_subsystem="xnu/macos",
            cmake_system_name="Darwin", rust_triple="{machine}-apple-darwin",
            zig_target="{zig_cpu}-macos.{min_version}", compiler="xcode",
            compiler_hint="macOS targets need Apple's clang and the macOS SDK (xcrun); on "
            "Linux, -C toolchain=zig builds C code for macOS",
            interpreter_hint="a macOS CPython {v} (python.org's installer framework, copied "
            "here)",
            runner="", tag_policy="", has_fortran=False,
            # arm64-apple-darwin, arm64-apple-macos11.0, macosx_11_0_arm64, macosx-11.0-arm64
            name_patterns=(
                r"^(?P<cpu>[a-z0-9_]+)-apple-(?:darwin[\d.]*|macosx?(?P<ver>\d+(?:\.\d+)*)?)$",
                r"^macosx[_-](?P<major>\d+)[_.](?P<minor>\d+)[_-](?P<cpu>arm64|x86_64)$",
            ),
            # python.org installers' deployment targets
            min_versions={"aarch64": "11.0", "x86_64": "10.13"},
            machine_codes=_MACHO_CPUS, other_machines=_MACHO_OTHERS,
        ),
        Family(
            key="windows", title="Windows", os="windows", libc="msvc", variants=_WINDOWS,
            triplet="{machine}-pc-windows-msvc", multiarch="",
            sys_platform="win32", uname_sysname="Windows", platform_system="Windows",
            tag_arch="{windows_tag}", uname_machine="{windows_machine}",
            platform="{windows_platform}", wheel_platform="", binary_format="pe",
            links_libpython=True, ext_suffix=".cp{nodot}-{wheel_platform}.pyd",
            stable_abi_suffix=".pyd", shlib_suffix=".pyd", meson_system="windows",
            meson_subsystem="", cmake_system_name="Windows",
            rust_triple="{machine}-pc-windows-msvc", zig_target="{zig_cpu}-windows-gnu",
            compiler="zig",
            compiler_hint="Windows targets build with zig cc (UCRT, as CPython): pip install "
            "ziglang; or set CC to x86_64-w64-mingw32-gcc (apt-get install "
            "gcc-mingw-w64-x86-64), or clang-cl with an MSVC sysroot (xwin)",
            interpreter_hint="a Windows CPython {v} for {tag_arch}: an installed one's folder, "
            "or the NuGet python/pythonarm64/pythonx86 package's tools/ folder (python.exe, "
            "include/, libs/ or pythonXY.dll)",
            runner="wine", tag_policy="", has_fortran=False, module="windows",
            zig_implib=True,
            aliases=(
                "{cpu}-pc-windows-msvc", "{cpu}-w64-mingw32", "{cpu}-windows", "{windows_alias}",
            ),
            machine_codes={"x86_64": 0x8664, "aarch64": 0xAA64, "i686": 0x014C},
            other_machines={0x01C4: "arm"},
        ),
        Family(
            key="emscripten", title="Emscripten", os="emscripten", libc="emscripten",
            variants={("wasm32", ""): {}},
            triplet="wasm32-unknown-emscripten", multiarch="wasm32-emscripten",
            sys_platform="emscripten", uname_sysname="Emscripten",
            platform_system="Emscripten", tag_arch="wasm32", uname_machine="wasm32",
            platform="emscripten-{emscripten_version}-wasm32", wheel_platform="{pyodide_tag}",
            binary_format="wasm", links_libpython=False,
            ext_suffix=".cpython-{nodot}-{multiarch}.so", stable_abi_suffix=".abi3.so",
            shlib_suffix=".so", meson_system="emscripten", meson_subsystem="",
            cmake_system_name="Emscripten", rust_triple="wasm32-unknown-emscripten",
            zig_target="", compiler="emcc",
            compiler_hint="Emscripten targets need emcc (the emsdk of the target Pyodide's "
            "emscripten version on PATH, or set EMSDK; on Debian: apt-get install emscripten)",
            interpreter_hint="Pyodide's runtime for CPython {v} (npm install pyodide; "
            "crosswheel fetches it with npm) or its cross-build environment (xbuildenv)",
            runner="node", tag_policy="", has_fortran=False, module="pyodide",
            cmake_toolchain="cmake/Modules/Platform/Emscripten.cmake",
            # Old emscripten's JS glue fetch()es its .wasm when node has fetch: a path fails.
            cmake_emulator="node --no-experimental-fetch",
            # Side modules, as pyodide-build links them; lld 19 needs import-dynamic
            # for undefined data symbols and tags (stdout, __cpp_exception).
            compile_flags="-fPIC {pyodide_eh}",
            link_flags="-sSIDE_MODULE=1 -sWASM_BIGINT {pyodide_eh} "
            "-Wl,--unresolved-symbols=import-dynamic",
            aliases=("wasm32-emscripten", "wasm32-emscripten-unknown"),
            # Pyodide ABI tags name the platform and its version
            name_patterns=(
                r"^(?P<tag>(?:pyodide|pyemscripten)_\d+_\d+_wasm32"
                r"|emscripten_\d+_\d+_\d+_wasm32)$",
                r"^(?P<tag>emscripten-\d+\.\d+\.\d+-wasm32)$",
            ),
            abis=PYODIDE_ABIS,
        ),
        Family(
            key="wasi", title="WASI", os="wasi", libc="wasi", variants={("wasm32", ""): {}},
            triplet="wasm32-unknown-wasi", multiarch="wasm32-wasi", sys_platform="wasi",
            uname_sysname="wasi", platform_system="wasi", tag_arch="wasm32",
            uname_machine="wasm32", platform="wasi-0.0.0-wasm32", wheel_platform="",
            binary_format="wasm", links_libpython=False,
            ext_suffix=".cpython-{nodot}-{multiarch}.so", stable_abi_suffix=".abi3.so",
            shlib_suffix=".so", meson_system="wasi", meson_subsystem="",
            cmake_system_name="WASI", rust_triple="wasm32-wasip1", zig_target="wasm32-wasi",
            compiler="wasi-sdk",
            compiler_hint="WASI targets need the WASI SDK's clang (set WASI_SDK_PATH); note "
            "that CPython on WASI cannot load extension modules dynamically",
            interpreter_hint="a CPython {v} built for WASI (its cross-build prefix)",
            runner="", tag_policy="", has_fortran=False,
            aliases=(
                "wasm32-wasi", "wasm32-wasi-unknown", "wasm32-wasip1", "wasm32-unknown-wasip1",
                "wasm32-wasi-threads",
            ),
        ),
    )
}  # fmt: skip
"""Every family crosswheel knows, by row name."""

OS_NAMES = tuple(dict.fromkeys(row.os for row in FAMILIES.values()))
"""``Target.family`` values, in table order."""


def family_hook(row: Family, name: str) -> Any:
    """``name`` from the family's own module (``Family.module``), or None.

    What the stages look for there: ``read_target_python(path, target, version)``
    (reads ``target-python``, None to leave it to the generic readers),
    ``find_compiler(target, environ)`` and ``compiler_setup(target, cc, cxx, environ)``
    (the family's own compiler), ``doctor_lines(build)``, ``extension_problem(binary,
    suffix, bundled)`` and ``wheel_warnings(binaries)`` (rules for its binaries).
    The module is imported only when asked: most builds never need it.
    """
    if not row.module:
        return None
    return getattr(importlib.import_module(f"crosswheel.target.{row.module}"), name, None)
