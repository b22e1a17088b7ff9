#!/usr/bin/env python3
"""Times the peers distance_matrix is measured against, on the same input.

Prints one line per peer: the calculation time of all n(n-1)/2 haversine
distances of the input, the way each peer would compute them. Run with
Debian's interpreter (/usr/bin/python3) after `bench/peers/setup`.
"""
import csv
import math
import sys
import time

RADIUS_KM = 6371.0088


def read_locations(path):
    with open(path, newline="", encoding="utf-8-sig") as file:
        return [(row[0].strip(), float(row[1]), float(row[2])) for row in csv.reader(file) if row]


def haversine(lat1, lon1, lat2, lon2):
    # The workshop's formula: one pair at a time, in pure Python.
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = math.radians(lat2 - lat1)
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * RADIUS_KM * math.asin(math.sqrt(a))


def original_tool(locations):
    rows = []
    for j in range(1, len(locations)):
        for i in range(j):
            a, b = locations[i], locations[j]
            rows.append((a[0], b[0], haversine(a[1], a[2], b[1], b[2])))
    return len(rows)


def numpy_triangle(locations):
    import numpy as np
    lat = np.radians(np.array([l[1] for l in locations]))
    lon = np.radians(np.array([l[2] for l in locations]))
    j, i = np.triu_indices(len(locations), k=1)  # same pairs, row-major
    a = np.sin((lat[j] - lat[i]) / 2) ** 2 + np.cos(lat[i]) * np.cos(lat[j]) * np.sin((lon[j] - lon[i]) / 2) ** 2
    distances = 2 * RADIUS_KM * np.arcsin(np.sqrt(a))
    return distances.size


def sklearn_full(locations):
    import numpy as np
    from sklearn.metrics.pairwise import haversine_distances
    points = np.radians(np.array([[l[1], l[2]] for l in locations]))
    matrix = haversine_distances(points) * RADIUS_KM  # full n × n, both halves
    return matrix.size


def dask_full(locations):
    import dask.array as da
    import numpy as np
    points = np.radians(np.array([[l[1], l[2]] for l in locations]))
    lat = da.from_array(points[:, 0], chunks=250)
    lon = da.from_array(points[:, 1], chunks=250)
    dlat = lat[None, :] - lat[:, None]
    dlon = lon[None, :] - lon[:, None]
    a = da.sin(dlat / 2) ** 2 + da.cos(lat[:, None]) * da.cos(lat[None, :]) * da.sin(dlon / 2) ** 2
    return (2 * RADIUS_KM * da.arcsin(da.sqrt(a))).compute().size


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "data/1k_locations.csv"
    locations = read_locations(path)
    print(f"{len(locations)} locations from {path}")
    for name, peer in [("python original (pure loop)", original_tool), ("numpy (triangle)", numpy_triangle),
                       ("scikit-learn haversine_distances (full matrix)", sklearn_full),
                       ("dask.array (full matrix, 250-chunks)", dask_full)]:
        try:
            best = math.inf
            for _ in range(3):
                start = time.perf_counter()
                peer(locations)
                best = min(best, time.perf_counter() - start)
            print(f"{name:50s} {best * 1000:10.1f} ms")
        except ImportError as error:
            print(f"{name:50s} not installed ({error.name})")


if __name__ == "__main__":
    main()
