"""Validation rules beyond the column declaration: what the year folder means for each register,
and which dates must come in order. Kept next to the declaration's ``period`` text (registers.py)
and shown in the data dictionary.

Period rules (``year`` is the folder year):

* ``in_year``: the date lies in the year (events registered in the calendar year).
* ``active``: the spell was active in the year: start on or before 31 December and end (when given)
  on or after 1 January.
* ``status``: the dates lie on or before 1 January of the year (status on 1 January).
* ``school_year``: the school year ends in the year (``2019/20`` in the folder 2020).
* ``code_year``: the code ends with the year (election ``KV2021`` in the folder 2021).

A file where at least :data:`WRONG_YEAR_SHARE` of the rows break an ``in_year``, ``active``,
``school_year`` or ``code_year`` rule is in the wrong folder: a file-level error. Single rows that
break it are quarantined (reason ``outside_period``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodRule:
    kind: str  # in_year | active | status | school_year | code_year
    columns: tuple[str, ...]  # staging column names the rule reads

    @property
    def detects_wrong_year(self) -> bool:
        return self.kind != "status"

    def describe(self) -> str:
        c = ", ".join(self.columns)
        return {
            "in_year": f"{c} skal ligge i året",
            "active": f"forløbet ({c}) skal være aktivt i året",
            "status": f"{c} senest 1. januar i året",
            "school_year": f"{c} skal være skoleåret, der slutter i året",
            "code_year": f"koden i {c} skal slutte med året",
        }[self.kind]


PERIOD_RULES: dict[str, PeriodRule] = {
    "befolkning": PeriodRule("status", ("birth_date",)),
    "ydelser": PeriodRule("active", ("start_date", "end_date")),
    "dagtilbud": PeriodRule("active", ("start_date", "end_date")),
    "afgoerelser": PeriodRule("in_year", ("decision_date",)),
    "sigtelser": PeriodRule("in_year", ("charge_date",)),
    "karakterer": PeriodRule("school_year", ("school_year",)),
    "fravaer": PeriodRule("school_year", ("school_year",)),
    "sprogvurdering": PeriodRule("in_year", ("assessment_date",)),
    "ungdomsskole": PeriodRule("in_year", ("enrolled_date",)),
    "ssp": PeriodRule("in_year", ("concern_date",)),
    "udsaettelser": PeriodRule("in_year", ("case_date",)),
    "jobtilskud": PeriodRule("in_year", ("grant_date",)),
    "valgdeltagelse": PeriodRule("code_year", ("election",)),
}

#: Pairs of date columns (earlier, later) that must come in that order when both are given.
DATE_ORDER: dict[str, tuple[tuple[str, str], ...]] = {
    "befolkning": (("birth_date", "moved_in_date"),),
    "ydelser": (("start_date", "end_date"),),
    "dagtilbud": (("start_date", "end_date"),),
    "afgoerelser": (("offence_date", "decision_date"),),
}

#: Share of rows outside the period that makes a file "in the wrong year folder".
WRONG_YEAR_SHARE = 0.5

#: Quarantine reason codes and their Danish text (the reason column adds details).
REASONS: dict[str, str] = {
    "wrong_field_count": "forkert antal felter i rækken",
    "bad_encoding": "ugyldige tegn (rækken er i et andet tegnsæt end resten af filen)",
    "missing_value": "påkrævet værdi mangler",
    "bad_pnr": "ugyldigt personnummer",
    "bad_date": "ugyldig dato (forventet dd-mm-åååå eller åååå-mm-dd, evt. med klokkeslættet 00:00:00)",
    "bad_number": "ikke et tal",
    "bad_bool": "ugyldig ja/nej-værdi (forventet J/N)",
    "unknown_code": "ukendt kode",
    "out_of_range": "umulig værdi (uden for det tilladte interval)",
    "outside_period": "uden for årets opgørelsesperiode",
    "date_order": "datoer i forkert rækkefølge",
    "duplicate_key": "dublet: samme nøgle som en tidligere række i filen",
    "person_not_in_population": "personen findes ikke i nogen befolkningsfil",
}
REASONS.update({
    "control_char": "kontroltegn i værdien",
    "nul_padding": "NUL-tegn i slutningen af filen (afbrudt kopiering? filen kan være afkortet)",
})

# --- Control characters and binary files (decided from the whole file, never a sample) -------

#: C0 control characters and DEL that a text value may not hold (tab, line feed and carriage
#: return are separators or line ends; the reader handles them). As a regular-expression class
#: (for polars' ``str.contains`` or DuckDB's ``regexp_matches``) and as bytes.
CONTROL_CHARS = "".join(chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F))
CONTROL_CHAR_CLASS = "[" + "".join(f"\\x{ord(c):02x}" for c in CONTROL_CHARS) + "]"
CONTROL_BYTES = CONTROL_CHARS.encode("ascii")
#: Names used in reasons (others are shown as U+00XX).
CONTROL_NAMES = {"\x00": "NUL", "\x1a": "SUB", "\x1b": "ESC", "\x7f": "DEL", "\x0b": "VT", "\x0c": "FF"}
#: Start of files that are not text whatever else they hold: zip (xlsx, docx), OLE2 (xls), gzip, PDF.
BINARY_MAGIC = {b"PK\x03\x04": "it looks like a zip/Excel (xlsx) file",
                b"\xd0\xcf\x11\xe0": "it looks like an old Excel (xls) file",
                b"\x1f\x8b": "it looks like a gzip file", b"%PDF": "it looks like a PDF file"}
#: A file (without its trailing NUL padding) with more than this share of NUL bytes is binary.
BINARY_NUL_SHARE = 0.10


def control_name(ch: str) -> str:
    """``"\\x00"`` -> ``"NUL"``; others ``"U+001F"``."""
    return CONTROL_NAMES.get(ch, f"U+{ord(ch):04X}")


def has_control_bytes(data: bytes) -> bool:
    """Whether the bytes hold a control character (one pass in C, any position in the file)."""
    return len(data.translate(None, CONTROL_BYTES)) != len(data)


def binary_kind(data: bytes) -> str | None:
    """Why ``data`` (trailing NUL padding removed) is not a text file, or None: a known binary
    start, or more than :data:`BINARY_NUL_SHARE` NUL bytes over the whole file."""
    for magic, what in BINARY_MAGIC.items():
        if data.startswith(magic):
            return what
    if data and data.count(b"\x00") > BINARY_NUL_SHARE * len(data):
        return f"more than {BINARY_NUL_SHARE:.0%} NUL bytes; UTF-16 without a byte order mark?"
    return None


# --- Completeness: how much of a register-year reached staging --------------------------------

#: A file (register-year) that lost more than this share of its rows to quarantine is incomplete:
#: the criteria and indicators built on that register-year are unknown (``missing_years``), never
#: computed from the rows that are left. 1 %: the criteria's margins are often a few persons in
#: an area of 1,000-3,000 residents, so losing more than 1 % of a year can flip a criterion.
INCOMPLETE_SHARE = 0.01
#: A file where at least this share of the rows fail the same format check on the same column
#: (every date unreadable, every income not a number) is a file-level fault: the build stops and
#: names the file, column and example reason (like a file in the wrong year folder).
FILE_FAULT_SHARE = 0.9
#: Reason codes of format checks (the value cannot be read as its declared type).
FORMAT_CODES = ("bad_pnr", "bad_date", "bad_number", "bad_bool", "control_char")


def is_incomplete(rows_read: int, rows_quarantined: int) -> bool:
    """Whether a file lost more than :data:`INCOMPLETE_SHARE` of its rows to quarantine."""
    return rows_read > 0 and rows_quarantined > INCOMPLETE_SHARE * rows_read


def is_file_fault(rows_read: int, rows_failing_one_check: int) -> bool:
    """Whether one format check on one column failed for (nearly) every row: a file-level fault."""
    return rows_read > 0 and rows_failing_one_check >= FILE_FAULT_SHARE * rows_read
