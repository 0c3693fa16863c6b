"""environment: the variables the inner backend gets, from the real arm64 target Python."""

from __future__ import annotations

import json
from pathlib import Path

from crosswheel.build.environment import build_environment
from crosswheel.build.shim import ENV_VAR
from crosswheel.target.names import resolve_target
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
