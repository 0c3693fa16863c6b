"""Where packagers work: each system's layout reproduced here, the bundled C example built
with ``crosswheel build`` as that system's recipe would run it, and run under qemu.

- conda-forge: the target Python in ``$PREFIX`` (not ``/usr``-style), compilers from
  ``$CC``/``$CXX``/``$AR`` as conda's activation sets them (wrapper scripts with conda's
  names), conda's ``CFLAGS``/``CPPFLAGS``/``LDFLAGS``, build requirements in the
  environment (``--no-isolation``, as conda recipes build).
- Yocto and Buildroot: a staging sysroot as ``target-python``, ``CC`` carrying its own
  ``--sysroot=``, the recipe's ``CFLAGS``/``LDFLAGS``, no index (``PIP_NO_INDEX=1``),
  ``--no-isolation``; a missing build requirement is an error, not a download.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Callable

import pytest

from conftest import require_target_python, require_tool
from helpers import crosswheel, only_wheel
from packager_layouts import compiler_wrapper, conda_prefix
from targetpython import TargetPython

pytestmark = pytest.mark.e2e

CALL = "import crossdemo, json; print(json.dumps([crossdemo.add(2, 40), crossdemo.build_info()]))"
UNREACHABLE_INDEX = "http://127.0.0.1:9/simple"


def runs_on(python: TargetPython, wheel: Path, site: Path, machine: str, bits: int) -> None:
    python.install(wheel, site)
    result, info = json.loads(python.call(CALL, site))
    assert result == 42
    assert info["build_machine"] == machine and info["pointer_bits"] == bits, info


def test_conda_forge_prefix_and_compiler_wrappers(
    tmp_path: Path,
    arm64_python: TargetPython,
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
) -> None:
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    prefix = conda_prefix(tmp_path / "host_env", arm64_python.root, "aarch64-linux-gnu")
    bin_dir = tmp_path / "build_env" / "bin"
    log = tmp_path / "cc.log"
    conda = "aarch64-conda-linux-gnu"
    cc = compiler_wrapper(bin_dir, f"{conda}-cc", "aarch64-linux-gnu-gcc", log, conda)
    cxx = compiler_wrapper(bin_dir, f"{conda}-c++", "aarch64-linux-gnu-g++", log, conda)
    ar = compiler_wrapper(bin_dir, "aarch64-conda-linux-gnu-ar", "aarch64-linux-gnu-ar")
    # What conda's compiler activation exports for a cross build (host env = $PREFIX).
    env = {
        **frontend_env,
        "PREFIX": str(prefix),
        "PATH": f"{bin_dir}:{frontend_env['PATH']}",
        "CC": str(cc),
        "CXX": str(cxx),
        "AR": str(ar),
        "CFLAGS": f"-ftree-vectorize -fPIC -fstack-protector-strong -O2 -pipe -isystem {prefix}"
        "/include",
        "CPPFLAGS": f"-DNDEBUG -D_FORTIFY_SOURCE=2 -O2 -isystem {prefix}/include",
        "LDFLAGS": "-Wl,-O2 -Wl,--sort-common -Wl,--as-needed -Wl,-z,relro -Wl,-z,now "
        f"-Wl,--disable-new-dtags -Wl,-rpath,{prefix}/lib -Wl,-rpath-link,{prefix}/lib "
        f"-L{prefix}/lib",
    }
    out = tmp_path / "out"
    result = crosswheel(
        "build",
        str(source_copy("setuptools-c")),
        "--no-isolation",
        "-v",
        "--target",
        "linux-aarch64",  # conda's $target_platform
        "-C",
        f"target-python={prefix}",
        "-o",
        str(out),
        env=env,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert f"compiler: {cc} (builds for {conda})" in result.stderr
    assert f"from {prefix}/lib/python3.11/_sysconfigdata__linux_aarch64-linux-gnu.py" in (
        result.stderr
    )
    compiled = log.read_text()
    assert "_native.c" in compiled, "the extension was not compiled by $CC"
    assert f"-I{prefix}/include/python3.11" in compiled
    # Nothing from the build machine's headers: the prefix is not /usr-style.
    assert "/usr/include" not in compiled
    runs_on(arm64_python, only_wheel(out), tmp_path / "site", "aarch64", 64)


def yocto_env(frontend_env: dict[str, str], root: Path) -> dict[str, str]:
    """What a Yocto/Buildroot recipe exports: the sysroot inside CC, its flags, no index."""
    sysroot = f"--sysroot={root}"
    return {
        **frontend_env,
        "CC": f"arm-linux-gnueabihf-gcc -mfloat-abi=hard -mfpu=neon {sysroot}",
        "CXX": f"arm-linux-gnueabihf-g++ -mfloat-abi=hard -mfpu=neon {sysroot}",
        "CFLAGS": "-O2 -pipe -g -feliminate-unused-debug-types",
        "LDFLAGS": "-Wl,-O1 -Wl,--hash-style=gnu -Wl,--as-needed -Wl,-z,relro,-z,now",
        "PIP_NO_INDEX": "1",
        "PIP_INDEX_URL": UNREACHABLE_INDEX,
    }


def yocto_build(
    project: Path, python: TargetPython, out: Path, frontend_env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """``crosswheel build`` as a Yocto/Buildroot recipe runs it: the sysroot, no isolation."""
    return crosswheel(
        "build",
        str(project),
        "--no-isolation",
        "-v",
        "-t",
        "arm-linux-gnueabihf",
        "-C",
        f"target-python={python.root}",
        "-o",
        str(out),
        env=yocto_env(frontend_env, python.root),
    )


def test_yocto_buildroot_sysroot_without_network(
    tmp_path: Path, source_copy: Callable[[str], Path], frontend_env: dict[str, str]
) -> None:
    require_tool("arm-linux-gnueabihf-gcc", "gcc-arm-linux-gnueabihf")
    python = require_target_python("armhf")
    out = tmp_path / "out"
    result = yocto_build(source_copy("setuptools-c"), python, out, frontend_env)
    assert result.returncode == 0, result.stderr[-4000:]
    assert (
        f"compiler: arm-linux-gnueabihf-gcc -mfloat-abi=hard -mfpu=neon --sysroot={python.root}"
        in result.stderr
    )
    assert f"--sysroot={python.root}" in result.stderr  # on setuptools' compile lines
    assert "-feliminate-unused-debug-types" in result.stderr  # the recipe's CFLAGS
    wheel = only_wheel(out)
    assert wheel.name.endswith("_armv7l.whl")
    runs_on(python, wheel, tmp_path / "site", "armv7l", 32)


def test_yocto_missing_build_requirement_is_an_error_not_a_download(
    tmp_path: Path, source_copy: Callable[[str], Path], frontend_env: dict[str, str]
) -> None:
    require_tool("arm-linux-gnueabihf-gcc", "gcc-arm-linux-gnueabihf")
    python = require_target_python("armhf")
    project = source_copy("setuptools-c")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            '"setuptools>=77"]', '"setuptools>=77", "recipe-forgot-this>=1.0"]'
        )
    )
    out = tmp_path / "out"
    result = yocto_build(project, python, out, frontend_env)
    assert result.returncode == 1
    assert "crosswheel: error: missing build requirements: recipe-forgot-this>=1.0" in (
        result.stderr
    )
    assert "hint: install them" in result.stderr
    assert "Traceback" not in result.stderr
    assert UNREACHABLE_INDEX not in result.stderr and "Collecting" not in result.stderr
    assert not out.exists() or not list(out.iterdir())
