"""Helpers for the disclosure tests (not a test module)."""

import polars as pl

from boligmonitor import config
from boligmonitor.db import connect
from boligmonitor.disclosure import DisclosureModel, SuppressionLog
from boligmonitor.publish import TABLES

N = config.MIN_CELL_PERSONS


def _load(build, name):
    return pl.read_csv(build / "pub" / f"{name}.csv", infer_schema_length=None)


def single_relation_recoveries(build) -> tuple[list[str], int]:
    """(every value in 1..4 that one declared relation gives from the published files, number of
    relations); ``build``: a folder with ``bm.duckdb`` and ``pub/``."""
    con = connect(build / "bm.duckdb", read_only=True)
    frames = {t.name: t.build(con, SuppressionLog()) for t in TABLES if not t.after}
    con.close()
    m = DisclosureModel(N)
    for t in TABLES:
        if t.name in frames:
            m.add_table(t.name, frames[t.name], t.protection)
    m.build()
    published = {t.name: _load(build, t.name) for t in TABLES if t.name in frames}

    def shown(j):
        c = m.cells[j]
        for table, column, row in c.places:
            df = published[table]
            if column in df.columns:
                v = df[column][row]
                if v is not None:
                    return float(v)
        return None

    values = {j: shown(j) for j in range(len(m.cells))}
    bad = []
    for eq in m.equations:
        unknown = [(j, a) for j, a in eq.terms if values[j] is None]
        if len(unknown) == 1:
            j, a = unknown[0]
            if m.cells[j].exempt:  # a difference of published counts (e.g. a change's total): no one's count
                continue
            v = -sum(a2 * values[k] for k, a2 in eq.terms if k != j) / a
            if 1 <= round(v) <= N - 1:
                bad.append(f"{eq.name} ({eq.table}): {m.describe(j)} = {v:g}")
    return bad, len(m.equations)


def profile_frame(rows: list[tuple]) -> pl.DataFrame:
    """``flytninger_profiler`` as :func:`boligmonitor.flows.published_profiles` builds it, from rows of
    (area_id, year, flow_group, measure, numerator, denominator): shares in pct, complete, not
    suppressed, and the model-only criteria columns empty."""
    df = pl.DataFrame(rows, schema=["area_id", "year", "flow_group", "measure", "numerator", "denominator"],
                      orient="row")
    return df.with_columns((100 * pl.col("numerator") / pl.col("denominator")).alias("value"),
                           pl.lit("pct").alias("unit"), pl.lit(True).alias("complete"),
                           pl.lit(False).alias("suppressed"), pl.lit(None, pl.Int64).alias("_crit_year"),
                           pl.lit(None, pl.Float64).alias("_crit_num"), pl.lit(None, pl.Float64).alias("_crit_den"))
