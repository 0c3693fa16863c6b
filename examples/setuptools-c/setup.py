"""Introspection the way real setup.py files do it: it must see the target."""

import platform
import sys
import sysconfig

from setuptools import Extension, setup

machine = platform.machine()
pointer_size = sysconfig.get_config_var("SIZEOF_VOID_P")
ext_suffix = sysconfig.get_config_var("EXT_SUFFIX")
big_endian = 1 if sys.byteorder == "big" else 0
print(
    f"crossdemo setup.py: machine={machine} pointer_size={pointer_size} "
    f"byteorder={sys.byteorder} EXT_SUFFIX={ext_suffix}"
)

setup(
    ext_modules=[
        Extension(
            "crossdemo._native",
            ["src/crossdemo/_native.c"],
            define_macros=[
                ("CROSSDEMO_BUILD_MACHINE", f'"{machine}"'),
                ("CROSSDEMO_POINTER_SIZE", str(pointer_size)),
                ("CROSSDEMO_BIG_ENDIAN", str(big_endian)),
            ],
        )
    ],
)
