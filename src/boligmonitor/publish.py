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

from boligmonitor import config
from boligmonitor.areas import AREA_IDS, KOMMUNE_ID, PLAN_AREA_IDS, PLAN_TOTAL_ID
from boligmonitor.disclosure import SuppressionLog, audit, protect, protect_differencing
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
    df = con.execute(f"""
        select area_id, year,
               count(*) as residents,
               count(*) filter (where age < 18) as under_18,
               count(*) filter (where age between 18 and 64) as age_18_64,
               count(*) filter (where age >= 65) as age_65_plus,
               count(*) filter (where nonwestern) as nonwestern
        from ({rows}) group by all order by area_id, year
    """).pl()
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
    df = con.execute("""
        select year, coalesce(area_id, 'ingen') as area_id, match_status, addresses, residents
        from geo.reconciliation order by year, area_id, match_status
    """).pl()
    return protect(df, table="adresseafstemning", keys=["year", "area_id", "match_status"], log=log,
                   counts=["residents"])


def load_summary(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    """Per raw file: rows read, loaded and quarantined (row counts, not persons), and the status."""
    return con.execute("""
        select source_file, register, year, rows_read, rows_loaded, rows_quarantined, status
        from staging.load_log order by register, year, source_file
    """).pl()


def quarantine_reasons(con: duckdb.DuckDBPyConnection, log: SuppressionLog) -> pl.DataFrame:
    """Quarantined rows per register, year, column and reason (no values: they may identify)."""
    return con.execute("""
        select register, year, column_name, reason, count(*) as rows
        from staging.quarantine group by all order by register, year, column_name, reason
    """).pl()


TABLES: tuple[Table, ...] = (
    Table("befolkning", "Beboere pr. område og år",
          "Beboere pr. 1. januar efter alder og ikke-vestlig herkomst, for hvert område, alle fem "
          "boligområder samlet og Randers Kommune.", population,
          ("residents", "age_18_64", "age_65_plus")),
    Table("adresseafstemning", "Adresseafstemning",
          "Registeradresser efter om de er tildelt et område via adresseintervaller, polygoner, "
          "begge eller ingen, pr. år og område.", address_reconciliation, ("residents",)),
    Table("indlaesning", "Indlæste filer",
          "For hver rå fil: rækker læst, indlæst og sat i karantæne (rækker, ikke personer).", load_summary),
    Table("karantaene", "Karantæne-årsager",
          "Antal rækker i karantæne pr. register, år, kolonne og årsag (uden værdier).", quarantine_reasons),
)


def run(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> StepResult:
    res = StepResult("publish")
    out = ctx.published_dir
    out.mkdir(parents=True, exist_ok=True)
    log = SuppressionLog()
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
    sup = log.frame()
    sup.write_csv(out / "undertrykkelser.csv", include_bom=True)
    manifest["suppressed_cells"] = sup.height
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    ctx.say(f"publish: saved {len(manifest['tables'])} tables to {out} ({sup.height} cells suppressed)")
    return res


__all__ = ["TABLES", "Table", "run", "AREA_IDS"]
