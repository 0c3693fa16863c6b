"""One row of facts per target family: everything that differs by family is here.

A row says what CPython on that family reports (``sys.platform``, the
``sysconfig.get_platform()`` form, the extension suffix form), what its binaries
are, how each build tool names it (Meson, CMake, Rust, zig), what toolchain and
target interpreter it needs (and the hint when they are missing), how target code
runs on this machine, and which tag policy and repair apply.

Templates are ``str.format`` strings over a target's names (see
``names.Target.names``): ``{machine}``, ``{gnu_cpu}``, ``{apple_cpu}``,
``{android_abi}``, ``{windows_tag}``, ``{api_level}``, ``{min_version}``, ``{sdk}``,
``{sim}``, ``{multiarch}``, ``{nodot}``, ``{wheel_platform}``, ``{zig_cpu}``,
``{rust_cpu}``, ``{gnu_abi}``, ``{musl_abi}``, ``{emscripten_version}``, ``{pyodide_eh}``.

To add a family: add its row to ``FAMILIES``. Give it a module of its own only
for real logic (Android's page-size rule, Pyodide's ABI table and runtime).
"""

from __future__ import annotations

from dataclasses import dataclass

from crosswheel.target.arches import ARCHES


@dataclass(frozen=True)
class Family:
    """Everything about a target family that the stages need and cannot ask the build machine."""

    key: str
    """The row's name: ``glibc``, ``musl``, ``android``, ``ios``, ``macos``, ``windows``..."""
    os: str
    """``Target.family``: the OS (``linux`` for both Linux rows)."""
    libc: str
    variants: tuple[tuple[str, str], ...]
    """(``Arch.machine``, SDK) pairs this family has targets for (SDK '' but on iOS)."""
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
    """The module under ``crosswheel.target`` with the family's own logic, '' for none.
    A ``read_target_python(folder, target, version)`` there reads target-python folders."""
    cmake_toolchain: str = ""
    """The platform's own CMake toolchain file, relative to the real folder of the
    family's compiler (emscripten's ``cmake/Modules/Platform/Emscripten.cmake``): the
    CMake toolchain file crosswheel writes includes it first. '' for none."""
    zig_implib: bool = False
    """zig writes an import library (and a ``.pdb``) beside every DLL it links: its
    commands go through ``zigwrap``, which sends them elsewhere (not into the wheel)."""


_LINUX_ARCHES = tuple((arch.machine, "") for arch in ARCHES)
_PYTHON_FROM = "python.org's {what}, or the one cibuildwheel/BeeWare build"

FAMILIES: dict[str, Family] = {
    row.key: row
    for row in (
        Family(
            key="glibc", os="linux", libc="glibc", variants=_LINUX_ARCHES,
            triplet="{gnu_cpu}-linux-{gnu_abi}", multiarch="{multiarch_cpu}-linux-{gnu_abi}",
            sys_platform="linux", uname_sysname="Linux", platform_system="Linux",
            tag_arch="{machine}", uname_machine="{machine}", platform="linux-{machine}",
            wheel_platform="", binary_format="elf", links_libpython=False,
            ext_suffix=".cpython-{nodot}-{multiarch}.so", stable_abi_suffix=".abi3.so",
            shlib_suffix=".so", meson_system="linux", meson_subsystem="",
            cmake_system_name="Linux", rust_triple="{rust_cpu}-unknown-linux-{gnu_abi}",
            zig_target="{zig_cpu}-linux-{gnu_abi}{glibc_pin}", compiler="",
            compiler_hint="on Debian/Ubuntu: apt-get install gcc-{debian_triplet} "
            "g++-{debian_triplet}; or pass -C toolchain=PREFIX "
            "(e.g. /opt/cross/bin/aarch64-linux-gnu-), or set CC",
            interpreter_hint="", runner="qemu-user", tag_policy="manylinux",
        ),
        Family(
            key="musl", os="linux", libc="musl", variants=_LINUX_ARCHES,
            triplet="{gnu_cpu}-linux-{musl_abi}", multiarch="{multiarch_cpu}-linux-{musl_abi}",
            sys_platform="linux", uname_sysname="Linux", platform_system="Linux",
            tag_arch="{machine}", uname_machine="{machine}", platform="linux-{machine}",
            wheel_platform="musllinux_1_2_{machine}", binary_format="elf",
            links_libpython=False, ext_suffix=".cpython-{nodot}-{multiarch}.so",
            stable_abi_suffix=".abi3.so", shlib_suffix=".so", meson_system="linux",
            meson_subsystem="", cmake_system_name="Linux",
            rust_triple="{rust_cpu}-unknown-linux-{musl_abi}",
            zig_target="{zig_cpu}-linux-{musl_abi}", compiler="",
            compiler_hint="pass -C toolchain=zig (zig cc builds for musl; crosswheel installs "
            "it), or a musl cross toolchain with -C toolchain=/path/to/bin/{triplet}-",
            interpreter_hint="a musl CPython {v}: an Alpine sysroot for {machine} (Alpine's "
            "minirootfs with python3-dev installed, e.g. apk --root ROOT --arch {machine} add "
            "python3-dev)",
            runner="qemu-user", tag_policy="musllinux",
        ),
        Family(
            key="android", os="android", libc="bionic",
            variants=(("aarch64", ""), ("armv7l", ""), ("i686", ""), ("x86_64", "")),
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
        ),
        Family(
            key="ios", os="ios", libc="darwin",
            variants=(
                ("aarch64", "iphoneos"), ("aarch64", "iphonesimulator"),
                ("x86_64", "iphonesimulator"),
            ),
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
        ),
        Family(
            key="macos", os="macos", libc="darwin",
            variants=(("aarch64", ""), ("x86_64", "")),
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
        ),
        Family(
            key="windows", os="windows", libc="msvc",
            variants=(("x86_64", ""), ("aarch64", ""), ("i686", "")),
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
        ),
        Family(
            key="emscripten", os="emscripten", libc="emscripten", variants=(("wasm32", ""),),
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
            # Side modules, as pyodide-build links them; lld 19 needs import-dynamic
            # for undefined data symbols and tags (stdout, __cpp_exception).
            compile_flags="-fPIC {pyodide_eh}",
            link_flags="-sSIDE_MODULE=1 -sWASM_BIGINT {pyodide_eh} "
            "-Wl,--unresolved-symbols=import-dynamic",
        ),
        Family(
            key="wasi", os="wasi", libc="wasi", variants=(("wasm32", ""),),
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
        ),
    )
}  # fmt: skip
"""Every family crosswheel knows, by row name."""

OS_NAMES = tuple(dict.fromkeys(row.os for row in FAMILIES.values()))
"""``Target.family`` values, in table order."""
