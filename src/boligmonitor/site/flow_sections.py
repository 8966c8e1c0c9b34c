"""The report's sections on resident flows: who moves in and out, and what it does to the criteria.

Content functions for the page "Flytninger" (``reports/flytninger.py``), for a section of each annual
report and of each area page. Each returns a list of display objects (Markdown and SVG charts) built
from the published aggregates ``flytninger``, ``flytninger_omraader``, ``flytninger_profiler`` and
``kriterier_dekomponering`` (disclosure-controlled; a hidden cell is shown as ``..``). The numbers
come from :mod:`boligmonitor.flows`; every reader-visible text is Danish.
"""

from __future__ import annotations

import altair as alt
import polars as pl
from IPython.display import SVG, Markdown

from boligmonitor.areas import AREA_IDS, KOMMUNE_ID, PLAN_AREA_IDS, PLAN_TOTAL_ID, display_name
from boligmonitor.site import charts, published
from boligmonitor.site.report import SUPPRESSED, area_names, fmt_int, fmt_num, fmt_pct, md_table

#: Danish names of the flows (``metrics.flows``).
FLOW_DA = {
    "stayed": "Blev boende",
    "in_monitored_area": "Fra et andet fulgt område",
    "in_rest_of_kommune": "Fra resten af Randers Kommune",
    "in_outside_kommune": "Fra uden for kommunen",
    "in_born": "Nyfødte",
    "out_monitored_area": "Til et andet fulgt område",
    "out_rest_of_kommune": "Til resten af Randers Kommune",
    "out_outside_kommune": "Til uden for kommunen",
    "out_died": "Døde",
    "out_outside_or_died": "Ud af kommunen eller døde",
}
PROFILE_DA = {"stayed": "Blev boende", "moved_in": "Tilflyttede", "moved_out": "Fraflyttede",
              "residents": "Alle beboere"}
MEASURE_DA = {
    "employment": "Uden for arbejdsmarked/uddannelse, 18-64 år",
    "education": "Kun grundskole, 30-59 år",
    "crime": "Dømte, 18+ år",
    "income": "Bruttoindkomst, 15-64 år (gns., kr.)",
    "nonwestern": "Ikke-vestlig herkomst",
    "age_0_17": "0-17 år",
    "age_18_29": "18-29 år",
    "age_30_49": "30-49 år",
    "age_50_64": "50-64 år",
    "age_65_plus": "65 år og derover",
    "hh_single": "Enlige uden børn",
    "hh_couple_no_children": "Par (2+ voksne) uden børn",
    "hh_single_parent": "Enlige med børn",
    "hh_couple_with_children": "Par med børn",
    "hh_children_only": "Børn uden voksne i husstanden",
}
PART_DA = {"stayers": "Beboere, der blev boende", "out_movers": "Fraflyttede", "in_movers": "Tilflyttede",
           "ageing": "Aldersgrænsen", "reference": "Regionens indkomst"}
PART_SHORT = {"stayers": "Blev boende", "out_movers": "Fraflyttede", "in_movers": "Tilflyttede",
              "ageing": "Alder", "reference": "Regionen"}
CRITERION_DA = {"employment": "Uden for arbejdsmarked/uddannelse", "crime": "Dømte", "education": "Kun grundskole",
                "income": "Indkomst i pct. af regionen", "nonwestern": "Ikke-vestlige"}
#: Short headers for the flow tables (they are split in "moved in" and "moved out" tables so that each
#: fits the content column; the table's heading says which direction).
FLOW_SHORT = {
    "in_monitored_area": "Andet fulgt område", "in_rest_of_kommune": "Resten af kommunen",
    "in_outside_kommune": "Uden for kommunen", "in_born": "Nyfødte",
    "out_monitored_area": "Andet fulgt område", "out_rest_of_kommune": "Resten af kommunen",
    "out_outside_kommune": "Uden for kommunen", "out_died": "Døde",
    "out_outside_or_died": "Ud af kommunen eller døde",
}
GROUPS = (*AREA_IDS, PLAN_TOTAL_ID, KOMMUNE_ID)
IN_FLOWS = ("in_monitored_area", "in_rest_of_kommune", "in_outside_kommune", "in_born")


def _out_flows(df: pl.DataFrame) -> list[str]:
    have = set(df["flow"].to_list())
    return [f for f in ("out_monitored_area", "out_rest_of_kommune", "out_outside_kommune", "out_died",
                        "out_outside_or_died") if f in have]


def _sum(values) -> int | None:
    """Sum of published counts; None (shown as ..) when one of them is hidden."""
    vals = list(values)
    return None if any(v is None for v in vals) else int(sum(vals))


def _wide(flows: pl.DataFrame, year: int, groups=GROUPS) -> pl.DataFrame:
    f = flows.filter((pl.col("year") == year) & pl.col("area_id").is_in(list(groups)))
    rows = []
    outs = _out_flows(f)
    for gid in groups:
        part = f.filter(pl.col("area_id") == gid)
        if part.height == 0:
            continue
        v = dict(zip(part["flow"].to_list(), part["persons"].to_list()))
        start = _sum([v.get("stayed"), *(v.get(o) for o in outs)])
        row = {"area_id": gid, **{k: v.get(k) for k in ("stayed", *IN_FLOWS, *outs)},
               "in_total": _sum(v.get(k) for k in IN_FLOWS), "out_total": _sum(v.get(o) for o in outs),
               "start": start}
        moved_out = _sum([v.get(o) for o in outs if o != "out_died"])
        row["turnover"] = None if moved_out is None or not start else 100.0 * moved_out / start
        rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)


def _split_tables(w: pl.DataFrame, first: str, first_header: str, outs: list[str]) -> str:
    """Two Markdown tables from one row per group (``first`` names the row): the in-movers by origin,
    then the out-movers by destination with the out-movers' share. Split so that each fits the
    content column (the browser test checks it)."""
    cin = {first: first_header, "stayed": FLOW_DA["stayed"], **{k: FLOW_SHORT[k] for k in IN_FLOWS},
           "in_total": "Tilflyttet i alt"}
    cout = {first: first_header, **{k: FLOW_SHORT[k] for k in outs}, "out_total": "Fraflyttet i alt",
            "turnover": "Fraflytning (pct.)"}
    fin = {k: fmt_int for k in cin if k != first}
    fout = {k: fmt_int for k in cout if k not in (first, "turnover")}
    fout["turnover"] = fmt_pct
    align = {first: "l"}
    return ("**Tilflyttede** efter hvor de kom fra\n\n" + md_table(w, cin, formats=fin, align=align)
            + "\n\n**Fraflyttede** efter hvor de flyttede hen\n\n" + md_table(w, cout, formats=fout, align=align))


def flow_table(flows: pl.DataFrame, year: int, groups=GROUPS) -> str:
    """Markdown: per area the persons who stayed, moved in (by origin) and moved out (by destination)
    between 1 January ``year - 1`` and 1 January ``year``, and the out-movers' share of the residents
    (two tables: in-movers, out-movers)."""
    w = _wide(flows, year, groups)
    if w.height == 0:
        return f"Ingen flytninger for {year}."
    w = area_names(w)
    outs = _out_flows(flows.filter(pl.col("year") == year))
    return _split_tables(w, "område", "Område", outs)


def flow_chart(flows: pl.DataFrame, year: int, groups=(*AREA_IDS,)) -> alt.Chart:
    """Diverging bars: per area the in-movers by origin (right) and the out-movers by destination (left)."""
    f = flows.filter((pl.col("year") == year) & pl.col("area_id").is_in(list(groups))
                     & (pl.col("direction") != "stayed") & pl.col("persons").is_not_null())
    f = area_names(f).with_columns(
        pl.when(pl.col("direction") == "out").then(-pl.col("persons")).otherwise(pl.col("persons")).alias("x"),
        pl.col("flow").replace_strict(FLOW_DA, default=None).alias("strøm"),
        pl.when(pl.col("direction") == "in").then(pl.lit("Ind")).otherwise(pl.lit("Ud")).alias("retning"))
    order = [FLOW_DA[k] for k in FLOW_DA if k != "stayed"]
    colours = ["#4e79a7", "#76b7b2", "#59a14f", "#edc948", "#f28e2b", "#e15759", "#b07aa1", "#79706e", "#9c755f"]
    return alt.Chart(f.to_pandas()).mark_bar().encode(
        x=alt.X("sum(x):Q", title="Personer (fraflyttede til venstre, tilflyttede til højre)",
                axis=alt.Axis(format=",.0f")),
        y=alt.Y("område:N", title=None, sort=[display_name(g) for g in groups]),
        color=alt.Color("strøm:N", title="Fra / til", scale=alt.Scale(domain=order, range=colours)),
        order=alt.Order("flow:N"),
        tooltip=["område:N", "strøm:N", alt.Tooltip("persons:Q", format=",.0f", title="personer")],
    ).properties(width=520, height=30 * len(groups))


def destination_table(flows: pl.DataFrame, moves: pl.DataFrame, year: int) -> str:
    """Markdown: where the out-movers of each monitored area went (the other areas, named with their
    counts, the rest of the municipality, outside it) in ``year``."""
    m = moves.filter(pl.col("year").cast(pl.Int64, strict=False) == year)
    f = flows.filter(pl.col("year") == year)
    rows = []
    outs = [k for k in ("out_rest_of_kommune", "out_outside_kommune", "out_died", "out_outside_or_died")
            if f.filter(pl.col("flow") == k).height]
    for a in AREA_IDS:
        others = []
        for b in AREA_IDS:
            if a == b:
                continue
            v = m.filter((pl.col("from_location") == a) & (pl.col("to_location") == b))["persons"]
            n = v[0] if len(v) else 0
            if n is None or n:
                others.append(f"{display_name(b)}: {fmt_int(n)}")
        row = {"område": display_name(a), "others": "; ".join(others) if others else "ingen"}
        for k in outs:
            v = f.filter((pl.col("area_id") == a) & (pl.col("flow") == k))["persons"]
            row[k] = fmt_int(v[0]) if len(v) else ""
        rows.append(row)
    df = pl.DataFrame(rows)
    cols = {"område": "Fraflyttet fra", "others": "Til de andre fulgte områder",
            **{k: FLOW_SHORT[k] for k in outs}}
    return md_table(df, cols, align={c: "r" for c in cols if c not in ("område", "others")})


def _fmt_measure(measure: str, value) -> str:
    if value is None:
        return SUPPRESSED
    return fmt_int(value) if measure == "income" else fmt_pct(value)


def profile_table(profiles: pl.DataFrame, area_id: str, year: int) -> str:
    """Markdown: the stayers, in-movers and out-movers of an area in ``year`` on the criteria's own
    measures, age bands and household types, beside all residents and Randers Kommune."""
    p = profiles.filter(pl.col("year") == year)
    rows = []
    for measure, label in MEASURE_DA.items():
        row = {"mål": label}
        for fg in ("stayed", "moved_in", "moved_out", "residents"):
            r = p.filter((pl.col("area_id") == area_id) & (pl.col("flow_group") == fg) & (pl.col("measure") == measure))
            row[fg] = _fmt_measure(measure, r["value"][0]) if r.height else SUPPRESSED
        r = p.filter((pl.col("area_id") == KOMMUNE_ID) & (pl.col("flow_group") == "residents")
                     & (pl.col("measure") == measure))
        row["kommune"] = _fmt_measure(measure, r["value"][0]) if r.height else SUPPRESSED
        rows.append(row)
    cols = {"mål": "Mål", **{k: PROFILE_DA[k] for k in ("stayed", "moved_in", "moved_out", "residents")},
            "kommune": "Randers Kommune"}
    note = ("\n\nTilflyttede og dem, der blev boende, er målt pr. 1. januar {y} (beskæftigelse og dømte i "
            "kalenderåret {y}, indkomst i {py}); fraflyttede pr. 1. januar {py} (i kalenderåret {py}), det sidste "
            "år de boede i området. Nyfødte og døde indgår ikke. `..` = skjult af hensyn til diskretionering "
            "eller endnu ikke opgjort.").format(y=year, py=year - 1)
    return md_table(pl.DataFrame(rows), cols, align={c: "r" for c in cols if c != "mål"}) + note


def decomposition_table(dec: pl.DataFrame, area_id: str, year: int, level: str = "list_year") -> str:
    """Markdown: the change of each criterion from ``year - 1`` to ``year`` split into its four parts, in
    percentage points and in persons."""
    d = dec.filter((pl.col("area_id") == area_id) & (pl.col("year") == year) & (pl.col("level") == level))
    if d.height == 0:
        return f"Ingen opdeling af kriteriernes ændring for {year}."
    rows = []
    for crit, label in CRITERION_DA.items():
        part = d.filter(pl.col("criterion") == crit)
        if part.height == 0:
            continue
        v = {r["part"]: r for r in part.iter_rows(named=True)}
        tot = v.get("total", {})
        unit = "point" if crit == "income" else "pct.-point"

        def pts(k, v=v):
            r = v.get(k)
            return SUPPRESSED if r is None or r["points"] is None else fmt_num(r["points"] + 0.0, 1)

        def per(k, v=v, crit=crit):
            r = v.get(k)
            if crit == "income" or r is None:
                return ""
            return SUPPRESSED if r["persons"] is None else fmt_num(r["persons"] + 0.0, 0 if crit != "employment" else 1)

        v0 = SUPPRESSED if tot.get("value_from") is None else fmt_num(tot["value_from"], 1)
        v1 = SUPPRESSED if tot.get("value_to") is None else fmt_num(tot["value_to"], 1)
        row = {"kriterium": f"{label} ({unit}): {v0} → {v1}", "total": pts("total")}
        for k in ("stayers", "out_movers", "in_movers", "ageing"):
            row[k] = pts(k) + (f" ({per(k)})" if per(k) else "")
        row["reference"] = pts("reference") if "reference" in v else ""
        row["total"] += f" ({per('total')})" if per("total") else ""
        rows.append(row)
    cols = {"kriterium": f"Kriterium: {year - 1} → {year}", "total": "Ændring",
            **{k: PART_SHORT[k] for k in ("stayers", "out_movers", "in_movers", "ageing")},
            "reference": PART_SHORT["reference"]}
    if not any(r["reference"] for r in rows):
        del cols["reference"]
    return md_table(pl.DataFrame(rows), cols, align={c: "r" for c in cols if c != "kriterium"}) + (
        "\n\nÆndringen i procentpoint fordelt på fire dele, der summerer præcist til ændringen (i parentes: "
        "ændringen i antal personer bag tælleren; for beskæftigelse fuldtidspersoner, for et toårsgennemsnit "
        "gennemsnittet af de to år). *Beboere, der blev boende*: beboere i området begge år, hvis status "
        "ændrede sig. *Fraflyttede* og *tilflyttede*: hvad det betød, at netop de personer flyttede ud eller "
        "ind (inkl. døde og nyfødte). *Aldersgrænsen*: beboere, der blev boende, men blev ældre end eller nåede "
        "aldersgruppen (for uddannelse og indkomst også ændret uddannelses- eller skattestatus). Se *Metode*.")


def profile_year(profiles: pl.DataFrame) -> int | None:
    """The latest year whose profiles are complete (employment of the stayers counted)."""
    done = profiles.filter((pl.col("measure") == "employment") & (pl.col("flow_group") == "stayed")
                           & pl.col("complete"))
    return int(done["year"].max()) if done.height else None


def _svg(chart, alt_text: str) -> SVG:
    return SVG(charts.to_svg(chart, alt_text))


def _intro() -> str:
    return (
        "Hvem flytter ind, og hvem flytter ud? Tallene sammenligner beboerne 1. januar året før med beboerne "
        "1. januar i året: en person, der flytter ud og tilbage i samme år, ses ikke. *Fraflytning* er "
        "fraflyttede (uden døde) i procent af beboerne 1. januar året før; helhedsplanen oplyser 12-16 % om "
        "året for boligområderne og 10,4 % for almene familieboliger generelt (LBF), opgjort pr. lejemål.")


def flows_page() -> list:
    """The page "Flytninger": the latest year in full, then the flows of every year."""
    fl = published.load("flytninger")
    moves = published.load("flytninger_omraader")
    prof = published.load("flytninger_profiler")
    dec = published.load("kriterier_dekomponering")
    from boligmonitor.site.report import data_banner

    years = sorted(fl["year"].unique().to_list(), reverse=True)
    out: list = [Markdown(data_banner()), Markdown(_intro())]
    if not years:
        return [*out, Markdown("Der er ingen flytninger i de offentliggjorte data.")]
    list_years = sorted(dec.filter(pl.col("level") == "list_year")["year"].unique().to_list())
    if list_years:
        ly = list_years[-1]
        out.append(Markdown(
            f"## Hvad flytninger betød for kriterierne fra listen {ly - 1} til {ly}\n\nBliver et område "
            "bedre, fordi beboerne får det bedre, eller fordi andre flytter ind? For alle fem boligområder "
            "samlet:"))
        out.append(Markdown(decomposition_table(dec, PLAN_TOTAL_ID, ly)))
    py = profile_year(prof)
    if py is not None:
        out.append(Markdown(f"## Hvem flyttede ind og ud i {py - 1}\n\nAlle fem boligområder samlet:"))
        out.append(Markdown(profile_table(prof, PLAN_TOTAL_ID, py)))
    for y in years:
        out.append(Markdown(f"## Flytninger i {y - 1}\n\nFra 1. januar {y - 1} til 1. januar {y}."))
        out.append(Markdown(flow_table(fl, y)))
        out.append(_svg(flow_chart(fl, y), f"Søjlediagram: tilflyttede og fraflyttede pr. område i {y - 1} "
                        "efter hvor de kom fra og flyttede til. Tallene står i tabellen ovenfor."))
        out.append(Markdown(f"### Hvor de fraflyttede flyttede hen ({y - 1})\n\n" + destination_table(fl, moves, y)))
    return out


def annual_report_section(year: int) -> list:
    """The annual report's section: the flows of the year before the list and what they did to the criteria."""
    fl = published.load("flytninger")
    dec = published.load("kriterier_dekomponering")
    if fl.filter(pl.col("year") == year).height == 0:
        return [Markdown(f"## Flytninger\n\nDer er ingen flytninger for {year - 1} i data.")]
    out = [Markdown(f"## Flytninger i {year - 1}\n\n" + _intro()),
           Markdown(flow_table(fl, year, (*PLAN_AREA_IDS, PLAN_TOTAL_ID, "sjaellandsgade", KOMMUNE_ID)))]
    if dec.filter((pl.col("year") == year) & (pl.col("level") == "list_year")).height:
        out.append(Markdown(f"### Kriteriernes ændring fra {year - 1} til {year}, alle fem boligområder"))
        out.append(Markdown(decomposition_table(dec, PLAN_TOTAL_ID, year)))
    out.append(Markdown("Se siden *Flytninger* for alle år og hvert område."))
    return out


def area_section(area_id: str) -> list:
    """An area page's section: the area's flows year by year, its movers' profile and the latest
    decomposition of the criteria's change."""
    fl = published.load("flytninger")
    prof = published.load("flytninger_profiler")
    dec = published.load("kriterier_dekomponering")
    f = fl.filter(pl.col("area_id") == area_id)
    if f.height == 0:
        return [Markdown("## Flytninger\n\nIngen flytninger i data.")]
    years = sorted(f["year"].unique().to_list())
    rows = [{"år": f"{y - 1}", **_wide(fl, y, (area_id,)).drop("area_id").row(0, named=True)} for y in years]
    df = pl.DataFrame(rows, infer_schema_length=None)
    out = [Markdown(f"## Flytninger\n\n{_intro()}"), Markdown(_split_tables(df, "år", "År", _out_flows(f)))]
    py = profile_year(prof)
    if py is not None and prof.filter(pl.col("area_id") == area_id).height:
        out.append(Markdown(f"### Hvem flyttede ind og ud i {py - 1}"))
        out.append(Markdown(profile_table(prof, area_id, py)))
    ly = dec.filter((pl.col("area_id") == area_id) & (pl.col("level") == "list_year"))["year"]
    if len(ly):
        y = int(ly.max())
        out.append(Markdown(f"### Kriteriernes ændring fra listen {y - 1} til {y}"))
        out.append(Markdown(decomposition_table(dec, area_id, y)))
    if not prof.filter(pl.col("area_id") == area_id).height and not len(ly):
        out.append(Markdown(SINGLE_AREA_NOTE))
    return out


#: Why an area page has no profile of its movers and no decomposition (``flows.PUBLISHED_FLOW_GROUPS``).
SINGLE_AREA_NOTE = (
    "Hvem der flyttede ind og ud (alder, husstand, kriteriernes mål), og hvor meget flytningerne betød for "
    "kriterierne, offentliggøres kun for alle fem boligområder samlet og for Randers Kommune (se siden "
    "*Flytninger*): i et enkelt område bygger de fleste af de tal på færre end 5 personer, og sammen med "
    "flytningerne ovenfor kunne de skjulte tal regnes ud. Se *Metode*.")


__all__ = ["flows_page", "annual_report_section", "area_section", "flow_table", "flow_chart",
           "destination_table", "profile_table", "decomposition_table"]
