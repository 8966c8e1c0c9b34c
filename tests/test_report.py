"""Report building blocks: Danish formats, tables and the computed status sentence."""

import polars as pl

from boligmonitor.site import report


def test_danish_number_formats():
    assert report.fmt_int(98064) == "98.064"
    assert report.fmt_num(1234.56, 1) == "1.234,6"
    assert report.fmt_pct(45.04) == "45,0 %"
    assert report.fmt_pct(None) == ".."
    assert report.fmt_margin(12, "fewer") == "12 pers. fra grænsen"
    assert report.fmt_margin(65, "fewer", criterion="income") == "65 indk. fra grænsen"
    assert report.fmt_margin(None, "more") == ".."


def test_markdown_table_formats_cells_and_marks_suppressed_numbers():
    df = pl.DataFrame({"område": ["a", "b"], "n": [1200, None]})
    md = report.md_table(df, {"område": "Område", "n": "Beboere"})
    lines = md.splitlines()
    assert lines[0] == "| Område | Beboere |"
    assert lines[1] == "| :-- | --: |"
    assert lines[2] == "| a | 1.200 |" and lines[3] == "| b | .. |"


def _classification():
    rows = []
    for area, udsat, eligible in (("gl_jennumparken", True, True), ("glarbjergvej", True, True),
                                  ("hermann_stillingsvej", False, True), ("energivej", False, False),
                                  ("vangdalen", False, False), ("sjaellandsgade", False, False)):
        rows.append({"area_id": area, "list_year": 2023, "udsat": udsat, "parallelsamfund": False,
                     "omdannelse": False, "forebyggelse": False, "eligible": eligible,
                     "name_parallelsamfund": "parallelsamfund", "name_omdannelse": "omdannelsesområde"})
    return pl.DataFrame(rows)


def test_status_sentence_is_computed_from_the_classification():
    text = report.status_summary(_classification(), 2023)
    assert "udsatte boligområder: Gl. Jennumparken og Glarbjergvej-området" in text
    assert "parallelsamfund: ingen" in text
    assert "Energivej-området, Vangdalen og Sjællandsgadekvarteret har under 1.000 beboere" in text
    assert report.latest_list_year(_classification()) == 2023
