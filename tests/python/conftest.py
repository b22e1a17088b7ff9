"""Shared fixtures of the Python module's tests (run by CTest: tests/python/CMakeLists.txt).

CTest sets PYTHONPATH to the build tree's python/ folder, DM_CLI to the
command-line tool and DM_DATA_DIR to data/.
"""

import os
from pathlib import Path

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261124)


def random_points(rng: np.random.Generator, count: int) -> np.ndarray:
    """Points spread over the whole sphere, poles and antimeridian included."""
    latitudes = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, count)))
    longitudes = rng.uniform(-180.0, 180.0, count)
    points = np.column_stack([latitudes, longitudes])
    if count >= 4:
        points[:4] = [[90.0, 0.0], [-90.0, 17.0], [0.0, 180.0], [0.0, -180.0]]
    return points


@pytest.fixture
def cli() -> Path:
    return Path(os.environ["DM_CLI"])


@pytest.fixture
def data_dir() -> Path:
    return Path(os.environ["DM_DATA_DIR"])
