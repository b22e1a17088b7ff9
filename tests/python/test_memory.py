"""The library keeps freed large blocks for its next ones (up to 64 MiB,
include/distance_matrix/memory/); the module returns them when a call ends
and when the arrays it handed out are freed, so that a long-lived process
does not hold tens of megabytes it no longer uses."""

import gc

import distance_matrix as dm
from conftest import random_points


def resident_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def test_a_calls_memory_is_returned_with_its_arrays(rng):
    points = random_points(rng, 200_000)
    dm.within(points[:2000], 100.0)  # the module's first allocations, before the baseline
    gc.collect()
    before = resident_bytes()
    pairs = dm.within(points, 100.0)
    # About 12 neighbours a point: arrays of tens of megabytes, and the
    # search's rows (freed inside the call) as large.
    assert pairs.nnz * 16 > 32 << 20
    del pairs
    gc.collect()
    assert resident_bytes() - before < 8 << 20
