"""Calibration logic on a tiny hand-made database (fast)."""

from __future__ import annotations

import duckdb
import polars as pl

from boligmonitor import calibration as C


def _db():
    con = duckdb.connect()
    con.execute("create schema metrics")
    con.execute("""create table metrics.indicators as select * from (values
        ('gl_jennumparken', 2020, 'residents', 1363.0, null, 1400.0, 'count'),
        ('randers_kommune', 2019, 'outside_labour_share', 28.0, 100.0, 28.0, 'pct'),
        ('hermann_stillingsvej', 2019, 'fpen_share_18_64', 18.0, 100.0, 18.0, 'pct'),
        ('glarbjergvej', 2020, 'under18_share', 10.0, 100.0, 10.0, 'pct'))
        t(area_id, year, indicator_id, numerator, denominator, value, unit)""")
    con.execute("""create table metrics.classification as select * from (values
        ('gl_jennumparken', 2019, 1350.0, true, false, false, false))
        t(area_id, list_year, residents, udsat, parallelsamfund, omdannelse, forebyggelse)""")
    return con


def _targets(rows):
    cols = ["id", "indicator_id", "area_id", "year", "value", "unit", "tolerance", "plan_section", "plan_quote", "note"]
    return pl.DataFrame([dict(zip(cols, r, strict=True)) for r in rows]).with_columns(
        pl.col("year").cast(pl.Int32), pl.col("value").cast(pl.Float64), pl.col("tolerance").cast(pl.Float64))


def test_verdicts_and_explanations():
    t = _targets([
        ("T1", "residents", "gl_jennumparken", 2020, 1363, "count", 68, "s", "q", ""),
        ("T2", "under18_share", "glarbjergvej", 2020, 27, "pct", 3, "s", "q", ""),
        ("T3", "fpen_share_18_64", "hermann_stillingsvej", 2019, 11.5, "pct", 1.5, "s", "q", ""),
        ("T4", "classification:udsat", "gl_jennumparken", 2019, 1, "bool", 0, "s", "q", ""),
        ("T5", "classification:parallelsamfund", "gl_jennumparken", 2019, 0, "bool", 0, "s", "q", ""),
        ("T6", "residents", "vangdalen", 2020, 880, "count", 40, "s", "q", ""),
    ])
    r = C.compare(_db(), t)
    v = dict(zip(r["id"], r["verdict"], strict=True))
    assert v == {"T1": C.WITHIN, "T2": C.MISS, "T3": C.MISS, "T4": C.WITHIN, "T5": C.WITHIN, "T6": C.MISS}
    e = dict(zip(r["id"], r["explanation"], strict=True))
    assert e["T2"] == "" and "contradicts" in e["T3"] and e["T1"] == ""
    s = C.summary(r)
    assert s == {"targets": 6, "within": 3, "share_within": 0.5, "misses": 3, "unexplained": 2}


def test_shipped_targets_are_complete():
    t = C.load_targets()
    assert t["id"].is_unique().all() and t.height >= 200
    assert t.filter(pl.col("plan_quote").is_null() | pl.col("plan_section").is_null()).height == 0
    later = t.filter(pl.col("plan_section").str.starts_with("Later"))
    assert set(later["value"].to_list()) >= {46.2, 44.0, 45.1, 43.7}
