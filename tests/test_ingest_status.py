"""One load-status vocabulary (ingest/status.py) and every reader of it; control characters and
binary files decided from the whole file (case 04 of issue 13, tests/fixtures/cases/04_*)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from boligmonitor import quality
from boligmonitor.ingest import rules
from boligmonitor.ingest import status as st
from boligmonitor.ingest.load import read_file
from boligmonitor.ingest.reader import FileError, read_raw
from boligmonitor.ingest.status import LoadStatus
from boligmonitor.registers import register

CASES = Path(__file__).parent / "fixtures" / "cases"
KEY = b"test-key"


def _loads(statuses) -> pl.DataFrame:
    rows = []
    for i, s in enumerate(statuses):
        read = 0 if not st.loaded(s) else 100
        q = {"ok": 0, "ok_with_quarantine": 1, "incomplete": 40}.get(s, 0)
        rows.append({"source_file": f"2021/f{i}.csv", "register": "ydelser", "year": 2021, "rows_read": read,
                     "rows_loaded": read - q, "rows_quarantined": q, "status": s,
                     "message": None if st.loaded(s) else "why"})
    return pl.DataFrame(rows)


def test_every_status_the_ingest_can_write_is_handled_by_each_reader():
    every = [s.value for s in LoadStatus]
    loads = _loads(every)
    assert quality.reconciles(loads)
    lines = dict(quality.load_status_lines(loads))
    assert len(lines) == len(every) - 1  # every status but plain ok is worded
    assert all(sev == st.info(s).severity for (_, sev), s in zip(quality.load_status_lines(loads), every[1:]))
    md = quality.load_summary_markdown(loads)
    row = next(line for line in md.splitlines() if line.startswith("| ydelser"))
    not_loaded = sum(not st.loaded(s) for s in every)
    assert row.rstrip(" |").endswith(str(not_loaded))
    assert "ydelser 2021" in md  # the incomplete and missing register-years are named
    # blocking only for a failed file
    assert [sev for _, sev in quality.load_status_lines(loads) if sev == "blocking"] == ["blocking"]


def test_a_quarantined_file_is_loaded_and_reconciled():
    loads = _loads(["ok_with_quarantine"])
    assert quality.load_status_lines(loads)[0][1] == "warning"
    bad = loads.with_columns(pl.lit(10).alias("rows_loaded"))
    assert not quality.reconciles(bad)  # a file with quarantine is reconciled too (case 02)
    assert "Filer ikke indlæst" in quality.load_summary_markdown(loads)
    assert quality.load_summary_markdown(loads).splitlines()[-1].rstrip(" |").endswith("0")


def test_unknown_status_is_an_error_for_every_reader():
    loads = _loads(["ok"]).with_columns(pl.lit("half_loaded").alias("status"))
    for reader in (quality.reconciles, quality.load_status_lines, quality.load_summary_markdown):
        with pytest.raises(KeyError):
            reader(loads)


def test_status_rule_in_python_and_sql_agree():
    con = duckdb.connect()
    for read in (1, 99, 100, 101, 1000, 3089):
        for q in sorted({0, 1, 2, read // 100, read // 100 + 1, read // 2, read}):
            got = con.execute(f"select {st.sql_case(str(read), str(q))}").fetchall()[0][0]
            assert got == st.of_file(read, q).value, (read, q)
    assert st.of_file(1000, 10) == LoadStatus.OK_WITH_QUARANTINE and st.of_file(1000, 11) == LoadStatus.INCOMPLETE


# --- control characters: the same byte, the same outcome, wherever it sits ------------------------

def _population(tmp: Path, n: int = 3000) -> Path:
    """A valid befolkning file of ``n`` rows (about 70 bytes each: well over 64 KB)."""
    lines = ["PNR;FOED_DAG;KOEN;IE_TYPE;OPR_LAND;KOM;VEJNAVN;HUSNR;ETAGE;SIDEDOER;POSTNR;TILFLYT_DATO;FAMILIE_ID"]
    for i in range(n):
        lines.append(f"6101{80 + i % 20}{i:04d};01-01-19{80 + i % 20};1;1;5100;730;Sivgade;{1 + i % 9};st;tv;8940;"
                     f"06-03-2006;F{i:07d}")
    p = tmp / "2022" / "befolkning.csv"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return p


def _put(p: Path, line: int, field: int, char: bytes = b"\x00") -> None:
    lines = p.read_bytes().split(b"\r\n")
    parts = lines[line - 1].split(b";")
    parts[field] = parts[field][:3] + char + parts[field][3:]
    lines[line - 1] = b";".join(parts)
    p.write_bytes(b"\r\n".join(lines))


@pytest.mark.parametrize("line", [11, 3001])  # case 04: inside and after the first 64 KB
@pytest.mark.parametrize(("field", "column"), [(6, "VEJNAVN"), (7, "HUSNR"), (12, "FAMILIE_ID")])
def test_nul_byte_quarantines_its_row_wherever_it_sits(tmp_path, line, field, column):
    p = _population(tmp_path)
    if column == "HUSNR":
        lines = p.read_bytes().split(b"\r\n")
        parts = lines[line - 1].split(b";")
        parts[field] = b"12A"
        lines[line - 1] = b";".join(parts)
        p.write_bytes(b"\r\n".join(lines))
    _put(p, line, field)
    v = read_file(p, register("befolkning"), 2022, KEY, tmp_path)
    q = v.quarantine.to_dicts()
    assert [(r["source_line"], r["column_name"], r["reason_code"]) for r in q] == [(line, column, "control_char")]
    assert q[0]["reason"] == "kontroltegn i værdien (NUL)" and "\x00" not in q[0]["value"]
    assert v.rows.height == 2999
    for c in ("street", "house_number", "household_id"):
        assert not v.rows[c].str.contains("\x00", literal=True).any()


def test_other_control_characters_and_extra_columns(tmp_path):
    p = _population(tmp_path, 50)
    _put(p, 5, 6, b"\x1f")
    text = p.read_bytes().replace(b"FAMILIE_ID\r\n", b"FAMILIE_ID;NOTE\r\n", 1)
    lines = text.split(b"\r\n")
    lines = [lines[0]] + [ln + (b";ok" if i != 9 else b";x\x07y") for i, ln in enumerate(lines[1:], start=2) if ln]
    p.write_bytes(b"\r\n".join(lines) + b"\r\n")
    q = read_file(p, register("befolkning"), 2022, KEY, tmp_path).quarantine
    got = sorted((r["source_line"], r["column_name"], r["reason"]) for r in q.to_dicts())
    assert got == [(5, "VEJNAVN", "kontroltegn i værdien (U+001F)"), (9, "NOTE", "kontroltegn i værdien (U+0007)")]


def test_case04_nul_padding_reported_as_such(tmp_path):
    p = _population(tmp_path)
    _put(p, 3001, 6)
    p.write_bytes(p.read_bytes() + b"\x00" * 512)
    raw = read_raw(p, tmp_path, register("befolkning"))
    assert raw.nul_padding == (3002, 512, False) and raw.rows_read == 3001
    q = read_file(p, register("befolkning"), 2022, KEY, tmp_path).quarantine
    got = [(r["source_line"], r["reason_code"]) for r in q.to_dicts()]
    assert got == [(3001, "control_char"), (3002, "nul_padding")]
    assert "512 NUL" in q.filter(pl.col("reason_code") == "nul_padding")["value"][0]


def test_case04_excerpt(tmp_path):
    """The case's own excerpt: row 2 has ``Siv\\0gade``, then NUL padding glued to nothing."""
    p = tmp_path / "2022" / "befolkning.csv"
    p.parent.mkdir()
    shutil.copy(CASES / "04_excerpt_befolkning_nul.csv", p)
    v = read_file(p, register("befolkning"), 2022, KEY, tmp_path)
    codes = sorted(v.quarantine["reason_code"].to_list())
    assert codes == ["control_char", "nul_padding"] and v.rows.height == 1


def test_binary_only_when_binary_throughout(tmp_path):
    reg = register("befolkning")
    p = tmp_path / "x.csv"
    p.write_bytes(b"PK\x03\x04" + b"\x00" * 40 + b"rest")
    with pytest.raises(FileError) as e:
        read_raw(p, tmp_path, reg)
    assert e.value.code == "binary" and "xlsx" in str(e.value)
    p.write_bytes(b"PNR;FOED_DAG\n" + b"\x00\x01" * 500)  # mostly NUL, not padding
    with pytest.raises(FileError) as e:
        read_raw(p, tmp_path, reg)
    assert e.value.code == "binary"
    assert rules.binary_kind(b"a;b\nc\x00d;e\n" * 100) is None  # a few NULs: a row problem


def test_dictionary_and_docs_state_the_three_rules():
    from boligmonitor.dictionary import dictionary_markdown

    md = dictionary_markdown()
    assert "**Talformat.**" in md and "**Fuldstændighed.**" in md and "1 %" in md
    assert all(f"`{s.value}`" in md for s in LoadStatus)
    assert "--allow-missing fravaer" in md and "typisk median 10.000-2.000.000" in md
    doc = (Path(__file__).parents[1] / "docs" / "ingestion.md").read_text(encoding="utf-8")
    for heading in ("## The number-format rule", "## Load statuses", "## Completeness", "--allow-missing"):
        assert heading in doc
    assert all(f"`{s.value}`" in doc for s in LoadStatus)
