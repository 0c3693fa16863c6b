"""numpy's headers through numpy.get_include(), the way setup.py files find them."""

import numpy
from setuptools import Extension, setup

print(f"npdemo setup.py: numpy headers from {numpy.get_include()}")

setup(
    ext_modules=[
        Extension(
            "npdemo._native",
            ["src/npdemo/_native.c"],
            include_dirs=[numpy.get_include()],
            define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        )
    ],
)
