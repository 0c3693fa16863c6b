"""tags: platform tags computed from real cross-built binaries, cross-checked with auditwheel.

Binaries come from Debian's cross gcc (glibc 2.36) and from ``zig cc`` (pinned
glibc 2.17, musl). ``auditwheel show`` on the same wheel must agree on every
glibc tag: our policy data is auditwheel's, our reading of the ELF files is ours.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

import helpers
from conftest import require
from crosswheel.errors import CrosswheelError
from crosswheel.target.names import resolve_target
from crosswheel.target.policies import manylinux_policies, musllinux_policies
from crosswheel.wheel.binaries import Binary, describe_binary_bytes
from crosswheel.wheel.tags import (
    check_requested_tag,
    declared_limited_api,
    linux_tag,
    loader_problems,
    stable_abi_interpreter,
)

C_SOURCE = r"""
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
int demo(char *buf, unsigned long n, double x) {
    return snprintf(buf, n, "%g %s", cbrt(x), getenv("HOME"));
}
"""
NEW_GLIBC_SOURCE = C_SOURCE + "unsigned demo_random(void) { return arc4random(); }\n"
CXX_SOURCE = r"""
#include <string>
#include <vector>
extern "C" int demo2(int n) { std::vector<std::string> v(n, "x"); return (int)v.size(); }
"""
ZIG = [sys.executable, "-m", "ziglang", "cc"]


def _zig_available() -> bool:
    try:
        import ziglang  # noqa: F401
    except ImportError:
        return False
    return True


Compile = Callable[..., Path]


@pytest.fixture(scope="session")
def compile_so(tmp_path_factory: pytest.TempPathFactory) -> Compile:
    """Compile a shared library with a real cross compiler (skips when it is missing)."""
    folder = tmp_path_factory.mktemp("binaries")
    made: dict[tuple[str, ...], Path] = {}

    def compile_(compiler: list[str], source: str, suffix: str, *flags: str) -> Path:
        key = (*compiler, source, *flags)
        if key in made:
            return made[key]
        if compiler[0] == sys.executable:
            require(_zig_available(), "ziglang is not installed (pip install ziglang)")
        else:
            require(shutil.which(compiler[0]) is not None, f"{compiler[0]} not found")
        src = folder / f"src{len(made)}{suffix}"
        src.write_text(source)
        out = folder / f"lib{len(made)}.so"
        cmd = [*compiler, "-shared", "-fPIC", "-o", str(out), str(src), *flags]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
        made[key] = out
        return out

    return compile_


def make_wheel(path: Path, members: dict[str, bytes]) -> Path:
    """A minimal platform wheel that auditwheel can walk."""
    return helpers.make_wheel(path, members, "cp311-cp311-linux_x")


def facts_of(members: dict[str, bytes]) -> list[Binary]:
    found = [describe_binary_bytes(n, d) for n, d in members.items()]
    return [b for b in found if b is not None and b.is_elf]


# target, compiler argv, source, suffix, extra flags, expected tag
GLIBC_CASES = [
    (
        "aarch64-linux-gnu",
        ["aarch64-linux-gnu-gcc"],
        C_SOURCE,
        ".c",
        ["-lm"],
        "manylinux_2_17_aarch64",
    ),
    (
        "aarch64-linux-gnu",
        ["aarch64-linux-gnu-gcc"],
        NEW_GLIBC_SOURCE,
        ".c",
        ["-lm"],
        "manylinux_2_36_aarch64",
    ),
    (
        "aarch64-linux-gnu",
        [*ZIG, "-target", "aarch64-linux-gnu.2.17"],
        C_SOURCE,
        ".c",
        ["-lm"],
        "manylinux_2_17_aarch64",
    ),
    (
        "x86_64-linux-gnu",
        [*ZIG, "-target", "x86_64-linux-gnu.2.17"],
        C_SOURCE,
        ".c",
        ["-lm"],
        "manylinux_2_17_x86_64",
    ),
    ("arm-linux-gnueabihf", ["arm-linux-gnueabihf-gcc"], C_SOURCE, ".c", ["-lm"], None),
    ("s390x-linux-gnu", ["s390x-linux-gnu-g++"], CXX_SOURCE, ".cpp", [], None),
    ("i686-linux-gnu", ["i686-linux-gnu-gcc"], NEW_GLIBC_SOURCE, ".c", ["-lm"], None),
    ("powerpc64le-linux-gnu", ["powerpc64le-linux-gnu-g++"], CXX_SOURCE, ".cpp", [], None),
]


@pytest.mark.parametrize(
    ("triplet", "compiler", "source", "suffix", "flags", "expected"),
    GLIBC_CASES,
    ids=[f"{c[0]}-{Path(c[1][-1]).name}-{i}" for i, c in enumerate(GLIBC_CASES)],
)
def test_manylinux_tag_agrees_with_auditwheel(
    compile_so: Compile,
    tmp_path: Path,
    triplet: str,
    compiler: list[str],
    source: str,
    suffix: str,
    flags: list[str],
    expected: str | None,
) -> None:
    target = resolve_target(triplet)
    so = compile_so(compiler, source, suffix, *flags)
    members = {"demo/_ext.cpython-311-x.so": so.read_bytes()}
    decision = linux_tag(target, facts_of(members))
    if expected is not None:
        assert decision.platform == expected
    assert decision.platform.startswith("manylinux_")
    wheel = make_wheel(tmp_path / "demo-1.0-cp311-cp311-linux_x.whl", members)
    assert decision.platform == helpers.auditwheel_tag(wheel)
    check_requested_tag(decision.platform, target, facts_of(members))


def test_new_symbols_refuse_an_old_requested_tag(compile_so: Compile) -> None:
    so = compile_so(["aarch64-linux-gnu-gcc"], NEW_GLIBC_SOURCE, ".c", "-lm")
    binaries = facts_of({"demo/_ext.so": so.read_bytes()})
    target = resolve_target("aarch64-linux-gnu")
    with pytest.raises(CrosswheelError, match=r"GLIBC_2\.36 \(needed by _ext\.so\)"):
        check_requested_tag("manylinux2014_aarch64", target, binaries)
    check_requested_tag("manylinux_2_39_aarch64", target, binaries)  # newer is fine
    # The computed tag says why the next more compatible policy does not fit.
    decision = linux_tag(target, binaries)
    assert decision.platform == "manylinux_2_36_aarch64"
    assert decision.reasons == ("GLIBC_2.36 (needed by _ext.so)",)
    with pytest.raises(CrosswheelError, match="does not match"):
        check_requested_tag("manylinux_2_39_x86_64", target, binaries)
    with pytest.raises(CrosswheelError, match="does not match"):
        check_requested_tag("musllinux_1_2_aarch64", target, binaries)


def test_unlisted_library_falls_back_to_linux_and_says_why(
    compile_so: Compile, tmp_path: Path
) -> None:
    bogus = compile_so(
        ["aarch64-linux-gnu-gcc"],
        "int bogus(void) { return 1; }\n",
        ".c",
        "-Wl,-soname,libbogus.so.1",
    )
    (tmp_path / "libbogus.so").symlink_to(bogus)
    ext = compile_so(
        ["aarch64-linux-gnu-gcc"],
        "int bogus(void); int demo(void) { return bogus(); }\n",
        ".c",
        f"-L{tmp_path}",
        "-lbogus",
    )
    members = {"demo/_ext.cpython-311-x.so": ext.read_bytes()}
    decision = linux_tag(resolve_target("aarch64-linux-gnu"), facts_of(members))
    assert decision.platform == "linux_aarch64"
    assert any("libbogus.so.1" in reason for reason in decision.reasons)
    # Shipping the library inside the wheel makes it fine again (auditwheel repair's result).
    shipped = {**members, "demo.libs/libbogus.so.1": bogus.read_bytes()}
    assert linux_tag(resolve_target("aarch64-linux-gnu"), facts_of(shipped)).platform == (
        "manylinux_2_17_aarch64"
    )
    wheel = make_wheel(tmp_path / "demo-1.0-cp311-cp311-linux_x.whl", members)
    assert helpers.auditwheel_tag(wheel) == "linux_aarch64"


@pytest.mark.parametrize("arch", ["aarch64", "x86_64", "s390x"])
def test_musl_binaries_get_musllinux(compile_so: Compile, arch: str) -> None:
    so = compile_so([*ZIG, "-target", f"{arch}-linux-musl"], C_SOURCE, ".c")
    binaries = facts_of({"demo/_ext.so": so.read_bytes()})
    assert "libc.so" in binaries[0].needed
    assert not binaries[0].version_needs  # musl has no symbol versions
    decision = linux_tag(resolve_target(f"{arch}-linux-musl"), binaries)
    assert decision.platform == f"musllinux_1_1_{arch}"
    check_requested_tag(f"musllinux_1_2_{arch}", resolve_target(f"{arch}-linux-musl"), binaries)


def test_policy_data_is_auditwheels() -> None:
    """The policies read from auditwheel's JSON: most compatible first, each field as listed."""
    import auditwheel

    folder = Path(auditwheel.__file__).parent / "policy"
    for policies, name in (
        (manylinux_policies(), "manylinux"),
        (musllinux_policies(), "musllinux"),
    ):
        data = json.loads((folder / f"{name}-policy.json").read_text())
        theirs = {p["name"]: p for p in data if p["name"] != "linux"}
        assert [p.name for p in policies] == sorted(theirs, key=lambda n: -theirs[n]["priority"])
        for policy in policies:
            their = theirs[policy.name]
            assert policy.aliases == tuple(their["aliases"])
            assert policy.libraries == frozenset(their["lib_whitelist"])
            assert policy.arches == frozenset(their["symbol_versions"])
            assert {k: set(v) for k, v in policy.blacklist.items()} == {
                k: set(v) for k, v in their["blacklist"].items()
            }
            for arch, namespaces in their["symbol_versions"].items():
                assert {n: set(v) for n, v in policy.symbol_versions[arch].items()} == {
                    n: set(v) for n, v in namespaces.items()
                }


ANDROID_EXT = "int PyLong_FromLong(long); int demo(void) { return PyLong_FromLong(1); }\n"


@pytest.fixture
def android_libpython(compile_so: Compile, tmp_path: Path) -> Path:
    """A stand-in libpython3.13.so for aarch64, linked like the NDK links an extension."""
    stub = compile_so(
        ["aarch64-linux-gnu-gcc"],
        "int PyLong_FromLong(long x) { return (int)x; }\n",
        ".c",
        "-nostdlib",
        "-Wl,-soname,libpython3.13.so",
    )
    (tmp_path / "libpython3.13.so").symlink_to(stub)
    return tmp_path


def test_android_extension_that_follows_the_rules(
    compile_so: Compile, android_libpython: Path
) -> None:
    so = compile_so(
        ["aarch64-linux-gnu-gcc"],
        ANDROID_EXT,
        ".c",
        "-nostdlib",
        f"-L{android_libpython}",
        "-lpython3.13",
        "-Wl,-z,max-page-size=16384",
    )
    binaries = facts_of({"demo/_ext.cpython-313-aarch64-linux-android.so": so.read_bytes()})
    assert loader_problems(resolve_target("aarch64-linux-android24"), binaries) == ([], [])


def test_loader_problems_are_named(compile_so: Compile, android_libpython: Path) -> None:
    target = resolve_target("android_24_arm64_v8a")
    small_pages = compile_so(
        ["aarch64-linux-gnu-gcc"],
        ANDROID_EXT,
        ".c",
        "-nostdlib",
        f"-L{android_libpython}",
        "-lpython3.13",
        "-Wl,-z,max-page-size=4096",
    )
    errors, pages = loader_problems(target, facts_of({"demo/_a.so": small_pages.read_bytes()}))
    assert errors == []
    assert len(pages) == 1 and "aligned to 4096 bytes" in pages[0]
    glibc = compile_so(["aarch64-linux-gnu-gcc"], C_SOURCE, ".c", "-lm")
    errors, _ = loader_problems(target, facts_of({"demo/_b.so": glibc.read_bytes()}))
    assert any("links glibc" in e and "libc.so.6" in e for e in errors)
    assert any("does not link libpython3.X.so" in e for e in errors)


def test_stable_abi_needs_every_extension_abi3(tmp_path: Path) -> None:
    both = ["pkg/_a.abi3.so", "pkg/_b.abi3.so", "pkg/__init__.py"]
    assert stable_abi_interpreter(both, [(3, 10), (3, 9)]) == "cp39"
    assert (
        stable_abi_interpreter([*both, "pkg/_c.cpython-311-x86_64-linux-gnu.so"], [(3, 9)]) is None
    )
    assert stable_abi_interpreter(["pkg/__init__.py"], [(3, 9)]) is None
    assert stable_abi_interpreter([*both, "pkg.libs/libfoo.so.1"], [(3, 8)]) == "cp38"
    (tmp_path / "setup.py").write_text(
        "Extension('a', define_macros=[('Py_LIMITED_API', '0x030A0000')], py_limited_api=True)\n"
    )
    (tmp_path / "setup.cfg").write_text("[bdist_wheel]\npy_limited_api = cp39\n")
    assert declared_limited_api(tmp_path) == [(3, 9), (3, 10)]
