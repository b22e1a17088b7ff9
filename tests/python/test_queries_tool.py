"""The tool's --nearest and --summary against scikit-learn on the same
points: BallTree(metric="haversine").query (radians in, times the radius)
and haversine_distances, an implementation that shares nothing with ours.
Random points have no ties, so the neighbours and their order must match
exactly and the distances to well within sklearn's own rounding."""

import csv
import subprocess

import numpy as np
import pytest
from sklearn.metrics.pairwise import haversine_distances
from sklearn.neighbors import BallTree

from conftest import random_points

RADIUS_KM = 6371.0088


def write_csv(path, points, prefix="p"):
    with open(path, "w") as file:
        file.write("name,latitude,longitude\n")
        for index, (latitude, longitude) in enumerate(points.tolist()):
            file.write(f"{prefix}{index},{latitude!r},{longitude!r}\n")


def run_tool(cli, tmp_path, points, destinations, arguments):
    write_csv(tmp_path / "origins.csv", points)
    command = [str(cli), str(tmp_path / "origins.csv"), "-o", str(tmp_path / "out.csv"), "--quiet"]
    if destinations is not None:
        write_csv(tmp_path / "destinations.csv", destinations, prefix="d")
        command += ["--to", str(tmp_path / "destinations.csv")]
    subprocess.run(command + arguments, check=True)
    with open(tmp_path / "out.csv", newline="") as file:
        return list(csv.DictReader(file))


def sphere_points(rng, count):
    """random_points, but (0, -180) moved off (0, 180): coincident points tie,
    and sklearn breaks ties in its own order (ours is tested in C++)."""
    points = random_points(rng, count)
    points[3] = [0.5, -179.5]
    return points


def clustered_points(rng, count):
    # Not the poles of random_points: clipping at ±90° would make ties.
    centres = sphere_points(rng, 16)[4:]
    points = centres[rng.integers(0, len(centres), count)] + rng.normal(0, 0.05, (count, 2))
    points[:, 0] = np.clip(points[:, 0], -90, 90)
    points[:, 1] = (points[:, 1] + 180) % 360 - 180
    return points


@pytest.mark.parametrize("shape", ["random", "clustered"])
@pytest.mark.parametrize("with_destinations", [False, True])
@pytest.mark.parametrize("executor", ["sequential", "parallel"])
def test_nearest_matches_balltree(cli, tmp_path, rng, shape, with_destinations, executor):
    make = sphere_points if shape == "random" else clustered_points
    points = make(rng, 1500)
    destinations = make(rng, 700) if with_destinations else None
    k = 7
    rows = run_tool(cli, tmp_path, points, destinations, ["--nearest", str(k), "-e", executor])

    tree = BallTree(np.radians(destinations if with_destinations else points), metric="haversine")
    # Without destinations each point finds itself first: ask for one more.
    distances, indices = tree.query(np.radians(points), k=k if with_destinations else k + 1)
    if not with_destinations:
        distances, indices = distances[:, 1:], indices[:, 1:]
    assert len(rows) == len(points) * k
    prefix = "d" if with_destinations else "p"
    for origin in range(len(points)):
        mine = rows[origin * k:(origin + 1) * k]
        assert [row["origin"] for row in mine] == [f"p{origin}"] * k
        assert [row["rank"] for row in mine] == [str(rank) for rank in range(1, k + 1)]
        assert [row["destination"] for row in mine] == [f"{prefix}{index}" for index in indices[origin]]
        np.testing.assert_allclose([float(row["distance"]) for row in mine], distances[origin] * RADIUS_KM,
                                   rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("with_destinations", [False, True])
def test_summary_matches_haversine_distances(cli, tmp_path, rng, with_destinations):
    points = sphere_points(rng, 400)
    destinations = sphere_points(rng, 150) if with_destinations else None
    rows = run_tool(cli, tmp_path, points, destinations, ["--summary"])

    matrix = haversine_distances(np.radians(points),
                                 np.radians(destinations if with_destinations else points)) * RADIUS_KM
    if not with_destinations:
        np.fill_diagonal(matrix, np.nan)  # a location is never its own neighbour
    prefix = "d" if with_destinations else "p"
    assert [row["name"] for row in rows] == [f"p{index}" for index in range(len(points))]
    for origin, row in enumerate(rows):
        distances = matrix[origin]
        assert int(row["count"]) == np.count_nonzero(~np.isnan(distances))
        assert row["nearest"] == f"{prefix}{np.nanargmin(distances)}"
        assert row["farthest"] == f"{prefix}{np.nanargmax(distances)}"
        expected = [np.nanmin(distances), np.nanmax(distances), np.nanmean(distances), np.nanstd(distances)]
        actual = [float(row[field]) for field in ("min", "max", "mean", "sd")]
        np.testing.assert_allclose(actual, expected, rtol=1e-9)


def unit_vectors(points):
    latitudes, longitudes = np.radians(points[:, 0]), np.radians(points[:, 1])
    return np.column_stack([np.cos(latitudes) * np.cos(longitudes), np.cos(latitudes) * np.sin(longitudes),
                            np.sin(latitudes)])


@pytest.mark.parametrize("executor", ["sequential", "parallel"])
def test_within_matches_ckdtree_query_pairs(cli, tmp_path, rng, executor):
    from scipy.spatial import cKDTree

    points = clustered_points(rng, 2000)
    distance_km = 25.0
    rows = run_tool(cli, tmp_path, points, None, ["--within", f"{distance_km}km", "-e", executor])
    chord = 2 * np.sin(distance_km / RADIUS_KM / 2)
    expected = cKDTree(unit_vectors(points)).query_pairs(chord, output_type="ndarray")
    mine = [(int(row["origin"][1:]), int(row["destination"][1:])) for row in rows]
    assert len(mine) > 1000
    assert mine == sorted(mine), "origins in input order, then destinations"
    assert set(mine) == {(int(i), int(j)) for i, j in expected}
    # The textbook haversine, pair by pair (accurate at these short distances).
    a, b = np.radians(points[[i for i, _ in mine]]), np.radians(points[[j for _, j in mine]])
    h = np.sin((b[:, 0] - a[:, 0]) / 2) ** 2 + np.cos(a[:, 0]) * np.cos(b[:, 0]) * np.sin((b[:, 1] - a[:, 1]) / 2) ** 2
    reference = 2 * np.arcsin(np.sqrt(h)) * RADIUS_KM
    np.testing.assert_allclose([float(row["distance"]) for row in rows], reference, rtol=1e-9, atol=1e-9)


def test_within_to_destinations_matches_balltree_query_radius(cli, tmp_path, rng):
    points = clustered_points(rng, 800)
    # Destinations around the same cluster centres.
    destinations = points[rng.permutation(800)[:600]] + rng.normal(0, 0.02, (600, 2))
    destinations[:, 0] = np.clip(destinations[:, 0], -90, 90)
    destinations[:, 1] = (destinations[:, 1] + 180) % 360 - 180
    distance_km = 30.0
    rows = run_tool(cli, tmp_path, points, destinations, ["--within", "30000m"])
    tree = BallTree(np.radians(destinations), metric="haversine")
    found = tree.query_radius(np.radians(points), r=distance_km / RADIUS_KM)
    expected = sorted((origin, int(index)) for origin, indices in enumerate(found) for index in indices)
    mine = [(int(row["origin"][1:]), int(row["destination"][1:])) for row in rows]
    assert len(mine) > 1000
    assert mine == expected
