"""The report pages' parts: status in words, margins with their side, one figure per quantity."""

from __future__ import annotations

import polars as pl

from boligmonitor.site import report


def _row(**kw):
    base = {"list_year": 2025, "udsat": False, "parallelsamfund": False, "omdannelse": False,
            "forebyggelse": False, "eligible": True, "name_parallelsamfund": "parallelsamfund",
            "name_omdannelse": "omdannelsesområde", "years_udsat": 0, "years_parallelsamfund": 0,
            "years_omdannelse": 0, "years_forebyggelse": 0}
    base.update(kw)
    return base


def test_list_status_names_every_list_with_years_in_a_row():
    assert report.list_status(_row(udsat=True, years_udsat=3)) == "Udsat boligområde (3. år i træk)"
    assert report.list_status(_row(udsat=True, years_udsat=1)) == "Udsat boligområde (1. år)"
    both = report.list_status(_row(udsat=True, years_udsat=5, parallelsamfund=True, years_parallelsamfund=2))
    assert both == "Udsat boligområde (5. år i træk); parallelsamfund (2. år i træk)"
    assert report.list_status(_row(eligible=False)) == "Ikke på listerne (under 1.000 beboere)"
    assert report.list_status(_row()) == "Ikke på listerne"
    assert report.list_status(_row(udsat=None)) == ".."
    # before 2021 there was no forebyggelse list; before 2018 the list was the ghetto list
    assert report.list_status(_row(list_year=2019, forebyggelse=True, years_forebyggelse=1)) == "Ikke på listerne"
    ghetto = _row(list_year=2016, udsat=True, parallelsamfund=True, years_parallelsamfund=2,
                  name_parallelsamfund="ghettoområde")
    assert report.list_status(ghetto) == "Ghettoområde (2. år i træk)"


def test_status_table_has_five_columns():
    cls = pl.DataFrame([_row(area_id="gl_jennumparken", residents=1272.0, pct_nonwestern=45.1, n_criteria=2,
                             udsat=True, years_udsat=8)])
    lines = report.status_table(cls, 2025).splitlines()
    assert lines[0].count("|") == 6
    assert "| Gl. Jennumparken | 1.272 | 45,1 % | 2 | Udsat boligområde (8. år i træk) |" == lines[2]


def _criteria():
    rows = []
    for area, crit, met, margin in (("gl_jennumparken", "employment", True, 25),
                                    ("gl_jennumparken", "income", False, 65),
                                    ("vangdalen", "employment", True, None),
                                    ("vangdalen", "crime", False, 7)):
        rows.append({"area_id": area, "list_year": 2025, "threshold_set": "udsat", "criterion": crit,
                     "met": met, "margin_persons": margin})
    return pl.DataFrame(rows)


def test_margins_carry_their_side_and_a_hidden_margin_is_a_gap_not_zero():
    m = report.margin_frame(_criteria(), 2025)
    signed = dict(zip(zip(m["area_id"], m["criterion"]), m["signed"]))
    assert signed[("gl_jennumparken", "employment")] == 25.0
    assert signed[("gl_jennumparken", "income")] == -65.0
    assert signed[("vangdalen", "employment")] is None
    note = report.margin_gaps_note(_criteria(), 2025)
    assert "Vangdalen (uden for arb./udd.)" in note and "`..`" in note
    chart = report.margin_chart(_criteria(), 2025).to_dict()
    values = next(iter(chart["datasets"].values()))
    assert len(values) == 3 and all(v["signed"] != 0 for v in values)


def test_margin_wording_holds_for_income():
    assert report.fmt_margin(65, "fewer", criterion="income") == "65 indk. fra grænsen"
    assert "færre" not in report.fmt_margin(25, "fewer", criterion="employment")
    assert "mindre (når det ikke er)" in report.MARGIN_NOTE


def test_both_full_time_figures_are_named_with_their_difference():
    emp = pl.DataFrame({"area_id": ["helhedsplan"], "year": [2024], "category": ["total"],
                        "fulltime_persons": [1411.8]})
    ind = pl.DataFrame({"area_id": ["helhedsplan"], "year": [2024], "indicator_id": ["outside_labour_fte"],
                        "value": [1409.2117]})
    note = report.fulltime_note(emp, ind, 2024)
    assert "1.411,8" in note and "1.409,2" in note and "forskel 2,6" in note
    assert "hverdage" in note and "kalenderdage" in note
    assert report.fulltime_note(emp, ind.with_columns(pl.lit(None, pl.Float64).alias("value")), 2024) == ""


def test_a_hidden_value_is_a_gap_in_the_line_never_zero():
    import re

    from boligmonitor.site import charts

    df = pl.DataFrame({"area_id": ["vangdalen"] * 4, "year": [2020, 2021, 2022, 2023],
                       "residents": [900.0, None, 910.0, 920.0]})
    svg = charts.to_svg(charts.line_by_area(df, x="year", y="residents", y_title="Beboere"))
    path = re.search(r'class="mark-line role-mark[^"]*"[^>]*>\s*<path[^>]*\bd="([^"]+)"', svg).group(1)
    assert path.count("M") == 2  # two pieces: the line stops at the hidden year and starts again


def test_indicator_baselines_are_read_where_the_plan_names_the_area():
    row = {"baseline_area": "helhedsplan", "baseline_area_value": "91,4 % (4520 personer)",
           "baseline_kommune_value": "70,7 % (54.884 personer)", "baseline_year": "2019"}
    assert report.baseline_points(row) == {"helhedsplan": 91.4, "randers_kommune": 70.7}
    per_area = {"baseline_area": "gl_jennumparken / glarbjergvej / hermann_stillingsvej",
                "baseline_area_value": "329 / 331 / 296 (i alt 956)", "baseline_kommune_value": "85 % (landsnorm)",
                "baseline_year": "2020 (1. halvår 2019/20)"}
    assert report.baseline_points(per_area) == {"gl_jennumparken": 329.0, "glarbjergvej": 331.0,
                                                "hermann_stillingsvej": 296.0}
    assert report.baseline_year(per_area) == 2020


def test_every_published_scenario_is_shown_the_users_too():
    sc = pl.DataFrame({"scenario_id": ["mit_eget", "plan_targets", "uaendret", "aa_andet"]})
    assert report.scenario_ids(sc) == ["uaendret", "plan_targets", "aa_andet", "mit_eget"]


def test_scenario_distance_in_points_and_persons():
    crit = pl.DataFrame({"area_id": ["vangdalen"] * 2, "list_year": [2025, 2025], "threshold_set": ["udsat"] * 2,
                         "criterion": ["education", "crime"], "threshold": [60.0, 2.4], "comparator": [">", ">="],
                         "reference": [None, 0.8], "margin_points": [-0.5, -1.1], "margin_persons": [3, 10]})
    sc = pl.DataFrame({"scenario_id": ["mit"] * 2, "area_id": ["vangdalen"] * 2, "list_year": [2025, 2026],
                       "projected": [False, True], "pct_outside_labour": [42.7, 42.0], "pct_convicted": [1.3, 1.3],
                       "national_pct_convicted": [0.8, 0.9], "pct_basic_education": [59.5, 59.0],
                       "pct_income_of_region": [71.0, 71.0], "crit_employment": [True, True],
                       "crit_crime": [False, False], "crit_education": [False, False], "crit_income": [False, False],
                       "n_criteria": [1, 1], "udsat": [False, False]})
    f = report.scenario_frame(sc, crit, "mit")
    edu = f.filter((pl.col("criterion") == "education") & (pl.col("list_year") == 2026)).row(0, named=True)
    assert abs(edu["points"] + 1.0) < 1e-9 and abs(edu["persons"] - 6.0) < 1e-9  # 3 persons per 0.5 pp
    crime = f.filter((pl.col("criterion") == "crime") & (pl.col("list_year") == 2026)).row(0, named=True)
    assert abs(crime["threshold"] - 2.7) < 1e-9  # 3 x the scenario's own national share
    table = report.scenario_closest_table(f)
    assert "Kun grundskole (ikke opfyldt)" in table and "1,0 pct.-point" in table and "ca. 6 pers." in table
    assert "| Vangdalen | 1 | 1 |" in report.scenario_status_table(f)
