"""The goal status as published (a small synthetic build, with an external-indicators file supplied):
maalstatus.csv and the new indikatorer.csv columns, complete, with reasons, and never revealing a value
that disclosure control hid."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from boligmonitor import goals
from boligmonitor.cli import main as cli

EXTERNAL = ("INDIKATOR;OMRAADE;AAR;VAERDI;TAELLER;NAEVNER;KILDE;NOTE\n"
            "S7;helhedsplan;2018;85,0;340;400;VIVE 2018 (test);\n"
            "S7;helhedsplan;2024;94,0;376;400;Beboerundersøgelse 2024 (test);\n"
            "S8;helhedsplan;2018;12;;;VIVE 2018 (test);uden antal\n")


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    d = tmp_path_factory.mktemp("goals")
    assert cli(["-q", "synth", "--out", str(d / "raw"), "--scale", "0.1"]) == 0
    (d / "raw" / "reference" / "eksterne_indikatorer.csv").write_text(EXTERNAL, encoding="utf-8")
    assert cli(["-q", "build", "--raw", str(d / "raw"), "--db", str(d / "bm.duckdb"),
                "--published", str(d / "pub")]) == 0
    return d


def _load(build, name):
    return pl.read_csv(build / "pub" / f"{name}.csv", infer_schema_length=None)


def test_every_goal_has_a_status_with_a_reason_for_every_year_after_its_baseline(build):
    st = _load(build, "maalstatus")
    ind = goals.prepare(_load(build, "indikatorer"))
    assert set(goals.STATUS_COLUMNS) <= set(st.columns)
    assert st["reason"].null_count() == 0 and (st["reason"].str.len_chars() > 10).all()
    assert set(st["status"].unique().to_list()) <= {*goals.STATUSES, goals.MONITOR}
    for rule in goals.load_rules():
        years = goals.rule_years(rule, ind)
        if rule.indicator_id == "volunteer_share":
            assert years == []  # only the baseline year supplied
            continue
        assert years, rule.goal_id
        for uid, _ in rule.units():
            got = st.filter((pl.col("goal_id") == rule.goal_id) & (pl.col("unit_id") == uid))["year"].to_list()
            assert got == years, (rule.goal_id, uid)
    s7 = st.filter(pl.col("goal_id") == "S7").row(0, named=True)
    assert (s7["year"], s7["status"], s7["value"]) == (2024, "opfyldt", 94.0)


def test_indicators_table_has_the_goal_columns(build):
    ind = _load(build, "indikatorer")
    for c in ("goal_id", "target", "status", "status_reason", "value_ci_low", "value_ci_high",
              "gap_kommune_pp", "gap_kommune_baseline_pp", "gap_narrowed"):
        assert c in ind.columns
    shares = ind.filter((pl.col("unit") == "pct") & pl.col("value").is_not_null()
                        & pl.col("denominator").is_not_null())
    assert (shares["value_ci_low"] <= shares["value"]).all() and (shares["value"] <= shares["value_ci_high"]).all()
    areas = shares.filter(pl.col("area_id") != "randers_kommune")
    assert areas["gap_kommune_pp"].null_count() < areas.height
    assert ind.filter(pl.col("indicator_id") == "safety_share").height == 2


def test_no_status_rests_on_a_hidden_value(build):
    """Every cell the published indikatorer hide: every goal status of a unit containing that area in that
    year (or with it as baseline) is "kan ikke måles" (or "følges"), and no value column carries it."""
    ind = _load(build, "indikatorer")
    st = _load(build, "maalstatus")
    con = duckdb.connect(str(build / "bm.duckdb"), read_only=True)
    truth = con.sql("select indicator_id, area_id, year, value from metrics.indicators").pl()
    hidden = ind.filter(pl.col("suppressed")).select("indicator_id", "area_id", "year")
    assert hidden.height > 0
    checked = 0
    rules = {r.goal_id: r for r in goals.load_rules()}
    for r in st.filter(pl.col("year").is_not_null()).iter_rows(named=True):
        rule = rules[r["goal_id"]]
        members = r["unit_id"].split("+")
        years = {r["year"], r["baseline_year"]}
        if rule.kind == "minimum":
            years |= set(range(rule.baseline_year + 1, r["year"] + 1))
        hit = hidden.filter(pl.col("indicator_id").map_elements(rule.matches, return_dtype=pl.Boolean)
                            & pl.col("area_id").is_in(members) & pl.col("year").is_in(list(years)))
        if rule.kind in ("level", "level_or_above"):
            hit = hit.vstack(hidden.filter(pl.col("indicator_id").map_elements(rule.matches, return_dtype=pl.Boolean)
                                           & (pl.col("area_id") == "randers_kommune") & (pl.col("year") == r["year"])))
        if hit.height and r["year"] in hit["year"].to_list() and rule.kind != "monitor":
            checked += 1
            assert r["status"] == "kan ikke måles", r
            assert "diskretioneringen" in r["reason"] or r["reason"].startswith("Der er ingen tal")
            assert r["value"] is None and r["value_ci_low"] is None
            for h in hit.iter_rows(named=True):
                v = truth.filter((pl.col("indicator_id") == h["indicator_id"]) & (pl.col("area_id") == h["area_id"])
                                 & (pl.col("year") == h["year"]))["value"]
                assert goals.fmt_value("pct", v[0]) not in r["reason"]
    assert checked > 0


def test_baseline_check_is_published(build):
    b = _load(build, "baselinekontrol")
    assert b.height == sum(len(r.units()) for r in goals.load_rules())
    ok = b.filter(pl.col("computed").is_not_null() & pl.col("plan").is_not_null())
    assert (ok["difference"] - (ok["computed"] - ok["plan"])).abs().max() < 1e-9


def test_an_inconsistent_external_row_stops_the_build_naming_file_line_and_column(build, tmp_path, capsys):
    import shutil

    raw = tmp_path / "raw"
    shutil.copytree(build / "raw", raw)
    (raw / "reference" / "eksterne_indikatorer.csv").write_text(
        EXTERNAL + "S8;helhedsplan;2024;13,0;60;50;Test;\n", encoding="utf-8")
    rc = cli(["-q", "build", "--raw", str(raw), "--db", str(tmp_path / "bm.duckdb"),
              "--published", str(tmp_path / "pub")])
    err = capsys.readouterr()
    assert rc != 0
    assert "eksterne_indikatorer.csv, line 5, column TAELLER" in err.out + err.err


@pytest.fixture
def site(build, monkeypatch):
    from boligmonitor.site import goal_sections

    monkeypatch.setattr(goal_sections.published, "load", lambda name: _load(build, name))
    return goal_sections


def test_annual_report_overview_has_one_row_per_goal_with_symbol_word_and_reason(site, build):
    st = _load(build, "maalstatus")
    out = site.goal_overview(2025)
    md = "\n".join(o.data for o in out if type(o).__name__ == "Markdown")
    rows = site.latest_status(st, 2024)
    goal_rows = rows.filter(pl.col("status") != goals.MONITOR)
    table = out[1].data.splitlines()
    assert len(table) == 2 + goal_rows.height
    for r in goal_rows.iter_rows(named=True):
        line = next(t for t in table if f"**{r['goal_id']}**" in t and f"<small>{r['unit_name']}</small>" in t)
        assert f"{goals.STATUS_SYMBOLS[r['status']]} {r['status']}</span>" in line  # reads without colour
        assert r["reason"].replace("|", "\\|") in line
    assert any(type(o).__name__ == "SVG" and "<title>" in o.data for o in out)  # the trend lines
    assert "Helhedsplanens mål (2024)" in md


def test_area_page_goals_front_page_counts_and_baseline_check(site, build):
    md = "\n".join(o.data for o in site.area_goals("glarbjergvej") if type(o).__name__ == "Markdown")
    assert "**B1g**" in md and "**B2g**" in md and "**U2**" in md and "**S5**" in md
    assert "ikke omfattet" in site.area_goals("sjaellandsgade")[0].data
    counts = site.front_page_counts()[0].data
    st = _load(build, "maalstatus")
    n = site.latest_status(st).height
    nums = [int(line.rsplit("|", 2)[1]) for line in counts.splitlines() if line.startswith("| <span")]
    assert sum(nums) == n
    base = site.baseline_section()[0].data
    assert base.count("\n| ") == _load(build, "baselinekontrol").height + 1
    assert "Målene som regler" in site.method_section()[1].data
