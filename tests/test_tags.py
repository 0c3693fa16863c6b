"""tags: platform tags computed from real cross-built binaries, cross-checked with auditwheel.

The binaries are committed fixtures (``fixtures/make_fixtures.py`` made them from
``fixtures/src``) by Debian's cross gcc (glibc 2.36) and by ``zig cc`` (pinned glibc
2.17, musl), so these tests need no compiler. ``auditwheel show`` on the same wheel
must agree on every glibc tag: our policy data is auditwheel's, our reading of the
ELF files is ours.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import helpers
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

FIXTURES = Path(__file__).parent / "fixtures"
C_AARCH64 = "c-aarch64-linux-gnu.so"
"""``src/libc.c`` (snprintf, getenv, cbrt: GLIBC_2.17 symbols) by aarch64-linux-gnu-gcc."""
NEW_GLIBC_AARCH64 = "c-new-aarch64-linux-gnu.so"
"""``src/libc.c -DNEW_GLIBC``: also arc4random, which glibc has since 2.36."""


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def make_wheel(path: Path, members: dict[str, bytes]) -> Path:
    """A minimal platform wheel that auditwheel can walk."""
    return helpers.make_wheel(path, members, "cp311-cp311-linux_x")


def facts_of(members: dict[str, bytes]) -> list[Binary]:
    found = [describe_binary_bytes(n, d) for n, d in members.items()]
    return [b for b in found if b is not None and b.is_elf]


# target, binary (fixture: made by, from), expected tag
GLIBC_CASES = [
    ("aarch64-linux-gnu", C_AARCH64, "manylinux_2_17_aarch64"),
    ("aarch64-linux-gnu", NEW_GLIBC_AARCH64, "manylinux_2_36_aarch64"),
    # zig cc -target aarch64-linux-gnu.2.17, src/libc.c
    ("aarch64-linux-gnu", "c-aarch64-linux-gnu.2.17.so", "manylinux_2_17_aarch64"),
    # zig cc -target x86_64-linux-gnu.2.17, src/libc.c
    ("x86_64-linux-gnu", "c-x86_64-linux-gnu.2.17.so", "manylinux_2_17_x86_64"),
    # arm-linux-gnueabihf-gcc, src/libc.c
    ("arm-linux-gnueabihf", "c-arm-linux-gnueabihf.so", None),
    # s390x-linux-gnu-g++, src/cxx.cpp (libstdc++)
    ("s390x-linux-gnu", "cxx-s390x-linux-gnu.so", None),
    # i686-linux-gnu-gcc, src/libc.c -DNEW_GLIBC
    ("i686-linux-gnu", "c-new-i686-linux-gnu.so", None),
    # powerpc64le-linux-gnu-g++, src/cxx.cpp (libstdc++)
    ("powerpc64le-linux-gnu", "cxx-powerpc64le-linux-gnu.so", None),
]


@pytest.mark.parametrize(
    ("triplet", "binary", "expected"),
    GLIBC_CASES,
    ids=[f"{c[0]}-{c[1].rsplit('.', 1)[0]}" for c in GLIBC_CASES],
)
def test_manylinux_tag_agrees_with_auditwheel(
    tmp_path: Path, triplet: str, binary: str, expected: str | None
) -> None:
    target = resolve_target(triplet)
    members = {"demo/_ext.cpython-311-x.so": fixture(binary)}
    decision = linux_tag(target, facts_of(members))
    if expected is not None:
        assert decision.platform == expected
    assert decision.platform.startswith("manylinux_")
    wheel = make_wheel(tmp_path / "demo-1.0-cp311-cp311-linux_x.whl", members)
    assert decision.platform == helpers.auditwheel_tag(wheel)
    check_requested_tag(decision.platform, target, facts_of(members))


def test_new_symbols_refuse_an_old_requested_tag() -> None:
    binaries = facts_of({"demo/_ext.so": fixture(NEW_GLIBC_AARCH64)})
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


def test_unlisted_library_falls_back_to_linux_and_says_why(tmp_path: Path) -> None:
    """``uses-bogus-aarch64.so`` needs ``libbogus.so.1`` (its soname), which no policy lists."""
    members = {"demo/_ext.cpython-311-x.so": fixture("uses-bogus-aarch64.so")}
    decision = linux_tag(resolve_target("aarch64-linux-gnu"), facts_of(members))
    assert decision.platform == "linux_aarch64"
    assert any("libbogus.so.1" in reason for reason in decision.reasons)
    # Shipping the library inside the wheel makes it fine again (auditwheel repair's result).
    shipped = {**members, "demo.libs/libbogus.so.1": fixture("libbogus.so.1")}
    assert linux_tag(resolve_target("aarch64-linux-gnu"), facts_of(shipped)).platform == (
        "manylinux_2_17_aarch64"
    )
    wheel = make_wheel(tmp_path / "demo-1.0-cp311-cp311-linux_x.whl", members)
    assert helpers.auditwheel_tag(wheel) == "linux_aarch64"


@pytest.mark.parametrize("arch", ["aarch64", "x86_64", "s390x"])
def test_musl_binaries_get_musllinux(arch: str) -> None:
    """``zig cc -target <arch>-linux-musl``, ``src/libc.c``."""
    binaries = facts_of({"demo/_ext.so": fixture(f"c-{arch}-linux-musl.so")})
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


# src/android-ext.c by aarch64-linux-gnu-gcc -nostdlib -lpython3.13, as the NDK links an
# extension (libpython3.13.so: a stand-in, src/libpython-stub.c), with 16 KB or 4 KB pages.
ANDROID_16K = "android-16k-aarch64.so"
ANDROID_4K = "android-4k-aarch64.so"


def test_android_extension_that_follows_the_rules() -> None:
    binaries = facts_of({"demo/_ext.cpython-313-aarch64-linux-android.so": fixture(ANDROID_16K)})
    assert loader_problems(resolve_target("aarch64-linux-android24"), binaries) == ([], [])


def test_loader_problems_are_named() -> None:
    target = resolve_target("android_24_arm64_v8a")
    errors, pages = loader_problems(target, facts_of({"demo/_a.so": fixture(ANDROID_4K)}))
    assert errors == []
    assert len(pages) == 1 and "aligned to 4096 bytes" in pages[0]
    errors, _ = loader_problems(target, facts_of({"demo/_b.so": fixture(C_AARCH64)}))
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
