"""The broken-file corpus (tests/broken/cases.yml): every file gives a clear file-level error or
quarantined rows, never a crash and never silent loss."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from boligmonitor.errors import InputError
from boligmonitor.ingest import INVALID_PNR, FileError, read_file
from boligmonitor.registers import register

BROKEN = Path(__file__).parent / "broken"
CASES = yaml.safe_load((BROKEN / "cases.yml").read_text(encoding="utf-8"))
KEY = b"test-key"


def test_corpus_is_listed_in_readme():
    readme = (BROKEN / "README.md").read_text(encoding="utf-8")
    files = {p.name for p in BROKEN.glob("*.csv")}
    assert files == set(CASES), "every corpus file needs an entry in cases.yml"
    for name in files:
        assert name in readme, f"{name} missing from tests/broken/README.md"


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_file(name):
    case = CASES[name]
    reg = register(case["register"])
    path = BROKEN / name
    if "error" in case:
        with pytest.raises(FileError) as exc:
            read_file(path, reg, case["year"], KEY)
        err = exc.value
        assert isinstance(err, InputError)
        assert err.code == case["error"]
        assert name in str(err), "the message names the file"
        return
    v = read_file(path, reg, case["year"], KEY)
    got = dict(v.quarantine.group_by("reason_code").len().iter_rows())
    assert got == case["quarantine"]
    assert v.rows.height == case["loaded"]
    # Reconciliation: every data record is loaded or quarantined, none both.
    data_lines = _data_lines(path)
    q_lines = set(v.quarantine["source_line"].to_list())
    loaded_lines = set(v.rows["source_line"].to_list())
    assert not (q_lines & loaded_lines)
    assert q_lines | loaded_lines == data_lines
    # Every quarantine entry names file, line and a reason.
    assert v.quarantine["source_line"].null_count() == 0
    assert v.quarantine["reason"].null_count() == 0


def _data_lines(path: Path) -> set[int]:
    """Line numbers where a record starts (ground truth written by hand for the quoted file)."""
    if path.name == "quoted_fields.csv":
        return {2, 4, 6}
    raw = path.read_bytes().replace(b"\r\n", b"\n").split(b"\n")
    return {i for i, line in enumerate(raw, start=1) if i > 1 and line.strip()}


def test_quarantine_never_shows_a_raw_pnr():
    for name in ("bad_pnr.csv", "duplicate_pnr.csv", "truncated.csv", "unknown_codes.csv"):
        v = read_file(BROKEN / name, register("befolkning"), 2020, KEY)
        text = (BROKEN / name).read_text(encoding="utf-8")
        pnrs = {line.split(";")[0] for line in text.splitlines()[1:] if line.split(";")[0]}
        values = set(v.quarantine["value"].drop_nulls().to_list())
        assert not (values & pnrs)
    v = read_file(BROKEN / "bad_pnr.csv", register("befolkning"), 2020, KEY)
    assert INVALID_PNR in v.quarantine["value"].to_list()


def test_quoted_fields_keep_their_content_and_lines():
    v = read_file(BROKEN / "quoted_fields.csv", register("dagtilbud"), 2020, KEY)
    rows = {r["source_line"]: r for r in v.rows.iter_rows(named=True)}
    assert rows[2]["institution"] == 'Børnehuset "Æblehaven"; afd. Nord'
    assert rows[4]["institution"] == "Vuggestuen\nVed Åen"
    assert rows[6]["start_date"].isoformat() == "2020-03-01"


def test_header_variants_and_extra_column_kept():
    v = read_file(BROKEN / "header_variants.csv", register("befolkning"), 2020, KEY)
    assert "extra_bemaerkning" in v.rows.columns
    assert v.rows["extra_bemaerkning"].to_list() == ["ny adresse", None]
    assert v.rows["sex"].to_list() == ["1", "1"]
