#!/usr/bin/env python3
"""The workshop's lesson about the interpreter lock, with the extension that releases it.

Four Python threads each compute one block of rows of a distance matrix.
With dm.cdist, which releases the GIL while it computes, the four blocks
run on all the machine's cores at once: on 2 cores they finish in about
the time of two blocks. With a pure-Python haversine the threads take
turns holding the lock, and four threads take as long as running the four
blocks one after another (or longer: they also fight over the lock).

    PYTHONPATH=build/ci-gcc/python /usr/bin/python3 examples/python/gil.py
    ... --points 4000 --python-points 300      (smaller and quicker)
"""

import argparse
import math
import os
import threading
import time

import numpy as np

import distance_matrix as dm

THREADS = 4
RADIUS_KM = dm.MEAN_EARTH_RADIUS_KM


def python_haversine_rows(origins, destinations):
    """The textbook formula, one pair at a time in Python: holds the GIL throughout."""
    rows = []
    for latitude1, longitude1 in origins:
        phi1, lambda1 = math.radians(latitude1), math.radians(longitude1)
        row = []
        for latitude2, longitude2 in destinations:
            phi2, lambda2 = math.radians(latitude2), math.radians(longitude2)
            a = math.sin((phi2 - phi1) / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin((lambda2 - lambda1) / 2) ** 2
            row.append(2 * RADIUS_KM * math.asin(math.sqrt(a)))
        rows.append(row)
    return rows


def best_seconds(run, repeat):
    """Best of `repeat` runs: on a shared machine, the least disturbed one."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def compare(title, compute_block, blocks, repeat):
    compute_block(0)  # warm-up: first-call costs (imports, instruction-set dispatch, page faults) are not the lesson
    one = best_seconds(lambda: compute_block(0), repeat)
    one_after_another = best_seconds(lambda: [compute_block(index) for index in range(len(blocks))], repeat)

    def in_threads():
        threads = [threading.Thread(target=compute_block, args=(index,)) for index in range(len(blocks))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    threaded = best_seconds(in_threads, repeat)
    print(f"{title}")
    print(f"  one block alone           {one:8.3f} s")
    print(f"  {THREADS} blocks one after another {one_after_another:8.3f} s  = {one_after_another / one:4.1f} blocks' time")
    print(f"  {THREADS} blocks in {THREADS} threads      {threaded:8.3f} s  = {threaded / one:4.1f} blocks' time")
    return threaded / one


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000, help="points of the dm.cdist matrix (default 10000)")
    parser.add_argument("--python-points", type=int, default=600,
                        help="points of the pure-Python matrix, much slower (default 600)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement, best kept (default 3)")
    arguments = parser.parse_args()
    rng = np.random.default_rng(1)
    cores = len(os.sched_getaffinity(0))
    print(f"{cores} cores; simd kernel on {dm.simd_target()}; {THREADS} Python threads, each one block of rows\n")

    points = np.column_stack([rng.uniform(-90, 90, arguments.points), rng.uniform(-180, 180, arguments.points)])
    blocks = np.array_split(points, THREADS)
    # Each block's result array is allocated once and reused (out=): the first touch of new
    # memory costs page faults, which would be measured along with the distances.
    results = [np.empty((len(block), len(points))) for block in blocks]
    # workers=1: each call computes on its own thread only; the parallelism comes from the Python threads.
    native = compare(f"dm.cdist, {arguments.points:,} x {arguments.points:,} (releases the GIL)",
                     lambda index: dm.cdist(blocks[index], points, workers=1, out=results[index]), blocks,
                     arguments.repeat)

    small = points[: arguments.python_points].tolist()
    python_blocks = [small[index::THREADS] for index in range(THREADS)]
    python = compare(f"\npure Python haversine, {len(small):,} x {len(small):,} (holds the GIL)",
                     lambda index: python_haversine_rows(python_blocks[index], small), python_blocks,
                     arguments.repeat)

    ideal = THREADS / min(cores, THREADS)
    print(f"""
Why: a Python thread must hold the interpreter lock (GIL) to run Python
code, so pure-Python threads run one at a time: {THREADS} threads cannot beat
{THREADS} blocks one after another (measured: {python:.1f} blocks' time). dm.cdist
computes in C++ after releasing the lock (pybind11's gil_scoped_release), so
the {THREADS} threads run at once on the {cores} cores: {THREADS} blocks in {ideal:.1f} blocks' time
in theory, {native:.1f} measured (other programs on the machine shift this both ways).""")


if __name__ == "__main__":
    main()
