"""shim: family-specific facts (Android API level, platform.system(), libc) in a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crosswheel.build.environment import shim_spec, target_config_vars
from crosswheel.build.shim import ENV_VAR
from crosswheel.target.names import resolve_target
from helpers import ARM64_TOOLCHAIN as TOOLCHAIN
from helpers import arm64_interpreter

PROBE = r"""
import json, os, platform, sys, sysconfig
print(json.dumps({
    "sys_platform": sys.platform,
    "api": sys.getandroidapilevel() if hasattr(sys, "getandroidapilevel") else None,
    "system": platform.system(),
    "sysname": os.uname().sysname,
    "libc": list(platform.libc_ver()),
    "platform": sysconfig.get_platform(),
    "ANDROID_API_LEVEL": sysconfig.get_config_var("ANDROID_API_LEVEL"),
    "LDSHARED": sysconfig.get_config_var("LDSHARED"),
}))
"""


def probe(spec: dict[str, object], tmp_path: Path) -> dict[str, object]:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={"PATH": "/usr/bin:/bin", ENV_VAR: str(path)},
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "aarch64-linux-android26",
            {
                "sys_platform": "android",
                "api": 26,
                "system": "Android",
                "sysname": "Linux",
                "platform": "android-26-arm64_v8a",
                "ANDROID_API_LEVEL": 26,
                "libc": ["", ""],
            },
        ),
        (
            "manylinux2014_aarch64",
            {
                "sys_platform": "linux",
                "api": None,
                "system": "Linux",
                "sysname": "Linux",
                "platform": "linux-aarch64",
                "ANDROID_API_LEVEL": 0,
                "libc": ["glibc", "2.17"],
            },
        ),
        (
            "aarch64-linux-musl",
            {"sys_platform": "linux", "api": None, "system": "Linux", "libc": ["", ""]},
        ),
        (
            "arm64-apple-ios13.0",
            {
                "sys_platform": "ios",
                "system": "iOS",
                "sysname": "Darwin",
                "platform": "ios-13.0-arm64-iphoneos",
            },
        ),
        ("win_arm64", {"sys_platform": "win32", "system": "Windows", "platform": "win-arm64"}),
    ],
)
def test_family_facts_in_a_shimmed_process(
    name: str, expected: dict[str, object], tmp_path: Path
) -> None:
    target = resolve_target(name)
    seen = probe(shim_spec(target, arm64_interpreter(), TOOLCHAIN), tmp_path)
    for key, value in expected.items():
        assert seen[key] == value, key


def test_android_links_for_16k_pages() -> None:
    config = target_config_vars(
        resolve_target("android_24_arm64_v8a"), arm64_interpreter(), TOOLCHAIN
    )
    assert "-Wl,-z,max-page-size=16384" in str(config["LDSHARED"])
    glibc = target_config_vars(resolve_target("aarch64-linux-gnu"), arm64_interpreter(), TOOLCHAIN)
    assert "max-page-size" not in str(glibc["LDSHARED"])
