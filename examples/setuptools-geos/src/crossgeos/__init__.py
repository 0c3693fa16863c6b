"""crossgeos: a C extension that calls GEOS's C API, to prove a bundled GEOS loads on the target."""

from crossgeos._native import buffered_point_area, geos_version, point_wkt

__all__ = ["buffered_point_area", "geos_version", "point_wkt"]
