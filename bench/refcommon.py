"""What the three reference programs (``bench/ref_*.py``) share: the definitions, the areas, the output.

The references compute the four criteria values (employment, crime, education, income) of
almenboligloven § 61 a for every area, the plan total and the municipality, list years 2018-2025,
the way ``boligmonitor.criteria`` defines them under its default settings:

* employment (list year t): mean of the yearly shares t-2 and t-1; yearly share = full-time persons
  outside the labour market or education (benefit spells on weekdays x extent, capped at 1 per
  person and year, spells de-duplicated on person, benefit and start date keeping the latest file)
  among residents 18-64 on 1 January of the year, in percent;
* crime: mean of the yearly shares t-2 and t-1 of residents 18+ (1 January) with a conviction
  under STRFL, VAABENL or EUFL decided in the year, in percent;
* education: residents 30-59 on 1 January of t whose highest education is basic school, unknown,
  or taken outside Denmark (source not REG/GODK), in percent;
* income: mean gross income in income year t-1 of taxable residents 15-64 living in the group on
  1 January of t, not in education (ongoing education on that date, or an SU spell in the income
  year), in percent of the region's mean.

The definitions (benefit codes, laws, decisions, education sources, plan areas) are read from the
product's declarations, and the area of an address from the plan's address ranges through
``boligmonitor.geo.range_index()`` on the distinct (street, house number) pairs: the only product
code the references run (a few thousand lookups). Everything else -- reading, typing, joining,
counting -- is the reference's own.
"""

from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path

from boligmonitor.areas import KOMMUNE_ID, PLAN_AREA_IDS, PLAN_TOTAL_ID
from boligmonitor.criteria.measures import CRIME_LAWS, EDUCATION_SOURCES_2018
from boligmonitor.criteria.settings import CriteriaSettings

SETTINGS = CriteriaSettings()
OUTSIDE_BENEFITS = tuple(SETTINGS.outside_benefits)
DECISIONS = tuple(SETTINGS.conviction_decisions)
LAWS = tuple(CRIME_LAWS)
EDU_SOURCES = tuple(EDUCATION_SOURCES_2018)
PLAN_AREAS = tuple(PLAN_AREA_IDS)
PLAN_TOTAL, KOMMUNE = PLAN_TOTAL_ID, KOMMUNE_ID
LIST_YEARS = tuple(range(2018, 2026))
CRITERIA = ("employment", "crime", "education", "income")


def parse_args(doc: str) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("raw", type=Path, help="raw extract folder (data/raw layout)")
    ap.add_argument("--out", type=Path, required=True, help="CSV to write: area_id, list_year, criterion, value")
    return ap.parse_args()


def data_years(raw: Path) -> list[int]:
    return sorted(int(p.name) for p in raw.iterdir() if p.is_dir() and p.name.isdigit())


def assign_areas(streets: list[str], numbers: list[str]) -> list[str | None]:
    """Area id (or None) of each (street, house number) by the plan's address ranges."""
    from boligmonitor.geo import range_index

    return range_index().assign(streets, numbers)


def share(num: float | None, den: float | None) -> float | None:
    return None if num is None or not den else 100.0 * num / den


def list_year_values(yearly: dict[tuple[str, str, int], tuple[float, float]],
                     region_income: dict[int, float], last_flow_year: int) -> list[tuple[str, int, str, float | None]]:
    """The criteria values per (group, list year) from the yearly (numerator, denominator) per
    (group, component, year): components 'employment', 'crime', 'education', 'income'."""
    groups = sorted({g for g, _, _ in yearly})
    out = []
    for g in groups:
        for t in LIST_YEARS:
            for crit in ("employment", "crime"):
                shares = []
                for y in (t - 2, t - 1):
                    nd = yearly.get((g, crit, y)) if y <= last_flow_year else None
                    shares.append(None if nd is None else share(*nd))
                out.append((g, t, crit, None if None in shares else sum(shares) / len(shares)))
            nd = yearly.get((g, "education", t))
            out.append((g, t, "education", None if nd is None else share(*nd)))
            iy = t - 1
            nd = yearly.get((g, "income", iy)) if iy <= last_flow_year else None
            region = region_income.get(iy)
            value = None if nd is None or not nd[1] or region is None else 100.0 * (nd[0] / nd[1]) / region
            out.append((g, t, "income", value))
    return out


def write_values(path: Path, rows: list[tuple[str, int, str, float | None]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["area_id", "list_year", "criterion", "value"])
        for g, t, c, v in sorted(rows, key=lambda r: (r[0], r[1], r[2])):
            w.writerow([g, t, c, "" if v is None or (isinstance(v, float) and math.isnan(v)) else repr(float(v))])


def read_values(path: Path) -> dict[tuple[str, int, str], float | None]:
    with path.open(encoding="utf-8") as f:
        return {(r["area_id"], int(r["list_year"]), r["criterion"]): (float(r["value"]) if r["value"] else None)
                for r in csv.DictReader(f)}
