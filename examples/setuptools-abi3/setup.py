"""A limited-API extension; crosswheel tags the wheel cp39-abi3 from Py_LIMITED_API below."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "crossabi3._native",
            ["src/crossabi3/_native.c"],
            define_macros=[("Py_LIMITED_API", "0x03090000")],
            py_limited_api=True,
        )
    ],
)
