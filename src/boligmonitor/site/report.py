"""Building blocks of the report pages: Danish number formats, Markdown tables, page sections.

Report pages (``index.py``, ``reports/**.py``) are thin: they call these functions on the published
aggregates (:mod:`boligmonitor.site.published`) and display the Markdown and charts they return.
A suppressed value (disclosure control) is shown as ``..``, as Statistics Denmark does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from boligmonitor.areas import display_name
from boligmonitor.site import published
from boligmonitor.site.gaps import Footnotes

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


# --- Lists and criteria ------------------------------------------------------------------------------

from boligmonitor.areas import AREA_IDS, KOMMUNE_ID, PLAN_AREA_IDS, PLAN_TOTAL_ID  # noqa: E402

CRITERION_DA = {
    "employment": "Uden for arbejdsmarked/uddannelse (18-64 år)",
    "crime": "Dømte (18+ år)",
    "education": "Kun grundskole (30-59 år)",
    "income": "Bruttoindkomst i pct. af regionen (15-64 år)",
    "nonwestern": "Ikke-vestlige indvandrere og efterkommere",
}
CRITERIA_ORDER = ("employment", "crime", "education", "income", "nonwestern")
CATEGORY_DA = {"udsat": "Udsat boligområde", "forebyggelse": "Forebyggelsesområde"}
THRESHOLD_SET_DA = {"udsat": "grænserne for udsatte boligområder (§ 61 a)",
                    "forebyggelse": "de lavere grænser for forebyggelsesområder (§ 61 b)",
                    "ghetto": "reglerne for ghettolisten 2013-2017"}


def _truthy(v) -> bool | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    return str(v).strip().lower() in ("true", "1", "ja")


def latest_list_year(classification: pl.DataFrame) -> int:
    """The newest list year for which every plan area's udsat status is known."""
    known = classification.filter(pl.col("area_id").is_in(list(PLAN_AREA_IDS)) & pl.col("udsat").is_not_null())
    return int(known["list_year"].max())


def list_years(classification: pl.DataFrame) -> list[int]:
    return sorted(classification.filter(pl.col("udsat").is_not_null())["list_year"].unique().to_list())


def _names(ids: Sequence[str]) -> str:
    names = [display_name(i) for i in ids]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]


def status_summary(classification: pl.DataFrame, year: int) -> str:
    """One paragraph in Danish: which areas are on which list in ``year``, computed from the table."""
    c = classification.filter(pl.col("list_year") == year)
    if c.height == 0:
        return f"Der er ingen beregning for listeåret {year}."
    cats = [("udsat", "udsatte boligområder"), ("parallelsamfund", c["name_parallelsamfund"][0]),
            ("omdannelse", c["name_omdannelse"][0])]
    if year >= 2021:
        cats.append(("forebyggelse", "forebyggelsesområder"))
    parts = []
    for col, label in cats:
        on = c.filter(pl.col(col).map_elements(_truthy, return_dtype=pl.Boolean).fill_null(False))["area_id"]
        ids = [a for a in AREA_IDS if a in on.to_list()]
        parts.append(f"{label}: {_names(ids) if ids else 'ingen'}")
    text = f"Beregnet status for listen pr. 1. december {year} — " + "; ".join(parts) + "."
    small = c.filter(~pl.col("eligible").map_elements(_truthy, return_dtype=pl.Boolean).fill_null(False))
    small_ids = [a for a in AREA_IDS if a in small["area_id"].to_list()]
    if small_ids:
        text += (f" {_names(small_ids)} har under 1.000 beboere og kan derfor ikke komme på listerne, "
                 "uanset kriterierne.")
    return text


#: The list categories of a list year, in the order a reader meets them, with their first list year
#: (before it the category did not exist) and their column in the classification.
LIST_CATEGORIES = (("udsat", 2010), ("parallelsamfund", 2010), ("omdannelse", 2010), ("forebyggelse", 2021))


def category_label(row: dict, category: str) -> str:
    """The Danish name of a list category in the row's list year (the law renamed them in 2018 and 2021)."""
    if category == "udsat":
        return "udsat boligområde" if row["list_year"] >= 2018 else "på ghettolisten"
    if category == "parallelsamfund":
        return row.get("name_parallelsamfund") or "parallelsamfund"
    if category == "omdannelse":
        return row.get("name_omdannelse") or "omdannelsesområde"
    return "forebyggelsesområde"


def list_status(row: dict) -> str:
    """One area's status on a list, in words, with the years in a row on each list:
    'udsat boligområde (3. år i træk)', 'ikke på listen (under 1.000 beboere)', '..' when unknown.

    ``row``: a row of ``published/klassifikation.csv`` (``udsat``, ``parallelsamfund``, ``omdannelse``,
    ``forebyggelse``, ``years_<category>``, ``eligible``, ``list_year``)."""
    if row.get("udsat") is None:
        return SUPPRESSED
    on = []
    for cat, first in LIST_CATEGORIES:
        if row["list_year"] < first or not _truthy(row.get(cat)):
            continue
        if cat == "udsat" and row["list_year"] < 2018:
            continue  # before 2018 the list was the ghetto list (parallelsamfund column)
        n = row.get(f"years_{cat}")
        label = category_label(row, cat)
        on.append(f"{label} ({int(n)}. år i træk)" if n and int(n) > 1 else f"{label} (1. år)" if n else label)
    if on:
        return on[0][0].upper() + "; ".join(on)[1:]
    if not _truthy(row.get("eligible")):
        return "Ikke på listerne (under 1.000 beboere)"
    return "Ikke på listerne"


def status_table(classification: pl.DataFrame, year: int) -> str:
    """Each area in the list year: residents, non-Western share, criteria met, and its status in words
    (every list it is on, with the years in a row). Five columns: fits a phone when wrapped."""
    c = area_names(order_areas(classification.filter(pl.col("list_year") == year), AREA_IDS))
    c = c.with_columns(pl.Series("status", [list_status(r) for r in c.iter_rows(named=True)], dtype=pl.Utf8))
    notes = Footnotes()
    if "missing_reason" in c.columns:
        c = c.with_columns(pl.Series("område", [n + notes.mark(m) for n, m in
                                                zip(c["område"].to_list(), c["missing_reason"].to_list())]))
    return md_table(c, {"område": "Område", "residents": "Beboere", "pct_nonwestern": "Ikke-vestlige",
                        "n_criteria": "Kriterier opfyldt (af 4)", "status": f"Status på listen {year}"},
                    formats={"pct_nonwestern": fmt_pct, "residents": fmt_int,
                             "n_criteria": lambda v: SUPPRESSED if v is None else str(int(v))},
                    align={"n_criteria": "r"}) + (
        "\n\nUfuldstændige data bag klassifikationen (et kriterium, der ikke kan måles, er ukendt; status er "
        "ukendt, når det afgør udfaldet):"
        + notes.note() if notes.order else "")


def residents_table(population: pl.DataFrame, years: int = 6) -> str:
    last = sorted(population["year"].unique().to_list())[-years:]
    p = population.filter(pl.col("year").is_in(last))
    wide = p.pivot(on="year", index="area_id", values="residents", sort_columns=True)
    wide = area_names(order_areas(wide, [*AREA_IDS, PLAN_TOTAL_ID, KOMMUNE_ID]))
    cols = {"område": "Område", **{str(y): str(y) for y in last}}
    return md_table(wide, cols, formats={str(y): fmt_int for y in last})


def residents_chart(population: pl.DataFrame):
    from boligmonitor.site import charts

    p = population.filter(pl.col("area_id").is_in(list(AREA_IDS)))
    return charts.line_by_area(p, x="year", y="residents", y_title="Beboere pr. 1. januar",
                               threshold=1000, threshold_label="1.000 beboere")


def report_links(classification: pl.DataFrame, prefix: str = "") -> str:
    years = [y for y in list_years(classification) if y >= 2021]
    lines = [f"- [Årsrapport {y}]({prefix}reports/{y}/index.py)" for y in sorted(years, reverse=True)]
    lines += [f"- [{display_name(a)}]({prefix}reports/omraader/{a}.py)" for a in AREA_IDS]
    return "\n".join(lines)


def fmt_margin(persons, direction=None, criterion: str | None = None) -> str:
    """The distance to the threshold in persons: '25 pers. fra grænsen'; for income in annual incomes at
    the region's mean ('65 indk. fra grænsen'); None -> '..'. Which side the area is on is shown by the
    met mark next to the value, not by a word here (see :data:`MARGIN_NOTE`)."""
    if persons is None:
        return SUPPRESSED
    unit = "indk." if criterion == "income" else "pers."
    return f"{fmt_int(persons)} {unit} fra grænsen"


#: The legend of every table that shows margins (the one wording, used everywhere).
MARGIN_NOTE = ("✔ = kriteriet er opfyldt. Under værdien står afstanden til grænsen: så mange personer skal ud af "
               "gruppen (når kriteriet er opfyldt) eller ind i gruppen (når det ikke er), før kriteriet skifter. "
               "For indkomst tælles i årsindkomster på regionens gennemsnit: så mange beboere skal have en hel "
               "gennemsnitsindkomst mere (når kriteriet er opfyldt) eller mindre (når det ikke er).")


def signed_margin(met, persons) -> float | None:
    """The margin with its side: positive when the criterion is met (persons above the threshold),
    negative when not; None when suppressed."""
    if persons is None or met is None:
        return None
    return float(persons) if _truthy(met) else -float(persons)


def fmt_criterion_value(criterion: str, value, ratio=None) -> str:
    if value is None:
        return SUPPRESSED
    if criterion == "crime" and ratio is not None:
        return f"{fmt_pct(value, 2)}<br>({fmt_num(ratio, 2)} × landsgns.)"
    if criterion == "crime":
        return fmt_pct(value, 2)
    return fmt_pct(value)


def fmt_threshold(criterion: str, comparator: str, threshold, reference=None, wording: str | None = None) -> str:
    sym = {">": ">", ">=": "≥", "<": "<"}.get(comparator, comparator)
    dec = 2 if criterion == "crime" else 1
    return f"{sym} {fmt_pct(threshold, dec)}"


CRITERION_SHORT_DA = {"employment": "Uden for arb./udd.", "crime": "Dømte", "education": "Kun grundskole",
                      "income": "Indkomst (pct. af region)", "nonwestern": "Ikke-vestlige"}


def criteria_table(criteria: pl.DataFrame, year: int, threshold_set: str = "udsat",
                   area_ids: Sequence[str] = AREA_IDS) -> str:
    """One row per area, one column per criterion: the value, ✔ when met, and the margin in persons.

    The header carries the threshold in force for the list year (the same for every area)."""
    c = criteria.filter((pl.col("list_year") == year) & (pl.col("threshold_set") == threshold_set))
    order = [*area_ids, PLAN_TOTAL_ID, KOMMUNE_ID]
    c = order_areas(c, order)
    if c.height == 0:
        return f"Ingen kriterieværdier for {year}."
    crits = [k for k in CRITERIA_ORDER if k in set(c["criterion"].to_list())]
    headers = {}
    for k in crits:
        r = c.filter(pl.col("criterion") == k).row(0, named=True)
        headers[k] = f"{CRITERION_SHORT_DA[k]} ({fmt_threshold(k, r['comparator'], r['threshold'])})"
    rows = []
    notes = Footnotes()
    for a in order:
        part = c.filter(pl.col("area_id") == a)
        if part.height == 0:
            continue
        row = {"område": display_name(a)}
        for r in part.iter_rows(named=True):
            if r.get("missing_reason"):  # built on an incomplete or missing register-year
                row[r["criterion"]] = notes.cell(r["missing_reason"])
                continue
            cell = fmt_criterion_value(r["criterion"], r["value"], r.get("ratio_national"))
            if _truthy(r["met"]):
                cell += " ✔"
            if a in area_ids and r["margin_persons"] is not None:
                cell += f"<br><small>{fmt_margin(r['margin_persons'], criterion=r['criterion'])}</small>"
            row[r["criterion"]] = cell
        rows.append(row)
    df = pl.DataFrame(rows)
    table = md_table(df, {"område": "Område", **{k: headers[k] for k in crits if k in df.columns}},
                     align={k: "r" for k in crits})
    return (table + "\n\n" + MARGIN_NOTE + " Kriminalitet vises også som et multiplum af landsgennemsnittet."
            + notes.note())


def criteria_chart(criteria: pl.DataFrame, criterion: str, threshold_set: str = "udsat",
                   area_ids: Sequence[str] = PLAN_AREA_IDS, years: Sequence[int] | None = None):
    """The criterion over the list years for the areas, with the threshold in force (latest law)."""
    from boligmonitor.site import charts

    c = criteria.filter((pl.col("criterion") == criterion) & (pl.col("threshold_set") == threshold_set)
                        & pl.col("area_id").is_in([*area_ids, KOMMUNE_ID]))
    if years:
        c = c.filter(pl.col("list_year").is_in(list(years)))
    # The threshold in force each list year (the crime threshold moves with the national share).
    thresholds = c.group_by("list_year").agg(pl.col("threshold").first()).sort("list_year")
    return charts.line_by_area(c, x="list_year", y="value", x_title="Listeår",
                               y_title=CRITERION_DA[criterion] + " (%)", thresholds=thresholds, percent=True)


#: Short row labels of the plan's categories A-E (the full wording is in the note under the table).
CATEGORY_SHORT_DA = {"total": "I alt (A-E)", "A": "A Ledige", "B": "B Aktiverede m.fl.",
                     "C": "C Passive kontanthjælpsmodt.", "D": "D Sygedagpenge", "E": "E Førtidspension"}


def margin_frame(criteria: pl.DataFrame, year: int, threshold_set: str = "udsat",
                 area_ids: Sequence[str] = AREA_IDS) -> pl.DataFrame:
    """The margins of the four criteria for the areas in a list year, with their side.

    Columns: ``area_id, område, criterion, kriterium, met (bool), margin_persons (persons; income: annual
    incomes at the region's mean), signed (persons, + met / - not met; null when suppressed)``."""
    c = criteria.filter((pl.col("list_year") == year) & (pl.col("threshold_set") == threshold_set)
                        & pl.col("area_id").is_in(list(area_ids)) & (pl.col("criterion") != "nonwestern"))
    rows = [{"area_id": r["area_id"], "område": display_name(r["area_id"]), "criterion": r["criterion"],
             "kriterium": CRITERION_SHORT_DA[r["criterion"]], "met": _truthy(r["met"]),
             "margin_persons": r["margin_persons"], "signed": signed_margin(r["met"], r["margin_persons"])}
            for r in c.iter_rows(named=True)]
    schema = {"area_id": pl.Utf8, "område": pl.Utf8, "criterion": pl.Utf8, "kriterium": pl.Utf8,
              "met": pl.Boolean, "margin_persons": pl.Float64, "signed": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


def margin_chart(criteria: pl.DataFrame, year: int, area_ids: Sequence[str] = AREA_IDS):
    """Small bars: for each area (row) and criterion (column), how many persons it is from the threshold
    and on which side (right, dark: met; left, light: not met). Suppressed margins are left empty and
    named in a note under the chart, never drawn as 0."""
    import altair as alt

    m = margin_frame(criteria, year, area_ids=area_ids)
    drawn = m.filter(pl.col("signed").is_not_null()).with_columns(
        pl.when(pl.col("met")).then(pl.lit("opfyldt")).otherwise(pl.lit("ikke opfyldt")).alias("side"),
        pl.col("signed").abs().cast(pl.Int64).cast(pl.Utf8).alias("label"))
    order = [display_name(a) for a in area_ids]
    crit_order = [CRITERION_SHORT_DA[k] for k in CRITERIA_ORDER if k != "nonwestern"]
    lim = float(drawn["signed"].abs().max() or 1.0)
    base = alt.Chart().encode(
        y=alt.Y("område:N", sort=order, title=None, axis=alt.Axis(labelLimit=0)),
    )
    bars = base.mark_bar(height=12).encode(
        x=alt.X("signed:Q", title="personer fra grænsen", scale=alt.Scale(domain=[-lim, lim]),
                axis=alt.Axis(format="~s", tickCount=3, labelExpr="abs(datum.value)")),
        color=alt.Color("side:N", title=None, scale=alt.Scale(domain=["opfyldt", "ikke opfyldt"],
                                                              range=["#a4161a", "#9fb3c8"])),
        tooltip=[alt.Tooltip("område:N"), alt.Tooltip("kriterium:N"), alt.Tooltip("side:N"),
                 alt.Tooltip("margin_persons:Q", title="personer fra grænsen", format=",.0f")],
    )
    text = base.mark_text(fontSize=10, dx=alt.expr("datum.signed < 0 ? -3 : 3"),
                          align=alt.expr("datum.signed < 0 ? 'right' : 'left'")).encode(
        x="signed:Q", text="label:N")
    rule = alt.Chart().mark_rule(color="#333").encode(x=alt.datum(0))
    return alt.layer(bars, text, rule, data=drawn.to_pandas()).properties(width=125, height=alt.Step(18)).facet(
        column=alt.Column("kriterium:N", sort=crit_order, title=None, header=alt.Header(labelFontSize=11)),
    ).resolve_scale(x="shared")


def margin_gaps_note(criteria: pl.DataFrame, year: int, area_ids: Sequence[str] = AREA_IDS) -> str:
    """The margins a chart leaves empty because disclosure control hid them (never drawn as 0)."""
    m = margin_frame(criteria, year, area_ids=area_ids).filter(pl.col("signed").is_null())
    if m.height == 0:
        return ""
    gaps = ", ".join(f"{r['område']} ({r['kriterium'].lower()})" for r in m.iter_rows(named=True))
    return f"Tom plads i diagrammet: afstanden er skjult af diskretioneringen (`..`) for {gaps}."


def employment_table(emp: pl.DataFrame, year: int, area_ids: Sequence[str]) -> str:
    """Full-time persons 18-64 by the plan's categories A-E (rows) for the areas (columns), with the
    categories' full names under the table. Unit: full-time persons (weekdays, as the criterion)."""
    e = emp.filter((pl.col("year") == year) & pl.col("area_id").is_in(list(area_ids))
                   & (pl.col("category") != "other"))
    if e.height == 0:
        return f"Ingen opgørelse for {year}."
    if "missing_reason" in e.columns and e["missing_reason"].drop_nulls().len():
        notes = Footnotes()
        mark = notes.mark(e["missing_reason"].drop_nulls()[0])
        return f"Fuldtidspersonerne i {year} er ukendte{mark}." + notes.note()
    labels = dict(zip(e["category"], e["label"], strict=False))
    wide = e.pivot(on="area_id", index="category", values="fulltime_persons")
    order = ["A", "B", "C", "D", "E", "total"]
    wide = wide.with_columns(pl.col("category").replace_strict({k: i for i, k in enumerate(order)},
                                                               default=9).alias("_o")).sort("_o")
    wide = wide.with_columns(pl.col("category").replace_strict(CATEGORY_SHORT_DA, default=pl.col("category"))
                             .alias("kategori"))
    ids = [a for a in area_ids if a in wide.columns]
    table = md_table(wide, {"kategori": f"Fuldtidspersoner {year}", **{a: display_name(a) for a in ids}},
                     formats={a: (lambda v: fmt_num(v, 1)) for a in ids})
    names = "; ".join(labels[k].replace("Indikator ", "") for k in "ABCDE" if k in labels)
    return table + f"\n\nKategorierne: {names}."


def fulltime_note(emp: pl.DataFrame, ind: pl.DataFrame, year: int, area_id: str = PLAN_TOTAL_ID) -> str:
    """The two published figures for 'full-time persons outside the labour market' side by side, with
    the difference and why: the A-E table counts weekdays (as the list criterion, 7.4 hours a weekday),
    indicator B3 (``outside_labour_fte``) counts calendar days (as the plan's baseline table).
    Empty when either is missing."""
    a = emp.filter((pl.col("year") == year) & (pl.col("area_id") == area_id) & (pl.col("category") == "total"))
    b = ind.filter((pl.col("year") == year) & (pl.col("area_id") == area_id)
                   & (pl.col("indicator_id") == "outside_labour_fte"))
    if not a.height or not b.height or a["fulltime_persons"][0] is None or b["value"][0] is None:
        return ""
    va, vb = a["fulltime_persons"][0], b["value"][0]
    return (f"**To opgørelser af det samme.** {display_name(area_id)} havde {fmt_num(va, 1)} fuldtidspersoner "
            f"uden for arbejdsmarkedet i {year} i tabellen ovenfor og {fmt_num(vb, 1)} i helhedsplanens "
            f"indikator B3 (forskel {fmt_num(abs(va - vb), 1)}). Tabellen regner ydelsesdage i hverdage, som "
            "kriteriet for listen gør; indikator B3 regner kalenderdage, som helhedsplanens baseline gør. "
            "Begge er rigtige for deres formål; sammenlign kun tal opgjort på samme måde.")


CHANGE_DA = {"enters": "kommer på listen", "leaves": "forlader listen", "stays": "bliver på listen",
             "stays_out": "forbliver uden for listen", "unknown": "uvist"}


def forecast_table(fc: pl.DataFrame) -> str:
    f = fc.filter(pl.col("category").is_in(["udsat", "parallelsamfund", "forebyggelse"]))
    f = area_names(order_areas(f, AREA_IDS)).with_columns(
        pl.col("change").replace_strict(CHANGE_DA, default="uvist").alias("ændring"))
    names = dict(zip(f["category"], f["category_name"], strict=False))
    wide = f.pivot(on="category", index="område", values="ændring", aggregate_function="first")
    order = [c for c in ("udsat", "parallelsamfund", "forebyggelse") if c in wide.columns]
    return md_table(wide, {"område": "Område", **{c: names[c].capitalize() for c in order}})


def forecast_criteria_table(fcc: pl.DataFrame, threshold_set: str = "udsat") -> str:
    """The forecast per area and criterion: expected value against the threshold, whether met, and the
    margin in persons in the open year. The known year of each two-year average is named in the
    criterion cell. Five columns."""
    f = fcc.filter(pl.col("threshold_set") == threshold_set)
    f = order_areas(f, AREA_IDS).with_columns(pl.col("criterion").replace_strict(
        {k: i for i, k in enumerate(CRITERIA_ORDER)}, default=99).alias("_c"))
    f = area_names(f.with_columns(pl.col("area_id").replace_strict(
        {a: i for i, a in enumerate(AREA_IDS)}, default=99).alias("_a")).sort(["_a", "_c"]))
    rows = []
    last = None
    for r in f.iter_rows(named=True):
        known = str(r["known_years"] or "").strip()
        crit = CRITERION_SHORT_DA.get(r["criterion"], r["criterion"])
        rows.append({
            "område": r["område"] if r["område"] != last else "",
            "kriterium": crit + (f" <small>(kendt: {known})</small>" if known else ""),
            "værdi": f"{fmt_criterion_value(r['criterion'], r['value'])} "
                     f"<small>({fmt_threshold(r['criterion'], r['comparator'], r['threshold'])})</small>",
            "opfyldt": fmt_bool(_truthy(r["met"])),
            "margin": fmt_margin(r["margin_persons_open_year"], criterion=r["criterion"]),
        })
        last = r["område"]
    return md_table(pl.DataFrame(rows), {
        "område": "Område", "kriterium": "Kriterium", "værdi": "Forventet værdi (grænse)",
        "opfyldt": "Forventet opfyldt", "margin": "Afstand i det åbne år"},
        align={"værdi": "r", "margin": "r"}) + (
        "\n\n*Kendt* er det år af toårsgennemsnittet, der allerede er i data; det åbne år fremskrives uændret. "
        "Afstanden er regnet i det åbne år alene: så mange personer skal skifte, før kriteriet skifter.")


def scenario_table(sc: pl.DataFrame, scenario_id: str, area_ids: Sequence[str] = PLAN_AREA_IDS) -> str:
    s = sc.filter((pl.col("scenario_id") == scenario_id) & pl.col("area_id").is_in(list(area_ids)))
    s = area_names(s.with_columns(pl.col("area_id").replace_strict(
        {a: i for i, a in enumerate(area_ids)}, default=99).alias("_a")).sort(["_a", "list_year"]))
    return md_table(s, {
        "område": "Område", "list_year": "Listeår", "pct_outside_labour": "Uden for arb.",
        "pct_basic_education": "Kun grundskole", "pct_income_of_region": "Indkomst (pct. af region)",
        "n_criteria": "Kriterier", "udsat": "Udsat"},
        formats={"list_year": lambda v: f"{v}" + "", "pct_outside_labour": fmt_pct, "pct_basic_education": fmt_pct,
                 "pct_income_of_region": fmt_pct, "n_criteria": lambda v: SUPPRESSED if v is None else str(int(v)),
                 "udsat": lambda v: fmt_bool(_truthy(v))})


# --- Indicators and area pages ------------------------------------------------------------------------

def fmt_indicator(unit: str, value) -> str:
    if value is None:
        return SUPPRESSED
    if unit == "pct":
        return fmt_pct(value)
    if unit == "mark":
        return fmt_num(value, 1)
    if unit in ("fte", "per_1000"):
        return fmt_num(value, 1)
    return fmt_int(value)


def fmt_baseline(text) -> str:
    """A baseline as the plan states it, with Danish thousands separators: '91,4 % (4520 personer)' ->
    '91,4 % (4.520 personer)'. Empty for none."""
    import re

    if text is None:
        return ""
    return re.sub(r"(?<![\d.,])(\d{4,})(?= (personer|helårspersoner|fuldtidspersoner|pers\.))",
                  lambda m: fmt_int(int(m.group(1))), str(text))


def indicator_table(ind: pl.DataFrame, year: int) -> str:
    """Every plan indicator for the data year: all five areas and the municipality, with the plan's
    baseline for each under it and the target under the name. Three columns (fits a phone)."""
    cat = published.load("indikatorkatalog")
    rows = []
    notes = Footnotes()
    for c in cat.iter_rows(named=True):
        base_a, base_k = fmt_baseline(c["baseline_area_value"]), fmt_baseline(c["baseline_kommune_value"])
        by = c["baseline_year"]
        label = f"{c['id']} {c['name_da']}"
        if c["target"]:
            label += f"<br><small>Mål: {c['target']}</small>"
        if c["computed"] != "J":
            rows.append({"indikator": label, "fem": "ikke i registrene" + _under(base_a, by),
                         "kommune": _under(base_k, by).removeprefix("<br>")})
            continue
        iid, name = c["indicator_id"], c["name_da"]
        if iid.startswith("turnout_"):
            # The latest election of the same kind up to the year (KV, FV or EP).
            kind = iid.removeprefix("turnout_")[:2]
            held = ind.filter(pl.col("indicator_id").str.starts_with(f"turnout_{kind}") & (pl.col("year") <= year))
            if held.height:
                iid = held.sort("year")["indicator_id"][-1]
                label = label.replace(name, f"{name.rsplit(' ', 1)[0]} {iid[-4:]}", 1)
        sub = ind.filter(pl.col("indicator_id") == iid)
        sub = sub.filter(pl.col("year") == (sub.filter(pl.col("year") <= year)["year"].max() or year))

        def val(area_id: str, sub=sub, unit=c["unit"]) -> str:
            v = sub.filter(pl.col("area_id") == area_id)
            if not v.height:
                return "–"
            note = f" ({v['year'][0]})" if v["year"][0] != year else ""
            if "missing_reason" in v.columns and v["missing_reason"][0]:
                return notes.cell(v["missing_reason"][0]) + note
            return fmt_indicator(unit, v["value"][0]) + note

        rows.append({"indikator": label, "fem": val(PLAN_TOTAL_ID) + _under(base_a, by),
                     "kommune": val(KOMMUNE_ID) + _under(base_k, by)})
    return md_table(pl.DataFrame(rows), {
        "indikator": "Indikator", "fem": f"Alle fem områder {year}", "kommune": f"Randers Kommune {year}"},
        align={"fem": "r", "kommune": "r"}) + (
        "\n\nUnder hvert tal står helhedsplanens baseline (med året), som målet måles imod." + notes.note())


def _under(baseline: str, year) -> str:
    if not baseline:
        return ""
    return f"<br><small>baseline {year}: {baseline}</small>" if year else f"<br><small>baseline: {baseline}</small>"


def area_indicator_table(ind: pl.DataFrame, area_id: str, years: int = 5) -> str:
    cat = published.load("indikatorkatalog").filter(pl.col("computed") == "J")
    last = sorted(ind["year"].unique().to_list())[-years:]
    rows = []
    notes = Footnotes()
    gap = "missing_reason" in ind.columns

    def cell(v: pl.DataFrame, unit: str) -> str:
        if not v.height:
            return "–"
        if gap and v["missing_reason"][0]:
            return notes.cell(v["missing_reason"][0])
        return fmt_indicator(unit, v["value"][0])

    for c in cat.iter_rows(named=True):
        sub = ind.filter(pl.col("indicator_id") == c["indicator_id"])
        row = {"indikator": f"{c['id']} {c['name_da']}"}
        for y in last:
            row[str(y)] = cell(sub.filter((pl.col("area_id") == area_id) & (pl.col("year") == y)), c["unit"])
        row["kommune"] = cell(sub.filter((pl.col("area_id") == KOMMUNE_ID) & (pl.col("year") == last[-1])),
                              c["unit"])
        rows.append(row)
    return md_table(pl.DataFrame(rows), {"indikator": "Indikator", **{str(y): str(y) for y in last},
                                         "kommune": f"Randers Kommune {last[-1]}"},
                    align={**{str(y): "r" for y in last}, "kommune": "r"}) + notes.note()


def area_history_table(cls: pl.DataFrame, area_id: str) -> str:
    """One area's lists over the years: rules, residents, non-Western share, criteria met, status in
    words with years in a row (:func:`list_status`)."""
    c = cls.filter((pl.col("area_id") == area_id) & pl.col("udsat").is_not_null()).sort("list_year")
    c = c.with_columns(pl.Series("status", [list_status(r) for r in c.iter_rows(named=True)], dtype=pl.Utf8))
    return md_table(c, {"list_year": "Listeår", "rule_version": "Regler", "residents": "Beboere",
                        "pct_nonwestern": "Ikke-vestlige", "n_criteria": "Kriterier opfyldt", "status": "Status"},
                    formats={"list_year": str, "rule_version": str, "residents": fmt_int, "pct_nonwestern": fmt_pct,
                             "n_criteria": lambda v: SUPPRESSED if v is None else str(int(v))},
                    align={"n_criteria": "r"})


def area_population_table(pop: pl.DataFrame, area_id: str) -> str:
    p = pop.filter(pl.col("area_id") == area_id).sort("year")
    return md_table(p, {"year": "År", "residents": "Beboere", "pct_under_18": "Under 18 år",
                        "age_18_64": "18-64 år", "age_65_plus": "65+ år", "pct_nonwestern": "Ikke-vestlige"},
                    formats={"year": str, "residents": fmt_int, "pct_under_18": fmt_pct, "age_18_64": fmt_int,
                             "age_65_plus": fmt_int, "pct_nonwestern": fmt_pct})


def area_criteria_table(crit: pl.DataFrame, area_id: str) -> str:
    c = crit.filter((pl.col("area_id") == area_id) & (pl.col("threshold_set") == "udsat")
                    & pl.col("list_year").is_not_null()).sort("list_year")
    if c.height == 0:
        return "Ingen kriterieværdier."
    rows = []
    notes = Footnotes()
    for y, part in c.group_by("list_year", maintain_order=True):
        row = {"år": str(y[0])}
        for r in part.iter_rows(named=True):
            if r.get("missing_reason"):
                row[r["criterion"]] = notes.cell(r["missing_reason"])
                continue
            mark = " ✔" if _truthy(r["met"]) else ""
            row[r["criterion"]] = fmt_criterion_value(r["criterion"], r["value"]) + mark
        rows.append(row)
    df = pl.DataFrame(rows)
    cols = {"år": "Listeår", **{k: CRITERION_SHORT_DA[k] for k in CRITERIA_ORDER if k in df.columns}}
    return md_table(df, cols, align={k: "r" for k in cols if k != "år"}) + \
        "\n\n✔ = kriteriet er opfyldt efter grænserne for udsatte boligområder." + notes.note()


# --- Scenarios and the forecast: "Tæt på grænsen" --------------------------------------------------------

#: Scenario columns of ``published/scenarier.csv`` per criterion: (value in percent, met flag).
SCENARIO_VALUE = {"employment": ("pct_outside_labour", "crit_employment"),
                  "crime": ("pct_convicted", "crit_crime"),
                  "education": ("pct_basic_education", "crit_education"),
                  "income": ("pct_income_of_region", "crit_income")}
#: Shown first; every other scenario (the user's scenarios/*.yml) follows in id order.
SCENARIO_ORDER = ("uaendret", "plan_targets")


def scenario_ids(sc: pl.DataFrame) -> list[str]:
    """Every scenario in the published table: the status quo, the plan's targets, then the rest (the
    shipped example and the user's own) by id. Nothing is hard-coded beyond the order of the first two."""
    ids = sorted(set(sc["scenario_id"].to_list()))
    return [i for i in SCENARIO_ORDER if i in ids] + [i for i in ids if i not in SCENARIO_ORDER]


def persons_per_point(criteria: pl.DataFrame, year: int, threshold_set: str = "udsat") -> dict:
    """Persons per percentage point for each (area, criterion) in a list year, from the published margins
    (``margin_persons / |margin_points|``): converts a scenario's distance in points to persons with the
    same margin rules. Missing (suppressed or zero distance) -> absent."""
    c = criteria.filter((pl.col("list_year") == year) & (pl.col("threshold_set") == threshold_set))
    out = {}
    for r in c.iter_rows(named=True):
        mp, pts = r.get("margin_persons"), r.get("margin_points")
        if mp is not None and pts not in (None, 0) and abs(pts) > 1e-9:
            out[(r["area_id"], r["criterion"])] = mp / abs(pts)
    return out


def scenario_thresholds(criteria: pl.DataFrame, year: int, threshold_set: str = "udsat") -> dict:
    """The threshold of each criterion in a list year (``criterion -> (comparator, threshold, multiple)``);
    for crime the multiple of the national share (threshold / national share), so a scenario's own
    national share gives its threshold."""
    c = criteria.filter((pl.col("list_year") == year) & (pl.col("threshold_set") == threshold_set)
                        & pl.col("threshold").is_not_null())
    out = {}
    for crit, part in c.group_by("criterion"):
        r = part.row(0, named=True)
        mult = (r["threshold"] / r["reference"]) if crit[0] == "crime" and r.get("reference") else None
        out[crit[0]] = (r["comparator"], r["threshold"], mult)
    return out


def scenario_frame(sc: pl.DataFrame, criteria: pl.DataFrame, scenario_id: str,
                   area_ids: Sequence[str] = AREA_IDS) -> pl.DataFrame:
    """One scenario, long: ``area_id, område, list_year (int), projected (bool), criterion, kriterium,
    value (pct), threshold (pct), met (bool), points (value - threshold, pp), persons (approx. persons from
    the threshold, from :func:`persons_per_point` of the scenario's first year), n_criteria, udsat``."""
    s = sc.filter((pl.col("scenario_id") == scenario_id) & pl.col("area_id").is_in(list(area_ids)))
    if s.height == 0:
        return pl.DataFrame()
    base_year = int(s["list_year"].min())
    ppp = persons_per_point(criteria, base_year)
    thr = scenario_thresholds(criteria, base_year)
    rows = []
    for r in s.iter_rows(named=True):
        for crit, (vcol, mcol) in SCENARIO_VALUE.items():
            comp, t, mult = thr.get(crit, (None, None, None))
            if crit == "crime" and mult and r.get("national_pct_convicted") is not None:
                t = mult * r["national_pct_convicted"]
            v = r.get(vcol)
            pts = None if v is None or t is None else v - t
            per = ppp.get((r["area_id"], crit))
            rows.append({"area_id": r["area_id"], "område": display_name(r["area_id"]),
                         "list_year": int(r["list_year"]), "projected": bool(_truthy(r["projected"])),
                         "criterion": crit, "kriterium": CRITERION_SHORT_DA[crit], "value": v, "threshold": t,
                         "comparator": comp, "met": _truthy(r.get(mcol)), "points": pts,
                         "persons": None if pts is None or per is None else abs(pts) * per,
                         "n_criteria": r.get("n_criteria"), "udsat": _truthy(r.get("udsat"))})
    return pl.DataFrame(rows, infer_schema_length=None)


def scenario_status_table(frame: pl.DataFrame) -> str:
    """Areas (rows) by list year (columns): criteria met and whether udsat ('2 · udsat', '1', '..')."""
    if frame.height == 0:
        return "Ingen beregning."
    f = frame.select("område", "area_id", "list_year", "n_criteria", "udsat", "projected").unique(
        ["area_id", "list_year"])
    years = sorted(f["list_year"].unique().to_list())
    rows = []
    for a in [x for x in AREA_IDS if x in set(f["area_id"].to_list())]:
        row = {"område": display_name(a)}
        for y in years:
            r = f.filter((pl.col("area_id") == a) & (pl.col("list_year") == y))
            if not r.height or r["n_criteria"][0] is None:
                row[str(y)] = SUPPRESSED
                continue
            n = int(r["n_criteria"][0])
            row[str(y)] = f"{n} · **udsat**" if _truthy(r["udsat"][0]) else str(n)
        rows.append(row)
    first = years[0]
    cols = {"område": "Område", **{str(y): (f"{y} (beregnet)" if y == first else str(y)) for y in years}}
    return md_table(pl.DataFrame(rows), cols, align={str(y): "r" for y in years})


def scenario_closest_table(frame: pl.DataFrame) -> str:
    """For each area in the scenario's last year: the criterion closest to its threshold, in percentage
    points and in persons (approx.), and on which side."""
    if frame.height == 0:
        return ""
    last = frame.filter(pl.col("list_year") == frame["list_year"].max())
    rows = []
    for a in [x for x in AREA_IDS if x in set(last["area_id"].to_list())]:
        part = last.filter((pl.col("area_id") == a) & pl.col("points").is_not_null())
        if not part.height:
            rows.append({"område": display_name(a), "kriterium": SUPPRESSED, "værdi": SUPPRESSED,
                         "afstand": SUPPRESSED})
            continue
        r = part.with_columns(pl.col("points").abs().alias("_d")).sort("_d").row(0, named=True)
        side = "opfyldt" if r["met"] else "ikke opfyldt"
        persons = f"ca. {fmt_int(r['persons'])} " + ("indk." if r["criterion"] == "income" else "pers.") \
            if r["persons"] is not None else SUPPRESSED
        rows.append({"område": display_name(a), "kriterium": f"{r['kriterium']} ({side})",
                     "værdi": f"{fmt_criterion_value(r['criterion'], r['value'])} <small>({fmt_threshold(r['criterion'], r['comparator'] or '', r['threshold'])})</small>",
                     "afstand": f"{fmt_num(abs(r['points']), 1)} pct.-point<br><small>{persons}</small>"})
    year = int(last["list_year"][0])
    return md_table(pl.DataFrame(rows), {"område": "Område", "kriterium": f"Nærmest grænsen {year}",
                                         "værdi": "Værdi (grænse)", "afstand": "Afstand"},
                    align={"værdi": "r", "afstand": "r"})


def scenario_chart(frame: pl.DataFrame, title: str):
    """Small multiples: each criterion (2 x 2) over the scenario's list years, one line per area, the
    threshold dashed; the first year is computed, the rest projected. Hidden values leave a gap."""
    import altair as alt

    from boligmonitor.site import charts

    f = frame
    ids = [i for i in charts.AREA_COLOURS if i in set(f["area_id"].to_list())]
    order = [CRITERION_SHORT_DA[k] for k in SCENARIO_VALUE]
    base = alt.Chart().encode(x=alt.X("list_year:O", title=None, axis=alt.Axis(labelAngle=0)))
    lines = base.mark_line(point=True, invalid="break-paths-show-domains").encode(
        y=alt.Y("value:Q", title="%", axis=alt.Axis(format=".1~f"), scale=alt.Scale(zero=False)),
        color=alt.Color("område:N", scale=charts.area_scale(ids), title="Område"),
        tooltip=["område:N", "list_year:O", alt.Tooltip("value:Q", format=".1f")])
    rule = base.mark_line(strokeDash=[6, 4], color="#333").encode(y="mean(threshold):Q")
    return alt.layer(lines, rule, data=f.to_pandas()).properties(width=300, height=150).facet(
        facet=alt.Facet("kriterium:N", sort=order, title=None), columns=2,
    ).resolve_scale(y="independent").properties(
        title=alt.TitleParams(title, subtitle="Stiplet linje: grænsen for udsatte boligområder", anchor="start"))


# --- Indicators as small charts ----------------------------------------------------------------------------

_NUM = r"(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?"


def _danish_number(text: str) -> float | None:
    import re

    m = re.search(_NUM, text)
    if not m:
        return None
    return float(m.group(1).replace(".", "") + ("." + m.group(2) if m.group(2) else ""))


def baseline_points(row: dict) -> dict[str, float]:
    """The plan's baseline of an indicator (a row of ``published/indikatorkatalog.csv``) as numbers per
    area id, where the plan's text says which number belongs to which area: one value for all five areas
    (``baseline_area = helhedsplan``), one value per named area (``"329 / 331 / 296"`` for the areas in
    ``baseline_area``), and the municipality's value. Norms, other
    plans' averages and lists without area names are left out (they are not this series)."""
    import re

    out: dict[str, float] = {}
    text, where = (row.get("baseline_area_value") or "").strip(), (row.get("baseline_area") or "").strip()
    if text:
        # ("i alt N" sums the named areas only, not the five: it is not the all-areas series)
        if where == PLAN_TOTAL_ID and " / " not in text:
            v = _danish_number(text)
            if v is not None:
                out[PLAN_TOTAL_ID] = v
        elif " / " in where:
            ids = [w.strip() for w in where.split("/")]
            parts = [p for p in re.sub(r"\(.*?\)", "", text).split(" / ")]
            if len(parts) == len(ids) and all(i in AREA_IDS for i in ids):
                for i, p in zip(ids, parts):
                    v = _danish_number(p)
                    if v is not None:
                        out[i] = v
    k = (row.get("baseline_kommune_value") or "").strip()
    if k and not re.search(r"landsnorm|helhedsplaner|Retskreds|Ingen", k, re.I):
        v = _danish_number(k)
        if v is not None:
            out[KOMMUNE_ID] = v
    return out


def baseline_year(row: dict) -> int | None:
    import re

    m = re.search(r"(19|20)\d{2}", str(row.get("baseline_year") or ""))
    return int(m.group(0)) if m else None


def indicator_chart_frame(ind: pl.DataFrame, catalogue: pl.DataFrame, area_id: str = PLAN_TOTAL_ID,
                          until: int | None = None) -> pl.DataFrame:
    """Long frame for :func:`indicator_chart`: ``indikator, series, year, value, kind (value|baseline)`` for
    every computed indicator: the area's yearly values, the municipality's (for shares, marks and rates:
    counts are not comparable), and the plan's baselines where they belong to the series. Suppressed
    values stay null (a gap in the line, never 0)."""
    rows = []
    for c in catalogue.filter(pl.col("computed") == "J").iter_rows(named=True):
        label = f"{c['id']} {c['name_da']}"
        label = label if len(label) <= 48 else label[:46].rstrip() + "…"
        series = [(area_id, display_name(area_id))]
        if c["unit"] not in ("count", "fte"):
            series.append((KOMMUNE_ID, display_name(KOMMUNE_ID)))
        sub = ind.filter(pl.col("indicator_id") == c["indicator_id"])
        if until is not None:
            sub = sub.filter(pl.col("year") <= until)
        for sid, sname in series:
            for r in sub.filter(pl.col("area_id") == sid).sort("year").iter_rows(named=True):
                rows.append({"indikator": label, "series": sname, "year": int(r["year"]), "value": r["value"],
                             "kind": "value"})
        base, by = baseline_points(c), baseline_year(c)
        for sid, sname in series:
            if sid in base and by is not None:
                rows.append({"indikator": label, "series": sname, "year": by, "value": base[sid],
                             "kind": "baseline"})
    return pl.DataFrame(rows, schema={"indikator": pl.Utf8, "series": pl.Utf8, "year": pl.Int64,
                                      "value": pl.Float64, "kind": pl.Utf8})


def indicator_chart(ind: pl.DataFrame, catalogue: pl.DataFrame, area_id: str = PLAN_TOTAL_ID,
                    until: int | None = None):
    """Small multiples, one per computed indicator: the area's values by year (line), the municipality's
    (grey), and the plan's baseline (open diamond in the series' colour). Each panel has its own scale."""
    import altair as alt

    from boligmonitor.site import charts

    f = indicator_chart_frame(ind, catalogue, area_id, until).to_pandas()
    names = [display_name(area_id), display_name(KOMMUNE_ID)]
    colour = alt.Color("series:N", title=None, scale=alt.Scale(
        domain=names, range=[charts.AREA_COLOURS.get(area_id, "#4e79a7"), charts.AREA_COLOURS[KOMMUNE_ID]]))
    x = alt.X("year:Q", title=None, axis=alt.Axis(format="d", tickMinStep=2, labelAngle=0))
    # invalid="break-paths-show-domains": a suppressed (null) value breaks the line: a gap, never a 0 or a bridged line.
    lines = alt.Chart().transform_filter("datum.kind == 'value'").mark_line(
        point=alt.OverlayMarkDef(size=18), invalid="break-paths-show-domains").encode(
        x=x, y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False), axis=alt.Axis(format=",.4~r", tickCount=4)),
        color=colour, tooltip=["series:N", "year:Q", alt.Tooltip("value:Q", format=",.1f")])
    base = alt.Chart().transform_filter("datum.kind == 'baseline'").mark_point(
        shape="diamond", size=70, filled=False, strokeWidth=2).encode(
        x=x, y="value:Q", color=colour, tooltip=["series:N", alt.Tooltip("year:Q", title="baseline"),
                                                 alt.Tooltip("value:Q", format=",.1f")])
    return alt.layer(lines, base, data=f).properties(width=190, height=95).facet(
        facet=alt.Facet("indikator:N", title=None, header=alt.Header(labelFontSize=10, labelLimit=230),
                        sort=list(dict.fromkeys(f["indikator"]))),
        columns=3, spacing={"row": 14, "column": 30},
    ).resolve_scale(y="independent", x="independent")
