"""shim: a real Python process, started with the spec, answers as the target.

Each assertion is one row of the README's shim table. The processes are real
interpreters with crosswheel's ``.pth`` in their site-packages, as in a build.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crosswheel.build.environment import build_environment, shim_spec
from crosswheel.build.shim import ENV_VAR
from crosswheel.target.names import resolve_target
from helpers import ARM64_TOOLCHAIN as TOOLCHAIN
from helpers import arm64_interpreter

PROBE = r"""
import importlib.machinery, json, os, platform, subprocess, sys, sysconfig
child = subprocess.run([sys.executable, "-c", "import sys; print(sys.implementation._multiarch)"],
                       capture_output=True, text=True, check=True).stdout.strip()
import _decimal, _ctypes  # the build machine's own C extensions still import
print(json.dumps({
    "EXT_SUFFIX": sysconfig.get_config_var("EXT_SUFFIX"),
    "SOABI": sysconfig.get_config_var("SOABI"),
    "MULTIARCH": sysconfig.get_config_var("MULTIARCH"),
    "SIZEOF_VOID_P": sysconfig.get_config_var("SIZEOF_VOID_P"),
    "CC": sysconfig.get_config_var("CC"),
    "LDSHARED": sysconfig.get_config_var("LDSHARED"),
    "AR": sysconfig.get_config_var("AR"),
    "ANDROID_API_LEVEL": sysconfig.get_config_var("ANDROID_API_LEVEL"),
    "INCLUDEPY": sysconfig.get_config_var("INCLUDEPY"),
    "prefix_var": sysconfig.get_config_var("prefix"),
    "include": sysconfig.get_path("include"),
    "purelib": sysconfig.get_path("purelib"),
    "config_h": sysconfig.get_config_h_filename(),
    "platform": sysconfig.get_platform(),
    "suffixes": importlib.machinery.EXTENSION_SUFFIXES,
    "all_suffixes": importlib.machinery.all_suffixes(),
    "multiarch": sys.implementation._multiarch,
    "abiflags": sys.abiflags,
    "sys_platform": sys.platform,
    "byteorder": sys.byteorder,
    "maxsize": sys.maxsize,
    "machine": platform.machine(),
    "uname_machine": platform.uname().machine,
    "os_uname_machine": os.uname().machine,
    "architecture": platform.architecture()[0],
    "executable": sys.executable,
    "prefix": sys.prefix,
    "child_multiarch": child,
}))
"""


def probe(env_extra: dict[str, str]) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != ENV_VAR}
    env.update(env_extra)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    result: dict[str, object] = json.loads(out.stdout)
    return result


@pytest.fixture(scope="module")
def host() -> dict[str, object]:
    return probe({})


def test_shimmed_process_sees_the_target(tmp_path: Path, host: dict[str, object]) -> None:
    interp = arm64_interpreter()
    target = resolve_target("aarch64-linux-gnu")
    env = build_environment(target, interp, TOOLCHAIN, tmp_path, environ={})
    seen = probe(env)
    assert seen["EXT_SUFFIX"] == interp.ext_suffix != host["EXT_SUFFIX"]
    assert seen["SOABI"] == interp.soabi
    assert seen["MULTIARCH"] == seen["multiarch"] == "aarch64-linux-gnu"
    assert seen["SIZEOF_VOID_P"] == 8
    assert seen["CC"] == "aarch64-linux-gnu-gcc"
    assert str(seen["LDSHARED"]).startswith("aarch64-linux-gnu-gcc -shared")
    assert seen["AR"] == "aarch64-linux-gnu-ar"
    assert seen["ANDROID_API_LEVEL"] == 0
    assert seen["INCLUDEPY"] == seen["include"] == str(interp.include_dir)
    assert seen["config_h"] == str(interp.config_h)
    assert seen["platform"] == "linux-aarch64"
    assert seen["suffixes"] == list(interp.extension_suffixes)
    assert interp.ext_suffix in seen["all_suffixes"]  # type: ignore[operator]
    assert seen["machine"] == seen["uname_machine"] == seen["os_uname_machine"] == "aarch64"
    assert seen["sys_platform"] == "linux"
    assert seen["child_multiarch"] == "aarch64-linux-gnu"  # subprocesses are shimmed too
    # The running environment stays the build machine's.
    for key in ("executable", "prefix", "prefix_var", "purelib"):
        assert seen[key] == host[key], key


def test_32_bit_and_big_endian_facts(tmp_path: Path, host: dict[str, object]) -> None:
    interp = arm64_interpreter()
    for name, byteorder, bits in (
        ("s390x-linux-gnu", "big", 64),
        ("arm-linux-gnueabihf", "little", 32),
    ):
        target = resolve_target(name)
        spec = shim_spec(target, interp, TOOLCHAIN)
        spec_path = tmp_path / f"{target.triplet}.json"
        spec_path.write_text(json.dumps(spec))
        seen = probe({ENV_VAR: str(spec_path)})
        assert seen["byteorder"] == byteorder
        assert seen["architecture"] == f"{bits}bit"
        assert seen["machine"] == target.machine
        expected_max = host["maxsize"] if bits == 64 else 2**31 - 1
        assert seen["maxsize"] == expected_max


def test_unreadable_spec_warns_and_leaves_the_host(tmp_path: Path, host: dict[str, object]) -> None:
    env = {k: v for k, v in os.environ.items() if k != ENV_VAR}
    env[ENV_VAR] = str(tmp_path / "missing.json")
    out = subprocess.run(
        [sys.executable, "-c", "import sysconfig; print(sysconfig.get_platform())"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "cannot read the cross-build spec" in out.stderr
    assert out.stdout.strip() == host["platform"]


def test_no_variable_no_shim(host: dict[str, object]) -> None:
    assert host["multiarch"] == sys.implementation._multiarch
    assert host["EXT_SUFFIX"] != ".cpython-311-aarch64-linux-gnu.so"


def test_the_packaged_pth_file_is_the_shims_own_line() -> None:
    from crosswheel.build.shim import PTH_TEXT

    packaged = Path(__file__).resolve().parents[1] / "src" / "crosswheel-shim.pth"
    assert packaged.read_text(encoding="utf-8") == PTH_TEXT


def test_numpys_long_double_names_are_the_targets() -> None:
    """h5py asks ``hasattr(numpy, "complex256")``: armhf's long double is a double."""
    from types import SimpleNamespace

    from crosswheel.build.shim import _patch_long_double_names

    def numpy_like() -> SimpleNamespace:
        return SimpleNamespace(float64=1, float128=2, complex256=3, longdouble=2)

    armhf = numpy_like()
    _patch_long_double_names(armhf, {"config_vars": {"SIZEOF_LONG_DOUBLE": 8}})
    assert sorted(vars(armhf)) == ["float64", "longdouble"]
    aarch64 = numpy_like()
    _patch_long_double_names(aarch64, {"config_vars": {"SIZEOF_LONG_DOUBLE": 16}})
    assert sorted(vars(aarch64)) == ["complex256", "float128", "float64", "longdouble"]
    i686 = numpy_like()
    _patch_long_double_names(i686, {"config_vars": {"SIZEOF_LONG_DOUBLE": 12}})
    assert "complex256" not in vars(i686)
    unknown = numpy_like()
    _patch_long_double_names(unknown, {"config_vars": {}})
    assert "complex256" in vars(unknown)
