"""maturin: cargo's target, its linker, and PyO3's view of the target Python.

maturin is a Rust program, so the shim does not reach it; it learns the target
from ``--target`` (which also sets the wheel's platform tag), links with
``CARGO_TARGET_<TRIPLE>_LINKER``, and PyO3's build script reads the target
interpreter from ``PYO3_CROSS_LIB_DIR`` (a folder with its sysconfig data).
The Rust standard library for the target must be installed (``rustup target
add``): that is checked first, so a missing one is one message, not a cargo log.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from crosswheel.build.adapters._base import Adapter, Settings
from crosswheel.build.adapters._cross import append_setting, command_script, emulator
from crosswheel.errors import CrosswheelError

if TYPE_CHECKING:
    from crosswheel.target.names import Target
    from crosswheel.target.resolve import CrossBuild


def rust_triple(target: Target) -> str:
    """The Rust target triple for ``target`` (``rustc --print target-list`` spelling)."""
    return target.form(target.facts.rust_triple)


def cargo_env_name(triple: str) -> str:
    """``aarch64-unknown-linux-gnu`` -> ``AARCH64_UNKNOWN_LINUX_GNU`` (cargo's env spelling)."""
    return triple.upper().replace("-", "_").replace(".", "_")


def check_rust_std(triple: str, environ: Mapping[str, str]) -> Path:
    """The target's Rust standard library folder; a ``CrosswheelError`` says how to add it."""
    rustc = environ.get("RUSTC") or shutil.which("rustc")
    hint = f"rustup target add {triple}"
    if not rustc:
        raise CrosswheelError(
            "a Rust cross build needs rustc, and it is not on PATH",
            hint=f"install rustup (https://rustup.rs), then: {hint}",
        )
    try:
        out = subprocess.run(
            [rustc, "--print", "target-libdir", "--target", triple],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except OSError as exc:
        raise CrosswheelError(f"cannot run {rustc}: {exc}") from None
    if out.returncode != 0:
        raise CrosswheelError(
            f"rustc does not know the target {triple}: {out.stderr.strip()[-300:]}",
            hint="update Rust (rustup update), or build with a toolchain that has this target",
        )
    libdir = Path(out.stdout.strip())
    if not any(libdir.glob("libstd-*.rlib")):
        raise CrosswheelError(
            f"the Rust standard library for {triple} is not installed (no libstd in {libdir})",
            hint=hint,
        )
    return libdir


def pyo3_cross_lib_dir(build: CrossBuild, workdir: Path) -> Path:
    """A folder holding only the target's sysconfig data, for ``PYO3_CROSS_LIB_DIR``.

    Debian's ``/usr/lib/python3.X`` holds one ``_sysconfigdata`` per architecture,
    which PyO3 refuses as ambiguous; this folder has exactly the target's.
    """
    folder = workdir / "pyo3-cross-lib"
    folder.mkdir(exist_ok=True)
    source = build.interpreter.source
    link = folder / source.name
    if not link.exists():
        link.symlink_to(source)
    return folder


class MaturinAdapter(Adapter):
    """Adds ``--target`` to ``maturin.build-args`` and cargo's and PyO3's variables."""

    modules = ("maturin",)

    def config_settings(self, build: CrossBuild, workdir: Path, settings: Settings) -> Settings:
        settings = dict(settings)
        triple = rust_triple(build.target)
        check_rust_std(triple, os.environ)
        if "build-args" in settings and "maturin.build-args" not in settings:
            settings["maturin.build-args"] = settings.pop("build-args")
        append_setting(settings, "maturin.build-args", "--target", triple)
        return settings

    def environment(self, build: CrossBuild, workdir: Path) -> dict[str, str]:
        return cargo_environment(build, workdir)


def cargo_environment(build: CrossBuild, workdir: Path) -> dict[str, str]:
    """cargo's target and linker, the cc crate's compilers and PyO3's target Python.

    maturin and setuptools-rust both read ``CARGO_BUILD_TARGET`` and PyO3's variables.
    """
    triple = rust_triple(build.target)
    name = cargo_env_name(triple)
    underscored = triple.replace("-", "_")
    # cargo runs its linker as one program: zig's ``python -m ziglang cc -target ...``
    # becomes a script that runs it whole; a compiler with flags (``gcc -m32``) too.
    tool = build.toolchain.as_programs(workdir)
    cc = tool.cc
    argv = tool.cc_argv
    linker = argv[0] if len(argv) == 1 else str(command_script(workdir, "cargo-linker", argv))
    env = {
        "CARGO_BUILD_TARGET": triple,
        f"CARGO_TARGET_{name}_LINKER": linker,
        # The cc crate: the target's compilers by triple; build scripts keep the host's.
        f"CC_{underscored}": cc,
        f"CXX_{underscored}": tool.cxx,
        f"AR_{underscored}": tool.ar,
        "HOST_CC": os.environ.get("HOST_CC", "cc"),
        "HOST_CXX": os.environ.get("HOST_CXX", "c++"),
        "PYO3_CROSS_LIB_DIR": str(pyo3_cross_lib_dir(build, workdir)),
        "PYO3_CROSS_PYTHON_VERSION": build.interpreter.version_string,
        "PYO3_CROSS_PYTHON_IMPLEMENTATION": "CPython",
    }
    runner = emulator(build)
    if runner is not None:
        env[f"CARGO_TARGET_{name}_RUNNER"] = shlex.join(runner)
    return env
