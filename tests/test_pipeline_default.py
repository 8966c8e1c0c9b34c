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
