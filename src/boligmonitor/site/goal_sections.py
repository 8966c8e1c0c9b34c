"""Page content for the plan's goals: the annual report's goal overview, each area page's goals, the
front page's count of goals per status and the Datakvalitet page's baseline check.

Each function returns a list of display objects (Markdown and SVG) built from the published tables
``maalstatus`` and ``baselinekontrol`` only (themselves computed from the protected ``indikatorer``:
:mod:`boligmonitor.goals`). A status is always shown as symbol and word (it reads without colour); the
colour repeats it. Reader-visible text is Danish.
"""

from __future__ import annotations

import altair as alt
import polars as pl
from IPython.display import SVG, Markdown

from boligmonitor.areas import PLAN_AREA_IDS, area
from boligmonitor.goals import MONITOR, STATUS_COLOURS, STATUS_SYMBOLS, STATUSES, fmt_value, unit_name
from boligmonitor.site import charts, published, report

LEGEND = ("Status: " + " · ".join(f"{STATUS_SYMBOLS[s]} {s}" for s in (*STATUSES, MONITOR))
          + ". En ændring tæller kun, når den er større end den statistiske usikkerhed (95 %-interval); "
          "se *Metode* og `maalstatus.csv`.")


def status_label(status: str | None) -> str:
    """Symbol, word and colour of a status as inline HTML (the symbol and word carry the meaning)."""
    if not status:
        return "–"
    colour = STATUS_COLOURS.get(status, "#999999")
    return (f'<span style="color:{colour};font-weight:bold" title="{status}">'
            f"{STATUS_SYMBOLS.get(status, '')} {status}</span>")


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ") if text is not None else "–"


def latest_status(st: pl.DataFrame, year: int | None = None) -> pl.DataFrame:
    """Per goal and unit: the row of the newest year up to ``year`` (all years if None). Goals without a
    row up to ``year`` (baseline year not yet passed) are left out; rows without a year are kept."""
    s = st if year is None else st.filter(pl.col("year").is_null() | (pl.col("year") <= year))
    key = ["goal_id", "unit_id"]
    newest = s.group_by(key).agg(pl.col("year").max().alias("_y"))
    return (s.join(newest, on=key).filter(pl.col("_y").is_null() | (pl.col("year") == pl.col("_y")))
            .drop("_y").sort(["goal_id", "unit_id"], maintain_order=True))


def goal_table(rows: pl.DataFrame, *, with_unit: bool = True) -> str:
    """A Markdown table, one row per goal (and area or group): the goal with its status and area, the
    value with its year and interval, the reason. Three columns: fits the body column (800 px)."""
    lines = ["| Mål | Værdi | Begrundelse |", "|---|--:|---|"]
    for r in rows.iter_rows(named=True):
        note = f"; {r['note']}" if r.get("note") else ""
        goal = f"**{r['goal_id']}** {_cell(r['plan_wording'])} *(mål: {_cell(r['target'] + note)})*"
        value = fmt_value(r["unit"], r["value"]) if r["unit"] else "–"
        if r["value_ci_low"] is not None and r["unit"] in ("pct", "mark", "fte", "count"):
            value += (f"<br><small>({fmt_value(r['unit'], r['value_ci_low'])}–"
                      f"{fmt_value(r['unit'], r['value_ci_high'])})</small>")
        year = str(r["year"]) if r["year"] is not None else "–"
        unit = f"<br><small>{_cell(r['unit_name'])}</small>" if with_unit else ""
        lines.append(f"| {status_label(r['status'])}<br>{goal}{unit} | {value}<br><small>{year}</small> | "
                     f"{_cell(r['reason'])} |")
    return "\n".join(lines)


def trend_chart(st: pl.DataFrame, rows: pl.DataFrame, *, columns: int = 4) -> alt.FacetChart | None:
    """Small multiples: per goal (and area or group) the value over the years and the target: the
    path (path rules), the baseline (direction rules), Randers Kommune (level rules) or the yearly
    minimum (minimum rules). Hidden values leave a gap."""
    points = []
    for r in rows.iter_rows(named=True):
        if r["status"] == MONITOR or r["year"] is None:
            continue
        panel = f"{STATUS_SYMBOLS.get(r['status'], '')} {r['goal_id']} {r['unit_name']}"[:60]
        hist = st.filter((pl.col("goal_id") == r["goal_id"]) & (pl.col("unit_id") == r["unit_id"])
                         & (pl.col("year") <= r["year"])).sort("year")
        b = r["baseline_year"]
        points.append({"panel": panel, "år": b, "serie": "værdi", "v": hist["baseline_value"][0]
                       if hist.height else None})
        for h in hist.iter_rows(named=True):
            points.append({"panel": panel, "år": h["year"], "serie": "værdi", "v": h["value"]})
            if r["kind"] == "path":
                points.append({"panel": panel, "år": h["year"], "serie": "mål", "v": h["target_value"]})
            elif r["kind"] == "direction":
                points.append({"panel": panel, "år": h["year"], "serie": "mål", "v": h["baseline_value"]})
            elif r["kind"] in ("level", "level_or_above"):
                points.append({"panel": panel, "år": h["year"], "serie": "mål", "v": h["target_value"]})
            elif r["kind"] == "minimum" and h["target_value"] is not None:
                points.append({"panel": panel, "år": h["year"], "serie": "mål",
                               "v": h["target_value"] / max(h["year"] - b, 1)})
        if r["kind"] in ("path", "direction"):
            points.append({"panel": panel, "år": b, "serie": "mål", "v": hist["baseline_value"][0]
                           if hist.height else None})
    if not points:
        return None
    df = pl.DataFrame(points, schema={"panel": pl.Utf8, "år": pl.Int64, "serie": pl.Utf8, "v": pl.Float64})
    df = df.filter(pl.col("v").is_not_null()).unique(["panel", "år", "serie"], keep="first").sort(["panel", "år"])
    if df.height == 0:
        return None
    names = {"værdi": "Værdi", "mål": "Mål"}
    data = df.with_columns(pl.col("serie").replace(names)).to_pandas()
    return alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("år:O", title=None, axis=alt.Axis(labelAngle=0, labelFontSize=9)),
        y=alt.Y("v:Q", title=None, scale=alt.Scale(zero=False), axis=alt.Axis(labelFontSize=9, tickCount=3)),
        color=alt.Color("serie:N", title=None, scale=alt.Scale(domain=list(names.values()),
                                                               range=["#1f4e79", "#555555"])),
        strokeDash=alt.StrokeDash("serie:N", title=None, scale=alt.Scale(domain=list(names.values()),
                                                                         range=[[1, 0], [5, 3]])),
    ).properties(width=150, height=70).facet(
        facet=alt.Facet("panel:N", title=None, header=alt.Header(labelFontSize=10, labelLimit=220)),
        columns=columns,
    ).resolve_scale(y="independent", x="independent")


def _chart(st: pl.DataFrame, rows: pl.DataFrame, what: str) -> list:
    chart = trend_chart(st, rows)
    if chart is None:
        return []
    return [SVG(charts.to_svg(chart, f"Små linjediagrammer: {what}, værdien pr. år (fuld linje) og målet "
                                     "(stiplet). Tallene står i tabellen ovenfor."))]


def goal_overview(year: int) -> list:
    """The annual report's goal overview: per goal and area (group), the status of the data year
    (the year before the list year, as the indicator section; or the latest year with data)."""
    st = published.load("maalstatus")
    data_year = year - 1
    years = [y for y in st["year"].drop_nulls().unique().to_list()]
    if years and data_year > max(years):
        data_year = max(years)
    rows = latest_status(st, data_year)
    counts = rows["status"].value_counts()
    count_text = ", ".join(f"{STATUS_SYMBOLS[s]} {s}: {n}" for s, n in
                           sorted(counts.iter_rows(), key=lambda t: ((*STATUSES, MONITOR).index(t[0]))))
    pending = latest_status(st).filter(pl.col("baseline_year") >= data_year).select("goal_id").unique().height
    out = [Markdown(
        f"## Helhedsplanens mål ({data_year})\n\nHvert mål i helhedsplanen som en regel, med status for "
        f"{data_year} (eller det seneste år med tal) for det område eller den gruppe af områder, målet gælder: "
        f"{count_text}." + (f" {pending} mål har baseline i {data_year} eller senere og får først status året efter."
                            if pending else "") + f"\n\n{LEGEND}")]
    out.append(Markdown(goal_table(rows.filter(pl.col("status") != MONITOR))))
    out += _chart(st, rows, f"helhedsplanens mål til {data_year}")
    follow = rows.filter(pl.col("status") == MONITOR)
    if follow.height:
        out.append(Markdown("### Indikatorer, der følges uden mål\n\n" + goal_table(follow)))
    return out


def area_goals(area_id: str) -> list:
    """An area page's goals: every goal whose area (group) includes the area, its latest status."""
    a = area(area_id)
    st = published.load("maalstatus")
    if area_id not in PLAN_AREA_IDS:
        return [Markdown(f"## Helhedsplanens mål\n\n{a.name} er ikke omfattet af helhedsplanens mål; området følges "
                         "med de samme indikatorer (se tabellen over indikatorerne).")]
    mine = st.filter(pl.col("unit_id").str.split("+").list.contains(area_id)
                     | (pl.col("unit_id") == "helhedsplan"))
    rows = latest_status(mine)
    own = rows.filter(pl.col("unit_id") == area_id)
    shared = rows.filter(pl.col("unit_id") != area_id)
    out = [Markdown(f"## Helhedsplanens mål for {a.name}\n\nMål, der gælder {a.name} alene, og mål, der gælder "
                    f"en gruppe af områder, som {a.name} hører til (status for gruppen samlet), med status for det "
                    f"seneste år med tal.\n\n{LEGEND}")]
    if own.height:
        out.append(Markdown(f"### Mål for {a.name}\n\n" + goal_table(own, with_unit=False)))
        out += _chart(st, own, f"målene for {a.name}")
    if shared.height:
        out.append(Markdown("### Mål for en gruppe af områder\n\n" + goal_table(shared)))
    return out


def front_page_counts() -> list:
    """The front page: the number of goals (goal × area or group) per status in each one's latest year."""
    st = published.load("maalstatus")
    rows = latest_status(st)
    n = {s: rows.filter(pl.col("status") == s).height for s in (*STATUSES, MONITOR)}
    year = rows["year"].drop_nulls().max()
    lines = ["| Status | Antal mål |", "|---|--:|"]
    lines += [f"| {status_label(s)} | {n[s]} |" for s in (*STATUSES, MONITOR)]
    return [Markdown(
        f"## Helhedsplanens mål\n\nHelhedsplanens {rows.height} mål (et mål pr. område eller gruppe af områder, "
        f"det gælder) efter status i det seneste år med tal (til og med {year}). Årsrapporterne viser hvert mål "
        "med begrundelse og udvikling.\n\n" + "\n".join(lines))]


def baseline_section() -> list:
    """The Datakvalitet page: the computed baseline-year value beside the plan's printed baseline."""
    b = published.load("baselinekontrol")

    def val(unit, v):
        return fmt_value(unit or "count", v) if v is not None else report.SUPPRESSED

    lines = ["| Mål | Område | Baseline-år | Beregnet | Helhedsplanen | Forskel | Bemærkning |",
             "|---|---|---|--:|--:|--:|---|"]
    for r in b.iter_rows(named=True):
        diff = "–"
        if r["difference"] is not None:
            d = r["difference"]
            diff = ("+" if d > 0 else "−" if d < 0 else "±") + fmt_value(r["unit"], abs(d)).replace(" %", "")
            diff += " pp." if r["unit"] == "pct" else ""
        lines.append(f"| {r['goal_id']} | {_cell(r['unit_name'])} | {r['baseline_year']} | "
                     f"{val(r['unit'], r['computed'])} | {_cell(r['plan_text'] if r['plan'] is None else val(r['unit'] or 'count', r['plan']))} "
                     f"| {diff} | {_cell(r['note'] or '')} |")
    n_ok = b.filter(pl.col("difference").is_not_null()).height
    return [Markdown(
        "## Baseline: beregnet og helhedsplanens\n\nFor hvert mål: værdien, som koden beregner for baseline-året, "
        "ved siden af den baseline, der står i helhedsplanen, og forskellen (beregnet minus planens). På rigtige "
        f"registre viser tabellen, om metoden genskaber planens tal. {n_ok} af {b.height} kan sammenlignes; resten "
        "er skjult af diskretioneringen eller findes ikke i registrene.\n\n" + "\n".join(lines))]


KIND_DA = {
    "direction": "retning i forhold til baseline (højere/lavere, flere/færre)",
    "path": "antal pr. år fra baseline-året, summeret (sti)",
    "minimum": "mindst et antal pr. år, summeret fra året efter baseline",
    "level": "på niveau med Randers Kommune (med tolerance)",
    "level_or_above": "på niveau med eller over Randers Kommune (med tolerance)",
    "monitor": "følges uden mål",
}


def method_section() -> list:
    """The Metode page: how a goal's status is decided, the uncertainty, the tolerances, and every rule
    with its place in the plan (from ``data/goal_targets.csv``)."""
    from boligmonitor.goals import MARK_SD, TOLERANCES, load_rules

    tol = "\n".join(f"- `{name}`: {str(value).replace('.', ',')} procentpoint. {why}"
                     for name, (value, why) in TOLERANCES.items())
    text = (
        "## Helhedsplanens mål: status\n\n"
        "Hvert mål i helhedsplanens måltabeller (den strategiske aftales *Overordnede mål og indikatorer*, side 15, "
        "og de fire delaftalers *Delmål og indikatorer*) er en regel. For hvert område (eller gruppe af områder, "
        "som målet nævner) og hvert år efter baseline-året får målet en status med en begrundelse:\n\n"
        f"- {status_label('opfyldt')}: målet er nået i året (for en sti: på eller bedre end stien; for en "
        "retning: klart bedre end i baseline-året; for kommuneniveau: inden for tolerancen).\n"
        f"- {status_label('på vej')}: målet er ikke nået, men udviklingen går klart den rigtige vej (ændringen "
        "er større end den statistiske usikkerhed).\n"
        f"- {status_label('ingen klar ændring')}: ændringen er inden for den statistiske usikkerhed.\n"
        f"- {status_label('ikke på vej')}: udviklingen går klart den forkerte vej.\n"
        f"- {status_label('kan ikke måles')}: et tal mangler, er skjult af diskretioneringen, eller det registerår, "
        "det bygger på, er ufuldstændigt eller mangler (begrundelsen nævner registeret og året).\n"
        f"- {status_label(MONITOR)}: indikatoren følges uden mål.\n\n"
        "**Statistisk usikkerhed.** Små grupper svinger tilfældigt fra år til år. En ændring tæller kun, når "
        "den er større end usikkerheden (95 %-interval): for andele Wilsons interval og for ændringen af en andel "
        "Newcombes interval for en forskel mellem to andele; for antal og helårspersoner et eksakt "
        "Poisson-interval og for ændringen en eksakt betinget test af to Poisson-tal; for karaktergennemsnit et "
        f"normalfordelt interval med en antaget spredning på {str(MARK_SD).replace('.', ',')} karakterpoint. "
        "Fravær regnes, som om hver elev var én observation. Afstanden til Randers Kommune (procentpoint) "
        "vises for alle andele i baseline-året og nu, og om den er blevet klart mindre. Beregningen bruger "
        "SciPy.\n\n"
        "**Tolerancer for »på niveau med kommunen«** (helhedsplanen angiver ingen; projektets valg):\n\n"
        + tol + "\n\n"
        "**Diskretionering.** Status beregnes af de offentliggjorte, diskretionerede tal; et skjult tal giver "
        "»kan ikke måles«, og begrundelsen nævner kun offentliggjorte tal.")
    # Three columns (fits the body column): the goal with its wording and place in the plan, the rule with
    # its areas, the baseline.
    lines = ["| Mål | Regel | Baseline |", "|---|---|---|"]
    for r in load_rules():
        where = r.plan_section + (f", side {r.plan_page}" if r.plan_page else "")
        areas = "; ".join(unit_name(u) for u, _ in r.units())
        lines.append(f"| **{r.goal_id}** {_cell(r.plan_wording)}<br><small>{_cell(where)}</small> | "
                     f"{KIND_DA[r.kind]}: {_cell(r.target_text())}<br><small>{_cell(areas)}</small> | "
                     f"{r.baseline_year}: {_cell(r.plan_baseline)} |")
    return [Markdown(text), Markdown("### Målene som regler\n\n" + "\n".join(lines))]


__all__ = ["goal_overview", "method_section", "area_goals", "front_page_counts", "baseline_section", "goal_table", "trend_chart",
           "latest_status", "status_label", "LEGEND"]
