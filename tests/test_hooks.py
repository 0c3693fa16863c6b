"""Every PEP 517 hook, mandatory and optional, called the way frontends call them.

crosswheel is the backend; the inner backend is real setuptools, in a subprocess.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Callable

import pytest
from pyproject_hooks import BuildBackendHookCaller

from conftest import require_tool

TARGET = {"target": "aarch64-linux-gnu"}


def caller(src: Path) -> BuildBackendHookCaller:
    return BuildBackendHookCaller(str(src), "crosswheel", python_executable=sys.executable)


def test_metadata_then_wheel_with_target(
    source_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    hooks = caller(source_copy("setuptools-c"))
    requires = hooks.get_requires_for_build_wheel(TARGET)
    assert isinstance(requires, list)
    meta_dir = tmp_path / "meta"
    meta_dir.mkdir()
    dist_info = hooks.prepare_metadata_for_build_wheel(str(meta_dir), TARGET)
    assert dist_info == "crossdemo-1.0.0.dist-info"
    assert "Name: crossdemo" in (meta_dir / dist_info / "METADATA").read_text()
    out = tmp_path / "out"
    name = hooks.build_wheel(str(out), TARGET, metadata_directory=str(meta_dir / dist_info))
    assert name.endswith("_aarch64.whl")
    assert sorted(p.name for p in out.iterdir()) == [name]


def test_requires_add_what_the_cross_toolchain_needs(
    source_copy: Callable[[str], Path],
) -> None:
    """``toolchain=zig`` needs ziglang in the build environment: the hook asks for it."""
    hooks = caller(source_copy("setuptools-c"))
    plain = hooks.get_requires_for_build_wheel(TARGET)
    with_zig = hooks.get_requires_for_build_wheel({**TARGET, "toolchain": "zig"})
    assert "ziglang" not in plain
    assert with_zig == [*plain, "ziglang"]


def test_sdist_is_the_inner_backends(source_copy: Callable[[str], Path], tmp_path: Path) -> None:
    hooks = caller(source_copy("setuptools-c"))
    assert isinstance(hooks.get_requires_for_build_sdist(TARGET), list)
    name = hooks.build_sdist(str(tmp_path), TARGET)
    assert name == "crossdemo-1.0.0.tar.gz"
    with tarfile.open(tmp_path / name) as sdist:
        names = sdist.getnames()
    assert "crossdemo-1.0.0/src/crossdemo/_native.c" in names
    assert "crossdemo-1.0.0/setup.py" in names


def test_editable_pass_through(source_copy: Callable[[str], Path], tmp_path: Path) -> None:
    hooks = caller(source_copy("setuptools-c"))
    assert isinstance(hooks.get_requires_for_build_editable(), list)
    meta_dir = tmp_path / "meta"
    meta_dir.mkdir()
    assert hooks.prepare_metadata_for_build_editable(str(meta_dir)).endswith(".dist-info")
    name = hooks.build_editable(str(tmp_path / "out"))
    assert name.startswith("crossdemo-1.0.0-") and name.endswith(".whl")
    with zipfile.ZipFile(tmp_path / "out" / name) as wheel:
        assert any(n.endswith(".pth") or "editable" in n for n in wheel.namelist())


def test_in_tree_inner_backend(source_copy: Callable[[str], Path], tmp_path: Path) -> None:
    """backend-path works as PEP 517 defines it for in-tree backends."""
    src = source_copy("setuptools-c")
    (src / "_custom").mkdir()
    (src / "_custom" / "my_backend.py").write_text(
        "from setuptools.build_meta import *  # noqa\n"
        "from setuptools import build_meta as _b\n"
        "def build_sdist(d, c=None):\n"
        "    name = _b.build_sdist(d, c)\n"
        "    open(d + '/in-tree-was-here', 'w').close()\n"
        "    return name\n"
    )
    pyproject = src / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'backend = "setuptools.build_meta"',
            'backend = "my_backend"\nbackend-path = ["_custom"]',
        )
    )
    out = tmp_path / "out"
    name = caller(src).build_sdist(str(out))
    assert name == "crossdemo-1.0.0.tar.gz"
    # The inner backend wrote its marker into crosswheel's temporary folder, which is gone.
    assert sorted(p.name for p in out.iterdir()) == [name]


def test_hook_errors_exit_without_traceback(
    source_copy: Callable[[str], Path], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    hooks = caller(source_copy("setuptools-c"))
    with pytest.raises(subprocess.CalledProcessError):
        hooks.get_requires_for_build_wheel({"target": "sparc-linux-gnu"})
    err = capfd.readouterr().err
    assert "crosswheel: error: unknown target 'sparc-linux-gnu'" in err
    assert "Traceback" not in err


def test_requirement_and_metadata_hooks_write_no_cross_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only ``build_wheel`` adapts: no CMake toolchain file, no fetched target CPython before."""
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    from crosswheel import backend
    from crosswheel.config import CrossConfig, InnerBackend
    from crosswheel.target.resolve import resolve_cross_build

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    config = CrossConfig(inner=InnerBackend("scikit_build_core.build"), target="aarch64-linux-gnu")
    build = resolve_cross_build(config)
    light, heavy = tmp_path / "light", tmp_path / "heavy"
    light.mkdir()
    heavy.mkdir()
    _, settings = backend._caller(config, build, light, tmp_path, adapt=False)
    assert settings == {} and sorted(p.name for p in light.iterdir()) == [
        "crosswheel-config.site",
        "crosswheel-target.json",
    ]
    assert not (tmp_path / "cache").exists()  # nothing fetched
    monkeypatch.delenv("XDG_CACHE_HOME")  # the build path may use what earlier tests fetched
    _, settings = backend._caller(config, build, heavy, tmp_path)
    assert "crosswheel-toolchain.cmake" in {p.name for p in heavy.iterdir()}
    assert settings  # the toolchain file is handed to scikit-build-core
