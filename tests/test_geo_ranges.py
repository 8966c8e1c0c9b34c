"""The plan's address notation, street-name normalisation, lettered numbers, the transcribed table."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from boligmonitor import config
from boligmonitor.areas import AREA_IDS, PLAN_AREA_IDS
from boligmonitor.errors import InputError
from boligmonitor.geo import address_key, range_index
from boligmonitor.geo.ranges import (
    NotationError,
    RangeSpec,
    in_range,
    normalise_house_number,
    normalise_street,
    parse_house_number,
    parse_notation,
    read_range_table,
)

# Every entry of the plan's address lists, verbatim with the plan's line breaks (plan lines 55-104).
PLAN_ENTRIES = {
    "Flyvervej (lige numre 2-26 + 5)": [(2, 26, "even"), (5, 5, "all")],
    "Husarvej (ulige numre 1-29, \nulige numre 41-45, lige numre 2-40) ": [
        (1, 29, "odd"), (41, 45, "odd"), (2, 40, "even")],
    "Gl. Jennumvej (lige numre 6-14) ": [(6, 14, "even")],
    "Kompagnivej (lige numre 2-18)": [(2, 18, "even")],
    "Garnisonsvej 1-3 (ulige numre), 7-19, \n31-35(ulige numre) og 30-40 (lige numre)": [
        (1, 3, "odd"), (7, 19, "all"), (31, 35, "odd"), (30, 40, "even")],
    "Falkevej 1-41 (ulige numre)": [(1, 41, "odd")],
    "Glarbjergvej 88-100 (lige numre), 109-111, \n112-156 (lige numre), ": [
        (88, 100, "even"), (109, 111, "all"), (112, 156, "even")],
    "Nørrebrogade 96-148 (lige numre) ": [(96, 148, "even")],
    "Hadsundvej 85-93 (ulige numre) ": [(85, 93, "odd")],
    "Infanterivej 1-19 (ulige numre) ": [(1, 19, "odd")],
    "Glentevej 3-9 (ulige numre) ": [(3, 9, "odd")],
    "Brigadevej 1-21 (ulige numre)": [(1, 21, "odd")],
    "Rørhaven 2-12 (lige numre)": [(2, 12, "even")],
    "Sivhaven 1-7 (ulige numre)": [(1, 7, "odd")],
    "Basthaven 1-7 (ulige numre)": [(1, 7, "odd")],
    "Bambushaven 1-7 (ulige numre)": [(1, 7, "odd")],
    "Græshaven 2-14 (lige numre)": [(2, 14, "even")],
    "Ved Byskellet 1-29 (ulige numre)": [(1, 29, "odd")],
    "Herman Stillings vej 7-11, 13-27 (ulige numre), \n28-30, 31-37 (ulige numre), 38-44, 46-72 \n(lige numre) ": [
        (7, 11, "all"), (13, 27, "odd"), (28, 30, "all"), (31, 37, "odd"), (38, 44, "all"), (46, 72, "even")],
    "Mærsk Andersens Vej 2-34 (lige numre)": [(2, 34, "even")],
    "P. Knudsens Vej 8-36 (lige numre)": [(8, 36, "even")],
    "Stadfeldtsvej 1-19, 21, 23, 25-37, 39-45 \n(ulige numre)": [
        (1, 19, "all"), (21, 21, "all"), (23, 23, "all"), (25, 37, "all"), (39, 45, "odd")],
    "Asavænget (21,22)": [(21, 21, "all"), (22, 22, "all")],
    "Energivej (4-18 (lige numre), 22, 38-72) ": [(4, 18, "even"), (22, 22, "all"), (38, 72, "all")],
    "Fenrisvej 1-12, 14, 16": [(1, 12, "all"), (14, 14, "all"), (16, 16, "all")],
    "Frejasvej 1-11 (ulige numre)": [(1, 11, "odd")],
    "Friggsvej 2-6 (lige numre)": [(2, 6, "even")],
    "Mariagervej 89-101 (ulige numre)": [(89, 101, "odd")],
    "Ullersvej 2-6 (Lige numre)": [(2, 6, "even")],
    "Vidarsvej 1-16 +18-30 \n(Lige numre)": [(1, 16, "all"), (18, 30, "even")],
    "Vølundsvej 1-9 + 11-15 \n(Ulige numre)": [(1, 9, "all"), (11, 15, "odd")],
    "Ymersvej 21-34 + 36-46 \n(Lige numre)": [(21, 34, "all"), (36, 46, "even")],
}


@pytest.mark.parametrize("entry", list(PLAN_ENTRIES))
def test_every_plan_entry_parses(entry):
    got = [(r.from_number, r.to_number, r.parity) for r in parse_notation(entry)]
    assert got == PLAN_ENTRIES[entry]


def test_street_is_split_from_the_numbers():
    assert parse_notation("P. Knudsens Vej 8-36 (lige numre)")[0].street == "P. Knudsens Vej"
    assert parse_notation("Gl. Jennumvej (lige numre 6-14)")[0].street == "Gl. Jennumvej"
    assert parse_notation("Herman Stillings vej 7-11")[0].street == "Herman Stillings vej"


def test_postfix_scope_list_is_the_documented_alternative():
    rows = parse_notation("Stadfeldtsvej 1-19, 21, 23, 25-37, 39-45 (ulige numre)", postfix_scope="list")
    assert {r.parity for r in rows} == {"odd"}
    rows = parse_notation("Vidarsvej 1-16 +18-30 (Lige numre)", postfix_scope="list")
    assert [r.parity for r in rows] == ["even", "even"]
    # a range with its own note keeps it under either reading
    rows = parse_notation("Garnisonsvej 1-3 (ulige numre), 7-19, 31-35(ulige numre)", postfix_scope="list")
    assert [r.parity for r in rows] == ["odd", "odd", "odd"]


@pytest.mark.parametrize("bad", [
    "1-3 (ulige numre)",  # no street
    "Falkevej 41-1",  # backwards
    "Falkevej (lige numre)",  # parity without numbers
    "Falkevej 1-41 (ulige numre",  # unbalanced
    "Falkevej 1-41 (hver anden)",  # unknown words
    "Falkevej 2-6 (lige numre) (ulige numre)",  # contradictory notes
])
def test_unreadable_notation_is_an_error(bad):
    with pytest.raises(NotationError):
        parse_notation(bad)


def test_range_numbers():
    assert RangeSpec("x", 2, 8, "even").numbers() == [2, 4, 6, 8]
    assert RangeSpec("x", 1, 5, "odd").numbers() == [1, 3, 5]
    assert RangeSpec("x", 109, 111, "all").numbers() == [109, 110, 111]


@pytest.mark.parametrize(("number", "inside"), [
    ("12A", True), ("12a", True), ("12 B", True), ("012", True), ("2", True), ("40", True),
    ("41", False), ("13A", False), ("0", False), ("42", False), ("", False), ("A12", False), ("12-14", False),
])
def test_lettered_house_numbers_in_even_range(number, inside):
    assert in_range(number, 2, 40, "even") is inside


def test_house_number_normalisation():
    assert parse_house_number(" 012 a ") == (12, "A")
    assert normalise_house_number("7") == "7"
    assert normalise_house_number("7b") == "7B"
    assert parse_house_number("st. tv") is None


@pytest.mark.parametrize("variant", [
    "Hermann Stillings Vej", "Herman Stillings vej", "Herman Stillingsvej", "Hermann Stillingsvej",
    "HERMANN STILLINGS VEJ", "hermann  stillings-vej",
])
def test_hermann_stillings_vej_variants(variant):
    assert normalise_street(variant) == normalise_street("Hermann Stillings Vej")


@pytest.mark.parametrize(("a", "b"), [
    ("Gl. Jennumvej", "Gammel Jennumvej"), ("Gl Jennumvej", "gammel jennumvej"), ("GL.JENNUMVEJ", "Gl. Jennumvej"),
    ("Nørrebrogade", "Noerrebrogade"), ("Asavænget", "Asavaenget"), ("Vølundsvej", "VØLUNDSVEJ"),
    ("Mærsk Andersens Vej", "Mærsk Andersensvej"), ("P. Knudsens Vej", "P Knudsens Vej"),
    ("Ved Byskellet", "Ved  byskellet"), ("Stadfeldtsvej", "Stadfeldsvej"),
])
def test_name_variants_meet(a, b):
    assert normalise_street(a) == normalise_street(b)


@pytest.mark.parametrize(("a", "b"), [
    ("Glarbjergvej", "Gammel Arbjergvej"), ("Glentevej", "Gammel Entevej"), ("Falkevej", "Falkegade"),
    ("Husarvej", "Husarstien"),
])
def test_different_streets_stay_apart(a, b):
    assert normalise_street(a) != normalise_street(b)


def test_address_key():
    assert address_key("Herman Stillings vej", "12a", 8930) == address_key("Hermann Stillings Vej", "12A", "8930")
    assert address_key("Husarvej", "12", 8930) != address_key("Husarvej", "12A", 8930)
    assert address_key("Husarvej", "12", 8930) != address_key("Husarvej", "12", 8900)
    assert address_key("Gl. Jennumvej", " 6 ", 8930) == "gammeljennumvej|6|8930"


# --- the transcribed table ----------------------------------------------------------------------

def _table():
    return read_range_table(config.geo_dir() / "address_ranges.csv")


def test_table_agrees_with_the_parser():
    groups = defaultdict(list)
    for r in _table():
        groups[(r.area_id, r.original_text)].append(r)
    for (_area, text), rows in groups.items():
        parsed = parse_notation(text)
        assert [(p.from_number, p.to_number, p.parity) for p in parsed] == [
            (r.from_number, r.to_number, r.parity) for r in rows], text
        for p, r in zip(parsed, rows):
            assert normalise_street(p.street) == normalise_street(r.street), text


def test_table_transcribes_every_plan_entry():
    texts = {r.original_text for r in _table()}
    for entry in PLAN_ENTRIES:
        assert " ".join(entry.split()) in texts, entry


def test_table_covers_every_area_and_marks_decisions():
    rows = _table()
    assert {r.area_id for r in rows} == set(AREA_IDS)
    for r in rows:
        if r.area_id == "sjaellandsgade":
            assert "ASSUMPTION" in r.note
        else:
            assert "plan line" in r.note
    ambiguous = [r for r in rows if "AMBIGUOUS" in r.note]
    # every range without its own parity note in an entry that has parity notes elsewhere is flagged
    by_text = defaultdict(list)
    for r in rows:
        by_text[r.original_text].append(r)
    expected = {(r.street, r.from_number) for rs in by_text.values() if any(x.parity != "all" for x in rs)
                for r in rs if r.parity == "all" and r.from_number != r.to_number}
    assert {(r.street, r.from_number) for r in ambiguous} == expected


def test_table_has_no_overlapping_ranges():
    assert range_index().overlaps() == []


def test_plan_areas_lookup():
    idx = range_index()
    assert idx.area("Husarvej", "12A") == "gl_jennumparken"
    assert idx.area("Husarvej", "31") is None  # 31-39 odd are not in the plan's list
    assert idx.area("Herman Stillingsvej", "46") == "hermann_stillingsvej"
    assert idx.area("Herman Stillingsvej", "45") is None
    assert idx.area("Stadfeldtsvej", "20") is None
    assert idx.area("Gammel Jennumvej", "8") == "gl_jennumparken"
    assert idx.area("Energivej", "40") == "energivej"
    assert idx.area("Ukendt Vej", "1") is None
    assert {idx.area(r.street, r.from_number) for r in idx.rows if r.area_id in PLAN_AREA_IDS} == set(PLAN_AREA_IDS)


def test_table_errors_name_line_and_column(tmp_path):
    src = (config.geo_dir() / "address_ranges.csv").read_text(encoding="utf-8").splitlines()
    header, first = src[0], src[1]
    bad = tmp_path / "r.csv"
    bad.write_text("\n".join([header, first, first.replace(",even,", ",lige,")]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_range_table(bad)
    assert e.value.line == 3 and e.value.column == "parity"
    rows = list(csv.reader([first]))[0]
    rows[2] = "x"
    bad.write_text(header + "\n" + ",".join(f'"{v}"' for v in rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_range_table(bad)
    assert e.value.line == 2 and e.value.column == "from_number"
