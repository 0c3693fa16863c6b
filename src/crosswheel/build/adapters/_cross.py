"""What several adapters share: the emulator, the target's root, the shimmed Python.

Build systems that run programs at build time (Meson's ``cc.run``, CMake's
``try_run``, FindPython) need a way to run target binaries and a Python that
answers as the target's; both are derived here from one ``CrossBuild``.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from crosswheel.build.environment import SPEC_FILE
from crosswheel.build.shim import ENV_VAR
from crosswheel.scripts import write_script
from crosswheel.target.runtime import qemu_command

if TYPE_CHECKING:
    from crosswheel.target.names import Target
    from crosswheel.target.resolve import CrossBuild


def target_root(build: CrossBuild) -> Path | None:
    """The folder that holds the target's libraries: its sysroot, or the cross toolchain's."""
    if build.interpreter.sysroot is not None:
        return build.interpreter.sysroot
    toolchain_root = Path("/usr") / build.target.triplet
    return toolchain_root if toolchain_root.is_dir() else None


def emulator(build: CrossBuild) -> list[str] | None:
    """A command that runs the target's Linux binaries here (qemu-user), if installed.

    Programs a build runs (Meson's compiler sanity checks) link the cross toolchain's
    own runtime (libgfortran, libquadmath), which lives beside the toolchain in
    ``/usr/<triplet>/lib``, not in the user's sysroot: they are found there after it,
    and after the libraries of ``target-system-packages`` (a check program that links
    the fetched OpenBLAS loads it from the overlay).
    """
    if build.target.facts.runner != "qemu-user":
        return None
    toolchain_lib = Path("/usr") / build.target.triplet / "lib"
    overlay = build.system_packages.library_dirs if build.system_packages else ()
    return qemu_command(build.target, target_root(build), also=[*overlay, toolchain_lib])


def qemu_package(target: Target) -> str:
    """What to install for :func:`emulator` (for messages)."""
    return "qemu-user"


def python_launcher(workdir: Path, name: str = "python-target") -> Path:
    """A script that runs this Python under the shim: the target's Python, for build tools.

    Meson and CMake start "the host's Python" to learn its paths and ABI; this one
    answers with the target's sysconfig variables, suffixes and platform.
    """
    spec = workdir / SPEC_FILE
    return write_script(
        workdir / name,
        "# crosswheel: the build machine's Python, answering as the target's.\n"
        f'{ENV_VAR}={shlex.quote(str(spec))} exec {shlex.quote(sys.executable)} "$@"\n',
    )


def command_script(workdir: Path, name: str, argv: list[str]) -> Path:
    """An executable that runs ``argv`` with its own arguments appended.

    Tools that take one program, not a command line (cargo's ``linker``), get this
    for a compound compiler such as ``python -m ziglang cc -target ...``.
    """
    return write_script(workdir / name, f'# crosswheel: {name}\nexec {shlex.join(argv)} "$@"\n')


def append_setting(settings: dict[str, str | list[str]], key: str, *values: str) -> None:
    """Add ``values`` to a config setting the user may have given as a string or a list.

    The adapter's values go first, so the user's own (later) arguments win.
    """
    old = settings.get(key)
    user = [] if old is None else [old] if isinstance(old, str) else list(old)
    settings[key] = [*values, *user]
