"""Large files read in parts (issue 17: memory bounded by the part, not by the file) give exactly
what reading them whole gives: the same staging rows, quarantine entries (file, line, column,
reason), load-log figures and file errors. Each test reads the same file both ways into its own
database, the parts made tiny so that every file has many."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

import duckdb
import polars as pl
import pytest
import yaml
from ingest_helpers import make_pnr, rows_for, write_csv, write_raw

from boligmonitor.ingest import load
from boligmonitor.ingest.pseudonym import Pseudonymiser
from boligmonitor.ingest.reader import FileScan, ReadWhole, read_parts, read_raw, scan_file
from boligmonitor.pipeline import build
from boligmonitor.registers import register

KEY = b"test-key"
BROKEN = Path(__file__).parent / "broken"
CASES = yaml.safe_load((BROKEN / "cases.yml").read_text(encoding="utf-8"))


def _ingest_one(tmp: Path, path: Path, reg_name: str, year: int | None, part_bytes: int | None,
                monkeypatch) -> tuple[dict[str, pl.DataFrame] | str, list[str]]:
    """One file through the ingest (whole with ``part_bytes`` None, else in parts of that size):
    its tables, or the error message; and what the ingest said."""
    reg = register(reg_name)
    con = duckdb.connect(str(tmp / f"{part_bytes}.duckdb"))
    load._create_cache(con)
    said: list[str] = []
    ctx = SimpleNamespace(say=said.append)
    rf = load.RawFile(path, path.name, reg, year)
    work = (rf, None, load.fingerprint(reg, KEY), path.stat())
    pseudo = Pseudonymiser(KEY)
    if part_bytes is None:
        out = load._process([work], path.parent, pseudo)[0]
    else:
        monkeypatch.setattr(load, "PART_BYTES", part_bytes)
        monkeypatch.setattr(load, "STORE_ROWS", 7)
        out = load._load_in_parts(con, work, path.parent, pseudo, ctx, defaultdict(float))
    if out.status == "error":
        return str(out.error), said
    if out.status != "stored":
        row, line = load._files_row(out)
        said.append(line)
        load._store_batch(con, reg, [out.validated.rows], [out.validated.quarantine], [row], [], pseudo)
    tables = {}
    for t in (f"staging.{reg.table}", "ingest_cache.quarantine", "ingest_cache.files"):
        f = con.sql(f"select * exclude (started_at, finished_at) from {t}" if t.endswith("files")
                    else f"select * from {t}").pl()
        tables[t] = f.sort(f.columns, nulls_last=True)
    con.close()
    return tables, said


def _same_both_ways(tmp, path, reg_name, year, monkeypatch, part_bytes=1) -> list[str]:
    whole, _ = _ingest_one(tmp, path, reg_name, year, None, monkeypatch)
    parts, said = _ingest_one(tmp, path, reg_name, year, part_bytes, monkeypatch)
    if isinstance(whole, str):
        assert parts == whole
    else:
        assert not isinstance(parts, str), parts
        for t in whole:
            assert parts[t].equals(whole[t]), f"{t} differs:\n{whole[t]}\n{parts[t]}"
    return said


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_corpus_the_same_in_parts(tmp_path, monkeypatch, name):
    case = CASES[name]
    _same_both_ways(tmp_path, BROKEN / name, case["register"], case["year"], monkeypatch)


def _population(tmp: Path, n: int = 400, year: int = 2020, encoding: str | None = None,
                newline: str | None = None) -> Path:
    import random

    reg = register("befolkning")
    rng = random.Random(7)
    pnrs = [make_pnr(i, rng) for i in range(n)]
    return write_csv(tmp / "raw" / str(year) / reg.filename, reg, rows_for(reg, year, pnrs, rng),
                     encoding=encoding, newline=newline)


def _edit(path: Path, fn) -> None:
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join(fn(lines)))


def test_a_clean_file_is_read_in_parts(tmp_path, monkeypatch):
    p = _population(tmp_path)
    said = _same_both_ways(tmp_path, p, "befolkning", 2020, monkeypatch, part_bytes=2000)
    assert any("in parts" in s for s in said) and not any("read whole" in s for s in said)


@pytest.mark.parametrize("fault", ["duplicate_across_parts", "duplicate_within_part", "blank_lines",
                                   "bad_values_late", "nul_late", "crlf", "quoted_field_spanning_lines",
                                   "quoted_fields", "mixed_encoding_late", "latin1_letter_late", "cp1252_undefined_byte_late",
                                   "birth_dates_moved", "every_date_bad", "extra_pnr_column_late"])
def test_faults_give_the_same_result_in_parts(tmp_path, monkeypatch, fault):
    p = _population(tmp_path, newline="\r\n" if fault == "crlf" else None)
    if fault == "duplicate_across_parts":
        _edit(p, lambda ls: ls[:-1] + [ls[2], ls[3], b""])
    elif fault == "duplicate_within_part":
        _edit(p, lambda ls: ls[:50] + [ls[49]] + ls[50:])
    elif fault == "blank_lines":
        _edit(p, lambda ls: ls[:100] + [b"", b"  ", b""] + ls[100:])
    elif fault == "bad_values_late":
        _edit(p, lambda ls: ls[:300] + [ls[300].replace(b";", b";xx", 1), b";".join(ls[301].split(b";")[:2])]
              + ls[302:])
    elif fault == "nul_late":
        _edit(p, lambda ls: ls[:350] + [ls[350][:5] + b"\x00" + ls[350][5:]] + ls[351:])
    elif fault == "quoted_field_spanning_lines":
        _edit(p, lambda ls: ls[:200] + [ls[200] + b';"a', b'b"'] + ls[201:])
    elif fault == "quoted_fields":
        _edit(p, lambda ls: [ls[0]] + [b'"' + x.replace(b";", b'";"') + b'"' if x else x for x in ls[1:]])
    elif fault == "mixed_encoding_late":
        _edit(p, lambda ls: ls[:-2] + [ls[-2] + b";\xf8"] + ls[-1:])
    elif fault == "latin1_letter_late":  # the whole file is then Latin-1 / cp1252, not UTF-8
        p.write_bytes(p.read_bytes().replace(b"\xef\xbb\xbf", b"") + "Ærø;1\n".encode("latin-1"))
    elif fault == "cp1252_undefined_byte_late":  # cp1252 (its own "–" early), 0x81 (undefined there) late
        text = p.read_bytes().decode("utf-8-sig").replace("\n", ";–\n", 1)
        lines = text.encode("cp1252").split(b"\n")
        lines[-3] = lines[-3][:5] + b"\x81" + lines[-3][5:]
        p.write_bytes(b"\n".join(lines))
    elif fault == "birth_dates_moved":
        p.write_bytes(p.read_bytes().replace(b"-2020", b"-2017"))
    elif fault == "every_date_bad":
        p.write_bytes(re.sub(rb"(\d\d)-(\d\d)-(\d{4})", rb"\3\2\1x", p.read_bytes()))
    elif fault == "extra_pnr_column_late":
        _edit(p, lambda ls: [ls[0] + b";note"] + [x + (b";" + x.split(b";")[0] if i > 300 else b";ok")
                                                  for i, x in enumerate(ls[1:-1], 1)] + [b""])
    said = _same_both_ways(tmp_path, p, "befolkning", 2020, monkeypatch, part_bytes=3000)
    # Only what the parts cannot decide alone sends the file to be read whole.
    whole = fault in ("duplicate_across_parts", "quoted_field_spanning_lines", "every_date_bad",
                      "extra_pnr_column_late")
    assert any("read whole" in s for s in said) == whole, said


@pytest.mark.parametrize("moved", [0, 5, 1000])
def test_wrong_year_folder_decided_over_the_whole_file(tmp_path, monkeypatch, moved):
    """Decisions in ``afgoerelser`` outside the folder's year: a few are quarantined row by row (read
    in parts), nearly all stop the file as being in the wrong year folder (decided over all parts)."""
    import random

    reg = register("afgoerelser")
    rng = random.Random(5)
    pnrs = [make_pnr(i, rng) for i in range(900)]
    p = write_csv(tmp_path / "raw" / "2020" / reg.filename, reg, rows_for(reg, 2020, pnrs, rng))
    lines = p.read_bytes().split(b"\n")
    for i in range(1, min(moved + 1, len(lines) - 1)):
        lines[i] = lines[i].replace(b"-2020", b"-2017")
    p.write_bytes(b"\n".join(lines))
    said = _same_both_ways(tmp_path, p, "afgoerelser", 2020, monkeypatch, part_bytes=1500)
    assert any("read whole" in s for s in said) == (moved == 1000)


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-8", "utf-8-sig"])
def test_numbers_and_encodings_in_parts(tmp_path, monkeypatch, encoding):
    import random

    reg = register("indkomst")
    rng = random.Random(3)
    pnrs = [make_pnr(i, rng) for i in range(300)]
    rows = rows_for(reg, 2020, pnrs, rng)
    p = write_csv(tmp_path / "raw" / "2020" / reg.filename, reg, rows, encoding=encoding)
    _same_both_ways(tmp_path, p, "indkomst", 2020, monkeypatch, part_bytes=2000)
    # Decimal points in the last rows only: the whole column decides (read whole), same result.
    text = p.read_bytes().decode(encoding)
    head, *body = text.split("\n")
    body[-5:] = [ln.replace(",", ".") for ln in body[-5:]]
    p.write_bytes("\n".join([head, *body]).encode(encoding))
    _same_both_ways(tmp_path, p, "indkomst", 2020, monkeypatch, part_bytes=2000)


def test_read_parts_lines_and_encoding_match_read_raw(tmp_path):
    p = _population(tmp_path, encoding="cp1252", newline="\r\n")
    _edit(p, lambda ls: ls[:30] + [b"", b""] + ls[30:])
    reg = register("befolkning")
    whole = read_raw(p, p.parent, reg)
    scan = scan_file(p, reg)
    assert (scan.encoding, scan.mixed, scan.whole) == (whole.encoding, False, None)
    parts = list(read_parts(p, p.parent, reg, scan, 1500))
    assert len(parts) > 3
    assert pl.concat([x.frame for x in parts]).equals(whole.frame)
    assert scan.sha256 and scan.size == p.stat().st_size


def test_read_parts_refuses_what_only_the_whole_file_decides(tmp_path):
    reg = register("befolkning")
    with pytest.raises(ReadWhole):
        next(read_parts(Path("x"), tmp_path, reg, FileScan("", 0, whole="UTF-16"), 100))
    p = _population(tmp_path, n=50)
    _edit(p, lambda ls: ls[:20] + [ls[20] + b';"open', b'close"'] + ls[21:])
    with pytest.raises(ReadWhole, match="odd number of quotes"):
        list(read_parts(p, p.parent, reg, scan_file(p, reg), 300))
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes(p.read_text(encoding="utf-8-sig").encode("utf-16"))
    assert scan_file(utf16, reg).whole == "UTF-16"


def test_build_in_parts_equals_build_whole(tmp_path, monkeypatch):
    """The whole ingest step (every register, the population check across files, the load log) with
    tiny parts: every staging and cache table as with whole files."""
    raw = tmp_path / "raw"
    write_raw(raw, years=(2019, 2020), persons=200)
    _compare_builds(tmp_path, raw, monkeypatch)


def test_incremental_build_in_parts(tmp_path, monkeypatch):
    """A large file changed (a repeated key added), another only touched: the incremental build in
    parts equals a full build of whole files."""
    import os

    raw = tmp_path / "raw"
    write_raw(raw, years=(2019, 2020), persons=200)
    monkeypatch.setattr(load, "PART_BYTES", 1500)
    build(raw, tmp_path / "parts.duckdb", tmp_path / "pub-parts", say=lambda m: None,
          steps=["boligmonitor.ingest"], full=True)
    _edit(raw / "2020" / "befolkning.csv", lambda ls: ls[:-1] + [ls[5], b""])
    os.utime(raw / "2019" / "befolkning.csv", ns=(1, 10**18))
    _compare_builds(tmp_path, raw, monkeypatch, incremental=True)


def _compare_builds(tmp_path, raw, monkeypatch, incremental=False):
    dbs = {}
    for label, part in (("whole", 10**12), ("parts", 1500)):
        monkeypatch.setattr(load, "PART_BYTES", part)
        monkeypatch.setattr(load, "STORE_ROWS", 50)
        said: list[str] = []
        build(raw, tmp_path / f"{label}.duckdb", tmp_path / f"pub-{label}", say=said.append,
              steps=["boligmonitor.ingest"], full=label == "whole" or not incremental)
        if label == "parts" and incremental:
            # (the changed file repeats a key across parts: read whole; the touched one is reused)
            assert any("1 read, " in s and "unchanged and reused" in s for s in said), said
            assert any("2020/befolkning.csv: read whole (a key that may repeat" in s for s in said), said
        else:
            assert (label == "parts") == any("in parts" in s for s in said)
        dbs[label] = tmp_path / f"{label}.duckdb"
    con = duckdb.connect(str(dbs["whole"]), read_only=True)
    con.execute(f"attach '{dbs['parts']}' as p (read_only)")
    tables = con.execute("select table_schema, table_name from information_schema.tables where table_catalog = "
                         "current_database() and table_schema in ('staging', 'ingest_cache')").fetchall()
    assert len(tables) > 20
    for schema, name in tables:
        cols = [r[0] for r in con.execute(f"describe {schema}.{name}").fetchall()
                if r[0] not in ("started_at", "finished_at", "mtime_ns")]
        sel = ", ".join(f'"{c}"' for c in cols)
        diff = con.execute(f"select count(*) from ((select {sel} from {schema}.{name} except all "
                           f"select {sel} from p.{schema}.{name}) union all (select {sel} from p.{schema}.{name} "
                           f"except all select {sel} from {schema}.{name}))").fetchall()[0][0]
        assert diff == 0, f"{schema}.{name}: {diff} rows differ"


def test_duckdb_memory_limit_and_spill_folder(tmp_path, monkeypatch):
    from boligmonitor import db

    con = duckdb.connect(str(tmp_path / "x.duckdb"))
    default = con.execute("select current_setting('memory_limit')").fetchall()[0][0]

    def limit():
        return con.execute("select current_setting('memory_limit')").fetchall()[0][0].replace(" ", "").upper()

    monkeypatch.setenv("BOLIGMONITOR_MEMORY_LIMIT", "none")
    assert db.limit_memory(con, tmp_path / "x.duckdb.spill") is None
    assert con.execute("select current_setting('memory_limit')").fetchall()[0][0] == default
    assert con.execute("select current_setting('temp_directory')").fetchall()[0][0].endswith("x.duckdb.spill")
    monkeypatch.delenv("BOLIGMONITOR_MEMORY_LIMIT")
    assert db.MEMORY_LIMIT == "1GB"  # the default budget (docs/benchmarks.md: the whole build's memory)
    assert db.limit_memory(con, tmp_path / "x.duckdb.spill") == "1GB"
    assert limit() in ("953.6MIB", "1.0GB", "1GB"), limit()
    monkeypatch.setenv("BOLIGMONITOR_MEMORY_LIMIT", "2GB")
    assert db.limit_memory(con, tmp_path / "x.duckdb.spill") == "2GB"
    assert limit() in ("1.8GIB", "1.9GIB", "2.0GB", "2GB"), limit()


def test_an_unforeseen_problem_in_a_part_reads_the_file_whole(tmp_path, monkeypatch):
    p = _population(tmp_path)
    real = load.validate_many
    calls = []

    def flaky(raws, *a, chunk=None, **k):
        calls.append(chunk)
        if chunk is not None and len(calls) == 2:
            raise RuntimeError("unforeseen")
        return real(raws, *a, chunk=chunk, **k)

    monkeypatch.setattr(load, "validate_many", flaky)
    said = _same_both_ways(tmp_path, p, "befolkning", 2020, monkeypatch, part_bytes=3000)
    assert any("read whole (unexpected RuntimeError)" in s for s in said), said
