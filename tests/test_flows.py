"""Resident flows, their profiles and the decomposition of the criteria's change on a hand-made
population of 27 persons over three years (2019-2021), where every flow and every part is known by
construction (the expected numbers are worked out by hand in the comments, not by the module).

Areas: A = Gl. Jennumparken, B = Glarbjergvej-området (both plan areas), rest of Randers Kommune.

    p1-p10   A all years, 40/41/42 years; p1-p5 have a Danish further education (the others none:
             basic school / unknown); convicted: p1 2019, p2 2020 and 2021, p3 2021
    p11      A all years, 17/18/19 years (ages into 18+), convicted 2020
    p13      A all years, 59/60/61 years (ages out of 30-59)
    p14      A 2019 -> rest 2020, 2021 (30 years), convicted 2019
    p15      A 2019 -> B 2020, 2021 (between two monitored areas), non-Western
    p16      A 2019 -> gone 2020 -> A 2021 (moves out and back), convicted 2019
    p17      A 2019, dies 1 June 2019 (death register)
    p18      A 2019 -> gone (emigrates)
    p19      rest 2019 -> A 2020, 2021 (30 years), convicted 2020
    p20      gone 2019 -> A 2020, 2021 (25 years, non-Western; single parent of p21 in 2021)
    p21      born 1 March 2020 in A (first seen 1 January 2021)
    p22      B 2019, 2020 -> A 2021 (45 years)
    p23-p26  rest all years
    p27      born 1 May 2019 in B
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from boligmonitor import flows
from boligmonitor.criteria import compute as criteria_compute
from boligmonitor.criteria.settings import from_mapping
from boligmonitor.disclosure import SuppressionLog
from boligmonitor.steps import BuildContext

A, B = "gl_jennumparken", "glarbjergvej"
SETTINGS = from_mapping({"current_year_flows": "use"})  # 2021 is complete in this fixture


def _places() -> dict[str, tuple]:
    """person -> (place 2019, 2020, 2021) with None = not in the municipality; and ages."""
    pl_ = {f"p{i}": (A, A, A) for i in range(1, 11)}
    pl_.update({
        "p11": (A, A, A), "p13": (A, A, A), "p14": (A, None, None), "p15": (A, B, B),
        "p16": (A, "gone", A), "p17": (A, "gone", "gone"), "p18": (A, "gone", "gone"),
        "p19": (None, A, A), "p20": ("gone", A, A), "p21": ("gone", "gone", A), "p22": (B, B, A),
        "p23": (None, None, None), "p24": (None, None, None), "p25": (None, None, None),
        "p26": (None, None, None), "p27": ("gone", B, B),
    })
    return pl_


AGES = {**{f"p{i}": 40 for i in range(1, 11)}, "p11": 17, "p13": 59, "p14": 30, "p15": 30, "p16": 30,
        "p17": 30, "p18": 30, "p19": 30, "p20": 25, "p21": -1, "p22": 45, "p23": 50, "p24": 50, "p25": 50,
        "p26": 50, "p27": 0}
BIRTH = {"p21": date(2020, 3, 1), "p27": date(2019, 5, 1)}
NONWESTERN = {"p15", "p20"}
CONVICTED = {("p1", 2019), ("p2", 2020), ("p2", 2021), ("p3", 2021), ("p11", 2020), ("p14", 2019),
             ("p16", 2019), ("p19", 2020)}


def _household(pid: str, year: int) -> str:
    if pid in ("p20", "p21"):
        return "h20"
    if pid in ("p1", "p2"):
        return "h1"
    return f"h{pid}"


def build(con: duckdb.DuckDBPyConnection, deaths: bool = True) -> None:
    con.execute("create schema core; create schema staging")
    con.execute(
        "create table core.person_year (person_id varchar, year integer, birth_date date, age integer, sex varchar, "
        "origin varchar, country_code integer, nonwestern boolean, household_id varchar, address_key varchar, "
        "area_id varchar, moved_in_date date)")
    rows = []
    for pid, places in _places().items():
        for k, year in enumerate((2019, 2020, 2021)):
            place = places[k]
            if place == "gone":
                continue
            age = AGES[pid] + k if pid not in BIRTH else year - BIRTH[pid].year - 1
            birth = BIRTH.get(pid, date(1980, 1, 1))
            nw = pid in NONWESTERN
            rows.append((pid, year, birth, age, "M", "indvandrer" if nw else "dansk", 5475 if nw else 5100, nw,
                         _household(pid, year), f"k{pid}", place, None))
    df = pl.DataFrame(rows, schema=["person_id", "year", "birth_date", "age", "sex", "origin", "country_code",
                                    "nonwestern", "household_id", "address_key", "area_id", "moved_in_date"],
                      orient="row")
    con.register("_people", df)
    con.execute("insert into core.person_year select * from _people")
    con.unregister("_people")
    con.execute("create table staging.convictions (person_id varchar, year integer, decision_date date, "
                "offence_date date, law varchar, decision varchar)")
    for pid, y in CONVICTED:
        con.execute("insert into staging.convictions values (?, ?, ?, ?, 'STRFL', 'BET')",
                    [pid, y, date(y, 6, 1), date(y, 5, 1)])
    con.execute("create table staging.education (person_id varchar, year integer, highest_education varchar, "
                "education_source varchar, ongoing_education varchar)")
    for i in range(1, 6):
        for y in (2019, 2020, 2021):
            con.execute("insert into staging.education values (?, ?, '5010', 'REG', NULL)", [f"p{i}", y])
    if deaths:
        con.execute("create table staging.deaths (person_id varchar, year integer, death_date date)")
        con.execute("insert into staging.deaths values ('p17', 2019, DATE '2019-06-01')")


@pytest.fixture(scope="module")
def db():
    con = duckdb.connect()
    build(con)
    yield con
    con.close()


@pytest.fixture(scope="module")
def out(db):
    return flows.compute(db, SETTINGS)


def _flows(out) -> pl.DataFrame:
    return pl.DataFrame(out["flows"], schema=list(flows.FLOW_COLUMNS), orient="row")


def _get(out, area, year) -> dict[str, int]:
    f = _flows(out).filter((pl.col("area_id") == area) & (pl.col("year") == year))
    return dict(zip(f["flow"], f["persons"]))


def test_flows_of_an_area_are_known_by_construction(out):
    assert _get(out, A, 2020) == {
        "stayed": 12, "in_monitored_area": 0, "in_rest_of_kommune": 1, "in_outside_kommune": 1, "in_born": 0,
        "out_monitored_area": 1, "out_rest_of_kommune": 1, "out_outside_kommune": 2, "out_died": 1}
    # p16 comes back from outside, p21 is born, p22 comes from Glarbjergvej
    assert _get(out, A, 2021) == {
        "stayed": 14, "in_monitored_area": 1, "in_rest_of_kommune": 0, "in_outside_kommune": 1, "in_born": 1,
        "out_monitored_area": 0, "out_rest_of_kommune": 0, "out_outside_kommune": 0, "out_died": 0}
    b = _get(out, B, 2020)
    assert b["in_monitored_area"] == 1 and b["in_born"] == 1 and b["stayed"] == 1  # p15, p27, p22
    assert _get(out, B, 2021)["out_monitored_area"] == 1  # p22 to A


def test_stayed_plus_in_and_out_add_up_to_the_residents(out):
    f = _flows(out)
    for (area, year), part in f.group_by(["area_id", "year"]):
        stayed = part.filter(pl.col("direction") == "stayed")["persons"].sum()
        ins = part.filter(pl.col("direction") == "in")["persons"].sum()
        outs = part.filter(pl.col("direction") == "out")["persons"].sum()
        assert stayed + ins == part["residents_end"][0], (area, year)
        assert stayed + outs == part["residents_start"][0], (area, year)
    assert _get(out, A, 2020)["stayed"] + 2 == 14 and f.filter(
        (pl.col("area_id") == A) & (pl.col("year") == 2020))["residents_start"][0] == 17


def test_move_between_plan_areas_is_a_stay_for_the_plan_total_and_the_municipality(out):
    h = _get(out, "helhedsplan", 2020)
    assert h["in_monitored_area"] == 0 and h["out_monitored_area"] == 0  # p15 A -> B stays in the plan areas
    assert h["stayed"] == 12 + 1 + 1  # A's stayers, p15, p22 (B both years)
    assert h["in_born"] == 1 and h["in_rest_of_kommune"] == 1 and h["out_rest_of_kommune"] == 1
    k = _get(out, "randers_kommune", 2020)
    # p14 (A -> rest), p19 (rest -> A) and p15 stay in the municipality
    assert k["in_rest_of_kommune"] == k["out_rest_of_kommune"] == k["in_monitored_area"] == 0
    assert k["out_died"] == 1 and k["out_outside_kommune"] == 2 and k["in_outside_kommune"] == 1
    assert k["in_born"] == 1 and k["stayed"] == 14 + 1 + 4 + 1  # A's 17 less 3 who left, p19, rest, p22


def test_the_matrix_has_the_move_between_areas_and_back(out):
    m = {(y, f, t): n for y, f, t, n in out["matrix"]}
    assert m[(2020, A, B)] == 1 and m[(2021, B, A)] == 1
    assert m[(2020, A, "outside_kommune")] == 2 and m[(2021, "outside_kommune", A)] == 1  # p16 and p18; p16 back
    assert m[(2020, A, "died")] == 1 and m[(2021, "born", A)] == 1


def test_without_the_death_register_deaths_and_moves_out_of_the_municipality_are_one_flow():
    con = duckdb.connect()
    build(con, deaths=False)
    out = flows.compute(con, SETTINGS)
    g = _get(out, A, 2020)
    assert "out_died" not in g and g["out_outside_or_died"] == 3
    assert out["deaths_known"] is False


def _dec(out) -> pl.DataFrame:
    return pl.DataFrame(out["decomposition"], schema=list(flows.DECOMP_COLUMNS), orient="row")


def _parts(out, criterion, level, year, area=A) -> dict[str, tuple]:
    d = _dec(out).filter((pl.col("area_id") == area) & (pl.col("criterion") == criterion)
                         & (pl.col("level") == level) & (pl.col("year") == year))
    return {r["part"]: (r["points"], r["persons"], r["base_persons"]) for r in d.iter_rows(named=True)}


def test_crime_decomposition_in_persons_is_known_by_construction(out):
    # base 18+ in A: 2019 16 persons, 3 convicted (p1, p14, p16); 2020 14 persons, 3 convicted (p2, p11, p19)
    p = _parts(out, "crime", "data_year", 2020)
    assert p["stayers"][1:] == (0.0, 0.0)  # p1 stops, p2 starts
    assert p["out_movers"][1:] == (-2.0, -5.0)  # p14, p16 convicted among p14-p18
    assert p["in_movers"][1:] == (1.0, 2.0)  # p19 convicted, p20 not
    assert p["ageing"][1:] == (1.0, 1.0)  # p11 turns 18, convicted
    assert p["total"][0] == pytest.approx(100 * (3 / 14 - 3 / 16))
    assert sum(p[k][0] for k in flows.PARTS) == pytest.approx(p["total"][0], abs=1e-12)
    # 2020 -> 2021: p3 starts, p11 and p19 stop; p16 and p22 move in (not convicted)
    q = _parts(out, "crime", "data_year", 2021)
    assert q["stayers"][1:] == (-1.0, 0.0) and q["in_movers"][1:] == (0.0, 2.0)
    assert q["out_movers"][1:] == (0.0, 0.0) and q["ageing"][1:] == (0.0, 0.0)
    assert q["out_movers"][0] == 0 and q["ageing"][0] == 0  # a factor that changes nothing gets no points


def test_two_year_average_changes_by_the_mean_of_the_yearly_parts(out):
    p = _parts(out, "crime", "list_year", 2022)
    before = (100 * 3 / 16 + 100 * 3 / 14) / 2  # list 2021: data years 2019, 2020
    after = (100 * 3 / 14 + 100 * 2 / 16) / 2  # list 2022: data years 2020, 2021
    assert p["total"][0] == pytest.approx(after - before)
    assert {k: v[1] for k, v in p.items() if k != "total"} == {
        "stayers": -0.5, "out_movers": -1.0, "in_movers": 0.5, "ageing": 0.5}
    y20, y21 = _parts(out, "crime", "data_year", 2020), _parts(out, "crime", "data_year", 2021)
    for k in flows.PARTS:
        assert p[k][0] == pytest.approx((y20[k][0] + y21[k][0]) / 2)


def test_decomposition_ends_are_the_criteria_engine_values(db, out):
    res, _comp = criteria_compute(db, SETTINGS)
    crit = {(r[0], r[1], r[4]): r[5] for r in res.values if r[3] == "udsat"}  # area, list year, criterion
    d = _dec(out).filter((pl.col("part") == "total") & (pl.col("level") == "list_year"))
    checked = 0
    for r in d.iter_rows(named=True):
        v = crit.get((r["area_id"], r["year"], r["criterion"]))
        if v is not None:
            assert r["value_to"] == pytest.approx(v, abs=1e-9), r
            checked += 1
    assert checked >= 3


def test_education_ageing_out_and_movers(out):
    # 30-59 in A: 2019 16 (p1-p10, p13, p14-p18), 11 basic/unknown (not p1-p5); 2020 11 (p1-p10, p19), 6 basic
    p = _parts(out, "education", "data_year", 2020)
    assert p["stayers"][1:] == (0.0, 0.0)
    assert p["out_movers"][1:] == (-5.0, -5.0)
    assert p["in_movers"][1:] == (1.0, 1.0)
    assert p["ageing"][1:] == (-1.0, -1.0)  # p13 turns 60
    assert p["total"][0] == pytest.approx(100 * (6 / 11 - 11 / 16))


def test_nonwestern_change_comes_from_movers_only(out):
    p = _parts(out, "nonwestern", "data_year", 2020)
    assert p["stayers"] == (0.0, 0.0, 0.0) and p["ageing"] == (0.0, 0.0, 0.0)
    assert p["out_movers"][1] == -1 and p["in_movers"][1] == 1  # p15 out, p20 in
    assert p["out_movers"][0] + p["in_movers"][0] == pytest.approx(100 * (1 / 14 - 1 / 17))


def test_shapley_parts_of_a_hand_example():
    # 1 of 4 (25 %); x: one more in the numerator; y: four more in the base.
    # f(0)=25, f(x)=50, f(y)=12.5, f(xy)=25: x = ((50-25) + (25-12.5))/2, y = ((12.5-25) + (25-50))/2
    parts = flows.shapley_parts(1, 4, {"x": (1, 0), "y": (0, 4)})
    assert parts == pytest.approx({"x": 18.75, "y": -18.75})
    # income-like: mean 100 -> 110 with the reference 200 -> 220: the level stays at 50 %
    parts = flows.shapley_parts(1000, 10, {"x": (100, 0)}, 100.0, (200.0, 220.0))
    assert sum(parts.values()) == pytest.approx(0.0) and parts["x"] > 0 > parts["reference"]
    assert flows.shapley_parts(0, 0, {"x": (1, 1)}) is None  # empty base at the start


def _profile(out, area, year, group, measure):
    p = pl.DataFrame(out["profiles"], schema=list(flows.PROFILE_COLUMNS), orient="row")
    r = p.filter((pl.col("area_id") == area) & (pl.col("year") == year) & (pl.col("flow_group") == group)
                 & (pl.col("measure") == measure))
    return r.row(0, named=True)


def test_profiles_of_in_and_out_movers(out):
    # in 2020: p19 (convicted 2020) and p20 (non-Western); out (not died): p14, p15, p16, p18
    assert _profile(out, A, 2020, "moved_in", "crime")["value"] == pytest.approx(50.0)
    assert _profile(out, A, 2020, "moved_in", "nonwestern")["value"] == pytest.approx(50.0)
    assert _profile(out, A, 2020, "moved_out", "crime")["value"] == pytest.approx(50.0)  # p14, p16 in 2019
    assert _profile(out, A, 2020, "moved_out", "nonwestern")["value"] == pytest.approx(25.0)
    assert _profile(out, A, 2020, "moved_in_kommune", "crime")["denominator"] == 1  # p19
    assert _profile(out, A, 2020, "moved_out_outside", "age_30_49")["numerator"] == 2  # p16, p18
    # household types on the day of measurement: p20 with newborn p21 is a single parent in 2021
    assert _profile(out, A, 2021, "stayed", "hh_single_parent")["numerator"] == 1
    assert _profile(out, A, 2021, "residents", "hh_single_parent")["numerator"] == 2  # p20 and p21
    assert _profile(out, A, 2021, "moved_in", "hh_single")["value"] == pytest.approx(100.0)  # p16, p22
    # the municipality's residents for comparison
    assert _profile(out, "randers_kommune", 2021, "residents", "nonwestern")["denominator"] == 24


def test_run_saves_the_tables_and_publishing_protects_small_numbers(db, tmp_path):
    ctx = BuildContext(raw_dir=tmp_path, db_path=tmp_path / "x", published_dir=tmp_path, hmac_key=b"k",
                       say=lambda m: None, settings={"criteria": {"current_year_flows": "use"}})
    from boligmonitor import criteria

    assert not criteria.run(db, ctx).errors  # the criteria's tables: the decomposition's ends are checked
    res = flows.run(db, ctx)
    assert not res.errors and res.tables["metrics.flows"] > 0
    # publishing: flows, profiles and decomposition with the tables their relations reach, together
    from boligmonitor import publish
    from boligmonitor.disclosure import protect_tables

    names = ("befolkning", "kriterier", "flytninger", "flytninger_profiler", "kriterier_dekomponering")
    tables = {t.name: t for t in publish.TABLES if t.name in names}
    frames = {n: t.build(db, SuppressionLog()) for n, t in tables.items()}
    res = protect_tables(frames, {n: t.protection for n, t in tables.items()}, min_n=5)
    assert res.intervals and all(iv.protected for iv in res.intervals)
    pub = res.frames["flytninger"]
    assert pub.filter(pl.col("persons").is_between(1, 4)).height == 0 and pub["suppressed"].any()
    prof = res.frames["flytninger_profiler"]
    assert set(prof["area_id"].unique()) == set(flows.PUBLISHED_FLOW_GROUPS)
    assert set(prof["flow_group"].unique()) == set(flows.PUBLISHED_PROFILE_GROUPS)
    assert not {"_crit_num", "_crit_den", "_crit_year"} & set(prof.columns)
    # the plan areas' in-movers of 2020 are p19 and p20: numerators 0-2, all hidden or zero
    assert prof.filter(pl.col("numerator").is_between(1, 4)).height == 0
    assert prof.filter(pl.col("denominator").is_between(1, 4)).height == 0
    dec = res.frames["kriterier_dekomponering"]
    assert set(dec["level"].unique()) == {"list_year"} and "base_persons" not in dec.columns
    # a part's change under 5 persons is hidden; the total is the change of the criterion's numerator
    # between two lists, a difference of two published counts (not hidden for being small)
    parts = dec.filter(pl.col("part") != "total")
    assert parts.filter(pl.col("persons").abs().is_between(1e-9, 5, closed="left")).height == 0
    for _k, part in dec.group_by(["area_id", "criterion", "year"]):
        assert part.filter(pl.col("part") != "total")["points"].null_count() != 1
    logged = set(res.log.frame()["table"].unique())
    assert {"flytninger_profiler", "kriterier_dekomponering"} <= logged


@pytest.mark.parametrize("overrides", [{"average_method": "pooled"}, {"employment_population_date": "end"},
                                       {"education_unknown_as_basic": False}])
def test_other_settings_still_add_up_to_the_criteria_engine(db, overrides):
    settings = from_mapping({"current_year_flows": "use", **overrides})
    out = flows.compute(db, settings)
    res, _comp = criteria_compute(db, settings)
    crit = {(r[0], r[1], r[4]): r[5] for r in res.values if r[3] == "udsat"}
    d = _dec(out)
    tot = d.filter(pl.col("part") == "total")
    checked = 0
    for r in tot.iter_rows(named=True):
        parts = d.filter((pl.col("area_id") == r["area_id"]) & (pl.col("criterion") == r["criterion"])
                         & (pl.col("level") == r["level"]) & (pl.col("year") == r["year"])
                         & (pl.col("part") != "total"))
        assert parts["points"].sum() == pytest.approx(r["points"], abs=1e-9)
        v = crit.get((r["area_id"], r["year"], r["criterion"]))
        if r["level"] == "list_year" and v is not None:
            assert r["value_to"] == pytest.approx(v, abs=1e-9), (overrides, r)
            checked += 1
    assert checked >= 3


def test_a_year_without_its_death_file_counts_deaths_and_moves_out_together():
    """The death file of 2019 is missing (the load log has 2020 only): the 2019 deaths cannot be told
    from moves out of the municipality, so flow year 2020 has one flow for both; 2021 is split."""
    con = duckdb.connect()
    build(con)
    con.execute("create table staging.load_log (source_file varchar, register varchar, year integer, "
                "rows_loaded integer)")
    con.execute("insert into staging.load_log values ('2020/doedsfald.csv', 'doedsfald', 2020, 0), "
                "('2019/befolkning.csv', 'befolkning', 2019, 20)")
    assert flows.death_years(con) == {2020}
    out = flows.compute(con, SETTINGS)
    g20, g21 = _get(out, A, 2020), _get(out, A, 2021)
    assert g20["out_outside_or_died"] == 3 and "out_died" not in g20
    assert g21["out_died"] == 0 and "out_outside_or_died" not in g21
    ctx = BuildContext(raw_dir=Path("."), db_path=Path("x"), published_dir=Path("."), hmac_key=b"k",
                       say=lambda m: None, settings={"criteria": {"current_year_flows": "use"}})
    res = flows.run(con, ctx)
    assert any("lacks the year(s) before 2020" in m for m in res.messages)
