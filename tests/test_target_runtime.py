"""The target's CPython as a program: found in a sysroot, fetched from Debian, run here."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import require_target_python, require_tool
from crosswheel.errors import CrosswheelError
from crosswheel.target.interpreter import find_target_interpreter
from crosswheel.target.names import resolve_target
from crosswheel.target.runtime import fetch_debian_python, find_runtime, runtime_in
from targetpython import TargetPython

pytestmark = pytest.mark.e2e
FACTS = "import json, platform, struct, sys; print(json.dumps([platform.machine(), struct.calcsize('P'), sys.byteorder, sys.prefix]))"  # noqa: E501


def test_multiarch_target_gets_debians_interpreter_fetched_into_the_user_cache() -> None:
    require_tool("qemu-aarch64", "qemu-user")
    target = resolve_target("aarch64-linux-gnu")
    multiarch = Path("/usr/lib/python3.11/_sysconfigdata__linux_aarch64-linux-gnu.py")
    source = None if multiarch.is_file() else str(require_target_python("arm64").root)
    runtime = find_runtime(target, find_target_interpreter(target, source))
    result = runtime.run(["-c", FACTS])
    machine, pointer, order, prefix = json.loads(result.stdout)
    assert (machine, pointer, order) == ("aarch64", 8, "little")
    assert runtime.emulated and runtime.describe().endswith("under qemu-aarch64")
    assert prefix == str(runtime.home)


def test_sysroot_interpreter_runs_under_qemu_with_the_sysroots_libraries(
    armhf_python: TargetPython, tmp_path: Path
) -> None:
    target = resolve_target("arm-linux-gnueabihf")
    runtime = find_runtime(target, find_target_interpreter(target, str(armhf_python.root)))
    assert runtime.python == armhf_python.root / "usr" / "bin" / "python3.11"
    assert runtime.runner[1:] == ("-L", str(armhf_python.root))
    launcher = runtime.write_launcher(tmp_path / "python", [tmp_path])
    (tmp_path / "here.py").write_text("VALUE = 'imported from the launcher path'\n")
    out = subprocess.run(
        [str(launcher), "-c", f"import here; {FACTS}; print(here.VALUE)"],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    assert json.loads(out[0])[:3] == ["armv7l", 4, "little"]
    assert out[1] == "imported from the launcher path"


def test_i386_interpreter_runs_natively_through_its_own_loader() -> None:
    python = require_target_python("i386")
    runtime = runtime_in(resolve_target("i686-linux-gnu"), python.root, "3.11")
    assert runtime is not None and not runtime.emulated
    assert runtime.runner[0] == str(python.root / "lib" / "ld-linux.so.2")
    machine, pointer, _, _ = json.loads(runtime.run(["-c", FACTS]).stdout)
    # The kernel is x86_64's; the interpreter is 32-bit.
    assert (machine, pointer) == ("x86_64", 4)


def test_no_interpreter_and_no_way_to_fetch_one_says_what_to_provide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CrosswheelError) as error:
        fetch_debian_python("arm64", "3.11", tmp_path / "root")
    assert "no Python 3.11 for arm64 to run here, and no apt-get/dpkg" in error.value.message
    assert error.value.hint is not None and "bin/python3.11" in error.value.hint


def test_targets_crosswheel_cannot_run_are_named(arm64_python: TargetPython) -> None:
    target = resolve_target("aarch64-linux-gnu")
    interpreter = find_target_interpreter(target, str(arm64_python.root))
    with pytest.raises(CrosswheelError, match="cannot run aarch64-linux-musl programs"):
        find_runtime(resolve_target("aarch64-linux-musl"), interpreter)


def test_under_qemu_the_target_cannot_start_its_own_executable_as_a_subprocess(
    armhf_python: TargetPython,
) -> None:
    """A known limit (no binfmt_misc): the kernel cannot exec the target's binary."""
    code = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'pass'])"
    result = armhf_python.runtime.run(["-c", code])
    assert result.returncode != 0
    assert "Exec format error" in result.stderr


def test_build_time_programs_find_the_cross_gfortrans_runtime(tmp_path: Path) -> None:
    """A gfortran program for armhf, run against a sysroot without libgfortran."""
    from crosswheel.target.runtime import qemu_command

    require_tool("arm-linux-gnueabihf-gfortran", "gfortran-arm-linux-gnueabihf")
    sysroot = require_target_python("armhf").root
    assert not list(sysroot.rglob("libgfortran.so*"))
    source = tmp_path / "hello.f90"
    source.write_text('program p\nprint "(a)", "hello from fortran"\nend program\n')
    program = tmp_path / "hello"
    subprocess.run(["arm-linux-gnueabihf-gfortran", str(source), "-o", str(program)], check=True)
    target = resolve_target("arm-linux-gnueabihf")
    sysroot_only = qemu_command(target, sysroot)
    assert sysroot_only is not None
    alone = subprocess.run([*sysroot_only, str(program)], capture_output=True, text=True)
    assert alone.returncode != 0 and "libgfortran.so.5" in alone.stderr
    toolchain = Path("/usr/arm-linux-gnueabihf/lib")
    command = qemu_command(target, sysroot, also=[toolchain])
    assert command is not None
    ran = subprocess.run([*command, str(program)], capture_output=True, text=True)
    assert ran.returncode == 0 and ran.stdout.strip() == "hello from fortran", ran.stderr
