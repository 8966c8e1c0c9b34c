"""Publish step: the aggregates the report site reads and offers for download.

Loads ``core``, ``geo``, ``metrics`` and ``staging.load_log``/``staging.quarantine``; turns them into
tidy tables of aggregates; passes all tables together through disclosure control
(:func:`boligmonitor.disclosure.protect_tables`); saves them as CSV files in ``ctx.published_dir``
together with ``undertrykkelser.csv`` (every suppressed cell, the rule, the relation that forced a
secondary suppression and the audit's interval) and ``manifest.json`` (tables, row counts, whether
the data are synthetic). Nothing person-level is written: each table is built by a query that groups
by area and year (or coarser).

Disclosure control is declared per table, next to its builder, as data: a
:class:`~boligmonitor.disclosure.Protection` with the quantities each column shows (so that the same
count in several tables is one cell), the values derived from them and the additive relations
(areas and their totals, categories and their sum, two-year sums and their years, a share's
complement). A new table only declares its own; the suppression and the linear-programming audit
run over all published tables together. A table built from other tables' *protected* output
(``Table.after``, e.g. goal statuses from the indicators) is built after them and audited with
them. A failed audit is a publish error: the build stops and the previous published folder stays.

The tables (names are the CSV file stems, Danish for the downloads; columns in English):
see :data:`TABLES`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import polars as pl

from boligmonitor import config, flows, goals
from boligmonitor.areas import AREA_IDS, KOMMUNE_ID, PLAN_AREA_IDS, PLAN_TOTAL_ID
from boligmonitor.db import frame
from boligmonitor.disclosure import (
    COUNT,
    FTE,
    MAGNITUDE,
    Additive,
    ColumnSum,
    Derived,
    DisclosureAuditError,
    Measure,
    Protection,
    QuantitySum,
    Ref,
    Same,
    SuppressionLog,
    Together,
    audit,
    protect_tables,
)
from boligmonitor.registers import ELECTIONS
from boligmonitor.steps import BuildContext, StepResult


@dataclass(frozen=True)
class Table:
    name: str
    title: str  # Danish, for the download page
    description: str  # Danish
    build: Callable[..., pl.DataFrame]  # (con, log) -> frame; with ``after``: (con, log, frames)
    count_columns: tuple[str, ...] = ()  # person counts that must never be 1..n-1 (belt and braces)
    #: What the columns show and which relations hold (None: nothing about persons, e.g. row counts).
    protection: Protection | None = None
    #: Tables whose protected output ``build`` reads (passed as a dict name -> frame).
    after: tuple[str, ...] = ()
    #: Columns added to the table's own protected frame (computed from it only, e.g. the goal status
    #: of each indicator row): ``finish(protected frame) -> frame``.
    finish: Callable[[pl.DataFrame], pl.DataFrame] | None = None


AREA = {"area": "area_id", "year": "year"}
#: The area relations every table by area declares: the five plan areas add up to ``helhedsplan``;
#: ``randers_kommune`` is ``helhedsplan`` + ``sjaellandsgade`` + the rest of the municipality.
AREA_RELATIONS = (
    Additive("de fem boligområder lagt sammen giver alle fem boligområder", "area", PLAN_TOTAL_ID,
             PLAN_AREA_IDS),
    Additive("Randers Kommune = alle fem boligområder + Sjællandsgadekvarteret + resten af kommunen",
             "area", KOMMUNE_ID, (PLAN_TOTAL_ID, "sjaellandsgade"), remainder=True),
)


def _area_rows_sql(select_area: str) -> str:
    """Rows for each monitored area, all five plan areas together, and the whole municipality."""
    plan = ", ".join(f"'{a}'" for a in PLAN_AREA_IDS)
    return f"""
        select area_id, * exclude (area_id) from ({select_area}) where area_id is not null
        union all
        select '{PLAN_TOTAL_ID}' as area_id, * exclude (area_id) from ({select_area}) where area_id in ({plan})
        union all
        select '{KOMMUNE_ID}' as area_id, * exclude (area_id) from ({select_area})
    """


def population(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    rows = _area_rows_sql("select area_id, year, age, nonwestern from core.person_year")
    df = frame(con, f"""
        select area_id, year,
               count(*) as residents,
               count(*) filter (where age < 18) as under_18,
               count(*) filter (where age between 18 and 64) as age_18_64,
               count(*) filter (where age >= 65) as age_65_plus,
               count(*) filter (where nonwestern) as nonwestern
        from ({rows}) group by all order by area_id, year
    """)
    df = df.with_columns(
        (100 * pl.col("under_18") / pl.col("residents")).round(1).alias("pct_under_18"),
        (100 * pl.col("nonwestern") / pl.col("residents")).round(1).alias("pct_nonwestern"),
    )
    return df


POPULATION = Protection(
    keys=("area_id", "year"),
    measures=tuple(Measure(c, c, AREA) for c in ("residents", "under_18", "age_18_64", "age_65_plus",
                                                  "nonwestern")),
    derived=(Derived(("pct_under_18",), ("under_18", "residents")),
             Derived(("pct_nonwestern",), ("nonwestern", "residents"))),
    relations=(*AREA_RELATIONS,
               ColumnSum("beboere = under 18 år + 18-64 år + 65 år og derover", "residents",
                         ("under_18", "age_18_64", "age_65_plus")),
               ColumnSum("beboere = ikke-vestlige + øvrige beboere", "residents", ("nonwestern",),
                         remainder=True),
               QuantitySum("voksne = 18-64 år + 65 år og derover", "adults", ("age_18_64", "age_65_plus"))),
)


def address_reconciliation(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    df = frame(con, """
        select year, coalesce(area_id, 'ingen') as area_id, match_status, addresses, residents
        from geo.reconciliation order by year, area_id, match_status
    """)
    return df


RECONCILIATION = Protection(
    keys=("year", "area_id", "match_status"),
    measures=(Measure("residents", "reconciliation_residents", {**AREA, "match_status": "match_status"}),),
    relations=(
        Additive("beboerne i et område fordelt efter adressetildeling", "match_status", None, None,
                 quantities=("reconciliation_residents",), total_quantity="residents"),
        Additive("Randers Kommune = de seks områder + adresser uden for områderne", "area", KOMMUNE_ID,
                 (*AREA_IDS, "ingen"), quantities=("residents",)),
    ),
)


def load_summary(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    """Per raw file: rows read, loaded and quarantined (row counts, not persons), and the status."""
    return frame(con, """
        select source_file, register, year, rows_read, rows_loaded, rows_quarantined, status
        from staging.load_log order by register, year, source_file
    """)


def quarantine_reasons(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    """Quarantined rows per register, year, column and reason (no values: they may identify)."""
    return frame(con, """
        select register, year, column_name, reason, count(*) as rows
        from staging.quarantine group by all order by register, year, column_name, reason
    """)


def criteria_values(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    """The criteria per area and list year with thresholds, verdicts and margins.

    A value resting on fewer than the minimum number of persons (typically the crime share of a
    small area) is hidden together with everything it could be recovered from: its numerator,
    denominator, the margins and the two yearly components. The verdict (``met``) stays: the lists
    are public, and it only says on which side of the threshold the value lies.
    """
    df = frame(con, f"""
        with r as (select area_id, list_year, threshold_set, criterion,
                          string_agg(distinct reason, '; ' order by reason) as missing_reason
                   from ({_CRITERIA_REASONS}) group by all)
        select area_id, list_year, rule_version, threshold_set, criterion, value, threshold, comparator,
               comparator_wording, unit, met, ratio_national, reference, numerator, denominator,
               margin_points, margin_persons, flip_direction, margin_persons_open_year,
               year_1, value_1, numerator_1, denominator_1, year_2, value_2, numerator_2, denominator_2,
               missing_years, r.missing_reason
        from metrics.criteria_values c left join r using (area_id, list_year, threshold_set, criterion)
        order by area_id, list_year, threshold_set, criterion
    """)
    return df


#: One row per criterion value (area, list year, threshold set, criterion) and each reason why one of
#: its ``missing_years`` is missing because the register-year behind it is incomplete or missing
#: (``metrics.criteria_incomplete``; components: the criterion's own, both education stocks).
_CRITERIA_REASONS = """
    select c.area_id, c.list_year, c.threshold_set, c.criterion, ci.reason
    from metrics.criteria_values c join metrics.criteria_incomplete ci
      on (ci.component = c.criterion or (c.criterion = 'education' and ci.component like 'education_%'))
     and list_contains(string_split(c.missing_years, ','), ci.data_year::VARCHAR)
    where c.missing_years is not null
"""


def _criteria_protection() -> Protection:
    crit = pl.col("criterion")
    kinds = ((crit.is_in(["crime", "education"]), COUNT), (crit == "employment", FTE),
             (crit == "income", MAGNITUDE))
    list_dims = {"area": "area_id", "year": "list_year"}
    measures = []
    for suffix, dims in (("", list_dims), ("_1", {"area": "area_id", "year": "year_1"}),
                         ("_2", {"area": "area_id", "year": "year_2"})):
        level = "" if not suffix else "_year"
        for cond, kind in kinds:
            measures.append(Measure(f"numerator{suffix}", pl.format(f"crit.{{}}.num{level}", crit), dims, kind, cond))
        measures.append(Measure(f"denominator{suffix}", pl.format(f"crit.{{}}.den{level}", crit), dims, COUNT))
    persons = crit != "income"
    return Protection(
        keys=("area_id", "list_year", "threshold_set", "criterion"),
        measures=tuple(measures),
        derived=(Derived(("value", "ratio_national", "margin_points", "margin_persons"), ("numerator", "denominator")),
                 Derived(("margin_persons_open_year",), ("numerator", "denominator", "numerator_1", "denominator_1",
                                                         "numerator_2", "denominator_2")),
                 Derived(("value_1",), ("numerator_1", "denominator_1")),
                 Derived(("value_2",), ("numerator_2", "denominator_2"))),
        together=tuple(Together((f"numerator{s}", f"denominator{s}"), crit == "income") for s in ("", "_1", "_2")),
        relations=(
            *AREA_RELATIONS,
            ColumnSum("toårsgennemsnit: tælleren = de to års tællere", "numerator", ("numerator_1", "numerator_2")),
            ColumnSum("toårsgennemsnit: nævneren = de to års nævnere", "denominator",
                      ("denominator_1", "denominator_2")),
            ColumnSum("kriteriets nævner = tæller + øvrige", "denominator", ("numerator",), True, persons),
            ColumnSum("årets nævner = årets tæller + øvrige", "denominator_1", ("numerator_1",), True, persons),
            ColumnSum("årets nævner = årets tæller + øvrige", "denominator_2", ("numerator_2",), True, persons),
            Same("beskæftigelseskriteriets nævner er beboerne 18-64 år", ("age_18_64", "crit.employment.den_year")),
            Same("kriminalitetskriteriets nævner er de voksne beboere", ("adults", "crit.crime.den_year")),
            Same("uddannelseskriteriets nævner er beboerne 30-59 år", ("age_30_59", "crit.education.den_year")),
        ),
        drop=("numerator_1", "denominator_1", "numerator_2", "denominator_2"),
    )


CRITERIA = _criteria_protection()


def classification(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    """The classification per area and list year; ``missing_reason`` names every incomplete or missing
    register-year one of its inputs (a criterion, the residents or the non-Western share of the list
    year) rests on (null when every input is complete; the null columns show what is unknown)."""
    df = frame(con, f"""
        with r as (
            select area_id, list_year, string_agg(distinct reason, '; ' order by reason) as missing_reason
            from (select area_id, list_year, reason from ({_CRITERIA_REASONS})
                  union all
                  select cl.area_id, cl.list_year, ci.reason from metrics.classification cl
                  join metrics.criteria_incomplete ci
                    on ci.component in ('residents', 'nonwestern') and ci.data_year = cl.list_year)
            group by all)
        select area_id, list_year, rule_version, residents, pct_nonwestern, eligible, n_criteria,
               n_criteria_min, n_criteria_max, udsat, parallelsamfund, omdannelse, forebyggelse,
               name_parallelsamfund, name_omdannelse, years_udsat, years_parallelsamfund,
               years_omdannelse, years_forebyggelse, r.missing_reason
        from metrics.classification left join r using (area_id, list_year) order by area_id, list_year
    """)
    return df


CLASSIFICATION = Protection(
    keys=("area_id", "list_year"),
    measures=(Measure("residents", "residents", {"area": "area_id", "year": "list_year"}),),
    derived=(Derived(("pct_nonwestern",), ("residents", Ref("nonwestern", {"area": "area_id", "year": "list_year"}))),),
)


def employment_categories(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    """Full-time persons by the plan's categories A-E; a year built on an incomplete or missing
    register-year has fulltime_persons null and ``missing_reason`` (from ``metrics.criteria_incomplete``)."""
    return frame(con, """
        select area_id, year, category, label, round(fulltime_persons, 1) as fulltime_persons, ci.reason as missing_reason
        from metrics.employment_categories e
        left join metrics.criteria_incomplete ci on ci.component = 'employment' and ci.data_year = e.year
        order by area_id, year, category
    """)


EMPLOYMENT = Protection(
    keys=("area_id", "year", "category"),
    measures=(Measure("fulltime_persons", "employment_fte", {**AREA, "category": "category"}, FTE),),
    relations=(*AREA_RELATIONS,
               Additive("kategorierne A-E lagt sammen giver i alt", "category", "total", ("A", "B", "C", "D", "E"))),
)


def forecast(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    """The forecast for the next list: per area and category, the latest status and the forecast."""
    return frame(con, """
        select area_id, list_year, based_on_list_year, rule_version, category, category_name,
               status_latest, status_forecast, change
        from metrics.forecast order by area_id, category
    """)


def forecast_criteria(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    """The forecast's criteria values with the margin in persons for the year still open.

    A projected share is checked against the latest number of residents it applies to (adults for
    crime, 18-64 for employment, 30-59 for education): a share implying fewer than the minimum number
    of persons is hidden with its margins.
    """
    bases = frame(con, f"""
        select area_id, max(year) as year,
               arg_max(n18, year) as adults, arg_max(n1864, year) as age_18_64, arg_max(n3059, year) as age_30_59
        from (select area_id, year, count(*) filter (where age >= 18) n18,
                     count(*) filter (where age between 18 and 64) n1864,
                     count(*) filter (where age between 30 and 59) n3059
              from ({_area_rows_sql("select area_id, year, age from core.person_year")}) group by all)
        group by area_id
    """)
    df = frame(con, """
        select area_id, list_year, threshold_set, criterion, value, threshold, comparator, met,
               margin_points, margin_persons_open_year, flip_direction, known_years, projected_years
        from metrics.forecast_criteria order by area_id, threshold_set, criterion
    """).join(bases.drop("year"), on="area_id", how="left")
    base = (pl.when(pl.col("criterion") == "crime").then(pl.col("adults"))
            .when(pl.col("criterion") == "employment").then(pl.col("age_18_64"))
            .when(pl.col("criterion") == "education").then(pl.col("age_30_59"))
            .otherwise(None))
    base_quantity = (pl.when(pl.col("criterion") == "crime").then(pl.lit("adults"))
                     .when(pl.col("criterion") == "employment").then(pl.lit("age_18_64"))
                     .when(pl.col("criterion") == "education").then(pl.lit("age_30_59")))
    df = df.join(bases.select("area_id", pl.col("year").alias("_year")), on="area_id", how="left")
    df = df.with_columns(base.alias("_base"), base_quantity.alias("_base_quantity")).with_columns(
        pl.when(pl.col("_base").is_not_null()).then(pl.col("value") / 100 * pl.col("_base")).alias("_persons"))
    # The year whose share the forecast carries forward (the known year of a two-year criterion, else
    # the year before the projected one): the forecast shows that year's share from the criteria.
    known = pl.col("known_years").cast(pl.Utf8).str.split(",").list.last().str.strip_chars()
    df = df.with_columns(pl.when(known.str.len_chars() > 0).then(known.cast(pl.Int64, strict=False))
                         .otherwise(pl.col("projected_years").cast(pl.Int64, strict=False) - 1).alias("_known_year"))
    return df.drop(["adults", "age_18_64", "age_30_59"]).sort(["area_id", "threshold_set", "criterion"])


# A projected share is checked against the latest number of residents it applies to; income is a
# mean of hundreds of earners in every area (checked on the published criteria).
FORECAST_CRITERIA = Protection(
    keys=("area_id", "threshold_set", "criterion"),
    measures=(Measure("_base", pl.col("_base_quantity"), {"area": "area_id", "year": "_year"}),
              Measure("_persons", pl.format("forecast.{}.persons", pl.col("criterion")), {"area": "area_id"})),
    derived=(Derived(("value", "margin_points", "margin_persons_open_year"), (
        "_persons", "_base",
        Ref(pl.format("crit.{}.num_year", pl.col("criterion")), {"area": "area_id", "year": "_known_year"}),
        Ref(pl.format("crit.{}.den_year", pl.col("criterion")), {"area": "area_id", "year": "_known_year"}))),),
    relations=(ColumnSum("prognosens andel: grundlaget = de beregnede personer + øvrige", "_base", ("_persons",),
                         remainder=True),
               QuantitySum("voksne = 18-64 år + 65 år og derover", "adults", ("age_18_64", "age_65_plus"))),
    drop=("_base", "_persons", "_base_quantity", "_year", "_known_year"),
)


def scenarios(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    """Scenario projections (the plan's targets, user scenarios, status quo) to a classification."""
    df = frame(con, "select * from metrics.scenarios order by scenario_id, area_id, list_year")
    # A projected year starts from the latest actual year: its numbers derive from that year's cells.
    return df.with_columns(pl.col("list_year").filter(~pl.col("projected")).max()
                           .over(["scenario_id", "area_id"]).alias("_base_year"))


def _scenario_protection() -> Protection:
    actual = ~pl.col("projected")
    base = {"area": "area_id", "year": "_base_year"}
    crit = {"pct_outside_labour": "employment", "pct_convicted": "crime", "pct_basic_education": "education",
            "pct_income_of_region": "income"}
    return Protection(
        keys=("scenario_id", "area_id", "list_year"),
        measures=(Measure("residents", "residents", {"area": "area_id", "year": "list_year"}, where=actual),),
        derived=(Derived(("residents",), (Ref("residents", base),), where=pl.col("projected")),
                 Derived(("pct_nonwestern",), (Ref("residents", base), Ref("nonwestern", base))),
                 *(Derived((col,), (Ref(f"crit.{c}.num", base), Ref(f"crit.{c}.den", base))) for col, c in crit.items())),
        drop=("_base_year",),
    )


SCENARIOS = _scenario_protection()


def criteria_settings(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    return frame(con, "select name, value_text, description, reason from metrics.criteria_settings")


def indicator_catalogue() -> pl.DataFrame:
    """The plan's indicators (``data/indicators.csv``): names, units, plan baselines and targets."""
    return pl.read_csv(config.package_data("indicators.csv"), separator=";", infer_schema_length=0)


def indicators(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    """The plan's indicators per area and year (registers, and the unit's external file), with
    disclosure control by unit, then the goal columns. An indicator-year that cannot be measured
    because a register-year it rests on is incomplete or missing is a row with numerator, denominator
    and value null and ``missing_reason`` ("kan ikke måles: ydelser 2021 er ufuldstændig (...)"); the
    null values are no cells for the disclosure model, so :data:`INDICATORS` needs no declaration for
    them. Then the goal columns (:func:`boligmonitor.goals.annotate_indicators`)
    computed from the protected rows only."""
    cat = indicator_catalogue().filter(pl.col("indicator_id").is_not_null()).select(
        pl.col("id").alias("plan_id"), "indicator_id", pl.col("name_da").alias("name"))
    # Turnout at the later elections the plan asks to follow (KV 2021, FV 2022, EP 2024) is computed
    # like the plan's S9 indicators; it is published under the same plan id.
    later = [(f"turnout_{code}", f"Valgdeltagelse, {ELECTIONS[code]}") for code in ELECTIONS
             if f"turnout_{code}" not in cat["indicator_id"].to_list()]
    if later:
        cat = pl.concat([cat, pl.DataFrame({"plan_id": ["S9"] * len(later), "indicator_id": [i for i, _ in later],
                                            "name": [n for _, n in later]})])
    df = frame(con, """
        select area_id, year, indicator_id, numerator, denominator, value, unit
        from metrics.indicators order by indicator_id, area_id, year
    """).with_columns(pl.lit(False).alias("_external"))
    # External indicators (survey shares from data/raw/reference, e.g. VIVE's): published by their
    # source already, not register counts; they take no part in the disclosure model.
    ext = goals.external_rows(con).with_columns(pl.lit(True).alias("_external"))
    # Indicator-years built on an incomplete or missing register-year (metrics.indicator_gaps): one row
    # per area the indicator is published for, values null (not cells: nothing to protect), and the reason.
    gaps = frame(con, """
        with g as (select indicator_id, year, string_agg(distinct reason, '; ' order by reason) as missing_reason
                   from metrics.indicator_gaps group by all),
             a as (select distinct indicator_id, area_id, unit from metrics.indicators)
        select a.area_id, g.year, g.indicator_id, null::DOUBLE as numerator, null::DOUBLE as denominator,
               null::DOUBLE as value, a.unit, g.missing_reason
        from g join a using (indicator_id)
    """).with_columns(pl.lit(False).alias("_external"))
    df = pl.concat([df, ext, gaps], how="diagonal_relaxed").join(cat, on="indicator_id", how="inner")
    return df.sort(["plan_id", "area_id", "year", "indicator_id"], maintain_order=True).select(
        "plan_id", "indicator_id", "name", "area_id", "year", "unit", "numerator", "denominator", "value",
        pl.col("missing_reason").cast(pl.Utf8), "_external")


def goal_status(con: duckdb.DuckDBPyConnection, log: SuppressionLog, frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Status of every goal per area (group) and year, derived from the protected ``indikatorer`` only
    (a group's value is a sum of published values, so it shows nothing the indicators hide)."""
    return goals.status_frame(frames["indikatorer"])


def baseline_check(con: duckdb.DuckDBPyConnection, log: SuppressionLog,
                   frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """The computed baseline-year values beside the plan's printed baselines (from the protected ``indikatorer``)."""
    return goals.baseline_reproduction(frames["indikatorer"])


def _indicator_protection() -> Protection:
    unit, ind = pl.col("unit"), pl.col("indicator_id")
    register = ~pl.col("_external")
    unit = pl.when(register).then(unit)  # external rows measure nothing (null unit matches no rule)
    num = pl.format("ind.{}.num", ind)
    den = pl.format("ind.{}.den", ind)
    share = unit.is_in(["pct", "per_1000"])
    fte_share = ind == "outside_labour_share"  # numerator in full-time persons (indicator S5)
    lang = ("lang_general_share", "lang_focused_share", "lang_special_share")
    return Protection(
        keys=("indicator_id", "area_id", "year"),
        drop=("_external",),
        measures=(
            # counts of persons or cases, and full-time persons: numerator and value are the same cell
            *(Measure(c, num, AREA, COUNT, unit == "count") for c in ("numerator", "value")),
            *(Measure(c, num, AREA, FTE, unit == "fte") for c in ("numerator", "value")),
            Measure("numerator", num, AREA, COUNT, share & ~fte_share),
            Measure("numerator", num, AREA, FTE, share & fte_share),
            Measure("denominator", den, AREA, COUNT, share | (unit == "mark")),
            Measure("numerator", num, AREA, MAGNITUDE, unit == "mark"),  # sum of marks
        ),
        derived=(Derived(("value",), ("numerator", "denominator"), (share | (unit == "mark")).fill_null(False)),),
        together=(Together(("numerator", "denominator"), unit == "mark"),),
        relations=(
            *AREA_RELATIONS,
            ColumnSum("andelens nævner = tæller + øvrige", "denominator", ("numerator",), True, share),
            Same("S5's tæller er indikator B3", ("ind.outside_labour_share.num", "ind.outside_labour_fte.num")),
            Same("S5's nævner er beboerne 18-64 år", ("ind.outside_labour_share.den", "age_18_64")),
            Same("S4 og S6 har samme nævner (15-29-årige)", ("ind.neet_15_29_share.den", "ind.charged_15_29_share.den")),
            Same("U1a-c har samme nævner", tuple(f"ind.{i}.den" for i in lang)),
            QuantitySum("U1a + U1b + U1c = de testede elever", f"ind.{lang[0]}.den",
                        tuple(f"ind.{i}.num" for i in lang)),
        ),
    )


INDICATORS = _indicator_protection()


def indicator_catalogue_table(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    return indicator_catalogue()


def flow_counts(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    """``flytninger`` as computed (``metrics.flows``); disclosure control by :data:`FLOWS`. The model-only
    columns place each count also at the year it starts from (an out-flow of year y leaves the residents
    of 1 January y - 1)."""
    df = frame(con, """select area_id, year, flow, direction, counterpart, persons from metrics.flows
                       order by area_id, year, flow""")
    return df.with_columns((pl.col("year") - 1).alias("_start_year"), pl.col("persons").alias("_persons_start"))


def area_moves(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    """``flytninger_omraader`` as computed: moves between the monitored areas, every pair and year
    (zeros included, see :func:`boligmonitor.flows.published_area_moves`); disclosure control by
    :data:`AREA_MOVES`."""
    ids = ", ".join(f"'{a}'" for a in AREA_IDS)
    df = frame(con, f"""
        select year, from_location, to_location, persons from metrics.flow_matrix
        where from_location in ({ids}) and to_location in ({ids}) and from_location <> to_location
    """)
    years = [r[0] for r in con.execute("select distinct year from metrics.flow_matrix order by 1").fetchall()]
    grid = pl.DataFrame([(y, a, b) for y in years for a in AREA_IDS for b in AREA_IDS if a != b],
                        schema={"year": df.schema["year"], "from_location": pl.Utf8, "to_location": pl.Utf8},
                        orient="row")
    keys = ["year", "from_location", "to_location"]
    df = grid.join(df, on=keys, how="left").with_columns(pl.col("persons").fill_null(0)).sort(keys)
    return df.with_columns(pl.col("persons").alias("_persons_in"))


def flow_profiles(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    """``flytninger_profiler`` (:func:`boligmonitor.flows.published_profiles`); disclosure control by
    :data:`PROFILES`."""
    return flows.published_profiles(con)


def flow_decomposition(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    """``kriterier_dekomponering`` (:func:`boligmonitor.flows.published_decomposition`); disclosure
    control by :data:`DECOMPOSITION`."""
    return flows.published_decomposition(con)


_IN_FLOWS = [f for f, d, _ in flows.FLOWS if d in ("stayed", "in")]
_OUT_FLOWS = list(dict.fromkeys(f for f, d, _ in (*flows.FLOWS, *flows.FLOWS_NO_DEATHS) if d in ("stayed", "out")))
#: Flows whose plan areas add up to ``helhedsplan`` (a move between two plan areas is a stay for it).
_ADDITIVE_FLOWS = ["in_rest_of_kommune", "in_outside_kommune", "in_born", "out_rest_of_kommune",
                   "out_outside_kommune", "out_died", "out_outside_or_died"]
FLOWS = Protection(
    keys=("area_id", "year", "flow"),
    measures=(Measure("persons", pl.format("flow.{}", pl.col("flow")), AREA),
              Measure("_persons_start", pl.format("flowstart.{}", pl.col("flow")),
                      {"area": "area_id", "year": "_start_year"})),
    together=(Together(("persons", "_persons_start")),),
    relations=(
        ColumnSum("en flytning talt i sit slutår og sit startår", "persons", ("_persons_start",)),
        QuantitySum("beboere 1. januar = blev boende + tilflyttede + nyfødte", "residents",
                    tuple(f"flow.{f}" for f in _IN_FLOWS), absent_is_zero=True),
        QuantitySum("beboere 1. januar året før = blev boende + fraflyttede + døde", "residents",
                    tuple(f"flowstart.{f}" for f in _OUT_FLOWS), absent_is_zero=True),
        Additive(AREA_RELATIONS[0].name, "area", PLAN_TOTAL_ID, PLAN_AREA_IDS,
                 quantities=tuple(f"flow.{f}" for f in _ADDITIVE_FLOWS)),
    ),
    drop=("_start_year", "_persons_start"),
)
AREA_MOVES = Protection(
    keys=("year", "from_location", "to_location"),
    measures=(Measure("persons", "move_out", {"area": "from_location", "year": "year", "to": "to_location"}),
              Measure("_persons_in", "move_in", {"area": "to_location", "year": "year", "from": "from_location"})),
    together=(Together(("persons", "_persons_in")),),
    relations=(
        ColumnSum("en flytning mellem to områder, set fra begge", "persons", ("_persons_in",)),
        Additive("fraflyttede til de andre fulgte områder = flytningerne derhen", "to", None, None,
                 quantities=("move_out",), total_quantity="flow.out_monitored_area"),
        Additive("tilflyttede fra de andre fulgte områder = flytningerne derfra", "from", None, None,
                 quantities=("move_in",), total_quantity="flow.in_monitored_area"),
    ),
    drop=("_persons_in",),
)


def _profile_protection() -> Protection:
    """``flytninger_profiler``: ``prof.<group>.<measure>.num`` (persons; full-time persons for employment;
    kr for income) and ``.den`` by area and year; the measures taken on every person of a group share
    its size ``prof.<group>.size``, which is the sum of ``flytninger`` cells (or ``befolkning``'s
    residents). The values are derived from numerator and denominator."""
    g, m = pl.col("flow_group"), pl.col("measure")
    every = m.is_in(list(flows.EVERY_PERSON))
    num = pl.format("prof.{}.{}.num", g, m)
    crit_dims = {"area": "area_id", "year": "_crit_year"}
    comp = pl.when(m == "education").then(pl.lit("education")).otherwise(m)
    measures_in = {"age_0_17": ("flow.in_born",)}
    with_newborns = ("nonwestern", *flows.HOUSEHOLD_TYPES)
    criteria = [x for x, (c, _) in flows.PROFILE_MEASURES.items() if c is not None]
    return Protection(
        keys=("area_id", "year", "flow_group", "measure"),
        measures=(
            Measure("numerator", num, AREA, FTE, m == "employment"),
            Measure("numerator", num, AREA, MAGNITUDE, m == "income"),
            Measure("numerator", num, AREA, COUNT, ~m.is_in(["employment", "income"])),
            Measure("denominator", pl.format("prof.{}.size", g), AREA, COUNT, every),
            Measure("denominator", pl.format("prof.{}.{}.den", g, m), AREA, COUNT, ~every),
            Measure("_crit_num", pl.format("crit.{}.num_year", comp), crit_dims, FTE, m == "employment"),
            Measure("_crit_num", pl.format("crit.{}.num_year", comp), crit_dims, MAGNITUDE, m == "income"),
            Measure("_crit_num", pl.format("crit.{}.num_year", comp), crit_dims, COUNT,
                    m.is_in(["crime", "education"])),
            Measure("_crit_den", pl.format("crit.{}.den_year", comp), crit_dims),
        ),
        derived=(Derived(("value",), ("numerator", "denominator")),),
        together=(Together(("numerator", "denominator"), m == "income"),),
        relations=(
            ColumnSum("andelens nævner = tæller + øvrige", "denominator", ("numerator",), True, pl.col("unit") == "pct"),
            ColumnSum("beboernes profil er kriteriets år (tæller)", "_crit_num", ("numerator",)),
            ColumnSum("beboernes profil er kriteriets år (nævner)", "_crit_den", ("denominator",)),
            *(QuantitySum("aldersgrupperne lagt sammen giver gruppen", f"prof.{x}.size",
                          tuple(f"prof.{x}.{b}.num" for b in flows.AGE_BANDS)) for x in flows.PUBLISHED_PROFILE_GROUPS),
            *(QuantitySum("husstandstyperne lagt sammen giver gruppen", f"prof.{x}.size",
                          tuple(f"prof.{x}.{h}.num" for h in flows.HOUSEHOLD_TYPES))
              for x in flows.PUBLISHED_PROFILE_GROUPS),
            Same("de, der blev boende, i profilerne og i flytninger", ("prof.stayed.size", "flow.stayed")),
            Same("alle beboere i profilerne og i befolkning", ("prof.residents.size", "residents")),
            QuantitySum("tilflyttede = flytningerne ind fra fulgte områder, resten af kommunen og uden for",
                        "prof.moved_in.size", tuple(f"flow.{f}" for f in _IN_FLOWS if f not in ("stayed", "in_born"))),
            QuantitySum("fraflyttede = flytningerne ud til fulgte områder, resten af kommunen og uden for",
                        "prof.moved_out.size",
                        tuple(f"flow.{f}" for f in _OUT_FLOWS if f not in ("stayed", "out_died")), absent_is_zero=True),
            *(QuantitySum("alle beboere = de, der blev boende + tilflyttede (+ nyfødte)", f"prof.residents.{x}.{q}",
                          (f"prof.stayed.{x}.{q}", f"prof.moved_in.{x}.{q}", *measures_in.get(x, ())),
                          remainder=x in with_newborns)
              for x in (*flows.EVERY_PERSON, *criteria) for q in (("num",) if x in flows.EVERY_PERSON else ("num", "den"))),
            Same("ikke-vestlige i profilerne og i befolkning", ("prof.residents.nonwestern.num", "nonwestern")),
            # The residents' age bands are befolkning's age columns (the same persons, ages on the same
            # 1 January): one count published twice must be hidden in both places or in neither.
            Same("0-17-årige i profilerne og under 18 år i befolkning", ("prof.residents.age_0_17.num", "under_18")),
            Same("65 år og derover i profilerne og i befolkning", ("prof.residents.age_65_plus.num", "age_65_plus")),
            QuantitySum("18-64 år i befolkning = 18-29 + 30-49 + 50-64 år i profilerne", "age_18_64",
                        tuple(f"prof.residents.{b}.num" for b in ("age_18_29", "age_30_49", "age_50_64"))),
        ),
        drop=("_crit_year", "_crit_num", "_crit_den"),
    )


PROFILES = _profile_protection()


def _movers_profile_relations() -> tuple[ColumnSum, ...]:
    """The decomposition's in- and out-movers are the profiles' moved_in and moved_out (flows.
    _movers_profiles): part = the mean over the change's data years of the profiles' numerator; the
    in-movers' part also has the newborns (only the non-Western share counts them: + an unpublished
    remainder), the out-movers' part the deaths (+ a remainder), with the sign of a loss
    (``_persons_neg`` = minus the part). The same holds for the base (the part's ``_base`` and the
    profiles' denominator) but is not declared: ``_base`` is not published and the model already
    counts it as known to the reader (see :data:`DECOMPOSITION`); declared, it hid Randers Kommune's
    education denominator on the default data (a net ageing change under 5 chained through the
    profiles' denominators to ``kriterier``)."""
    part, k = pl.col("part"), pl.col("_k")
    inn, out = part == "in_movers", part == "out_movers"
    nonw = pl.col("criterion") == "nonwestern"
    rels: list[ColumnSum] = [
        ColumnSum("fraflytternes ændring med modsat fortegn", "_persons_neg", ("persons",), weights=(-1.0,), where=out),
    ]
    for kk, cols, w in ((1, ("_pn1",), (1.0,)), (2, ("_pn1", "_pn2"), (0.5, 0.5))):
        has = (k == kk) & pl.col("_pn1").is_not_null()
        rels += [
            ColumnSum("tilflytternes del = tilflytterne i profilerne (ikke-vestlige: + nyfødte)", "persons", cols,
                      weights=w, where=has & inn & ~nonw),
            ColumnSum("tilflytternes del = tilflytterne i profilerne (ikke-vestlige: + nyfødte)", "persons", cols,
                      remainder=True, weights=w, where=has & inn & nonw),
            ColumnSum("fraflytternes del = fraflytterne i profilerne + døde", "_persons_neg", cols, remainder=True,
                      weights=w, where=has & out),
        ]
    return tuple(rels)


def _decomposition_protection() -> Protection:
    """``kriterier_dekomponering`` (list-year level): per criterion, ``dec.<criterion>.persons`` and
    ``dec.<criterion>.base`` by area, list year and part are signed cells (changes of the numerator and
    of the base; full-time persons' tolerance, a two-year criterion's change is a mean of two yearly
    counts); the total row's are net changes of published counts (not sensitive themselves);
    ``dec.<criterion>.behind``: the persons behind a part (not published). Points and the values at
    both ends are derived from them and from the criterion's numerator and denominator at both ends."""
    c, part = pl.col("criterion"), pl.col("part")
    dims = {**AREA, "part": "part"}
    total = part == "total"
    crit = c != "nonwestern"
    num_q = pl.when(crit).then(pl.format("crit.{}.num", c)).otherwise(pl.lit("nonwestern"))
    den_q = pl.when(crit).then(pl.format("crit.{}.den", c)).otherwise(pl.lit("residents"))
    counted = c.is_in(["crime", "education", "nonwestern"])
    end_kinds = ((counted, COUNT), (c == "employment", FTE), (c == "income", MAGNITUDE))
    ends = {"from": {"area": "area_id", "year": "from_year"}, "to": AREA}
    grp = pl.when(part == "in_movers").then(pl.lit("moved_in")).otherwise(pl.lit("moved_out"))
    names = [f"dec.{x}.{q}" for x in ("employment", "crime", "education", "income", "nonwestern")
             for q in ("persons", "base", "points")]
    not_income = c != "income"
    return Protection(
        keys=("area_id", "criterion", "level", "year", "part"),
        measures=(
            Measure("persons", pl.format("dec.{}.persons", c), dims, FTE, ~total, signed=True),
            Measure("persons", pl.format("dec.{}.persons", c), dims, FTE, total, signed=True, sensitive=False),
            Measure("_base", pl.format("dec.{}.base", c), dims, FTE, ~total, signed=True),
            Measure("_base", pl.format("dec.{}.base", c), dims, FTE, total, signed=True, sensitive=False),
            Measure("part_persons", pl.format("dec.{}.behind", c), dims),
            # points (pp) add up like the persons: one part's points hidden alone would be the total's
            # points (value_to - value_from) minus the others'; hidden together with the part's persons
            Measure("points", pl.format("dec.{}.points", c), dims, FTE, signed=True, sensitive=False),
            *(Measure(f"_num_{e}", num_q, d, kind, cond) for e, d in ends.items() for cond, kind in end_kinds),
            *(Measure(f"_den_{e}", den_q, d) for e, d in ends.items()),
            Measure("_movers_in", "flowgroup.in_all", AREA),
            Measure("_movers_out", "flowgroup.out_all", AREA),
            # the same movers in flytninger_profiler, in each data year of the change
            *(Measure(f"_pn{i}", pl.format("prof.{}.{}.num", grp, c), {"area": "area_id", "year": f"_py{i}"}, kind,
                      cond) for i in (1, 2) for cond, kind in end_kinds),
            Measure("_persons_neg", pl.format("dec.{}.out_movers_persons", c), AREA, FTE, signed=True),
        ),
        together=(Together(("persons", "_base", "part_persons", "_persons_neg", "points"), ~total),),
        derived=(
            Derived(("value_from", "value_to", "points"), (
                Ref(num_q, {"area": "area_id", "year": "from_year"}), Ref(den_q, {"area": "area_id", "year": "from_year"}),
                Ref(num_q, AREA), Ref(den_q, AREA))),
        ),
        relations=(
            Additive("dekomponeringen: delene lagt sammen giver ændringen", "part", "total",
                     (*flows.PARTS, "reference"), quantities=tuple(names), absent_is_zero=True),
            ColumnSum("kriteriets tæller: listeåret = året før + ændringen", "_num_to", ("_num_from", "persons"),
                      where=total & not_income & (pl.col("_k") == 1)),
            ColumnSum("toårsgennemsnit: tælleren for listeåret = året før + 2 x den gennemsnitlige ændring",
                      "_num_to", ("_num_from", "persons"), weights=(1.0, 2.0),
                      where=total & not_income & (pl.col("_k") == 2)),
            ColumnSum("kriteriets nævner: listeåret = året før + ændringen", "_den_to", ("_den_from", "_base"),
                      where=total & (pl.col("_k") == 1)),
            ColumnSum("toårsgennemsnit: nævneren for listeåret = året før + 2 x den gennemsnitlige ændring",
                      "_den_to", ("_den_from", "_base"), weights=(1.0, 2.0), where=total & (pl.col("_k") == 2)),
            ColumnSum("ikke-vestlig andel: tilflytternes nævner = alle tilflyttede og nyfødte", "_movers_in",
                      ("_base",), where=pl.col("_movers_in").is_not_null()),
            ColumnSum("ikke-vestlig andel: fraflytternes nævner = alle fraflyttede og døde", "_movers_out",
                      ("_base",), weights=(-1.0,), where=pl.col("_movers_out").is_not_null()),
            *_movers_profile_relations(),
            QuantitySum("alle tilflyttede og nyfødte = flytningerne ind i flytninger", "flowgroup.in_all",
                        tuple(f"flow.{f}" for f in _IN_FLOWS if f != "stayed"), absent_is_zero=True),
            QuantitySum("alle fraflyttede og døde = flytningerne ud i flytninger", "flowgroup.out_all",
                        tuple(f"flow.{f}" for f in _OUT_FLOWS if f != "stayed"), absent_is_zero=True),
        ),
        drop=("_base", "part_persons", "_k", "_num_from", "_num_to", "_den_from", "_den_to", "_movers_in",
              "_movers_out", "_pn1", "_pn2", "_py1", "_py2", "_persons_neg"),
    )


DECOMPOSITION = _decomposition_protection()


TABLES: tuple[Table, ...] = (
    Table("befolkning", "Beboere pr. område og år",
          "Beboere pr. 1. januar efter alder og ikke-vestlig herkomst, for hvert område, alle fem "
          "boligområder samlet og Randers Kommune.", population,
          ("residents", "age_18_64", "age_65_plus"), POPULATION),
    Table("kriterier", "Kriterierne pr. område og listeår",
          "Hvert kriterium (beskæftigelse, kriminalitet, uddannelse, indkomst) efter de regler, der gjaldt "
          "for listeåret: værdi, grænse, opfyldt eller ej, afstand til grænsen i procentpoint og i personer, "
          "og de to år bag toårsgennemsnit; for et ukendt kriterium det ufuldstændige eller manglende registerår, "
          "det bygger på.", criteria_values, protection=CRITERIA),
    Table("klassifikation", "Klassifikation pr. område og listeår",
          "Beboere, ikke-vestlig andel, antal opfyldte kriterier og kategorierne (udsat boligområde, "
          "parallelsamfund/ghettoområde, omdannelsesområde/hårdt ghettoområde, forebyggelsesområde) med "
          "antal år i træk på hver liste.", classification, ("residents",), CLASSIFICATION),
    Table("beskaeftigelse", "Uden for arbejdsmarkedet, kategori A-E",
          "Fuldtidspersoner 18-64 år uden for arbejdsmarked eller uddannelse efter helhedsplanens "
          "kategorier A-E, pr. område og kalenderår.", employment_categories, protection=EMPLOYMENT),
    Table("prognose", "Prognose for næste liste",
          "For hvert område og hver kategori: status på seneste liste og den forventede status på næste.",
          forecast),
    Table("prognose_kriterier", "Prognose: kriterierne for næste liste",
          "Kriterierne for næste liste ud fra det år af toårsgennemsnittet, der allerede kendes, med "
          "afstanden i personer i det år, der endnu er åbent.", forecast_criteria,
          protection=FORECAST_CRITERIA),
    Table("scenarier", "Scenarier",
          "Helhedsplanens mål og andre scenarier fremskrevet år for år til en klassifikation.",
          scenarios, ("residents",), SCENARIOS),
    Table("kriterier_indstillinger", "Indstillinger for kriterieberegningen",
          "De valg, beregningen bygger på, hvor loven eller praksis ikke er entydig.", criteria_settings),
    Table("indikatorer", "Helhedsplanens indikatorer",
          "Helhedsplanens mål og indikatorer pr. område og år: tæller, nævner og værdi (andele i pct., "
          "karakterer som gennemsnit, helårspersoner, antal). Et år, der ikke kan måles, fordi et registerår bag "
          "indikatoren er ufuldstændigt eller mangler, står med tomme tal og begrundelsen.", indicators, protection=INDICATORS,
          finish=goals.annotate_indicators),
    Table("maalstatus", "Status for helhedsplanens mål",
          "For hvert mål i helhedsplanen, pr. område (eller gruppe af områder) og år efter baseline: reglen, "
          "værdien med 95 %-interval, ændringen siden baseline med interval, afstanden til Randers Kommune og "
          "status (opfyldt, på vej, ingen klar ændring, ikke på vej, kan ikke måles; følges) med begrundelse. "
          "Beregnet af de offentliggjorte (diskretionerede) indikatorer.", goal_status, after=("indikatorer",)),
    Table("baselinekontrol", "Baseline: beregnet og helhedsplanens",
          "For hvert mål og område: værdien beregnet for baseline-året ved siden af den baseline, der står i "
          "helhedsplanen, og forskellen.", baseline_check, after=("indikatorer",)),
    Table("indikatorkatalog", "Indikatorkatalog",
          "Helhedsplanens indikatorer: definition, datakilde, afsnit i planen, baseline og mål.",
          indicator_catalogue_table),
    Table("adresseafstemning", "Adresseafstemning",
          "Registeradresser efter om de er tildelt et område via adresseintervaller, polygoner, "
          "begge eller ingen, pr. år og område.", address_reconciliation, ("residents",),
          RECONCILIATION),
    Table("indlaesning", "Indlæste filer",
          "For hver rå fil: rækker læst, indlæst og sat i karantæne (rækker, ikke personer).", load_summary),
    Table("karantaene", "Karantæne-årsager",
          "Antal rækker i karantæne pr. register, år, kolonne og årsag (uden værdier).", quarantine_reasons),
    Table("flytninger", "Flytninger pr. område og år",
          "Beboere, der blev boende, flyttede ind (fra et andet fulgt område, resten af Randers Kommune, "
          "uden for kommunen, nyfødte) og flyttede ud (til de samme steder, døde) fra 1. januar året før "
          "til 1. januar i året, for hvert område, alle fem boligområder samlet og Randers Kommune.",
          flow_counts, ("persons",), FLOWS),
    Table("flytninger_omraader", "Flytninger mellem de fulgte områder",
          "Personer, der flyttede fra et fulgt boligområde til et andet, pr. år (fra 1. januar til 1. januar).",
          area_moves, ("persons",), AREA_MOVES),
    Table("flytninger_profiler", "Hvem flytter ind og ud",
          "De tilflyttede, fraflyttede og dem, der blev boende, på kriteriernes egne mål (uden for "
          "arbejdsmarked eller uddannelse, kun grundskole, dømte, bruttoindkomst, ikke-vestlig herkomst), "
          "aldersgruppe og husstandstype, pr. område og år.", flow_profiles, protection=PROFILES),
    Table("kriterier_dekomponering", "Kriteriernes ændring fordelt på flytninger og beboere",
          "Ændringen i hvert kriterium fra et listeår til det næste (og fra år til år) fordelt på beboere, der "
          "blev boende og skiftede status, fraflyttede, tilflyttede og aldersgrænsen; delene summerer til "
          "ændringen i procentpoint og i personer.", flow_decomposition, protection=DECOMPOSITION),
)


def protect_all(con: duckdb.DuckDBPyConnection, tables: tuple[Table, ...] | None = None
                ) -> tuple[dict[str, pl.DataFrame], SuppressionLog, list]:
    """Build every table and pass them all through disclosure control together.

    Tables with ``after`` are built from the protected output of the tables they name. If they
    declare cells of their own, suppression and audit run again over all tables with the cells hidden
    so far kept hidden, until no new cell is hidden (so a derived table never shows what its source
    hides, and a cell it publishes is audited with everything else); a table that declares none shows
    only functions of published cells. ``Table.finish`` then adds columns to a table's own protected
    frame. Returns (table name -> published frame, the
    suppression log, the audit's intervals). Raises
    :class:`~boligmonitor.disclosure.DisclosureAuditError` naming table, cell and relations.
    """
    tables = TABLES if tables is None else tables
    log = SuppressionLog()
    frames = {t.name: t.build(con, log) for t in tables if not t.after}
    specs = {t.name: t.protection for t in tables}
    result = protect_tables(frames, specs)
    later = [t for t in tables if t.after]
    for _ in range(5):
        if not later:
            break
        built = dict(result.frames)
        for t in later:  # in declaration order: a later table may read an earlier later table
            built[t.name] = t.build(con, log, {name: built[name] for name in t.after})
        if all(t.protection is None or not t.protection.measures for t in later):
            # they show no cells of their own: only functions of published cells (nothing to audit)
            result.frames.update({t.name: built[t.name] for t in later})
            break
        hidden = result.hidden_keys()
        again = protect_tables({**frames, **{t.name: built[t.name] for t in later}}, specs, keep_hidden=hidden)
        settled = again.hidden_keys() == hidden
        result = again
        if settled:
            break
    else:
        raise DisclosureAuditError("disclosure control did not settle for the tables built from protected "
                                   "tables (" + ", ".join(t.name for t in later) + ")")
    log.rows.extend(result.log.rows)
    out = {t.name: result.frames[t.name] for t in tables}
    for t in tables:
        if t.finish is not None:
            out[t.name] = t.finish(out[t.name])
    return out, log, result.intervals


def run(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> StepResult:
    res = StepResult("publish")
    out = ctx.published_dir
    out.mkdir(parents=True, exist_ok=True)
    manifest = {"synthetic": (ctx.raw_dir / "SYNTHETIC.json").exists(),
                "min_cell_persons": config.MIN_CELL_PERSONS, "tables": {}}
    # Load inputs and process: build the aggregates, then disclosure control over all tables together.
    try:
        frames, log, intervals = protect_all(con)
    except DisclosureAuditError as e:
        res.errors.append(f"publish: {e}")
        return res
    for t in TABLES:
        df = frames[t.name]
        problems = audit(df, counts=t.count_columns)
        if problems:
            res.errors.append(f"publish {t.name}: disclosure audit failed: {'; '.join(problems)}")
            continue
        # Save outputs.
        df.write_csv(out / f"{t.name}.csv", include_bom=True)
        manifest["tables"][t.name] = {"title": t.title, "description": t.description, "rows": df.height,
                                      "columns": df.columns}
        res.tables[f"published/{t.name}.csv"] = df.height
    sup = log.frame()
    sup.write_csv(out / "undertrykkelser.csv", include_bom=True)
    manifest["suppressed_cells"] = sup.height
    manifest["audit"] = {"hidden_sensitive_cells": len(intervals),
                         "protected": int(sum(bool(iv.protected) for iv in intervals))}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    ctx.say(f"publish: saved {len(manifest['tables'])} tables to {out} ({sup.height} cells suppressed; "
            f"audit: {len(intervals)} hidden cells under {config.MIN_CELL_PERSONS}, all protected)")
    return res


__all__ = ["TABLES", "Table", "run", "protect_all", "AREA_IDS"]
