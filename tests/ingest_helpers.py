"""Small, valid raw extracts written from the register declaration (for ingest and pipeline tests).

``write_raw(folder, years, persons)`` writes ``<folder>/<year>/<register>.csv`` for every yearly
register and ``<folder>/reference/*.csv``, in each register's declared encoding, with ``;``, decimal
comma, ``dd-mm-yyyy`` dates and CRLF for the cp1252 registers, plus ``SYNTHETIC.json`` (so the demo
key applies). Every row is valid; tests then break files on purpose.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

from boligmonitor.ingest.rules import PERIOD_RULES
from boligmonitor.registers import REFERENCE_REGISTERS, YEARLY_REGISTERS, Column, Register


def make_pnr(i: int, rng: random.Random) -> str:
    """A replacement number (day + 60), like the synthetic default uses."""
    d = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 60 * 365))
    return f"{d.day + 60:02d}{d.month:02d}{d.year % 100:02d}{i % 10000:04d}"


def fmt_date(d: dt.date) -> str:
    return d.strftime("%d-%m-%Y")


def _rand_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(0, max(1, (end - start).days + 1)))


def value(reg: Register, c: Column, year: int, pnr: str, i: int, rng: random.Random) -> str:
    rule = PERIOD_RULES.get(reg.name)
    jan1, dec31 = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if c.dtype == "pnr":
        return pnr
    if c.dtype == "date":
        if reg.name == "befolkning":
            if c.name == "birth_date":
                return fmt_date(dt.date(1950 + i % 60, 1 + i % 12, 1 + i % 28))
            return fmt_date(dt.date(2012, 1 + i % 12, 1 + i % 28))
        if rule and rule.kind == "in_year" and c.name == rule.columns[0]:
            return fmt_date(_rand_date(rng, jan1, dec31))
        if c.name == "start_date":
            return fmt_date(_rand_date(rng, dt.date(year - 1, 1, 1), dec31))
        if c.name == "end_date":
            return "" if i % 2 else fmt_date(dt.date(year, 12, 31))
        if c.name == "offence_date":
            return fmt_date(dt.date(year - 1, 6, 1))
        return fmt_date(_rand_date(rng, jan1, dec31))
    if c.dtype == "code":
        keys = list(c.codes or {})
        if rule and rule.kind == "code_year" and c.name in rule.columns:
            keys = [k for k in keys if k.endswith(str(year))] or keys
        return keys[i % len(keys)]
    if c.dtype == "bool":
        return "J" if i % 3 else "N"
    if c.dtype == "int":
        lo, hi = int(c.min if c.min is not None else 0), int(c.max if c.max is not None else 100)
        if c.name == "municipality_code":
            return "730"
        if c.name == "postcode":
            return "8930"
        if c.name == "year":
            return str(year)
        return str(rng.randint(lo, hi))
    if c.dtype == "float":
        lo, hi = c.min if c.min is not None else 0, c.max if c.max is not None else 100
        lo, hi = max(lo, 0), min(hi, lo + 500_000)
        return f"{rng.uniform(lo, hi):.2f}".replace(".", ",")
    if c.name == "school_year":
        return f"{year - 1}/{str(year)[2:]}"
    if c.name == "street":
        return "Glarbjergvej" if i % 2 else "Ålborggade"
    if c.name == "house_number":
        return str(1 + i % 40)
    if c.name == "case_id":
        return f"S{year}-{i:05d}"
    if c.name == "household_id":
        return f"F{i // 2:06d}"
    return "Børnehuset Æblehaven" if c.name == "institution" else f"tekst {i % 7}"


def rows_for(reg: Register, year: int, pnrs: list[str], rng: random.Random) -> list[list[str]]:
    n = len(pnrs) if reg.name in ("befolkning", "uddannelse", "indkomst") else max(3, len(pnrs) // 3)
    return [[value(reg, c, year, pnrs[i % len(pnrs)], i, rng) for c in reg.columns] for i in range(n)]


def write_csv(path: Path, reg: Register, rows: list[list[str]], encoding: str | None = None,
              sep: str = ";", newline: str | None = None, header: list[str] | None = None) -> Path:
    enc = encoding or reg.encoding
    nl = newline or ("\r\n" if enc == "cp1252" else "\n")
    lines = [sep.join(header or reg.raw_headers)] + [sep.join(r) for r in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((nl.join(lines) + nl).encode(enc))
    return path


def write_raw(folder: Path, years=(2019, 2020), persons: int = 30, seed: int = 1) -> list[str]:
    """Write a small valid extract; returns the (valid) person numbers used."""
    rng = random.Random(seed)
    pnrs = [make_pnr(i, rng) for i in range(persons)]
    for year in years:
        for reg in YEARLY_REGISTERS:
            if reg.name == "valgdeltagelse" and not any(k.endswith(str(year)) for k in reg.column("election").codes):
                continue  # only in election years (the register is optional)
            write_csv(folder / str(year) / reg.filename, reg, rows_for(reg, year, pnrs, rng))
    for reg in REFERENCE_REGISTERS:
        if reg.optional:  # eksterne_indikatorer: filled in by the unit; tests that need it write one
            continue
        rows = [[value(reg, c, y, "", y, rng) if c.name != "year" else str(y) for c in reg.columns]
                for y in range(2015, 2026)]
        write_csv(folder / "reference" / reg.filename, reg, rows)
    (folder / "SYNTHETIC.json").write_text(json.dumps({"synthetic": True, "writer": "tests"}))
    return pnrs
