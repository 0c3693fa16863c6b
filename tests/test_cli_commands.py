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

from crosswheel.wheelfile import make_record, record_hash
from helpers import compile_shared, crosswheel, make_wheel, plain_project
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
    files: dict[str, bytes] = {}
    with zipfile.ZipFile(cross_wheel) as src:
        for info in src.infolist():
            data = src.read(info)
            name = HOST_SO if info.filename == TARGET_SO else info.filename
            if name.endswith("/WHEEL"):
                text = data.decode()
                tag = next(line for line in text.splitlines() if line.startswith("Tag: "))
                data = text.replace(tag, "Tag: cp311-cp311-linux_x86_64").encode()
            files[name] = data
    record = next(name for name in files if name.endswith(".dist-info/RECORD"))
    del files[record]
    rows = ((name, record_hash(data), len(data)) for name, data in files.items())
    files[record] = make_record(rows, record)
    with zipfile.ZipFile(foreign, "w") as dst:
        for name, data in files.items():
            dst.writestr(name, data)
    return {"cross": cross_wheel, "native": native_wheel, "foreign": foreign}


def test_targets_lists_what_this_machine_has() -> None:
    result = crosswheel("targets")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = ["TARGET", "WHEEL", "PLATFORM", "TOOLCHAIN", "FORTRAN", "TARGET", "PYTHON"]
    assert lines[0].split() == header
    row = next(line.split() for line in lines if line.startswith("aarch64-linux-gnu "))
    assert row[:3] == ["aarch64-linux-gnu", "linux_aarch64", "aarch64-linux-gnu-gcc"]
    assert row[3:5] == ["aarch64-linux-gnu-gfortran", "yes:"]  # setup-machine.sh installs it
    assert row[5].endswith("_sysconfigdata__linux_aarch64-linux-gnu.py")
    musl = next(line.split() for line in lines if line.startswith("aarch64-linux-musl "))
    assert musl[2:6] == ["zig", "(-C", "toolchain=zig)", "no"]  # ziglang is a test dependency
    ios = next(line.split() for line in lines if line.startswith("arm64-apple-ios "))
    assert ios[2:] == ["no", "no", "no"]
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
    first, hint = result.stderr.splitlines()
    assert first == f"crosswheel: error: {tmp_path / 'missing.whl'} does not exist"
    assert hint.startswith("  hint: ")
    bogus = tmp_path / "x-1.0-py3-none-any.whl"
    bogus.write_text("not a zip")
    result = crosswheel("inspect", str(bogus))
    assert result.returncode == 1
    assert "is not a readable wheel" in result.stderr
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
    assert "is not a file" in result.stderr
    result = crosswheel("fix", str(wheels["cross"]), "-t", "aarch64-linux-gnu",
                        "-C", f"target-python={tmp_path / 'none'}")  # fmt: skip
    assert result.returncode == 1
    assert "does not exist" in result.stderr


@pytest.mark.parametrize(
    "content", [pytest.param(b"", id="empty"), pytest.param(b"PK\x03\x04junk", id="not-a-zip")]
)
def test_fix_refuses_a_file_that_is_no_wheel(tmp_path: Path, content: bytes) -> None:
    bogus = tmp_path / "demo-1.0-cp311-cp311-linux_x86_64.whl"
    bogus.write_bytes(content)
    result = crosswheel("fix", str(bogus), "-t", "aarch64-linux-gnu")
    assert result.returncode == 1
    error, hint = result.stderr.splitlines()[-2:]
    assert error.startswith("crosswheel: error: ") and "is not a readable wheel" in error
    assert hint.startswith("  hint: ")
    assert "Traceback" not in result.stderr


def test_fix_refuses_a_wheel_that_contradicts_its_record(
    wheels: dict[str, Path], tmp_path: Path
) -> None:
    """A damaged wheel is not given a fresh, valid RECORD."""
    damaged = tmp_path / "in" / wheels["cross"].name
    damaged.parent.mkdir()
    with zipfile.ZipFile(wheels["cross"]) as src, zipfile.ZipFile(damaged, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data + b"# altered\n" if info.filename.endswith(".py") else data)
    out = tmp_path / "out"
    result = crosswheel("fix", str(damaged), "-t", "aarch64-linux-gnu", "-o", str(out))
    assert result.returncode == 1
    assert "does not match its own RECORD" in result.stderr
    assert "__init__.py: content does not match its RECORD hash" in result.stderr
    assert not list(out.rglob("*.whl"))


def android_prefix(root: Path) -> Path:
    """A target prefix laid out as an Android CPython's (sysconfig data, headers)."""
    stdlib = root / "lib" / "python3.11"
    stdlib.mkdir(parents=True)
    data = {
        "VERSION": "3.11",
        "prefix": "/install",
        "EXT_SUFFIX": ".cpython-311-aarch64-linux-android.so",
        "SOABI": "cpython-311-aarch64-linux-android",
        "MULTIARCH": "aarch64-linux-android",
        "SHLIB_SUFFIX": ".so",
        "INCLUDEPY": "/install/include/python3.11",
        "LIBDIR": "/install/lib",
    }
    (stdlib / "_sysconfigdata__android_aarch64-linux-android.py").write_text(
        f"build_time_vars = {data!r}\n"
    )
    include = root / "include" / "python3.11"
    include.mkdir(parents=True)
    (include / "Python.h").write_text("/* headers of the target */\n")
    (include / "pyconfig.h").write_text("/* config of the target */\n")
    return root


def test_fix_honours_android_page_size_check(tmp_path: Path) -> None:
    """An Android extension linked for 4 KB pages: refused by default, a warning with =warn."""
    libpython = compile_shared("aarch64-linux-gnu-gcc", tmp_path / "libpython3.11.so")
    assert libpython
    source = tmp_path / "ext.c"
    source.write_text("int PyInit__ext(void) { return 0; }\n")
    so = tmp_path / "ext.so"
    subprocess.run(
        ["aarch64-linux-gnu-gcc", "-shared", "-fPIC", "-nostdlib", "-o", str(so), str(source),
         f"-L{tmp_path}", "-Wl,--no-as-needed", "-lpython3.11", "-Wl,-z,max-page-size=4096"],
        check=True,
    )  # fmt: skip
    wheel = make_wheel(
        tmp_path / "in" / "demo-1.0-cp311-cp311-linux_x86_64.whl",
        {"demo/_ext.cpython-311-aarch64-linux-android.so": so.read_bytes()},
        "cp311-cp311-linux_x86_64",
    )
    prefix = android_prefix(tmp_path / "android")
    args = ["fix", str(wheel), "-t", "aarch64-linux-android24", "-C", f"target-python={prefix}"]
    refused = crosswheel(*args, "-o", str(tmp_path / "a"))
    assert refused.returncode == 1
    assert "not 16 KB" in refused.stderr
    warned = crosswheel(*args, "-C", "android-page-size-check=warn", "-o", str(tmp_path / "b"))
    assert warned.returncode == 0, warned.stderr
    assert (
        "warning: _ext.cpython-311-aarch64-linux-android.so has LOAD segments aligned to 4096"
        in warned.stderr
    )
    (fixed,) = (tmp_path / "b").glob("*.whl")
    assert fixed.name == "demo-1.0-cp311-cp311-android_24_arm64_v8a.whl"
    bad = crosswheel(*args, "-C", "android-page-size-check=maybe")
    assert bad.returncode == 1
    assert "'android-page-size-check' must be 'error' or 'warn'" in bad.stderr


@pytest.mark.parametrize(
    ("target", "needs", "never"),
    [
        pytest.param(
            "aarch64-linux-android",
            ["Android NDK", "Android CPython 3.11"],
            "apt-get",
            id="android",
        ),
        pytest.param("musllinux_1_2_aarch64", ["Alpine sysroot"], "apt-get", id="musl"),
        pytest.param("arm64-apple-ios", ["iOS CPython 3.11"], "apt-get", id="ios"),
        pytest.param(
            "riscv64-linux-gnu", ["apt-get install libpython3.11-dev:riscv64"], "NDK", id="glibc"
        ),
    ],
)
def test_each_family_is_told_what_it_needs(target: str, needs: list[str], never: str) -> None:
    result = crosswheel("doctor", "--target", target)
    assert result.returncode == 1
    assert result.stderr.startswith("crosswheel: error: no target Python")
    for words in needs:
        assert words in result.stderr
    assert never not in result.stderr


def _row(out: str, key: str) -> list[str]:
    return next(line.split() for line in out.splitlines() if line.startswith(key + " "))


def test_doctor_measures_the_shim() -> None:
    result = crosswheel("doctor", "--target", "aarch64-linux-gnu")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("target:        aarch64-linux-gnu")
    assert "compiler:      aarch64-linux-gnu-gcc" in out
    assert "Fortran:       aarch64-linux-gnu-gfortran\n" in out
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
        "import sys, tempfile, pathlib; from crosswheel.cli.main import _config;"
        "from crosswheel.target.resolve import resolve_cross_build;"
        "from crosswheel.build.environment import cross_environment;"
        "b = resolve_cross_build(_config('aarch64-linux-gnu', []));"
        f"env = cross_environment(b, pathlib.Path({str(tmp_path)!r}));"
        "print(env['CROSSWHEEL_SHIM'])"
    )
    path = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert Path(path).is_file()
    code = (
        "import crosswheel.build.shim, sys; crosswheel.build.shim.activate();"
        "from crosswheel.cli.main import main; sys.exit(main(['targets']))"
    )
    env = {**os.environ, "CROSSWHEEL_SHIM": path}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "crosswheel is running inside a cross build" in result.stderr


def test_doctor_and_fix_honour_the_environment_as_build_does(tmp_path: Path) -> None:
    env = {**os.environ, "CROSSWHEEL_TARGET_PYTHON": str(tmp_path / "nonexistent")}
    wheel = make_wheel(tmp_path / "x-1.0-py3-none-any.whl", {"x.py": b""}, "py3-none-any")
    for command in (["doctor"], ["fix", str(wheel)]):
        result = subprocess.run(
            [sys.executable, "-m", "crosswheel", *command, "--target", "aarch64-linux-gnu"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert "nonexistent' does not exist" in result.stderr, (command, result.stderr)


def test_an_empty_target_is_one_error_for_every_command() -> None:
    for command in ("doctor", "targets"):
        args = [command, "--target", ""] if command == "doctor" else [command]
        result = crosswheel(*args)
        if command == "doctor":
            assert result.returncode == 1
            assert "'target' is empty" in result.stderr and "hint:" in result.stderr
            assert "Traceback" not in result.stderr
