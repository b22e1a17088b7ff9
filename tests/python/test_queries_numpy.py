"""The tool's NumPy query outputs (--format npy): --nearest's .npz as
scikit-learn's kneighbors arrays, --within's .npz through
scipy.sparse.load_npz, --summary's structured .npy. Checked against brute
force (scikit-learn's haversine_distances over every pair, an
implementation that shares nothing with ours) and against the tool's own CSV
of the same run, whose numbers must be the same doubles exactly."""

import csv
import subprocess

import numpy as np
import pytest
import scipy.sparse
from sklearn.metrics.pairwise import haversine_distances

from conftest import random_points

RADIUS_KM = 6371.0088


def write_csv(path, points, prefix="p"):
    with open(path, "w", encoding="utf-8") as file:
        file.write("name,latitude,longitude\n")
        for index, (latitude, longitude) in enumerate(points.tolist()):
            file.write(f"{prefix}{index},{latitude!r},{longitude!r}\n")


def run_tool(cli, tmp_path, points, destinations, arguments, output):
    write_csv(tmp_path / "origins.csv", points)
    command = [str(cli), str(tmp_path / "origins.csv"), "-o", str(tmp_path / output), "--quiet"]
    if destinations is not None:
        write_csv(tmp_path / "destinations.csv", destinations, prefix="d")
        command += ["--to", str(tmp_path / "destinations.csv")]
    subprocess.run(command + arguments, check=True)
    return tmp_path / output


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def brute_force(points, destinations):
    """Every distance in km; inf on the diagonal of one set (never its own neighbour)."""
    other = points if destinations is None else destinations
    distances = haversine_distances(np.radians(points), np.radians(other)) * RADIUS_KM
    if destinations is None:
        np.fill_diagonal(distances, np.inf)
    return distances


def hard_points(rng, count):
    """Random points with the hard cases: poles, ±180°, duplicates."""
    points = random_points(rng, count)
    points[10] = points[11]
    points[20:23] = points[24]
    return points


@pytest.mark.parametrize("with_destinations", [False, True])
@pytest.mark.parametrize("executor", ["sequential", "parallel"])
def test_nearest_npz_is_kneighbors(cli, tmp_path, rng, with_destinations, executor):
    points = hard_points(rng, 900)
    destinations = hard_points(rng, 400) if with_destinations else None
    k = 6
    path = run_tool(cli, tmp_path, points, destinations, ["--nearest", str(k), "-e", executor], "nn.npz")
    with np.load(path) as archive:
        assert sorted(archive.files) == ["distances", "indices"]
        distances, indices = archive["distances"], archive["indices"]
    assert distances.dtype == np.float64 and indices.dtype == np.int64
    assert distances.shape == indices.shape == (len(points), k)

    expected = brute_force(points, destinations)
    for origin in range(len(points)):
        row = expected[origin]
        # The k smallest; the kth's ties may go either way by rounding, so
        # compare the distances, and the indices where no near-tie exists.
        np.testing.assert_allclose(distances[origin], np.sort(row)[:k], rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(row[indices[origin]], distances[origin], rtol=1e-9, atol=1e-9)
    # The same doubles as the CSV of the same search.
    csv_path = run_tool(cli, tmp_path, points, destinations, ["--nearest", str(k), "-e", executor], "nn.csv")
    rows = read_rows(csv_path)
    assert [float(row["distance"]) for row in rows] == distances.ravel().tolist()
    prefix = "d" if with_destinations else "p"
    assert [row["destination"] for row in rows] == [f"{prefix}{index}" for index in indices.ravel()]


def test_nearest_npz_pads_with_minus_one_and_inf(cli, tmp_path, rng):
    points = hard_points(rng, 50)
    destinations = random_points(rng, 3)
    path = run_tool(cli, tmp_path, points, destinations, ["--nearest", "5"], "nn.npz")
    with np.load(path) as archive:
        distances, indices = archive["distances"], archive["indices"]
    expected = brute_force(points, destinations)
    assert (indices[:, 3:] == -1).all() and np.isinf(distances[:, 3:]).all()
    np.testing.assert_allclose(distances[:, :3], np.sort(expected, axis=1), rtol=1e-9)

    # --within as well: at most K, all within the distance, the rest padded.
    path = run_tool(cli, tmp_path, points, None, ["--nearest", "4", "--within", "1500km", "--dtype", "float32"],
                    "nn.npz")
    with np.load(path) as archive:
        distances, indices = archive["distances"], archive["indices"]
    assert distances.dtype == np.float32
    expected = brute_force(points, None)
    for origin in range(len(points)):
        inside = np.sort(expected[origin][expected[origin] <= 1500.0])[:4]
        assert (indices[origin, len(inside):] == -1).all()
        assert np.isinf(distances[origin, len(inside):]).all()
        np.testing.assert_allclose(distances[origin, :len(inside)], inside.astype(np.float32), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("with_destinations", [False, True])
@pytest.mark.parametrize("executor", ["sequential", "parallel"])
def test_within_npz_loads_as_csr(cli, tmp_path, rng, with_destinations, executor):
    points = hard_points(rng, 1200)
    destinations = hard_points(rng, 500) if with_destinations else None
    path = run_tool(cli, tmp_path, points, destinations, ["--within", "900km", "-e", executor], "pairs.npz")
    matrix = scipy.sparse.load_npz(path)
    assert isinstance(matrix, scipy.sparse.csr_matrix)
    columns = len(points) if destinations is None else len(destinations)
    assert matrix.shape == (len(points), columns)
    assert matrix.has_sorted_indices

    expected = brute_force(points, destinations)
    inside = expected <= 900.0
    # Pairs at the very edge could round either way: none in this sample.
    assert not (np.abs(expected - 900.0) < 1e-6).any()
    assert matrix.nnz == inside.sum()
    rows, cols = np.repeat(np.arange(len(points)), np.diff(matrix.indptr)), matrix.indices
    assert inside[rows, cols].all()
    np.testing.assert_allclose(matrix.data, expected[rows, cols], rtol=1e-9, atol=1e-9)
    # Duplicates stay as explicit zeros.
    if destinations is None:
        assert matrix[10, 11] == 0 and 11 in matrix.indices[matrix.indptr[10]:matrix.indptr[11]]
        assert (matrix.data == 0).sum() >= 2 + 12

    # The same doubles as the CSV's pairs (written once per pair over one set).
    csv_path = run_tool(cli, tmp_path, points, destinations, ["--within", "900km", "-e", executor], "pairs.csv")
    prefix = "d" if with_destinations else "p"
    from_csv = {(row["origin"], row["destination"]): float(row["distance"]) for row in read_rows(csv_path)}
    from_npz = {(f"p{r}", f"{prefix}{c}"): d for r, c, d in zip(rows.tolist(), cols.tolist(), matrix.data.tolist())}
    if destinations is None:
        from_npz = {pair: d for pair, d in from_npz.items() if int(pair[0][1:]) < int(pair[1][1:])}
    assert from_npz == from_csv


def test_within_npz_float32_and_empty(cli, tmp_path, rng):
    points = hard_points(rng, 300)
    path = run_tool(cli, tmp_path, points, None, ["--within", "0", "--dtype", "float32"], "pairs.npz")
    matrix = scipy.sparse.load_npz(path)
    assert matrix.dtype == np.float32
    # Only the coincident: 10-11, 20, 21, 22 and 24 among themselves, and
    # (0, 180)-(0, -180), both ways.
    assert matrix.nnz == 2 + 12 + 2 and (matrix.data == 0).all()
    path = run_tool(cli, tmp_path, points[:1], None, ["--within", "10"], "one.npz")
    matrix = scipy.sparse.load_npz(path)
    assert matrix.shape == (1, 1) and matrix.nnz == 0


@pytest.mark.parametrize("with_destinations", [False, True])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_summary_npy_is_the_csv_as_records(cli, tmp_path, rng, with_destinations, dtype):
    points = hard_points(rng, 400)
    destinations = hard_points(rng, 150) if with_destinations else None
    path = run_tool(cli, tmp_path, points, destinations, ["--summary", "--format", "npy", "--dtype", dtype],
                    "summary.npy")
    records = np.load(path)
    assert records.dtype.names == ("name", "count", "min", "nearest", "max", "farthest", "mean", "sd")
    assert records["min"].dtype == np.dtype(dtype) and records["count"].dtype == np.int64
    assert records["name"].tolist() == [f"p{index}" for index in range(len(points))]

    expected = brute_force(points, destinations)
    finite = np.where(np.isinf(expected), np.nan, expected)
    tolerance = 1e-9 if dtype == "float64" else 1e-6
    np.testing.assert_allclose(records["min"], np.nanmin(finite, axis=1), rtol=tolerance, atol=1e-9)
    np.testing.assert_allclose(records["max"], np.nanmax(finite, axis=1), rtol=tolerance, atol=1e-9)
    np.testing.assert_allclose(records["mean"], np.nanmean(finite, axis=1), rtol=tolerance, atol=1e-9)
    np.testing.assert_allclose(records["sd"], np.nanstd(finite, axis=1), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(finite[np.arange(len(points)), records["nearest"]], records["min"], rtol=tolerance, atol=1e-9)

    csv_rows = read_rows(run_tool(cli, tmp_path, points, destinations, ["--summary"], "summary.csv"))
    prefix = "d" if with_destinations else "p"
    assert [f"{prefix}{index}" for index in records["nearest"]] == [row["nearest"] for row in csv_rows]
    assert [f"{prefix}{index}" for index in records["farthest"]] == [row["farthest"] for row in csv_rows]
    assert records["count"].tolist() == [int(row["count"]) for row in csv_rows]
    for field in ("min", "max", "mean", "sd"):
        assert records[field].tolist() == [float(np.dtype(dtype).type(float(row[field]))) for row in csv_rows]


def test_summary_npy_names_and_lonely_origin(cli, tmp_path):
    path = tmp_path / "named.csv"
    path.write_text("name,latitude,longitude\nZürich,47.37,8.54\n東京,35.68,139.69\n\"a, b\",0,0\n", encoding="utf-8")
    subprocess.run([str(cli), str(path), "--summary", "-o", str(tmp_path / "s.npy"), "-q"], check=True)
    records = np.load(tmp_path / "s.npy")
    assert records.dtype["name"] == np.dtype("<U6")
    assert records["name"].tolist() == ["Zürich", "東京", "a, b"]
    lonely = tmp_path / "lonely.csv"
    lonely.write_text("name,latitude,longitude\nonly,1,2\n", encoding="utf-8")
    subprocess.run([str(cli), str(lonely), "--summary", "-o", str(tmp_path / "l.npy"), "-q"], check=True)
    record = np.load(tmp_path / "l.npy")[0]
    assert record["count"] == 0 and record["nearest"] == -1 and record["farthest"] == -1
    assert np.isnan(record["min"]) and np.isnan(record["sd"])


@pytest.mark.parametrize("arguments, message", [
    (["--nearest", "3", "-o", "x.npy"], "name it .npz"),
    (["--summary", "-o", "x.npz"], "name it .npy"),
    (["-o", "x.npz"], "name it .npy"),
    (["--nearest", "3", "--dtype", "float32"], "--dtype is for NumPy outputs"),
    (["--within", "3", "--format", "npy", "--layout", "square", "-o", "x.npz"], "drop --layout"),
])
def test_refusals(cli, tmp_path, data_dir, arguments, message):
    result = subprocess.run([str(cli), str(data_dir / "five_locations.csv")] + arguments, cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_default_output_name_is_npz(cli, tmp_path, data_dir):
    source = tmp_path / "five.csv"
    source.write_bytes((data_dir / "five_locations.csv").read_bytes())
    subprocess.run([str(cli), str(source), "--nearest", "2", "--format", "npy", "-q"], check=True)
    assert (tmp_path / "output.npz").exists()
    with np.load(tmp_path / "output.npz") as archive:
        assert archive["indices"].shape == (5, 2)


@pytest.mark.parametrize("arguments, output, executors", [
    (["--summary"], "s.npy", ["sequential", "threads", "pool", "processes", "parallel"]),
    (["--nearest", "5"], "n.npz", ["sequential", "parallel"]),
    (["--within", "700km"], "w.npz", ["sequential", "parallel"]),
])
def test_every_executor_writes_the_same_bytes(cli, tmp_path, rng, arguments, output, executors):
    points = hard_points(rng, 700)
    written = set()
    for executor in executors:
        path = run_tool(cli, tmp_path, points, None, arguments + ["-e", executor, "--workers", "2"], output)
        written.add(path.read_bytes())
    assert len(written) == 1
