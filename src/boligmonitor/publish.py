"""Publish step: the aggregates the report site reads and offers for download.

Loads ``core``, ``geo``, ``metrics`` and ``staging.load_log``/``staging.quarantine``; turns them into
tidy tables of aggregates; passes every table through disclosure control
(:mod:`boligmonitor.disclosure`); saves them as CSV files in ``ctx.published_dir`` together with
``undertrykkelser.csv`` (every suppressed cell and why) and ``manifest.json`` (tables, row counts,
whether the data are synthetic). Nothing person-level is written: each table is built by a query
that groups by area and year (or coarser), and an audit refuses to write a count below the minimum.

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
from boligmonitor.disclosure import SuppressionLog, audit, protect, protect_differencing
from boligmonitor.registers import ELECTIONS
from boligmonitor.steps import BuildContext, StepResult


@dataclass(frozen=True)
class Table:
    name: str
    title: str  # Danish, for the download page
    description: str  # Danish
    build: Callable[[duckdb.DuckDBPyConnection, SuppressionLog], pl.DataFrame]
    count_columns: tuple[str, ...] = ()  # person counts that the audit checks


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
    keys = ["area_id", "year"]
    df = protect(df, table="befolkning", keys=keys, log=log,
                 counts=["residents", "age_18_64", "age_65_plus"],
                 shares=[("under_18", "residents", ["pct_under_18"]),
                         ("nonwestern", "residents", ["pct_nonwestern"])])
    for col in ("residents", "under_18", "nonwestern"):
        df = protect_differencing(df, table="befolkning", group=["year"], member="area_id", value=col,
                                  members=list(PLAN_AREA_IDS), log=log)
    return df


def address_reconciliation(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    df = frame(con, """
        select year, coalesce(area_id, 'ingen') as area_id, match_status, addresses, residents
        from geo.reconciliation order by year, area_id, match_status
    """)
    return protect(df, table="adresseafstemning", keys=["year", "area_id", "match_status"], log=log,
                   counts=["residents"])


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
    df = frame(con, """
        select area_id, list_year, rule_version, threshold_set, criterion, value, threshold, comparator,
               comparator_wording, unit, met, ratio_national, reference, numerator, denominator,
               margin_points, margin_persons, flip_direction, margin_persons_open_year,
               year_1, value_1, numerator_1, denominator_1, year_2, value_2, numerator_2, denominator_2,
               missing_years
        from metrics.criteria_values order by area_id, list_year, threshold_set, criterion
    """)
    keys = ["area_id", "list_year", "threshold_set", "criterion"]
    dependent = ["value", "ratio_national", "margin_points", "margin_persons", "margin_persons_open_year"]
    is_income = pl.col("criterion") == "income"
    persons = df.filter(~is_income)
    income = df.filter(is_income)
    persons = protect(persons, table="kriterier", keys=keys, log=log,
                      shares=[("numerator", "denominator", dependent),
                              ("numerator_1", "denominator_1", ["value_1"]),
                              ("numerator_2", "denominator_2", ["value_2"])])
    income = protect(income, table="kriterier", keys=keys, log=log,
                     means=[("denominator", ["numerator", *dependent]),
                            ("denominator_1", ["numerator_1", "value_1"]),
                            ("denominator_2", ["numerator_2", "value_2"])])
    out = pl.concat([persons, income], how="diagonal_relaxed").sort(keys)
    # The yearly numerators and denominators are only needed for the checks above.
    return out.drop(["numerator_1", "denominator_1", "numerator_2", "denominator_2"])


def classification(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    df = frame(con, """
        select area_id, list_year, rule_version, residents, pct_nonwestern, eligible, n_criteria,
               n_criteria_min, n_criteria_max, udsat, parallelsamfund, omdannelse, forebyggelse,
               name_parallelsamfund, name_omdannelse, years_udsat, years_parallelsamfund,
               years_omdannelse, years_forebyggelse
        from metrics.classification order by area_id, list_year
    """)
    return protect(df, table="klassifikation", keys=["area_id", "list_year"], log=log, counts=["residents"])


def employment_categories(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    df = frame(con, """
        select area_id, year, category, label, round(fulltime_persons, 1) as fulltime_persons
        from metrics.employment_categories order by area_id, year, category
    """)
    df = protect(df, table="beskaeftigelse", keys=["area_id", "year", "category"], log=log,
                 fte=["fulltime_persons"])
    # The categories add up to the published total: one hidden category must not be recoverable.
    return protect_differencing(df, table="beskaeftigelse", group=["area_id", "year"], member="category",
                                value="fulltime_persons", members=["A", "B", "C", "D", "E", "other"], log=log)


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
    df = df.with_columns(base.alias("_base")).with_columns(
        pl.when(pl.col("_base").is_not_null()).then(pl.col("value") / 100 * pl.col("_base")).alias("_persons"))
    keys = ["area_id", "threshold_set", "criterion"]
    with_base = protect(df.filter(pl.col("_base").is_not_null()), table="prognose_kriterier", keys=keys, log=log,
                        shares=[("_persons", "_base", ["value", "margin_points", "margin_persons_open_year"])])
    # Income is a mean of hundreds of earners in every area (checked on the published criteria).
    rest = df.filter(pl.col("_base").is_null()).with_columns(pl.lit(False).alias("suppressed"))
    out = pl.concat([with_base, rest], how="diagonal_relaxed").sort(keys)
    return out.drop(["_base", "_persons", "adults", "age_18_64", "age_30_59"])


def scenarios(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    """Scenario projections (the plan's targets, user scenarios, status quo) to a classification."""
    df = frame(con, "select * from metrics.scenarios order by scenario_id, area_id, list_year")
    return protect(df, table="scenarier", keys=["scenario_id", "area_id", "list_year"], log=log,
                   counts=["residents"])


def criteria_settings(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    return frame(con, "select name, value_text, description, reason from metrics.criteria_settings")


def indicator_catalogue() -> pl.DataFrame:
    """The plan's indicators (``data/indicators.csv``): names, units, plan baselines and targets."""
    return pl.read_csv(config.package_data("indicators.csv"), separator=";", infer_schema_length=0)


def indicators(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    """The plan's indicators per area and year (registers, and the unit's external file), with
    disclosure control by unit, then the goal columns (:func:`boligmonitor.goals.annotate_indicators`)
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
    """)
    df = pl.concat([df, goals.external_rows(con)], how="vertical_relaxed").join(cat, on="indicator_id", how="inner")
    keys = ["indicator_id", "area_id", "year"]
    parts = []
    for unit, part in df.group_by("unit", maintain_order=True):
        unit = unit[0]
        if unit == "pct" and part["denominator"].null_count():
            # External survey shares without counts (VIVE publishes them so): nothing to hide here.
            part = pl.concat([protect(part.filter(pl.col("denominator").is_not_null()), table="indikatorer",
                                      keys=keys, log=log, shares=[("numerator", "denominator", ["value"])]),
                              part.filter(pl.col("denominator").is_null()).with_columns(
                                  pl.lit(False).alias("suppressed"))], how="diagonal_relaxed")
        elif unit in ("pct", "per_1000"):
            part = protect(part, table="indikatorer", keys=keys, log=log,
                           shares=[("numerator", "denominator", ["value"])])
        elif unit == "mark":
            part = protect(part, table="indikatorer", keys=keys, log=log,
                           means=[("denominator", ["numerator", "value"])])
        elif unit == "fte":
            part = protect(part, table="indikatorer", keys=keys, log=log, fte=["value", "numerator"])
        else:  # counts of persons or cases
            part = protect(part, table="indikatorer", keys=keys, log=log, counts=["value", "numerator"])
        parts.append(part)
    out = pl.concat(parts, how="diagonal_relaxed").sort(["plan_id", "area_id", "year"])
    out = out.select("plan_id", "indicator_id", "name", "area_id", "year", "unit", "numerator",
                     "denominator", "value", "suppressed")
    out = goals.annotate_indicators(out)
    _PROTECTED[id(con)] = out
    return out


#: The protected ``indikatorer`` of the current run (by connection), for the tables derived from it.
_PROTECTED: dict[int, pl.DataFrame] = {}


def _protected_indicators(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    if id(con) not in _PROTECTED:
        indicators(con, SuppressionLog())  # the same protection; its log entries are already in the run's log
    return _PROTECTED[id(con)]


def goal_status(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    """Status of every goal per area (group) and year, derived from the protected ``indikatorer`` only."""
    return goals.status_frame(_protected_indicators(con))


def baseline_check(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    """The computed baseline-year values beside the plan's printed baselines (from ``indikatorer``)."""
    return goals.baseline_reproduction(_protected_indicators(con))


def indicator_catalogue_table(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    return indicator_catalogue()


TABLES: tuple[Table, ...] = (
    Table("befolkning", "Beboere pr. område og år",
          "Beboere pr. 1. januar efter alder og ikke-vestlig herkomst, for hvert område, alle fem "
          "boligområder samlet og Randers Kommune.", population,
          ("residents", "age_18_64", "age_65_plus")),
    Table("kriterier", "Kriterierne pr. område og listeår",
          "Hvert kriterium (beskæftigelse, kriminalitet, uddannelse, indkomst) efter de regler, der gjaldt "
          "for listeåret: værdi, grænse, opfyldt eller ej, afstand til grænsen i procentpoint og i personer, "
          "og de to år bag toårsgennemsnit.", criteria_values),
    Table("klassifikation", "Klassifikation pr. område og listeår",
          "Beboere, ikke-vestlig andel, antal opfyldte kriterier og kategorierne (udsat boligområde, "
          "parallelsamfund/ghettoområde, omdannelsesområde/hårdt ghettoområde, forebyggelsesområde) med "
          "antal år i træk på hver liste.", classification, ("residents",)),
    Table("beskaeftigelse", "Uden for arbejdsmarkedet, kategori A-E",
          "Fuldtidspersoner 18-64 år uden for arbejdsmarked eller uddannelse efter helhedsplanens "
          "kategorier A-E, pr. område og kalenderår.", employment_categories),
    Table("prognose", "Prognose for næste liste",
          "For hvert område og hver kategori: status på seneste liste og den forventede status på næste.",
          forecast),
    Table("prognose_kriterier", "Prognose: kriterierne for næste liste",
          "Kriterierne for næste liste ud fra det år af toårsgennemsnittet, der allerede kendes, med "
          "afstanden i personer i det år, der endnu er åbent.", forecast_criteria),
    Table("scenarier", "Scenarier",
          "Helhedsplanens mål og andre scenarier fremskrevet år for år til en klassifikation.",
          scenarios, ("residents",)),
    Table("kriterier_indstillinger", "Indstillinger for kriterieberegningen",
          "De valg, beregningen bygger på, hvor loven eller praksis ikke er entydig.", criteria_settings),
    Table("indikatorer", "Helhedsplanens indikatorer",
          "Helhedsplanens mål og indikatorer pr. område og år: tæller, nævner og værdi (andele i pct., "
          "karakterer som gennemsnit, helårspersoner, antal).", indicators),
    Table("maalstatus", "Status for helhedsplanens mål",
          "For hvert mål i helhedsplanen, pr. område (eller gruppe af områder) og år efter baseline: reglen, "
          "værdien med 95 %-interval, ændringen siden baseline med interval, afstanden til Randers Kommune og "
          "status (opfyldt, på vej, ingen klar ændring, ikke på vej, kan ikke måles; følges) med begrundelse. "
          "Beregnet af de offentliggjorte (diskretionerede) indikatorer.", goal_status),
    Table("baselinekontrol", "Baseline: beregnet og helhedsplanens",
          "For hvert mål og område: værdien beregnet for baseline-året ved siden af den baseline, der står i "
          "helhedsplanen, og forskellen.", baseline_check),
    Table("indikatorkatalog", "Indikatorkatalog",
          "Helhedsplanens indikatorer: definition, datakilde, afsnit i planen, baseline og mål.",
          indicator_catalogue_table),
    Table("adresseafstemning", "Adresseafstemning",
          "Registeradresser efter om de er tildelt et område via adresseintervaller, polygoner, "
          "begge eller ingen, pr. år og område.", address_reconciliation, ("residents",)),
    Table("indlaesning", "Indlæste filer",
          "For hver rå fil: rækker læst, indlæst og sat i karantæne (rækker, ikke personer).", load_summary),
    Table("karantaene", "Karantæne-årsager",
          "Antal rækker i karantæne pr. register, år, kolonne og årsag (uden værdier).", quarantine_reasons),
    Table("flytninger", "Flytninger pr. område og år",
          "Beboere, der blev boende, flyttede ind (fra et andet fulgt område, resten af Randers Kommune, "
          "uden for kommunen, nyfødte) og flyttede ud (til de samme steder, døde) fra 1. januar året før "
          "til 1. januar i året, for hvert område, alle fem boligområder samlet og Randers Kommune.",
          flows.published_flows, ("persons",)),
    Table("flytninger_omraader", "Flytninger mellem de fulgte områder",
          "Personer, der flyttede fra et fulgt boligområde til et andet, pr. år (fra 1. januar til 1. januar).",
          flows.published_area_moves, ("persons",)),
    Table("flytninger_profiler", "Hvem flytter ind og ud",
          "De tilflyttede, fraflyttede og dem, der blev boende, på kriteriernes egne mål (uden for "
          "arbejdsmarked eller uddannelse, kun grundskole, dømte, bruttoindkomst, ikke-vestlig herkomst), "
          "aldersgruppe og husstandstype, pr. område og år.", flows.published_profiles),
    Table("kriterier_dekomponering", "Kriteriernes ændring fordelt på flytninger og beboere",
          "Ændringen i hvert kriterium fra et listeår til det næste (og fra år til år) fordelt på beboere, der "
          "blev boende og skiftede status, fraflyttede, tilflyttede og aldersgrænsen; delene summerer til "
          "ændringen i procentpoint og i personer.", flows.published_decomposition),
)


def run(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> StepResult:
    res = StepResult("publish")
    out = ctx.published_dir
    out.mkdir(parents=True, exist_ok=True)
    log = SuppressionLog()
    _PROTECTED.pop(id(con), None)
    manifest = {"synthetic": (ctx.raw_dir / "SYNTHETIC.json").exists(),
                "min_cell_persons": config.MIN_CELL_PERSONS, "tables": {}}
    for t in TABLES:
        # Load inputs and process: each builder queries aggregates and applies disclosure control.
        df = t.build(con, log)
        problems = audit(df, counts=t.count_columns)
        if problems:
            res.errors.append(f"publish {t.name}: disclosure audit failed: {'; '.join(problems)}")
            continue
        # Save outputs.
        df.write_csv(out / f"{t.name}.csv", include_bom=True)
        manifest["tables"][t.name] = {"title": t.title, "description": t.description, "rows": df.height,
                                      "columns": df.columns}
        res.tables[f"published/{t.name}.csv"] = df.height
    _PROTECTED.pop(id(con), None)
    sup = log.frame()
    sup.write_csv(out / "undertrykkelser.csv", include_bom=True)
    manifest["suppressed_cells"] = sup.height
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    ctx.say(f"publish: saved {len(manifest['tables'])} tables to {out} ({sup.height} cells suppressed)")
    return res


__all__ = ["TABLES", "Table", "run", "AREA_IDS"]
