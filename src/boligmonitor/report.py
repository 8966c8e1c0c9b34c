"""Building blocks of the report pages: Danish number formats, Markdown tables, page sections.

Report pages (``index.py``, ``reports/**.py``) are thin: they call these functions on the published
aggregates (:mod:`boligmonitor.published`) and display the Markdown and charts they return.
A suppressed value (disclosure control) is shown as ``..``, as Statistics Denmark does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from boligmonitor import published
from boligmonitor.areas import display_name

SUPPRESSED = ".."


def fmt_int(x) -> str:
    """12345 -> '12.345' (Danish thousands separator); None -> '..'."""
    if x is None:
        return SUPPRESSED
    return f"{round(x):,}".replace(",", ".")


def fmt_num(x, decimals: int = 1) -> str:
    """1234.56 -> '1.234,6'; None -> '..'."""
    if x is None:
        return SUPPRESSED
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "_").replace(".", ",").replace("_", ".")


def fmt_pct(x, decimals: int = 1) -> str:
    """45.04 -> '45,0 %'; None -> '..'."""
    return SUPPRESSED if x is None else f"{fmt_num(x, decimals)} %"


def fmt_bool(x, yes: str = "ja", no: str = "nej", unknown: str = "ukendt") -> str:
    if x is None:
        return unknown
    if isinstance(x, str):
        x = x.strip().lower() in ("true", "1", "ja", "yes")
    return yes if x else no


def md_table(
    df: pl.DataFrame,
    columns: dict[str, str],
    formats: dict[str, Callable] | None = None,
    align: dict[str, str] | None = None,
) -> str:
    """A Markdown pipe table of ``columns`` (column -> Danish header), formatted cell by cell."""
    formats = formats or {}
    align = align or {}
    cols = list(columns)
    head = "| " + " | ".join(columns[c] for c in cols) + " |"

    def _al(c: str) -> str:
        a = align.get(c)
        if a is None:
            a = "r" if df.schema[c].is_numeric() else "l"
        return {"l": ":--", "r": "--:", "c": ":-:"}[a]

    sep = "| " + " | ".join(_al(c) for c in cols) + " |"
    lines = [head, sep]
    for row in df.select(cols).iter_rows(named=True):
        cells = []
        for c in cols:
            v = row[c]
            f = formats.get(c)
            if f is not None:
                cells.append(f(v))
            elif v is None:
                cells.append(SUPPRESSED if df.schema[c].is_numeric() else "")
            elif isinstance(v, float):
                cells.append(fmt_num(v))
            elif isinstance(v, int) and not isinstance(v, bool):
                cells.append(fmt_int(v))
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def area_names(df: pl.DataFrame, col: str = "area_id", name: str = "område") -> pl.DataFrame:
    return df.with_columns(pl.col(col).map_elements(display_name, return_dtype=pl.Utf8).alias(name))


def order_areas(df: pl.DataFrame, order: Sequence[str], col: str = "area_id") -> pl.DataFrame:
    rank = {a: i for i, a in enumerate(order)}
    return df.filter(pl.col(col).is_in(list(order))).with_columns(
        pl.col(col).replace_strict(rank, default=len(rank)).alias("_o")).sort("_o").drop("_o")


def data_banner() -> str:
    """The note every page carries: synthetic or real data, and the minimum cell size."""
    m = published.manifest()
    n = m.get("min_cell_persons")
    if m.get("synthetic"):
        return ("::: {.callout-warning}\n**Syntetiske data.** Tallene på denne side er beregnet på det syntetiske "
                "standardudtræk, der efterligner registrene og er kalibreret til helhedsplanens tal. De beskriver "
                f"ikke virkelige personer. Celler med færre end {n} personer vises som `..`.\n:::")
    return (f"::: {{.callout-note}}\nTallene er beregnet på registerudtræk. Celler med færre end {n} personer "
            "vises som `..` (diskretionering).\n:::")


def downloads_markdown(prefix: str = "") -> str:
    """A table of every published CSV with its title, description, size and a link."""
    m = published.manifest()
    rows = []
    for name, t in m["tables"].items():
        link = f"[{name}.csv]({prefix}data/processed/published/{name}.csv)"
        rows.append({"fil": link, "titel": t["title"], "beskrivelse": t["description"], "rækker": t["rows"]})
    rows.append({"fil": f"[undertrykkelser.csv]({prefix}data/processed/published/undertrykkelser.csv)",
                 "titel": "Undertrykte celler", "beskrivelse": "Hver celle, diskretioneringen skjulte, og hvorfor.",
                 "rækker": m.get("suppressed_cells", 0)})
    df = pl.DataFrame(rows)
    return md_table(df, {"fil": "Fil", "titel": "Indhold", "beskrivelse": "Beskrivelse", "rækker": "Rækker"})
