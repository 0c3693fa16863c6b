"""environment: the variables the inner backend gets, from the real arm64 target Python."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crosswheel.environment import build_environment, header_mismatch_warnings
from crosswheel.shim import ENV_VAR
from crosswheel.targets import resolve_target
from helpers import ARM64_TOOLCHAIN as TOOLCHAIN
from helpers import arm64_interpreter


def test_backend_environment(tmp_path: Path) -> None:
    target = resolve_target("aarch64-linux-gnu")
    env = build_environment(target, arm64_interpreter(), TOOLCHAIN, tmp_path, environ={})
    spec = json.loads(Path(env[ENV_VAR]).read_text())
    assert spec["multiarch"] == "aarch64-linux-gnu"
    assert Path(env[ENV_VAR]).parent == tmp_path
    assert env["_PYTHON_HOST_PLATFORM"] == "linux-aarch64"
    assert (env["CC"], env["CXX"], env["AR"]) == (
        "aarch64-linux-gnu-gcc",
        "aarch64-linux-gnu-g++",
        "aarch64-linux-gnu-ar",
    )
    assert env["PKG_CONFIG_LIBDIR"].split(":")[0] == "/usr/lib/aarch64-linux-gnu/pkgconfig"
    # setuptools reads EXT_SUFFIX from the shim; the variable breaks projects that
    # special-case it (zstandard's setup.py).
    assert "SETUPTOOLS_EXT_SUFFIX" not in env


def test_users_pkg_config_and_cppflags_are_kept(tmp_path: Path) -> None:
    target = resolve_target("aarch64-linux-gnu")
    interpreter = arm64_interpreter()
    user = {"PKG_CONFIG_LIBDIR": "/opt/mine", "CPPFLAGS": "-DUSER=1"}
    source = tmp_path / "src"
    env = build_environment(
        target, interpreter, TOOLCHAIN, tmp_path, environ=user, source_dir=source
    )
    # The source folder's path is kept out of debug info, after the user's own flags;
    # CFLAGS stays unset (setuptools would drop the target's own CFLAGS for it).
    assert env["CPPFLAGS"].startswith("-DUSER=1 -idirafter /usr/include ")
    assert env["CPPFLAGS"].endswith(f" -ffile-prefix-map={source}=.")
    assert "CFLAGS" not in env and "CXXFLAGS" not in env
    assert "PKG_CONFIG_LIBDIR" not in env  # the user's value stays in force


@pytest.mark.parametrize(
    ("triplet", "described"),
    [
        ("aarch64-linux-gnu", None),
        ("arm-linux-gnueabihf", "(32-bit little-endian)"),
        ("s390x-linux-gnu", "(64-bit big-endian)"),
    ],
)
def test_numpy_headers_of_another_word_size_or_byte_order(
    triplet: str, described: str | None
) -> None:
    """This environment has numpy (a test dependency), built for x86_64."""
    target = resolve_target(triplet)
    assert header_mismatch_warnings(target, ["setuptools"]) == []  # numpy is not required
    warnings = header_mismatch_warnings(target, ["setuptools", "numpy"])
    if described is None:
        assert warnings == []
    else:
        assert len(warnings) == 1
        assert warnings[0].startswith("numpy in the build environment is built for this machine")
        assert f"not {triplet} {described}" in warnings[0]
