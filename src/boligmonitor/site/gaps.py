"""Numbers that cannot be measured because the register-year behind them is incomplete or missing.

The published tables carry the reason per row (column ``missing_reason`` of ``kriterier``,
``klassifikation`` and ``indikatorer``: "kan ikke måles: ydelser 2021 er ufuldstændig (60 % af
rækkerne i karantæne, ...)"; several reasons joined with "; "). The report tables show such a value as
"ukendt" with a footnote mark (:class:`Footnotes`), and the *Datakvalitet* page lists, per register-year,
the criteria and indicators it makes unknown (:func:`affected_markdown`). Everything here reads
published tables only.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

_SUP = "¹²³⁴⁵⁶⁷⁸⁹"
#: The prefix every reason starts with (:func:`boligmonitor.ingest.load.incomplete_inputs`).
PREFIX = "kan ikke måles: "
UNKNOWN = "ukendt"


def reasons(text: str | None) -> list[str]:
    """The single reasons of a ``missing_reason`` cell (one per register-year); [] for none."""
    if not text:
        return []
    return [r.strip() for r in str(text).split("; ") if r.strip()]


class Footnotes:
    """Numbered footnote marks (¹, ², ... then [10], ...) for the distinct reasons of one table."""

    def __init__(self) -> None:
        self.order: list[str] = []

    def mark(self, text: str | None) -> str:
        """The mark(s) for a ``missing_reason`` cell ("" for none), registering new reasons."""
        out = []
        for r in reasons(text):
            if r not in self.order:
                self.order.append(r)
            i = self.order.index(r)
            out.append(_SUP[i] if i < len(_SUP) else f"[{i + 1}]")
        return "".join(dict.fromkeys(out))

    def cell(self, text: str | None) -> str:
        """``ukendt`` with the mark(s), for a value that cannot be measured."""
        return UNKNOWN + self.mark(text)

    def note(self) -> str:
        """The footnotes under a table (Danish), or "" when no value needed one."""
        if not self.order:
            return ""
        lines = []
        for i, r in enumerate(self.order):
            m = _SUP[i] if i < len(_SUP) else f"[{i + 1}]"
            lines.append(f"{m} {r[0].upper()}{r[1:]}.")
        return "\n\n" + "<br>\n".join(lines)


def _has(df: pl.DataFrame) -> bool:
    return "missing_reason" in df.columns and df["missing_reason"].drop_nulls().len() > 0


def _years(ys: Iterable[int]) -> str:
    ys = sorted(set(int(y) for y in ys))
    return ", ".join(map(str, ys))


def affected(ind: pl.DataFrame, crit: pl.DataFrame) -> pl.DataFrame:
    """Per reason (one register-year), the metrics it makes unknown.

    ``ind``: published ``indikatorer`` (``plan_id, name, year, missing_reason``); ``crit``: published
    ``kriterier`` (``criterion, list_year, missing_reason``). Returns columns ``reason`` (Danish, without
    the "kan ikke måles: " prefix), ``kind`` ("Kriterier"/"Indikatorer"), ``metric`` (Danish name),
    ``years`` (list years for criteria, data years for indicators, as text), one row per reason, kind
    and metric, sorted; empty when every input was complete."""
    from boligmonitor.site.report import CRITERION_DA  # report imports this module

    rows = []
    if _has(crit):
        part = crit.filter(pl.col("missing_reason").is_not_null())
        for r in part.select("criterion", "list_year", "missing_reason").unique().iter_rows(named=True):
            for why in reasons(r["missing_reason"]):
                rows.append((why, "Kriterier", CRITERION_DA.get(r["criterion"], r["criterion"]), r["list_year"]))
    if _has(ind):
        part = ind.filter(pl.col("missing_reason").is_not_null())
        for r in part.select("plan_id", "name", "year", "missing_reason").unique().iter_rows(named=True):
            for why in reasons(r["missing_reason"]):
                rows.append((why, "Indikatorer", f"{r['plan_id']} {r['name']}", r["year"]))
    schema = {"reason": pl.Utf8, "kind": pl.Utf8, "metric": pl.Utf8, "years": pl.Utf8}
    if not rows:
        return pl.DataFrame(schema=schema)
    df = pl.DataFrame(rows, schema={"reason": pl.Utf8, "kind": pl.Utf8, "metric": pl.Utf8, "year": pl.Int64},
                      orient="row")
    df = df.with_columns(pl.col("reason").str.strip_prefix(PREFIX))
    return (df.group_by("reason", "kind", "metric").agg(pl.col("year").unique().sort())
            .with_columns(pl.col("year").map_elements(_years, return_dtype=pl.Utf8).alias("years"))
            .select("reason", "kind", "metric", "years").sort("reason", "kind", "metric"))


def affected_markdown(ind: pl.DataFrame, crit: pl.DataFrame) -> str:
    """The *Datakvalitet* section (Danish): for each incomplete or missing register-year, a table of the
    criteria (with list years) and indicators (with years) that cannot be measured because of it."""
    from boligmonitor.site.report import md_table

    df = affected(ind, crit)
    if df.height == 0:
        return ("Alle kriterier og indikatorer bygger på fuldstændige registerår: intet tal er ukendt på grund "
                "af rækker i karantæne eller manglende filer.")
    out = []
    for (why,), part in df.group_by("reason", maintain_order=True):
        out.append(f"**{why[0].upper()}{why[1:]}.** Kan ikke måles:\n\n"
                   + md_table(part, {"kind": "Hvad", "metric": "Tal", "years": "År (kriterier: listeår)"}))
    return "\n\n".join(out)


__all__ = ["Footnotes", "affected", "affected_markdown", "reasons", "PREFIX"]
