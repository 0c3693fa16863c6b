"""backend: the PEP 517 hooks, end to end, with real frontends, compilers and qemu.

The proof that a cross build works: the frontend builds the wheel, pip running
*on the target* (under qemu) installs it, and the target's CPython imports it
and calls into it.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Callable

import pytest
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile

from conftest import require_tool
from targetpython import TargetPython

pytestmark = pytest.mark.e2e
TARGET = "target=aarch64-linux-gnu"
CALL = "import crossdemo, json; print(json.dumps([crossdemo.add(2, 40), crossdemo.build_info()]))"


def run(
    cmd: list[str], env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)


def build_with(
    frontend: str, src: Path, out: Path, env: dict[str, str], *settings: str
) -> subprocess.CompletedProcess[str]:
    if frontend == "build":
        cmd = [sys.executable, "-m", "build", "--wheel", "-o", str(out)]
        cmd += [f"-C{s}" for s in settings]
    elif frontend == "build-no-isolation":
        cmd = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", str(out)]
        cmd += [f"-C{s}" for s in settings]
    else:
        cmd = [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(out)]
        cmd += [f"--config-settings={s}" for s in settings]
    return run([*cmd, str(src)], env)


def only_wheel(out: Path) -> Path:
    wheels = sorted(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def needed_libraries(wheel: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.endswith(".so"):
                elf = ELFFile(io.BytesIO(archive.read(name)))
                assert elf["e_machine"] == "EM_AARCH64", name
                needed = []
                for section in elf.iter_sections():
                    if isinstance(section, DynamicSection):
                        needed += [
                            t.needed  # type: ignore[attr-defined]
                            for t in section.iter_tags()
                            if t.entry.d_tag == "DT_NEEDED"
                        ]
                found[name] = needed
    return found


@pytest.mark.parametrize("frontend", ["build", "pip"])
def test_cross_build_runs_on_aarch64(
    frontend: str,
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    arm64_python: TargetPython,
    tmp_path: Path,
) -> None:
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    src = source_copy("setuptools-c")
    out = tmp_path / "dist"
    result = build_with(frontend, src, out, frontend_env, TARGET)
    assert result.returncode == 0, result.stdout + result.stderr
    log = result.stdout + result.stderr
    # setup.py's own introspection saw the target (it prints what it saw).
    assert "machine=aarch64 pointer_size=8" in log
    assert "EXT_SUFFIX=.cpython-311-aarch64-linux-gnu.so" in log
    wheel = only_wheel(out)
    assert wheel.name.startswith("crossdemo-1.0.0-cp311-cp311-")
    assert wheel.name.endswith("_aarch64.whl")
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "temporary files left"
    libs = needed_libraries(wheel)
    assert list(libs) == ["crossdemo/_native.cpython-311-aarch64-linux-gnu.so"]
    assert not any(lib.startswith("libpython") for lib in next(iter(libs.values())))

    site = tmp_path / "site"
    arm64_python.install(wheel, site)
    out_text = arm64_python.call(CALL, site)
    assert "42" in out_text
    assert '"build_machine": "aarch64"' in out_text
    assert '"pointer_bits": 64' in out_text


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
        import shutil

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
