"""Build a bundled C library with its own ``./configure`` and ``make``, then link it.

The shape of projects that vendor an autotools library (c-ares, libev, libffi
in older releases): ``setup.py`` runs ``configure`` with the compiler from
``CC`` and no ``--host``. In a cross build, crosswheel's ``CONFIG_SITE`` makes
that configure a cross configure.
"""

import os
import subprocess
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

LIBRARY = Path(__file__).resolve().parent / "vendor" / "libanswer"


class build_ext_with_libanswer(build_ext):
    def build_extensions(self) -> None:
        build = Path(self.build_temp).resolve() / "libanswer"
        build.mkdir(parents=True, exist_ok=True)
        if not (build / "Makefile").exists():
            env = dict(os.environ, CFLAGS="-O2 -fPIC")
            subprocess.check_call(["sh", str(LIBRARY / "configure")], cwd=build, env=env)
        subprocess.check_call(["make"], cwd=build)
        for ext in self.extensions:
            ext.include_dirs += [str(build), str(LIBRARY)]
            ext.extra_objects.append(str(build / "libanswer.a"))
        super().build_extensions()


setup(
    ext_modules=[Extension("crossanswer._native", ["src/crossanswer/_native.c"])],
    cmdclass={"build_ext": build_ext_with_libanswer},
)
