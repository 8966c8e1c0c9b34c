"""``boligmonitor classify INPUT.csv -o OUTPUT.csv``: the engine on area-level figures, no registers.

Input: one row per area and list year (from 2010), columns ``area``, ``year``, ``residents``,
``pct_outside_labour``, ``pct_convicted``, ``national_pct_convicted``, ``pct_basic_education``,
``pct_income_of_region``, ``pct_nonwestern`` and optionally ``on_parallel_list`` (yes/no). The
separator is ``,`` or ``;``. Numbers follow the ingest's number-format rule
(:mod:`boligmonitor.ingest.numbers`): the decimal mark of each column is decided once from all its
values and its plausible range (``12,5`` and ``12.5`` are both fine, but not in one column; a
column whose ``1.500`` could be 1,500 or 1.5 stops with a message naming the file and column). An
empty value (or ``NA``, ``unknown``, ``ukendt``) is missing: the criterion is unknown, never false.

Output: the input columns as given, then ``rule_version``, ``crit_employment``, ``crit_crime``,
``crit_education``, ``crit_income``, ``n_criteria``, ``udsat``, ``parallelsamfund``,
``omdannelse``, ``forebyggelse`` (``true``/``false``/``unknown``; ``n_criteria`` is a number or
``unknown``). Before 2021 ``parallelsamfund`` and ``omdannelse`` hold ghettoområde and hårdt
ghettoområde. A criterion or category that does not exist under the rule version is ``false``.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import polars as pl

from boligmonitor.criteria.engine import FIGURE_COLUMNS, AreaFigures, Classification, classify_series
from boligmonitor.criteria.rules import CRITERIA, FIRST_LIST_YEAR
from boligmonitor.criteria.settings import DEFAULT, CriteriaSettings
from boligmonitor.errors import InputError
from boligmonitor.ingest import numbers

REQUIRED_COLUMNS = ("area", "year", *FIGURE_COLUMNS)
OPTIONAL_COLUMNS = ("on_parallel_list",)
OUTPUT_COLUMNS = (
    "rule_version",
    *(f"crit_{c}" for c in CRITERIA),
    "n_criteria",
    "udsat",
    "parallelsamfund",
    "omdannelse",
    "forebyggelse",
)
MISSING = {"", "na", "n/a", "nan", "unknown", "ukendt", "-", "."}
YES = {"yes", "ja", "j", "true", "1", "y"}
NO = {"no", "nej", "n", "false", "0"}
#: Plausible ranges (a value outside is a malformed row, not a finding).
RANGES = {
    "residents": (0, 1_000_000),
    "pct_outside_labour": (0, 100),
    "pct_convicted": (0, 100),
    "national_pct_convicted": (0, 100),
    "pct_basic_education": (0, 100),
    "pct_income_of_region": (0, 1000),
    "pct_nonwestern": (0, 100),
}


def tri(v: bool | None) -> str:
    return "unknown" if v is None else ("true" if v else "false")


def _decimal_marks(rows: list[tuple[int, dict[str, str]]], path: Path) -> dict[str, numbers.Decision]:
    """The decimal mark of each figure column, decided from all its values (ingest/numbers.py).
    Raises :class:`InputError` naming the file and column when a column is ambiguous."""
    out = {}
    for col in FIGURE_COLUMNS:
        vals = [r[col].strip() for _, r in rows if r[col].strip().lower() not in MISSING]
        lo, hi = RANGES[col]
        try:
            out[col] = numbers.decide(pl.Series(col, vals, dtype=pl.String), lo=lo, hi=hi, whole=col == "residents")
        except numbers.NumberFormatError as e:
            raise InputError(f"ambiguous number format: {e}", path, None, col) from None
    return out


def _number(raw: str, decision: numbers.Decision, path: Path, line: int, column: str) -> float | None:
    s = raw.strip()
    if s.lower() in MISSING:
        return None
    v = numbers.parse_python([s], decision)[0]
    if v is None:
        mark = "decimal comma" if decision.decimal == "," else "decimal point"
        raise InputError(f"{raw!r} is not a number (the column is read with a {mark})", path, line, column)
    if math.isnan(v) or math.isinf(v):
        raise InputError(f"{raw!r} is not a finite number", path, line, column)
    if column == "residents" and v != int(v):
        raise InputError(f"{raw!r} is not a whole number of residents", path, line, column)
    lo, hi = RANGES[column]
    if not lo <= v <= hi:
        raise InputError(f"{raw!r} is outside the allowed range {lo}-{hi}", path, line, column)
    return v


def read_figures(path: Path) -> tuple[list[str], list[dict[str, str]], list[AreaFigures]]:
    """Read and validate the input file: (header, raw rows, figures). Errors name file, line, column."""
    path = Path(path)
    if not path.is_file():
        raise InputError("input file not found", path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="latin-1")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputError("the file is empty (a header line is needed)", path, 1)
    sep = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(lines, delimiter=sep)
    header = [h.strip() for h in next(reader)]
    for col in REQUIRED_COLUMNS:
        if col not in header:
            raise InputError(f"required column missing (need {', '.join(REQUIRED_COLUMNS)})", path, 1, col)
    dupes = {h for h in header if header.count(h) > 1}
    if dupes:
        raise InputError("column appears more than once", path, 1, sorted(dupes)[0])
    raws: list[dict[str, str]] = []
    figs: list[AreaFigures] = []
    seen: dict[tuple[str, int], int] = {}
    rows: list[tuple[int, dict[str, str]]] = []
    for lineno, row in enumerate(reader, start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise InputError(f"{len(row)} fields, the header has {len(header)}", path, lineno)
        rows.append((lineno, dict(zip(header, row))))
    marks = _decimal_marks(rows, path)
    for lineno, raw in rows:
        area = raw["area"].strip()
        if not area:
            raise InputError("area is empty", path, lineno, "area")
        ys = raw["year"].strip()
        if not ys.isdigit():
            raise InputError(f"{raw['year']!r} is not a year", path, lineno, "year")
        year = int(ys)
        if year < FIRST_LIST_YEAR or year > 2100:
            raise InputError(f"list year {year} is outside {FIRST_LIST_YEAR}-2100 (no list before {FIRST_LIST_YEAR})",
                             path, lineno, "year")
        if (area, year) in seen:
            raise InputError(f"area {area!r} has a row for {year} already (line {seen[(area, year)]})",
                             path, lineno, "year")
        seen[(area, year)] = lineno
        values = {c: _number(raw[c], marks[c], path, lineno, c) for c in FIGURE_COLUMNS}
        on_list = None
        if "on_parallel_list" in raw:
            s = raw["on_parallel_list"].strip().lower()
            if s in YES:
                on_list = True
            elif s in NO:
                on_list = False
            elif s not in MISSING:
                raise InputError(f"{raw['on_parallel_list']!r}: write yes or no (or leave empty)",
                                 path, lineno, "on_parallel_list")
        raws.append(raw)
        figs.append(AreaFigures(area=area, list_year=year, on_parallel_list=on_list, **values))
    return header, raws, figs


def output_row(c: Classification) -> dict[str, str]:
    out = {"rule_version": c.rule_version}
    for crit in CRITERIA:
        r = c.criterion(crit, c.criteria[0].threshold_set)
        out[f"crit_{crit}"] = "false" if r is None else tri(r.met)
    out["n_criteria"] = "unknown" if c.n_criteria is None else str(c.n_criteria)
    for cat in ("udsat", "parallelsamfund", "omdannelse", "forebyggelse"):
        out[cat] = tri(c.category(cat))
    return out


def classify_csv(input_path: str | Path, output_path: str | Path, settings: CriteriaSettings = DEFAULT) -> int:
    """Classify the rows of ``input_path`` and write ``output_path``; returns the number of rows."""
    input_path, output_path = Path(input_path), Path(output_path)
    header, raws, figs = read_figures(input_path)
    results = classify_series(figs, settings)
    out_header = header + [c for c in OUTPUT_COLUMNS if c not in header]
    output_path.parent.mkdir(parents=True, exist_ok=True)
    with output_path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=out_header, lineterminator="\n")
        w.writeheader()
        for raw, res in zip(raws, results):
            w.writerow({**raw, **output_row(res)})
    return len(results)
