"""The autoconf site file: what it tells configure, and that a real configure obeys it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLES, require_tool
from crosswheel.build.autotools import SITE_FILE, autotools_environment, site_file_text
from crosswheel.target.names import resolve_target
from helpers import ARM64_TOOLCHAIN

LIBANSWER = EXAMPLES / "setuptools-autotools" / "vendor" / "libanswer"


def test_site_file_names_the_host_the_tool_prefix_and_cross_compiling() -> None:
    text = site_file_text(resolve_target("aarch64-linux-gnu"), ARM64_TOOLCHAIN)
    assert "host_alias=aarch64-linux-gnu" in text
    assert "ac_cv_host=aarch64-unknown-linux-gnu" in text
    assert "ac_tool_prefix=aarch64-linux-gnu-" in text
    assert "cross_compiling=yes" in text
    assert ": ${ac_cv_c_bigendian=no}" in text


def test_big_endian_target_answers_bigendian() -> None:
    text = site_file_text(resolve_target("s390x-linux-gnu"), ARM64_TOOLCHAIN)
    assert ": ${ac_cv_c_bigendian=yes}" in text
    assert "ac_cv_host=s390x-unknown-linux-gnu" in text


def test_users_config_site_is_read_last(tmp_path: Path) -> None:
    env = autotools_environment(
        resolve_target("aarch64-linux-gnu"), ARM64_TOOLCHAIN, tmp_path, {"CONFIG_SITE": "/my.site"}
    )
    assert env == {"CONFIG_SITE": str(tmp_path / SITE_FILE)}
    assert (tmp_path / SITE_FILE).read_text().rstrip().endswith(". /my.site")


def test_no_site_file_for_non_linux_targets(tmp_path: Path) -> None:
    assert autotools_environment(resolve_target("win_amd64"), ARM64_TOOLCHAIN, tmp_path, {}) == {}


def _configure(build: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    build.mkdir()
    return subprocess.run(
        ["sh", str(LIBANSWER / "configure")],
        cwd=build,
        env={**os.environ, "CC": "aarch64-linux-gnu-gcc", **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.e2e
def test_real_configure_without_host_cross_configures_only_with_the_site_file(
    tmp_path: Path,
) -> None:
    """An autoconf 2.71 configure, started without --host as setup.py scripts do."""
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    require_tool("make", "make")
    plain = _configure(tmp_path / "plain", {"CONFIG_SITE": "/dev/null"})
    assert plain.returncode == 77, plain.stdout
    assert "cannot run C compiled programs" in plain.stderr
    env = autotools_environment(resolve_target("aarch64-linux-gnu"), ARM64_TOOLCHAIN, tmp_path, {})
    crossed = _configure(tmp_path / "crossed", env)
    assert crossed.returncode == 0, crossed.stdout + crossed.stderr
    assert "whether we are cross compiling... yes" in crossed.stdout
    assert "checking for aarch64-linux-gnu-ranlib... aarch64-linux-gnu-ranlib" in crossed.stdout
    assert "checking for /dev/urandom... (cached) yes" in crossed.stdout
    config_h = (tmp_path / "crossed" / "answer_config.h").read_text()
    assert '#define ANSWER_HOST "aarch64-unknown-linux-gnu"' in config_h
    assert "#define SIZEOF_LONG 8" in config_h
    subprocess.run(["make"], cwd=tmp_path / "crossed", check=True, capture_output=True)
    machine = subprocess.run(
        ["file", str(tmp_path / "crossed" / "answer.o")], capture_output=True, text=True
    )
    assert shutil.which("file") is None or "aarch64" in machine.stdout
