"""dm.within against an independent NumPy haversine brute force, SciPy's
cKDTree.query_pairs on unit vectors, and scikit-learn's
radius_neighbors_graph, on random, clustered, duplicate, polar and
antimeridian inputs."""

import builtins

import numpy as np
import pytest
from scipy.sparse import csr_matrix, triu
from scipy.spatial import cKDTree
from sklearn.neighbors import radius_neighbors_graph

import distance_matrix as dm
from conftest import random_points

R = dm.MEAN_EARTH_RADIUS_KM


def haversine(a, b):
    """The (len(a), len(b)) great-circle distances in km, written here from unit vectors:
    atan2(|a x b|, a . b), well conditioned from coincident to antipodal points."""
    u, v = unit_vectors(a), unit_vectors(b)
    cross = np.linalg.norm(np.cross(u[:, None, :], v[None, :, :]), axis=2)
    return R * np.arctan2(cross, u @ v.T)


def unit_vectors(points):
    lat, lon = np.radians(points[:, 0]), np.radians(points[:, 1])
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def clustered(rng, count):
    """Clusters a few km wide, exact duplicates, a pole at many longitudes, both sides of ±180°."""
    centres = random_points(rng, 8)
    points = np.repeat(centres, count // 8, axis=0) + rng.normal(0.0, 0.05, (count // 8 * 8, 2))
    points[:, 0] = np.clip(points[:, 0], -90.0, 90.0)
    points[:, 1] = (points[:, 1] + 180.0) % 360.0 - 180.0
    points[10:20] = points[5]
    points[20:25] = [[90.0, lon] for lon in (-180.0, -90.0, 0.0, 45.0, 180.0)]
    points[25:29] = [[10.0, 179.99], [10.0, -179.99], [10.0, 180.0], [10.0, -180.0]]
    return points


def assert_same_as_brute_force(result, points, destinations, distance):
    own = destinations is None
    matrix = haversine(points, points if own else destinations)
    inside = matrix <= distance
    if own:
        np.fill_diagonal(inside, False)
    # A pair within 1e-9 km of the edge may fall either side with other roundings.
    edge = np.abs(matrix - distance) < 1e-9
    assert isinstance(result, csr_matrix)
    assert result.shape == matrix.shape
    found = np.zeros(matrix.shape, dtype=bool)
    rows = np.repeat(np.arange(result.shape[0]), np.diff(result.indptr))
    found[rows, result.indices] = True
    assert np.array_equal(found & ~edge, inside & ~edge)
    for row in range(result.shape[0]):  # each row in index order, no duplicates
        columns = result.indices[result.indptr[row]:result.indptr[row + 1]]
        assert np.all(np.diff(columns) > 0)
    np.testing.assert_allclose(result.data, matrix[rows, result.indices], rtol=1e-12, atol=1e-9)
    # The distances are the kernel's own doubles, those of cdist.
    exact = dm.cdist(points, points if own else destinations)
    np.testing.assert_array_equal(result.data, exact[rows, result.indices])


@pytest.mark.parametrize("make", [random_points, clustered])
@pytest.mark.parametrize("distance", [0.0, 5.0, 800.0, 30000.0])
def test_within_is_the_brute_force(rng, make, distance):
    points = make(rng, 400)
    assert_same_as_brute_force(dm.within(points, distance), points, None, distance)


@pytest.mark.parametrize("make", [random_points, clustered])
def test_within_destinations_is_the_brute_force(rng, make):
    points, destinations = make(rng, 200), make(rng, 160)
    assert_same_as_brute_force(dm.within(points, 900.0, destinations), points, destinations, 900.0)


def test_within_upper_triangle_is_query_pairs(rng):
    points = clustered(rng, 2000)
    distance = 7.0
    upper = triu(dm.within(points, distance, workers=2), k=1).tocoo()
    ours = set(zip(upper.row.tolist(), upper.col.tolist()))
    pairs = cKDTree(unit_vectors(points)).query_pairs(2 * np.sin(distance / (2 * R)))
    assert len(ours) > 1000
    assert ours == pairs


def test_within_is_radius_neighbors_graph(rng):
    points = clustered(rng, 800)
    radians = np.radians(points)
    theirs = radius_neighbors_graph(radians, 20.0 / R, mode="distance", metric="haversine", include_self=False)
    ours = dm.within(points, 20.0)
    assert ours.nnz == theirs.nnz
    ours.sort_indices()
    theirs.sort_indices()
    np.testing.assert_array_equal(ours.indptr, theirs.indptr)
    np.testing.assert_array_equal(ours.indices, theirs.indices)
    np.testing.assert_allclose(ours.data, theirs.data * R, rtol=1e-9, atol=1e-9)


def test_within_units_and_radius(rng):
    points = random_points(rng, 300)
    in_km = dm.within(points, 1000.0)
    in_miles = dm.within(points, 1000.0 / 1.609344, unit="mi")
    np.testing.assert_array_equal(in_km.indices, in_miles.indices)
    np.testing.assert_allclose(in_miles.data, in_km.data / 1.609344, rtol=1e-12)
    unit_sphere = dm.within(points, 0.1, radius=1.0)
    assert_same = haversine(points, points) / R <= 0.1
    np.fill_diagonal(assert_same, False)
    assert unit_sphere.nnz == int(assert_same.sum())


def test_workers_give_the_same_arrays(rng):
    points = clustered(rng, 3000)
    one, two = dm.within(points, 3.0, workers=1), dm.within(points, 3.0, workers=2)
    for name in ("indptr", "indices", "data"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name))


def test_without_scipy_the_csr_arrays(rng, monkeypatch):
    points = clustered(rng, 300)
    expected = dm.within(points, 10.0)
    real_import = builtins.__import__

    def no_scipy(name, *args, **kwargs):
        if name == "scipy" or name.startswith("scipy."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_scipy)
    data, indices, indptr = dm.within(points, 10.0)
    assert indices.dtype == indptr.dtype == np.int64 and data.dtype == np.float64
    np.testing.assert_array_equal(data, expected.data)
    np.testing.assert_array_equal(indices, expected.indices)
    np.testing.assert_array_equal(indptr, expected.indptr)


@pytest.mark.parametrize("distance", [-1.0, float("nan"), float("inf"), "10km", True])
def test_bad_distance_is_refused(distance):
    with pytest.raises(ValueError, match="distance"):
        dm.within([[0.0, 0.0], [1.0, 1.0]], distance)


def test_one_point_and_empty_rows():
    result = dm.within([[0.0, 0.0]], 100.0)
    assert result.shape == (1, 1) and result.nnz == 0
    far = dm.within([[0.0, 0.0], [0.0, 90.0]], 100.0)
    np.testing.assert_array_equal(far.indptr, [0, 0, 0])
