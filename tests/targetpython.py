"""Real target CPythons for the tests: Debian's, unpacked into a sysroot, run under qemu-user.

``apt-get download`` + ``dpkg -x`` of the target's python3.X and its libraries
into one folder gives a sysroot that serves both as ``target-python`` for the
build and as the interpreter that imports the built wheel under qemu-user (no
binfmt_misc here, so the qemu binary is named explicitly).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

CACHE = Path(os.environ.get("CROSSWHEEL_TEST_CACHE", Path.home() / ".cache" / "crosswheel-tests"))
PY = "3.11"

PACKAGES = (
    f"python{PY}-minimal",
    f"libpython{PY}-minimal",
    f"libpython{PY}-stdlib",
    f"libpython{PY}",
    f"libpython{PY}-dev",
    "libc6",
    "libc6-dev",
    "linux-libc-dev",
    "libcrypt1",
    "libcrypt-dev",
    "libstdc++6",
    "libgcc-s1",
    "zlib1g",
    "libexpat1",
    "libffi8",
    "libssl3",
)

MULTIARCH = {
    "arm64": "aarch64-linux-gnu",
    "armhf": "arm-linux-gnueabihf",
    "i386": "i386-linux-gnu",
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

QEMU = {
    "arm64": "qemu-aarch64",
    "armhf": "qemu-arm",
    "i386": "qemu-i386",
    "s390x": "qemu-s390x",
    "ppc64el": "qemu-ppc64le",
    "amd64": "qemu-x86_64",
}


class Unavailable(Exception):
    """What the machine lacks to run a target Python (the message says what)."""


@dataclass(frozen=True)
class TargetPython:
    """A Debian CPython for another architecture, runnable here."""

    debian_arch: str
    root: Path

    @property
    def python(self) -> Path:
        return self.root / "usr" / "bin" / f"python{PY}"

    @property
    def qemu(self) -> str:
        return QEMU[self.debian_arch]

    def run(
        self, args: list[str], pythonpath: Path | None = None, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "QEMU_LD_PREFIX": str(self.root),
            "PYTHONHOME": str(self.root / "usr"),
            "PYTHONDONTWRITEBYTECODE": "1",
            "HOME": os.environ.get("HOME", "/root"),
        }
        if pythonpath is not None:
            env["PYTHONPATH"] = str(pythonpath)
        return subprocess.run(
            [self.qemu, str(self.python), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

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
                "python3",
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


def _fix_absolute_links(root: Path) -> None:
    """Re-point absolute symlinks (ppc64el's /lib64/ld64.so.2) into the sysroot."""
    for path in root.rglob("*"):
        if path.is_symlink():
            dest = os.readlink(path)
            if dest.startswith("/"):
                path.unlink()
                path.symlink_to(root / dest.lstrip("/"))


def _download(packages: tuple[str, ...], debian_arch: str, debs: Path) -> None:
    debs.mkdir(parents=True, exist_ok=True)
    for package in packages:
        if not list(debs.glob(f"{package}_*_{debian_arch}.deb")):
            result = subprocess.run(
                ["apt-get", "download", f"{package}:{debian_arch}"],
                cwd=debs,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise Unavailable(
                    f"apt-get download {package}:{debian_arch} failed (is the architecture "
                    f"added with dpkg --add-architecture {debian_arch} and apt-get update run?): "
                    f"{result.stderr.strip()[-300:]}"
                )


def target_python(debian_arch: str, extras: SysrootExtras | None = None) -> TargetPython:
    """A cached sysroot with Debian's CPython for ``debian_arch`` (made on first use).

    With ``extras``, a separate cached sysroot that also holds those packages.
    """
    if shutil.which(QEMU[debian_arch]) is None:
        raise Unavailable(f"{QEMU[debian_arch]} is not installed (apt-get install qemu-user)")
    name = f"sysroot-{debian_arch}" + (f"-{extras.name}" if extras else "")
    root = CACHE / name
    done = root / ".complete"
    if done.exists():
        return TargetPython(debian_arch, root)
    if shutil.which("apt-get") is None or shutil.which("dpkg") is None:
        raise Unavailable("apt-get and dpkg are needed to fetch the target's CPython")
    debs = CACHE / f"debs-{debian_arch}"
    _download(PACKAGES, debian_arch, debs)
    folders = [debs]
    if extras is not None:
        folders.append(CACHE / f"debs-{debian_arch}-{extras.name}")
        _download(extras.packages, debian_arch, folders[-1])
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    for folder in folders:
        for deb in sorted(folder.glob("*.deb")):
            subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    for link, dest in (extras.links if extras else {}).items():
        path = root / link.format(multiarch=MULTIARCH[debian_arch])
        path.unlink(missing_ok=True)
        path.symlink_to(dest.format(multiarch=MULTIARCH[debian_arch]))
    _fix_absolute_links(root)
    done.touch()
    return TargetPython(debian_arch, root)
