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
