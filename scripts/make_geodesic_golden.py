#!/usr/bin/python3
"""Writes tests/golden/geodesic_pyproj.csv: the geodesic stress set of issue 16
with each distance computed by PROJ (Debian's python3-pyproj, Geod.inv), an
implementation of Karney's algorithm in C independent of GeographicLib's C++,
which the library's geodesic metric uses. tests/kernel/geodesic_accuracy_test.cpp
asserts the library within 1 micrometre of these values.

Rows: case,a,invf,lat1,lon1,lat2,lon2,s12 (a in metres, invf the inverse
flattening, coordinates in degrees, s12 in metres). Every number is written
as Python's repr, the shortest text that reads back as the same double. The
pairs come from a fixed seed, so running this again rewrites the same file
(for the same PROJ).

Cases: random pairs anywhere, near the poles (within 0.01 degree, also
both at one pole and one at each), on the equator (the hard equatorial and
nearly antipodal equatorial branch included), on one meridian and on
opposite meridians (through a pole), coincident points, points millimetres
apart, nearly antipodal pairs (the astroid start of Karney's Newton
iteration), the antimeridian, and a few pairs on GRS80 and on a prolate
ellipsoid.

Usage: /usr/bin/python3 scripts/make_geodesic_golden.py > tests/golden/geodesic_pyproj.csv
"""
import sys

import numpy as np
import pyproj

WGS84 = (6378137.0, 298.257223563)
GRS80 = (6378137.0, 298.257222101)
PROLATE = (6378137.0, -300.0)

rng = np.random.default_rng(20261204)


def uniform(low, high, n):
    return rng.uniform(low, high, n)


def random_latitudes(n):
    # Uniform on the sphere's area, so every latitude band appears.
    return np.degrees(np.arcsin(uniform(-1.0, 1.0, n)))


def pairs():
    n = 200
    yield "random", WGS84, random_latitudes(n), uniform(-180, 180, n), random_latitudes(n), uniform(-180, 180, n)
    n = 40
    north = 90 - uniform(0, 0.01, n)
    yield "near_pole", WGS84, north, uniform(-180, 180, n), 90 - uniform(0, 0.01, n), uniform(-180, 180, n)
    yield "across_pole", WGS84, north, uniform(-180, 180, n), -(90 - uniform(0, 0.01, n)), uniform(-180, 180, n)
    yield "pole_exact", WGS84, np.full(8, 90.0), uniform(-180, 180, 8), random_latitudes(8), uniform(-180, 180, 8)
    yield "equator", WGS84, np.zeros(n), uniform(-180, 180, n), np.zeros(n), uniform(-180, 180, n)
    # Equatorial pairs whose longitudes differ by more than (1 - f) * 180
    # degrees: their geodesic leaves the equator (nearly antipodal, Karney's hardest case).
    far = uniform(179.0, 180.0, n)
    start = uniform(-180, 180, n)
    yield "equator_far", WGS84, np.zeros(n), start, np.zeros(n), (start + far + 180) % 360 - 180
    meridian = uniform(-180, 180, n)
    yield "meridian", WGS84, random_latitudes(n), meridian, random_latitudes(n), meridian
    yield "opposite_meridians", WGS84, random_latitudes(n), meridian, random_latitudes(n), (meridian + 360) % 360 - 180
    lat = random_latitudes(20)
    lon = uniform(-180, 180, 20)
    yield "coincident", WGS84, lat, lon, lat.copy(), lon.copy()
    # About a millimetre apart: 1e-8 degree of latitude is 1.1 mm.
    yield "millimetres", WGS84, lat, lon, lat + uniform(-1e-8, 1e-8, 20), lon + uniform(-1e-8, 1e-8, 20)
    n = 60
    lat = random_latitudes(n)
    lon = uniform(-180, 180, n)
    yield ("nearly_antipodal", WGS84, lat, lon, -lat + uniform(-0.5, 0.5, n),
           (lon + 180 + uniform(-0.5, 0.5, n) + 180) % 360 - 180)
    yield "antipodal", WGS84, lat[:20], lon[:20], -lat[:20], (lon[:20] + 360) % 360 - 180
    lon = uniform(179.9, 180, 20)
    yield "antimeridian", WGS84, random_latitudes(20), lon, random_latitudes(20), -lon
    yield "grs80", GRS80, random_latitudes(20), uniform(-180, 180, 20), random_latitudes(20), uniform(-180, 180, 20)
    yield "prolate", PROLATE, random_latitudes(20), uniform(-180, 180, 20), random_latitudes(20), uniform(-180, 180, 20)


def main():
    out = sys.stdout
    out.write(f"# geodesic stress set: scripts/make_geodesic_golden.py, PROJ {pyproj.proj_version_str} (pyproj {pyproj.__version__})\n")
    out.write("case,a,invf,lat1,lon1,lat2,lon2,s12\n")
    for case, (a, invf), lat1, lon1, lat2, lon2 in pairs():
        lat1 = np.clip(lat1, -90, 90)
        lat2 = np.clip(lat2, -90, 90)
        geod = pyproj.Geod(a=a, f=1 / invf)
        _, _, s12 = geod.inv(lon1, lat1, lon2, lat2)
        for row in zip(lat1, lon1, lat2, lon2, s12):
            out.write(",".join([case, repr(a), repr(invf)] + [repr(float(value)) for value in row]) + "\n")


if __name__ == "__main__":
    main()
