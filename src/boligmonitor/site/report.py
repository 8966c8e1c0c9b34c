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


def status_table(classification: pl.DataFrame, year: int) -> str:
    c = order_areas(classification.filter(pl.col("list_year") == year), AREA_IDS)
    c = area_names(c)
    name_par = c["name_parallelsamfund"][0] if c.height else "parallelsamfund"
    name_omd = c["name_omdannelse"][0] if c.height else "omdannelsesområde"
    cols = {"område": "Område", "residents": "Beboere", "pct_nonwestern": "Ikke-vestlige",
            "n_criteria": "Kriterier opfyldt (af 4)", "udsat": "Udsat boligområde",
            "parallelsamfund": name_par.capitalize(), "omdannelse": name_omd.capitalize()}
    if year >= 2021:
        cols["forebyggelse"] = "Forebyggelsesområde"
    cols["years_udsat"] = "År i træk som udsat"
    yes = {k: (lambda v: fmt_bool(_truthy(v))) for k in ("udsat", "parallelsamfund", "omdannelse", "forebyggelse")}
    return md_table(c, cols, formats={"pct_nonwestern": fmt_pct, "residents": fmt_int,
                                      "n_criteria": lambda v: SUPPRESSED if v is None else str(int(v)), **yes})


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


def fmt_margin(persons, direction) -> str:
    if persons is None:
        return SUPPRESSED
    word = {"fewer": "færre", "more": "flere"}.get(direction or "", "")
    return f"{fmt_int(persons)} {word}".strip()


def fmt_criterion_value(criterion: str, value, ratio=None) -> str:
    if value is None:
        return SUPPRESSED
    if criterion == "crime" and ratio is not None:
        return f"{fmt_pct(value, 2)} ({fmt_num(ratio, 2)} × landsgns.)"
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
    for a in order:
        part = c.filter(pl.col("area_id") == a)
        if part.height == 0:
            continue
        row = {"område": display_name(a)}
        for r in part.iter_rows(named=True):
            cell = fmt_criterion_value(r["criterion"], r["value"], r.get("ratio_national"))
            if _truthy(r["met"]):
                cell += " ✔"
            if a in area_ids and r["margin_persons"] is not None:
                cell += f"<br><small>{fmt_margin(r['margin_persons'], r['flip_direction'])}</small>"
            row[r["criterion"]] = cell
        rows.append(row)
    df = pl.DataFrame(rows)
    table = md_table(df, {"område": "Område", **{k: headers[k] for k in crits if k in df.columns}},
                     align={k: "r" for k in crits})
    return table + ("\n\n✔ = kriteriet er opfyldt. Under værdien: hvor mange personer der skal skifte status "
                    "(eller flytte), før kriteriet skifter – *færre* i gruppen, hvis det er opfyldt, *flere*, hvis "
                    "ikke. For indkomst tælles i årsindkomster på regionens gennemsnit. Kriminalitet vises også som et "
                    "multiplum af landsgennemsnittet.")


def criteria_chart(criteria: pl.DataFrame, criterion: str, threshold_set: str = "udsat",
                   area_ids: Sequence[str] = PLAN_AREA_IDS, years: Sequence[int] | None = None):
    """The criterion over the list years for the areas, with the threshold in force (latest law)."""
    from boligmonitor.site import charts

    c = criteria.filter((pl.col("criterion") == criterion) & (pl.col("threshold_set") == threshold_set)
                        & pl.col("area_id").is_in([*area_ids, KOMMUNE_ID]) & pl.col("value").is_not_null())
    if years:
        c = c.filter(pl.col("list_year").is_in(list(years)))
    # The threshold in force each list year (the crime threshold moves with the national share).
    thresholds = c.group_by("list_year").agg(pl.col("threshold").first()).sort("list_year")
    return charts.line_by_area(c, x="list_year", y="value", x_title="Listeår",
                               y_title=CRITERION_DA[criterion] + " (%)", thresholds=thresholds, percent=True)


def employment_table(emp: pl.DataFrame, year: int, area_ids: Sequence[str]) -> str:
    e = emp.filter((pl.col("year") == year) & pl.col("area_id").is_in(list(area_ids))
                   & (pl.col("category") != "other"))
    if e.height == 0:
        return f"Ingen opgørelse for {year}."
    labels = dict(zip(e["category"], e["label"], strict=False))
    wide = e.pivot(on="area_id", index="category", values="fulltime_persons")
    order = ["total", "A", "B", "C", "D", "E"]
    wide = wide.with_columns(pl.col("category").replace_strict({k: i for i, k in enumerate(order)},
                                                               default=9).alias("_o")).sort("_o")
    wide = wide.with_columns(pl.col("category").replace_strict(labels, default=pl.col("category")).alias("kategori"))
    ids = [a for a in area_ids if a in wide.columns]
    return md_table(wide, {"kategori": f"Fuldtidspersoner 18-64 år, {year}", **{a: display_name(a) for a in ids}},
                    formats={a: (lambda v: fmt_num(v, 1)) for a in ids})


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
    f = fcc.filter(pl.col("threshold_set") == threshold_set)
    f = order_areas(f, AREA_IDS).with_columns(pl.col("criterion").replace_strict(
        {k: i for i, k in enumerate(CRITERIA_ORDER)}, default=99).alias("_c"))
    f = area_names(f.with_columns(pl.col("area_id").replace_strict(
        {a: i for i, a in enumerate(AREA_IDS)}, default=99).alias("_a")).sort(["_a", "_c"]))
    rows = [{
        "område": r["område"], "kriterium": CRITERION_DA.get(r["criterion"], r["criterion"]),
        "værdi": fmt_criterion_value(r["criterion"], r["value"]),
        "grænse": fmt_threshold(r["criterion"], r["comparator"], r["threshold"]),
        "opfyldt": fmt_bool(_truthy(r["met"]), yes="ja (forventet)", no="nej (forventet)"),
        "margin": fmt_margin(r["margin_persons_open_year"], r["flip_direction"]),
        "kendt": r["known_years"] or "–",
    } for r in f.iter_rows(named=True)]
    return md_table(pl.DataFrame(rows), {
        "område": "Område", "kriterium": "Kriterium", "værdi": "Forventet værdi", "grænse": "Grænse",
        "opfyldt": "Opfyldt", "margin": "Personer i det åbne år", "kendt": "Kendt år"},
        align={"værdi": "r", "grænse": "r", "margin": "r"})


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


def indicator_table(ind: pl.DataFrame, year: int) -> str:
    """Every computable plan indicator for the data year: all five areas, each area, the municipality."""
    cat = published.load("indikatorkatalog")
    rows = []
    for c in cat.iter_rows(named=True):
        if c["computed"] != "J":
            rows.append({"indikator": f"{c['id']} {c['name_da']}", "fem": "ikke i registrene",
                         "kommune": "", "baseline": c["baseline_area_value"] or "",
                         "baseline_k": c["baseline_kommune_value"] or "", "mål": c["target"] or ""})
            continue
        iid, name = c["indicator_id"], c["name_da"]
        if iid.startswith("turnout_"):
            # The latest election of the same kind up to the year (KV, FV or EP).
            kind = iid.removeprefix("turnout_")[:2]
            held = ind.filter(pl.col("indicator_id").str.starts_with(f"turnout_{kind}") & (pl.col("year") <= year))
            if held.height:
                iid = held.sort("year")["indicator_id"][-1]
                name = f"{name.rsplit(' ', 1)[0]} {iid[-4:]}"
        sub = ind.filter(pl.col("indicator_id") == iid)
        sub = sub.filter(pl.col("year") == (sub.filter(pl.col("year") <= year)["year"].max() or year))

        def val(area_id: str, sub=sub, unit=c["unit"]) -> str:
            v = sub.filter(pl.col("area_id") == area_id)
            if not v.height:
                return "–"
            note = f" ({v['year'][0]})" if v["year"][0] != year else ""
            return fmt_indicator(unit, v["value"][0]) + note

        rows.append({"indikator": f"{c['id']} {name}", "fem": val(PLAN_TOTAL_ID),
                     "kommune": val(KOMMUNE_ID), "baseline": c["baseline_area_value"] or "",
                     "baseline_k": c["baseline_kommune_value"] or "", "mål": c["target"] or ""})
    return md_table(pl.DataFrame(rows), {
        "indikator": "Indikator", "fem": f"Alle fem områder {year}", "kommune": f"Randers Kommune {year}",
        "baseline": "Baseline, områderne (planen)", "baseline_k": "Baseline, kommunen (planen)", "mål": "Mål"},
        align={"fem": "r", "kommune": "r"})


def area_indicator_table(ind: pl.DataFrame, area_id: str, years: int = 5) -> str:
    cat = published.load("indikatorkatalog").filter(pl.col("computed") == "J")
    last = sorted(ind["year"].unique().to_list())[-years:]
    rows = []
    for c in cat.iter_rows(named=True):
        sub = ind.filter(pl.col("indicator_id") == c["indicator_id"])
        row = {"indikator": f"{c['id']} {c['name_da']}"}
        for y in last:
            v = sub.filter((pl.col("area_id") == area_id) & (pl.col("year") == y))
            row[str(y)] = fmt_indicator(c["unit"], v["value"][0]) if v.height else "–"
        k = sub.filter((pl.col("area_id") == KOMMUNE_ID) & (pl.col("year") == last[-1]))
        row["kommune"] = fmt_indicator(c["unit"], k["value"][0]) if k.height else "–"
        rows.append(row)
    return md_table(pl.DataFrame(rows), {"indikator": "Indikator", **{str(y): str(y) for y in last},
                                         "kommune": f"Randers Kommune {last[-1]}"},
                    align={**{str(y): "r" for y in last}, "kommune": "r"})


#: The first list year of each category (before it, the category did not exist: shown as "–").
CATEGORY_FROM = {"udsat": 2018, "forebyggelse": 2021, "parallelsamfund": 2010, "omdannelse": 2010}


def area_history_table(cls: pl.DataFrame, area_id: str) -> str:
    c = cls.filter((pl.col("area_id") == area_id) & pl.col("udsat").is_not_null()).sort("list_year")
    c = c.with_columns([
        pl.when(pl.col("list_year") < first).then(pl.lit("–"))
        .otherwise(pl.col(col).map_elements(lambda v: fmt_bool(_truthy(v)), return_dtype=pl.Utf8,
                                            skip_nulls=False)).alias(col)
        for col, first in CATEGORY_FROM.items()
    ])
    yes = {"eligible": lambda v: fmt_bool(_truthy(v))}
    return md_table(c, {"list_year": "Listeår", "rule_version": "Regler", "residents": "Beboere",
                        "eligible": "Mindst 1.000 beboere", "pct_nonwestern": "Ikke-vestlige",
                        "n_criteria": "Kriterier opfyldt", "udsat": "Udsat", "parallelsamfund":
                        "Ghetto-/parallelsamfund", "omdannelse": "Hårdt ghetto-/omdannelsesområde",
                        "forebyggelse": "Forebyggelsesområde"},
                    formats={"list_year": str, "rule_version": str, "residents": fmt_int, "pct_nonwestern": fmt_pct,
                             "n_criteria": lambda v: SUPPRESSED if v is None else str(int(v)), **yes})


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
    for y, part in c.group_by("list_year", maintain_order=True):
        row = {"år": str(y[0])}
        for r in part.iter_rows(named=True):
            mark = " ✔" if _truthy(r["met"]) else ""
            row[r["criterion"]] = fmt_criterion_value(r["criterion"], r["value"]) + mark
        rows.append(row)
    df = pl.DataFrame(rows)
    cols = {"år": "Listeår", **{k: CRITERION_DA[k] for k in CRITERIA_ORDER if k in df.columns}}
    return md_table(df, cols, align={k: "r" for k in cols if k != "år"}) + \
        "\n\n✔ = kriteriet er opfyldt efter grænserne for udsatte boligområder."
