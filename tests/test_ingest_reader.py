"""Reader habits and value parsing."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from boligmonitor.ingest import FileError, normalise_header, read_raw
from boligmonitor.ingest.reader import decode
from boligmonitor.ingest.validate import parse_bool, parse_date, parse_float, parse_int
from boligmonitor.registers import register

INC = register("indkomst")


def _write(tmp_path, text: str | bytes, enc="utf-8", name="indkomst.csv"):
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode(enc))
    return p


@pytest.mark.parametrize("enc,expected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
                                          ("latin-1", "latin-1"), ("utf-16", "utf-16")])
def test_encodings_detected(tmp_path, enc, expected):
    p = _write(tmp_path, "PNR;BRUTTOINDK;SKATTEPLIGTIG;BEMÆRKNING\n6101801234;1,5;J;Søren Åby\n", enc)
    raw = read_raw(p, tmp_path, INC)
    assert raw.encoding == expected
    assert raw.frame["extra_bemaerkning"].to_list() == ["Søren Åby"]
    assert raw.frame["pnr"].to_list() == ["6101801234"]


def test_cp1252_detected_by_its_own_characters():
    text, enc, mixed = decode("a – “b” æ".encode("cp1252"), "x.csv")
    assert (text, enc, mixed) == ("a – “b” æ", "cp1252", False)


def test_mixed_encoding_flags_the_bad_line(tmp_path):
    data = "PNR;BRUTTOINDK;SKATTEPLIGTIG;NAVN\n6101801234;1;J;Åse\n".encode() + \
        "6202851234;2;N;Søs\n".encode("latin-1")
    raw = read_raw(_write(tmp_path, data), tmp_path, INC)
    assert raw.frame["bad_encoding"].to_list() == [False, True]


def test_cp1252_with_an_undefined_byte_flags_that_line_only(tmp_path):
    """A cp1252 file (its own characters: – “ ”) with one byte cp1252 leaves undefined (0x81) late in
    the file: the file stays cp1252 and only that line is bad, never the whole file read as Latin-1
    (which turns – “ ” into control characters and stores U+0081 in a value)."""
    data = "PNR;BRUTTOINDK;SKATTEPLIGTIG;NAVN\n6101801234;1;J;Å – “b”\n".encode("cp1252") + \
        b"6202851234;2;N;Bre\x81dehaven\n"
    raw = read_raw(_write(tmp_path, data), tmp_path, INC)
    assert raw.encoding == "cp1252"
    assert raw.frame["extra_navn"].to_list()[0] == "Å – “b”"
    assert raw.frame["bad_encoding"].to_list() == [False, True]


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_separators(tmp_path, sep):
    p = _write(tmp_path, sep.join(["PNR", "BRUTTOINDK", "SKATTEPLIGTIG"]) + "\r\n"
               + sep.join(["6101801234", "100", "J"]) + "\r\n")
    raw = read_raw(p, tmp_path, INC)
    assert raw.separator == sep
    assert raw.frame["gross_income"].to_list() == ["100"]


def test_line_numbers_with_blank_lines_and_crlf(tmp_path):
    p = _write(tmp_path, "PNR;BRUTTOINDK;SKATTEPLIGTIG\r\n\r\n6101801234;1;J\r\n  \r\n6202851234;2;N")
    raw = read_raw(p, tmp_path, INC)
    assert raw.frame["source_line"].to_list() == [3, 5]
    assert raw.source_file == "indkomst.csv"


def test_sidecar_separator_and_encoding(tmp_path):
    p = _write(tmp_path, "PNR|BRUTTOINDK|SKATTEPLIGTIG\n6101801234|1|J\n", "latin-1")
    (tmp_path / "indkomst.yml").write_text("separator: '|'\nencoding: latin-1\n")
    raw = read_raw(p, tmp_path, INC)
    assert (raw.separator, raw.encoding) == ("|", "latin-1")


def test_bad_sidecar_is_a_file_error(tmp_path):
    p = _write(tmp_path, "PNR;BRUTTOINDK;SKATTEPLIGTIG\n6101801234;1;J\n")
    (tmp_path / "indkomst.csv.yml").write_text("encoding: klingon-8\n")
    with pytest.raises(FileError, match="unknown encoding"):
        read_raw(p, tmp_path, INC)


def test_duplicate_header_is_a_file_error(tmp_path):
    p = _write(tmp_path, "PNR;BRUTTOINDK;bruttoindk;SKATTEPLIGTIG\n6101801234;1;1;J\n")
    with pytest.raises(FileError, match="appears twice"):
        read_raw(p, tmp_path, INC)


def test_optional_column_may_be_absent(tmp_path):
    reg = register("uddannelse")
    p = _write(tmp_path, "PNR;HFAUDD\n6101801234;1010\n", name="uddannelse.csv")
    raw = read_raw(p, tmp_path, reg)
    assert set(raw.missing_optional) == {"education_source", "ongoing_education"}


def test_normalise_header():
    assert normalise_header(" Fød dag ") == "foed_dag"
    assert normalise_header('"SIDEDØR"') == "sidedoer"
    assert normalise_header("tilflyt-dato") == "tilflyt_dato"


def _apply(expr_fn, values):
    return pl.DataFrame({"v": values}, schema={"v": pl.String}).select(expr_fn(pl.col("v"))).to_series().to_list()


def test_parse_values():
    assert _apply(parse_date, ["01-02-2020", "2020-02-01", "1.2.2020", "31-02-2020", "x", None]) == [
        dt.date(2020, 2, 1), dt.date(2020, 2, 1), dt.date(2020, 2, 1), None, None, None]
    # The decimal mark is decided for the values together (ingest/numbers.py), never per value.
    assert _apply(parse_float, ["1,5", "2,25", "-3", "1.234.567,5", "1,2,3", "abc"]) == [
        1.5, 2.25, -3.0, 1234567.5, None, None]
    assert _apply(parse_float, ["1.5", "2.25", "-3", "1,234,567.5", "1.2.3", "abc"]) == [
        1.5, 2.25, -3.0, 1234567.5, None, None]
    assert _apply(parse_int, ["12", "+3", "-4", "1,0", "x"]) == [12, 3, -4, None, None]
    assert _apply(parse_bool, ["J", "n", "ja", "NEJ", "1", "0", "maybe"]) == [
        True, False, True, False, True, False, None]


# The byte-level split of clean files (reader._split_bytes) must give exactly what the text path gives.
_FAST_CASES = {
    "plain": "PNR;BRUTTOINDK;SKATTEPLIGTIG\n6101801234;1;J\n6202851234;2;N\n",
    "crlf_no_final_newline": "PNR;BRUTTOINDK;SKATTEPLIGTIG\r\n6101801234;1;J\r\n6202851234;2;N",
    "empty_quoted": 'PNR;BRUTTOINDK;SKATTEPLIGTIG\n"";"";""\n6101801234;"";J\n6202851234;2;""',
    "quoted_values": 'PNR;BRUTTOINDK;SKATTEPLIGTIG\n"6101801234";"1,5";J\n6202851234;"";"N"\n',
    "quote_inside": 'PNR;BRUTTOINDK;SKATTEPLIGTIG\n6101801234;1"";J\n6202851234;"""";N\n',
    "spaces_around": "PNR;BRUTTOINDK;SKATTEPLIGTIG\n 6101801234 ;1; J\n6202851234;2 ;N \n",
    "space_inside": "PNR;BRUTTOINDK;SKATTEPLIGTIG;NAVN\n6101801234;1;J;Søren Åby\n",
    "nbsp_around": "PNR;BRUTTOINDK;SKATTEPLIGTIG\n6101801234;\u00a01;J\n",
    "tab_around": "PNR;BRUTTOINDK;SKATTEPLIGTIG\n6101801234;1\t;J\n",
    "stray_cr": "PNR;BRUTTOINDK;SKATTEPLIGTIG\n6101801234;1\r;J\n",
    "blank_line": "PNR;BRUTTOINDK;SKATTEPLIGTIG\n6101801234;1;J\n\n6202851234;2;N\n",
    "ragged": "PNR;BRUTTOINDK;SKATTEPLIGTIG\n6101801234;1;J;x\n6202851234;2\n",
    "quoted_separator": 'PNR;BRUTTOINDK;SKATTEPLIGTIG;NAVN\n6101801234;1;J;"a;b"\n',
    "comma": "PNR,BRUTTOINDK,SKATTEPLIGTIG\n6101801234,\"\",J\n",
    "empty_quoted_and_quote_inside": 'PNR;BRUTTOINDK;SKATTEPLIGTIG\n"";1"2;""\n6101801234;"";N\n',
    "empty_quoted_and_quoted_empty_pair": 'PNR;BRUTTOINDK;SKATTEPLIGTIG\n"";"""";J\n',
    "empty_quoted_with_text": 'PNR;BRUTTOINDK;SKATTEPLIGTIG\n""x;"";J\n',
    "tab_separated_space_around": "PNR\tBRUTTOINDK\tSKATTEPLIGTIG\n6101801234\t 1\tJ\n6202851234\t2\tN \n",
    "tab_separated_clean": "PNR\tBRUTTOINDK\tSKATTEPLIGTIG\n6101801234\t1\tJ\n",
    "space_at_file_end": "PNR;BRUTTOINDK;SKATTEPLIGTIG\n6101801234;1;J ",
    "space_at_body_start": "PNR;BRUTTOINDK;SKATTEPLIGTIG\n 6101801234;1;J\n",
    "space_before_crlf": "PNR;BRUTTOINDK;SKATTEPLIGTIG\r\n6101801234;1;J \r\n6202851234;2;N\r\n",
    "space_after_lf_only_inside": "PNR;BRUTTOINDK;SKATTEPLIGTIG;NAVN\n6101801234;1;J;a b\n6202851234;2;N; c\n",
    "space_at_last_byte": "PNR;BRUTTOINDK;SKATTEPLIGTIG;NAVN\n6101801234;1;J;a b ",
}


@pytest.mark.parametrize("case", sorted(_FAST_CASES))
@pytest.mark.parametrize("enc", ["utf-8", "utf-8-sig", "latin-1"])
def test_byte_split_equals_text_split(tmp_path, case, enc):
    p = _write(tmp_path, _FAST_CASES[case], enc)
    fast, slow = read_raw(p, tmp_path, INC), read_raw(p, tmp_path, INC, fast=False)
    assert fast.frame.equals(slow.frame), case
    assert (fast.encoding, fast.separator, fast.extra) == (slow.encoding, slow.separator, slow.extra)


def test_byte_split_is_used_for_clean_files(tmp_path, monkeypatch):
    from boligmonitor.ingest import reader
    calls = []
    monkeypatch.setattr(reader, "_split_records", lambda *a, **k: calls.append(a) or pl.DataFrame())
    p = _write(tmp_path, _FAST_CASES["empty_quoted"])
    assert read_raw(p, tmp_path, INC).frame["gross_income"].to_list() == ["", "", "2"]
    assert not calls


# A UTF-8 file with a byte order mark is not decoded as a whole on the byte path (polars' reader
# checks the UTF-8): every oddity must still read exactly as the text path reads it.
_BOM = b"\xef\xbb\xbf"
_BOM_CASES = {
    "clean": _BOM + "PNR;BRUTTOINDK;SKATTEPLIGTIG\n6101801234;1;Jø\n".encode(),
    "crlf": _BOM + b"PNR;BRUTTOINDK;SKATTEPLIGTIG\r\n6101801234;1;J\r\n",
    "latin1_byte_in_data": _BOM + b"PNR;BRUTTOINDK;SKATTEPLIGTIG\n6101801234;1;J\xf8\n6202851234;2;N\n",
    "surrogate_in_data": _BOM + b"PNR;BRUTTOINDK;SKATTEPLIGTIG\n6101801234;1;\xed\xa0\x80\n",
    "overlong_in_data": _BOM + b"PNR;BRUTTOINDK;SKATTEPLIGTIG\n6101801234;1;\xc0\xaf\n",
    "truncated_sequence_at_end": _BOM + b"PNR;BRUTTOINDK;SKATTEPLIGTIG\n6101801234;1;J\xc3",
    "latin1_byte_in_header": _BOM + b"PNR;BRUTTOINDK;SKATTEPLIGTIG;N\xc6VN\n6101801234;1;J;x\n",
    "blank_first_line": _BOM + b"\nPNR;BRUTTOINDK;SKATTEPLIGTIG\n6101801234;1;J\n",
    "second_mark": _BOM + _BOM + b"PNR;BRUTTOINDK;SKATTEPLIGTIG\n6101801234;1;J\n",
    "cr_line_ends": _BOM + b"PNR;BRUTTOINDK;SKATTEPLIGTIG\r6101801234;1;J\r6202851234;2;N\r",
    "header_only": _BOM + b"PNR;BRUTTOINDK;SKATTEPLIGTIG\n",
    "no_line_end": _BOM + b"PNR;BRUTTOINDK;SKATTEPLIGTIG",
    "only_mark": _BOM,
    "nul_bytes": _BOM + b"PNR;BRUTTOINDK;SKATTEPLIGTIG\n6101801234;1;J\x00\n",
}


@pytest.mark.parametrize("case", sorted(_BOM_CASES))
def test_utf8_bom_byte_path_equals_text_path(tmp_path, case):
    p = tmp_path / "indkomst.csv"
    p.write_bytes(_BOM_CASES[case])
    try:
        fast = read_raw(p, tmp_path, INC)
    except FileError as e:
        with pytest.raises(FileError) as slow_error:
            read_raw(p, tmp_path, INC, fast=False)
        assert (e.code, str(e)) == (slow_error.value.code, str(slow_error.value)), case
        return
    slow = read_raw(p, tmp_path, INC, fast=False)
    assert fast.frame.equals(slow.frame), case
    assert (fast.encoding, fast.separator, fast.header, fast.extra) == (
        slow.encoding, slow.separator, slow.header, slow.extra), case


def test_utf8_bom_file_is_not_decoded_as_a_whole(tmp_path, monkeypatch):
    from boligmonitor.ingest import reader
    calls = []
    real = reader.decode
    monkeypatch.setattr(reader, "decode", lambda *a, **k: calls.append(a) or real(*a, **k))
    p = tmp_path / "indkomst.csv"
    p.write_bytes(_BOM_CASES["clean"])
    raw = read_raw(p, tmp_path, INC)
    assert not calls and raw.encoding == "utf-8-sig" and raw.frame["taxable"].to_list() == ["Jø"]
    p.write_bytes(_BOM_CASES["latin1_byte_in_data"])  # not UTF-8 after all: decoded, lines flagged
    raw = read_raw(p, tmp_path, INC)
    assert calls and raw.frame["bad_encoding"].to_list() == [True, False]


def test_byte_split_equals_text_split_on_the_broken_corpus():
    from pathlib import Path

    import yaml
    broken = Path(__file__).parent / "broken"
    cases = yaml.safe_load((broken / "cases.yml").read_text(encoding="utf-8"))
    compared = 0
    for name, case in cases.items():
        try:
            fast = read_raw(broken / name, broken, register(case["register"]))
        except FileError:
            with pytest.raises(FileError):
                read_raw(broken / name, broken, register(case["register"]), fast=False)
            continue
        slow = read_raw(broken / name, broken, register(case["register"]), fast=False)
        assert fast.frame.equals(slow.frame), name
        compared += 1
    assert compared >= 10


_TRICKY = ["01-02-2020", "1-2-2020", "01-02-20", "01.02.2020", "01/02/2020", "2020-02-01", "2020-2-1",
           "29-02-2021", "29-02-2020", "31-12-1899", "00-01-2020", "01-13-2020", "01-02-20201", "1-02-20201", "01-2-20201", "1-1-202020", "+1-02-2020", "01.02.2020", "", None, " ",
           "x", "1,5", "2.25", "-3", "+4", "1.234.567,5", "1.234,5", "12.34,5", "1,2,3", "1e5", "1E5", "inf",
           "nan", "-0", ".5", "5.", "1 000", "J", "n", "ja", "NEJ", "1", "0", "Y", "true", "Sand", "maybe"]


def test_fast_value_parsers_agree_with_the_general_rules():
    """The one-pass parsers (data-dependent shortcuts) give what the general rules give."""
    from boligmonitor.ingest.validate import _parse_date_series_general
    values = pl.Series("v", _TRICKY * 3, dtype=pl.String)
    assert _apply(parse_date, values.to_list()) == _parse_date_series_general(values).to_list()
    clean_dates = pl.Series("v", ["01-02-2020", "31-12-1999"] * 5)
    assert _apply(parse_date, clean_dates.to_list()) == _parse_date_series_general(clean_dates).to_list()

    def bool_reference(s):
        u = s.str.strip_chars().str.to_uppercase()
        return pl.when(u.is_in(["J", "JA", "1", "Y", "YES", "TRUE", "SAND"])).then(True).when(
            u.is_in(["N", "NEJ", "0", "NO", "FALSE", "FALSK"])).then(False)

    for vals in (values.to_list(), ["J", "N", None, "J"]):
        assert _apply(parse_bool, vals) == _apply(bool_reference, vals)


def test_key_repeat_check_is_exact():
    """The hash shortcut only ever says "surely distinct"; repeated keys are always found."""
    from boligmonitor.ingest.validate import _may_repeat
    f = pl.DataFrame({"a": ["1", "2", "3", "1"], "b": [1, 2, 3, 4], "c": [1, 2, 3, 1]})
    assert not _may_repeat(f, ["a", "b"])
    assert not _may_repeat(f, ["b"])
    assert _may_repeat(f, ["a"])
    assert _may_repeat(f, ["a", "c"])
    # Two columns holding the same values would cancel in a plain XOR of equal hashes.
    same = pl.DataFrame({"a": [1, 2], "b": [1, 2]})
    assert not _may_repeat(same, ["a", "b"])
    assert _may_repeat(pl.DataFrame({"a": [None, None], "b": [1, 1]}), ["a", "b"])


@pytest.mark.parametrize("data", [b"", b"a", b"a\r\nb", b"a\r\nb\r\n", b"a\rb", b"a\r", b"\r\n\r", b"\r\r\n", b"\n\r"])
def test_every_cr_before_lf(data):
    from boligmonitor.ingest.reader import _every_cr_before_lf
    assert _every_cr_before_lf(data) == (data.count(b"\r") == data.count(b"\r\n"))


def test_empty_text_fields_whether_or_not_a_column_has_any(tmp_path):
    """Text columns without any empty field skip the empty-to-null step; the result is the same:
    an empty optional text is null, an empty required one is quarantined (missing_value)."""
    from boligmonitor.ingest.pseudonym import Pseudonymiser
    from boligmonitor.ingest.validate import validate
    pop = register("befolkning")
    header = ";".join(c.raw for c in pop.columns)

    def row(pnr, street="Vej", floor="st", door="th", household="F1"):
        vals = {"PNR": pnr, "FOED_DAG": "01-02-1980", "KOEN": "1", "IE_TYPE": "1", "OPR_LAND": "5100",
                "KOM": "730", "VEJNAVN": street, "HUSNR": "1", "ETAGE": floor, "SIDEDOER": door,
                "POSTNR": "8900", "TILFLYT_DATO": "01-01-2010", "FAMILIE_ID": household}
        return ";".join(vals[c.raw] for c in pop.columns)

    cases = {
        "none_empty": [row("0101801234"), row("0202801234")],
        "floor_empty": [row("0101801234", floor=""), row("0202801234")],
        "street_empty": [row("0101801234", street=""), row("0202801234", door="")],
    }
    out = {}
    for name, lines in cases.items():
        p = _write(tmp_path, "\n".join([header, *lines]) + "\n")
        v = validate(read_raw(p, tmp_path, pop), pop, 2020, Pseudonymiser(b"k"))
        out[name] = (v.rows.select("street", "floor", "door").rows(), sorted(v.quarantine["reason_code"]))
    assert out["none_empty"] == ([("Vej", "st", "th"), ("Vej", "st", "th")], [])
    assert out["floor_empty"] == ([("Vej", None, "th"), ("Vej", "st", "th")], [])
    assert out["street_empty"] == ([("Vej", "st", None)], ["missing_value"])


@pytest.mark.parametrize("reg_name", ["befolkning", "ydelser", "indkomst", "fravaer", "sigtelser"])
def test_checks_without_empty_or_unparseable_fields_are_the_full_checks(reg_name):
    """When no field of a column is empty or unparseable, the shortened parse and checks give the
    same values and reason codes as the full ones (also for unknown codes and values out of range)."""
    import random

    from ingest_helpers import make_pnr, value

    from boligmonitor.ingest.validate import _code, _typed
    reg = register(reg_name)
    rng = random.Random(3)
    rows = [[value(reg, c, 2020, make_pnr(i, rng), i, rng) for c in reg.columns] for i in range(60)]
    f = pl.DataFrame({c.name: [r[j] for r in rows] for j, c in enumerate(reg.columns)})
    for c in reg.columns:  # unknown codes and values out of range keep every field parseable
        if c.dtype == "code":
            f = f.with_columns(pl.when(pl.int_range(pl.len()) % 7 == 0).then(pl.lit("XX"))
                               .otherwise(pl.col(c.name)).alias(c.name))
        elif c.dtype == "int" and c.max is not None:
            f = f.with_columns(pl.when(pl.int_range(pl.len()) % 5 == 0).then(pl.lit(str(int(c.max) + 1)))
                               .otherwise(pl.col(c.name)).alias(c.name))
        elif c.dtype == "date" and c.min is not None:
            f = f.with_columns(pl.when(pl.int_range(pl.len()) % 6 == 0).then(pl.lit("01-01-1800"))
                               .otherwise(pl.col(c.name)).alias(c.name))
    f = f.with_columns(pl.when(pl.col(c.name) == "").then(pl.lit("0")).otherwise(pl.col(c.name)).alias(c.name)
                       for c in reg.columns if c.dtype in ("str", "int"))
    full = f.with_columns([_typed(c) for c in reg.columns])
    short = f.with_columns([_typed(c, may_be_empty=False) for c in reg.columns])
    assert full.equals(short)
    complete = [c for c in reg.columns if full[f"_v_{c.name}"].null_count() == 0]
    assert complete, "the test needs columns without empty or unparseable fields"
    a = full.with_columns([_code(c) for c in complete]).select(f"_e_{c.name}" for c in complete)
    b = full.with_columns([_code(c, complete=True) for c in complete]).select(f"_e_{c.name}" for c in complete)
    assert a.equals(b)
    assert a.select(pl.all().is_not_null().any()).row(0) != (False,) * a.width or reg_name == "indkomst"


def test_whitespace_at_field_end_found_exactly_where_fields_start_or_end_with_it():
    import random

    from boligmonitor.ingest.reader import _at_field_end
    rng = random.Random(5)
    for _ in range(300):
        lines = [";".join("".join(rng.choice("ab ") for _ in range(rng.randint(0, 3))) for _ in range(3))
                 for _ in range(rng.randint(1, 4))]
        body = rng.choice(["\n", "\r\n"]).join(lines).encode()
        fields = [f for line in body.decode().replace("\r\n", "\n").split("\n") for f in line.split(";")]
        expected = any(f.startswith(" ") or f.endswith(" ") for f in fields)
        assert _at_field_end(body, b" ", b";") == expected, body
