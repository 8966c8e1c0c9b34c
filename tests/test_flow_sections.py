"""The flow sections of the report: Danish tables from published flows (hidden cells shown as ..)."""

import polars as pl

from boligmonitor.site import charts, flow_sections


def _flows():
    rows = []
    vals = {"stayed": 1000, "in_monitored_area": 10, "in_rest_of_kommune": 60, "in_outside_kommune": 40,
            "in_born": 15, "out_monitored_area": None, "out_rest_of_kommune": 50, "out_outside_kommune": 80,
            "out_died": 12}
    for flow, persons in vals.items():
        direction = "stayed" if flow == "stayed" else flow.split("_")[0]
        rows.append({"area_id": "gl_jennumparken", "year": 2024, "flow": flow, "direction": direction,
                     "counterpart": None, "persons": persons, "suppressed": persons is None})
    return pl.DataFrame(rows)


def test_flow_table_sums_and_turnover_with_a_hidden_cell():
    md = flow_sections.flow_table(_flows(), 2024, ("gl_jennumparken",))
    tables = [ln for ln in md.splitlines() if ln.startswith("|")]
    head_in, row_in, head_out, row_out = tables[0], tables[2], tables[3], tables[5]
    assert "Blev boende" in head_in and "Tilflyttet i alt" in head_in
    assert "Fraflyttet i alt" in head_out and "Fraflytning (pct.)" in head_out
    cells = [c.strip() for c in row_in.strip("|").split("|")]
    assert cells == ["Gl. Jennumparken", "1.000", "10", "60", "40", "15", "125"]  # 10+60+40+15
    cells = [c.strip() for c in row_out.strip("|").split("|")]
    assert cells[:5] == ["Gl. Jennumparken", "..", "50", "80", "12"]
    assert cells[5] == ".."  # out total: one destination hidden, so the total is not shown either
    assert cells[-1] == ".."


def test_turnover_is_out_movers_without_deaths_over_residents_before():
    df = _flows().with_columns(pl.col("persons").fill_null(8))
    row = flow_sections._wide(df, 2024, ("gl_jennumparken",)).row(0, named=True)
    assert row["start"] == 1000 + 8 + 50 + 80 + 12
    assert abs(row["turnover"] - 100 * (8 + 50 + 80) / 1150) < 1e-9


def test_flow_chart_renders_offline():
    svg = charts.to_svg(flow_sections.flow_chart(_flows(), 2024, ("gl_jennumparken",)), "test")
    assert svg.startswith("<svg") and "Gl. Jennumparken" in svg


def test_decomposition_table_shows_parts_in_points_and_persons():
    parts = {"stayers": (-0.6, -10.0), "out_movers": (0.3, -40.0), "in_movers": (0.5, 35.0),
             "ageing": (None, None), "total": (0.2, -15.0)}
    rows = [{"area_id": "helhedsplan", "criterion": "employment", "level": "list_year", "from_year": 2023,
             "year": 2024, "value_from": 45.0, "value_to": 45.2, "part": k, "points": p, "persons": n}
            for k, (p, n) in parts.items()]
    md = flow_sections.decomposition_table(pl.DataFrame(rows), "helhedsplan", 2024)
    line = md.splitlines()[2]
    assert "45,0" in line and "45,2" in line and "0,2 (-15,0)" in line and "-0,6 (-10,0)" in line
    assert ".. (..)" in line  # the hidden ageing part


def test_destination_table_with_no_moves_between_areas_shows_zeros():
    moves = pl.DataFrame({"year": [], "from_location": [], "to_location": [], "persons": []},
                         schema={"year": pl.Utf8, "from_location": pl.Utf8, "to_location": pl.Utf8, "persons": pl.Utf8})
    md = flow_sections.destination_table(_flows(), moves, 2024)
    assert "| Gl. Jennumparken | ingen | 50 | 80 | 12 |" in md and "Resten af kommunen" in md


def test_destination_table_names_the_other_areas_and_keeps_a_hidden_move_hidden():
    moves = pl.DataFrame({"year": ["2024", "2024", "2024"], "from_location": ["gl_jennumparken"] * 3,
                          "to_location": ["vangdalen", "energivej", "glarbjergvej"], "persons": [7, None, 0]})
    md = flow_sections.destination_table(_flows(), moves, 2024)
    row = next(ln for ln in md.splitlines() if ln.startswith("| Gl. Jennumparken"))
    assert "Energivej-området: .." in row and "Vangdalen: 7" in row and "Glarbjergvej" not in row
