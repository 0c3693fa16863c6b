"""backend: what the PEP 517 backend guarantees around a cross build, with real frontends.

Pass-through without a target, byte-identical wheels, one clear error per user
mistake with no wheel left behind, and refusal of a mislabeled binary. The
builds that run on the target under qemu are in ``test_frontends_e2e.py``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from conftest import require_tool
from helpers import CALL, TARGET, build_with, only_wheel, run

pytestmark = pytest.mark.e2e


def test_pass_through_without_target(
    source_copy: Callable[[str], Path], frontend_env: dict[str, str], tmp_path: Path
) -> None:
    src = source_copy("setuptools-c")
    out = tmp_path / "dist"
    result = build_with("build", src, out, frontend_env)
    assert result.returncode == 0, result.stdout + result.stderr
    wheel = only_wheel(out)
    assert wheel.name == "crossdemo-1.0.0-cp311-cp311-linux_x86_64.whl"
    site = tmp_path / "site"
    run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(site), str(wheel)],
        frontend_env,
    ).check_returncode()
    native = run([sys.executable, "-c", CALL], {**frontend_env, "PYTHONPATH": str(site)})
    assert native.returncode == 0, native.stderr
    assert '"build_machine": "x86_64"' in native.stdout


def test_same_input_gives_identical_wheels(
    source_copy: Callable[[str], Path], frontend_env: dict[str, str], tmp_path: Path
) -> None:
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    src = source_copy("setuptools-c")
    digests = []
    for attempt in ("one", "two"):
        shutil.rmtree(src / "build", ignore_errors=True)
        out = tmp_path / attempt
        result = build_with(
            "build-no-isolation", src, out, frontend_env, "target=aarch64-linux-gnu"
        )
        assert result.returncode == 0, result.stdout + result.stderr
        digests.append(only_wheel(out).read_bytes())
    assert digests[0] == digests[1]


def _assert_clean_failure(
    result: subprocess.CompletedProcess[str], out: Path, *messages: str
) -> None:
    text = result.stdout + result.stderr
    assert result.returncode != 0
    for message in messages:
        assert message in text, text
    assert "Traceback" not in text, text
    assert not list(out.glob("*.whl")) if out.exists() else True
    assert (
        not [p for p in out.iterdir() if p.name.startswith(".crosswheel")] if out.exists() else True
    )


@pytest.mark.parametrize(
    ("settings", "messages"),
    [
        (("target=aarch64-linux-gnuu",), ("unknown target 'aarch64-linux-gnuu'", "did you mean")),
        (
            ("target=aarch64-linux-gnu", "toolchain=/nonexistent/aarch64-linux-gnu-"),
            ("no C compiler for aarch64-linux-gnu", "apt-get install gcc-aarch64-linux-gnu"),
        ),
        (
            ("target=s390x-linux-gnu",),
            ("no target Python 3.11 for s390x-linux-gnu", "libpython3.11-dev:s390x"),
        ),
    ],
)
def test_user_mistakes_are_one_clear_message(
    settings: tuple[str, ...],
    messages: tuple[str, ...],
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    tmp_path: Path,
) -> None:
    src = source_copy("setuptools-c")
    out = tmp_path / "dist"
    result = build_with("build-no-isolation", src, out, frontend_env, *settings)
    _assert_clean_failure(result, out, *messages)


def test_missing_inner_backend(
    source_copy: Callable[[str], Path], frontend_env: dict[str, str], tmp_path: Path
) -> None:
    src = source_copy("setuptools-c")
    pyproject = src / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('"setuptools.build_meta"', '"no_such_backend"')
    )
    out = tmp_path / "dist"
    result = build_with("build-no-isolation", src, out, frontend_env, TARGET)
    _assert_clean_failure(result, out, "cannot import the inner backend 'no_such_backend'")


def test_compile_error_leaves_no_wheel(
    source_copy: Callable[[str], Path], frontend_env: dict[str, str], tmp_path: Path
) -> None:
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    src = source_copy("setuptools-c")
    (src / "src" / "crossdemo" / "_native.c").write_text("this is not C\n")
    out = tmp_path / "dist"
    result = build_with("build-no-isolation", src, out, frontend_env, TARGET)
    assert result.returncode != 0
    assert "the inner backend 'setuptools.build_meta' failed in build_wheel" in result.stderr
    assert not list(out.glob("*.whl"))
    assert not [p for p in out.iterdir() if p.name.startswith(".crosswheel")]


def test_mislabeled_binary_is_refused(
    source_copy: Callable[[str], Path], frontend_env: dict[str, str], tmp_path: Path
) -> None:
    """A prebuilt x86_64 library shipped as package data must not reach an aarch64 wheel."""
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    require_tool("gcc", "gcc")
    src = source_copy("setuptools-c")
    pkg = src / "src" / "crossdemo"
    (pkg / "helper.c").write_text("int helper(void) { return 1; }\n")
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-o", str(pkg / "libhelper.so"), str(pkg / "helper.c")],
        check=True,
    )
    with (src / "pyproject.toml").open("a") as f:
        f.write('\n[tool.setuptools.package-data]\ncrossdemo = ["libhelper.so"]\n')
    out = tmp_path / "dist"
    result = build_with("build-no-isolation", src, out, frontend_env, TARGET)
    _assert_clean_failure(
        result,
        out,
        "refusing to ship crossdemo-1.0.0-cp311-cp311-",
        "crossdemo/libhelper.so: ELF 64-bit LSB x86-64, not ELF 64-bit LSB AArch64",
    )
    # Refused before any tag was computed for it.
    assert "platform tag" not in result.stdout + result.stderr
