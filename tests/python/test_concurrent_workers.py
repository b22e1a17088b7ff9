"""Concurrent calls with different workers= (issue 18 item 14): the library
used to set oneTBB's process-wide limit on every call, so one call's
workers=1 could cap the other's workers=2. Python cannot see the threads a
call ran with and the overlap of two calls is up to the scheduler, so this is
a guard (right, identical values and no oneTBB warning); the deterministic
regression test is tests/executors/concurrent_workers_test.cpp."""

import threading

import numpy as np
from sklearn.metrics.pairwise import haversine_distances
from scipy.spatial.distance import squareform

import distance_matrix as dm
from conftest import random_points

RADIUS_KM = 6371.0088
TEXTBOOK_ERROR_KM = 2e-4  # as in test_values.py
CALLS_PER_THREAD = 20


def test_concurrent_calls_with_different_workers(rng, capfd):
    points = random_points(rng, 600)
    reference = haversine_distances(np.radians(points), np.radians(points)) * RADIUS_KM
    results: dict[int, list[np.ndarray]] = {1: [], 2: []}
    start = threading.Barrier(2)

    def call(workers: int) -> None:
        start.wait()
        for _ in range(CALLS_PER_THREAD):
            results[workers].append(dm.pdist(points, workers=workers))

    threads = [threading.Thread(target=call, args=(workers,)) for workers in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert "TBB Warning" not in capfd.readouterr().err
    first = results[1][0]
    np.testing.assert_allclose(squareform(first), reference, rtol=0, atol=TEXTBOOK_ERROR_KM)
    for workers, condensed in results.items():
        assert len(condensed) == CALLS_PER_THREAD
        for result in condensed:
            assert result.tobytes() == first.tobytes(), f"workers={workers}"
