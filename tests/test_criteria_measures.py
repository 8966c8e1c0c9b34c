"""The criteria step on a small synthetic register fixture built directly into DuckDB tables.

Expected values are computed here by hand from the fixture's definition, independently of the
SQL in ``boligmonitor.criteria.measures``.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import polars as pl
import pytest

from boligmonitor.criteria import compute, run
from boligmonitor.criteria.settings import CriteriaSettings, from_mapping
from boligmonitor.steps import BuildContext

YEARS = range(2016, 2021)  # data years; 2020 is the running year
GJ = "gl_jennumparken"


def weekday_fraction(a: date, b: date, year: int) -> float:
    wd = np.busday_count(a, np.datetime64(b) + 1)
    return wd / np.busday_count(date(year, 1, 1), date(year + 1, 1, 1))


def people():
    """(person_id, area_id, age, nonwestern) -- the same people every year (ages fixed)."""
    out = []
    for i in range(1200):  # Gl. Jennumparken: 1,100 adults 18-64 and 100 children
        age = 18 + i % 47 if i < 1100 else 10
        out.append((f"p{i}", GJ, age, i % 5 == 0))
    for i in range(2000, 2900):  # Energivej: 900 residents
        out.append((f"p{i}", "energivej", 40, False))
    for i in range(5000, 5500):  # elsewhere in Randers Kommune
        out.append((f"p{i}", None, 40, False))
    return out


def edu_code(i: int):
    """(highest_education, source) or None (no row: unknown)."""
    return {0: ("1010", "REG"), 1: ("7010", "SELV"), 2: ("5010", "REG"), 3: None}[i % 4]


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    cols = [r[0] for r in con.execute(f"describe {table}").fetchall()]
    df = pl.DataFrame(rows, schema=cols, orient="row", infer_schema_length=None)  # noqa: F841 (read by duckdb)
    con.execute(f"insert into {table} select * from df")


def build(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema core; create schema staging")
    con.execute(
        "create table core.person_year (person_id varchar, year integer, birth_date date, age integer, sex varchar, "
        "origin varchar, country_code integer, nonwestern boolean, household_id varchar, address_key varchar, "
        "area_id varchar, moved_in_date date)"
    )
    rows = [(pid, y, None, age, "M", "dansk", 5100, nw, "h", "k", area, None)
            for y in YEARS for pid, area, age, nw in people()]
    _insert(con, "core.person_year", rows)

    con.execute(
        "create table staging.benefits (year integer, person_id varchar, benefit varchar, start_date date, "
        "end_date date, extent_pct integer, activated boolean, match_group varchar)"
    )
    spells = []
    for y in YEARS:  # every spell appears in each year file it touches
        for i in range(500):
            spells.append((y, f"p{i}", "KTH", date(2015, 1, 1), None, 100, False, "2"))
        for i in range(500, 600):
            spells.append((y, f"p{i}", "FPEN", date(2014, 3, 1), None, 50, False, None))
        spells.append((y, "p601", "SU", date(2015, 8, 1), None, 100, False, None))
        spells.append((y, "p602", "KTH", date(2015, 1, 1), None, 100, True, "1"))
        spells.append((y, "p602", "FPEN", date(2015, 1, 1), None, 100, False, None))
    spells.append((2017, "p600", "SDP", date(2017, 1, 1), date(2017, 6, 30), 100, False, None))
    _insert(con, "staging.benefits", spells)

    con.execute("create table staging.education (year integer, person_id varchar, highest_education varchar, "
                "education_source varchar, ongoing_education varchar)")
    edu = []
    for y in YEARS:
        for i in range(1100):
            code = edu_code(i)
            if code:
                edu.append((y, f"p{i}", code[0], code[1], "5080" if i % 10 == 6 else None))
    _insert(con, "staging.education", edu)

    con.execute("create table staging.income (year integer, person_id varchar, gross_income double, taxable boolean)")
    inc = [(y, f"p{i}", 400_000.0 if i % 4 == 2 else 200_000.0, i != 7) for y in YEARS for i in range(1100)]
    _insert(con, "staging.income", inc)

    con.execute("create table staging.convictions (year integer, person_id varchar, decision_date date, "
                "offence_date date, law varchar, decision varchar)")
    conv = [(2017, f"p{i}", date(2017, 5, 1), date(2016, 12, 1), "STRFL", "BOEDE") for i in range(30)]
    conv += [(2017, "p30", date(2017, 5, 1), None, "STRFL", "FRIFUND"),
             (2017, "p31", date(2017, 5, 1), None, "FAERDSL", "BOEDE"),
             (2017, "p1150", date(2017, 5, 1), None, "STRFL", "BET")]
    conv += [(2018, f"p{i}", date(2018, 3, 1), date(2018, 1, 1), "VAABENL", "BET") for i in range(20)]
    _insert(con, "staging.convictions", conv)

    con.execute("create table staging.ref_national_crime (year integer, pct_convicted double, illustrative boolean, "
                "source_note varchar)")
    _insert(con, "staging.ref_national_crime", [(y, 0.7, True, "test") for y in YEARS])
    con.execute("create table staging.ref_region_income (year integer, mean_gross_income double, "
                "illustrative boolean, source_note varchar)")
    _insert(con, "staging.ref_region_income", [(y, 400_000.0, True, "test") for y in YEARS])


@pytest.fixture(scope="module")
def db():
    con = duckdb.connect(":memory:")
    build(con)
    yield con
    con.close()


@pytest.fixture(scope="module")
def result(db):
    return compute(db, CriteriaSettings())


def comp_value(result, group, component, year):
    _res, comp = result
    return comp.get(group, component, year)


def test_employment_full_time_persons(result):
    # 500 KTH + 100 x 0.5 FPEN + p602 (KTH and FPEN: capped at 1) + p600 half a year of SDP; SU does not count
    expected = 500 + 50 + 1 + weekday_fraction(date(2017, 1, 1), date(2017, 6, 30), 2017)
    num, den = comp_value(result, GJ, "employment", 2017)
    assert num == pytest.approx(expected, abs=1e-9)
    assert den == 1100
    num16, _ = comp_value(result, GJ, "employment", 2016)
    assert num16 == pytest.approx(551.0)


def test_crime_counts_only_the_three_laws_guilty_adults(result):
    assert comp_value(result, GJ, "crime", 2017) == (30.0, 1100.0)
    assert comp_value(result, GJ, "crime", 2018) == (20.0, 1100.0)


def test_education_rules_by_version(result):
    adults = [i for i in range(1100) if 30 <= 18 + i % 47 <= 59]
    basic_2018 = sum(1 for i in adults if i % 4 != 2)  # basic, self-reported foreign, unknown
    basic_2013 = sum(1 for i in adults if i % 4 in (0, 3))  # self-reported counts before 2018
    assert comp_value(result, GJ, "education_2018", 2019) == (basic_2018, len(adults))
    assert comp_value(result, GJ, "education_2013", 2017) == (basic_2013, len(adults))


def test_income_excludes_students_and_non_taxable(result):
    earners = [i for i in range(1100) if 15 <= 18 + i % 47 <= 64 and i != 7 and i % 10 != 6 and i != 601]
    total = sum(400_000.0 if i % 4 == 2 else 200_000.0 for i in earners)
    assert comp_value(result, GJ, "income", 2018) == (pytest.approx(total), len(earners))


def test_groups_include_plan_total_and_kommune(result):
    assert comp_value(result, "randers_kommune", "residents", 2018) == (2600.0, None)
    assert comp_value(result, "helhedsplan", "residents", 2018) == (2100.0, None)
    assert comp_value(result, GJ, "nonwestern", 2018) == (240.0, 1200.0)


def test_list_year_values_and_classification(result):
    res, _ = result
    c = res.classifications[(GJ, 2019)]
    assert c.rule_version == "2018"
    emp = c.criterion("employment")
    exp_2017 = 500 + 50 + 1 + weekday_fraction(date(2017, 1, 1), date(2017, 6, 30), 2017)
    assert emp.value == pytest.approx((exp_2017 / 1100 + 551 / 1100) / 2 * 100)
    crime = c.criterion("crime")
    assert crime.value == pytest.approx((30 / 1100 + 20 / 1100) / 2 * 100)
    assert crime.threshold == pytest.approx(2.1)
    assert crime.met is True and emp.met is True
    assert c.udsat is True and c.parallelsamfund is False and c.omdannelse is False
    assert res.classifications[("energivej", 2019)].udsat is False  # 900 residents
    # 2020's averages use 2018 and 2019; 2020 is the running year, never used for flows
    c20 = res.classifications[(GJ, 2020)]
    assert c20.criterion("crime").value == pytest.approx(20 / 1100 / 2 * 100)
    # the 2017 list would need employment for 2015: unknown, and so the ghetto status is unknown
    assert res.classifications[(GJ, 2017)].criterion("employment").met is None


def test_margins_in_persons(result):
    res, _ = result
    rows = {(r[0], r[1], r[3], r[4]): r for r in res.values}
    crime = rows[(GJ, 2019, "udsat", "crime")]
    # sustained over both years: 25 of 1,100 convicted on average vs threshold 2.1 % = 23.1 persons
    assert crime[17] == 2 and crime[18] == "fewer"  # 25 - 2 = 23 < 23.1 flips it
    edu = rows[(GJ, 2019, "udsat", "education")]
    assert edu[10] is True and edu[17] >= 1


def test_employment_categories(result):
    res, _ = result
    cats = {(g, y, c): v for g, y, c, _label, v in res.employment_categories}
    assert cats[(GJ, 2016, "C")] == pytest.approx(500.0)
    assert cats[(GJ, 2016, "E")] == pytest.approx(50.0 + 0.5)
    assert cats[(GJ, 2016, "B")] == pytest.approx(0.5)  # activated KTH shares p602's capped year with FPEN
    assert cats[(GJ, 2016, "total")] == pytest.approx(551.0)
    assert all(y <= 2019 for _g, y, _c in cats)


def test_settings_change_the_numbers(db):
    res, comp = compute(db, from_mapping({"conviction_date": "offence"}))
    assert comp.get(GJ, "crime", 2016) == (30.0, 1100.0)  # offences of 2016, decided in 2017


def test_run_writes_metrics_tables(db, tmp_path, monkeypatch):
    from boligmonitor.criteria import scenarios

    # The shipped scenarios only: the user's scenarios/ folder may hold anything (issue 15).
    (tmp_path / "scenarios").mkdir()
    monkeypatch.setattr(scenarios, "user_scenario_dir", lambda: tmp_path / "scenarios")
    msgs: list[str] = []
    ctx = BuildContext(raw_dir=None, db_path=None, published_dir=None, hmac_key=b"", say=msgs.append)
    out = run(db, ctx)
    assert not out.errors
    for t in ("criteria_values", "classification", "margins", "employment_categories", "forecast",
              "forecast_criteria", "scenarios", "criteria_components", "criteria_settings"):
        assert out.tables[f"metrics.{t}"] > 0, t
    n = db.execute("select count(*) from metrics.classification where area_id = ? and list_year between 2018 and 2020",
                   [GJ]).fetchall()[0][0]
    assert n == 3
    fc = db.execute("select list_year, status_forecast, change from metrics.forecast "
                    "where area_id = ? and category = 'udsat'", [GJ]).fetchall()[0]
    assert fc[0] == 2021
    sc = db.execute("select distinct scenario_id from metrics.scenarios order by 1").fetchall()
    assert [s[0] for s in sc] == ["example_moves", "plan_targets", "uaendret"]
    assert any("criteria: saved" in m for m in msgs)


def test_bad_setting_is_a_step_error(db):
    ctx = BuildContext(raw_dir=None, db_path=None, published_dir=None, hmac_key=b"", say=lambda m: None,
                       settings={"criteria": {"average_method": "median"}})
    out = run(db, ctx)
    assert out.errors and "average_method" in out.errors[0]


def test_income_and_education_have_one_row_per_person_year_by_declaration():
    """measures.py reads staging.income and staging.education without de-duplicating: that relies on
    each being a yearly register keyed by the person alone (ingest quarantines a second row)."""
    from boligmonitor.registers import register
    for name in ("indkomst", "uddannelse"):
        reg = register(name)
        assert reg.yearly and reg.key == ("pnr",), name
