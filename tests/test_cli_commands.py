"""``crosswheel targets|inspect|fix|doctor``: their output, and their errors.

The wheels come from real builds: one cross-built by crosswheel, one built
natively by pip, and one "built elsewhere" (the cross-built one carrying the
build machine's names, as a backend that reads the running interpreter leaves it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from helpers import crosswheel, plain_project
from targetpython import TargetPython

pytestmark = pytest.mark.e2e
HOST_SO = "crossdemo/_native.cpython-311-x86_64-linux-gnu.so"
TARGET_SO = "crossdemo/_native.cpython-311-aarch64-linux-gnu.so"


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("wheels")
    project = plain_project(root / "crossdemo")
    cross = root / "cross"
    result = crosswheel(
        "build", str(project), "-n", "-q", "-t", "aarch64-linux-gnu", "-o", str(cross)
    )
    assert result.returncode == 0, result.stderr
    native = root / "native"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(native), str(plain_project(root / "native-src"))],
        check=True, capture_output=True,
    )  # fmt: skip
    (cross_wheel,) = cross.glob("*.whl")
    (native_wheel,) = native.glob("*.whl")
    # What a backend that reads the build machine leaves: aarch64 code, x86_64 names.
    foreign = root / "elsewhere" / "crossdemo-1.0.0-cp311-cp311-linux_x86_64.whl"
    foreign.parent.mkdir()
    with zipfile.ZipFile(cross_wheel) as src, zipfile.ZipFile(foreign, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            name = HOST_SO if info.filename == TARGET_SO else info.filename
            if name.endswith("/WHEEL"):
                text = data.decode()
                tag = next(line for line in text.splitlines() if line.startswith("Tag: "))
                data = text.replace(tag, "Tag: cp311-cp311-linux_x86_64").encode()
            dst.writestr(name, data)
    return {"cross": cross_wheel, "native": native_wheel, "foreign": foreign}


def test_targets_lists_what_this_machine_has() -> None:
    result = crosswheel("targets")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["TARGET", "WHEEL", "PLATFORM", "TOOLCHAIN", "TARGET", "PYTHON"]
    row = next(line.split() for line in lines if line.startswith("aarch64-linux-gnu "))
    assert row[:4] == ["aarch64-linux-gnu", "linux_aarch64", "aarch64-linux-gnu-gcc", "yes:"]
    assert row[4].endswith("_sysconfigdata__linux_aarch64-linux-gnu.py")
    musl = next(line.split() for line in lines if line.startswith("aarch64-linux-musl "))
    assert musl[2:5] == ["zig", "(-C", "toolchain=zig)"]  # ziglang is a test dependency
    ios = next(line.split() for line in lines if line.startswith("arm64-apple-ios "))
    assert ios[2:] == ["no", "no"]
    why = crosswheel("targets", "--why")
    ios_why = next(line for line in why.stdout.splitlines() if line.startswith("arm64-apple-ios "))
    assert "no: " in ios_why and len(ios_why.split()) > 6


def test_targets_usage_error() -> None:
    result = crosswheel("targets", "extra")
    assert result.returncode == 2
    assert "unrecognized arguments: extra" in result.stderr


def test_inspect_cross_wheel(wheels: dict[str, Path]) -> None:
    result = crosswheel("inspect", str(wheels["cross"]))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"  {TARGET_SO}\n    format: ELF 64-bit LSB AArch64\n" in out
    assert "    needs: libc.so.6" in out
    assert "GLIBC_2.17" in out
    assert "  target: aarch64-linux-gnu" in out
    assert "  should carry: cp311-cp311-manylinux_2_17_aarch64" in out


def test_inspect_sees_through_a_wrong_tag(wheels: dict[str, Path]) -> None:
    out = crosswheel("inspect", str(wheels["foreign"])).stdout
    assert "  tag now: cp311-cp311-linux_x86_64" in out
    assert "  should carry: cp311-cp311-manylinux_2_17_aarch64" in out


def test_inspect_errors(tmp_path: Path) -> None:
    assert crosswheel("inspect").returncode == 2
    result = crosswheel("inspect", str(tmp_path / "missing.whl"))
    assert result.returncode == 1
    assert result.stderr == f"crosswheel: error: {tmp_path / 'missing.whl'} does not exist\n"
    bogus = tmp_path / "x-1.0-py3-none-any.whl"
    bogus.write_text("not a zip")
    result = crosswheel("inspect", str(bogus))
    assert result.returncode == 1
    assert "is not a wheel (a zip archive)" in result.stderr
    assert "Traceback" not in result.stderr


def test_fix_a_wheel_built_elsewhere(
    wheels: dict[str, Path], tmp_path: Path, arm64_python: TargetPython
) -> None:
    out = tmp_path / "fixed"
    result = crosswheel("fix", str(wheels["foreign"]), "-t", "aarch64-linux-gnu", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert f"renamed {HOST_SO} -> {TARGET_SO}" in result.stderr
    (fixed,) = out.glob("*.whl")
    assert fixed.name == "crossdemo-1.0.0-cp311-cp311-manylinux_2_17_aarch64.whl"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    site = tmp_path / "site"
    arm64_python.install(fixed, site)
    assert arm64_python.call("import crossdemo; print(crossdemo.add(2, 40))", site) == "42\n"


def test_fix_refuses_the_wrong_machine(wheels: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "fixed"
    result = crosswheel("fix", str(wheels["native"]), "-t", "aarch64-linux-gnu", "-o", str(out))
    assert result.returncode == 1
    assert "crosswheel: error: refusing to ship" in result.stderr
    assert "x86-64, not ELF 64-bit LSB AArch64" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(out.rglob("*.whl")), "a refused wheel must not appear"


def test_fix_errors(tmp_path: Path, wheels: dict[str, Path]) -> None:
    assert crosswheel("fix", str(wheels["cross"])).returncode == 2  # no --target
    result = crosswheel("fix", str(tmp_path / "nope.whl"), "-t", "aarch64-linux-gnu")
    assert result.returncode == 1
    assert "is not a wheel file" in result.stderr
    result = crosswheel("fix", str(wheels["cross"]), "-t", "aarch64-linux-gnu",
                        "-C", f"target-python={tmp_path / 'none'}")  # fmt: skip
    assert result.returncode == 1
    assert "does not exist" in result.stderr


def _row(out: str, key: str) -> list[str]:
    return next(line.split() for line in out.splitlines() if line.startswith(key + " "))


def test_doctor_measures_the_shim() -> None:
    result = crosswheel("doctor", "--target", "aarch64-linux-gnu")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("target:        aarch64-linux-gnu")
    assert "compiler:      aarch64-linux-gnu-gcc" in out
    # Three measured columns: build machine, shim, target.
    assert _row(out, "sys.implementation._multiarch")[1:] == [
        "x86_64-linux-gnu", "aarch64-linux-gnu", "aarch64-linux-gnu"
    ]  # fmt: skip
    assert _row(out, "platform.machine()")[1:] == ["x86_64", "aarch64", "aarch64"]
    assert _row(out, "sysconfig.get_platform()")[1:] == [
        "linux-x86_64", "linux-aarch64", "linux-aarch64"
    ]  # fmt: skip
    assert _row(out, "EXT_SUFFIX")[2:] == [".cpython-311-aarch64-linux-gnu.so"] * 2
    assert out.rstrip().endswith("the shim answers every introspection point as the target does")


def test_doctor_errors(tmp_path: Path) -> None:
    assert crosswheel("doctor").returncode == 2
    result = crosswheel("doctor", "-t", "sparc-linux-gnu")
    assert result.returncode == 1
    assert result.stderr.startswith("crosswheel: error: unknown target 'sparc-linux-gnu'")
    result = crosswheel("doctor", "-t", "aarch64-linux-gnu", "-C", "toolchain=/nowhere/x-")
    assert result.returncode == 1
    assert result.stderr.startswith("crosswheel: error: no C compiler for aarch64-linux-gnu")


def test_shimmed_frontend_is_refused(tmp_path: Path) -> None:
    # A real spec, as a cross build writes it; a crosswheel started inside such a
    # build (the variable set, the shim active) must stop, not build for the wrong machine.
    code = (
        "import sys, tempfile, pathlib; from crosswheel.cli import _config;"
        "from crosswheel.crossbuild import resolve_cross_build;"
        "b = resolve_cross_build(_config('aarch64-linux-gnu', []));"
        f"env = b.environment(pathlib.Path({str(tmp_path)!r})); print(env['CROSSWHEEL_SHIM'])"
    )
    path = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert Path(path).is_file()
    code = (
        "import crosswheel.shim, sys; crosswheel.shim.activate();"
        "from crosswheel.cli import main; sys.exit(main(['targets']))"
    )
    env = {**os.environ, "CROSSWHEEL_SHIM": path}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "crosswheel is running inside a cross build" in result.stderr
