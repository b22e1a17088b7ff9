"""out=: results written into a caller's array or memory map, in place."""

import numpy as np
import pytest

import distance_matrix as dm
from conftest import random_points


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_open_memmap_receives_the_matrix(tmp_path, rng, dtype):
    points = random_points(rng, 500)
    path = tmp_path / "d.npy"
    cells = 500 * 499 // 2
    out = np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=(cells,))
    returned = dm.pdist(points, dtype=dtype, out=out)
    assert returned is out
    out.flush()
    del out, returned
    assert np.load(path).tobytes() == dm.pdist(points, dtype=dtype).tobytes()


def test_memmap_rectangle(tmp_path, rng):
    points, depots = random_points(rng, 300), random_points(rng, 40)
    out = np.memmap(tmp_path / "rect.bin", mode="w+", dtype=np.float64, shape=(300, 40))
    dm.cdist(points, depots, out=out, workers=2)
    out.flush()
    again = np.memmap(tmp_path / "rect.bin", mode="r", dtype=np.float64, shape=(300, 40))
    assert np.array_equal(again, dm.cdist(points, depots))


def test_issue_example_takes_the_dtype_of_out(tmp_path, rng):
    points = random_points(rng, 40)
    n = len(points)
    out = np.lib.format.open_memmap(tmp_path / "d.npy", "w+", np.float32, (n * (n - 1) // 2,))
    assert dm.pdist(points, out=out) is out
    assert out.tobytes() == dm.pdist(points, dtype=np.float32).tobytes()
    block = np.empty((n, 3), np.float32)
    assert dm.cdist(points, points[:3], out=block).tobytes() == dm.cdist(points, points[:3], dtype="float32").tobytes()


def test_plain_array_reused(rng):
    points = random_points(rng, 20)
    out = np.full((190,), np.nan)
    assert dm.pdist(points, out=out) is out
    assert np.array_equal(out, dm.pdist(points))
    block = np.full((5, 20), np.nan, dtype=np.float32)
    dm.cdist(points[:5], points, out=block, dtype=np.float32)
    assert np.array_equal(block, dm.cdist(points[:5], points, dtype=np.float32))
