"""How much copying stored members saves over recompressing them, in one run.

The fixer rewrites every wheel it touches; most members do not change. This
measures rewriting one synthetic wheel (compressible modules and a few MB of
binary-like data) both ways, checks the outputs hold the same files, and prints
the ratio of the two times measured here and now.

    python benchmarks/rewrite_wheel.py [--members 400] [--size-kib 64]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import zipfile
from pathlib import Path

from crosswheel.wheelfile import StoredMember, copy_info, write_atomically


def make_wheel(path: Path, members: int, size_kib: int) -> None:
    rng = random.Random(0)
    words = [f"name_{i}" for i in range(500)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(members):
            if i % 4 == 0:
                data = bytes(rng.getrandbits(8) for _ in range(size_kib * 256)) * 4
            else:
                text = " ".join(rng.choice(words) for _ in range(size_kib * 160))
                data = text.encode()
            archive.writestr(zipfile.ZipInfo(f"pkg/mod_{i}.py", (2020, 2, 2, 0, 0, 0)), data)


def rewrite(source: Path, dest: Path, stored: bool) -> float:
    start = time.perf_counter()
    with zipfile.ZipFile(source) as archive:
        members = [
            (copy_info(info), StoredMember(source, info) if stored else archive.read(info))
            for info in archive.infolist()
        ]
        write_atomically(dest, members)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument("--size-kib", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "demo-1.0-py3-none-any.whl"
        make_wheel(source, args.members, args.size_kib)
        recompress = min(rewrite(source, Path(tmp) / "a.whl", False) for _ in range(args.repeat))
        stored = min(rewrite(source, Path(tmp) / "b.whl", True) for _ in range(args.repeat))
        with zipfile.ZipFile(Path(tmp) / "a.whl") as a, zipfile.ZipFile(Path(tmp) / "b.whl") as b:
            assert a.namelist() == b.namelist()
            assert all(a.read(n) == b.read(n) for n in a.namelist())
            assert b.testzip() is None
        size = os.path.getsize(source) / 1024**2
        print(f"wheel: {args.members} members, {size:.1f} MiB")
        print(f"recompress: {recompress:.3f} s, stored copy: {stored:.3f} s")
        print(f"speed-up of stored copy over recompressing: {recompress / stored:.1f}x")


if __name__ == "__main__":
    main()
