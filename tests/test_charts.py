"""Charts render offline to SVG with an accessible name."""

import polars as pl

from boligmonitor.site import charts


def test_line_chart_renders_to_svg_with_accessible_name_and_danish_numbers():
    df = pl.DataFrame({"area_id": ["vangdalen", "vangdalen"], "year": [2024, 2025], "residents": [1200, 1250]})
    svg = charts.to_svg(charts.line_by_area(df, x="year", y="residents", y_title="Beboere", threshold=1000,
                                            threshold_label="1.000 beboere"), "Beboere i Vangdalen")
    assert svg.startswith("<svg")
    assert 'role="img"' in svg and 'aria-label="Beboere i Vangdalen"' in svg
    assert "<title>Beboere i Vangdalen</title>" in svg
    assert "1.200" in svg  # Danish thousands separator on the axis
    assert "http" not in svg.replace("http://www.w3.org", "")  # nothing to fetch


def test_chart_colours_are_fixed_per_area():
    scale = charts.area_scale(["gl_jennumparken", "randers_kommune"])
    assert scale.range == [charts.AREA_COLOURS["gl_jennumparken"], charts.AREA_COLOURS["randers_kommune"]]
