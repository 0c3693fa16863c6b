"""A runnable target CPython: the target's own interpreter, started on this machine.

Proving a wheel (``crosswheel test``) and build steps that import what they just
built (nanobind's stub generation) need the target's interpreter, not a shimmed
build Python. It comes from ``target-python`` when that prefix or sysroot holds a
``bin/python3.X``; otherwise, on Debian/Ubuntu, Debian's CPython for the target
architecture is fetched once into the user's cache (``apt-get download`` and
``dpkg -x``, no root). It runs natively when this machine can (the same
architecture, or i686 on x86_64 through the sysroot's own loader) and under
qemu-user otherwise (no binfmt_misc needed: the qemu binary is named).
"""

from __future__ import annotations

import os
import platform
import shlex
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile

from crosswheel.errors import CrosswheelError
from crosswheel.report import info
from crosswheel.scripts import write_script
from crosswheel.target.cache import is_complete, make_once, user_cache, while_unchanged
from crosswheel.target.interpreter import TargetInterpreter
from crosswheel.target.names import Target

NATIVE_ALSO = {"x86_64": ("i686",), "aarch64": ()}
"""Target machines a build machine runs without emulation, besides its own."""

DEBIAN_PACKAGES = ("python{v}-minimal", "libpython{v}-minimal", "libpython{v}-stdlib", "libc6")
"""What Debian's interpreter cannot start without."""
DEBIAN_LIBRARIES = (
    "libgcc-s1",
    "libstdc++6",
    "zlib1g",
    "libexpat1",
    "libffi8",
    "libssl3",
    "libcrypt1",
    "libbz2-1.0",
    "liblzma5",
    "libmpdec3",
    "libuuid1",
    "libsqlite3-0",
)
"""Libraries stdlib modules and C++ extensions load; fetched when the release has them."""

_DROPPED_ENV = (
    "PYTHONHOME",
    "PYTHONPATH",
    "PYTHONSTARTUP",
    "PYTHONUSERBASE",
    "PYTHONEXECUTABLE",
    "VIRTUAL_ENV",
    "CROSSWHEEL_SHIM",
    "_PYTHON_HOST_PLATFORM",
    "_PYTHON_SYSCONFIGDATA_NAME",
    "_PYTHON_SYSCONFIGDATA_PATH",
    "_PYTHON_PROJECT_BASE",
    "QEMU_LD_PREFIX",
)
"""The build machine's Python settings, which would mislead the target's interpreter."""


@dataclass(frozen=True)
class TargetRuntime:
    """The target's CPython and how to start it here."""

    target: Target
    python: Path
    """The interpreter's executable, a binary for the target."""
    home: Path | None
    """Its ``PYTHONHOME`` (the prefix holding ``lib/python3.X``); None for this machine's own."""
    runner: tuple[str, ...]
    """What starts it: qemu-user and its options, the sysroot's loader, or nothing."""
    main_module: Path | None = None
    """The WebAssembly main module extensions link against (Pyodide's), when there is one."""

    @property
    def emulated(self) -> bool:
        return bool(self.runner) and Path(self.runner[0]).name.startswith(("qemu-", "wine"))

    @property
    def wine(self) -> bool:
        """Whether wine runs it: paths are ``Z:\\...``, and all three std streams must be pipes."""
        return bool(self.runner) and Path(self.runner[0]).name.startswith("wine")

    def target_paths(self, paths: Sequence[Path | str]) -> str:
        """``paths`` as the target's ``PYTHONPATH`` spells them."""
        if self.wine:
            return ";".join("Z:" + str(p).replace("/", "\\") for p in paths)
        return os.pathsep.join(str(p) for p in paths)

    def command(self, *args: str) -> list[str]:
        return [*self.runner, str(self.python), *args]

    def environment(
        self, pythonpath: Sequence[Path] = (), base: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        """``base`` (default: ours) without the build Python's settings, plus the target's."""
        env = {k: v for k, v in (os.environ if base is None else base).items()}
        for name in _DROPPED_ENV:
            env.pop(name, None)
        if self.home is not None:
            env["PYTHONHOME"] = str(self.home)
        if pythonpath:
            env["PYTHONPATH"] = self.target_paths(pythonpath)
        env["PYTHONNOUSERSITE"] = "1"  # the user's site-packages hold build-machine code
        if self.wine:
            env.update(wine_environment())
        return env

    def run(
        self,
        args: Sequence[str],
        pythonpath: Sequence[Path] = (),
        cwd: Path | None = None,
        timeout: float | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run the interpreter with ``args`` and capture its output."""
        return subprocess.run(
            self.command(*args),
            env=self.environment(pythonpath),
            cwd=cwd,
            input="",  # a pipe: under wine CPython cannot start on a file or /dev/null
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def write_launcher(self, path: Path, pythonpath: Sequence[Path | str] = ()) -> Path:
        """A shell script that runs the target's interpreter with ``pythonpath``.

        Build tools and test commands start "python" as a program; this one is
        the target's, whatever emulator or loader it needs.
        """
        settings = [f"PYTHONPATH={shlex.quote(self.target_paths(pythonpath))}"]
        if self.home is not None:
            settings.append(f"PYTHONHOME={shlex.quote(str(self.home))}")
        if self.wine:
            settings += [f"{k}={shlex.quote(v)}" for k, v in wine_environment().items()]
        unset = " ".join(n for n in _DROPPED_ENV if n not in ("PYTHONHOME", "PYTHONPATH"))
        command = " ".join(shlex.quote(word) for word in self.command())
        run = f'exec {command} "$@"'
        if self.wine:
            # stdin, stdout and stderr all pipes (stderr joins stdout); the status kept.
            run = (
                "exec 3>&1\n"
                f'status=$( {{ {{ cat /dev/null | {command} "$@" 2>&1; echo $? >&4; }} '
                "| cat >&3; } 4>&1 )\n"
                'exit "$status"'
            )
        return write_script(
            path,
            f"# crosswheel: the target's CPython ({self.describe()}).\n"
            f"unset {unset}\n"
            f"export {' '.join(settings)} PYTHONNOUSERSITE=1\n{run}\n",
        )

    def describe(self) -> str:
        if self.main_module is not None:
            from crosswheel.target import pyodide  # here: imported for Pyodide targets only

            version = pyodide.runtime_version(self.main_module.parent)
            return f"Pyodide {version} under node ({self.python})"
        how = (
            f"under {Path(self.runner[0]).name}"
            if self.emulated
            else "natively"
            if not self.runner
            else "natively through its loader"
        )
        return f"{self.python} {how}"


@while_unchanged
def _elf_header(path: Path) -> tuple[str, int, str | None] | None:
    """``(e_machine, bits, PT_INTERP)`` of an ELF executable, or None if it is none."""
    try:
        with path.open("rb") as f:
            elf = ELFFile(f)
            interp = None
            for segment in elf.iter_segments():
                if segment["p_type"] == "PT_INTERP":
                    interp = str(segment.get_interp_name())  # type: ignore[attr-defined]
            return str(elf["e_machine"]), int(elf.elfclass), interp
    except (OSError, ELFError, ValueError, KeyError):
        return None


def _is_for(target: Target, path: Path) -> bool:
    header = _elf_header(path)
    return header is not None and header[:2] == (target.arch.elf_machine, target.arch.bits)


def build_machine() -> str:
    """This machine's architecture, as ``Arch.machine`` spells it."""
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def qemu_command(
    target: Target, library_root: Path | None, also: Sequence[Path] = ()
) -> list[str] | None:
    """The one emulator definition: qemu-user for ``target``'s programs, None if not installed.

    ``library_root`` is the folder that stands for the target's ``/`` (its loader and
    libraries); the build's cross files and the target's CPython both run through this.
    ``also``: folders of this machine searched after the root's own library folders
    (the cross gfortran's libgfortran lives with the toolchain, not in a sysroot).
    qemu's ``-L`` takes one root, so they reach the target's loader as
    ``LD_LIBRARY_PATH``, the root's folders first so its libc stays the one loaded.
    """
    name = target.arch.qemu_user
    path = shutil.which(name) if name else None
    if path is None:
        return None
    command = [path, "-L", str(library_root)] if library_root is not None else [path]
    extra = [str(folder) for folder in also if folder.is_dir() and folder != library_root]
    if extra and library_root is not None:
        multiarch = target.multiarch
        own = [f"/lib/{multiarch}", f"/usr/lib/{multiarch}", "/lib", "/usr/lib"]
        command += ["-E", "LD_LIBRARY_PATH=" + ":".join([*own, *extra])]
    return command


def _loader_root(target: Target, root: Path | None, interp: str) -> Path | None:
    """The folder whose ``interp`` (``/lib/ld-linux-aarch64.so.1``) is the target's loader."""
    for candidate in (root, Path("/usr") / target.triplet):
        if candidate is not None and (candidate / interp.lstrip("/")).exists():
            return candidate
    return None


def _runner(target: Target, python: Path, root: Path | None) -> tuple[str, ...]:
    """How to start ``python`` here: directly, through the sysroot's loader, or under qemu."""
    header = _elf_header(python)
    interp = header[2] if header else None
    machine = build_machine()
    if target.arch.machine == machine or target.arch.machine in NATIVE_ALSO.get(machine, ()):
        if root is None or interp is None:
            return ()
        loader = root / interp.lstrip("/")
        if not loader.exists():
            return ()
        dirs = (f"lib/{target.multiarch}", f"usr/lib/{target.multiarch}", "lib", "usr/lib")
        library_path = ":".join(str(root / d) for d in dirs if (root / d).is_dir())
        return (str(loader), "--library-path", library_path)
    if qemu_command(target, None) is None:
        raise CrosswheelError(
            f"running {target.triplet} programs here needs "
            f"{target.arch.qemu_user or 'an emulator'}",
            hint="install qemu-user (apt-get install qemu-user)",
        )
    library_root = _loader_root(target, root, interp) if interp else root
    if interp and library_root is None:
        raise CrosswheelError(
            f"no loader {interp} for {target.triplet} in {root or 'the target root'} or "
            f"/usr/{target.triplet}",
            hint="give target-python a sysroot that holds the target's libc, or install the "
            f"cross libc (apt-get install libc6-{target.arch.debian_arch}-cross)",
        )
    return tuple(qemu_command(target, library_root) or ())


def runtime_in(target: Target, folder: Path, version: str) -> TargetRuntime | None:
    """The target's ``python3.X`` in a prefix (``bin/``) or a sysroot (``usr/bin/``), if any."""
    for home in (folder, folder / "usr", folder / "usr" / "local"):
        python = home / "bin" / f"python{version}"
        if python.is_file() and _is_for(target, python):
            root = folder if home != folder else None  # a sysroot; a prefix has no libc
            return TargetRuntime(target, python, home, _runner(target, python, root))
    return None


def _relink_absolute(root: Path) -> None:
    """Re-point absolute symlinks (ppc64el's ``/lib64/ld64.so.2``) into ``root``, relatively.

    Relative links keep working when the folder is renamed into place.
    """
    for path in root.rglob("*"):
        if path.is_symlink():
            dest = os.readlink(path)
            if dest.startswith("/"):
                path.unlink()
                path.symlink_to(os.path.relpath(root / dest.lstrip("/"), path.parent))


def _apt_download(packages: Sequence[str], folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["apt-get", "download", *packages],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )


def fetch_debian_python(
    debian_arch: str, version: str, root: Path, extra_packages: Sequence[str] = ()
) -> Path:
    """Debian's CPython ``version`` for ``debian_arch``, unpacked into ``root`` (once).

    ``extra_packages`` (headers, ``libc6-dev``) make the same folder a sysroot to
    build against.
    """
    if is_complete(root):
        return root
    if shutil.which("apt-get") is None or shutil.which("dpkg") is None:
        raise CrosswheelError(
            f"no Python {version} for {debian_arch} to run here, and no apt-get/dpkg to fetch "
            "Debian's",
            hint="pass -C target-python=DIR: a prefix or sysroot of the target that holds "
            f"bin/python{version} or usr/bin/python{version}",
        )
    info(f"fetching Debian's CPython {version} for {debian_arch} into {root} (once)")

    def unpack(out: Path) -> None:
        debs = out.parent / "debs"
        debs.mkdir()
        required = [p.format(v=version) + f":{debian_arch}" for p in DEBIAN_PACKAGES]
        result = _apt_download([*required, *(f"{p}:{debian_arch}" for p in extra_packages)], debs)
        if result.returncode != 0:
            raise CrosswheelError(
                f"apt-get download of Debian's python{version} for {debian_arch} failed: "
                f"{result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ''}",
                hint=f"add the architecture (dpkg --add-architecture {debian_arch} && apt-get "
                "update), or pass -C target-python=DIR with the target's bin/python"
                f"{version}",
            )
        for library in DEBIAN_LIBRARIES:  # names differ between releases: take what exists
            _apt_download([f"{library}:{debian_arch}"], debs)
        for deb in sorted(debs.glob("*.deb")):
            subprocess.run(["dpkg", "-x", str(deb), str(out)], check=True)
        _relink_absolute(out)

    return make_once(root, unpack)


def wine_command() -> str | None:
    """wine's 64-bit loader: ``wine64`` on PATH or where Debian's wine64 package puts it."""
    for candidate in ("wine64", "/usr/lib/wine/wine64", "wine"):
        found = shutil.which(candidate)
        if found:
            return found
    return None


def wine_prefix() -> Path:
    """A private ``WINEPREFIX`` in the cache (wine refuses one another user owns)."""
    return user_cache() / "wine" / "prefix"


def wine_environment() -> dict[str, str]:
    """wine's settings: the private prefix, quiet but for missing-DLL errors, no Mono/Gecko."""
    return {
        "WINEPREFIX": str(wine_prefix()),
        "WINEDEBUG": "-all,err+module",
        "WINEDLLOVERRIDES": "mscoree,mshtml=",
    }


def cannot_run(target: Target) -> CrosswheelError | None:
    """Why ``target``'s programs cannot run here at all, before any target Python is read.

    wine runs Windows programs of the build machine's own arch: win_arm64 and win32
    wheels are built and verified here, never run.
    """
    if target.facts.runner == "wine" and target.arch.machine != build_machine():
        return CrosswheelError(
            f"crosswheel cannot run {target.wheel_platform} wheels here: wine on this "
            f"{build_machine()} machine runs {build_machine()} Windows programs only, "
            f"so {target.triplet} wheels are built and verified but not run",
            hint="test the wheel on a Windows machine of its arch",
        )
    return None


def _wine_runtime(target: Target, interpreter: TargetInterpreter) -> TargetRuntime:
    """The Windows CPython folder's ``python.exe`` under wine (x86_64 build machines, amd64)."""
    source = interpreter.source  # pythonXY.dll, or libs/pythonXY.lib in a build-only folder
    folder = source.parent.parent if source.suffix == ".lib" else source.parent
    refused = cannot_run(target)
    if refused is not None:
        raise refused
    python = folder / "python.exe"
    if not python.is_file():
        raise CrosswheelError(f"{folder} has no python.exe to run the tests with")
    if any(folder.glob("*._pth")):
        raise CrosswheelError(
            f"{folder} has a ._pth file: its python.exe ignores PYTHONPATH (isolated mode)",
            hint="remove the ._pth file (an embeddable distribution's); the folder then works "
            "as an installed CPython",
        )
    wine = wine_command()
    if wine is None:
        raise CrosswheelError(
            f"running {target.triplet} programs here needs wine",
            hint="apt-get install wine64 (Debian/Ubuntu)",
        )
    prefix = wine_prefix()
    if not (prefix / "system.reg").is_file():
        info(f"creating a wine prefix in {prefix} (once)")
        prefix.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **wine_environment()}
        subprocess.run(
            [wine, "wineboot", "-i"], env=env, capture_output=True, input="", check=False
        )
        server = Path(wine).with_name("wineserver")
        subprocess.run(
            [str(server) if server.exists() else "wineserver", "-w"], env=env, check=False
        )
    return TargetRuntime(target, python, None, (wine,))


def find_runtime(
    target: Target, interpreter: TargetInterpreter, fetch: bool = True
) -> TargetRuntime:
    """The target's interpreter as a program: from ``target-python``, or fetched (Debian).

    ``fetch=False``: Debian's CPython only where an earlier run fetched it, nothing
    downloaded. Raises ``CrosswheelError`` saying what to provide when there is none.
    """
    if target.facts.runner == "node":
        return _pyodide_runtime(target, interpreter)
    if target.facts.runner == "wine":
        return _wine_runtime(target, interpreter)
    if target.family != "linux" or target.libc != "glibc":
        raise CrosswheelError(
            f"crosswheel cannot run {target.triplet} programs on this machine",
            hint="test the wheel on a machine of the target's platform",
        )
    version = interpreter.version_string
    folders = []
    if interpreter.sysroot is not None:
        folders.append(interpreter.sysroot)
    bindir = interpreter.config_vars.get("BINDIR")
    if bindir:
        folders.append(Path(str(bindir)).parent)
    for folder in folders:
        found = runtime_in(target, folder, version)
        if found is not None:
            return found
    deb = target.arch.debian_arch
    root = user_cache() / "pythons" / f"{deb}-python{version}"
    if not fetch and not is_complete(root):
        looked = ", ".join(str(f) for f in folders) or "nowhere"
        raise CrosswheelError(f"no python{version} for {target.triplet} in {looked}")
    fetch_debian_python(deb, version, root)
    found = runtime_in(target, root, version)
    if found is None:
        raise CrosswheelError(f"Debian's python{version} for {deb} in {root} is not runnable")
    return found


def _pyodide_runtime(target: Target, interpreter: TargetInterpreter) -> TargetRuntime:
    """Pyodide's CPython under node: the interpreter's runtime, or the ABI's fetched one."""
    from crosswheel.target import pyodide  # here: imported for Pyodide targets only

    abi = target.abi
    assert abi is not None
    folder = interpreter.source.parent
    if not pyodide.is_runtime(folder):
        folder = pyodide.fetch_runtime(abi)
    python = pyodide.node_launcher(folder, interpreter.version_string)
    return TargetRuntime(target, python, None, (), main_module=folder / "pyodide.asm.wasm")
