"""The data dictionary follows the declaration."""

from __future__ import annotations

from boligmonitor.dictionary import dictionary_frame, dictionary_markdown
from boligmonitor.registers import REGISTERS


def test_frame_has_every_declared_column():
    f = dictionary_frame()
    assert f.height == sum(len(r.columns) for r in REGISTERS)
    pnr = f.filter(f["raw_header"] == "PNR")
    assert set(pnr["staging_name"]) == {"person_id"}
    sex = f.filter((f["register"] == "befolkning") & (f["raw_header"] == "KOEN")).row(0, named=True)
    assert sex["allowed"] == "1 = mand; 2 = kvinde" and sex["required"]
    pct = f.filter(f["raw_header"] == "OMFANG_PCT").row(0, named=True)
    assert pct["allowed"] == "1-100" and pct["sql_type"] == "BIGINT"


def test_markdown_sections_and_tables():
    md = dictionary_markdown()
    for r in REGISTERS:
        assert f"## {r.title} (`{r.name}`)" in md
        assert f"`staging.{r.table}`" in md
    assert "| `FOED_DAG` | `birth_date` | dato (dd-mm-åååå) | ja | 1900-2026 (år) |" in md
    assert "**Årskontrol:** AFG_DATO" not in md  # rules name staging columns
    assert "**Årskontrol:** decision_date skal ligge i året" in md
    # no table row breaks the Markdown table (same number of cells everywhere)
    for line in md.splitlines():
        if line.startswith("| `"):
            assert line.count(" | ") == 5, line
