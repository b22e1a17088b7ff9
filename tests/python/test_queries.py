"""dm.nearest and dm.summary against brute force over dm.cdist's own
matrix (the same kernel's doubles, so equal to the bit), and dm.nearest
against scikit-learn's BallTree(metric="haversine")."""

import numpy as np
import pytest
from sklearn.neighbors import BallTree

import distance_matrix as dm
from conftest import random_points


def with_duplicates(rng, count):
    points = random_points(rng, count)
    points[10:20] = points[5]            # exact duplicates
    points[20:25] = [[90.0, lon] for lon in (-180.0, -90.0, 0.0, 45.0, 180.0)]  # one pole
    return points


def brute_nearest(matrix, k, own):
    distances, indices = [], []
    for row_index, row in enumerate(matrix):
        columns = [column for column in range(len(row)) if not (own and column == row_index)]
        order = sorted(columns, key=lambda column: (row[column], column))[:k]
        indices.append(order + [-1] * (k - len(order)))
        distances.append([row[column] for column in order] + [np.inf] * (k - len(order)))
    return np.array(distances), np.array(indices)


@pytest.mark.parametrize("k", [1, 4, 300])
@pytest.mark.parametrize("to", [False, True])
def test_nearest_is_the_brute_force_over_cdist(rng, k, to):
    points = with_duplicates(rng, 120)
    destinations = with_duplicates(rng, 90) if to else None
    matrix = dm.cdist(points, destinations if to else points)
    distances, indices = dm.nearest(points, k, destinations)
    expected_distances, expected_indices = brute_nearest(matrix, k, own=not to)
    assert distances.shape == indices.shape == (len(points), k)
    assert indices.dtype == np.int64
    np.testing.assert_array_equal(indices, expected_indices)
    np.testing.assert_array_equal(distances, expected_distances)


def test_nearest_matches_balltree(rng):
    points = random_points(rng, 3000)
    points[3] = [0.5, -179.5]  # (0, -180) would tie with (0, 180): sklearn orders ties its own way
    distances, indices = dm.nearest(points, 6, workers=2)
    tree_distances, tree_indices = BallTree(np.radians(points), metric="haversine").query(np.radians(points), k=7)
    np.testing.assert_array_equal(indices, tree_indices[:, 1:])
    np.testing.assert_allclose(distances, tree_distances[:, 1:] * dm.MEAN_EARTH_RADIUS_KM, rtol=1e-9, atol=1e-9)


def test_nearest_is_the_same_on_any_number_of_workers(rng):
    points = with_duplicates(rng, 5000)
    one = dm.nearest(points, 3, workers=1)
    for workers in (2, 3):
        many = dm.nearest(points, 3, workers=workers)
        np.testing.assert_array_equal(one[0], many[0])
        np.testing.assert_array_equal(one[1], many[1])


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_nearest_refuses_a_k_that_is_no_count(k):
    with pytest.raises(ValueError, match="k must be a whole number"):
        dm.nearest(np.zeros((3, 2)), k)


@pytest.mark.parametrize("to", [False, True])
def test_summary_is_the_brute_force_over_cdist(rng, to):
    points = with_duplicates(rng, 150)
    destinations = random_points(rng, 70) if to else None
    matrix = dm.cdist(points, destinations if to else points)
    if not to:
        np.fill_diagonal(matrix, np.nan)
    records = dm.summary(points, destinations)
    assert records.dtype == dm.SUMMARY_DTYPE
    np.testing.assert_array_equal(records["count"], np.count_nonzero(~np.isnan(matrix), axis=1))
    np.testing.assert_array_equal(records["min"], np.nanmin(matrix, axis=1))
    np.testing.assert_array_equal(records["nearest"], np.nanargmin(matrix, axis=1))
    np.testing.assert_array_equal(records["max"], np.nanmax(matrix, axis=1))
    np.testing.assert_array_equal(records["farthest"], np.nanargmax(matrix, axis=1))
    # Mean and sd are exact for the distances rounded to 2^-17 km (docs/queries.md):
    # within half a step of NumPy's, plus NumPy's own rounding.
    half_step = 2.0**-18
    np.testing.assert_allclose(records["mean"], np.nanmean(matrix, axis=1), rtol=1e-12, atol=half_step)
    np.testing.assert_allclose(records["sd"], np.nanstd(matrix, axis=1), rtol=1e-9, atol=half_step)


def test_summary_of_one_point_has_nothing_to_summarise():
    (record,) = dm.summary([[10.0, 20.0]])
    assert record["count"] == 0 and record["nearest"] == -1 and np.isnan(record["mean"])
