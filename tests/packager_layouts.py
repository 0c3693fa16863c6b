"""Target Pythons laid out the way packaging systems keep them, made from Debian's files.

conda keeps the target Python in ``$PREFIX`` (``lib/python3.X``, ``include/python3.X``,
``lib/libpython3.X.so``) with its sysconfig data relocated to that prefix, and its
compilers are wrapper scripts with their own names (``aarch64-conda-linux-gnu-cc``).
Yocto and Buildroot keep a staging sysroot laid out like ``/``: Debian's sysroot from
``targetpython.py`` is one already.
"""

from __future__ import annotations

import re
import shutil
import stat
from pathlib import Path

PY = "3.11"


def conda_prefix(dest: Path, debian_root: Path, multiarch: str) -> Path:
    """A conda-style ``$PREFIX`` at ``dest`` holding the target CPython of ``debian_root``.

    ``debian_root`` is ``/`` (multiarch) or a sysroot. The sysconfig data says
    ``prefix = dest`` as conda's relocated files do; ``include/python3.X/pyconfig.h``
    is the target's real one, not Debian's dispatcher, and nothing is under ``usr``.
    """
    usr = debian_root / "usr"
    stdlib = dest / "lib" / f"python{PY}"
    stdlib.mkdir(parents=True)
    data_name = f"_sysconfigdata__linux_{multiarch}.py"
    text = (usr / "lib" / f"python{PY}" / data_name).read_text(encoding="utf-8")
    text = text.replace(f"/usr/lib/{multiarch}", f"{dest}/lib")
    text = text.replace(f"/usr/include/{multiarch}/python{PY}", f"{dest}/include/python{PY}")
    text = re.sub(r"(?<![\w./-])/usr(?=[/'\s])", str(dest), text)
    (stdlib / data_name).write_text(text, encoding="utf-8")
    include = dest / "include" / f"python{PY}"
    shutil.copytree(usr / "include" / f"python{PY}", include)
    shutil.copy(usr / "include" / multiarch / f"python{PY}" / "pyconfig.h", include)
    for lib in (usr / "lib" / multiarch).glob(f"libpython{PY}.so*"):
        shutil.copy(lib, dest / "lib", follow_symlinks=True)
    return dest


def compiler_wrapper(
    bin_dir: Path, name: str, real: str, log: Path | None = None, machine: str | None = None
) -> Path:
    """An executable ``bin_dir/name`` that runs ``real``.

    ``log`` records every command line; ``machine`` is what ``-dumpmachine`` answers
    (conda's gcc says ``aarch64-conda-linux-gnu``).
    """
    bin_dir.mkdir(parents=True, exist_ok=True)
    path = bin_dir / name
    lines = ["#!/bin/sh"]
    if machine is not None:
        lines.append(f'if [ "$*" = -dumpmachine ]; then echo {machine}; exit 0; fi')
    if log is not None:
        lines.append(f'echo "$*" >> "{log}"')
    lines.append(f'exec {real} "$@"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path
