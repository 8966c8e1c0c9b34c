"""Sums of non-integer values do not depend on the order of the rows (``boligmonitor.db.exact_sum``),
and the DuckDB thread setting (``BOLIGMONITOR_DUCKDB_THREADS``) is read and checked."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import duckdb
import pytest

from boligmonitor import db
from boligmonitor.errors import BoligmonitorError


def _table(con, name: str, values: list[float | None]) -> None:
    """Table ``name(i INTEGER, x DOUBLE)`` with the rows in the order of ``values``."""
    con.execute(f"create or replace table {name} as select unnest(range(?))::INTEGER as i, unnest(?::DOUBLE[]) as x",
                [len(values), values])


def _values(n: int = 5000, seed: int = 7) -> list[float]:
    rnd = random.Random(seed)
    # full-time persons (fractions of a year), kroner with øre, and a few large incomes
    return ([rnd.randint(1, 261) / 261 * rnd.choice((25, 50, 100)) / 100 for _ in range(n)]
            + [round(rnd.uniform(-50_000, 900_000), 2) for _ in range(n)] + [37_000_000.37, 0.1, 0.2, 0.3])


def test_exact_sum_is_the_same_in_any_row_order():
    vals = _values()
    assert sum(vals) != sum(reversed(vals)), "the data must be order-sensitive for a plain sum"
    con = duckdb.connect()
    got = set()
    for k, order in enumerate((vals, list(reversed(vals)), random.Random(1).sample(vals, len(vals)))):
        _table(con, f"t{k}", order)
        got.add(con.execute(f"select {db.exact_sum('x')} from t{k}").fetchone()[0])
    assert len(got) == 1
    (s,) = got
    assert math.isclose(s, math.fsum(vals), rel_tol=1e-15)


def test_exact_sum_of_a_value_at_a_rounding_boundary_rounds_the_same_way_every_time():
    # vangdalen 2017, category B in the default extract: full-time persons whose exact sum is 661/20 = 33.05
    parts = [Fraction(261, 261) * Fraction(100, 100)] * 31 + [Fraction(130, 261), Fraction(131, 261)] \
        + [Fraction(1, 20)] * 21
    exact = sum(parts)
    assert exact == Fraction(661, 20)
    floats = [p.numerator / p.denominator for p in parts]
    con = duckdb.connect()
    seen = set()
    for seed in range(6):
        _table(con, "t", random.Random(seed).sample(floats, len(floats)))
        seen.add(con.execute(f"select {db.exact_sum('x')}, round({db.exact_sum('x')}, 1) from t").fetchone())
    assert len(seen) == 1
    (value, rounded), = seen
    assert value == float(exact)  # the double nearest to the exact sum
    assert rounded == 33.0  # DuckDB's round of that double; the same every time


def test_exact_sum_filter_null_and_types():
    con = duckdb.connect()
    _table(con, "t", [0.5, None, 1.25, -0.75])
    row = con.execute(f"select {db.exact_sum('x')}, {db.exact_sum('x', 'x > 0')}, {db.exact_sum('x', 'i > 99')}, "
                      f"typeof({db.exact_sum('x')}), {db.exact_avg('x')} from t").fetchone()
    assert row == (1.0, 1.75, None, "DOUBLE", pytest.approx(1.0 / 3))
    # kroner: a municipality's gross income over every person-year stays exact far below the range
    _table(con, "k", [99_999_999.99] * 1000)
    assert con.execute(f"select {db.exact_sum('x')} from k").fetchone()[0] == 99_999_999_990.0


def test_threads_setting(monkeypatch, tmp_path):
    monkeypatch.delenv(db.THREADS_ENV, raising=False)
    assert db.threads_setting() is None
    monkeypatch.setenv(db.THREADS_ENV, "3")
    con = db.connect(tmp_path / "x.duckdb")
    assert con.execute("select current_setting('threads')").fetchone()[0] == 3
    con.close()
    for bad in ("0", "-1", "two", "1.5"):
        monkeypatch.setenv(db.THREADS_ENV, bad)
        with pytest.raises(BoligmonitorError, match=db.THREADS_ENV):
            db.connect(tmp_path / "y.duckdb")
    assert not (tmp_path / "y.duckdb").exists()
