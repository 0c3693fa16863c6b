import math

import crossgeos


def test_geos_runs() -> None:
    assert crossgeos.geos_version().startswith("3.")
    assert crossgeos.point_wkt(1.5, -2) == "POINT (1.5 -2)"
    assert abs(crossgeos.buffered_point_area(1.0) - math.pi) < 0.01
