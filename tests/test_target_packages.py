"""target_packages: where the target's numpy comes from, and who sees it.

Source 1 is tested on a real prefix (the build environment's own numpy laid out
as an x86_64 target's site-packages, the way a conda prefix has it); the
refusal of a copy built for another machine and the error that follows on an
aarch64 sysroot; source 2 from a ``--find-links`` folder with the index off.
What the shim, pkg-config, Meson's cross file and CMake's FindPython then see is
checked in real processes.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy
import pytest

from conftest import require_tool
from crosswheel.build.adapters._cross import python_launcher
from crosswheel.build.adapters.cmake import ScikitBuildCoreAdapter
from crosswheel.build.adapters.meson import cross_file
from crosswheel.build.environment import build_environment, cross_environment
from crosswheel.config import load_config
from crosswheel.errors import CrosswheelError
from crosswheel.target.interpreter import TargetInterpreter, find_target_interpreter
from crosswheel.target.names import resolve_target
from crosswheel.target.packages import (
    C_API_PACKAGES,
    TargetPackage,
    find_target_packages,
    parse_target_requires,
    wanted_packages,
    write_pkgconfig,
)
from crosswheel.target.policies import accepted_platforms
from crosswheel.target.resolve import CrossBuild
from helpers import ARM64_TOOLCHAIN as TOOLCHAIN
from helpers import make_sysroot, target_wheel

HOST_NUMPY = Path(numpy.__file__).parent
X86_64 = resolve_target("x86_64-linux-gnu")
AARCH64 = resolve_target("aarch64-linux-gnu")
SHORT = f"{sys.version_info[0]}.{sys.version_info[1]}"


def only_find_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """pip sees only an empty --find-links folder, and the download cache is empty."""
    links = tmp_path / "links"
    links.mkdir()
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return links


@pytest.fixture
def no_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return only_find_links(tmp_path, monkeypatch)


def conda_like_prefix(root: Path) -> TargetInterpreter:
    """An x86_64 CPython prefix (``lib/python3.X``, ``include/python3.X``) with numpy installed."""
    stdlib = root / "lib" / f"python{SHORT}"
    site = stdlib / "site-packages"
    site.mkdir(parents=True)
    data = Path(f"/usr/lib/python{SHORT}/_sysconfigdata__x86_64-linux-gnu.py")
    shutil.copy(data, stdlib)
    shutil.copytree(f"/usr/include/python{SHORT}", root / "include" / f"python{SHORT}")
    (site / "numpy").symlink_to(HOST_NUMPY)
    for dist_info in HOST_NUMPY.parent.glob("numpy-*.dist-info"):
        (site / dist_info.name).symlink_to(dist_info)
    return find_target_interpreter(X86_64, str(root))


def test_the_table_finds_numpys_headers_in_both_layouts() -> None:
    row = C_API_PACKAGES["numpy"]
    assert not row.header_only
    # numpy 2 keeps them in _core/include: the first candidate that exists wins.
    found = next(HOST_NUMPY / d for d in row.include_dirs if (HOST_NUMPY / d).is_dir())
    assert found == Path(numpy.get_include())
    assert "core/include" in row.include_dirs  # numpy 1.x, e.g. Debian's 1.24
    assert C_API_PACKAGES["pybind11"].header_only and C_API_PACKAGES["nanobind"].header_only


def test_oldest_supported_numpy_stands_for_numpy() -> None:
    """shapely 1.8 requires ``oldest-supported-numpy``: its extension compiles against numpy."""
    wanted = wanted_packages(["cython", "oldest-supported-numpy", "setuptools"], {})
    assert [package.name for package in wanted] == ["numpy"]
    assert wanted_packages(["cython", "pybind11"], {}) == []


def test_platform_tags_a_wheel_for_the_target_may_carry() -> None:
    platforms = accepted_platforms(AARCH64)
    assert platforms[0].startswith("manylinux_2_") and platforms[0].endswith("_aarch64")
    assert {"manylinux_2_17_aarch64", "manylinux2014_aarch64"} <= set(platforms)
    assert platforms[-1] == "linux_aarch64"
    pinned = accepted_platforms(resolve_target("manylinux_2_28_aarch64"))
    assert pinned[0] == "manylinux_2_28_aarch64"
    assert "manylinux_2_31_aarch64" not in pinned
    musl = accepted_platforms(resolve_target("aarch64-linux-musl"))
    assert musl[0].startswith("musllinux_1_") and not any(p.startswith("linux_") for p in musl)
    assert accepted_platforms(resolve_target("aarch64-linux-android24")) == ["android_24_arm64_v8a"]


def test_target_requires_from_pyproject_settings_and_environment(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.crosswheel]\nbackend = "setuptools.build_meta"\ntarget-requires = ["numpy>=2"]\n'
    )
    settings = {"target-requires": ["numpy==2.2.6 pybind11"]}
    config = load_config(tmp_path, settings, environ={})
    assert config.target_requires == ("numpy>=2", "numpy==2.2.6", "pybind11")
    assert "target-requires" not in config.inner_settings
    # The later entry for a name wins: the config setting's over pyproject's.
    assert str(parse_target_requires(config.target_requires)["numpy"]) == "numpy==2.2.6"
    environ = {"CROSSWHEEL_TARGET_REQUIRES": "numpy==2.1.3"}
    assert load_config(tmp_path, None, environ=environ).target_requires[-1] == "numpy==2.1.3"
    with pytest.raises(CrosswheelError, match="not a requirement"):
        parse_target_requires(["numpy=2"])
    (tmp_path / "pyproject.toml").write_text('[tool.crosswheel]\ntarget-requires = "numpy"\n')
    with pytest.raises(CrosswheelError, match="must be a list"):
        load_config(tmp_path, None, environ={})


def test_target_pythons_site_packages_come_first(tmp_path: Path, no_index: Path) -> None:
    """A prefix with numpy installed: found with no configuration, and pip is not asked."""
    interp = conda_like_prefix(tmp_path / "prefix")
    work = tmp_path / "work"
    (found,) = find_target_packages(X86_64, interp, ["setuptools", "numpy"], [], work)
    assert found.version == numpy.__version__
    assert (
        found.origin
        == f"installed in the target Python ({tmp_path}/prefix/lib/python{SHORT}/site-packages)"
    )
    assert (
        found.include_dir
        == tmp_path / "prefix" / f"lib/python{SHORT}/site-packages/numpy/_core/include"
    )
    assert found.pkgconfig_dir is not None
    pc = (found.pkgconfig_dir / "numpy.pc").read_text()
    assert f"includedir={found.include_dir}\n" in pc and f"Version: {numpy.__version__}\n" in pc
    # Header-only packages need nothing; a project without numpy gets nothing.
    assert find_target_packages(X86_64, interp, ["pybind11", "nanobind"], [], work) == ()


def test_a_copy_that_does_not_match_target_requires_is_passed_over(
    tmp_path: Path, no_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    interp = conda_like_prefix(tmp_path / "prefix")
    with pytest.raises(CrosswheelError) as error:
        find_target_packages(X86_64, interp, ["numpy"], ["numpy<2"], tmp_path / "work")
    assert f"numpy {numpy.__version__} in the target Python does not match numpy<2" in (
        capsys.readouterr().err
    )
    assert "no wheel of numpy<2 for cp311 linux_x86_64 was found" in error.value.message


def test_no_target_copy_is_one_error_that_says_how_to_provide_one(
    tmp_path: Path, no_index: Path
) -> None:
    """The sysroot's numpy is the build machine's (x86_64): not the target's, not taken."""
    root = make_sysroot(tmp_path / "sysroot")
    dist_packages = root / "usr" / "lib" / "python3" / "dist-packages"
    dist_packages.mkdir(parents=True)
    (dist_packages / "numpy").symlink_to(HOST_NUMPY)
    interp = find_target_interpreter(AARCH64, str(root))
    with pytest.raises(CrosswheelError) as error:
        find_target_packages(AARCH64, interp, ["numpy"], [], tmp_path / "work")
    message, hint = error.value.message, str(error.value.hint)
    assert message.startswith("no numpy for aarch64-linux-gnu to build against: ")
    assert f"(looked in {dist_packages})" in message
    assert f"no wheel of numpy=={numpy.__version__} for cp311 linux_aarch64 was found" in message
    assert "No matching distribution found" in message  # pip's own words
    assert "pass it as target-python" in hint
    assert "--find-links folder (PIP_FIND_LINKS)" in hint
    assert "-C target-requires=numpy==VERSION" in hint


def test_the_targets_wheel_from_find_links_then_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Source 2: the target's wheel at the pinned version, unpacked into the work dir."""
    root = make_sysroot(tmp_path / "sysroot")
    interp = find_target_interpreter(AARCH64, str(root))
    wheel_file = target_wheel("numpy==2.2.6")  # from the index, cached for the tests
    no_index = only_find_links(tmp_path, monkeypatch)
    shutil.copy(wheel_file, no_index)
    first = find_target_packages(AARCH64, interp, ["numpy"], ["numpy==2.2.6"], tmp_path / "w1")
    shutil.rmtree(no_index)  # the second build finds it in crosswheel's cache
    second = find_target_packages(AARCH64, interp, ["numpy"], ["numpy==2.2.6"], tmp_path / "w2")
    wheel = "numpy-2.2.6-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl"
    assert first[0].origin == f"{wheel}, fetched with pip"
    assert second[0].origin == f"{wheel}, cached in {tmp_path}/cache/crosswheel/target-wheels"
    include = tmp_path / "w2" / "target-packages" / "numpy-2.2.6" / "numpy" / "_core" / "include"
    assert second[0].include_dir == include
    config_h = (include / "numpy" / "_numpyconfig.h").read_text()
    assert "#define NPY_API_VERSION 0x00000013" in config_h
    assert (include.parent / "lib" / "libnpymath.a").is_file()
    # scipy compiles f2py's fortranobject.c, which it finds relative to numpy's include dir.
    assert (include.parent.parent / "f2py" / "src" / "fortranobject.c").is_file()
    progress = capsys.readouterr().err
    assert f"crosswheel: numpy 2.2.6 for the target: {wheel}, fetched with pip" in progress
    assert f"(the build scripts run numpy {numpy.__version__})" in progress


def fake_target_numpy(tmp_path: Path, sysroot: Path | None) -> TargetPackage:
    include = tmp_path / "target-numpy" / "numpy" / "_core" / "include"
    (include / "numpy").mkdir(parents=True)
    (include / "numpy" / "arrayobject.h").write_text("/* the target's */\n")
    found = TargetPackage(
        C_API_PACKAGES["numpy"], "2.2.6", include.parent.parent, include, "a test"
    )
    return write_pkgconfig(found, tmp_path / "pkgconfig", sysroot)


def test_shimmed_processes_see_the_targets_numpy(tmp_path: Path) -> None:
    """get_include() (setup.py), numpy-config (Meson's config tool) and pkg-config."""
    require_tool("pkg-config", "pkgconf")
    sysroot = make_sysroot(tmp_path / "sysroot")
    interp = find_target_interpreter(AARCH64, str(sysroot))
    package = fake_target_numpy(tmp_path, sysroot)
    env = {
        **os.environ,
        **build_environment(
            AARCH64, interp, TOOLCHAIN, tmp_path, environ={}, target_packages=[package]
        ),
    }
    code = (
        "import json, numpy, numpy.lib._utils_impl as impl; "
        "print(json.dumps([numpy.get_include(), impl.get_include(), numpy.__version__, "
        "numpy.__file__, int(numpy.arange(4).sum())]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    include, impl_include, version, where, total = json.loads(out.stdout)
    assert include == impl_include == str(package.include_dir)
    # The build machine's numpy is the one that runs.
    assert (version, where, total) == (numpy.__version__, numpy.__file__, 6)

    config_tool = Path(sys.executable).parent / "numpy-config"
    answers = [
        subprocess.run(
            [str(config_tool), flag], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        for flag in ("--cflags", "--pkgconfigdir", "--version")
    ]
    assert answers == [f"-I{package.include_dir}", str(package.pkgconfig_dir), "2.2.6"]

    # pkg-config puts the sysroot before the path, which still leads to the headers.
    cflags = subprocess.run(
        ["pkg-config", "--cflags", "numpy"], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert cflags.startswith(f"-I{sysroot}/")
    assert Path(cflags[2:]).resolve() == package.include_dir.resolve()


def test_meson_and_cmake_are_told_the_targets_numpy(
    aarch64_build: CrossBuild,
    tmp_path: Path,
) -> None:
    package = fake_target_numpy(tmp_path, None)
    build = dataclasses.replace(aarch64_build, target_packages=(package,))
    assert f"pkg_config_path = ['{package.pkgconfig_dir}'" in cross_file(build, tmp_path)
    ScikitBuildCoreAdapter().config_settings(build, tmp_path, {})
    toolchain = (tmp_path / "crosswheel-toolchain.cmake").read_text()
    assert f'set(Python_NumPy_INCLUDE_DIR "{package.include_dir}" CACHE PATH "")' in toolchain


def test_cmake_findpython_numpy_finds_the_targets_headers(
    aarch64_build: CrossBuild,
    tmp_path: Path,
) -> None:
    """A real CMake configure with the toolchain file and the shimmed interpreter."""
    require_tool("cmake", "cmake")
    package = fake_target_numpy(tmp_path, None)
    build = dataclasses.replace(aarch64_build, target_packages=(package,))
    cross_environment(build, tmp_path)  # the shim's spec, for the launcher
    ScikitBuildCoreAdapter().config_settings(build, tmp_path, {})
    src = tmp_path / "src"
    src.mkdir()
    (src / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.18)\nproject(p C)\n"
        "find_package(Python REQUIRED COMPONENTS Interpreter Development.Module NumPy)\n"
        'message(STATUS "numpy-include=${Python_NumPy_INCLUDE_DIRS}")\n'
    )
    command = ["cmake", "-S", str(src), "-B", str(tmp_path / "b")]
    command += [f"-DCMAKE_TOOLCHAIN_FILE={tmp_path / 'crosswheel-toolchain.cmake'}"]
    command += [f"-DPython_EXECUTABLE={python_launcher(tmp_path)}"]
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"numpy-include={package.include_dir}\n" in out.stdout
