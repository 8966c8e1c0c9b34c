"""Forecast of the next list from the latest data.

The next list (the year after the last data year, L+1) averages employment and crime over the
calendar years L-1 and L: L-1 is known, L is still running. Everything the next list needs but
the data do not yet hold is carried forward from its latest known year (stocks from 1 January of
L, flows from L-1) and marked as projected. For each area the forecast gives the expected status
on each list, the change from the latest list (``enters``, ``leaves``, ``stays``, ``stays_out``,
``unknown``), and for each criterion the margin in persons: how many residents would have to
change status in the open year alone for the criterion to flip.
"""

from __future__ import annotations

from boligmonitor.criteria.engine import Classification, classify_series
from boligmonitor.criteria.listyear import list_year_figures
from boligmonitor.criteria.margins import persons_to_flip
from boligmonitor.criteria.measures import Components
from boligmonitor.criteria.rules import CATEGORIES, rules_for
from boligmonitor.criteria.settings import CriteriaSettings

FORECAST_COLUMNS = (
    "area_id", "list_year", "based_on_list_year", "rule_version", "category", "category_name",
    "status_latest", "status_forecast", "change",
)
FORECAST_CRITERIA_COLUMNS = (
    "area_id", "list_year", "threshold_set", "criterion", "value", "threshold", "comparator", "met",
    "margin_points", "margin_persons_open_year", "flip_direction", "known_years", "projected_years",
)


def change_label(before: bool | None, after: bool | None) -> str:
    if before is None or after is None:
        return "unknown"
    if after and not before:
        return "enters"
    if before and not after:
        return "leaves"
    return "stays" if after else "stays_out"


def forecast(comp: Components, areas: list[str], settings: CriteriaSettings,
             latest: dict[str, Classification]) -> tuple[list[tuple], list[tuple]]:
    """Rows for ``metrics.forecast`` and ``metrics.forecast_criteria`` (columns above).

    ``latest`` maps area id to its classification on the latest list (with history).
    """
    last = comp.data_years[-1]
    target = last + 1
    filled, projected = comp.carried_forward(target)
    rv = rules_for(target)
    cat_rows: list[tuple] = []
    crit_rows: list[tuple] = []
    for area in areas:
        figs, details_by_year = [], {}
        for y in comp.data_years + (target,):
            f, d = list_year_figures(filled if y == target else comp, area, y, settings,
                                     projected if y == target else None)
            figs.append(f)
            details_by_year[y] = d
        res = classify_series(figs, settings)
        nxt = res[-1]
        cur = latest.get(area)
        for cat in CATEGORIES:
            before = cur.category(cat) if cur else None
            after = nxt.category(cat)
            cat_rows.append((area, target, last, rv.id, cat, rv.category_names.get(cat, cat),
                             before, after, change_label(before, after)))
        det = details_by_year[target]
        for cr in nxt.criteria:
            md = det[cr.criterion]
            k, direction = persons_to_flip(cr.value, cr.threshold, cr.comparator, md.persons_per_100_open)
            known = [p[0] for p in md.parts if p[0] not in md.projected_years]
            crit_rows.append((
                area, target, cr.threshold_set, cr.criterion, cr.value, cr.threshold, cr.comparator, cr.met,
                None if cr.value is None or cr.threshold is None else cr.value - cr.threshold,
                k, direction, ",".join(map(str, known)), ",".join(map(str, md.projected_years)),
            ))
    return cat_rows, crit_rows
