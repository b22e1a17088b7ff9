"""Values of pdist and cdist against independent references: scikit-learn's
haversine_distances (the textbook formula, off by at most ~2e-4 km near the
antipode), Python's geographiclib for the geodesic (Karney's own Python code),
SciPy's squareform layout, and NumPy's own float32 rounding."""

import doctest

import numpy as np
import pytest
from scipy.spatial.distance import squareform
from geographiclib.geodesic import Geodesic
from sklearn.metrics.pairwise import haversine_distances

import distance_matrix as dm
from conftest import random_points

RADIUS_KM = 6371.0088
# The textbook 2R·asin(√a) that scikit-learn evaluates loses digits near the
# antipode (1.9e-4 km worst, see distance_kernel.hpp); our kernels are within 1e-9 km.
TEXTBOOK_ERROR_KM = 2e-4

README_POINTS = np.array([[42.2808, -83.743], [40.3641, -111.7385], [42.3601, -71.0589]])


def sklearn_km(origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
    return haversine_distances(np.radians(origins), np.radians(destinations)) * RADIUS_KM


@pytest.mark.parametrize("kernel", dm.KERNELS)
def test_cdist_matches_scikit_learn(rng, kernel):
    origins, destinations = random_points(rng, 300), random_points(rng, 170)
    result = dm.cdist(origins, destinations, kernel=kernel)
    assert result.shape == (300, 170) and result.dtype == np.float64
    np.testing.assert_allclose(result, sklearn_km(origins, destinations), rtol=0, atol=TEXTBOOK_ERROR_KM)


@pytest.mark.parametrize("kernel", dm.KERNELS)
def test_pdist_is_scipys_condensed_layout(rng, kernel):
    points = random_points(rng, 257)
    condensed = dm.pdist(points, kernel=kernel)
    assert condensed.shape == (257 * 256 // 2,)
    square = squareform(condensed)
    np.testing.assert_allclose(square, sklearn_km(points, points), rtol=0, atol=TEXTBOOK_ERROR_KM)
    # The kernel's value of a pair does not depend on the shape it is computed in.
    off_diagonal = ~np.eye(257, dtype=bool)
    assert np.array_equal(square[off_diagonal], dm.cdist(points, points, kernel=kernel)[off_diagonal])


def test_readme_distances():
    # Ann Arbor, Provo, Boston: the README's reference distances, in km.
    np.testing.assert_allclose(dm.pdist(README_POINTS), [2336.963, 1041.913, 3369.800], atol=5e-4)


def test_kernels_agree_within_the_accuracy_contract(rng):
    points = random_points(rng, 400)
    np.testing.assert_allclose(dm.pdist(points, kernel="simd"), dm.pdist(points, kernel="scalar"), rtol=0, atol=2e-9)


@pytest.mark.parametrize("unit, km_per_unit", [("km", 1.0), ("m", 0.001), ("mi", 1.609344), ("nmi", 1.852)])
def test_units_and_radius(rng, unit, km_per_unit):
    points = random_points(rng, 50)
    expected = sklearn_km(points, points)[np.triu_indices(50, 1)] / km_per_unit
    np.testing.assert_allclose(dm.pdist(points, unit=unit), expected, rtol=1e-12, atol=TEXTBOOK_ERROR_KM / km_per_unit)
    np.testing.assert_allclose(dm.pdist(points, unit=unit, radius=1.0), expected / RADIUS_KM, rtol=1e-12,
                               atol=1e-12 / km_per_unit)


def test_equirectangular_against_numpy(rng):
    points = random_points(rng, 60)
    lat = np.radians(points[:, 0])
    dlng = np.radians((points[None, :, 1] - points[:, None, 1] + 180.0) % 360.0 - 180.0)
    x = dlng * np.cos((lat[:, None] + lat[None, :]) / 2)
    y = lat[None, :] - lat[:, None]
    expected = np.hypot(x, y) * RADIUS_KM
    result = dm.cdist(points, points, metric="equirectangular")
    # Both sides evaluate the same expression; Highway's cos is within 3 ulp.
    # Only (0, -180) vs (0, 180) may differ in which way round it goes: none here differ by 180 exactly.
    mask = np.abs(np.abs(points[None, :, 1] - points[:, None, 1]) - 180.0) > 1e-9
    np.testing.assert_allclose(result[mask], expected[mask], rtol=1e-12, atol=1e-9)


def test_float32_rounds_each_double_once(rng):
    points = random_points(rng, 300)
    doubles = dm.pdist(points)
    singles = dm.pdist(points, dtype=np.float32)
    assert singles.dtype == np.float32
    assert singles.tobytes() == doubles.astype(np.float32).tobytes()
    rectangle = dm.cdist(points[:7], points, dtype="float32", kernel="scalar")
    assert rectangle.tobytes() == dm.cdist(points[:7], points, kernel="scalar").astype(np.float32).tobytes()


@pytest.mark.parametrize("count", [0, 1, 2])
def test_zero_one_two_points(count):
    points = README_POINTS[:count]
    result = dm.pdist(points)
    assert result.shape == (count * (count - 1) // 2,) and result.dtype == np.float64
    if count == 2:
        np.testing.assert_allclose(result, [2336.963], atol=5e-4)
    assert dm.cdist(points, README_POINTS).shape == (count, 3)
    assert dm.cdist(README_POINTS, points).shape == (3, count)
    assert dm.pdist(np.empty((count, 2), np.float32) if count == 0 else points, dtype=np.float32).shape == result.shape


def test_any_memory_order_and_input_type(rng):
    points = random_points(rng, 200)
    expected = dm.pdist(points)
    assert np.array_equal(dm.pdist(np.asfortranarray(points)), expected)
    wide = np.zeros((200, 5))
    wide[:, 1], wide[:, 3] = points[:, 0], points[:, 1]
    assert np.array_equal(dm.pdist(wide[:, 1::2]), expected)  # strided columns
    reversed_rows = points[::-1]  # negative stride
    assert np.array_equal(dm.pdist(reversed_rows), dm.pdist(np.ascontiguousarray(reversed_rows)))
    assert np.array_equal(dm.pdist(points.tolist()), expected)
    singles = points.astype(np.float32)
    assert np.array_equal(dm.pdist(singles), dm.pdist(singles.astype(np.float64)))
    assert np.array_equal(dm.pdist([[0, 0], [0, 1]]), dm.pdist([[0.0, 0.0], [0.0, 1.0]]))


def test_workers_do_not_change_a_bit(rng):
    points = random_points(rng, 600)  # 179,700 cells: enough to be shared among threads
    one = dm.pdist(points, workers=1)
    assert dm.pdist(points, workers=2).tobytes() == one.tobytes()
    assert dm.pdist(points).tobytes() == one.tobytes()
    assert dm.pdist(points, workers=3, dtype=np.float32).tobytes() == one.astype(np.float32).tobytes()
    rectangle = dm.cdist(points, points[:100], workers=1)
    assert dm.cdist(points, points[:100], workers=2).tobytes() == rectangle.tobytes()


def test_docstring_examples():
    assert doctest.testmod(dm).failed == 0


def test_module_surface():
    assert dm.__version__.count(".") == 2
    assert dm.simd_target() in {"avx512", "avx2", "sse4", "ssse3", "generic"}
    for function in (dm.pdist, dm.cdist, dm.simd_target):
        assert function.__doc__ and len(function.__doc__) > 40
    assert "pdist" in dm.__doc__ and "interpreter lock" in dm.__doc__


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_float_input_is_not_copied(rng, order, dtype):
    # NumPy reports its allocations to tracemalloc: a copy of the 1,000,000
    # points (16 or 8 MB) would show in the peak next to the 8 MB result.
    import tracemalloc

    points = np.asarray(random_points(rng, 1_000_000), dtype=dtype, order=order)
    tracemalloc.start()
    try:
        result = dm.cdist(points, points[:1])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.shape == (1_000_000, 1)
    assert result.nbytes <= peak < result.nbytes + 1_000_000


@pytest.mark.parametrize("ellipsoid, a, invf", [(None, 6378137.0, 298.257223563), ("grs80", 6378137.0, 298.257222101),
                                                ((6378388.0, 297.0), 6378388.0, 297.0)])
def test_geodesic_matches_geographiclib(rng, ellipsoid, a, invf):
    origins, destinations = random_points(rng, 40), random_points(rng, 25)
    # Nearly antipodal pairs, Karney's hardest case, among them (origins 4 to 8: 0 to 3 are poles and the antimeridian).
    near = origins[4:9]
    destinations[:5, 0] = np.clip(-near[:, 0] + rng.uniform(-0.01, 0.01, 5), -90, 90)
    destinations[:5, 1] = np.clip(np.where(near[:, 1] > 0, near[:, 1] - 180, near[:, 1] + 180)
                                  + rng.uniform(-0.01, 0.01, 5), -180, 180)
    geodesic = Geodesic(a, 1 / invf)
    expected = np.array([[geodesic.Inverse(*p, *q)["s12"] for q in destinations] for p in origins])
    for kernel in dm.KERNELS:
        result = dm.cdist(origins, destinations, metric="geodesic", ellipsoid=ellipsoid, unit="m", kernel=kernel)
        np.testing.assert_allclose(result, expected, rtol=0, atol=1e-6)
    condensed = dm.pdist(origins, metric="geodesic", ellipsoid=ellipsoid, unit="km")
    np.testing.assert_array_equal(squareform(condensed), dm.cdist(origins, origins, metric="geodesic",
                                                                  ellipsoid=ellipsoid, unit="km"))
