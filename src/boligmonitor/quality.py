"""Data-quality report: ``boligmonitor check`` and the site's *Datakvalitet* page.

``check(db)`` reads the built database and lists what a reviewer must know before trusting the
numbers. *Blocking* problems (exit code 1): a file that did not load, a file whose rows do not
reconcile (read = loaded + quarantined), person-years lost between staging and core, register
addresses assigned to conflicting areas by the two methods. *Warnings*: a file with more than
``QUARANTINE_WARN_PCT`` % of its rows quarantined, addresses that match no address point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from boligmonitor import buildrecord
from boligmonitor.areas import display_name
from boligmonitor.db import connect, frame
from boligmonitor.site.report import fmt_int, md_table

QUARANTINE_WARN_PCT = 5.0


@dataclass
class QualityReport:
    blocking: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)

    def text(self) -> str:
        out = ["Data-quality report", ""]
        for title, items in (("Blocking problems", self.blocking), ("Warnings", self.warnings),
                             ("Facts", self.info)):
            out.append(f"{title} ({len(items)}):")
            out += [f"  - {i}" for i in items] or ["  (none)"]
        out.append("")
        out.append("RESULT: " + ("BLOCKING PROBLEMS FOUND" if self.blocking else "ok"))
        return "\n".join(out)


def reconciles(loads: pl.DataFrame) -> bool:
    """For every file, rows read = rows loaded + rows quarantined."""
    ok = loads.filter(pl.col("status") == "ok") if "status" in loads.columns else loads
    return ok.filter(pl.col("rows_read") != pl.col("rows_loaded") + pl.col("rows_quarantined")).height == 0


def check(db_path: Path) -> QualityReport:
    rep = QualityReport()
    # The build history first: a failed last build, raw data changed since (boligmonitor.buildrecord).
    b, w, i = buildrecord.findings(db_path)
    rep.blocking += b
    rep.warnings += w
    rep.info += i
    if not Path(db_path).exists():
        rep.blocking.append(f"no database at {db_path}: run `boligmonitor build` first")
        return rep
    con = connect(db_path, read_only=True)
    try:
        loads = frame(con, "select * from staging.load_log")
        rep.info.append(f"{loads.height} files in the load log, {int(loads['rows_read'].sum()):,} rows read")
        failed = loads.filter(pl.col("status") != "ok")
        for r in failed.iter_rows(named=True):
            rep.blocking.append(f"{r['source_file']}: not loaded ({r['status']}): {r['message']}")
        if not reconciles(loads):
            bad = loads.filter(pl.col("rows_read") != pl.col("rows_loaded") + pl.col("rows_quarantined"))
            for r in bad.iter_rows(named=True):
                rep.blocking.append(f"{r['source_file']}: rows read {r['rows_read']} != loaded "
                                    f"{r['rows_loaded']} + quarantined {r['rows_quarantined']}")
        for r in loads.filter(pl.col("rows_read") > 0).iter_rows(named=True):
            pct = 100 * r["rows_quarantined"] / r["rows_read"]
            if pct > QUARANTINE_WARN_PCT:
                rep.warnings.append(f"{r['source_file']}: {pct:.1f} % of rows quarantined")
        q = con.execute("select reason, count(*) n from staging.quarantine group by all order by n desc").fetchall()
        rep.info.append(f"{sum(n for _, n in q):,} rows in quarantine" + (
            ": " + "; ".join(f"{reason} ({n})" for reason, n in q[:5]) if q else ""))

        n_pop = con.execute("select count(*) from staging.population").fetchall()[0][0]
        n_core = con.execute("select count(*) from core.person_year").fetchall()[0][0]
        if n_pop != n_core:
            rep.blocking.append(f"core.person_year has {n_core} rows, staging.population {n_pop}")
        else:
            rep.info.append(f"{n_core:,} person-years, all population rows accounted for")

        status = dict(con.execute("select match_status, count(*) from geo.address_area group by all").fetchall())
        rep.info.append("register addresses by match status: " + ", ".join(f"{k} {v}" for k, v in sorted(status.items())))
        if status.get("conflict"):
            rep.blocking.append(f"{status['conflict']} addresses are in one area by the plan's ranges and "
                                "another by the polygons (see geo.address_area)")
        for s in ("range_only", "polygon_only"):
            if status.get(s):
                rep.warnings.append(f"{status[s]} addresses assigned by one method only ({s})")
        if status.get("unmatched"):
            rep.warnings.append(f"{status['unmatched']} register addresses match no address point "
                                "(geo.unmatched_addresses)")
    finally:
        con.close()
    return rep


# --- Markdown for the Datakvalitet page (from published aggregates only) ---------------------------

def load_summary_markdown(loads: pl.DataFrame) -> str:
    by_reg = loads.group_by("register").agg(
        pl.len().alias("files"), pl.col("rows_read").sum(), pl.col("rows_loaded").sum(),
        pl.col("rows_quarantined").sum(), (pl.col("status") != "ok").sum().alias("failed"),
    ).sort("register")
    return md_table(by_reg, {"register": "Register", "files": "Filer", "rows_read": "Rækker læst",
                             "rows_loaded": "Indlæst", "rows_quarantined": "Karantæne",
                             "failed": "Filer ikke indlæst"})


def quarantine_markdown(q: pl.DataFrame) -> str:
    if q.height == 0:
        return "Ingen rækker er sat i karantæne."
    agg = q.group_by(["register", "column_name", "reason"]).agg(pl.col("rows").sum()).sort(
        ["register", "rows"], descending=[False, True])
    return md_table(agg, {"register": "Register", "column_name": "Kolonne", "reason": "Årsag", "rows": "Rækker"})


STATUS_DA = {"both": "Begge metoder, samme område", "range_only": "Kun adresseinterval",
             "polygon_only": "Kun polygon", "conflict": "Metoderne uenige", "none": "Uden for områderne",
             "unmatched": "Intet adressepunkt"}


def reconciliation_markdown(rec: pl.DataFrame) -> str:
    latest = rec["year"].max()
    df = rec.filter(pl.col("year") == latest).with_columns(
        pl.col("area_id").map_elements(lambda a: "Ingen" if a == "ingen" else display_name(a),
                                       return_dtype=pl.Utf8).alias("område"),
        pl.col("match_status").replace_strict(STATUS_DA, default=pl.col("match_status")).alias("status"),
    ).sort(["område", "status"])
    return f"Status pr. 1. januar {latest}.\n\n" + md_table(
        df, {"område": "Område", "status": "Tildeling", "addresses": "Adresser", "residents": "Beboere"})


def suppression_markdown(sup: pl.DataFrame) -> str:
    if sup.height == 0:
        return "Ingen celler er undertrykt."
    agg = sup.group_by(["table", "rule"]).agg(pl.len().alias("cells")).sort(["table", "rule"])
    return (f"I alt er {fmt_int(sup.height)} celler undertrykt.\n\n"
            + md_table(agg, {"table": "Tabel", "rule": "Regel", "cells": "Celler"}))
