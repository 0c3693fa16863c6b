"""Link libyaml the way many projects link a system library: through pkg-config.

pkg-config answers for whichever system ``PKG_CONFIG_LIBDIR`` and
``PKG_CONFIG_SYSROOT_DIR`` point at; in a cross build, crosswheel points them
at the target's.
"""

import shlex
import subprocess

from setuptools import Extension, setup


def pkg_config(*args: str) -> list[str]:
    out = subprocess.run(["pkg-config", *args, "yaml-0.1"], check=True, capture_output=True)
    return shlex.split(out.stdout.decode())


cflags = pkg_config("--cflags")
libs = pkg_config("--libs")
print(f"crossyaml setup.py: pkg-config yaml-0.1: cflags={cflags} libs={libs}")

setup(
    ext_modules=[
        Extension(
            "crossyaml._native",
            ["src/crossyaml/_native.c"],
            include_dirs=[f[2:] for f in cflags if f.startswith("-I")],
            library_dirs=[f[2:] for f in libs if f.startswith("-L")],
            libraries=[f[2:] for f in libs if f.startswith("-l")],
        )
    ],
)
