#!/usr/bin/env python3
"""distance_matrix against the tools a user would pick instead, in one go.

Usage (after bench/peers/setup and a release build):
    /usr/bin/python3 bench/peers/peers.py [--tool build/release/distance_matrix] [--locations 10000]

1. Calculation: on one generated input of --locations random points (seeded),
   the time to compute every distance: our tool as a whole process writing
   the condensed float64 NumPy matrix to /dev/null (default parallel executor
   on every core, simd kernel; start-up and reading included), and our
   Python module in this process (dm.pdist: a NumPy array of coordinates in,
   the condensed float64 array out, every core; into a new array, and into
   a reused one, which spares the page faults of 400 MB of fresh memory),
   against NumPy broadcasting, scikit-learn's haversine_distances and a Dask
   chunked array, each in this process. Wall clock (the ratio the issue asks
   for) and CPU time (steadier when other work shares the machine). The
   module is looked for in build/release/python (a release build makes it).
2. Whole process: data/1k_locations.csv to a CSV file, our tool (which
   fsyncs its output before renaming it into place) against the original
   tool's algorithm in pure Python (bench/peers/original_tool.py, no fsync),
   wall clock and CPU time of each process.
3. Agreement: on data/1k_locations.csv every peer's distances are compared
   with the CSV our tool wrote; they must agree within twice the textbook
   formula's own worst error, 2R·sqrt(machine epsilon) = 0.19 m (reached
   next to antipodes, see the README's accuracy section).
"""
import argparse
import csv
import math
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
import warnings

RADIUS_KM = 6371.0088
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TOLERANCE_KM = 2 * 2 * RADIUS_KM * math.sqrt(2.0 ** -52)


def read_locations(path):
    with open(path, newline="", encoding="utf-8-sig") as file:
        return [(row[0].strip(), float(row[1]), float(row[2])) for row in csv.reader(file) if row]


def generate(path, count, seed=20261124):
    import random
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as file:
        for index in range(count):
            # Uniform on the sphere: latitude from arcsin of a uniform sine.
            file.write(f"p{index},{math.degrees(math.asin(rng.uniform(-1, 1)))!r},{rng.uniform(-180, 180)!r}\n")


def radians(locations):
    import numpy as np
    return np.radians(np.array([[l[1], l[2]] for l in locations]))


def numpy_broadcasting(points):
    import numpy as np
    lat, lon = points[:, 0], points[:, 1]
    dlat = lat[None, :] - lat[:, None]
    dlon = lon[None, :] - lon[:, None]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    return 2 * RADIUS_KM * np.arcsin(np.sqrt(a))


def sklearn_haversine(points):
    from sklearn.metrics.pairwise import haversine_distances
    return haversine_distances(points) * RADIUS_KM


def dask_chunked(points, chunk=1000):
    import dask.array as da
    lat = da.from_array(points[:, 0], chunks=chunk)
    lon = da.from_array(points[:, 1], chunks=chunk)
    dlat = lat[None, :] - lat[:, None]
    dlon = lon[None, :] - lon[:, None]
    a = da.sin(dlat / 2) ** 2 + da.cos(lat[:, None]) * da.cos(lat[None, :]) * da.sin(dlon / 2) ** 2
    return (2 * RADIUS_KM * da.arcsin(da.sqrt(a))).compute()


def original_loop(locations):
    sys.path.insert(0, HERE)
    from original_tool import haversine
    return [haversine(locations[i][1], locations[i][2], locations[j][1], locations[j][2])
            for j in range(1, len(locations)) for i in range(j)]


def our_module():
    """The distance_matrix Python module of the release build, or None."""
    sys.path.insert(0, os.path.join(ROOT, "build", "release", "python"))
    try:
        import distance_matrix
    except ImportError:
        return None
    return distance_matrix


def child_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def our_calculation(tool, path, runs):
    """Our tool computing the matrix the peers return, a float64 NumPy array
    (SciPy's condensed vector: every pair once), with every core, written to
    /dev/null. Best of `runs` for each of: the wall clock of the whole process
    (start-up, reading the CSV, computing, handing the bytes to /dev/null: an
    upper bound of the calculation's wall time), the CPU time of the process,
    and the tool's own "calculation" line (compute time summed over the
    workers)."""
    wall, cpu, reported = math.inf, math.inf, math.inf
    for _ in range(runs):
        cpu_before = child_cpu_seconds()
        start = time.perf_counter()
        done = subprocess.run([tool, path, "--format", "npy", "--layout", "condensed", "-o", "/dev/null"],
                              capture_output=True, text=True, check=True)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, child_cpu_seconds() - cpu_before)
        reported = min(reported, float(re.search(r"calculation +([0-9.]+) s +(.*)", done.stderr).group(1)))
    return wall, cpu, reported, re.search(r"calculation +[0-9.]+ s +[0-9]+ pairs \((.*)\)", done.stderr).group(1)


def best_of_with_cpu(function, argument, runs):
    """Best wall clock and best CPU time (this process, every thread) of `runs` calls."""
    wall, cpu = math.inf, math.inf
    for _ in range(runs):
        cpu_before = time.process_time()
        start = time.perf_counter()
        function(argument)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - cpu_before)
    return wall, cpu


def wall_clock(command, runs):
    """Best wall clock and best CPU time (user + system) of `runs` runs of a process."""
    wall, cpu = math.inf, math.inf
    for _ in range(runs):
        cpu_before = child_cpu_seconds()
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, child_cpu_seconds() - cpu_before)
    return wall, cpu


def machine():
    model = "?"
    with open("/proc/cpuinfo", encoding="utf-8") as file:
        for line in file:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    import numpy
    import sklearn
    import dask
    return (f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; Python {platform.python_version()}, "
            f"NumPy {numpy.__version__}, scikit-learn {sklearn.__version__}, Dask {dask.__version__}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tool", default=os.path.join(ROOT, "build", "release", "distance_matrix"))
    parser.add_argument("--locations", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs per measurement")
    options = parser.parse_args()
    warnings.simplefilter("ignore")  # Dask's chunking advice for the broadcast operands
    print(machine())
    print("load average before the run: " + " ".join(f"{value:.2f}" for value in os.getloadavg()))
    failures = 0

    with tempfile.TemporaryDirectory() as folder:
        # 1. Calculation on one generated input.
        generated = os.path.join(folder, "generated.csv")
        generate(generated, options.locations)
        points = radians(read_locations(generated))
        import numpy as np
        n = options.locations
        print(f"\n1. Calculation, {n} generated locations ({n * (n - 1) // 2} pairs; the matrix peers compute "
              f"all {n * n} entries, as their users do)")
        ours, ours_cpu, reported, how = our_calculation(options.tool, generated, options.runs)
        print(f"  {'':52s} {'wall':>10s} {'ratio':>7s} {'CPU':>10s} {'ratio':>7s}")
        print(f"  {'distance_matrix, whole process, NPY to /dev/null':52s} {ours * 1e3:7.1f} ms {1:6.0f}x "
              f"{ours_cpu * 1e3:7.1f} ms {1:6.0f}x")
        print(f"    ({how}; its own calculation line, summed over the workers: {reported * 1e3:.1f} ms)")
        calculations = {"the tool, whole process": ours}
        module = our_module()
        if module is None:
            print("    (Python module not built: no in-process rows; `cmake --workflow --preset release` builds it)")
        else:
            degrees = np.degrees(points)
            result = np.empty(n * (n - 1) // 2)
            for name, call in [("dm.pdist, Python module (new array)", lambda p: module.pdist(p)),
                               ("dm.pdist, Python module (out=reused array)", lambda p: module.pdist(p, out=result))]:
                seconds, cpu = best_of_with_cpu(call, degrees, options.runs)
                calculations[name] = seconds
                print(f"  {name:52s} {seconds * 1e3:7.1f} ms {seconds / ours:6.2f}x {cpu * 1e3:7.1f} ms "
                      f"{cpu / ours_cpu:6.2f}x")
        for name, peer in [("NumPy broadcasting", numpy_broadcasting),
                           ("scikit-learn haversine_distances", sklearn_haversine),
                           ("Dask array, 1000 x 1000 chunks", dask_chunked)]:
            seconds, cpu = best_of_with_cpu(peer, points, options.runs)
            print(f"  {name:52s} {seconds * 1e3:7.1f} ms {seconds / ours:6.0f}x {cpu * 1e3:7.1f} ms {cpu / ours_cpu:6.0f}x")
            if peer is sklearn_haversine:
                print("    scikit-learn's wall clock over ours: "
                      + ", ".join(f"{ours_name} {seconds / ours_seconds:.0f}x"
                                  for ours_name, ours_seconds in calculations.items()))

        # 2. Whole process, data/1k_locations.csv to CSV.
        thousand = os.path.join(ROOT, "data", "1k_locations.csv")
        ours_csv = os.path.join(folder, "ours.csv")
        python_csv = os.path.join(folder, "python.csv")
        ours_wall, ours_cpu = wall_clock([options.tool, thousand, "-o", ours_csv, "--quiet"], options.runs)
        python_wall, python_cpu = wall_clock(
            [sys.executable, os.path.join(HERE, "original_tool.py"), thousand, python_csv], options.runs)
        print("\n2. Whole process: data/1k_locations.csv to CSV (499,500 rows, 19 MB); ours ends with fsync, "
              "the original tool does not")
        print(f"  {'':52s} {'wall':>10s} {'ratio':>7s} {'CPU':>10s} {'ratio':>7s}")
        print(f"  {'distance_matrix (defaults)':52s} {ours_wall * 1e3:7.1f} ms {1:6.0f}x {ours_cpu * 1e3:7.1f} ms {1:6.0f}x")
        print(f"  {'original tool, pure Python':52s} {python_wall * 1e3:7.1f} ms {python_wall / ours_wall:6.1f}x "
              f"{python_cpu * 1e3:7.1f} ms {python_cpu / ours_cpu:6.1f}x")

        # 3. Agreement on data/1k_locations.csv.
        with open(ours_csv, newline="", encoding="utf-8") as file:
            reference = [float(row[2]) for row in csv.reader(file)]
        with open(python_csv, newline="", encoding="utf-8") as file:
            python_rows = [float(row[2]) for row in csv.reader(file)]
        import numpy as np
        thousand_points = radians(read_locations(thousand))
        rows, columns = np.triu_indices(len(thousand_points), k=1)
        order = np.lexsort((rows, columns))  # the tool's order: for j, for i < j
        triangle = lambda matrix: matrix[rows[order], columns[order]]
        print(f"\n3. Agreement with our output on data/1k_locations.csv (tolerance {TOLERANCE_KM * 1e3:.2f} m)")
        for name, values in [("original tool, pure Python", np.array(python_rows)),
                             ("NumPy broadcasting", triangle(numpy_broadcasting(thousand_points))),
                             ("scikit-learn haversine_distances", triangle(sklearn_haversine(thousand_points))),
                             ("Dask array", triangle(dask_chunked(thousand_points)))]:
            worst = float(np.max(np.abs(values - np.array(reference))))
            agree = len(values) == len(reference) and worst <= TOLERANCE_KM
            failures += not agree
            print(f"  {name:64s} max |difference| {worst:.3g} km {'ok' if agree else 'DISAGREES'}")
    print("\nload average after the run: " + " ".join(f"{value:.2f}" for value in os.getloadavg()))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
