"""Helpers the test modules share: wheels, binaries, the command line, target Pythons.

Test modules import from here (and from ``conftest`` for fixtures), never from
each other.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import EXAMPLES, require, require_tool
from crosswheel.target.interpreter import TargetInterpreter, find_target_interpreter
from crosswheel.target.names import Target, resolve_target
from crosswheel.target.toolchain import Toolchain
from crosswheel.wheelfile import make_record, record_hash
from targetpython import CACHE, TargetPython

PY = (sys.version_info[0], sys.version_info[1])
SHORT = f"{PY[0]}.{PY[1]}"
ARM64_DATA = Path(f"/usr/lib/python{SHORT}/_sysconfigdata__linux_aarch64-linux-gnu.py")
ARM64_CONFIG_H = Path(f"/usr/include/aarch64-linux-gnu/python{SHORT}/pyconfig.h")
DATE = (2020, 2, 2, 0, 0, 0)

ARM64_TOOLCHAIN = Toolchain(
    cc="aarch64-linux-gnu-gcc",
    cxx="aarch64-linux-gnu-g++",
    ar="aarch64-linux-gnu-ar",
    strip="aarch64-linux-gnu-strip",
    ranlib="aarch64-linux-gnu-ranlib",
    machine="aarch64-linux-gnu",
)


def need_multiarch_arm64() -> None:
    require(
        ARM64_DATA.is_file() and ARM64_CONFIG_H.is_file(),
        f"libpython{SHORT}-dev:arm64 is not installed (multiarch)",
    )


def arm64_interpreter() -> TargetInterpreter:
    """Debian's arm64 CPython from multiarch, as the target interpreter."""
    need_multiarch_arm64()
    return find_target_interpreter(resolve_target("aarch64-linux-gnu"), None)


def suffixes_of(target: Target) -> tuple[str, tuple[str, ...]]:
    """(EXT_SUFFIX, extension suffixes) of a CPython of this version for ``target``."""
    ext = target.ext_suffix(PY)
    return ext, (ext, f".abi3{target.shlib_suffix}", target.shlib_suffix)


def compile_shared(cc: str, out: Path, source: str = "int answer(void) { return 42; }\n") -> bytes:
    """Compile ``source`` into a shared object with a real (cross) compiler; its bytes."""
    require_tool(cc, f"gcc-{cc.rsplit('-', 1)[0]}" if "-" in cc else "gcc")
    src = out.with_suffix(".c")
    src.write_text(source)
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(out), str(src)], check=True)
    return out.read_bytes()


def make_wheel(
    path: Path,
    members: dict[str, bytes],
    tag: str,
    purelib: bool = False,
    compression: int = zipfile.ZIP_DEFLATED,
    level: int | None = None,
) -> Path:
    """A wheel as a backend writes one: WHEEL, METADATA and a true RECORD."""
    name = path.name.split("-")[0]
    version = path.name.split("-")[1]
    dist_info = f"{name}-{version}.dist-info"
    wheel_file = (
        f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: {str(purelib).lower()}\n"
        f"Tag: {tag}\n\n"
    ).encode()
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n"
    files = {
        **members,
        f"{dist_info}/METADATA": metadata.encode(),
        f"{dist_info}/WHEEL": wheel_file,
    }
    record = make_record(
        ((n, record_hash(d), len(d)) for n, d in files.items()), f"{dist_info}/RECORD"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression, compresslevel=level) as archive:
        for member, data in [*files.items(), (f"{dist_info}/RECORD", record)]:
            info = zipfile.ZipInfo(member, DATE)
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compression, level)
    return path


def crosswheel(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the command line as a user would, in a fresh process."""
    environ = {k: v for k, v in (env or os.environ).items() if not k.startswith("CROSSWHEEL_")}
    return subprocess.run(
        [sys.executable, "-m", "crosswheel", *args],
        env=environ,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


PLAIN_PYPROJECT = """\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "crossdemo"
version = "1.0.0"
requires-python = ">=3.9"
license = "MIT"
"""

LEGACY_SETUP_CFG = """\
[metadata]
name = crossdemo
version = 1.0.0

[options]
package_dir =
    =src
packages = crossdemo
"""


def plain_project(dest: Path, pyproject: str | None = PLAIN_PYPROJECT) -> Path:
    """The setuptools example as its authors would ship it without crosswheel."""
    src = EXAMPLES / "setuptools-c"
    dest.mkdir(parents=True)
    (dest / "setup.py").write_text((src / "setup.py").read_text())
    (dest / "src" / "crossdemo").mkdir(parents=True)
    for name in ("__init__.py", "_native.c"):
        (dest / "src" / "crossdemo" / name).write_bytes(
            (src / "src" / "crossdemo" / name).read_bytes()
        )
    if pyproject is not None:
        (dest / "pyproject.toml").write_text(pyproject)
    else:  # a legacy project: setup.py plus setup.cfg, as many old sdists are
        (dest / "setup.cfg").write_text(LEGACY_SETUP_CFG)
    return dest


TARGET = "target=aarch64-linux-gnu"
CALL = "import crossdemo, json; print(json.dumps([crossdemo.add(2, 40), crossdemo.build_info()]))"


def run(
    cmd: list[str], env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)


def build_with(
    frontend: str, src: Path, out: Path, env: dict[str, str], *settings: str
) -> subprocess.CompletedProcess[str]:
    if frontend == "build":
        cmd = [sys.executable, "-m", "build", "--wheel", "-o", str(out)]
        cmd += [f"-C{s}" for s in settings]
    elif frontend == "build-no-isolation":
        cmd = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", str(out)]
        cmd += [f"-C{s}" for s in settings]
    elif frontend == "pip":
        cmd = [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(out)]
        cmd += [f"--config-settings={s}" for s in settings]
    else:
        uv = shutil.which("uv")
        require(uv is not None, "uv not found (pip install uv)")
        cmd = [str(uv), "build", "--wheel", "--python", sys.executable, "-o", str(out)]
        cmd += [arg for s in settings for arg in ("-C", s)]
    return run([*cmd, str(src)], env)


def only_wheel(out: Path) -> Path:
    wheels = sorted(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def stored_form(archive_path: Path, name: str) -> tuple[int, int, int, bytes]:
    """A member as stored: CRC, compressed size, method and its compressed bytes."""
    with zipfile.ZipFile(archive_path) as archive:
        info = archive.getinfo(name)
    with archive_path.open("rb") as f:
        f.seek(info.header_offset + 26)
        skip = int.from_bytes(f.read(2), "little") + int.from_bytes(f.read(2), "little")
        f.seek(skip, 1)
        return info.CRC, info.compress_size, info.compress_type, f.read(info.compress_size)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "build" not in p.parts and ".egg-info" not in str(p)
    }


def check_runs(wheel: Path, target: TargetPython, site: Path) -> None:
    target.install(wheel, site)
    out = target.call(CALL, site)
    assert out.startswith('[42, {"build_machine": "aarch64", "pointer_bits": 64'), out


def auditwheel_tag(wheel: Path) -> str:
    """The platform tag ``auditwheel show`` gives ``wheel`` (the field's reference)."""
    require_tool("auditwheel", "pip install auditwheel")
    result = subprocess.run(
        ["auditwheel", "show", "--json", "--disable-isa-ext-check", str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return str(json.loads(result.stdout)["overall_tag"])


def target_wheel(requirement: str) -> Path:
    """A run-time dependency's aarch64 wheel from the package index (cached)."""
    folder = CACHE / "target-wheels"
    name = requirement.split("==")[0]
    found = sorted(folder.glob(f"{name}-*aarch64*.whl"))
    if not found:
        subprocess.run(
            [
                sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                "--platform", "manylinux_2_17_aarch64", "--python-version", "3.11",
                "--implementation", "cp", "--abi", "cp311", "-d", str(folder), requirement,
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        found = sorted(folder.glob(f"{name}-*aarch64*.whl"))
    return found[-1]


def make_sysroot(root: Path) -> Path:
    """A sysroot folder laid out like Debian's /, with the real arm64 files in it."""
    need_multiarch_arm64()
    stdlib = root / "usr" / "lib" / f"python{SHORT}"
    stdlib.mkdir(parents=True)
    shutil.copy(ARM64_DATA, stdlib)
    inc = root / "usr" / "include" / f"python{SHORT}"
    shutil.copytree(f"/usr/include/python{SHORT}", inc)
    platinc = root / "usr" / "include" / "aarch64-linux-gnu" / f"python{SHORT}"
    platinc.mkdir(parents=True)
    shutil.copy(ARM64_CONFIG_H, platinc)
    return root


def target_python_settings(source: str, arm64_python: TargetPython) -> list[str]:
    """Debian multiarch (libpython3.11-dev:arm64 beside ours) or a sysroot folder."""
    if source == "sysroot":
        return [TARGET, f"target-python={arm64_python.root}"]
    require(
        Path("/usr/lib/python3.11/_sysconfigdata__linux_aarch64-linux-gnu.py").is_file(),
        "no multiarch target Python (apt-get install libpython3.11-dev:arm64)",
    )
    return [TARGET]


def build_wheel(src: Path, out: Path, env: dict[str, str], *settings: str) -> Path:
    cmd = [sys.executable, "-m", "build", "--wheel", "-o", str(out)]
    cmd += [f"-C{s}" for s in settings]
    result = subprocess.run([*cmd, str(src)], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    wheels = sorted(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    (out / "build.log").write_text(result.stdout + result.stderr)
    return wheels[0]


def c_only_prefix(folder: Path) -> str:
    """A toolchain prefix with aarch64 gcc and binutils, and no gfortran."""
    require_tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
    folder.mkdir()
    for tool in ("gcc", "g++", "ar", "strip", "ranlib"):
        (folder / f"aarch64-linux-gnu-{tool}").symlink_to(f"/usr/bin/aarch64-linux-gnu-{tool}")
    return f"{folder}/aarch64-linux-gnu-"


C_SDIST_SMOKE_TESTS = {
    "msgpack==1.1.0": "import msgpack; d = {'a': [1, 2.5, None, 2**40, -2**63]}; "
    "assert msgpack.unpackb(msgpack.packb(d)) == d; "
    "assert msgpack.Packer.__module__ == 'msgpack._cmsgpack', msgpack.Packer",
    "markupsafe==3.0.2": "import markupsafe, markupsafe._speedups as s; "
    "assert str(markupsafe.escape('<a&b>')) == '&lt;a&amp;b&gt;'; "
    "assert s._escape_inner('<') == '&lt;'",
}
"""Unmodified PyPI sdists with C extensions, and a smoke test that uses the compiled module
(Cython C, plain C): what the Pyodide and Windows end-to-end tests build and run."""
