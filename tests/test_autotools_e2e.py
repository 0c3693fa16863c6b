"""A setup.py that runs its bundled library's ``./configure`` without ``--host``, cross-built.

examples/setuptools-autotools is the shape of projects that vendor an autotools
library: crosswheel's ``CONFIG_SITE`` turns that configure into a cross configure,
and the wheel's extension reports what configure found, on the target, under qemu.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import require_target_python, require_tool
from helpers import crosswheel, only_wheel

pytestmark = pytest.mark.e2e

CASES = {
    # triplet: (debian arch, gcc package, canonical host, sizeof(long), sysroot target-python?)
    "aarch64-linux-gnu": ("arm64", "gcc-aarch64-linux-gnu", "aarch64-unknown-linux-gnu", 8, False),
    "arm-linux-gnueabihf": (
        "armhf",
        "gcc-arm-linux-gnueabihf",
        "arm-unknown-linux-gnueabihf",
        4,
        True,
    ),
}


@pytest.mark.parametrize("triplet", list(CASES))
def test_bundled_autotools_library_configures_for_the_target_and_runs_there(
    triplet: str,
    source_copy: Callable[[str], Path],
    frontend_env: dict[str, str],
    tmp_path: Path,
) -> None:
    debian_arch, package, host, long_size, sysroot = CASES[triplet]
    require_tool(f"{triplet}-gcc", package)
    python = require_target_python(debian_arch)
    src = source_copy("setuptools-autotools")
    settings = ["-C", f"target-python={python.root}"] if sysroot else []
    out = tmp_path / "out"
    result = crosswheel(
        "build", str(src), "--target", triplet, "-o", str(out), *settings, env=frontend_env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    wheel = only_wheel(out)
    site = tmp_path / "site"
    python.install(wheel, site)
    facts = json.loads(
        python.call("import crossanswer, json; print(json.dumps(crossanswer.facts()))", site)
    )
    assert facts == [host, long_size, 0, 1, long_size * 10 + 2]


PYCRYPTO = {
    # triplet: (debian arch, gcc package, wheel platform)
    "aarch64-linux-gnu": ("arm64", "gcc-aarch64-linux-gnu", "manylinux_2_17_aarch64"),
    "arm-linux-gnueabihf": ("armhf", "gcc-arm-linux-gnueabihf", "manylinux_2_17_armv7l"),
}


@pytest.mark.parametrize("triplet", list(PYCRYPTO))
def test_pycrypto_sdist_runs_its_bundled_configure_for_the_target(
    triplet: str, tmp_path: Path, frontend_env: dict[str, str]
) -> None:
    """pycrypto 2.6.1's setup.py runs ``sh configure`` (autoconf 2.68) without --host.

    Without the site file that configure stops ("cannot run C compiled programs").
    aarch64 with a multiarch target Python, armhf with a sysroot one. Its AES module
    is not called: pycrypto 2.6.1 predates Python 3.10's PY_SSIZE_T_CLEAN rule,
    which fails it natively too.
    """
    debian_arch, package, platform = PYCRYPTO[triplet]
    require_tool(f"{triplet}-gcc", package)
    python = require_target_python(debian_arch)
    settings = ["-C", f"target-python={python.root}"] if debian_arch == "armhf" else []
    out = tmp_path / "out"
    result = crosswheel(
        "build", "pycrypto==2.6.1", "--target", triplet, "-o", str(out), "-v", *settings,
        env=frontend_env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "checking whether we are cross compiling... yes" in result.stdout + result.stderr
    wheel = only_wheel(out)
    assert wheel.name == f"pycrypto-2.6.1-cp311-cp311-{platform}.whl"
    site = tmp_path / "site"
    python.install(wheel, site)
    digest = python.call(
        "from Crypto.Hash import SHA256; import Crypto.Cipher._AES as a;"
        "print(SHA256.new(b'abc').hexdigest(), a.__file__.rsplit('/', 1)[1])",
        site,
    )
    assert digest.split() == [
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        f"_AES.cpython-311-{triplet}.so",
    ]
