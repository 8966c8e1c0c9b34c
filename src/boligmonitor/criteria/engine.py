"""Classification of area-level figures by the rules in force for each list year, with unknowns.

Three-valued results: ``True``, ``False`` or ``None`` (unknown). A criterion is unknown when its
value is missing (the crime criterion from 2018 also when the national share is missing). A
category is unknown only when the unknowns could change it: the engine enumerates every
combination of outcomes the missing values could have (consistent along each measure's axis,
e.g. employment above 40 % implies above 30 %) and reports a category as known when all
combinations agree. History (omdannelse / hårdt ghettoområde, consecutive years on each list)
comes from the same area's earlier list years.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from boligmonitor.criteria.rules import (
    CATEGORIES,
    RuleVersion,
    Threshold,
    compare,
    rules_for,
)
from boligmonitor.criteria.settings import DEFAULT, CriteriaSettings

#: The engine's input measures (the CLI's column names).
FIGURE_COLUMNS = (
    "residents",
    "pct_outside_labour",
    "pct_convicted",
    "national_pct_convicted",
    "pct_basic_education",
    "pct_income_of_region",
    "pct_nonwestern",
)


@dataclass
class AreaFigures:
    """Area-level figures for one list year (None = missing)."""

    area: str
    list_year: int
    residents: float | None = None
    pct_outside_labour: float | None = None  # two-year average, % of residents 18-64
    pct_convicted: float | None = None  # two-year average, % of residents 18+
    national_pct_convicted: float | None = None  # the same share for the whole country
    pct_basic_education: float | None = None  # % of residents 30-59
    pct_income_of_region: float | None = None  # mean gross income as % of the region's
    pct_nonwestern: float | None = None  # % of all residents
    #: published list membership (parallelsamfund / ghettoområde) when only that is known
    on_parallel_list: bool | None = None
    #: published outcome of a main-list criterion whose value is missing (e.g. the plan says an
    #: area does not meet the education criterion without giving the figure)
    stated: dict[str, bool] = field(default_factory=dict)


@dataclass
class CriterionResult:
    threshold_set: str  # "udsat", "forebyggelse" or "ghetto" (before 2018)
    criterion: str  # employment, crime, education, income, nonwestern (a criterion before 2018)
    value: float | None  # in the unit of the threshold below (crime: % of residents 18+)
    threshold: float | None  # concrete threshold (crime from 2018: factor x national share)
    comparator: str
    unit: str
    met: bool | None
    ratio_national: float | None = None  # crime from 2018: value / national share
    stated: bool = False  # met comes from a published statement, not from a value


@dataclass
class Classification:
    area: str
    list_year: int
    rule_version: str
    residents: float | None
    pct_nonwestern: float | None
    eligible: bool | None  # at least 1,000 residents
    criteria: list[CriterionResult]
    n_criteria: int | None  # main-list criteria met (None: the unknowns could change the count)
    n_criteria_min: int
    n_criteria_max: int
    udsat: bool | None
    parallelsamfund: bool | None  # before 2021: ghettoområde
    omdannelse: bool | None  # before 2021: hårdt ghettoområde
    forebyggelse: bool | None
    #: parallelsamfund as computed from the figures (before a published membership is used)
    parallelsamfund_computed: bool | None = None
    #: consecutive list years on each list ending with this one (None: unknown this year)
    years_on: dict[str, int | None] = field(default_factory=dict)

    def category(self, name: str) -> bool | None:
        return getattr(self, name)

    def criterion(self, name: str, threshold_set: str | None = None) -> CriterionResult | None:
        for c in self.criteria:
            if c.criterion == name and (threshold_set is None or c.threshold_set == threshold_set):
                return c
        return None


# ---------------------------------------------------------------------------------------------
# measures along their axes


def _measure_value(fig: AreaFigures, measure: str, thr: Threshold) -> tuple[float | None, float | None, float | None]:
    """(value, concrete threshold, ratio) for a threshold; value None when missing."""
    if measure == "residents":
        return fig.residents, thr.value, None
    if measure == "nonwestern":
        return fig.pct_nonwestern, thr.value, None
    if measure == "employment":
        return fig.pct_outside_labour, thr.value, None
    if measure == "education":
        return fig.pct_basic_education, thr.value, None
    if measure == "income":
        return fig.pct_income_of_region, thr.value, None
    if measure == "crime":
        if thr.unit == "ratio_national":
            nat = fig.national_pct_convicted
            t = None if nat is None else thr.value * nat
            ratio = None
            if fig.pct_convicted is not None and nat:
                ratio = fig.pct_convicted / nat
            if fig.pct_convicted is None or nat is None:
                return None, t, ratio
            return fig.pct_convicted, t, ratio
        return fig.pct_convicted, thr.value, None
    raise KeyError(measure)


def _all_thresholds(rv: RuleVersion, settings: CriteriaSettings) -> list[tuple[str, str, Threshold]]:
    """(set id or 'structure', measure, threshold) for every condition of the version."""
    out: list[tuple[str, str, Threshold]] = [("structure", "residents", rv.residents)]
    for set_id, ts in rv.threshold_sets().items():
        for measure, thr in ts.criteria.items():
            out.append((set_id, measure, thr))
        if ts.nonwestern is not None:
            out.append((f"{set_id}_nonwestern", "nonwestern", ts.nonwestern))
    if rv.parallel_nonwestern is not None:
        out.append(("parallel_nonwestern", "nonwestern", rv.parallel_nonwestern))
    return out


def _candidate_points(thresholds: list[Threshold]) -> list[float]:
    """Representative values of a missing measure: one in every region its thresholds cut the axis into."""
    vals = sorted({t.value for t in thresholds})
    pts = [vals[0] - 1.0]
    for a, b in zip(vals, vals[1:]):
        pts += [a, (a + b) / 2]
    pts += [vals[-1], vals[-1] + 1.0]
    return pts


def _k3_and(values: Iterable[bool | None]) -> bool | None:
    vals = list(values)
    if any(v is False for v in vals):
        return False
    if all(v is True for v in vals):
        return True
    return None


def _single(outcomes: set) -> bool | int | None:
    return next(iter(outcomes)) if len(outcomes) == 1 else None


def classify_one(
    fig: AreaFigures,
    settings: CriteriaSettings = DEFAULT,
    history: dict[int, bool | None] | None = None,
) -> Classification:
    """Classify one area and list year.

    ``history`` maps earlier list years to the area's parallelsamfund/ghettoområde status (True,
    False, None = unknown; a missing year is unknown); it decides omdannelse/hårdt ghettoområde.
    """
    rv = rules_for(fig.list_year)
    dec = settings.rounding_decimals
    conds = _all_thresholds(rv, settings)

    # Outcome of each condition for each measure: known (one outcome) or a set of possible ones.
    by_measure: dict[str, list[tuple[str, Threshold]]] = {}
    for set_id, measure, thr in conds:
        by_measure.setdefault(measure, []).append((set_id, thr))

    results: list[CriterionResult] = []
    options: list[list[dict[tuple[str, str], bool]]] = []  # per measure: possible outcome dicts
    for measure, items in by_measure.items():
        known: dict[tuple[str, str], bool] = {}
        missing = False
        for set_id, thr in items:
            value, t, _ratio = _measure_value(fig, measure, thr)
            if value is None or t is None:
                missing = True
                break
            known[(set_id, measure)] = compare(value, thr.comparator, t, dec)
        if not missing:
            options.append([known])
            continue
        stated = fig.stated.get(measure)
        worlds = []
        for p in _candidate_points([thr for _, thr in items]):
            w = {(set_id, measure): compare(p, thr.comparator, thr.value) for set_id, thr in items}
            if stated is not None and w.get((rv.main.id, measure), stated) != stated:
                continue
            if w not in worlds:
                worlds.append(w)
        options.append(worlds)

    # Per-criterion results (the four criteria, and the non-Western criterion before 2018).
    for set_id, ts in rv.threshold_sets().items():
        for measure, thr in ts.criteria.items():
            value, t, ratio = _measure_value(fig, measure, thr)
            met: bool | None = None
            stated = False
            if value is not None and t is not None:
                met = compare(value, thr.comparator, t, dec)
            elif set_id == rv.main.id and measure in fig.stated:
                met, stated = fig.stated[measure], True
            results.append(CriterionResult(set_id, measure, value, t, thr.comparator, thr.unit, met, ratio, stated))

    hist_years = []
    if rv.omdannelse_years:
        n_years = settings.omdannelse_years_2021 if rv.id == "2021" else rv.omdannelse_years
        hist_years = [fig.list_year - k for k in range(1, n_years)]
    history = history or {}
    history_ok = _k3_and(history.get(y) for y in hist_years) if hist_years else True

    outs: dict[str, set] = {c: set() for c in (*CATEGORIES, "eligible", "n", "parallel_computed")}
    for combo in itertools.product(*options):
        w: dict[tuple[str, str], bool] = {}
        for part in combo:
            w.update(part)
        eligible = w[("structure", "residents")]
        n_main = sum(w[(rv.main.id, m)] for m in rv.main.criteria)
        main_ok = eligible and n_main >= rv.main.min_criteria
        if rv.parallel_nonwestern is None:  # before 2018: the ghetto list only
            udsat, parallel, fore = False, main_ok, False
            omd: bool | None = False
        else:
            udsat = main_ok
            parallel = udsat and w[("parallel_nonwestern", "nonwestern")]
            omd = history_ok if parallel else False
            fore = False
            fs = rv.forebyggelse
            if fs is not None:
                n_f = sum(w[(fs.id, m)] for m in fs.criteria)
                fore = eligible and w[(f"{fs.id}_nonwestern", "nonwestern")] and n_f >= fs.min_criteria
                if settings.forebyggelse_overlap == "exclude_udsat":
                    fore = fore and not udsat
                elif settings.forebyggelse_overlap == "exclude_parallelsamfund":
                    fore = fore and not parallel
        computed_parallel = parallel
        outs["eligible"].add(eligible)
        outs["n"].add(n_main)
        outs["udsat"].add(udsat)
        outs["parallelsamfund"].add(parallel)
        outs["parallel_computed"].add(computed_parallel)
        outs["omdannelse"].add(omd)
        outs["forebyggelse"].add(fore)

    parallel_computed = _single(outs["parallel_computed"])
    parallel = parallel_computed
    udsat = _single(outs["udsat"])
    omd = _single(outs["omdannelse"])
    if parallel is None and fig.on_parallel_list is not None:
        # Only the published list membership is known for this year: use it.
        parallel = fig.on_parallel_list
        if parallel and rv.parallel_nonwestern is not None and udsat is None:
            udsat = True  # every parallelsamfund/ghettoområde is an udsat area (2018-)
        if not parallel:
            omd = False
        elif hist_years:
            omd = history_ok
    return Classification(
        area=fig.area,
        list_year=fig.list_year,
        rule_version=rv.id,
        residents=fig.residents,
        pct_nonwestern=fig.pct_nonwestern,
        eligible=_single(outs["eligible"]),
        criteria=results,
        n_criteria=_single(outs["n"]),
        n_criteria_min=min(outs["n"]),
        n_criteria_max=max(outs["n"]),
        udsat=udsat,
        parallelsamfund=parallel,
        omdannelse=omd,
        forebyggelse=_single(outs["forebyggelse"]),
        parallelsamfund_computed=parallel_computed,
    )


def classify_series(figures: Iterable[AreaFigures], settings: CriteriaSettings = DEFAULT) -> list[Classification]:
    """Classify every (area, list year), taking each area's history from its earlier years.

    History for omdannelse uses the published membership (``on_parallel_list``) where it is given,
    otherwise the computed status. Returns results in input order.
    """
    figs = list(figures)
    by_area: dict[str, list[int]] = {}
    for i, f in enumerate(figs):
        by_area.setdefault(f.area, []).append(i)
    out: list[Classification | None] = [None] * len(figs)
    for _area, idx in by_area.items():
        idx.sort(key=lambda i: figs[i].list_year)
        history: dict[int, bool | None] = {}
        done: dict[int, Classification] = {}
        for i in idx:
            f = figs[i]
            c = classify_one(f, settings, history)
            history[f.list_year] = f.on_parallel_list if f.on_parallel_list is not None else c.parallelsamfund
            c.years_on = {cat: _streak(done, c, cat) for cat in CATEGORIES}
            done[f.list_year] = c
            out[i] = c
    return [c for c in out if c is not None]


def _streak(done: dict[int, Classification], current: Classification, category: str) -> int | None:
    """Consecutive list years on a list, ending with the current one (a lower bound when an
    earlier year is unknown or missing); None when this year's status is unknown."""
    status = current.category(category)
    if status is None:
        return None
    if not status:
        return 0
    n, y = 1, current.list_year - 1
    while y in done and done[y].category(category) is True:
        n += 1
        y -= 1
    return n
