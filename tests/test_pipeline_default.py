"""The default synthetic extract, end to end (slow): every file reconciles, and no raw person
number reaches the database, the published files or the build messages."""

from __future__ import annotations

import re

import duckdb
import polars as pl
import pytest

from boligmonitor.pipeline import build

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def default_build(tmp_path_factory):
    synth = pytest.importorskip("boligmonitor.synth")
    tmp = tmp_path_factory.mktemp("default")
    synth.write_extract(tmp / "raw", say=lambda m: None)
    lines: list[str] = []
    build(tmp / "raw", tmp / "db.duckdb", tmp / "published", say=lines.append, full=True)
    return tmp, lines


def test_every_file_reconciles(default_build):
    tmp, _ = default_build
    con = duckdb.connect(str(tmp / "db.duckdb"), read_only=True)
    log = con.sql("select * from staging.load_log").pl()
    n_files = sum(1 for _ in (tmp / "raw").rglob("*.csv"))
    assert log.height == n_files
    assert (log["rows_read"] == log["rows_loaded"] + log["rows_quarantined"]).all()
    assert log["rows_loaded"].sum() > 1_000_000


def test_no_raw_pnr_in_database_published_or_messages(default_build):
    tmp, lines = default_build
    pnrs = set()
    for p in (tmp / "raw").rglob("*.csv"):
        pnrs |= set(re.findall(rb"(?<!\d)(\d{6}-?\d{4})(?!\d)", p.read_bytes()))
    pnrs = {x.decode().replace("-", "") for x in pnrs}
    assert len(pnrs) > 50_000
    con = duckdb.connect(str(tmp / "db.duckdb"), read_only=True)
    con.register("_test_raw_pnrs", pl.DataFrame({"pnr": sorted(pnrs)}).to_arrow())
    cols = con.execute("select table_schema, table_name, column_name from information_schema.columns "
                       "where data_type = 'VARCHAR' and table_name <> '_test_raw_pnrs'"
                       ).fetchall()
    assert len(cols) > 50
    for s, t, c in cols:
        hits = con.execute(f"""
            select count(*) from (
                select replace(unnest(regexp_extract_all("{c}", '\\d{{6}}-?\\d{{4}}')), '-', '') as m
                from (select distinct "{c}" from "{s}"."{t}")
            ) where m in (select pnr from _test_raw_pnrs)""").fetchone()[0]
        assert hits == 0, f"raw PNR in {s}.{t}.{c}"
    for p in (tmp / "published").rglob("*"):
        if p.is_file():
            found = set(re.findall(r"\d{6}-?\d{4}", p.read_text(encoding="utf-8", errors="replace")))
            assert not ({x.replace("-", "") for x in found} & pnrs), p.name
    for m in lines:
        assert not ({x.replace("-", "") for x in re.findall(r"\d{6}-?\d{4}", m)} & pnrs)


def test_flows_and_the_decomposition_of_every_criterion_add_up(default_build):
    """Every decomposition's parts add up to the criterion's change (points and persons), its ends are
    the criteria's own values, and the flows add up to the residents on both dates."""
    tmp, _ = default_build
    con = duckdb.connect(str(tmp / "db.duckdb"), read_only=True)
    d = con.sql("select * from metrics.criteria_decomposition").pl()
    assert d.height > 1000
    parts = d.filter(pl.col("part") != "total").group_by("area_id", "criterion", "level", "year").agg(
        pl.col("points").sum().alias("p"), pl.col("persons").sum().alias("n"))
    tot = d.filter(pl.col("part") == "total").join(parts, on=["area_id", "criterion", "level", "year"])
    assert tot.height == d.filter(pl.col("part") == "total").height
    assert ((tot["p"] - tot["points"]).abs() < 1e-9).all()
    assert ((tot["points"] - (tot["value_to"] - tot["value_from"])).abs() < 1e-9).all()
    with_persons = tot.filter(pl.col("persons").is_not_null())
    assert ((with_persons["n"] - with_persons["persons"]).abs() < 1e-9).all()
    crit = con.sql("select area_id, criterion, list_year as year, value from metrics.criteria_values "
                   "where threshold_set in ('udsat', 'ghetto') and value is not null").pl()
    ends = tot.filter(pl.col("level") == "list_year").join(crit, on=["area_id", "criterion", "year"])
    assert ends.height > 200 and ((ends["value_to"] - ends["value"]).abs() < 1e-9).all()
    f = con.sql("""select area_id, year, sum(persons) filter (where direction in ('stayed', 'in')) as e,
                          sum(persons) filter (where direction in ('stayed', 'out')) as s,
                          max(residents_end) as re, max(residents_start) as rs
                   from metrics.flows group by all""").pl()
    assert (f["e"] == f["re"]).all() and (f["s"] == f["rs"]).all()
    res = con.sql("""select coalesce(area_id, 'x') as area_id, year, count(*) as n from core.person_year
                     group by all""").pl()
    chk = f.join(res, on=["area_id", "year"])
    assert chk.height > 40 and (chk["re"] == chk["n"]).all()
    assert con.sql("select count(*) from metrics.flows where flow = 'out_died' and persons > 0").fetchall()[0][0] > 0
