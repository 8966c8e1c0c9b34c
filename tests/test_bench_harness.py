"""bench/bench.py's arithmetic and parsing, and the three reference programs agreeing with the product
on a small synthetic extract (the benchmark itself is a script, never a timed test)."""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))
from refcommon import list_year_values, read_values, write_values  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_harness", BENCH / "bench.py")
bench = sys.modules["bench_harness"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_growth_exponent():
    assert bench.growth_exponent(1_000, 2.0, 4_000, 8.0) == pytest.approx(1.0)
    assert bench.growth_exponent(1_000, 2.0, 4_000, 32.0) == pytest.approx(2.0)
    assert bench.growth_exponent(1_000, 2.0, 10_000, 2.0) == pytest.approx(0.0)
    # memory that grows 1.5x while the rows grow 10x
    assert bench.growth_exponent(1, 1.0, 10, 1.5) == pytest.approx(math.log10(1.5))


def test_ratio_stats_pairs_rounds():
    m, lo, hi = bench.ratio_stats([10.0, 12.0, 9.0], [5.0, 4.0, 9.0])
    assert (m, lo, hi) == (2.0, 1.0, 3.0)


def test_compare_values_finds_differences_and_missing():
    prod = {("a", 2020, "crime"): 1.5, ("a", 2020, "income"): None, ("b", 2020, "crime"): 2.0}
    same = {("a", 2020, "crime"): 1.5 + 1e-12, ("a", 2020, "income"): None, ("b", 2020, "crime"): 2.0}
    assert bench.compare_values(prod, same, "ref") == []
    off = {("a", 2020, "crime"): 1.5001, ("a", 2020, "income"): 3.0}
    problems = bench.compare_values(prod, off, "ref")
    assert len(problems) == 3
    assert any("('b', 2020, 'crime')" in p and "missing" in p for p in problems)


def test_step_seconds_parses_the_build_summary():
    out = "\n".join([
        "[   6.0s] ingest: 167 files (167 read, 0 unchanged and reused): 4,623,639 rows read, 4,623,639 loaded, "
        "0 quarantined in 5.9 s (summed over threads: read 2.1 s, validate 2.5 s, store 2.8 s, finalize 0.2 s)",
        "[  10.1s] build: done in 10.1 s",
        "Build (full) -> x.duckdb in 10.1 s",
        "step          seconds  tables (rows)",
        "ingest           5.93  staging.population (981,000)",
        "geo              0.45  geo.address_area (9,000)",
        "criteria         2.10  metrics.criteria_values (496)",
    ])
    s = bench.step_seconds(out)
    assert s["ingest"] == 5.93 and s["geo"] == 0.45 and s["criteria"] == 2.10 and s["build"] == 10.1
    assert s["ingest_validate"] == 2.5 and s["ingest_finalize"] == 0.2


def test_write_doc_replaces_the_same_run_and_keeps_the_rest(tmp_path):
    doc = tmp_path / "b.md"
    doc.write_text("# Benchmarks\n\nhand-written\n\n<!-- bench-runs -->\n\n## Design\n\nkept\n")
    bench.write_doc(doc, "<!-- bench-run scales=1 -->\nfirst\n<!-- /bench-run -->")
    bench.write_doc(doc, "<!-- bench-run scales=4 -->\nother\n<!-- /bench-run -->")
    bench.write_doc(doc, "<!-- bench-run scales=1 -->\nsecond\n<!-- /bench-run -->")
    text = doc.read_text()
    assert "first" not in text and text.count("second") == 1 and "other" in text
    assert "hand-written" in text and "kept" in text
    assert text.index("second") < text.index("## Design")


def test_list_year_values_mean_of_shares_and_unknowns():
    yearly = {("g", "employment", 2016): (10.0, 100.0), ("g", "employment", 2017): (30.0, 100.0),
              ("g", "crime", 2016): (1.0, 50.0), ("g", "education", 2018): (5.0, 20.0),
              ("g", "income", 2017): (600.0, 2.0)}
    vals = {(g, t, c): v for g, t, c, v in list_year_values(yearly, {2017: 400.0}, last_flow_year=2024)}
    assert vals[("g", 2018, "employment")] == pytest.approx(20.0)
    assert vals[("g", 2018, "crime")] is None  # 2017 missing
    assert vals[("g", 2018, "education")] == pytest.approx(25.0)
    assert vals[("g", 2018, "income")] == pytest.approx(75.0)  # mean 300 of the region's 400
    assert vals[("g", 2019, "income")] is None


def test_values_file_round_trip(tmp_path):
    rows = [("g", 2018, "crime", 1.2345678901234567), ("g", 2018, "income", None)]
    write_values(tmp_path / "v.csv", rows)
    assert read_values(tmp_path / "v.csv") == {("g", 2018, "crime"): 1.2345678901234567,
                                               ("g", 2018, "income"): None}


@pytest.fixture(scope="module")
def small_build(tmp_path_factory):
    from boligmonitor.pipeline import build
    from boligmonitor.synth import load_addresses, write_extract

    a = load_addresses()
    addresses = pl.concat([a.filter(pl.col("area_id").is_not_null()),
                           a.filter(pl.col("area_id").is_null()).head(300)])
    tmp = tmp_path_factory.mktemp("bench-small")
    write_extract(tmp / "raw", seed=11, scale=0.5, say=lambda m: None, addresses=addresses)
    build(tmp / "raw", tmp / "db.duckdb", tmp / "published", say=lambda m: None, full=True)
    return tmp


@pytest.mark.parametrize("ref", ["ref_pandas.py", "ref_duckdb_criteria.py", "ref_duckdb_all.py"])
def test_reference_agrees_with_the_product(small_build, ref):
    out = small_build / f"{ref}.csv"
    subprocess.run([sys.executable, str(BENCH / ref), str(small_build / "raw"), "--out", str(out)], check=True)
    product = bench.product_values(small_build / "db.duckdb")
    ref_values = read_values(out)
    assert len(product) == 8 * 8 * 4  # six areas, the plan total, the municipality; 2018-2025; 4 criteria
    assert sum(v is not None for v in product.values()) > 200
    assert bench.compare_values(product, ref_values, ref) == []


def test_ingest_prototype_loads_what_the_product_loads(small_build):
    """The prototype's timing means something only if it does the same work: every row, the same
    pseudonyms (HMAC in SQL), nothing quarantined on the clean synthetic extract."""
    import json

    import duckdb

    out = subprocess.run([sys.executable, str(BENCH / "proto_duckdb_ingest.py"), str(small_build / "raw"),
                          "--db", str(small_build / "proto.duckdb")], check=True, capture_output=True, text=True)
    info = json.loads(out.stdout.strip().splitlines()[-1])
    con = duckdb.connect(str(small_build / "proto.duckdb"), read_only=True)
    con.execute(f"attach '{small_build / 'db.duckdb'}' as p (read_only)")
    loaded = con.execute("select sum(rows_loaded) from p.staging.load_log").fetchone()[0]
    assert info["rows_loaded"] == loaded and info["quarantine_rows"] == 0
    same = con.execute("""select count(*) from (select person_id, year from staging_population
                          intersect all select person_id, year from p.staging.population)""").fetchone()[0]
    assert same == con.execute("select count(*) from p.staging.population").fetchone()[0]
    assert con.execute("select sum(gross_income) from staging_income").fetchone()[0] == pytest.approx(
        con.execute("select sum(gross_income) from p.staging.income").fetchone()[0])


def test_link_farm_leaves_out_the_last_year_and_touches_nothing(tmp_path):
    raw = tmp_path / "raw"
    for rel in ("2020/befolkning.csv", "2021/befolkning.csv", "2021/ydelser.csv", "reference/x.csv",
                "SYNTHETIC.json"):
        (raw / rel).parent.mkdir(parents=True, exist_ok=True)
        (raw / rel).write_text(rel)
    assert bench.year_folders(raw) == ["2020", "2021"]
    farm = tmp_path / "farm"
    bench.link_farm(raw, farm, leave_out="2021")
    found = sorted(str(p.relative_to(farm)) for p in farm.rglob("*") if p.is_file())
    assert found == ["2020/befolkning.csv", "SYNTHETIC.json", "reference/x.csv"]
    # real folders (the ingest's rglob does not descend into linked folders), linked files
    assert (farm / "2020").is_dir() and not (farm / "2020").is_symlink()
    assert (farm / "2020" / "befolkning.csv").is_symlink()
    assert (farm / "2020" / "befolkning.csv").read_text() == "2020/befolkning.csv"
    assert sorted(str(p.relative_to(raw)) for p in raw.rglob("*") if p.is_file()) == [
        "2020/befolkning.csv", "2021/befolkning.csv", "2021/ydelser.csv", "SYNTHETIC.json", "reference/x.csv"]


def test_bench_synth_line_fit_and_file_comparison():
    spec = importlib.util.spec_from_file_location("bench_synth", BENCH / "bench_synth.py")
    bs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bs)
    a, b = bs.fit_line([1, 4, 10], [500, 800, 1400])  # exactly 400 + 100 per scale unit
    assert a == pytest.approx(400) and b == pytest.approx(100)
    meta = {"files": {"2016/befolkning.csv": "ab"}, "seed": 1, "scale": 1.0}
    assert bs.same_files(meta, dict(meta))
    assert not bs.same_files(meta, {**meta, "files": {"2016/befolkning.csv": "ac"}})
    assert not bs.same_files(meta, {**meta, "scale": 2.0})
