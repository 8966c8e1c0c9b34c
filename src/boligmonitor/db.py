"""Small DuckDB helpers shared by every module (works with DuckDB 1.x and 2.x)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import duckdb
import polars as pl

from boligmonitor.errors import BoligmonitorError, lock_error

#: Environment variable: DuckDB's worker threads for every connection :func:`connect` opens (a
#: positive integer; unset: DuckDB's default, the machine's cores). Results do not depend on it (every
#: sum of non-integer values is exact, :func:`exact_sum`); tests/test_determinism.py builds with 1 and 4.
THREADS_ENV = "BOLIGMONITOR_DUCKDB_THREADS"

#: The type non-integer summands are accumulated in: each DOUBLE is rounded once to 18 decimals (its
#: own, row-by-row deterministic rounding) and the sum is then exact in DuckDB's 128-bit integer
#: accumulator, so it does not depend on the order of the rows (threads, hash aggregation, file order).
#: Range: |sum| < 1.7e20 (DuckDB raises an overflow error beyond); the largest sums the project forms
#: are kroner of gross income over a municipality's persons and years, below 1e14.
EXACT = "DECIMAL(38, 18)"


def exact_sum(expr: str, where: str | None = None) -> str:
    """SQL for the sum of the numeric expression ``expr`` (optionally ``filter (where where)``),
    accumulated exactly in :data:`EXACT` and returned as DOUBLE: the same bits whatever the order of
    the rows. Use it for every aggregate of non-integer values that can reach a published number (a
    sum of DOUBLEs depends on the order DuckDB's threads meet the rows in, in the last digits, and
    a value at a rounding boundary then rounds either way). NULL when no row counts, like ``sum``."""
    flt = f" filter (where {where})" if where else ""
    return f"(sum(({expr})::{EXACT}){flt})::DOUBLE"


def exact_avg(expr: str) -> str:
    """SQL for the mean of ``expr`` from its exact sum (:func:`exact_sum`) and the count of non-NULL
    values, as DOUBLE; NULL when there is none."""
    return f"({exact_sum(expr)} / nullif(count({expr}), 0))"


def threads_setting() -> int | None:
    """The thread count from :data:`THREADS_ENV`, or None when unset. Raises
    :class:`~boligmonitor.errors.BoligmonitorError` for anything but a positive integer."""
    raw = os.environ.get(THREADS_ENV, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise BoligmonitorError(f"{THREADS_ENV}={raw!r} is not a positive whole number of threads; "
                                f"unset it to use DuckDB's default (the machine's cores)")
    return int(raw)


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    """Run a query and return the result as a polars DataFrame (through Arrow).

    DuckDB 2 dropped ``.pl()`` on ``execute()`` results; this is the one place that knows.
    """
    res = con.execute(sql, params or [])
    if hasattr(res, "pl"):
        return res.pl()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "extra copy of the rows": fine for aggregates
        return pl.from_arrow(res.to_arrow_table())


def is_duckdb_file(path: Path | str) -> bool:
    """Whether ``path`` is an empty file (a database about to be created) or starts with DuckDB's
    file header (the magic bytes ``DUCK`` at offset 8)."""
    p = Path(path)
    if p.stat().st_size == 0:
        return True
    with open(p, "rb") as f:
        return f.read(12)[8:12] == b"DUCK"


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a database file without DuckDB's progress bar (it would garble the command line and logs).

    Open read-only wherever you only read (notebooks, report pages, ``check``): any number of
    read-only connections from several processes can share the file, while one read-write
    connection (DuckDB's default) locks every other process out.

    With :data:`THREADS_ENV` set, the connection uses that many DuckDB threads.

    Raises :class:`~boligmonitor.errors.DatabaseLockedError` (naming the holding process) when another
    process holds the file read-write, :class:`~boligmonitor.errors.BoligmonitorError` when a
    read-only open finds no file or a folder, or the file is not a DuckDB database.
    """
    if read_only and Path(path).is_dir():
        raise BoligmonitorError(f"{path} is a folder, not a database file; give the DuckDB file's path")
    if read_only and not Path(path).is_file():
        raise BoligmonitorError(f"no database at {path}: run `boligmonitor build` first")
    if Path(path).is_file() and not is_duckdb_file(path):
        raise BoligmonitorError(f"{path} is not a DuckDB database (no DuckDB header); give the database that "
                                "`boligmonitor build` wrote (e.g. data/processed/boligmonitor.duckdb)")
    threads = threads_setting()
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as e:
        locked = lock_error(e, path)
        if locked is not None:
            raise locked from None
        raise
    if threads is not None:
        con.execute(f"set threads = {threads}")
    try:
        con.execute("set enable_progress_bar = false")
    except duckdb.InvalidInputException:
        pass  # in Jupyter without ipywidgets DuckDB refuses the setting; it draws no bar there either
    return con


#: DuckDB's memory limit during a build, by default: a fixed budget of 1 GB, so that the build's
#: peak does not grow with the extract (the whole process stays near 1.5 GB from scale 1 to 10:
#: docs/benchmarks.md, "The whole build's memory"). Fixed, not a share of the machine: the bound is a
#: property of the build, the same on a laptop and a server, and 1 GB is what the steps that run
#: side by side (criteria, indicators, flows) need to run without spilling much at scale 1. Beyond
#: it DuckDB spills to :func:`limit_memory`'s folder (results do not depend on it: every sum of
#: non-integer values is exact, :func:`exact_sum`; the published files are byte-identical with and
#: without a limit). ``BOLIGMONITOR_MEMORY_LIMIT`` overrides it (``4GB``; ``none``: DuckDB's own
#: default, 80 % of the machine's memory). Every query of the build must be able to run within it:
#: a statement holding several hash tables at once cannot (criteria.measures.person_measures runs
#: one component per statement for that reason). The ingest's own Python-side memory is bounded
#: separately (``ingest.load.PART_BYTES``).
MEMORY_LIMIT: str | None = "1GB"


def limit_memory(con: duckdb.DuckDBPyConnection, spill_dir: Path | str) -> str | None:
    """Give DuckDB a folder to spill to (``spill_dir``: next to the database, removed by the caller;
    DuckDB's default is next to the database too, but named so that nothing removes it) and the
    memory limit ``BOLIGMONITOR_MEMORY_LIMIT`` or else :data:`MEMORY_LIMIT`. Returns the limit set
    (None: DuckDB's default, ``BOLIGMONITOR_MEMORY_LIMIT=none``). Raises ``duckdb.Error`` on a limit DuckDB cannot read
    (``4GB``, ``500MB`` are fine)."""
    con.execute(f"set temp_directory = '{str(spill_dir).replace(chr(39), chr(39) * 2)}'")
    limit = os.environ.get("BOLIGMONITOR_MEMORY_LIMIT", "").strip() or MEMORY_LIMIT
    if not limit or limit.lower() == "none":
        return None
    con.execute(f"set memory_limit = '{limit.replace(chr(39), '')}'")
    return limit
