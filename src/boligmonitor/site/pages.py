"""The content of the annual report pages and the area pages, section by section.

Each function returns a list of display objects (Markdown text and SVG charts) built from the
published aggregates only. A page (``reports/<year>/index.py``, ``reports/omraader/<area>.py``) sets
its parameter and displays the list; the tests call the same functions.
"""

from __future__ import annotations

import polars as pl
from IPython.display import SVG, Markdown

from boligmonitor.areas import AREA_IDS, KOMMUNE_ID, PLAN_AREA_IDS, PLAN_TOTAL_ID, area, display_name
from boligmonitor.site import charts, published, report

BIG_THREE = ("gl_jennumparken", "glarbjergvej", "hermann_stillingsvej")


def _svg(chart, alt_text: str) -> SVG:
    return SVG(charts.to_svg(chart, alt_text))


def front_page(list_year: int | None = None) -> list:
    """The front page at a glance: this year's status per area (with years on each list), each
    criterion's margin in persons as small bars, a map of the areas, the residents over time and the
    links to everything else. ``list_year`` defaults to the newest list year in the data."""
    cls = published.load("klassifikation")
    crit = published.load("kriterier")
    pop = published.load("befolkning")
    year = list_year or report.latest_list_year(cls)
    out: list = [Markdown(report.data_banner())]
    out.append(Markdown(f"## Status på listen {year}\n\n{report.status_summary(cls, year)}"))
    out.append(Markdown(report.status_table(cls, year)))
    out.append(Markdown(
        "## Hvor tæt er områderne på grænserne?\n\nFor hvert kriterium: hvor mange personer området er fra "
        "grænsen. Mørke søjler til højre: kriteriet er opfyldt, og så mange personer skal ud af gruppen, før det "
        "ikke længere er. Lyse søjler til venstre: kriteriet er ikke opfyldt, og så mange skal ind i gruppen, før "
        "det er. For indkomst tælles i årsindkomster på regionens gennemsnit. Et område kommer på listen, når "
        f"to af de fire kriterier er opfyldt (og det har mindst 1.000 beboere). Tallene står i [Årsrapport {year}]"
        f"(reports/{year}/index.py#kriterierne)."))
    out.append(_svg(report.margin_chart(crit, year),
                    f"Søjlediagram: afstanden til grænsen i personer for hvert område og kriterium i {year}; "
                    "til højre opfyldt, til venstre ikke opfyldt."))
    gaps = report.margin_gaps_note(crit, year)
    if gaps:
        out.append(Markdown(gaps))
    from boligmonitor.geo import maps  # area outlines only: no person data

    out.append(Markdown("## Områderne"))
    out.append(_svg(maps.area_map(labels=True, addresses=False, width=600, height=380),
                    "Kort over de fem boligområder og Sjællandsgadekvarteret med distriktsskolerne og en "
                    "målestok. Geometrien er illustrativ."))
    out.append(Markdown("## Beboere pr. 1. januar\n\nEt område kan kun komme på listerne, hvis det har "
                        "mindst 1.000 beboere (stiplet linje). Tallene for hvert år står på områdesiderne."))
    out.append(_svg(report.residents_chart(pop),
                    "Linjediagram: beboere pr. 1. januar i hvert område og år med grænsen på 1.000 beboere."))
    return out


def annual_report(year: int) -> list:
    cls = published.load("klassifikation")
    crit = published.load("kriterier")
    latest = report.latest_list_year(cls)
    if year not in report.list_years(cls):
        return [Markdown(f"Der er endnu ingen data for listeåret {year}: de seneste data dækker listeåret {latest}.")]
    out: list = [Markdown(report.data_banner())]
    rule = cls.filter(pl.col("list_year") == year)["rule_version"][0]
    out.append(Markdown(
        f"## Listen pr. 1. december {year}\n\n{report.status_summary(cls, year)}\n\n"
        f"Reglerne for {year} er lovversionen fra {rule} (se *Metode*)."))
    out.append(Markdown(report.status_table(cls, year)))

    out.append(Markdown(
        "## Kriterierne\n\nFor hvert område: værdien, grænsen efter "
        f"{report.THRESHOLD_SET_DA['udsat' if year >= 2018 else 'ghetto']}, om kriteriet er opfyldt, og hvor "
        "mange personer der skal skifte status (eller flytte), før det skifter. Beskæftigelse og kriminalitet er "
        "gennemsnit af de to foregående kalenderår; uddannelse og herkomst gælder 1. januar; indkomst året før."))
    out.append(Markdown(report.criteria_table(crit, year, "udsat" if year >= 2018 else "ghetto")))
    if year >= 2018:
        out.append(_svg(report.margin_chart(crit, year),
                        f"Søjlediagram: afstanden til grænsen i personer for hvert område og kriterium i {year}."))
        gaps = report.margin_gaps_note(crit, year)
        if gaps:
            out.append(Markdown(gaps))
    years = [y for y in report.list_years(cls) if y <= year]
    for criterion in ("employment", "education"):
        out.append(_svg(report.criteria_chart(crit, criterion, "udsat", years=years),
                        f"Linjediagram: {report.CRITERION_DA[criterion]} pr. område og listeår til {year} "
                        "med grænsen for udsatte boligområder. Tallene står i tabellen ovenfor."))

    if year >= 2021:
        out.append(Markdown(
            "## Forebyggelsesområder\n\nEt område med over 30 % ikke-vestlige indvandrere og efterkommere er "
            "forebyggelsesområde, hvis to af de fire kriterier er opfyldt med de lavere grænser i § 61 b."))
        out.append(Markdown(report.criteria_table(crit, year, "forebyggelse")))

    emp = published.load("beskaeftigelse")
    data_year = year - 1
    out.append(Markdown(
        f"## Uden for arbejdsmarkedet i {data_year}\n\nFuldtidspersoner 18-64 år efter helhedsplanens "
        "kategorier A-E (sådan som tabellerne i delaftalen om beskæftigelse er opgjort)."))
    out.append(Markdown(report.employment_table(emp, data_year, [*BIG_THREE, PLAN_TOTAL_ID, KOMMUNE_ID])))
    note = report.fulltime_note(emp, published.load("indikatorer"), data_year)
    if note:
        out.append(Markdown(note))

    out += indicator_section(year)

    if year == latest:
        fc = published.load("prognose")
        fcc = published.load("prognose_kriterier")
        nxt = int(fc["list_year"].max())
        out.append(Markdown(
            f"## Prognose for listen {nxt}\n\nDet ene år af toårsgennemsnittene er allerede kendt. "
            "Prognosen fremskriver det åbne år uændret og viser, hvor mange personer der i det åbne år skal "
            "skifte status, før kriteriet skifter."))
        out.append(Markdown(report.forecast_table(fc)))
        out.append(Markdown(report.forecast_criteria_table(fcc)))
        out.append(Markdown(
            "Scenarierne – helhedsplanens mål, uændret udvikling og egne scenarier – står på siden "
            "[Tæt på grænsen](../taet_paa_graensen.py), i procent og i personer."))
    return out


def indicator_section(year: int) -> list:
    """The plan's goal indicators for the data year before the list year, against the municipality."""
    ind = published.load("indikatorer")
    data_year = year - 1
    if ind.filter(pl.col("year") == data_year).height == 0:
        data_year = int(ind["year"].max())
    return [
        Markdown(f"## Helhedsplanens indikatorer ({data_year})\n\nHelhedsplanens mål og indikatorer for de fem "
                 "områder sammenlignet med Randers Kommune og med helhedsplanens baseline."),
        Markdown(report.indicator_table(ind, data_year)),
        Markdown(f"Hver indikator år for år til {data_year}: alle fem områder og (for andele og gennemsnit) "
                 "Randers Kommune; ◇ er helhedsplanens baseline. Skjulte tal (`..`) står som et hul i linjen."),
        _svg(report.indicator_chart(ind, published.load("indikatorkatalog"), until=data_year),
             f"Små linjediagrammer: hver af helhedsplanens indikatorer år for år til {data_year} for alle fem "
             "områder og Randers Kommune med helhedsplanens baseline. Tallene står i tabellen ovenfor."),
    ]


def area_page(area_id: str) -> list:
    a = area(area_id)
    cls = published.load("klassifikation")
    crit = published.load("kriterier")
    pop = published.load("befolkning")
    out: list = [Markdown(report.data_banner())]
    facts = [f"**{a.name}**"]
    if a.leases:
        facts.append(f"{report.fmt_int(a.leases)} lejemål (helhedsplanen)")
    if a.school:
        facts.append(f"distriktsskole: {a.school}")
    if not a.in_plan:
        facts.append("følges af helhedsplanen uden at være omfattet af indsatserne")
    out.append(Markdown(" · ".join(facts)))
    from boligmonitor.geo import maps  # area outlines only: no person data

    out.append(SVG(charts.to_svg(maps.area_map(highlight=area_id),
                                 f"Illustrativt kort over {a.name} og de øvrige områder med distriktsskolerne.")))

    out.append(Markdown("## Status på listerne\n\n" + report.area_history_table(cls, area_id)))
    out.append(Markdown("## Beboere\n\n" + report.area_population_table(pop, area_id)))
    out.append(Markdown(
        "## Kriterierne over tid\n\nOmrådet sammenlignet med Randers Kommune. Den stiplede linje er grænsen "
        "for udsatte boligområder efter de gældende regler."))
    out.append(Markdown(report.area_criteria_table(crit, area_id)))
    for criterion in ("employment", "crime", "education", "income"):
        out.append(_svg(report.criteria_chart(crit, criterion, "udsat", area_ids=[area_id],
                                              years=[y for y in report.list_years(cls) if y >= 2018]),
                        f"Linjediagram: {report.CRITERION_DA[criterion]} i {a.name} og Randers Kommune pr. "
                        "listeår med grænsen. Tallene står i tabellen ovenfor."))
    ind = published.load("indikatorer")
    out.append(Markdown("## Helhedsplanens indikatorer\n\n" + report.area_indicator_table(ind, area_id)))
    out.append(Markdown(f"Hver indikator år for år: {a.name} og (for andele og gennemsnit) Randers Kommune; ◇ er "
                        "helhedsplanens baseline, hvor planen opgør den for området. Skjulte tal (`..`) står som "
                        "et hul i linjen."))
    out.append(_svg(report.indicator_chart(ind, published.load("indikatorkatalog"), area_id=area_id),
                    f"Små linjediagrammer: hver af helhedsplanens indikatorer år for år for {a.name} og Randers "
                    "Kommune med helhedsplanens baseline. Tallene står i tabellen ovenfor."))
    return out


def near_threshold_page() -> list:
    """'Tæt på grænsen': the forecast for the next list and every published scenario (the plan's targets,
    the status quo, the shipped example and the user's ``scenarios/*.yml``), each with the areas' status by
    year, the criterion closest to its threshold in percentage points and persons, and the criteria over the
    years against the threshold."""
    cls = published.load("klassifikation")
    crit = published.load("kriterier")
    fc = published.load("prognose")
    fcc = published.load("prognose_kriterier")
    sc = published.load("scenarier")
    latest = report.latest_list_year(cls)
    out: list = [Markdown(report.data_banner())]
    nxt = int(fc["list_year"].max())
    out.append(Markdown(
        f"## Prognose for listen {nxt}\n\nDet ene år af toårsgennemsnittene er allerede kendt. Prognosen "
        "fremskriver det åbne år uændret og viser, hvor mange personer der i det åbne år skal skifte status, "
        f"før kriteriet skifter. Grundlaget er listen {latest}."))
    out.append(Markdown(report.forecast_table(fc)))
    out.append(Markdown(report.forecast_criteria_table(fcc)))
    ids = report.scenario_ids(sc)
    titles = dict(zip(sc["scenario_id"], sc["scenario_title"], strict=False))
    out.append(Markdown(
        f"## Scenarier\n\n{len(ids)} scenarier er beregnet: " + "; ".join(f"*{titles[i]}*" for i in ids) +
        ". Hvert scenarie fremskriver områdernes tal år for år og klassificerer dem efter de gældende regler. "
        "Egne scenarier lægges som YAML-filer i mappen `scenarios/` og kommer med her efter næste kørsel "
        "(se *Metode*, afsnit 5). Afstanden i personer er omregnet fra procentpoint med områdets marginer i "
        f"listeåret {latest} (derfor *ca.*); for indkomst i årsindkomster på regionens gennemsnit."))
    for sid in ids:
        frame = report.scenario_frame(sc, crit, sid)
        if frame.height == 0:
            continue
        out.append(Markdown(f"### {titles[sid]}\n\nKriterier opfyldt pr. listeår (**udsat** = på listen over "
                            "udsatte boligområder). Det første år er beregnet, de følgende fremskrevet."))
        out.append(Markdown(report.scenario_status_table(frame)))
        out.append(Markdown(report.scenario_closest_table(frame)))
        out.append(_svg(report.scenario_chart(frame, titles[sid]),
                        f"Linjediagrammer: de fire kriterier pr. område og listeår i scenariet {titles[sid]}, "
                        "med grænsen stiplet."))
    return out


__all__ = ["near_threshold_page", "front_page", "annual_report", "area_page", "indicator_section", "AREA_IDS", "PLAN_AREA_IDS", "display_name"]
