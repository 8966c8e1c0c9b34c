"""Compare two builds table by table: same tables, same columns, same rows (any order).

Rerunnable: ``.venv/bin/python bench/compare_builds.py REF.duckdb NEW.duckdb [--published REF_DIR NEW_DIR]``.

For every table in the schemas ``staging``, ``geo``, ``core``, ``metrics`` and ``ingest_cache`` of
either database it checks that the table exists in both, with the same column names and types in
the same order, and the same multiset of rows. Row order is ignored (many tables have no defined
order). Floating-point values may differ by 1e-9 relative (summation order may change with the
plan). The build timestamps (``started_at``, ``finished_at``) are not compared. With
``--published`` every file of the two published folders is compared too: CSV files as tables (all
columns read as text, numbers that differ only within the float tolerance count as equal), other
files byte for byte. A rounded number in a CSV file that differs by one unit in its last digit
(a value at a rounding tie, ``33.05`` summed in another order) is printed as a note, not counted:
the reference build itself is not stable there, and the unrounded database tables are compared.

Exit status 0 when the builds are identical, 1 otherwise (a line per difference is printed).

How: rows present in one table and not the other are found with ``EXCEPT ALL`` in DuckDB (fast
for millions of rows); only those rows are then paired up, sorted by their non-float columns, and
compared with the tolerance in Python.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import duckdb

SCHEMAS = ("staging", "geo", "core", "metrics", "ingest_cache")
#: Columns that hold the time of the build, not a result.
IGNORED_COLUMNS = {"started_at", "finished_at"}
REL_TOL = 1e-9
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")
#: At most this many differing rows are paired up and shown per table.
MAX_SHOWN = 5


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(con: duckdb.DuckDBPyConnection, db: str) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = ? order by table_schema, table_name, ordinal_position", [db]).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for schema, table, col, typ in rows:
        if schema in SCHEMAS:
            out.setdefault(f"{schema}.{table}", []).append((col, typ))
    return out


def _last_digit(a, b) -> bool:
    """Two numbers written as text that differ by one unit in the last printed decimal (``33.0`` vs
    ``33.1``): a value at a rounding tie whose float sum differs in the 16th digit between runs."""
    if not (isinstance(a, str) and isinstance(b, str)) or "." not in a or "." not in b:
        return False
    da, db = len(a.split(".")[1]), len(b.split(".")[1])
    try:
        return da == db and abs(float(a) - float(b)) <= 1.000001 * 10 ** -da
    except ValueError:
        return False


def _close(a, b) -> bool:
    if a == b:
        return True
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return True
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)
    if isinstance(a, str) and isinstance(b, str):  # numbers written as text (published CSV files)
        try:
            return _close(float(a), float(b))
        except ValueError:
            return False
    return False


def _key(row: tuple, float_idx: set[int]) -> tuple:
    """Sort key: the non-float values first (as text, NULL first), then the floats."""
    fixed = tuple((v is not None, str(v)) for i, v in enumerate(row) if i not in float_idx)
    floats = tuple((v is not None, v if v is not None else 0.0) for i, v in enumerate(row) if i in float_idx)
    return fixed + floats


def compare_relations(con: duckdb.DuckDBPyConnection, label: str, a: str, b: str, cols: list[tuple[str, str]],
                      textual: bool = False) -> list[str]:
    """Differences between the relations ``a`` and ``b`` (SQL names), over the columns ``cols``."""
    names = [c for c, _ in cols if c not in IGNORED_COLUMNS]
    sel = ", ".join(_q(c) for c in names)
    float_idx = {i for i, (c, t) in enumerate((c, t) for c, t in cols if c not in IGNORED_COLUMNS)
                 if t.upper() in FLOAT_TYPES}
    if textual:  # every column is text: a column whose values parse as numbers may differ in the last digits
        float_idx = set()
    na, nb = (con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in (a, b))
    if na != nb:
        return [f"{label}: {na:,} rows vs {nb:,} rows"]
    only_a = con.execute(f"select {sel} from {a} except all select {sel} from {b}").fetchall()
    if not only_a:
        return []
    only_b = con.execute(f"select {sel} from {b} except all select {sel} from {a}").fetchall()
    if len(only_a) != len(only_b):
        return [f"{label}: {len(only_a):,} rows only in the reference, {len(only_b):,} only in the new build"]
    only_a.sort(key=lambda r: _key(r, float_idx))
    only_b.sort(key=lambda r: _key(r, float_idx))
    bad = [(ra, rb) for ra, rb in zip(only_a, only_b)
           if not all(_close(x, y) for x, y in zip(ra, rb))]
    ties = [(ra, rb) for ra, rb in bad if all(_close(x, y) or _last_digit(x, y) for x, y in zip(ra, rb))]
    if textual and len(ties) == len(bad):
        for ra, rb in ties[:MAX_SHOWN]:
            diff = [f"{n}: {x!r} vs {y!r}" for n, x, y in zip(names, ra, rb) if not _close(x, y)]
            print(f"note: {label}: rounded value at a tie differs in the last digit ({'; '.join(diff)}); "
                  "the unrounded database tables are compared")
        return []
    if not bad:
        return []
    out = [f"{label}: {len(bad):,} rows differ (beyond {REL_TOL:g} relative), e.g.:"]
    for ra, rb in bad[:MAX_SHOWN]:
        diff = [f"{n}: {x!r} vs {y!r}" for n, x, y in zip(names, ra, rb) if not _close(x, y)]
        out.append("    " + "; ".join(diff))
    return out


def compare_databases(ref: Path, new: Path) -> tuple[list[str], int]:
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute(f"attach '{ref}' as ref (read_only)")
    con.execute(f"attach '{new}' as new (read_only)")
    ta, tb = _tables(con, "ref"), _tables(con, "new")
    problems: list[str] = []
    for t in sorted(set(ta) - set(tb)):
        problems.append(f"{t}: only in the reference")
    for t in sorted(set(tb) - set(ta)):
        problems.append(f"{t}: only in the new build")
    n = 0
    for t in sorted(set(ta) & set(tb)):
        if ta[t] != tb[t]:
            problems.append(f"{t}: columns differ: {ta[t]} vs {tb[t]}")
            continue
        schema, name = t.split(".")
        problems += compare_relations(con, t, f"ref.{schema}.{_q(name)}", f"new.{schema}.{_q(name)}", ta[t])
        n += 1
    con.close()
    return problems, n


def compare_published(ref: Path, new: Path) -> tuple[list[str], int]:
    fa = {p.name for p in ref.iterdir() if p.is_file()}
    fb = {p.name for p in new.iterdir() if p.is_file()}
    problems = [f"published/{f}: only in the reference" for f in sorted(fa - fb)]
    problems += [f"published/{f}: only in the new build" for f in sorted(fb - fa)]
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    n = 0
    for f in sorted(fa & fb):
        pa, pb = ref / f, new / f
        n += 1
        if pa.read_bytes() == pb.read_bytes():
            continue
        if not f.endswith(".csv"):
            problems.append(f"published/{f}: contents differ")
            continue
        rel = []
        for i, p in enumerate((pa, pb)):
            con.execute(f"create or replace temp table _t{i} as select * from read_csv(?, all_varchar=true, "
                        "header=true, delim=',', quote='\"')", [str(p)])
            rel.append([(r[0], r[1]) for r in con.execute(f"describe _t{i}").fetchall()])
        if rel[0] != rel[1]:
            problems.append(f"published/{f}: header differs")
            continue
        problems += compare_relations(con, f"published/{f}", "_t0", "_t1", rel[0], textual=True)
    con.close()
    return problems, n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ref", type=Path, help="the reference database")
    ap.add_argument("new", type=Path, help="the database to check")
    ap.add_argument("--ignore", action="append", default=[], metavar="COLUMN",
                    help="also skip this column everywhere (e.g. mtime_ns when the raw folder was copied)")
    ap.add_argument("--published", nargs=2, type=Path, metavar=("REF_DIR", "NEW_DIR"),
                    help="also compare the two published folders")
    args = ap.parse_args(argv)
    IGNORED_COLUMNS.update(args.ignore)
    problems, n = compare_databases(args.ref, args.new)
    msg = f"{n} tables compared"
    if args.published:
        p2, n2 = compare_published(*args.published)
        problems += p2
        msg += f", {n2} published files compared"
    for p in problems:
        print(p)
    n_bad = sum(not p.startswith("    ") for p in problems)
    print(f"{msg}: {'IDENTICAL' if not problems else f'{n_bad} DIFFERENCE(S)'}")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
