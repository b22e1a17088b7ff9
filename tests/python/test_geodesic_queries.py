"""dm.nearest, dm.within and dm.summary with metric="geodesic" against a
brute force over Python's geographiclib (Karney's own Python code,
independent of the C++ library): the same neighbours in the same order,
distances within one micrometre; and the command line's rows."""

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

import distance_matrix as dm
from conftest import random_points


def hard_points(rng, count):
    points = random_points(rng, count)
    points[10:14] = points[5]                                                   # duplicates
    points[14:18] = [[90.0, lon] for lon in (-180.0, -45.0, 0.0, 180.0)]       # one pole
    points[18:30] = [[0.002 * step - 0.012, 100.0] for step in range(12)]       # a meridian across the equator
    points[30:34] = [[-points[34 + i, 0], points[34 + i, 1] - 180.0 if points[34 + i, 1] > 0
                      else points[34 + i, 1] + 180.0] for i in range(4)]        # antipodes
    return points


def geographiclib_matrix(points, others, a, invf):
    geodesic = Geodesic(a, 1 / invf if invf else 0.0)
    return np.array([[geodesic.Inverse(p[0], p[1], q[0], q[1])["s12"] / 1000 for q in others] for p in points])


FIGURES = [(None, 6378137.0, 298.257223563), ("grs80", 6378137.0, 298.257222101), ((6378388.0, 297.0), 6378388.0, 297.0)]


@pytest.mark.parametrize("ellipsoid, a, invf", FIGURES)
@pytest.mark.parametrize("to", [False, True])
def test_nearest_within_and_summary_are_geographiclibs(rng, ellipsoid, a, invf, to):
    points = hard_points(rng, 90)
    destinations = hard_points(rng, 60) if to else None
    others = destinations if to else points
    reference = geographiclib_matrix(points, others, a, invf)
    # The tool's own doubles, for the order (ties within an ulp go as the kernel rounds them).
    kernel_matrix = dm.cdist(points, others, metric="geodesic", ellipsoid=ellipsoid)
    np.testing.assert_allclose(kernel_matrix, reference, rtol=0, atol=1e-9)
    if not to:
        np.fill_diagonal(kernel_matrix, np.inf)

    k = 7
    distances, indices = dm.nearest(points, k, destinations, metric="geodesic", ellipsoid=ellipsoid, workers=2)
    for row in range(len(points)):
        order = sorted((column for column in range(len(others)) if to or column != row),
                       key=lambda column: (kernel_matrix[row, column], column))[:k]
        assert list(indices[row]) == order
        np.testing.assert_allclose(distances[row], reference[row, order], rtol=0, atol=1e-9)

    radius = 1500.0
    sparse = dm.within(points, radius, destinations, metric="geodesic", ellipsoid=ellipsoid, workers=2)
    expected = kernel_matrix <= radius
    assert sparse.nnz == expected.sum() > 0
    dense = np.zeros(expected.shape, dtype=bool)
    for row in range(len(points)):
        start, end = sparse.indptr[row], sparse.indptr[row + 1]
        dense[row, sparse.indices[start:end]] = True
        np.testing.assert_allclose(sparse.data[start:end], reference[row, sparse.indices[start:end]], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(dense, expected)

    records = dm.summary(points, destinations, metric="geodesic", ellipsoid=ellipsoid)
    finite = np.where(np.isinf(kernel_matrix), np.nan, kernel_matrix)
    np.testing.assert_allclose(records["min"], np.nanmin(finite, axis=1), rtol=0, atol=1e-9)
    np.testing.assert_allclose(records["max"], np.nanmax(finite, axis=1), rtol=0, atol=1e-9)
    # The mean within half a step of the summary's grid (docs/queries.md: 3.8e-6 km) and 1 um.
    others_only = reference if to else np.where(np.eye(len(points), dtype=bool), np.nan, reference)
    np.testing.assert_allclose(records["mean"], np.nanmean(others_only, axis=1), rtol=1e-12, atol=3.8e-6 + 1e-9)


def test_the_same_answers_whatever_the_workers(rng):
    points = hard_points(rng, 700)
    one = dm.nearest(points, 5, metric="geodesic", workers=1)
    many = dm.nearest(points, 5, metric="geodesic", workers=3)
    np.testing.assert_array_equal(one[0], many[0])
    np.testing.assert_array_equal(one[1], many[1])
    a = dm.within(points, 800.0, metric="geodesic", workers=1)
    b = dm.within(points, 800.0, metric="geodesic", workers=3)
    assert (a != b).nnz == 0 and a.nnz > 0
