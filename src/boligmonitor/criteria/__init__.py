"""The criteria engine: almenboligloven §§ 61 a-b computed from the registers, with margins and a forecast.

Step ``run(con, ctx)`` reads ``core.person_year``, ``staging.benefits``, ``staging.education``,
``staging.income``, ``staging.convictions``, ``staging.ref_national_crime`` and
``staging.ref_region_income`` and (re)creates schema ``metrics`` tables below. Settings for the
points the law leaves open come from ``ctx.settings["criteria"]`` (see ``criteria.settings``).
List years are every data year (the first ones mostly unknown: their two-year averages need
earlier data); groups are the six areas, ``helhedsplan`` and ``randers_kommune``.

Tables (person counts are aggregates; full-time persons may be fractional):

``metrics.criteria_components``
    group_id, data_year, component (residents, nonwestern, employment, crime, education_2018,
    education_2013, income), numerator, denominator. Employment and crime are calendar-year
    flows; income is the sum of gross income and the number of income earners in the income year.
``metrics.criteria_values``
    area_id (an area id, ``helhedsplan`` or ``randers_kommune``), list_year, rule_version,
    threshold_set ('udsat', 'forebyggelse'; 'ghetto' before 2018), criterion (employment, crime,
    education, income; before 2018 also nonwestern), value, threshold, comparator ('>', '>=',
    '<'), comparator_wording (Danish), unit, met (NULL = unknown), stated (met from a published
    statement), ratio_national (crime), reference (national crime share or region mean income),
    numerator, denominator (sums over the years used), margin_points (value - threshold),
    margin_persons, flip_direction ('fewer'/'more'), margin_persons_open_year, year_1, value_1,
    numerator_1, denominator_1, year_2, value_2, numerator_2, denominator_2 (the components of
    two-year averages; year_2 NULL for single-year figures), missing_years.
``metrics.margins``
    area_id, list_year, rule_version, condition ('residents', 'nonwestern_parallel',
    'nonwestern_forebyggelse', or '<threshold_set>:<criterion>'), value, threshold, comparator,
    met, margin_points, margin_persons, flip_direction.
``metrics.classification``
    area_id (the six areas), list_year, rule_version, residents, pct_nonwestern, eligible,
    n_criteria (NULL = unknown), n_criteria_min, n_criteria_max, udsat, parallelsamfund,
    omdannelse, forebyggelse (before 2021 parallelsamfund = ghettoområde and omdannelse = hårdt
    ghettoområde; NULL = unknown), name_parallelsamfund, name_omdannelse (the names in force),
    years_udsat, years_parallelsamfund, years_omdannelse, years_forebyggelse (consecutive list
    years on the list ending with this one; a lower bound when earlier years are unknown).
``metrics.employment_categories``
    area_id (areas, helhedsplan, randers_kommune), year (calendar year), category ('A'-'E',
    'total', 'other' if a counted benefit is outside A-E), label, fulltime_persons (NULL for a year
    whose employment component is in ``metrics.criteria_incomplete``).
``metrics.forecast``
    area_id, list_year (the next list), based_on_list_year, rule_version, category,
    category_name, status_latest, status_forecast, change ('enters', 'leaves', 'stays',
    'stays_out', 'unknown').
``metrics.forecast_criteria``
    area_id, list_year, threshold_set, criterion, value, threshold, comparator, met,
    margin_points, margin_persons_open_year, flip_direction, known_years, projected_years.
``metrics.scenarios``
    scenario_id, scenario_title, area_id, list_year, rule_version, projected, residents,
    pct_nonwestern, pct_outside_labour, pct_convicted, national_pct_convicted,
    pct_basic_education, pct_income_of_region, crit_employment, crit_crime, crit_education,
    crit_income, n_criteria, udsat, parallelsamfund, omdannelse, forebyggelse; the latest actual
    list year (projected = false) and ``scenario_horizon`` projected years per scenario,
    including the status-quo scenario ``uaendret``.
``metrics.criteria_settings``
    name, value_text, description, reason: the settings the build used (Danish explanations).
``metrics.criteria_incomplete``
    component, data_year, reason (Danish): component-years left out because a register-year they
    are built on is incomplete or missing (``staging.load_log`` status ``incomplete``/``missing``,
    see ``boligmonitor.ingest.status``); the criteria that use them are unknown, the year is in
    their ``missing_years``. Empty when every input is complete.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from boligmonitor.areas import AREA_IDS, KOMMUNE_ID, PLAN_TOTAL_ID
from boligmonitor.criteria.cli import classify_csv
from boligmonitor.criteria.engine import Classification, classify_one, classify_series
from boligmonitor.criteria.forecast import FORECAST_COLUMNS, FORECAST_CRITERIA_COLUMNS, forecast
from boligmonitor.criteria.listyear import MeasureDetail, list_year_figures
from boligmonitor.criteria.margins import persons_to_flip, residents_margin
from boligmonitor.criteria.measures import Components, compute_components, employment_categories
from boligmonitor.criteria.rules import COMPARATOR_WORDING, compare, rules_for
from boligmonitor.criteria.scenarios import SCENARIO_COLUMNS, STATUS_QUO, run_scenario, shipped_scenarios
from boligmonitor.criteria.settings import SETTING_DOCS, CriteriaSettings, from_mapping
from boligmonitor.steps import BuildContext, StepResult

#: Schemas this step writes (created by the pipeline before it runs alongside another step).
SCHEMAS = ("metrics",)

__all__ = ["run", "classify_csv", "compute", "CriteriaResult"]

VALUE_COLUMNS = (
    "area_id", "list_year", "rule_version", "threshold_set", "criterion", "value", "threshold", "comparator",
    "comparator_wording", "unit", "met", "stated", "ratio_national", "reference", "numerator", "denominator",
    "margin_points", "margin_persons", "flip_direction", "margin_persons_open_year",
    "year_1", "value_1", "numerator_1", "denominator_1", "year_2", "value_2", "numerator_2", "denominator_2",
    "missing_years",
)
MARGIN_COLUMNS = (
    "area_id", "list_year", "rule_version", "condition", "value", "threshold", "comparator", "met",
    "margin_points", "margin_persons", "flip_direction",
)
CLASS_COLUMNS = (
    "area_id", "list_year", "rule_version", "residents", "pct_nonwestern", "eligible", "n_criteria",
    "n_criteria_min", "n_criteria_max", "udsat", "parallelsamfund", "omdannelse", "forebyggelse",
    "name_parallelsamfund", "name_omdannelse",
    "years_udsat", "years_parallelsamfund", "years_omdannelse", "years_forebyggelse",
)
COLUMN_TYPES = {
    "area_id": "VARCHAR", "group_id": "VARCHAR", "list_year": "INTEGER", "year": "INTEGER", "data_year": "INTEGER",
    "based_on_list_year": "INTEGER", "year_1": "INTEGER", "year_2": "INTEGER",
    "met": "BOOLEAN", "stated": "BOOLEAN", "eligible": "BOOLEAN", "projected": "BOOLEAN",
    "udsat": "BOOLEAN", "parallelsamfund": "BOOLEAN", "omdannelse": "BOOLEAN", "forebyggelse": "BOOLEAN",
    "status_latest": "BOOLEAN", "status_forecast": "BOOLEAN",
    "crit_employment": "BOOLEAN", "crit_crime": "BOOLEAN", "crit_education": "BOOLEAN", "crit_income": "BOOLEAN",
    "n_criteria": "INTEGER", "n_criteria_min": "INTEGER", "n_criteria_max": "INTEGER",
    "margin_persons": "INTEGER", "margin_persons_open_year": "INTEGER",
    "years_udsat": "INTEGER", "years_parallelsamfund": "INTEGER", "years_omdannelse": "INTEGER",
    "years_forebyggelse": "INTEGER",
}
_VARCHAR = {
    "rule_version", "threshold_set", "criterion", "comparator", "comparator_wording", "unit", "flip_direction",
    "missing_years", "condition", "name_parallelsamfund", "name_omdannelse", "category", "category_name",
    "change", "known_years", "projected_years", "scenario_id", "scenario_title", "component", "label",
    "name", "value_text", "description", "reason",
}


def _type(col: str) -> str:
    if col in COLUMN_TYPES:
        return COLUMN_TYPES[col]
    return "VARCHAR" if col in _VARCHAR else "DOUBLE"


def _arrow_column(values: list, sql_type: str):
    """The values as one Arrow array whose type DuckDB casts to ``sql_type`` exactly as it casts
    the same Python values bound as parameters; None when the values are too mixed for that."""
    kinds = {type(v) for v in values if v is not None}
    if not kinds:
        return pa.nulls(len(values))
    if kinds == {bool}:
        return pa.array(values, type=pa.bool_())
    if kinds == {int}:
        return pa.array(values, type=pa.int64())
    if kinds <= {int, float} and sql_type != "VARCHAR":  # as text, 3 and 3.0 would read differently
        return pa.array([None if v is None else float(v) for v in values], type=pa.float64())
    if kinds == {float}:
        return pa.array(values, type=pa.float64())
    if kinds == {str}:
        return pa.array(values, type=pa.string())
    return None


def write_table(con: duckdb.DuckDBPyConnection, name: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """``create or replace table name`` with typed columns and the rows.

    The rows go in as one Arrow table (one statement); ``executemany`` ran one insert per row,
    which took seconds for the few thousand rows of this step. Columns whose Python values are
    too mixed to type safely fall back to ``executemany``.
    """
    cols = ", ".join(f"{c} {_type(c)}" for c in columns)
    con.execute(f"create or replace table {name} ({cols})")
    if not rows:
        return
    arrays = []
    for i, c in enumerate(columns):
        try:
            arr = _arrow_column([r[i] for r in rows], _type(c))
        except (pa.ArrowException, OverflowError):
            arr = None
        if arr is None:
            ph = ", ".join("?" for _ in columns)
            con.executemany(f"insert into {name} values ({ph})", [list(r) for r in rows])
            return
        arrays.append(arr)
    con.register("_criteria_rows", pa.table(arrays, names=[f"c{i}" for i in range(len(columns))]))
    try:
        con.execute(f"insert into {name} select * from _criteria_rows")
    finally:
        con.unregister("_criteria_rows")


def _value_rows(c: Classification, details: dict[str, MeasureDetail]) -> list[tuple]:
    rows = []
    for cr in c.criteria:
        md = details[cr.criterion]
        k, direction = persons_to_flip(cr.value, cr.threshold, cr.comparator, md.persons_per_100)
        k_open, _ = persons_to_flip(cr.value, cr.threshold, cr.comparator, md.persons_per_100_open)
        parts = md.parts[-2:] if md.parts else []
        p1 = parts[0] if len(parts) >= 1 else (None, None, None, None)
        p2 = parts[1] if len(parts) >= 2 else (None, None, None, None)
        rows.append((
            c.area, c.list_year, c.rule_version, cr.threshold_set, cr.criterion, cr.value, cr.threshold,
            cr.comparator, COMPARATOR_WORDING[cr.comparator], cr.unit, cr.met, cr.stated, cr.ratio_national,
            md.reference, md.numerator, md.denominator,
            None if cr.value is None or cr.threshold is None else cr.value - cr.threshold,
            k, direction, k_open,
            p1[0], p1[3], p1[1], p1[2], p2[0], p2[3], p2[1], p2[2],
            ",".join(map(str, md.missing_years)) or None,
        ))
    return rows


def _margin_rows(c: Classification, details: dict[str, MeasureDetail],
                 settings_decimals: int | None = None) -> list[tuple]:
    rv = rules_for(c.list_year)
    rows = []
    k, d = residents_margin(c.residents, rv.residents.value)
    rows.append((c.area, c.list_year, c.rule_version, "residents", c.residents, rv.residents.value, ">=",
                 c.eligible, None if c.residents is None else c.residents - rv.residents.value, k, d))
    nw = details["nonwestern"]
    for cond, thr in (("nonwestern_parallel", rv.parallel_nonwestern),
                      ("nonwestern_forebyggelse", rv.forebyggelse.nonwestern if rv.forebyggelse else None)):
        if thr is None:
            continue
        met = None if nw.value is None else compare(nw.value, thr.comparator, thr.value, settings_decimals)
        k, d = persons_to_flip(nw.value, thr.value, thr.comparator, nw.persons_per_100)
        rows.append((c.area, c.list_year, c.rule_version, cond, nw.value, thr.value, thr.comparator, met,
                     None if nw.value is None else nw.value - thr.value, k, d))
    for cr in c.criteria:
        md = details[cr.criterion]
        k, d = persons_to_flip(cr.value, cr.threshold, cr.comparator, md.persons_per_100)
        rows.append((c.area, c.list_year, c.rule_version, f"{cr.threshold_set}:{cr.criterion}", cr.value,
                     cr.threshold, cr.comparator, cr.met,
                     None if cr.value is None or cr.threshold is None else cr.value - cr.threshold, k, d))
    return rows


def _class_row(c: Classification) -> tuple:
    rv = rules_for(c.list_year)
    return (
        c.area, c.list_year, c.rule_version, c.residents, c.pct_nonwestern, c.eligible, c.n_criteria,
        c.n_criteria_min, c.n_criteria_max, c.udsat, c.parallelsamfund, c.omdannelse, c.forebyggelse,
        rv.category_names.get("parallelsamfund"), rv.category_names.get("omdannelse"),
        c.years_on.get("udsat"), c.years_on.get("parallelsamfund"), c.years_on.get("omdannelse"),
        c.years_on.get("forebyggelse"),
    )


class CriteriaResult:
    """Everything the step computes, as rows per table (also used by tests and the notebook)."""

    def __init__(self) -> None:
        self.components: list[tuple] = []
        self.values: list[tuple] = []
        self.margins: list[tuple] = []
        self.classification: list[tuple] = []
        self.classifications: dict[tuple[str, int], Classification] = {}
        self.employment_categories: list[tuple] = []
        self.forecast: list[tuple] = []
        self.forecast_criteria: list[tuple] = []
        self.scenarios: list[tuple] = []


def compute(con: duckdb.DuckDBPyConnection, settings: CriteriaSettings) -> tuple[CriteriaResult, Components]:
    comp = compute_components(con, settings)
    res = CriteriaResult()
    res.components = sorted((g, y, c, n, d) for (g, c, y), (n, d) in comp.values.items())
    areas = [a for a in AREA_IDS if any(g == a for g in comp.groups())]
    latest: dict[str, Classification] = {}
    for group in [*AREA_IDS, PLAN_TOTAL_ID, KOMMUNE_ID]:
        if group not in comp.groups():
            continue
        built = [list_year_figures(comp, group, y, settings) for y in comp.data_years]
        if group in AREA_IDS:
            classes = classify_series([f for f, _ in built], settings)
        else:
            classes = [classify_one(f, settings) for f, _ in built]
        for (_f, details), c in zip(built, classes):
            res.values += _value_rows(c, details)
            if group in AREA_IDS:
                res.margins += _margin_rows(c, details, settings.rounding_decimals)
                res.classification.append(_class_row(c))
                res.classifications[(group, c.list_year)] = c
                latest[group] = c
    # A calendar year whose employment component rests on an incomplete register-year is unknown
    # here too (fulltime_persons NULL; the reason is in metrics.criteria_incomplete).
    res.employment_categories = [
        (g, y, cat, label, None if ("employment", y) in comp.incomplete else fte)
        for g, y, cat, label, fte in employment_categories(con, settings)
        if y <= comp.last_flow_year
    ]
    if comp.data_years:
        res.forecast, res.forecast_criteria = forecast(comp, areas, settings, latest)
        for sc in [STATUS_QUO, *shipped_scenarios()]:
            res.scenarios += run_scenario(comp, sc, areas, settings)
    return res, comp


def run(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> StepResult:
    result = StepResult("criteria")
    try:
        settings = from_mapping((ctx.settings or {}).get("criteria"))
    except ValueError as e:
        result.errors.append(str(e))
        return result
    con.execute("create schema if not exists metrics")
    n_py = con.execute("select count(*) from core.person_year").fetchall()[0][0]
    ctx.say(f"criteria: loaded {n_py:,} person-years and the benefit, education, income and conviction registers")
    res, comp = compute(con, settings)
    ctx.say(f"criteria: computed list years {comp.data_years[0]}-{comp.data_years[-1]} "
            f"(flows complete through {comp.last_flow_year}) for {len(comp.groups())} groups")
    write_table(con, "metrics.criteria_components",
                ("group_id", "data_year", "component", "numerator", "denominator"), res.components)
    write_table(con, "metrics.criteria_values", VALUE_COLUMNS, res.values)
    write_table(con, "metrics.margins", MARGIN_COLUMNS, res.margins)
    write_table(con, "metrics.classification", CLASS_COLUMNS, res.classification)
    write_table(con, "metrics.employment_categories",
                ("area_id", "year", "category", "label", "fulltime_persons"), res.employment_categories)
    write_table(con, "metrics.forecast", FORECAST_COLUMNS, res.forecast)
    write_table(con, "metrics.forecast_criteria", FORECAST_CRITERIA_COLUMNS, res.forecast_criteria)
    write_table(con, "metrics.scenarios", SCENARIO_COLUMNS, res.scenarios)
    write_table(con, "metrics.criteria_settings", ("name", "value_text", "description", "reason"),
                [(k, repr(v), *SETTING_DOCS[k]) for k, v in settings.as_dict().items()])
    write_table(con, "metrics.criteria_incomplete", ("component", "data_year", "reason"),
                sorted((c, y, r) for (c, y), r in comp.incomplete.items()))
    for (c, y), r in sorted(comp.incomplete.items()):
        ctx.say(f"criteria: WARNING {c} {y} is unknown ({r})")
        result.messages.append(f"{c} {y} unknown: {r}")
    for t in ("criteria_components", "criteria_values", "margins", "classification", "employment_categories",
              "forecast", "forecast_criteria", "scenarios", "criteria_settings", "criteria_incomplete"):
        result.table_count(con, f"metrics.{t}")
    listed = [r for r in res.classification if r[9]]
    msg = (f"criteria: saved metrics.classification ({len(res.classification)} area-years, "
           f"{len(listed)} on the udsatte list) and criteria values, margins, forecast and "
           f"{len({r[0] for r in res.scenarios})} scenarios")
    ctx.say(msg)
    result.messages.append(msg)
    return result
