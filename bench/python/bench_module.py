#!/usr/bin/env python3
"""Speed of the distance_matrix Python module against issue 9's targets.

    PYTHONPATH=build/release/python /usr/bin/python3 bench/python/bench_module.py

1. dm.pdist at n = 10,000 against scikit-learn's haversine_distances on the
   same points in the same process (target: at least 50x faster). sklearn
   returns the square n x n; dm.cdist(points, points), the same square, is
   timed too.
2. Two Python threads each calling dm.pdist(..., workers=1) on their own
   5,000 points, against one such call alone (target: at most 1.2x).
3. Call overhead: dm.pdist on 3 points (target: under 10 us per call).

Each time is the best of --repeat runs (the machine may be shared: the load
average is printed before and after). Not a test: nothing is asserted.
"""

import argparse
import os
import threading
import time
import timeit

import numpy as np
from sklearn.metrics.pairwise import haversine_distances

import distance_matrix as dm


def best(run, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def random_points(rng, count):
    return np.column_stack([np.degrees(np.arcsin(rng.uniform(-1, 1, count))), rng.uniform(-180, 180, count)])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000, help="n of the pdist comparison (default 10000)")
    parser.add_argument("--thread-points", type=int, default=5_000, help="points per thread (default 5000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement, best kept (default 5)")
    arguments = parser.parse_args()
    rng = np.random.default_rng(2026)
    print(f"distance_matrix {dm.__version__}, simd on {dm.simd_target()}, {len(os.sched_getaffinity(0))} cores, "
          f"load average {os.getloadavg()[0]:.2f}")

    n = arguments.points
    points = random_points(rng, n)
    radians = np.radians(points)
    sklearn = best(lambda: haversine_distances(radians), max(1, arguments.repeat // 2))
    pdist = best(lambda: dm.pdist(points), arguments.repeat)
    square = best(lambda: dm.cdist(points, points), arguments.repeat)
    pdist_one = best(lambda: dm.pdist(points, workers=1), arguments.repeat)
    # A new 400 MB result costs page faults on first touch; into a reused array it does not.
    reused = np.empty(n * (n - 1) // 2)
    pdist_reused = best(lambda: dm.pdist(points, out=reused), arguments.repeat)
    print(f"\n1. n = {n:,}: sklearn haversine_distances (n x n) {sklearn:.3f} s")
    print(f"   dm.pdist (condensed, every core)      {pdist:.3f} s   {sklearn / pdist:6.1f}x faster")
    print(f"   dm.cdist(points, points) (n x n)      {square:.3f} s   {sklearn / square:6.1f}x faster")
    print(f"   dm.pdist(workers=1)                   {pdist_one:.3f} s   {sklearn / pdist_one:6.1f}x faster")
    print(f"   dm.pdist(out=reused array)            {pdist_reused:.3f} s   {sklearn / pdist_reused:6.1f}x faster")

    m = arguments.thread_points
    own = [random_points(rng, m) for _ in range(2)]
    outs = [np.empty(m * (m - 1) // 2) for _ in own]
    print(f"\n2. dm.pdist(workers=1) on {m:,} points, one call alone against two threads each on its own points:")
    for label, keywords in (("new result array", [{}, {}]), ("out=own array", [{"out": out} for out in outs])):
        alone = best(lambda: dm.pdist(own[0], workers=1, **keywords[0]), arguments.repeat)

        def two_threads():
            threads = [threading.Thread(target=dm.pdist, args=(block,), kwargs={"workers": 1, **extra})
                       for block, extra in zip(own, keywords)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        together = best(two_threads, arguments.repeat)
        print(f"   {label:17} alone {alone:.3f} s, two threads {together:.3f} s = {together / alone:.2f}x")

    three = np.array([[42.2808, -83.743], [40.3641, -111.7385], [42.3601, -71.0589]])
    calls = 100_000
    overhead = min(timeit.repeat(lambda: dm.pdist(three), number=calls, repeat=arguments.repeat)) / calls
    # CPU time of this process: what the call costs, whatever else the machine runs (it stays on this thread).
    cpu = min(timeit.repeat(lambda: dm.pdist(three), number=calls, repeat=arguments.repeat,
                            timer=time.process_time)) / calls
    print(f"\n3. dm.pdist on 3 points: {overhead * 1e6:.2f} us per call wall clock, {cpu * 1e6:.2f} us CPU time "
          f"(best of {arguments.repeat} x {calls:,})")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
