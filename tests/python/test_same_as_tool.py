"""pdist and cdist return exactly the bytes of the command-line tool's NPY
output (--format npy: --layout condensed for pdist, --to for cdist) for the
same kernel and options: the tool reads the coordinates from CSV written
with repr(), which round-trips every double."""

import csv
import subprocess

import numpy as np
import pytest

import distance_matrix as dm
from conftest import random_points


def write_csv(path, points):
    with open(path, "w") as file:
        file.write("name,latitude,longitude\n")
        for index, (latitude, longitude) in enumerate(points.tolist()):
            file.write(f"p{index},{latitude!r},{longitude!r}\n")


def tool_npy(cli, tmp_path, points, destinations, arguments):
    origins_csv = tmp_path / "origins.csv"
    write_csv(origins_csv, points)
    command = [str(cli), str(origins_csv), "-o", str(tmp_path / "d.npy"), "--quiet", "--format", "npy"]
    if destinations is None:
        command += ["--layout", "condensed"]
    else:
        write_csv(tmp_path / "destinations.csv", destinations)
        command += ["--to", str(tmp_path / "destinations.csv")]
    subprocess.run(command + arguments, check=True)
    return np.load(tmp_path / "d.npy")


OPTIONS = [
    ({}, []),
    ({"kernel": "scalar"}, ["--kernel", "scalar"]),
    ({"dtype": np.float32}, ["--dtype", "float32"]),
    ({"dtype": np.float32, "kernel": "scalar"}, ["--dtype", "float32", "--kernel", "scalar"]),
    ({"unit": "mi", "metric": "equirectangular"}, ["--unit", "mi", "--metric", "equirectangular"]),
    ({"unit": "nmi", "radius": 6378.137, "workers": 1}, ["--unit", "nmi", "--radius", "6378.137"]),
]


@pytest.mark.parametrize("keywords, arguments", OPTIONS)
def test_pdist_bytes_equal_the_tools(cli, tmp_path, rng, keywords, arguments):
    points = random_points(rng, 321)  # 51,360 cells: computed by several threads
    expected = tool_npy(cli, tmp_path, points, None, arguments)
    result = dm.pdist(points, **keywords)
    assert result.dtype == expected.dtype and result.shape == expected.shape
    assert result.tobytes() == expected.tobytes()


@pytest.mark.parametrize("keywords, arguments", OPTIONS)
def test_cdist_bytes_equal_the_tools(cli, tmp_path, rng, keywords, arguments):
    points, destinations = random_points(rng, 210), random_points(rng, 190)
    expected = tool_npy(cli, tmp_path, points, destinations, arguments)
    result = dm.cdist(points, destinations, **keywords)
    assert result.dtype == expected.dtype and result.shape == expected.shape == (210, 190)
    assert result.tobytes() == expected.tobytes()


def test_sample_file_of_the_repository(cli, tmp_path, data_dir):
    subprocess.run([str(cli), str(data_dir / "1k_locations.csv"), "-o", str(tmp_path / "d.npy"), "--quiet",
                    "--layout", "condensed"], check=True)
    with open(data_dir / "1k_locations.csv", newline="") as file:
        coordinates = np.array([[float(row[1]), float(row[2])] for row in csv.reader(file)])
    assert coordinates.shape == (1000, 2)
    assert dm.pdist(coordinates).tobytes() == np.load(tmp_path / "d.npy").tobytes()
