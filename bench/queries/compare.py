#!/usr/bin/env python3
"""Issue 15's query targets, measured side by side on one machine.

    bench/queries/setup                      # once: cities.csv and random_1m.csv into the cache
    PYTHONPATH=build/release/python /usr/bin/python3 bench/queries/compare.py \
        --tool build/release/distance_matrix

Against SciPy's cKDTree on unit vectors (build + query, workers=2, in-process)
and scikit-learn's BallTree(metric="haversine") (a sample of queries,
extrapolated to all of them; labelled so):
1. --nearest 10 on the 171,075 GeoNames cities, whole process (CSV in, NPZ out,
   as the issue asks; and CSV out).
2. --within 10km on the cities against cKDTree.query_pairs on the chord
   2 sin(d / 2R), both pair counts printed (the issue says 815,479); and,
   in-process, dm.within (a CSR of both directions with distances) against
   cKDTree.sparse_distance_matrix, the peer's call that returns as much.
3. --summary on the cities: time and peak RSS (/usr/bin/time -v).
4. dm.nearest on 1,000,000 random points, k = 10, against cKDTree.
   (--parts picks some of nearest,within,summary,python.)
Each time is the best of --repeat runs; the load average is printed. Not a
test: nothing is asserted.
"""

import argparse
import csv
import os
import re
import subprocess
import tempfile
import time

import numpy as np
from scipy.spatial import cKDTree
from sklearn.neighbors import BallTree

R = 6371.0088


def best(run, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def read_points(path):
    """(n, 2) latitudes and longitudes in degrees: the last two columns (names may hold quoted commas)."""
    with open(path, newline="", encoding="utf-8") as rows:
        reader = csv.reader(rows)
        next(reader)
        return np.array([(float(row[-2]), float(row[-1])) for row in reader], dtype=np.float64)


def unit_vectors(degrees):
    lat, lng = np.radians(degrees[:, 0]), np.radians(degrees[:, 1])
    return np.column_stack([np.cos(lat) * np.cos(lng), np.cos(lat) * np.sin(lng), np.sin(lat)])


def tool_run(tool, args, repeat, new_file=False):
    """Best wall time and peak RSS (MB) of the whole process, from /usr/bin/time -v.

    Each run replaces the previous run's output (the file system deletes the
    old file inside the final rename: 6-13 ms for 27-43 MB on this ext4), or
    with new_file writes a new one (the output, the value after -o, is
    removed and the disk synced before each run, outside the timing)."""
    times, rss = [], []
    output = args[args.index("-o") + 1] if "-o" in args else None
    for _ in range(repeat):
        if new_file and output and os.path.exists(output):
            os.remove(output)
            os.sync()
        start = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-v", tool, *args], capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - start)
        rss.append(int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1)) / 1024)
    return min(times), min(rss)


def line(what, seconds, note=""):
    print(f"  {what:<62} {seconds:9.3f} s  {note}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", default="build/release/distance_matrix")
    parser.add_argument("--cache", default=os.environ.get(
        "DM_BENCH_CACHE", os.path.expanduser("~/.cache/distance_matrix/bench-queries")))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--balltree-sample", type=int, default=2000, help="BallTree queries timed (default 2000)")
    parser.add_argument("--parts", default="nearest,within,summary,python",
                        help="comma-separated parts to run (default: nearest,within,summary,python)")
    arguments = parser.parse_args()
    parts = set(arguments.parts.split(","))
    cities_csv = os.path.join(arguments.cache, "cities.csv")
    random_csv = os.path.join(arguments.cache, "random_1m.csv")
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {len(os.sched_getaffinity(0))} cores, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    cities = read_points(cities_csv)
    n = len(cities)
    vectors = unit_vectors(cities)
    out = tempfile.mkdtemp()

    if "nearest" in parts:
        nearest_part(arguments, cities_csv, cities, vectors, out)
    if "within" in parts:
        within_part(arguments, cities_csv, cities, vectors, out)
    if "summary" in parts:
        summary_part(arguments, cities_csv, n, out)
    if "python" in parts:
        python_part(arguments, random_csv)
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def nearest_part(arguments, cities_csv, cities, vectors, out):
    n = len(cities)
    print(f"\n--nearest 10, {n} cities")
    as_csv, csv_rss = tool_run(arguments.tool, [cities_csv, "--nearest", "10", "-o", f"{out}/nn.csv"], arguments.repeat)
    line("distance_matrix --nearest 10 (whole process, CSV out)", as_csv, f"peak RSS {csv_rss:.0f} MB")
    ours, rss = tool_run(arguments.tool, [cities_csv, "--nearest", "10", "-o", f"{out}/nn.npz"], arguments.repeat)
    line("distance_matrix --nearest 10 (whole process, NPZ out)", ours, f"peak RSS {rss:.0f} MB")
    new_file, _ = tool_run(arguments.tool, [cities_csv, "--nearest", "10", "-o", f"{out}/nn.npz"], arguments.repeat,
                           new_file=True)
    line("distance_matrix --nearest 10 (whole process, NPZ out, a new file)", new_file)
    ckd = best(lambda: cKDTree(vectors).query(vectors, k=11, workers=2), arguments.repeat)
    line("cKDTree(unit vectors) + query(k=11, workers=2), in-process", ckd,
         f"ratio {ckd / ours:.2f}x (new file {ckd / new_file:.2f}x)")
    radians = np.radians(cities)
    tree_seconds = best(lambda: BallTree(radians, metric="haversine"), 1)
    tree = BallTree(radians, metric="haversine")
    sample = radians[np.random.default_rng(15).choice(n, arguments.balltree_sample, replace=False)]
    sample_seconds = best(lambda: tree.query(sample, k=11), 1)
    balltree = tree_seconds + sample_seconds * n / len(sample)
    line(f"BallTree(haversine) build + query k=11, EXTRAPOLATED from {len(sample)} queries", balltree,
         f"ratio {balltree / ours:.1f}x")


def within_part(arguments, cities_csv, cities, vectors, out):
    print(f"\n--within 10km, {len(vectors)} cities")
    ours, rss = tool_run(arguments.tool, [cities_csv, "--within", "10km", "-o", f"{out}/w.csv"], arguments.repeat)
    with open(f"{out}/w.csv") as rows:
        our_pairs = sum(1 for _ in rows) - 1
    line("distance_matrix --within 10km (whole process, CSV out)", ours, f"{our_pairs} pairs, peak RSS {rss:.0f} MB")
    new_file, _ = tool_run(arguments.tool, [cities_csv, "--within", "10km", "-o", f"{out}/w.csv"], arguments.repeat,
                           new_file=True)
    line("distance_matrix --within 10km (whole process, CSV out, a new file)", new_file)
    as_npz, npz_rss = tool_run(arguments.tool, [cities_csv, "--within", "10km", "-o", f"{out}/w.npz"],
                               arguments.repeat)
    line("distance_matrix --within 10km (whole process, NPZ out: CSR, both directions)", as_npz,
         f"peak RSS {npz_rss:.0f} MB")
    chord = 2 * np.sin(10 / (2 * R))
    ckd = best(lambda: cKDTree(vectors).query_pairs(chord, output_type="ndarray"), arguments.repeat)
    ckd_pairs = len(cKDTree(vectors).query_pairs(chord, output_type="ndarray"))
    line("cKDTree(unit vectors) + query_pairs(chord of 10 km), in-process", ckd,
         f"{ckd_pairs} pairs, ratio {ckd / ours:.2f}x (new file {ckd / new_file:.2f}x, NPZ {ckd / as_npz:.2f}x)")
    try:
        import distance_matrix as dm
    except ImportError:
        return
    in_process = best(lambda: dm.within(cities, 10, workers=2), arguments.repeat)
    line("dm.within(cities, 10 km, workers=2): CSR, both directions, km", in_process)
    sparse = best(lambda: cKDTree(vectors).sparse_distance_matrix(cKDTree(vectors), chord, output_type="coo_matrix"),
                  arguments.repeat)
    line("cKDTree.sparse_distance_matrix(chord of 10 km): COO, both directions, chords", sparse,
         f"ratio {sparse / in_process:.2f}x")


def summary_part(arguments, cities_csv, n, out):
    print(f"\n--summary, {n} cities ({n * (n - 1)} distances)")
    ours, rss = tool_run(arguments.tool, [cities_csv, "--summary", "-o", f"{out}/s.csv"], 1)
    line("distance_matrix --summary (whole process)", ours,
         f"{n * (n - 1) / ours / 1e9:.2f} G distances/s, peak RSS {rss:.0f} MB")


def python_part(arguments, random_csv):
    import distance_matrix as dm
    points = read_points(random_csv)
    print(f"\ndm.nearest k=10, {len(points)} random points (in-process)")
    ours = best(lambda: dm.nearest(points, 10, workers=2), arguments.repeat)
    line("dm.nearest(points, 10, workers=2)", ours)
    random_vectors = unit_vectors(points)
    ckd = best(lambda: cKDTree(random_vectors).query(random_vectors, k=11, workers=2), arguments.repeat)
    line("cKDTree(unit vectors) + query(k=11, workers=2)", ckd, f"ratio {ckd / ours:.2f}x")


if __name__ == "__main__":
    main()
