"""Link GEOS the way shapely 1.8 does: through ``geos-config``, else pkg-config ``geos``.

Debian's ``libgeos-dev`` cannot be installed for a second architecture, so a cross
build gets the target's GEOS from ``-C target-system-packages=libgeos-dev``, whose
``geos-config`` crosswheel puts first on PATH.
"""

import shlex
import shutil
import subprocess

from setuptools import Extension, setup


def ask(*command: str) -> list[str]:
    out = subprocess.run(command, check=True, capture_output=True)
    return shlex.split(out.stdout.decode())


if shutil.which("geos-config"):
    cflags, libs = ask("geos-config", "--cflags"), ask("geos-config", "--clibs")
    how = f"geos-config ({shutil.which('geos-config')})"
else:
    cflags, libs = ask("pkg-config", "--cflags", "geos"), ask("pkg-config", "--libs", "geos")
    how = "pkg-config geos"
print(f"crossgeos setup.py: {how}: cflags={cflags} libs={libs}")

setup(
    ext_modules=[
        Extension(
            "crossgeos._native",
            ["src/crossgeos/_native.c"],
            include_dirs=[f[2:] for f in cflags if f.startswith("-I")],
            library_dirs=[f[2:] for f in libs if f.startswith("-L")],
            libraries=[f[2:] for f in libs if f.startswith("-l")],
        )
    ],
)
