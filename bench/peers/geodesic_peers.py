#!/usr/bin/env python3
"""Our geodesic matrix (--metric geodesic) against what a Python user would
run instead, over the same pairs, in one go (issue 16's targets).

Usage (after bench/peers/setup and a release build):
    /usr/bin/python3 bench/peers/geodesic_peers.py [--locations 2000] [--loop-pairs 20000]
        [--tool build/release/distance_matrix] [--module build/release/python]

On --locations random points (seeded, uniform on the sphere), every pair once
(SciPy's condensed order, n(n-1)/2 pairs), distances in metres on WGS84:

- ours, the Python module: dm.pdist(points, metric="geodesic", unit="m"),
  with workers=1 and with every core (the matrix split over oneTBB threads);
- ours, the tool as a whole process (start-up and CSV reading included):
  --metric geodesic --format npy --layout condensed -o /dev/null, with
  --workers 1 and with every core;
- pyproj's Geod(ellps="WGS84").inv over the same pairs as four NumPy arrays
  (PROJ's C implementation of Karney; one core; building the arrays of pair
  coordinates is not timed);
- a Python loop over geographiclib's Geodesic.WGS84.Inverse, timed over the
  first --loop-pairs pairs (a whole matrix would take minutes) and reported
  as pairs per second.

Each timing is the best of --runs, wall clock and CPU time (of this process,
or of the tool's process): pairs per CPU second is the per-core rate, and it
stays meaningful when other work shares the machine, which wall clock does
not. Agreement is checked too: our module
against pyproj on every pair and against geographiclib on the looped pairs,
at most 1 micrometre apart.
"""
import argparse
import math
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CONTRACT_M = 1e-6


def random_points(count, seed=20261204):
    rng = np.random.default_rng(seed)
    latitudes = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, count)))
    longitudes = rng.uniform(-180.0, 180.0, count)
    return np.column_stack([latitudes, longitudes])


def best_of(runs, function):
    """Best wall clock, best CPU time (every thread of this process), last result."""
    wall, cpu, result = math.inf, math.inf, None
    for _ in range(runs):
        cpu_before = time.process_time()
        start = time.perf_counter()
        result = function()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - cpu_before)
    return wall, cpu, result


def child_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def tool_seconds(tool, path, workers, runs):
    """Best wall clock and CPU time of the whole process, and the kernel its report names."""
    arguments = [tool, path, "--metric", "geodesic", "--format", "npy", "--layout", "condensed", "-o", "/dev/null"]
    if workers:
        arguments += ["--workers", str(workers)]
    wall, cpu, kernel = math.inf, math.inf, ""
    for _ in range(runs):
        cpu_before = child_cpu_seconds()
        start = time.perf_counter()
        done = subprocess.run(arguments, capture_output=True, text=True, check=True)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, child_cpu_seconds() - cpu_before)
        kernel = re.search(r"calculation +[0-9.]+ s +[0-9]+ pairs \((.*)\)", done.stderr).group(1)
    return wall, cpu, kernel


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--locations", type=int, default=2000)
    parser.add_argument("--loop-pairs", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tool", default=os.path.join(ROOT, "build", "release", "distance_matrix"))
    parser.add_argument("--module", default=os.path.join(ROOT, "build", "release", "python"))
    options = parser.parse_args()

    sys.path.insert(0, options.module)
    import distance_matrix as dm
    import pyproj
    from geographiclib.geodesic import Geodesic

    points = random_points(options.locations)
    pairs = options.locations * (options.locations - 1) // 2
    rows, columns = np.triu_indices(options.locations, k=1)  # condensed order: (0,1), (0,2), ...
    lat1, lon1 = points[rows, 0], points[rows, 1]
    lat2, lon2 = points[columns, 0], points[columns, 1]
    cores = os.cpu_count()
    print(f"{options.locations} locations, {pairs} pairs, WGS84, metres; {platform.processor() or platform.machine()}, "
          f"{cores} cores; pyproj {pyproj.__version__} (PROJ {pyproj.proj_version_str}), "
          f"geographiclib {__import__('geographiclib').__version__}, best of {options.runs}")
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    print(f"{'what':58s} {'wall s':>8s} {'pairs/s':>10s} {'CPU s':>8s} {'pairs/CPU s':>12s}")

    def line(what, wall, cpu, count=pairs):
        print(f"{what:58s} {wall:8.3f} {count / wall:10.4g} {cpu:8.3f} {count / cpu:12.4g}")
        return count / wall, count / cpu

    rates = {}
    for workers in (1, None):
        wall, cpu, ours = best_of(options.runs, lambda: dm.pdist(points, metric="geodesic", unit="m", workers=workers))
        rates[f"module_{workers or 'all'}"] = line(f"ours: dm.pdist, workers={workers or cores}", wall, cpu)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "points.csv")
        with open(path, "w") as file:
            file.write("name,latitude,longitude\n")
            for index, (latitude, longitude) in enumerate(points):
                file.write(f"p{index},{latitude!r},{longitude!r}\n")
        for workers in (1, None):
            wall, cpu, kernel = tool_seconds(options.tool, path, workers, options.runs)
            rates[f"tool_{workers or 'all'}"] = line(f"ours: the tool, whole process, --workers {workers or cores}",
                                                     wall, cpu)
        print(f"  (the tool's report names the kernel: {kernel})")

    geod = pyproj.Geod(ellps="WGS84")
    wall, cpu, (_, _, theirs) = best_of(options.runs, lambda: geod.inv(lon1, lat1, lon2, lat2))
    rates["pyproj"] = line("pyproj Geod(ellps='WGS84').inv, arrays, 1 core", wall, cpu)

    loop = min(options.loop_pairs, pairs)
    wgs84 = Geodesic.WGS84

    def python_loop():
        return [wgs84.Inverse(lat1[k], lon1[k], lat2[k], lon2[k], Geodesic.DISTANCE)["s12"] for k in range(loop)]

    wall, cpu, looped = best_of(1, python_loop)
    rates["loop"] = line(f"Python loop over geographiclib Inverse ({loop} pairs)", wall, cpu, loop)

    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(f"{'ratio':58s} {'wall':>8s} {'per CPU s':>23s}")
    for what, ours_key, theirs_key in (
            (f"ours (module, {cores} workers) / pyproj arrays", "module_all", "pyproj"),
            (f"ours (module, {cores} workers) / Python geographiclib loop", "module_all", "loop"),
            ("ours (module, 1 worker) / pyproj arrays", "module_1", "pyproj"),
            ("ours (module, 1 worker) / Python geographiclib loop", "module_1", "loop")):
        wall_ratio = rates[ours_key][0] / rates[theirs_key][0]
        cpu_ratio = rates[ours_key][1] / rates[theirs_key][1]
        print(f"{what:58s} {wall_ratio:7.1f}x {cpu_ratio:22.1f}x")
    worst_pyproj = float(np.max(np.abs(ours - theirs)))
    worst_loop = float(np.max(np.abs(ours[:loop] - np.array(looped))))
    print(f"agreement: largest difference {worst_pyproj:.3g} m with pyproj, {worst_loop:.3g} m with geographiclib")
    if max(worst_pyproj, worst_loop) > CONTRACT_M:
        sys.exit("disagreement beyond 1 micrometre")


if __name__ == "__main__":
    main()
