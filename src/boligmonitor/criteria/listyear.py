"""Assemble a list year's figures from the per-year components (see ``measures``).

For list year t (settings give the offsets): residents, non-Western share and education are
stocks on 1 January of t; employment and crime average the calendar years before t (t-2 and
t-1 from 2013; t-4 .. t-1 for the 2010-2012 lists); income is income year t-1 relative to the
region's mean. A year whose flows are not complete (``Components.last_flow_year``) or missing
makes the averaged criterion unknown (unless ``allow_partial_average``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from boligmonitor.criteria.engine import AreaFigures
from boligmonitor.criteria.margins import effective_denominator
from boligmonitor.criteria.measures import Components
from boligmonitor.criteria.rules import rules_for
from boligmonitor.criteria.settings import CriteriaSettings


@dataclass
class MeasureDetail:
    measure: str
    value: float | None
    #: (year, numerator, denominator, yearly value) for each year the value is built from
    parts: list[tuple[int, float, float | None, float | None]] = field(default_factory=list)
    #: persons per 100 points for a sustained change, and for a change in the open year only
    persons_per_100: float | None = None
    persons_per_100_open: float | None = None
    reference: float | None = None  # national crime share (avg) or the region's mean income
    missing_years: list[int] = field(default_factory=list)
    projected_years: list[int] = field(default_factory=list)

    @property
    def numerator(self) -> float | None:
        return sum(p[1] for p in self.parts) if self.parts else None

    @property
    def denominator(self) -> float | None:
        if not self.parts or any(p[2] is None for p in self.parts):
            return None
        return sum(p[2] for p in self.parts)


def _share(num: float, den: float | None) -> float | None:
    return None if not den else 100.0 * num / den


def _stock(comp: Components, group: str, component: str, year: int, measure: str,
           projected: set) -> MeasureDetail:
    v = comp.get(group, component, year)
    md = MeasureDetail(measure, None)
    if v is None:
        md.missing_years = [year]
        return md
    num, den = v
    md.parts = [(year, num, den, _share(num, den) if den is not None else num)]
    md.value = num if den is None else _share(num, den)
    md.persons_per_100 = md.persons_per_100_open = den
    if (group, component, year) in projected:
        md.projected_years = [year]
    return md


def _average(comp: Components, group: str, component: str, years: list[int], settings: CriteriaSettings,
             measure: str, projected: set, reference: dict[int, float] | None = None) -> MeasureDetail:
    md = MeasureDetail(measure, None)
    for y in years:
        v = comp.get(group, component, y) if y <= comp.last_flow_year else None
        if v is None or not v[1]:
            md.missing_years.append(y)
            continue
        md.parts.append((y, v[0], v[1], _share(v[0], v[1])))
        if (group, component, y) in projected:
            md.projected_years.append(y)
    if md.missing_years and not (settings.allow_partial_average and md.parts):
        return md
    if not md.parts:
        return md
    if settings.average_method == "pooled":
        md.value = _share(sum(p[1] for p in md.parts), sum(p[2] for p in md.parts))
    else:
        md.value = sum(p[3] for p in md.parts) / len(md.parts)
    dens = [p[2] for p in md.parts]
    md.persons_per_100 = effective_denominator(dens, settings.average_method)
    md.persons_per_100_open = effective_denominator(dens, settings.average_method, open_year_only=True)
    if reference is not None:
        refs = [reference.get(p[0]) for p in md.parts]
        md.reference = None if any(r is None for r in refs) else sum(refs) / len(refs)
    return md


def list_year_figures(comp: Components, group: str, list_year: int, settings: CriteriaSettings,
                      projected: set | None = None) -> tuple[AreaFigures, dict[str, MeasureDetail]]:
    """The engine's input for one group and list year, and the details behind each figure."""
    projected = projected or set()
    rv = rules_for(list_year)
    details: dict[str, MeasureDetail] = {}
    details["residents"] = _stock(comp, group, "residents", list_year, "residents", projected)
    details["nonwestern"] = _stock(comp, group, "nonwestern", list_year, "nonwestern", projected)
    k_emp = rv.measures["employment"].average_years
    details["employment"] = _average(comp, group, "employment", list(range(list_year - k_emp, list_year)),
                                     settings, "employment", projected)
    k_cr = rv.measures["crime"].average_years
    details["crime"] = _average(comp, group, "crime", list(range(list_year - k_cr, list_year)), settings,
                                "crime", projected, comp.national_crime)
    edu_comp = "education_2013" if rv.id in ("2010", "2013") else "education_2018"
    details["education"] = _stock(comp, group, edu_comp, list_year + settings.education_year_offset,
                                  "education", projected)
    iy = list_year + settings.income_year_offset
    inc = MeasureDetail("income", None)
    v = comp.get(group, "income", iy) if iy <= comp.last_flow_year else None
    region = comp.region_income.get(iy)
    if v is None or not v[1] or region is None:
        inc.missing_years = [iy]
    else:
        mean = v[0] / v[1]
        inc.parts = [(iy, v[0], v[1], mean)]
        inc.value = 100.0 * mean / region
        inc.reference = region
        inc.persons_per_100 = inc.persons_per_100_open = v[1]
        if (group, "income", iy) in projected:
            inc.projected_years = [iy]
    details["income"] = inc

    cr = details["crime"]
    fig = AreaFigures(
        area=group,
        list_year=list_year,
        residents=details["residents"].value,
        pct_outside_labour=details["employment"].value,
        pct_convicted=cr.value,
        national_pct_convicted=cr.reference,
        pct_basic_education=details["education"].value,
        pct_income_of_region=details["income"].value,
        pct_nonwestern=details["nonwestern"].value,
    )
    return fig, details
