"""Calibration on the default data: >= 90 % of the plan's figures within tolerance, every miss explained,
and the public-record trajectory (slow: builds the default extract into a temporary folder)."""

from __future__ import annotations

import polars as pl
import pytest

from boligmonitor import calibration as C
from boligmonitor import config, pipeline
from boligmonitor.synth import write_extract


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("calib")
    write_extract(tmp / "raw", seed=config.DEFAULT_SEED, say=lambda m: None)
    db = tmp / "bm.duckdb"
    pipeline.build(raw_dir=tmp / "raw", db_path=db, published_dir=tmp / "published", say=lambda m: None,
                   steps=["boligmonitor.ingest", "boligmonitor.geo", "boligmonitor.core", "boligmonitor.criteria",
                          "boligmonitor.indicators"])
    con = C.open_db(db)
    try:
        yield C.compare(con)
    finally:
        con.close()


@pytest.mark.slow
def test_at_least_90_percent_within_tolerance(report):
    s = C.summary(report)
    assert s["share_within"] >= 0.90, report.filter(pl.col("verdict") == C.MISS)


@pytest.mark.slow
def test_every_miss_is_explained(report):
    unexplained = report.filter((pl.col("verdict") == C.MISS) & (pl.col("explanation") == ""))
    assert unexplained.height == 0, unexplained.select("id", "indicator_id", "area_id", "year", "value", "generated")


@pytest.mark.slow
def test_public_record_trajectory(report):
    traj = report.filter(pl.col("indicator_id").str.starts_with("classification:"))
    assert traj.height >= 40
    assert traj.filter(pl.col("verdict") == C.MISS).height == 0, traj.filter(pl.col("verdict") == C.MISS)
