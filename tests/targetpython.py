"""Real target CPythons for the tests: Debian's, unpacked into a sysroot, run under qemu-user.

The product's own machinery (``crosswheel.target.runtime``) fetches and runs
them; the tests add the headers and ``libc6-dev``, so that the same folder is a
sysroot to build against (``target-python``) and the interpreter that installs
and imports the built wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from crosswheel.errors import CrosswheelError
from crosswheel.target.names import Target, resolve_target
from crosswheel.target.runtime import (
    TargetRuntime,
    fetch_debian_python,
    runtime_in,
)

CACHE = Path(os.environ.get("CROSSWHEEL_TEST_CACHE", Path.home() / ".cache" / "crosswheel-tests"))
PY = "3.11"

BUILD_PACKAGES = (
    f"libpython{PY}",
    f"libpython{PY}-dev",
    "libc6-dev",
    "linux-libc-dev",
    "libcrypt-dev",
)
"""What makes the fetched interpreter's folder a sysroot to build against."""

TRIPLETS = {
    "arm64": "aarch64-linux-gnu",
    "armhf": "arm-linux-gnueabihf",
    "i386": "i686-linux-gnu",
    "s390x": "s390x-linux-gnu",
    "ppc64el": "powerpc64le-linux-gnu",
    "amd64": "x86_64-linux-gnu",
}


@dataclass(frozen=True)
class SysrootExtras:
    """More Debian packages for a sysroot, and the links dpkg's maintainer scripts would make.

    ``links`` maps a path in the sysroot to where it points; ``{multiarch}`` in
    either stands for the architecture's multiarch triplet.
    """

    name: str
    """Names the cached sysroot (``sysroot-armhf-<name>``)."""
    packages: tuple[str, ...]
    links: Mapping[str, str] = field(default_factory=dict)


NUMPY = SysrootExtras(
    "numpy",
    ("python3-numpy", "libblas3", "liblapack3", "libgfortran5"),
    {
        # What update-alternatives would make for libblas3 and liblapack3.
        "usr/lib/{multiarch}/libblas.so.3": "blas/libblas.so.3",
        "usr/lib/{multiarch}/liblapack.so.3": "lapack/liblapack.so.3",
    },
)
"""Debian's numpy (1.24 in bookworm) installed in the target's sysroot."""


class Unavailable(Exception):
    """What the machine lacks to run a target Python (the message says what)."""


@dataclass(frozen=True)
class TargetPython:
    """A Debian CPython for another architecture, runnable here."""

    debian_arch: str
    root: Path

    @property
    def target(self) -> Target:
        return resolve_target(TRIPLETS[self.debian_arch])

    @cached_property
    def runtime(self) -> TargetRuntime:
        found = runtime_in(self.target, self.root, PY)
        if found is None:
            raise Unavailable(f"no python{PY} for {self.debian_arch} in {self.root}")
        return found

    @property
    def python(self) -> Path:
        return self.runtime.python

    def run(
        self, args: list[str], pythonpath: Path | None = None, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        paths = [pythonpath] if pythonpath is not None else []
        return self.runtime.run(args, pythonpath=paths, timeout=timeout)

    def install(self, wheel: Path, into: Path) -> None:
        """Install ``wheel`` with pip running *on the target*, so pip checks its tags there."""
        pip = pip_wheel()
        result = self.run(
            [
                f"{pip}/pip",
                "install",
                "--no-deps",
                "--no-index",
                "--disable-pip-version-check",
                "--no-compile",
                "--target",
                str(into),
                str(wheel),
            ]
        )
        if result.returncode != 0:
            raise AssertionError(
                f"pip on {self.debian_arch} refused {wheel.name}:\n{result.stdout}\n{result.stderr}"
            )

    def call(self, code: str, site: Path) -> str:
        """Run ``code`` on the target with ``site`` on its path; return stdout."""
        result = self.run(["-c", code], pythonpath=site)
        if result.returncode != 0:
            raise AssertionError(f"on {self.debian_arch}: {result.stderr}")
        return result.stdout


def pip_wheel() -> Path:
    """pip's own wheel, which runs as a zip on any interpreter."""
    folder = CACHE / "pip"
    found = sorted(folder.glob("pip-*.whl"))
    if not found:
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "-d",
                str(folder),
                "pip",
            ],
            check=True,
            capture_output=True,
        )
        found = sorted(folder.glob("pip-*.whl"))
    return found[-1]


def target_python(debian_arch: str, extras: SysrootExtras | None = None) -> TargetPython:
    """A cached sysroot with Debian's CPython for ``debian_arch`` (made on first use).

    With ``extras``, a separate cached sysroot that also holds those packages.
    """
    target = resolve_target(TRIPLETS[debian_arch])
    qemu = target.arch.qemu_user
    if shutil.which(qemu) is None and debian_arch not in ("amd64", "i386"):
        raise Unavailable(f"{qemu} is not installed (apt-get install qemu-user)")
    try:
        name = f"sysroot-{debian_arch}" + (f"-{extras.name}" if extras else "")
        packages = BUILD_PACKAGES + (extras.packages if extras else ())
        root = fetch_debian_python(debian_arch, PY, CACHE / name, packages)
        for link, dest in (extras.links if extras else {}).items():
            path = root / link.format(multiarch=target.multiarch)
            if not path.is_symlink():
                path.unlink(missing_ok=True)
                path.symlink_to(dest.format(multiarch=target.multiarch))
        python = TargetPython(debian_arch, root)
        python.runtime  # noqa: B018 (finds the interpreter and how to run it)
    except CrosswheelError as exc:
        raise Unavailable(str(exc)) from None
    return python
