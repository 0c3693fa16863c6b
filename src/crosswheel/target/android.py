"""Android's own logic: finding the NDK's clang for a target and API level.

Everything else about Android is a row in ``families.FAMILIES``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from crosswheel.errors import CrosswheelError
from crosswheel.target.names import Target


def ndk_clang(target: Target, env: Mapping[str, str]) -> str:
    """The Android NDK's clang for ``target`` at its API level, or a message that says why not."""
    ndk = env.get("ANDROID_NDK_HOME") or env.get("ANDROID_NDK_ROOT") or env.get("ANDROID_NDK")
    if not ndk:
        raise CrosswheelError(
            f"no Android NDK for {target.triplet}: ANDROID_NDK_HOME is not set",
            hint=target.form(target.facts.compiler_hint),
        )
    bin_dir = Path(ndk) / "toolchains" / "llvm" / "prebuilt" / "linux-x86_64" / "bin"
    clang = bin_dir / f"{target.triplet}{target.api_level}-clang"
    if not clang.is_file():
        raise CrosswheelError(
            f"the Android NDK at {ndk} has no {clang.name} (looked in {bin_dir})",
            hint=f"API level {target.api_level} needs an NDK that supports it; "
            "set ANDROID_NDK_HOME to one",
        )
    return str(clang)


find_compiler = ndk_clang
"""The android row's hook (``families.family_hook``)."""
