"""Great-circle distance matrices for NumPy, computed in C++ without the GIL.

The Python face of the distance_matrix library: the same kernel, options and
doubles as the ``distance_matrix`` command-line tool (its ``--format npy``
output holds exactly the values these functions return).

Points are ``(n, 2)`` array-likes of latitude and longitude in degrees,
float64 or float32, in any memory order. Results follow SciPy:

>>> import numpy as np, distance_matrix as dm
>>> points = np.array([[42.2808, -83.743], [40.3641, -111.7385], [42.3601, -71.0589]])
>>> dm.pdist(points).round(3)          # condensed: (0,1), (0,2), (1,2)
array([2336.963, 1041.913, 3369.8  ])
>>> dm.cdist(points, points[:1]).shape  # one row per point, one column per destination
(3, 1)

``pdist`` and ``cdist`` release the interpreter lock while they compute, so
Python threads calling them run in parallel, and split the work over
``workers`` threads of their own (oneTBB). ``out=`` writes into a
preallocated array or memory map, so matrices larger than memory go to disk
through NumPy (``numpy.lib.format.open_memmap``).

Files are read as the command line reads them (headers, ``columns``,
semicolons and tabs, gzip/zstd/xz, GeoJSON points): ``read_locations(path)``.

Functions: pdist, cdist, nearest, summary, read_locations, simd_target. Constants: METRICS,
ELLIPSOIDS, UNITS, KERNELS, MEAN_EARTH_RADIUS_KM, SUMMARY_DTYPE, __version__.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import numpy.typing as npt

from . import _core

__all__ = ["pdist", "cdist", "nearest", "within", "summary", "read_locations", "InputError", "simd_target",
           "METRICS", "ELLIPSOIDS", "UNITS", "KERNELS", "MEAN_EARTH_RADIUS_KM", "SUMMARY_DTYPE"]

__version__: str = _core.__version__

#: Raised for invalid input rows (a ValueError): one ``file:line: what is wrong`` line per problem.
InputError = _core.InputError

#: Names accepted by ``metric=``: the accurate great circle, the flat
#: approximation around the mean latitude (fast, for short distances), or the
#: geodesic on an ellipsoid (WGS84 by default; Karney's algorithm, GeographicLib).
METRICS: tuple[str, ...] = _core.METRICS
#: Names accepted by ``ellipsoid=`` (with ``metric="geodesic"``), besides an
#: ``(a, inverse_flattening)`` pair: semi-major axis in metres and 1/f.
ELLIPSOIDS = ("wgs84", "grs80")
#: Names accepted by ``unit=``: kilometres, metres, statute miles, nautical miles.
UNITS: tuple[str, ...] = _core.UNITS
#: Names accepted by ``kernel=``: vectorized (Highway, best instruction set of
#: the CPU), or one pair at a time with libm (the reference).
KERNELS: tuple[str, ...] = _core.KERNELS
#: Mean Earth radius in kilometres (IUGG R1), the default sphere.
MEAN_EARTH_RADIUS_KM = 6371.0088

_MAX_WORKERS = 1024  # as the command line's --workers
_DTYPES = {np.dtype(np.float64): "float64", np.dtype(np.float32): "float32"}


def _as_points(points: Any, name: str) -> np.ndarray:
    # No copy for float64 or float32 arrays in any order or strides: the
    # extension reads them as they are. Other numbers become float64.
    array = points if type(points) is np.ndarray else np.asarray(points)
    if array.dtype.kind == "f" and array.dtype in _DTYPES:
        return array
    if array.dtype.kind in "iuf":
        return array.astype(np.float64)
    raise TypeError(f"{name} must hold real numbers (latitude, longitude in degrees), not {array.dtype}")


def _dtype_name(dtype: Optional[npt.DTypeLike], out: Optional[np.ndarray]) -> str:
    if dtype is None:
        # As NumPy's ufuncs: without dtype=, the result takes out's type.
        if out is None:
            return "float64"
        if out.dtype not in _DTYPES:
            raise ValueError(f"out has dtype {out.dtype}, the result is float64 or float32")
        return _DTYPES[out.dtype]
    try:
        return _DTYPES[np.dtype(dtype)]
    except (KeyError, TypeError):
        raise ValueError(f"dtype must be numpy.float64 or numpy.float32, not {dtype!r}") from None


def _workers(workers: Optional[int]) -> int:
    if workers is None:
        return 0  # every hardware thread, looked up only when the matrix is worth sharing
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or not 1 <= workers <= _MAX_WORKERS:
        raise ValueError(
            f"workers must be a whole number from 1 to {_MAX_WORKERS} (or None: every hardware thread), not {workers!r}"
        )
    return int(workers)


def _radius(radius: Optional[float]) -> Optional[float]:
    return None if radius is None else float(radius)


def _ellipsoid(ellipsoid: Any) -> Optional[str]:
    # A name, or (a, 1/f) written as the command line's --ellipsoid A,INVF.
    if ellipsoid is None or isinstance(ellipsoid, str):
        return ellipsoid
    try:
        axis, inverse_flattening = (float(value) for value in ellipsoid)
    except (TypeError, ValueError):
        raise ValueError(
            f"ellipsoid must be 'wgs84', 'grs80' or (semi-major axis in metres, inverse flattening), not {ellipsoid!r}"
        ) from None
    return f"{axis!r},{inverse_flattening!r}"


def _out(out: Optional[np.ndarray]) -> Optional[np.ndarray]:
    if out is None or isinstance(out, np.ndarray):
        return out
    raise TypeError(f"out must be a numpy.ndarray (or numpy.memmap), not {type(out).__name__}")


def pdist(
    points: npt.ArrayLike,
    *,
    metric: str = "haversine",
    unit: str = "km",
    radius: Optional[float] = None,
    ellipsoid: Any = None,
    dtype: Optional[npt.DTypeLike] = None,
    kernel: str = "simd",
    workers: Optional[int] = None,
    out: Optional[np.ndarray] = None,
) -> np.ndarray:
    """Distances between every pair of points, condensed as scipy.spatial.distance.pdist.

    Parameters
    ----------
    points : (n, 2) array-like
        Latitude and longitude in degrees. float64 and float32 arrays are
        read in place in any order or strides, never copied; other real
        numbers are converted to float64. Latitudes in [-90, 90],
        longitudes in [-180, 180].
    metric : {"haversine", "equirectangular", "geodesic"}
        The great circle (accurate to 1e-9 km everywhere, antipodes and
        poles included), the flat approximation around the mean latitude,
        or the geodesic on ``ellipsoid`` (within 1 micrometre of Karney's
        exact solution, by GeographicLib; scalar for either ``kernel``).
    unit : {"km", "m", "mi", "nmi"}
        Unit of the distances.
    radius : float, optional
        Sphere radius in kilometres (default: mean Earth radius 6371.0088).
        Not with ``metric="geodesic"``.
    ellipsoid : {"wgs84", "grs80"} or (float, float), optional
        With ``metric="geodesic"`` only: the ellipsoid by name (default
        "wgs84") or as (semi-major axis in metres, inverse flattening),
        1/f = 0 for a sphere, else abs(1/f) >= 100.
    dtype : numpy.float64 or numpy.float32, optional
        The result's type: float64 unless ``out`` is given, then out's.
        float32 rounds each double once, to nearest.
    kernel : {"simd", "scalar"}
        Vectorized kernel (default) or the one-pair-at-a-time reference. They
        may differ in the last bits.
    workers : int or None
        Threads computing the matrix; None uses every hardware thread. Small
        matrices are computed on the calling thread.
    out : numpy.ndarray, optional
        Where to write: shape (n*(n-1)//2,), float64 or float32 (``dtype``
        if given), C-contiguous and writeable (a numpy.memmap or
        open_memmap works).

    Returns
    -------
    numpy.ndarray
        The (n*(n-1)//2,) distances, pairs (i, j) with i < j in row-major
        order; ``out`` if given. scipy.spatial.distance.squareform turns it
        into the square matrix. Empty for 0 or 1 point.

    Raises
    ------
    ValueError
        Wrong shape, a NaN, infinite or out-of-range coordinate (naming the
        first bad row), an unknown option, or an ``out`` of the wrong shape,
        dtype or layout. Nothing is computed or written then.
    TypeError
        Points that are not numbers, or an ``out`` that is not an array.

    The interpreter lock is released while the distances are computed.
    """
    out = _out(out)
    return _core.compute(
        _as_points(points, "points"), None, out, metric, unit, _radius(radius), _ellipsoid(ellipsoid),
        _dtype_name(dtype, out), kernel, _workers(workers),
    )


def cdist(
    points: npt.ArrayLike,
    destinations: npt.ArrayLike,
    *,
    metric: str = "haversine",
    unit: str = "km",
    radius: Optional[float] = None,
    ellipsoid: Any = None,
    dtype: Optional[npt.DTypeLike] = None,
    kernel: str = "simd",
    workers: Optional[int] = None,
    out: Optional[np.ndarray] = None,
) -> np.ndarray:
    """Distances from every point to every destination, as scipy.spatial.distance.cdist.

    Returns the (len(points), len(destinations)) array whose element [i, j]
    is the distance from points[i] to destinations[j]; ``out`` if given
    (that shape, float64 or float32, C-contiguous, writeable). Both inputs are
    (n, 2) array-likes of latitude and longitude in degrees. Every keyword
    means what it does in pdist; errors name ``points[i]`` or
    ``destinations[j]``. The interpreter lock is released while the
    distances are computed, so several Python threads can each compute a
    block of rows at once.
    """
    out = _out(out)
    return _core.compute(
        _as_points(points, "points"), _as_points(destinations, "destinations"), out, metric, unit,
        _radius(radius), _ellipsoid(ellipsoid), _dtype_name(dtype, out), kernel, _workers(workers),
    )


def nearest(
    points: npt.ArrayLike,
    k: int,
    destinations: Optional[npt.ArrayLike] = None,
    *,
    distance: Optional[float] = None,
    metric: str = "haversine",
    unit: str = "km",
    radius: Optional[float] = None,
    ellipsoid: Any = None,
    kernel: str = "simd",
    workers: Optional[int] = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest other points (or destinations) of every point, as scikit-learn's kneighbors.

    Returns ``(distances, indices)``, each of shape (len(points), k):
    row i holds the nearest first, ties broken by input order; float64
    distances in ``unit``, int64 indices into ``points`` (or
    ``destinations``). A point is never its own neighbour; other points at
    the same coordinates are, at distance 0. Where fewer than k candidates
    exist the rest are index -1 and distance inf. With ``distance`` (in
    ``unit``), only neighbours at most that far count: at most k of them,
    the rest padded the same way (scikit-learn's kneighbors with a search
    radius; the command line's ``--nearest K --within DISTANCE``). It is
    called ``distance`` as in :func:`within`, since ``radius`` is the
    sphere's radius everywhere in this module. Exact: a k-d tree on unit
    vectors finds the candidates and the kernel measures them, so the
    distances are those of pdist and cdist. ``metric`` is "haversine" (on
    the sphere of ``radius`` km, the mean Earth radius by default) or
    "geodesic" (on ``ellipsoid``, WGS84 by default: the index finds the
    candidates with a margin the ellipsoid's curvature bounds, and the
    geodesic ranks them, still exact). Degrees in; the interpreter lock is
    released while searching.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a whole number of at least 1, not {k!r}")
    if distance is not None:
        distance = _checked_distance(distance)
    return _core.nearest(
        _as_points(points, "points"), None if destinations is None else _as_points(destinations, "destinations"),
        int(k), distance, metric, unit, _radius(radius), _ellipsoid(ellipsoid), kernel, _workers(workers),
    )


def _checked_distance(distance: Any) -> float:
    if isinstance(distance, bool) or not isinstance(distance, (int, float, np.integer, np.floating)) \
            or not np.isfinite(distance) or distance < 0:
        raise ValueError(f"distance must be a finite number of at least 0, not {distance!r}")
    return float(distance)


def within(
    points: npt.ArrayLike,
    distance: float,
    destinations: Optional[npt.ArrayLike] = None,
    *,
    metric: str = "haversine",
    unit: str = "km",
    radius: Optional[float] = None,
    ellipsoid: Any = None,
    kernel: str = "simd",
    workers: Optional[int] = None,
) -> Any:
    """Every pair of points (or point and destination) at most ``distance`` apart, as a sparse matrix.

    Returns a ``scipy.sparse.csr_matrix`` of shape (len(points),
    len(points)) or (len(points), len(destinations)): row i holds, in index
    order, every other point (or destination) at most ``distance`` from
    point i (a pair exactly that far is in), with its float64 distance in
    ``unit``. Over one set both (i, j) and (j, i) are stored, never (i, i),
    as scikit-learn's radius_neighbors_graph(mode="distance"); take
    ``scipy.sparse.triu`` for each pair once (cKDTree.query_pairs).
    Coincident points are stored at distance 0 (explicit zeros). Without
    SciPy installed, returns the CSR arrays ``(data, indices, indptr)``
    instead (int64 indices). ``distance`` is in ``unit``; ``radius`` is the
    sphere's radius in kilometres, as in every function here. Exact: a k-d
    tree on unit vectors finds the candidates and the kernel measures them
    (the distances of pdist and cdist). ``metric`` "geodesic" (with
    ``ellipsoid``) is exact too, as in nearest. Degrees in; the
    interpreter lock is released while searching.
    """
    distance = _checked_distance(distance)
    origins = _as_points(points, "points")
    targets = None if destinations is None else _as_points(destinations, "destinations")
    data, indices, indptr = _core.within(origins, targets, distance, metric, unit, _radius(radius),
                                         _ellipsoid(ellipsoid), kernel, _workers(workers))
    try:
        from scipy.sparse import csr_matrix
    except ImportError:
        return data, indices, indptr
    shape = (len(origins), len(origins) if targets is None else len(targets))
    return csr_matrix((data, indices, indptr), shape=shape)


#: The fields of summary()'s records.
SUMMARY_DTYPE = np.dtype([("count", np.int64), ("min", np.float64), ("nearest", np.int64), ("max", np.float64),
                          ("farthest", np.int64), ("mean", np.float64), ("sd", np.float64)])


def summary(
    points: npt.ArrayLike,
    destinations: Optional[npt.ArrayLike] = None,
    *,
    metric: str = "haversine",
    unit: str = "km",
    radius: Optional[float] = None,
    ellipsoid: Any = None,
    kernel: str = "simd",
    workers: Optional[int] = None,
) -> np.ndarray:
    """One record per point summarising its distances to all others (or to every destination).

    Returns a structured array of len(points) records (SUMMARY_DTYPE):
    ``count``; ``min`` and ``nearest`` (the index of the first point at that
    distance); ``max`` and ``farthest``; ``mean``; ``sd`` (population
    standard deviation, as numpy.std). A point is never compared with
    itself; a point with nothing to compare has count 0, NaN values and
    index -1. The command line's ``--summary``, computed in memory
    proportional to the number of points, without the interpreter lock.
    """
    return _core.summary(
        _as_points(points, "points"), None if destinations is None else _as_points(destinations, "destinations"),
        metric, unit, _radius(radius), _ellipsoid(ellipsoid), kernel, _workers(workers),
    )


def simd_target() -> str:
    """The instruction set the simd kernel runs on here: "avx512", "avx2", "sse4", "ssse3" or "generic"."""
    return _core.simd_target()


def read_locations(
    path: str, columns: Optional[str] = None, delimiter: Optional[str] = None, name_property: str = "name"
) -> tuple[list[str], np.ndarray]:
    """The names and an ``(n, 2)`` float64 array of latitude, longitude of a file.

    Read exactly as the command line reads INPUT: a header naming the
    columns (other columns ignored), a comma, semicolon or tab delimiter
    (detected), gzip, zstd or xz compression (by content). ``columns`` is
    the command line's ``--columns`` ("NAME,LAT,LON", titles or 1-based
    numbers, ``-`` for row numbers as names); ``delimiter`` its
    ``--delimiter`` (``,`` ``;`` or ``tab``). GeoJSON (Point features) is
    read too, the name from ``name_property``. Raises InputError (a
    ValueError) listing the invalid rows, OSError if the file cannot be read.
    """
    return _core.read_locations(str(path), columns, delimiter, name_property)
