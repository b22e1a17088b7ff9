"""Every input pdist and cdist refuse: a ValueError (or TypeError for what is
not a number or not an array) naming the first bad row, raised before
anything is computed or written."""

import re

import numpy as np
import pytest

import distance_matrix as dm

GOOD = np.array([[42.2808, -83.743], [40.3641, -111.7385], [42.3601, -71.0589], [0.0, 0.0]])


@pytest.mark.parametrize("shape", [(3,), (3, 3), (3, 1), (2, 2, 2), ()])
def test_wrong_shape(shape):
    with pytest.raises(ValueError, match=re.escape("points must have shape (n, 2)")):
        dm.pdist(np.zeros(shape))
    with pytest.raises(ValueError, match=re.escape("destinations must have shape (n, 2)")):
        dm.cdist(GOOD, np.zeros(shape))


@pytest.mark.parametrize(
    "row, column, value, message",
    [
        (2, 0, np.nan, "points[2]: latitude nan is not a finite number"),
        (1, 1, np.inf, "points[1]: longitude inf is not a finite number"),
        (3, 0, -np.inf, "points[3]: latitude -inf is not a finite number"),
        (0, 0, 90.5, "points[0]: latitude 90.5 is outside [-90, 90]"),
        (3, 1, -180.25, "points[3]: longitude -180.25 is outside [-180, 180]"),
        (1, 0, 1e300, "points[1]: latitude 1e+300 is outside [-90, 90]"),
    ],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bad_coordinates_name_the_first_bad_row(row, column, value, message, dtype):
    if dtype == np.float32 and value == 1e300:
        value = np.float32(1e30)
        message = message.replace("1e+300", "1e+30")
    points = GOOD.astype(dtype)
    points[row, column] = value
    points[row + 1:, column] = value  # later rows are bad too: only the first is named
    with pytest.raises(ValueError, match=re.escape(message)):
        dm.pdist(points)
    with pytest.raises(ValueError, match=re.escape(message.replace("points", "destinations"))):
        dm.cdist(GOOD, points)


def test_limits_themselves_are_valid():
    corners = [[90, 180], [-90, -180], [90, -180], [-90, 180]]
    assert dm.pdist(corners).shape == (6,)


@pytest.mark.parametrize(
    "keywords, message",
    [
        ({"metric": "manhattan"}, "metric 'manhattan' is not one of"),
        ({"unit": "furlong"}, "unit 'furlong' is not one of"),
        ({"kernel": "gpu"}, "kernel 'gpu' is not one of"),
        ({"radius": 0.0}, "radius"),
        ({"radius": -1.0}, "radius"),
        ({"radius": float("nan")}, "radius"),
        ({"radius": float("inf")}, "radius"),
        ({"radius": 1e308}, "radius"),
        ({"radius": 1e300, "dtype": np.float32}, "do not fit in float32"),
        ({"metric": "geodesic", "radius": 6371.0}, "radius is the sphere's and cannot be combined with metric='geodesic'"),
        ({"ellipsoid": "wgs84"}, "ellipsoid applies to metric='geodesic' only"),
        ({"metric": "geodesic", "ellipsoid": "clarke1866"}, "ellipsoid 'clarke1866' is not one of"),
        ({"metric": "geodesic", "ellipsoid": (6378137.0, 50.0)}, "inverse flattening 50 is not allowed"),
        ({"metric": "geodesic", "ellipsoid": (0.0, 298.0)}, "is not a positive finite number"),
        ({"metric": "geodesic", "ellipsoid": (1.0, 2.0, 3.0)}, "ellipsoid must be 'wgs84', 'grs80' or"),
        ({"metric": "geodesic", "ellipsoid": (1e300, 298.0), "unit": "m", "dtype": np.float32}, "do not fit in float32"),
        ({"dtype": np.int32}, "dtype must be numpy.float64 or numpy.float32"),
        ({"dtype": np.float16}, "dtype must be numpy.float64 or numpy.float32"),
        ({"dtype": "no such type"}, "dtype must be numpy.float64 or numpy.float32"),
        ({"workers": 0}, "workers must be a whole number from 1 to 1024"),
        ({"workers": -2}, "workers must be a whole number from 1 to 1024"),
        ({"workers": 1025}, "workers must be a whole number from 1 to 1024"),
        ({"workers": 1.5}, "workers must be a whole number from 1 to 1024"),
        ({"workers": True}, "workers must be a whole number from 1 to 1024"),
    ],
)
def test_bad_options(keywords, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        dm.pdist(GOOD, **keywords)
    with pytest.raises(ValueError, match=re.escape(message)):
        dm.cdist(GOOD, GOOD, **keywords)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        dm.pdist(GOOD, "haversine")  # type: ignore[misc]
    with pytest.raises(TypeError):
        dm.cdist(GOOD, GOOD, "haversine")  # type: ignore[misc]


@pytest.mark.parametrize("points", [[["a", "b"], ["c", "d"]], np.ones((2, 2), complex), np.ones((2, 2), bool)])
def test_not_numbers(points):
    with pytest.raises(TypeError, match="points must hold real numbers"):
        dm.pdist(points)


def untouched(shape, dtype=np.float64):
    return np.full(shape, -1.0, dtype=dtype)


@pytest.mark.parametrize(
    "out, message",
    [
        (untouched((5,)), "out has shape (5,), the result needs (6,)"),
        (untouched((6, 1)), "out has shape (6, 1), the result needs (6,)"),
        (untouched((6,), np.float16), "out has dtype float16, the result is float64 or float32"),
        (untouched((6,), np.dtype(">f8")), "out has dtype >f8, the result is float64 or float32"),
        (untouched((12,))[::2], "out must be C-contiguous"),
    ],
)
def test_bad_out_is_refused_and_untouched(out, message):
    before = out.copy()
    with pytest.raises(ValueError, match=re.escape(message)):
        dm.pdist(GOOD, out=out)
    assert np.array_equal(out, before)


def test_out_dtype_differing_from_dtype():
    out = untouched((6,), np.float32)
    with pytest.raises(ValueError, match=re.escape("out has dtype float32, the result is float64 (pass dtype= to match)")):
        dm.pdist(GOOD, dtype=np.float64, out=out)
    assert np.array_equal(out, untouched((6,), np.float32))


def test_out_of_cdist_checked_too():
    with pytest.raises(ValueError, match=re.escape("out has shape (4, 3), the result needs (4, 4)")):
        dm.cdist(GOOD, GOOD, out=untouched((4, 3)))
    with pytest.raises(ValueError, match="out must be C-contiguous"):
        dm.cdist(GOOD, GOOD, out=np.asfortranarray(untouched((4, 4))))


def test_read_only_out():
    out = untouched((6,))
    out.flags.writeable = False
    with pytest.raises(ValueError, match="out is read-only"):
        dm.pdist(GOOD, out=out)


def test_out_must_be_an_array():
    with pytest.raises(TypeError, match="out must be a numpy.ndarray"):
        dm.pdist(GOOD, out=[0.0] * 6)  # type: ignore[arg-type]


def test_bad_points_leave_out_untouched():
    out = untouched((6,))
    points = GOOD.copy()
    points[3, 0] = np.nan
    with pytest.raises(ValueError):
        dm.pdist(points, out=out)
    assert np.array_equal(out, untouched((6,)))


def test_nearest_and_within_refuse_equirectangular_and_check_the_figure():
    with pytest.raises(ValueError, match="nearest needs metric 'haversine' or 'geodesic'"):
        dm.nearest(GOOD, 2, metric="equirectangular")
    with pytest.raises(ValueError, match="within needs metric 'haversine' or 'geodesic'"):
        dm.within(GOOD, 10.0, metric="equirectangular")
    with pytest.raises(ValueError, match="radius is the sphere's and cannot be combined with metric='geodesic'"):
        dm.nearest(GOOD, 2, metric="geodesic", radius=6371.0)
    with pytest.raises(ValueError, match="ellipsoid applies to metric='geodesic' only"):
        dm.within(GOOD, 10.0, ellipsoid="wgs84")
    with pytest.raises(ValueError, match="inverse flattening 50 is not allowed"):
        dm.summary(GOOD, metric="geodesic", ellipsoid=(6378137.0, 50.0))
