#!/usr/bin/env python3
"""A distance matrix on a Dask cluster: row blocks computed by dm.cdist, written to one .npy.

The input is a dask.array split into blocks of rows. Each block is one
task: dm.cdist(block, all points) written straight into its rows of a
memory-mapped .npy file (out=), so no worker ever holds more than its
block and the matrix never passes through the client. The result is
checked against scipy's squareform of dm.pdist, exactly.

    PYTHONPATH=build/ci-gcc/python /usr/bin/python3 examples/python/dask_matrix.py
    ... --points 2000 --block-rows 250 --output /tmp/d.npy

By default it starts a distributed.LocalCluster in this process (worker
threads: dm.cdist releases the GIL, so they compute in parallel). On a real
cluster, pass the scheduler's address and an output path on a file system
every worker can write (NFS, Lustre...): --scheduler tcp://host:8786.
"""

import argparse
import os
import tempfile
import time

import dask.array as da
import numpy as np
from distributed import Client, LocalCluster
from scipy.spatial.distance import squareform

import distance_matrix as dm


def write_rows(block, block_info=None, *, destinations, path):
    """One task: the distances of `block`'s rows, into their rows of the .npy file."""
    first, last = block_info[0]["array-location"][0]
    matrix = np.lib.format.open_memmap(path, mode="r+")
    dm.cdist(block, destinations, out=matrix[first:last], workers=1)
    matrix.flush()
    return np.array([last - first])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20_000, help="number of random points (default 20000)")
    parser.add_argument("--block-rows", type=int, default=1_000, help="rows per task (default 1000)")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster worker threads (default 2)")
    parser.add_argument("--scheduler", help="address of an existing Dask scheduler instead of a LocalCluster")
    parser.add_argument("--output", help="the .npy to write (default: a temporary file, removed after the check)")
    arguments = parser.parse_args()

    rng = np.random.default_rng(7)
    n = arguments.points
    points = np.column_stack([rng.uniform(-90, 90, n), rng.uniform(-180, 180, n)])
    path = arguments.output or os.path.join(tempfile.mkdtemp(), "matrix.npy")
    # The client creates the file (header and size); the tasks fill in their rows.
    np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(n, n)).flush()

    if arguments.scheduler:
        client = Client(arguments.scheduler)
    else:
        cluster = LocalCluster(n_workers=arguments.workers, threads_per_worker=1, processes=False,
                               dashboard_address=None)
        client = Client(cluster)
    with client:
        rows = da.from_array(points, chunks=(arguments.block_rows, 2))
        written = rows.map_blocks(write_rows, destinations=points, path=path, drop_axis=1,
                                  chunks=((1,) * rows.numblocks[0],), dtype=np.int64)
        start = time.perf_counter()
        total = int(written.sum().compute())
        elapsed = time.perf_counter() - start
    print(f"{n:,} x {n:,} matrix ({n * n * 8 / 1e6:,.0f} MB) in {rows.numblocks[0]} tasks of "
          f"{arguments.block_rows} rows: {elapsed:.2f} s -> {path}")

    matrix = np.load(path, mmap_mode="r")
    assert total == n and matrix.shape == (n, n)
    assert np.array_equal(matrix, squareform(dm.pdist(points))), "the cluster's matrix differs from dm.pdist"
    print("equal to squareform(dm.pdist(points)), bit for bit")
    if not arguments.output:
        os.remove(path)
        os.rmdir(os.path.dirname(path))


if __name__ == "__main__":
    main()
