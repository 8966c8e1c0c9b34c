"""Data-quality report: ``boligmonitor check`` and the site's *Datakvalitet* page.

``check(db)`` reads the built database and lists what a reviewer must know before trusting the
numbers. What a file's load status means comes from the one vocabulary
(:mod:`boligmonitor.ingest.status`). *Blocking* problems (exit code 1): a file that failed, a
file whose rows do not reconcile (read = loaded + quarantined; every loaded status is
reconciled), person-years lost between staging and core, register addresses assigned to
conflicting areas by the two methods. *Warnings*: a file with quarantined rows (how many, why), an
incomplete register-year (more than :data:`~boligmonitor.ingest.rules.INCOMPLETE_SHARE` of its
rows quarantined: the criteria and indicators built on it are unknown), a file left out with
``--allow-missing``, addresses that match no address point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from boligmonitor import buildrecord
from boligmonitor.areas import display_name
from boligmonitor.db import connect, frame
from boligmonitor.ingest import status as load_status
from boligmonitor.ingest.rules import INCOMPLETE_SHARE
from boligmonitor.ingest.status import LoadStatus
from boligmonitor.site.report import md_table


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


def _reconciled_files(loads: pl.DataFrame) -> pl.DataFrame:
    if "status" not in loads.columns:
        return loads
    keep = [s for s in loads["status"].unique().to_list() if load_status.reconciled(s)]
    return loads.filter(pl.col("status").is_in(keep))


def unreconciled(loads: pl.DataFrame) -> pl.DataFrame:
    """The files whose status must reconcile (:func:`boligmonitor.ingest.status.reconciled`: every
    loaded file, with or without quarantine) where rows read != rows loaded + rows quarantined."""
    return _reconciled_files(loads).filter(
        pl.col("rows_read") != pl.col("rows_loaded") + pl.col("rows_quarantined"))


def reconciles(loads: pl.DataFrame) -> bool:
    """For every loaded file (any status that reconciles), rows read = rows loaded + rows quarantined.
    Raises ``KeyError`` on a status not in the vocabulary."""
    return unreconciled(loads).height == 0


def _reasons_by_file(con) -> dict[str, str]:
    rows = con.execute("""
        select source_file, reason_code, min(reason), count(distinct source_line), min(source_line),
               max(source_line), list(distinct column_name order by column_name)
        from staging.quarantine group by all order by 1, 4 desc, 2""").fetchall()
    out: dict[str, list[str]] = {}
    for sf, _code, reason, n, lo, hi, cols in rows:
        where = f"line {lo}" if lo == hi else f"lines {lo}-{hi}"
        colnames = ", ".join(c for c in cols if c)
        text = f"{n:,} {'row' if n == 1 else 'rows'} {reason}" + (f" (column {colnames}, {where})" if colnames
                                                                 else f" ({where})")
        out.setdefault(sf, []).append(text)
    return {k: "; ".join(v) for k, v in out.items()}


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
        reasons = _reasons_by_file(con)
        for line, severity in load_status_lines(loads, reasons):
            {"blocking": rep.blocking, "warning": rep.warnings, "fact": rep.info}[severity].append(line)
        for r in unreconciled(loads).iter_rows(named=True):
            rep.blocking.append(f"{r['source_file']}: rows read {r['rows_read']} != loaded "
                                f"{r['rows_loaded']} + quarantined {r['rows_quarantined']}")
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


def _register_year(r: dict) -> str:
    return r["register"] if r.get("year") is None else f"{r['register']} {r['year']}"


def load_status_lines(loads: pl.DataFrame, reasons: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(line, severity) for every file whose status is not plain ``ok``, worded by status (the one
    vocabulary, :mod:`boligmonitor.ingest.status`). Raises ``KeyError`` on an unknown status."""
    reasons = reasons or {}
    out = []
    for r in loads.sort("source_file").iter_rows(named=True):
        st = load_status.info(r["status"])
        if st.status == LoadStatus.OK:
            continue
        sf, why = r["source_file"], reasons.get(r["source_file"])
        read, q = r["rows_read"] or 0, r["rows_quarantined"] or 0
        pct = f"{100 * q / read:.1f} %" if read else "-"
        if st.status == LoadStatus.OK_WITH_QUARANTINE:
            text = f"{sf}: loaded; {q:,} of {read:,} rows quarantined ({pct})" + (f": {why}" if why else "")
        elif st.status == LoadStatus.INCOMPLETE:
            text = (f"{sf}: incomplete: {q:,} of {read:,} rows quarantined ({pct}, more than "
                    f"{100 * INCOMPLETE_SHARE:g} %); the criteria and indicators built on "
                    f"{_register_year(r)} are unknown" + (f": {why}" if why else ""))
        elif st.status == LoadStatus.MISSING:
            text = f"{sf}: missing (left out with --allow-missing); its indicators for {r['year']} cannot be measured"
        else:
            text = f"{sf}: not loaded ({st.status.value})" + (f": {r['message']}" if r.get("message") else "")
        out.append((text, st.severity))
    return out


# --- Markdown for the Datakvalitet page (from published aggregates only) ---------------------------

def load_summary_markdown(loads: pl.DataFrame) -> str:
    """Per register: files, rows read, loaded, quarantined, files not loaded (only failed or
    missing files: a file with quarantined rows is loaded), and a sentence naming every incomplete
    or missing register-year (Danish). Statuses from :mod:`boligmonitor.ingest.status`; raises
    ``KeyError`` on an unknown status."""
    statuses = loads["status"].unique().to_list()
    not_loaded = [s for s in statuses if not load_status.loaded(s)]
    by_reg = loads.group_by("register").agg(
        pl.len().alias("files"), pl.col("rows_read").sum(), pl.col("rows_loaded").sum(),
        pl.col("rows_quarantined").sum(), pl.col("status").is_in(not_loaded).sum().alias("failed"),
    ).sort("register")
    table = md_table(by_reg, {"register": "Register", "files": "Filer", "rows_read": "Rækker læst",
                              "rows_loaded": "Indlæst", "rows_quarantined": "Karantæne",
                              "failed": "Filer ikke indlæst"})
    gaps = loads.filter(pl.col("status").is_in([LoadStatus.INCOMPLETE.value, LoadStatus.MISSING.value])
                        ).sort("register", "year")
    if not gaps.height:
        return table
    items = [f"{r['register']} {r['year'] if r['year'] is not None else ''}".strip()
             + f" ({load_status.info(r['status']).label_da})" for r in gaps.iter_rows(named=True)]
    return (table + "\n\nUfuldstændige eller manglende registerår — kriterier og indikatorer, der bygger på "
            f"dem, vises som ukendte (kan ikke måles): {'; '.join(items)}. Grænsen er "
            f"{fmt_pct_da(100 * INCOMPLETE_SHARE)} af et års rækker i karantæne.")


def fmt_pct_da(v: float) -> str:
    return f"{v:g}".replace(".", ",") + " %"


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

