"""A pure-Python package: the same wheel for every target."""

__version__ = "1.0.0"


def add(a: int, b: int) -> int:
    return a + b
