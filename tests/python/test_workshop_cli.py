"""The workshop's command lines, verbatim, and files read by the module (issue 17).

``python -m distance_matrix INPUT [-r standard|asyncio|pandas|dask]`` must
write output.csv beside INPUT byte for byte as the C++ tool writes it (for
-r dask: the folder of part files, concatenated in order), and
read_locations must read every form the C++ tool reads.
"""

import gzip
import lzma
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import distance_matrix as dm


def tool_output(cli: Path, input_path: Path, tmp_path: Path) -> bytes:
    reference = tmp_path / "reference.csv"
    subprocess.run([str(cli), str(input_path), "-o", str(reference), "--quiet"], check=True)
    return reference.read_bytes()


def run_module(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "distance_matrix", *arguments], capture_output=True, text=True,
                          timeout=300)


def dask_parts(folder: Path) -> bytes:
    parts = sorted(folder.glob("*.part"), key=lambda part: int(part.stem))
    assert [part.stem for part in parts] == [str(index) for index in range(len(parts))]
    return b"".join(part.read_bytes() for part in parts)


@pytest.mark.parametrize("runner", [None, "standard", "asyncio", "pandas", "dask"])
@pytest.mark.parametrize("data", ["five_locations.csv", "1k_locations.csv"])
def test_workshop_command_lines_write_the_tools_bytes(cli, data_dir, tmp_path, runner, data):
    folder = tmp_path / "workshop"
    folder.mkdir()
    input_path = folder / data
    shutil.copyfile(data_dir / data, input_path)
    expected = tool_output(cli, data_dir / data, tmp_path)

    result = run_module(str(input_path), *(["-r", runner] if runner else []))
    assert result.returncode == 0, result.stderr
    assert "total" in result.stdout
    written = folder / "output.csv"
    if runner == "dask":
        assert written.is_dir()
        assert dask_parts(written) == expected
    else:
        assert written.read_bytes() == expected


def test_dask_parts_replace_an_earlier_runs_extra_parts(cli, data_dir, tmp_path):
    input_path = tmp_path / "five_locations.csv"
    shutil.copyfile(data_dir / "five_locations.csv", input_path)
    assert run_module(str(input_path), "-r", "dask", "--parts", "7").returncode == 0
    result = run_module(str(input_path), "-r", "dask", "--parts", "3")
    assert result.returncode == 0, result.stderr
    assert sorted(part.name for part in (tmp_path / "output.csv").iterdir()) == ["0.part", "1.part", "2.part"]
    assert dask_parts(tmp_path / "output.csv") == tool_output(cli, input_path, tmp_path)


def test_real_world_files_through_the_module_command_line(cli, data_dir, tmp_path):
    expected = tool_output(cli, data_dir / "five_locations.csv", tmp_path)
    rows = (data_dir / "five_locations.csv").read_text(encoding="utf-8").splitlines()
    # An id column before name,lat,lon, semicolons, gzip: read as the plain file.
    assert all(row.count(",") == 2 and '"' not in row for row in rows)
    semicolons = "id;name;lat;lon\n" + "".join(f"{index};{row.replace(',', ';')}\n" for index, row in enumerate(rows))
    input_path = tmp_path / "cities.csv.gz"
    input_path.write_bytes(gzip.compress(semicolons.encode()))
    result = run_module(str(input_path), "-r", "pandas")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "output.csv").read_bytes() == expected


def test_invalid_input_exits_3_with_the_tools_message(tmp_path):
    input_path = tmp_path / "bad.csv"
    input_path.write_text("name;lat;lon\nParis;48,8566;2,3522\n")
    result = run_module(str(input_path))
    assert result.returncode == 3
    assert result.stderr == f'{input_path}:2: latitude "48,8566" has a decimal comma: only a decimal point is allowed (48.8566)\n'
    assert not (tmp_path / "output.csv").exists()


def test_a_missing_input_exits_4(tmp_path):
    result = run_module(str(tmp_path / "missing.csv"))
    assert result.returncode == 4
    assert "cannot read" in result.stderr


def test_read_locations_reads_every_form(tmp_path):
    expected_names = ["Paris", "boston"]
    expected_points = np.array([[48.8566, 2.3522], [42.364758, -71.067421]])
    forms = {
        "plain.csv": b"Paris,48.8566,2.3522\nboston,42.364758,-71.067421\n",
        "geonames.csv": b"geonameid,name,country,latitude,longitude\n1,Paris,FR,48.8566,2.3522\n"
        b"2,boston,US,42.364758,-71.067421\n",
        "tabs.tsv": b"Name\tLat\tLon\nParis\t48.8566\t2.3522\nboston\t42.364758\t-71.067421\n",
        "semicolons.csv.xz": lzma.compress(b"lon;lat;city\n2.3522;48.8566;Paris\n-71.067421;42.364758;boston\n"),
        "points.geojson": b'{"type": "FeatureCollection", "features": ['
        b'{"type": "Feature", "properties": {"name": "Paris"}, "geometry": {"type": "Point", "coordinates": [2.3522, 48.8566]}},'
        b'{"type": "Feature", "properties": {"name": "boston"}, "geometry": {"type": "Point", "coordinates": [-71.067421, 42.364758]}}'
        b"]}",
    }
    for name, content in forms.items():
        path = tmp_path / name
        path.write_bytes(content)
        names, points = dm.read_locations(path)
        assert names == expected_names, name
        assert points.dtype == np.float64 and points.shape == (2, 2)
        assert np.array_equal(points, expected_points), name

    path = tmp_path / "custom.csv"
    path.write_text("code,town,n,e\nA,Paris,48.8566,2.3522\nB,boston,42.364758,-71.067421\n")
    assert dm.read_locations(path, columns="town,n,e")[0] == expected_names
    assert dm.read_locations(path, columns="-,3,4")[0] == ["1", "2"]

    path = tmp_path / "ids.geojson"
    path.write_text('{"type": "Feature", "properties": {"id": 7}, "geometry": {"type": "Point", "coordinates": [2, 48]}}\n')
    names, points = dm.read_locations(path, name_property="id")
    assert names == ["7"] and points.tolist() == [[48.0, 2.0]]


def test_read_locations_reads_a_large_file_on_every_core_as_one_row_at_a_time(tmp_path):
    # Over 1 MiB: read in parts on the threads (a quoted name with a line
    # break and a quoted comma among them), the same rows in the same order.
    rows, expected_names, expected_points = ["name,lat,lon"], [], []
    for index in range(60000):
        name = f"Place {index}" if index % 1000 else f'Two\nlines, {index}'
        latitude, longitude = (index % 1800) / 20 - 45, (index % 3600) / 10 - 180
        rows.append(f'"{name}",{latitude},{longitude}')
        expected_names.append(name)
        expected_points.append((latitude, longitude))
    path = tmp_path / "large.csv"
    path.write_text("\n".join(rows) + "\n")
    assert path.stat().st_size > 1 << 20
    names, points = dm.read_locations(path)
    assert names == expected_names
    assert np.array_equal(points, np.array(expected_points))
    (tmp_path / "bad.csv").write_text("\n".join(rows[:50000] + ["late,95,1"] + rows[50000:]) + "\n")
    with pytest.raises(dm.InputError) as error:
        dm.read_locations(tmp_path / "bad.csv")
    bad_line = sum(row.count("\n") + 1 for row in rows[:50000]) + 1  # quoted line breaks count
    assert f":{bad_line}: latitude 95 is outside [-90, 90]" in str(error.value)


def test_read_locations_refuses_invalid_input_with_the_tools_messages(tmp_path):
    path = tmp_path / "custom.csv"
    path.write_text("code,town,n,e\nA,Paris,48.8566,2.3522\n")
    with pytest.raises(dm.InputError) as error:
        dm.read_locations(path, columns="name,n,e")
    assert isinstance(error.value, ValueError)
    assert str(error.value) == f'{path}:1: column "name" is not in the header: the columns found are code, town, n, e'
    with pytest.raises(ValueError, match="is not NAME,LAT,LON"):
        dm.read_locations(path, columns="name,n")
    with pytest.raises(OSError, match="cannot read"):
        dm.read_locations(tmp_path / "missing.csv")
