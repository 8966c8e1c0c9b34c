"""The indicator step on a small hand-made DuckDB database."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from boligmonitor import indicators
from boligmonitor.steps import BuildContext


@pytest.fixture()
def con(tmp_path):
    con = duckdb.connect()
    con.execute("create schema core; create schema staging; create schema geo")
    # five persons in Gl. Jennumparken 2019 (one household with a single mother), one outside the areas
    con.execute("""create table core.person_year as select * from (values
        ('p1', 2019, 35, false, 'h1', 'a|1|8930', 'gl_jennumparken'),
        ('p2', 2019, 8, true, 'h1', 'a|1|8930', 'gl_jennumparken'),
        ('p3', 2019, 50, true, 'h2', 'a|2|8930', 'gl_jennumparken'),
        ('p4', 2019, 25, false, 'h3', 'a|3|8930', 'gl_jennumparken'),
        ('p5', 2019, 70, false, 'h3', 'a|3|8930', 'gl_jennumparken'),
        ('p6', 2019, 40, false, 'h4', 'b|1|8900', null),
        ('p1', 2020, 36, false, 'h1', 'a|1|8930', 'gl_jennumparken'))
        t(person_id, year, age, nonwestern, household_id, address_key, area_id)""")
    con.execute("""create table staging.benefits as select * from (values
        ('p1', 2019, 'FPEN', date '2015-03-01', null, 100, false),
        ('p3', 2019, 'KTH', date '2019-01-01', date '2019-07-01', 100, false),
        ('p4', 2019, 'ADAG', date '2019-01-01', date '2019-12-31', 50, true),
        ('p6', 2019, 'SU', date '2019-01-01', null, 100, false))
        t(person_id, year, benefit, start_date, end_date, extent_pct, activated)""")
    con.execute("""create table staging.convictions as select * from (values
        ('p4', 2019, 'STRFL'), ('p4', 2019, 'FAERDSL'), ('p6', 2019, 'EUFL'))
        t(person_id, year, law)""")
    con.execute("""create table staging.education as select * from (values
        ('p1', 2019, '1010', 'REG', null), ('p3', 2019, null, null, null), ('p4', 2019, '3010', 'REG', '5010'),
        ('p5', 2019, '5010', 'REG', null), ('p6', 2019, '1010', 'REG', null))
        t(person_id, year, highest_education, education_source, ongoing_education)""")
    return con


def _ind(con, iid, area="gl_jennumparken", year=2019):
    r = con.execute("select numerator, denominator, value from metrics.indicators where indicator_id=? and area_id=? "
                    "and year=?", [iid, area, year]).fetchone()
    return r


def test_indicators_step(con):
    said = []
    ctx = BuildContext(raw_dir=None, db_path=None, published_dir=None, hmac_key=b"k", say=said.append)
    res = indicators.run(con, ctx)
    assert res.tables["metrics.indicators"] > 0 and any("saved" in m for m in said)
    assert _ind(con, "residents") == (5, None, 5)
    assert _ind(con, "residents", "randers_kommune") == (6, None, 6)
    assert _ind(con, "residents", "helhedsplan") == (5, None, 5)
    assert _ind(con, "under18_share")[2] == pytest.approx(20.0)
    assert _ind(con, "nonwestern_share")[2] == pytest.approx(40.0)
    assert _ind(con, "single_parent_children_share")[2] == pytest.approx(100.0)
    # 18-64: p1, p3, p4. FTE: p1 FPEN 1.0 (E), p3 KTH 182/365 (C), p4 ADAG activated 50 % (B)
    kth = (date(2019, 7, 1) - date(2019, 1, 1)).days + 1
    assert _ind(con, "fte_E")[0] == pytest.approx(1.0)
    assert _ind(con, "fte_C")[0] == pytest.approx(kth / 365)
    assert _ind(con, "fte_B")[0] == pytest.approx(0.5)
    assert _ind(con, "outside_labour_share")[2] == pytest.approx(100 * (1.0 + kth / 365 + 0.5) / 3)
    assert _ind(con, "fpen_share_18_64")[2] == pytest.approx(100 / 3)
    # decisions under the three laws only (traffic not counted): 1 per 5 residents
    assert _ind(con, "decisions_per_1000")[2] == pytest.approx(200.0)
    assert _ind(con, "decisions_per_1000", "randers_kommune")[2] == pytest.approx(2000 / 6)
    # 30-59: p1 (grundskole), p3 (unknown -> counts as grundskole)
    assert _ind(con, "basic_edu_30_59_share")[2] == pytest.approx(100.0)
    # 15-64 known grundskole and not in education: p1 only of p1, p3, p4
    assert _ind(con, "basic_edu_15_64_share")[2] == pytest.approx(100 / 3)
    # 18-29 youth education: p4 (level 30) -> 100 %
    assert _ind(con, "youth_edu_18_29_share")[2] == pytest.approx(100.0)


def test_category_sql_follows_the_criteria_settings():
    sql = indicators.employment_category_sql()
    assert "when benefit in ('FPEN') then 'E'" in sql
    assert "'ADAG'" in sql and "then 'A'" in sql


def test_group_type_holds_every_area_present_and_reads_back_as_text():
    from boligmonitor.areas import KOMMUNE_ID, PLAN_TOTAL_ID, group_type_sql
    c = duckdb.connect()
    c.execute("create schema core")
    c.execute("create table core.person_year as select * from (values ('vangdalen'), (null), ('o''brien_park')) "
              "t(area_id)")
    t = group_type_sql(c)
    got = c.execute(f"select v::{t} as g from (values ('vangdalen'), ('o''brien_park'), ('{PLAN_TOTAL_ID}'), "
                    f"('{KOMMUNE_ID}')) t(v)").fetchall()
    assert [r[0] for r in got] == ["vangdalen", "o'brien_park", PLAN_TOTAL_ID, KOMMUNE_ID]
    with pytest.raises(duckdb.Error):  # an id that is not present cannot slip in as something else
        c.execute(f"select 'glarbjergvej'::{t}").fetchall()


def test_small_register_indicators_from_one_join(con):
    """Job grants, job-ready months, decisions and the age-band shares (charged 15-29, day care 1-5,
    youth school 14-18) come from one join of the persons with the small registers."""
    con.execute("create table staging.job_grants as select * from (values ('p3', 2019), ('p3', 2019), ('p6', 2019)) "
                "t(person_id, year)")
    con.execute("create table staging.jobready as select * from (values ('p4', 2019, 1), ('p4', 2019, 2), "
                "('p4', 2019, 3), ('p1', 2020, 1)) t(person_id, year, month)")
    con.execute("create table staging.charges as select * from (values ('p4', 2019), ('p4', 2019), ('p6', 2019)) "
                "t(person_id, year)")
    con.execute("create table staging.youth_school as select * from (values ('p2', 2019)) t(person_id, year)")
    ctx = BuildContext(raw_dir=None, db_path=None, published_dir=None, hmac_key=b"k", say=lambda m: None)
    indicators.run(con, ctx)
    assert _ind(con, "job_grants") == (2, None, 2)  # two grants to p3 (p6 lives outside)
    assert _ind(con, "job_grants", "randers_kommune") == (3, None, 3)
    assert _ind(con, "jobready_fte") == (pytest.approx(0.25), None, pytest.approx(0.25))  # 3 months of p4
    assert _ind(con, "jobready_fte", year=2020)[0] == pytest.approx(1 / 12)
    assert _ind(con, "decisions_per_1000")[2] == pytest.approx(200.0)
    # 15-29 in the area: p4 only, charged (twice: one person) -> 100 %; kommune: p4 of p4 (p6 is 40)
    assert _ind(con, "charged_15_29_share") == (1, 1, pytest.approx(100.0))
    # 14-18: nobody in the area (p2 is 8): no row; day care: no register, no indicator
    assert _ind(con, "youth_school_14_18_share") is None
    assert con.execute("select count(*) from metrics.indicators where indicator_id = 'daycare_1_5_share'"
                       ).fetchall()[0][0] == 0
