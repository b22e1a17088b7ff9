"""Type stubs of the compiled extension (python/src/core_module.cpp)."""

from typing import Optional

import numpy as np

__version__: str
METRICS: tuple[str, ...]
UNITS: tuple[str, ...]
KERNELS: tuple[str, ...]

def compute(
    points: np.ndarray,
    destinations: Optional[np.ndarray],
    out: Optional[np.ndarray],
    metric: str,
    unit: str,
    radius: Optional[float],
    ellipsoid: Optional[str],
    dtype: str,
    kernel: str,
    workers: int,
) -> np.ndarray: ...
def nearest(
    points: np.ndarray,
    destinations: Optional[np.ndarray],
    k: int,
    distance: Optional[float],
    unit: str,
    radius: float,
    kernel: str,
    workers: int,
) -> tuple[np.ndarray, np.ndarray]: ...
def within(
    points: np.ndarray,
    destinations: Optional[np.ndarray],
    distance: float,
    unit: str,
    radius: float,
    kernel: str,
    workers: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...
def summary(
    points: np.ndarray,
    destinations: Optional[np.ndarray],
    metric: str,
    unit: str,
    radius: float,
    kernel: str,
    workers: int,
) -> np.ndarray: ...
def simd_target() -> str: ...

class InputError(ValueError): ...
class FileError(OSError): ...

def read_locations(
    path: str, columns: Optional[str], delimiter: Optional[str], name_property: str
) -> tuple[list[str], np.ndarray]: ...
def write_pairs_file(
    input: str, output: str, executor: str, columns: Optional[str], delimiter: Optional[str], name_property: str
) -> dict[str, float]: ...
def write_pairs_part(names: list[str], points: np.ndarray, output: str, part: int, parts: int) -> int: ...
