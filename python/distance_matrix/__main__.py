"""The workshop tool's command line: ``python -m distance_matrix INPUT [-r RUNNER]``.

As the original tool does, it writes ``output.csv`` beside INPUT and prints
its timing; the distances come from this package's engine, so the file is
byte for byte what ``distance_matrix INPUT`` (the C++ tool) writes.

Runners:
  standard  the C++ engine's default strategy (oneTBB work stealing)
  asyncio   its async pipeline (reads, computes and writes at once)
  pandas    its vectorized (simd) kernel in one thread
  dask      Dask: the pairs split into parts computed by the workers of a
            cluster (a LocalCluster unless --scheduler ADDRESS), written as
            the folder ``output.csv/`` of ``0.part``, ``1.part``, ...
            (Dask's own naming), which concatenated in order are the file
            the other runners write.

Exit codes as the C++ tool's: 2 bad arguments, 3 invalid input, 4 a file
that cannot be read or written.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Optional, Sequence

from . import _core

_EXECUTORS = {"standard": "parallel", "asyncio": "async", "pandas": "sequential"}
_EXIT_INPUT = 3
_EXIT_IO = 4


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m distance_matrix",
        description="Great-circle distance of every pair of locations in a CSV file, written to output.csv "
        "beside it (origin,destination,distance rows).",
    )
    parser.add_argument("input", metavar="INPUT", help="CSV of locations (name,latitude,longitude, a header naming "
                        "them, ; or tab, gzip/zstd/xz)")
    parser.add_argument("-r", "--runner", choices=("standard", "asyncio", "pandas", "dask"), default="standard")
    parser.add_argument("--columns", metavar="NAME,LAT,LON", help="as the C++ tool's --columns")
    parser.add_argument("--delimiter", help="as the C++ tool's --delimiter: , ; or tab")
    parser.add_argument("--name-property", default="name", help="GeoJSON input: the property naming each point")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="-r dask: an existing Dask scheduler instead of a "
                        "LocalCluster")
    parser.add_argument("--parts", type=int, default=0, help="-r dask: number of parts (default: 4 per worker)")
    return parser


def _write_part(names: list, points, path: str, part: int, parts: int) -> int:
    """One Dask task (a Python function: Dask cannot pickle a compiled one)."""
    return _core.write_pairs_part(names, points, path, part, parts)


def _run_dask(input_path: str, output: str, arguments: argparse.Namespace) -> dict:
    # Imported here: only -r dask needs Dask installed.
    from dask.distributed import Client, LocalCluster

    start = time.perf_counter()
    names, points = _core.read_locations(input_path, arguments.columns, arguments.delimiter,
                                         arguments.name_property)
    read = time.perf_counter() - start
    if os.path.exists(output) and not os.path.isdir(output):
        raise _core.FileError(f"cannot write '{output}': a file is there; -r dask writes a folder of parts "
                              "(remove the file first)")
    os.makedirs(output, exist_ok=True)

    computed = time.perf_counter()
    cluster = None if arguments.scheduler else LocalCluster(processes=False, dashboard_address=None)
    try:
        with Client(arguments.scheduler or cluster) as client:
            workers = max(1, sum(client.nthreads().values()))
            parts = arguments.parts if arguments.parts > 0 else 4 * workers
            [names_future, points_future] = client.scatter([names, points], broadcast=True)
            futures = [
                client.submit(_write_part, names_future, points_future,
                              os.path.join(output, f"{part}.part"), part, parts, pure=False)
                for part in range(parts)
            ]
            pairs = sum(client.gather(futures))
    finally:
        if cluster is not None:
            cluster.close()
    # Parts of an earlier run with more parts would spoil the concatenation.
    for name in os.listdir(output):
        stem, _, extension = name.partition(".")
        if extension == "part" and stem.isdigit() and int(stem) >= parts:
            os.remove(os.path.join(output, name))
    total = time.perf_counter() - start
    return {"read": read, "calculation": total - (computed - start), "write": 0.0, "total": total,
            "locations": len(names), "pairs": pairs, "parts": parts}


def main(argv: Optional[Sequence[str]] = None) -> int:
    arguments = _parser().parse_args(argv)
    input_path = arguments.input
    output = os.path.join(os.path.dirname(input_path), "output.csv")
    try:
        if arguments.runner == "dask":
            times = _run_dask(input_path, output, arguments)
        else:
            times = _core.write_pairs_file(input_path, output, _EXECUTORS[arguments.runner], arguments.columns,
                                           arguments.delimiter, arguments.name_property)
    except _core.InputError as error:
        print(error, file=sys.stderr)
        return _EXIT_INPUT
    except ValueError as error:  # a malformed --columns or --delimiter
        print(f"python -m distance_matrix: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"python -m distance_matrix: {error}", file=sys.stderr)
        return _EXIT_IO
    where = f"{output}{os.sep} ({times['parts']} parts)" if arguments.runner == "dask" else output
    print(f"read         {times['read']:.3f} s   {times['locations']} locations")
    print(f"calculation  {times['calculation']:.3f} s   {times['pairs']} pairs ({arguments.runner} runner)")
    if arguments.runner != "dask":
        print(f"write        {times['write']:.3f} s   -> {where}")
    else:
        print(f"write        (in the calculation) -> {where}")
    print(f"total        {times['total']:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
