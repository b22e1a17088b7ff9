"""pdist, cdist and within release the interpreter lock while they compute.

With a switch interval of 1000 s, CPython hands the lock from one thread to
another only when the holder releases it itself (a blocking call, or an
extension's Py_BEGIN_ALLOW_THREADS). A worker thread marks `inside` around
each cdist call, and the main thread, waiting for the lock, can only run
while the worker is inside cdist, so it sees `inside` True; had cdist kept
the lock, the main thread would run only after the worker's last call. No
sleeps and no clocks: the worker stops once the main thread has been seen
(and gives up after a bounded number of calls, which fails the test).
"""

import sys
import threading

import numpy as np

import distance_matrix as dm

MAX_CALLS = 20_000


def run_while_observed(compute):
    state = {"inside": False, "observed_inside": None, "calls": 0, "error": None}
    started = threading.Event()

    def worker():
        started.set()
        try:
            while state["observed_inside"] is None and state["calls"] < MAX_CALLS:
                state["inside"] = True
                compute()
                state["inside"] = False
                state["calls"] += 1
        except BaseException as error:  # re-raised in the test's thread: a call that fails proves nothing
            state["error"] = error

    previous = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        thread = threading.Thread(target=worker)
        thread.start()
        started.wait()
        state["observed_inside"] = state["inside"]
        thread.join()
    finally:
        sys.setswitchinterval(previous)
    if state["error"] is not None:
        raise state["error"]
    return state


def test_cdist_releases_the_gil():
    points = np.random.default_rng(9).uniform(-60, 60, (300, 2))
    state = run_while_observed(lambda: dm.cdist(points, points, workers=1))
    assert state["observed_inside"] is True
    assert state["calls"] < MAX_CALLS


def test_pdist_releases_the_gil_with_worker_threads():
    points = np.random.default_rng(10).uniform(-60, 60, (400, 2))
    state = run_while_observed(lambda: dm.pdist(points, workers=2, dtype=np.float32))
    assert state["observed_inside"] is True
    assert state["calls"] < MAX_CALLS


def test_within_releases_the_gil():
    # The compiled search alone: building the csr_matrix afterwards runs NumPy
    # copies that release the lock themselves, which would hide a search
    # holding it.
    points = np.random.default_rng(11).uniform(-60, 60, (3000, 2))
    state = run_while_observed(
        lambda: dm._core.within(points, None, 500.0, "haversine", "km", dm.MEAN_EARTH_RADIUS_KM, None, "simd", 1))
    assert state["observed_inside"] is True
    assert state["calls"] < MAX_CALLS
