"""``crosswheel fix`` on a 100+ MB wheel against ``wheel tags`` and plain copies, in one run.

The wheel is made here: real aarch64 shared objects (from the Debian cross gcc)
padded with binary-like data, plus Python modules, about 110 MB compressed. Each
contender runs as its own process, so its peak memory (max RSS) is measured too:

- ``crosswheel fix WHEEL --target aarch64-linux-gnu``: the product's own path (read
  once with RECORD checked, tags from the binaries, unchanged members copied raw);
- ``wheel tags --platform-tag linux_aarch64``: the usual way to retag a wheel;
- a plain zip copy: every member read and written again with ``zipfile`` at the
  same compression level, no checks (what a simple rewriter does);
- ``cp``: copying the file, the floor no rewriter can beat.

    python benchmarks/fix_wheel.py [--members 48] [--member-mib 4] [--level 6]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from helpers import make_wheel

PLAIN_ZIP_COPY = """
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as src, zipfile.ZipFile(sys.argv[2], "w") as dst:
    for info in src.infolist():
        dst.writestr(info, src.read(info), info.compress_type, int(sys.argv[3]))
"""


def binary_like(rng: random.Random, size: int) -> bytes:
    """Data that compresses about as well as machine code (roughly 2:1)."""
    block = rng.randbytes(1 << 16)
    out = bytearray()
    while len(out) < size:
        start = rng.randrange(0, len(block) - 4096)
        out += block[start : start + rng.randrange(64, 4096)] + bytes(rng.randrange(0, 512))
    return bytes(out[:size])


def make_big_wheel(folder: Path, members: int, member_mib: int, level: int) -> Path:
    src = folder / "ext.c"
    src.write_text("int answer(void) { return 42; }\n")
    so = folder / "ext.so"
    subprocess.run(["aarch64-linux-gnu-gcc", "-shared", "-fPIC", "-o", so, src], check=True)
    seed = so.read_bytes()
    rng = random.Random(0)
    files: dict[str, bytes] = {}
    for i in range(members):
        files[f"big/_ext{i}.cpython-311-x86_64-linux-gnu.so"] = seed + binary_like(
            rng, member_mib << 20
        )
    words = [f"name_{i}" for i in range(500)]
    for i in range(200):
        files[f"big/mod_{i}.py"] = " ".join(rng.choice(words) for _ in range(4000)).encode()
    return make_wheel(
        folder / "big-1.0-cp311-cp311-linux_x86_64.whl",
        files,
        "cp311-cp311-linux_x86_64",
        level=level,
    )


MEASURE = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall time and peak memory (MiB, max RSS) of one process.

    A fresh wrapper process runs the contender as its only child, so the
    children's max RSS it reports is the contender's own.
    """
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *argv], check=True, capture_output=True, text=True
    )
    return time.perf_counter() - start, int(out.stdout.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=48)
    parser.add_argument("--member-mib", type=int, default=4)
    parser.add_argument("--level", type=int, default=6, help="compression level of the input")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        wheel = make_big_wheel(folder, args.members, args.member_mib, args.level)
        size = wheel.stat().st_size / 1024**2
        contenders = {
            "cp": ["cp", str(wheel), str(folder / "copy.whl")],
            "crosswheel fix": [
                sys.executable,
                "-m",
                "crosswheel",
                "fix",
                "-q",
                str(wheel),
                "--target",
                "aarch64-linux-gnu",
                "-o",
                str(folder / "fixed"),
            ],
            "plain zip copy": [
                sys.executable,
                "-c",
                PLAIN_ZIP_COPY,
                str(wheel),
                str(folder / "plain.whl"),
                str(args.level),
            ],
            "wheel tags": [
                sys.executable,
                "-m",
                "wheel",
                "tags",
                "--platform-tag",
                "linux_aarch64",
                str(folder / "tags-in" / wheel.name),
            ],
        }
        (folder / "tags-in").mkdir()
        shutil.copyfile(wheel, folder / "tags-in" / wheel.name)
        results: dict[str, tuple[float, float]] = {}
        for name, argv in contenders.items():
            runs = [timed(argv) for _ in range(args.repeat)]
            results[name] = (min(t for t, _ in runs), max(m for _, m in runs))
        fixed = next((folder / "fixed").glob("*.whl"))
        with zipfile.ZipFile(fixed) as archive:
            assert archive.testzip() is None
        print(f"wheel: {os.path.basename(wheel)}, {size:.1f} MiB (level {args.level})")
        for name, (seconds, peak) in results.items():
            print(f"  {name:15} {seconds:7.3f} s   peak memory {peak:6.1f} MiB")
        fix = results["crosswheel fix"][0]
        print(f"crosswheel fix vs wheel tags:     {results['wheel tags'][0] / fix:.1f}x faster")
        print(
            f"crosswheel fix vs plain zip copy: {fix / results['plain zip copy'][0]:.2f}x the time"
        )
        print(f"crosswheel fix vs cp:             {fix / results['cp'][0]:.1f}x the time")
        print(f"crosswheel fix peak memory:       {results['crosswheel fix'][1]:.1f} MiB")


if __name__ == "__main__":
    main()
