"""Issue 13, point 2: a metric built on incomplete input says so, in the published files, the goal
statuses and the site.

End to end on a small synthetic extract (scale 0.1) built twice: as synthesised (complete), and with
one register-year made incomplete (2021/ydelser.csv: 60 % of its rows get an impossible start date, so
they are quarantined) and one optional municipal file missing (2024/fravaer.csv, ``allow_missing``).
The helpers are those of ``test_issue13_cases.py``."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from test_issue13_cases import _break_rows

from boligmonitor import goals
from boligmonitor.cli import main as cli
from boligmonitor.pipeline import build
from boligmonitor.site import gaps, pages, published, report
from boligmonitor.site.downloads import COLUMNS_DA

YDELSER = "ydelser 2021 er ufuldstændig (60 % af rækkerne i karantæne"
FRAVAER = "fravaer 2024 mangler (2024/fravaer.csv blev udeladt ved kørslen)"


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    d = tmp_path_factory.mktemp("gaps")
    assert cli(["-q", "synth", "--out", str(d / "plain"), "--scale", "0.1"]) == 0
    shutil.copytree(d / "plain", d / "gap")
    _break_rows(d / "gap" / "2021" / "ydelser.csv", 2, 0.6, "??-??-????")
    (d / "gap" / "2024" / "fravaer.csv").unlink()
    build(d / "plain", d / "plain.duckdb", d / "plain.pub", say=lambda m: None)
    build(d / "gap", d / "gap.duckdb", d / "gap.pub", say=lambda m: None,
          settings={"ingest": {"allow_missing": ["fravaer"]}})
    return {"plain": d / "plain.pub", "gap": d / "gap.pub"}


def _load(pub: Path, name: str) -> pl.DataFrame:
    return pl.read_csv(pub / f"{name}.csv", infer_schema_length=None)


@pytest.fixture
def site(monkeypatch, builds):
    def use(which: str) -> None:
        monkeypatch.setenv("BOLIGMONITOR_PUBLISHED", str(builds[which]))
        published.clear_cache()
    yield use
    published.clear_cache()


def test_indicator_rows_that_cannot_be_measured_are_published_with_the_reason(builds):
    plain, gap = _load(builds["plain"], "indikatorer"), _load(builds["gap"], "indikatorer")
    keys = ["indicator_id", "area_id", "year"]
    # the same rows as the complete extract: nothing disappears
    assert gap.select(keys).sort(keys).equals(plain.select(keys).sort(keys))
    s5 = gap.filter((pl.col("indicator_id") == "outside_labour_share") & (pl.col("year") == 2021))
    assert s5.height == plain.filter((pl.col("indicator_id") == "outside_labour_share")
                                     & (pl.col("year") == 2021)).height > 0
    assert s5["value"].null_count() == s5["numerator"].null_count() == s5["denominator"].null_count() == s5.height
    assert not s5["suppressed"].any()  # not hidden by disclosure control: not measured
    assert all(r.startswith("kan ikke måles: " + YDELSER) and "2021/ydelser.csv" in r
               for r in s5["missing_reason"].to_list())
    u2 = gap.filter(pl.col("indicator_id").str.starts_with("absence") & (pl.col("year") == 2024))
    assert u2.height and set(u2["missing_reason"].to_list()) == {"kan ikke måles: " + FRAVAER}
    assert set(gap.filter(pl.col("missing_reason").is_not_null())["indicator_id"].unique().to_list()) >= {
        "outside_labour_share", "outside_labour_fte", "neet_15_29_share", "absence_h1_pct"}
    # every other row shows the complete extract's value (or is hidden: the disclosure pattern may
    # differ, the criteria of the affected list years publish other sums), and carries no reason
    both = (gap.filter(pl.col("missing_reason").is_null()).select(*keys, "value")
            .join(plain.select(*keys, "value"), on=keys, suffix="_plain")
            .filter(pl.col("value").is_not_null() & pl.col("value_plain").is_not_null()))
    assert both.height > 500 and both.filter((pl.col("value") - pl.col("value_plain")).abs() > 1e-9).height == 0
    assert "missing_reason" in COLUMNS_DA


def test_unknown_criteria_and_classifications_name_the_register_year(builds):
    crit = _load(builds["gap"], "kriterier")
    emp = crit.filter(pl.col("criterion") == "employment")
    for ly in (2022, 2023):
        rows = emp.filter(pl.col("list_year") == ly)
        assert rows.height and rows["met"].null_count() == rows.height
        assert all(YDELSER in r for r in rows["missing_reason"].to_list())
    assert emp.filter(pl.col("list_year") == 2024)["missing_reason"].null_count() == \
        emp.filter(pl.col("list_year") == 2024).height
    # a criterion unknown for want of earlier data (the first list years) has no register reason
    first = crit.filter(pl.col("list_year") == crit["list_year"].min())
    assert first["missing_years"].null_count() < first.height and first["missing_reason"].null_count() == first.height
    emp_cat = _load(builds["gap"], "beskaeftigelse")
    y21 = emp_cat.filter(pl.col("year") == 2021)
    assert y21.height and y21["fulltime_persons"].null_count() == y21.height
    assert all(YDELSER in r for r in y21["missing_reason"].to_list())
    assert emp_cat.filter(pl.col("year") == 2020)["missing_reason"].null_count() == \
        emp_cat.filter(pl.col("year") == 2020).height
    cls = _load(builds["gap"], "klassifikation")
    assert all(YDELSER in r for r in cls.filter(pl.col("list_year") == 2022)["missing_reason"].to_list())
    assert cls.filter(pl.col("list_year") == 2024)["missing_reason"].null_count() == \
        cls.filter(pl.col("list_year") == 2024).height


def test_goal_status_names_the_register_year(builds):
    st = _load(builds["gap"], "maalstatus")
    s5 = st.filter((pl.col("goal_id") == "S5") & (pl.col("year") == 2021))
    assert s5.height and set(s5["status"].to_list()) == {"kan ikke måles"}
    assert all("kan ikke måles: " + YDELSER in r for r in s5["reason"].to_list())
    u2 = st.filter(pl.col("goal_id").str.starts_with("U2") & (pl.col("year") == 2024))
    assert u2.height and all(s == "kan ikke måles" for s in u2["status"].to_list())
    assert all(FRAVAER in r for r in u2["reason"].to_list())
    # the annotated indicator row gives the same reason
    ind = _load(builds["gap"], "indikatorer")
    row = ind.filter((pl.col("indicator_id") == "outside_labour_share") & (pl.col("year") == 2021)
                     & (pl.col("area_id") == "helhedsplan"))
    assert row["status"][0] == "kan ikke måles" and YDELSER in row["status_reason"][0]


def test_the_site_shows_the_reasons(site):
    site("gap")
    crit, ind = published.load("kriterier"), published.load("indikatorer")
    md = gaps.affected_markdown(ind, crit)
    assert "Ydelser 2021 er ufuldstændig" in md and "Fravaer 2024 mangler" in md
    assert "S5 " in md and "U2 " in md and report.CRITERION_DA["employment"] in md and "2022, 2023" in md
    table = report.criteria_table(crit, 2022)
    assert "ukendt¹" in table and "¹ Kan ikke måles: " + YDELSER in table
    area = report.area_criteria_table(crit, "glarbjergvej")
    assert "ukendt¹" in area and YDELSER in area
    emp = report.employment_table(published.load("beskaeftigelse"), 2021, ["glarbjergvej", "helhedsplan"])
    assert "ukendte¹" in emp and YDELSER in emp
    ind_table = report.area_indicator_table(ind, "glarbjergvej")
    assert "ukendt" in ind_table and YDELSER in ind_table and FRAVAER in ind_table
    text = " ".join(o.data for o in pages.annual_report(2022) if isinstance(getattr(o, "data", None), str))
    assert YDELSER in text


def test_a_complete_extract_shows_nothing_of_this(builds, site):
    for name in ("indikatorer", "kriterier", "klassifikation", "beskaeftigelse"):
        df = _load(builds["plain"], name)
        assert df["missing_reason"].null_count() == df.height, name
    st = _load(builds["plain"], "maalstatus")
    assert not st["reason"].str.contains("ufuldstændig|udeladt ved kørslen").any()
    site("plain")
    crit, ind = published.load("kriterier"), published.load("indikatorer")
    md = gaps.affected_markdown(ind, crit)
    assert "kan ikke måles" not in md.lower() and md.startswith("Alle kriterier og indikatorer")
    for text in (report.criteria_table(crit, 2022), report.area_criteria_table(crit, "glarbjergvej"),
                 report.area_indicator_table(ind, "glarbjergvej"),
                 report.status_table(published.load("klassifikation"), 2022)):
        assert "ukendt" not in text and "¹" not in text


# --- units (no build) -------------------------------------------------------------------------------

def test_footnotes_number_distinct_reasons_once():
    f = gaps.Footnotes()
    assert f.cell(None) == "ukendt" and f.note() == ""
    assert f.cell("kan ikke måles: a 2021 mangler") == "ukendt¹"
    assert f.cell("kan ikke måles: b 2020 mangler; kan ikke måles: a 2021 mangler") == "ukendt²¹"
    assert f.note() == "\n\n¹ Kan ikke måles: a 2021 mangler.<br>\n² Kan ikke måles: b 2020 mangler."


def test_observe_prefers_the_gap_reason_over_hidden():
    rows = pl.DataFrame({"indicator_id": ["x"] * 2, "area_id": ["a", "b"], "year": [2021, 2021], "unit": ["pct"] * 2,
                         "numerator": [None, 5.0], "denominator": [None, 50.0], "value": [None, 10.0],
                         "suppressed": [False, False],
                         "missing_reason": ["kan ikke måles: ydelser 2021 er ufuldstændig (x)", None]})
    o = goals.observe(rows, "x", ("a", "b"), 2021)
    assert not o.usable and not o.hidden and o.missing_reason.startswith("kan ikke måles: ydelser 2021")
    assert "ydelser 2021 er ufuldstændig" in goals._why_missing(o, "A og B", 2021)
    assert goals.observe(rows, "x", ("b",), 2021).usable
