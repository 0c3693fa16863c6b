"""``zig cc`` for PE targets, without the files zig leaves beside a linked DLL.

Linking ``mod.pyd`` makes zig write ``mod.lib`` (an import library) next to it,
and ``mod.pdb`` when there is debug info (setuptools always passes ``-g``): build
backends would ship both in the wheel. On a link this sends the import library
to a temporary folder unless the caller names one (Meson does) and strips
(``-s``, no ``.pdb``) unless ``CROSSWHEEL_KEEP_PDB`` is set. Run as
``python -m crosswheel.target.zigwrap cc|c++ ARGS...``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

NOT_LINKING = ("-c", "-E", "-S", "-M", "-MM", "--version", "-v", "-dumpversion", "-dumpmachine")


def is_link(args: list[str]) -> bool:
    """Whether zig would link with ``args`` (not compile, preprocess or answer a question)."""
    return bool(args) and not any(a in NOT_LINKING or a.startswith("-print-") for a in args)


def main(argv: list[str]) -> int:
    zig = [sys.executable, "-m", "ziglang", *argv[:1]]
    args = argv[1:]
    if not is_link(args):
        return subprocess.call([*zig, *args])
    extra = [] if os.environ.get("CROSSWHEEL_KEEP_PDB") else ["-s"]
    if any("out-implib" in a for a in args):
        return subprocess.call([*zig, *args, *extra])
    with tempfile.TemporaryDirectory(prefix="crosswheel-implib-") as scratch:
        implib = os.path.join(scratch, "implib.lib")
        return subprocess.call([*zig, *args, *extra, f"-Wl,--out-implib,{implib}"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
