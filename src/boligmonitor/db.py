"""Small DuckDB helpers shared by every module (works with DuckDB 1.x and 2.x)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import duckdb
import polars as pl

from boligmonitor.errors import BoligmonitorError, lock_error


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
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as e:
        locked = lock_error(e, path)
        if locked is not None:
            raise locked from None
        raise
    try:
        con.execute("set enable_progress_bar = false")
    except duckdb.InvalidInputException:
        pass  # in Jupyter without ipywidgets DuckDB refuses the setting; it draws no bar there either
    return con


#: DuckDB's memory limit during a build: None leaves DuckDB's default (80 % of the machine's
#: memory). ``BOLIGMONITOR_MEMORY_LIMIT`` (e.g. ``1GB``) sets one: beyond it DuckDB spills to
#: :func:`limit_memory`'s folder instead of growing, so the build's memory stops growing with the
#: extract (issue 17; the ingest's own memory is bounded without it, see ``ingest.load.PART_BYTES``).
#: Not the default yet: a limit changes the order in which DuckDB sums floating-point values, and
#: the published suppression pattern depends on the last bits of a few sums (docs/benchmarks.md).
MEMORY_LIMIT: str | None = None


def limit_memory(con: duckdb.DuckDBPyConnection, spill_dir: Path | str) -> str | None:
    """Give DuckDB a folder to spill to (``spill_dir``: next to the database, removed by the caller;
    DuckDB's default is next to the database too, but named so that nothing removes it) and the
    memory limit :data:`MEMORY_LIMIT` or ``BOLIGMONITOR_MEMORY_LIMIT`` if one is set. Returns the
    limit set (None: DuckDB's default). Raises ``duckdb.Error`` on a limit DuckDB cannot read
    (``4GB``, ``500MB`` are fine)."""
    con.execute(f"set temp_directory = '{str(spill_dir).replace(chr(39), chr(39) * 2)}'")
    limit = os.environ.get("BOLIGMONITOR_MEMORY_LIMIT") or MEMORY_LIMIT
    if limit:
        con.execute(f"set memory_limit = '{limit.replace(chr(39), '')}'")
    return limit
