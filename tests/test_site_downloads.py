"""Downloads that open right in a Danish Excel, next to the machine-readable CSV (site.downloads)."""

from __future__ import annotations

import polars as pl
import pytest

from boligmonitor.errors import BoligmonitorError
from boligmonitor.site import downloads


def _published(tmp_path):
    d = tmp_path / "published"
    d.mkdir()
    pl.DataFrame({"area_id": ["vangdalen", "energivej"], "year": [2024, 2024], "residents": [895.0, None],
                  "pct_nonwestern": [33.512345, 20.5], "suppressed": [False, True],
                  "missing_years": ["2014,2015", None]}).write_csv(d / "befolkning.csv")
    return d


def test_excel_variant_is_danish_and_rounded(tmp_path):
    d = _published(tmp_path)
    before = (d / "befolkning.csv").read_bytes()
    written = downloads.write_excel_variants(d)
    assert {p.name for p in written} == {"befolkning.csv", "befolkning-dataordbog.csv"}
    assert (d / "befolkning.csv").read_bytes() == before  # the machine-readable file is untouched
    raw = (d / "excel" / "befolkning.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark, as Excel needs
    text = raw.decode("utf-8-sig").splitlines()
    assert text[0] == "Område-id;År;Beboere;Ikke-vestlige (pct.);Skjult (diskretionering);Manglende år"
    assert text[1] == "vangdalen;2024;895;33,51;nej;2014, 2015"
    assert text[2] == "energivej;2024;;20,5;ja;"  # a hidden cell is empty, never 0
    back = pl.read_csv(d / "excel" / "befolkning.csv", separator=";", decimal_comma=True)
    assert back["Ikke-vestlige (pct.)"].to_list() == [33.51, 20.5]
    dic = (d / "excel" / "befolkning-dataordbog.csv").read_text(encoding="utf-8-sig").splitlines()
    assert dic[0] == "Kolonne (Excel);Kolonne (maskinlæsbar);Betydning" and len(dic) == 7
    assert downloads.excel_variants_current(d)


def test_a_column_without_a_danish_description_is_an_error(tmp_path):
    d = tmp_path / "p"
    d.mkdir()
    pl.DataFrame({"area_id": ["x"], "new_column": [1]}).write_csv(d / "ny.csv")
    with pytest.raises(BoligmonitorError, match="new_column"):
        downloads.write_excel_variants(d)


def test_every_published_column_has_a_danish_description():
    from boligmonitor.site import published

    m = published.manifest()
    cols = {c for t in m["tables"].values() for c in t["columns"]}
    cols |= set(published.load("undertrykkelser").columns)
    assert sorted(c for c in cols if c not in downloads.COLUMNS_DA) == []


def test_download_page_names_files_without_breaking_them():
    md = downloads.downloads_markdown(prefix="../")
    assert md.count('<span class="filename">') == 3 * (md.count("\n") - 1)
    assert "excel/befolkning.csv" in md and "excel/befolkning-dataordbog.csv" in md
