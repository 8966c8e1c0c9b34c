"""Texts a reader of the site meets, in Danish: the glossary, the settings in words, register names,
the disclosure rules.

``docs/glossary.md`` (for developers, in English) is the list of terms; :data:`GLOSSARY_DA` gives each
term its Danish explanation for the site's *Ordliste* (a test checks that every term has one).
"""

from __future__ import annotations

import ast
import re

import polars as pl

from boligmonitor.site import docs, report

#: The Danish explanation of every term in docs/glossary.md (keyed by the term as written there; the
#: English "(from 2021)" in a term is shown in Danish by :func:`_term_da`).
GLOSSARY_DA = {
    "helhedsplan (boligsocial)": "Den boligsociale helhedsplan 2021-25, som Landsbyggefonden støtter, og som "
    "denne monitor følger.",
    "boligområde": "Et af helhedsplanens fem områder eller Sjællandsgadekvarteret.",
    "afdeling": "Den enhed, en boligorganisation driver (en almen boligafdeling).",
    "lejemål": "En bolig; helhedsplanen opgør områdernes størrelse i lejemål.",
    "beboer": "En person med bopæl i området pr. 1. januar.",
    "udsat boligområde": "Et område med mindst 1.000 beboere, hvor mindst to af de fire kriterier i "
    "almenboligloven § 61 a er opfyldt.",
    "ghettoområde (2018-2020) / parallelsamfund (from 2021)": "Et udsat boligområde, hvor over 50 % af "
    "beboerne er indvandrere og efterkommere fra ikke-vestlige lande.",
    "hårdt ghettoområde (2018-2020) / omdannelsesområde (from 2021)": "Et område, der har været "
    "parallelsamfund (ghettoområde) i de seneste 4 år (til 2020) eller 5 år (fra 2021).",
    "forebyggelsesområde (from 2021)": "Et område med mindst 1.000 beboere, over 30 % ikke-vestlige "
    "indvandrere og efterkommere og mindst to af de fire kriterier opfyldt med de lavere grænser i § 61 b.",
    "ghettokriterierne / kriterierne": "De fire kriterier i almenboligloven §§ 61 a-b: beskæftigelse, "
    "kriminalitet, uddannelse og indkomst.",
    "uden for arbejdsmarkedet eller uddannelse": "Beboere 18-64 år på offentlig forsørgelse (fx ledige, "
    "kontanthjælp, sygedagpenge, førtidspension), opgjort i fuldtidspersoner.",
    "fuldtidsperson / helårsperson": "Ét års fuld forsørgelse; to personer på halv tid i et år er én "
    "fuldtidsperson. Kriteriet regner i hverdage (7,4 timer pr. hverdag), helhedsplanens indikator B3 i "
    "kalenderdage.",
    "Indikator A-E": "Helhedsplanens kategorier af personer uden for arbejdsmarkedet: A ledige, B aktiverede "
    "samt ledigheds- og revalideringsydelse, C passive kontanthjælpsmodtagere, D sygedagpenge, "
    "E førtidspensionister.",
    "dømt": "Dømt for overtrædelse af straffeloven, våbenloven eller lov om euforiserende stoffer (det, "
    "kriminalitetskriteriet tæller).",
    "afgørelse / sigtelse": "En dom eller anden afgørelse i en straffesag / en sigtelse fra politiet.",
    "grundskole": "Folkeskolen (højst 10. klasse) som højeste fuldførte uddannelse.",
    "bruttoindkomst / skattepligtig": "Indkomst før skat / en person med fuld skattepligt i Danmark.",
    "uddannelsessøgende": "En person i gang med en uddannelse; holdes uden for indkomstkriteriet.",
    "indvandrer / efterkommer": "Danmarks Statistiks herkomstgrupper: født i udlandet af udenlandske "
    "forældre / født i Danmark af indvandrere.",
    "ikke-vestlig": "Fra et land uden for EU, EFTA, Storbritannien, de små europæiske stater, USA, Canada, "
    "Australien og New Zealand.",
    "landsgennemsnit": "Gennemsnittet for hele landet; kriminalitetskriteriet måles som et multiplum af det.",
    "regionen": "Region Midtjylland; indkomstkriteriet måles i procent af regionens gennemsnit.",
    "liste / listeår": "Listen over udsatte boligområder m.fl., som offentliggøres 1. december / året for "
    "listen.",
    "margin i personer": "Hvor mange beboere der skal skifte status (eller flytte), før et kriterium skifter "
    "fra opfyldt til ikke opfyldt eller omvendt.",
    "baseline": "Værdien i helhedsplanens udgangsår, for området og for Randers Kommune; målene måles imod den.",
    "mål / målstatus": "Et mål i helhedsplanens måltabeller, formuleret som en regel / målets status i et år: "
    "opfyldt, på vej, ingen klar ændring, ikke på vej, kan ikke måles, eller følges (uden mål).",
    "sti (målsti)": "Et mål, der er en årlig mængde fra baselineåret (fx »14 færre om året«); det tælles "
    "sammen år for år.",
    "på niveau med kommunen": "Højst en fastsat tolerance (procentpoint) dårligere end Randers Kommune.",
    "tryghed / frivilligt arbejde": "Beboernes oplevede tryghed / frivilligt arbejde (VIVE's "
    "beboerundersøgelse; ikke i registrene, indlæses fra en fil med eksterne indikatorer).",
    "delmål / indikator / delaftale": "Helhedsplanens mål, de tal, der måler dem, og de fire delaftaler, de "
    "hører til.",
    "dagtilbud": "Vuggestue, børnehave og dagpleje.",
    "sprogvurdering (generel / fokuseret / særlig indsats)": "Sprogvurdering af 3-årige med resultatet "
    "generel, fokuseret eller særlig indsats.",
    "fravær": "Elevers fravær fra skolen.",
    "ungdomsuddannelse": "Gymnasial eller erhvervsfaglig uddannelse efter grundskolen.",
    "restgruppen": "Unge, der hverken er i uddannelse eller arbejde.",
    "Ungdomsskolen": "Randers Ungdomsskole: kommunens fritidstilbud og kurser for 14-18-årige.",
    "SSP-bekymring": "En bekymring registreret af samarbejdet mellem skole, socialforvaltning og politi.",
    "udsættelse / effektiv udsættelse": "En sag om udsættelse af en lejer / en udsættelse, der blev "
    "gennemført.",
    "voksenlærling / uddannelsesløft / kompetenceløft": "Tilskud til voksenlærlinge / uddannelse, mens man "
    "er ledig / opkvalificering.",
    "jobparat / aktivitetsparat": "Kategorier af ydelsesmodtagere: klar til et job / skal først have hjælp "
    "til at komme i gang.",
    "valgdeltagelse (KV, FV, EP)": "Andelen af stemmeberettigede, der stemte ved kommunalvalg, folketingsvalg "
    "og valg til Europa-Parlamentet.",
    "diskretionering": "Tal om færre end minimumsantallet af personer vises ikke (`..`), så ingen kan "
    "genkendes.",
    "adgangsadresse / enhedsadresse": "Vejnavn og husnummer / adressen med etage og dør.",
    "DAR / DAWA": "Danmarks Adresseregister og dets (tidligere) webtjeneste.",
    "karantæne": "Rækker, der ikke kunne indlæses, gemt med årsagen (intet smides væk).",
    "pseudonymisering": "CPR-nummeret erstattes af en nøglebaseret kode, så personer kan følges uden at "
    "kunne identificeres.",
    "tilflytter / fraflytter / blev boende": "Beboere, der er flyttet ind i, flyttet ud af eller boet i "
    "området begge år, sammenlignet fra én 1. januar til den næste.",
    "fraflytningsprocent": "Fraflyttere i løbet af et år i procent af beboerne ved årets begyndelse "
    "(Landsbyggefonden regner det af lejemålene).",
    "dekomponering": "Opdeling af et kriteriums ændring fra ét år til det næste i det, der skyldes beboere, der "
    "blev boende og skiftede status, dem, der flyttede ud, dem, der flyttede ind, og aldring ind i og ud af "
    "aldersgruppen. Delene summer præcist til ændringen.",
    "dødsfald": "Dødsregistret (CPR via Danmarks Statistik): personnummer og dødsdato. Uden det kan en "
    "fraflytning ud af kommunen ikke skelnes fra et dødsfald.",
}


def glossary_terms() -> list[tuple[str, str]]:
    """``(term, code identifier)`` of every row of docs/glossary.md, in order."""
    rows = []
    for line in docs.doc_markdown("glossary").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] not in ("Dansk", "") and not set(cells[0]) <= set("-: "):
            rows.append((cells[0], cells[2]))
    return rows


def _term_da(term: str) -> str:
    return term.replace("(from 2021)", "(fra 2021)")


def glossary_markdown() -> str:
    """The Ordliste: every glossary term with its Danish explanation and its name in the code.

    Raises KeyError naming the term when docs/glossary.md has a term without a Danish explanation."""
    rows = []
    for term, code in glossary_terms():
        if term not in GLOSSARY_DA:
            raise KeyError(f"docs/glossary.md: the term {term!r} has no Danish explanation in "
                           "boligmonitor.site.texts.GLOSSARY_DA")
        names = re.findall(r"`[^`]+`", code)  # the identifiers only (the rest is English)
        rows.append({"udtryk": f"**{_term_da(term)}**", "forklaring": GLOSSARY_DA[term],
                     "kode": f"<small>{', '.join(names)}</small>" if names else ""})
    return report.md_table(pl.DataFrame(rows), {"udtryk": "Udtryk", "forklaring": "Forklaring",
                                                "kode": "I koden"})


# --- Settings in words ---------------------------------------------------------------------------------

#: Setting values as a reader says them (the value's Python form -> Danish words).
VALUE_DA = {
    "start": "bopæl 1. januar i året", "end": "bopæl 1. januar året efter",
    "headcount": "alle beboere 18-64 år", "headcount_mean": "gennemsnit af 1. januar i året og året efter",
    "mean_of_shares": "gennemsnit af de to års andele", "pooled": "samlet andel over de to år",
    "decision": "afgørelsesåret", "offence": "gerningsåret",
    "ongoing_or_su": "i gang med en uddannelse eller på SU", "exclude_udsat": "nej, kun én af listerne",
    "independent": "ja, efter § 61 b alene", "projected": "fremskrives (året er ufuldstændigt)",
    "use": "bruges (året er komplet)",
}
SETTING_UNIT_DA = {"income_year_offset": "år i forhold til listeåret",
                   "education_year_offset": "år i forhold til listeåret",
                   "omdannelse_years_2021": "år", "scenario_horizon": "listeår"}


def setting_value_da(name: str, value_text: str) -> str:
    """A setting's value in Danish words: ``('ADAG', 'KTH')`` -> 'ADAG, KTH', ``True`` -> 'ja',
    ``None`` -> 'ingen', ``'start'`` -> 'bopæl 1. januar i året', ``-1`` -> '-1 år i forhold til listeåret'."""
    try:
        v = ast.literal_eval(value_text)
    except (ValueError, SyntaxError):
        v = value_text
    if v is None:
        return "ingen"
    if isinstance(v, bool):
        return "ja" if v else "nej"
    if isinstance(v, (tuple, list, set, frozenset)):
        return ", ".join(str(x) for x in v)
    if isinstance(v, (int, float)):
        unit = SETTING_UNIT_DA.get(name)
        num = report.fmt_num(v, 0) if float(v).is_integer() else report.fmt_num(v, 2)
        return f"{num} {unit}" if unit else num
    return VALUE_DA.get(str(v), str(v))


def settings_markdown(settings: pl.DataFrame) -> str:
    """The criteria settings of the published run (``published/kriterier_indstillinger.csv``: name,
    value_text, description, reason) as a Danish table: what it decides, the choice, why."""
    rows = [{"hvad": f"{r['description']}<br><small>{r['name']}</small>",
             "valg": setting_value_da(r["name"], r["value_text"]),
             "hvorfor": r["reason"]} for r in settings.iter_rows(named=True)]
    return report.md_table(pl.DataFrame(rows), {"hvad": "Hvad indstillingen afgør", "valg": "Valg",
                                                "hvorfor": "Begrundelse"})


# --- Registers -----------------------------------------------------------------------------------------

def register_title(name: str) -> str:
    """A register's Danish title (``afgoerelser`` -> 'Strafferetlige afgørelser'); the name itself when
    it is not a declared register."""
    from boligmonitor.registers import REGISTERS

    for r in REGISTERS:
        if r.name == name:
            return r.title
    return name


def with_register_titles(df: pl.DataFrame, col: str = "register") -> pl.DataFrame:
    """``df`` with the register column holding the registers' Danish titles."""
    if col not in df.columns:
        return df
    return df.with_columns(pl.col(col).map_elements(register_title, return_dtype=pl.Utf8))


# --- Disclosure control --------------------------------------------------------------------------------

def disclosure_markdown() -> str:
    """The disclosure rules in Danish, with the minimum cell size in force (``config.MIN_CELL_PERSONS``):
    :func:`boligmonitor.disclosure.method_markdown` (rules, relations, audit, protection rule) and how the
    site shows a hidden number."""
    from boligmonitor import disclosure

    return (
        disclosure.method_markdown() + "\n\n"
        "Skjulte celler er tomme i de offentliggjorte filer, rækken har `suppressed = true`, og hver skjult "
        "celle står med sin regel på siden *Datakvalitet*. I diagrammer står et skjult tal som et hul, aldrig "
        "som nul.\n")


def legal_lists(markdown: str) -> str:
    """Numbered points of a law text (``1) ...`` lines) as a Markdown list: a blank line (inside a block
    quote too) before the first point, so the points do not run together into one paragraph."""
    out: list[str] = []
    point = re.compile(r"^(>\s*)?\d+\)\s")
    for line in markdown.splitlines():
        if point.match(line) and out and out[-1].strip() not in ("", ">") and not point.match(out[-1]):
            out.append(">" if line.startswith(">") else "")
        out.append(line)
    return "\n".join(out) + ("\n" if markdown.endswith("\n") else "")


# --- Wide tables from the docs, made to fit --------------------------------------------------------------

def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _tables(lines: list[str]):
    """(start, end) line ranges of the pipe tables in ``lines`` (header, separator, rows)."""
    i = 0
    while i < len(lines) - 1:
        if lines[i].lstrip().startswith("|") and re.match(r"^\s*\|?\s*:?-{2,}", lines[i + 1]):
            j = i + 2
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                j += 1
            yield i, j
            i = j
        else:
            i += 1


def transpose_tables(markdown: str, first_header: str) -> str:
    """Every pipe table whose first header cell is ``first_header`` turned on its side: its rows become
    columns (a table of 4 categories x 8 properties becomes 8 rows x 5 columns, which fits a column of
    text and a phone). Other text is unchanged."""
    lines = markdown.splitlines()
    for start, end in reversed(list(_tables(lines))):
        head = _cells(lines[start])
        if head[0] != first_header:
            continue
        rows = [_cells(ln) for ln in lines[start + 2:end]]
        width = len(head)
        rows = [r + [""] * (width - len(r)) for r in rows]
        new = ["| " + " | ".join([head[0], *[r[0] for r in rows]]) + " |",
               "|" + "---|" * (len(rows) + 1)]
        for k in range(1, width):
            new.append("| " + " | ".join([f"**{head[k]}**", *[r[k] for r in rows]]) + " |")
        lines[start:end] = new
    return "\n".join(lines) + ("\n" if markdown.endswith("\n") else "")


def compact_dictionary(markdown: str) -> str:
    """The data catalogue's column tables (``| Kolonne (rå) | Navn i staging | Type | Påkrævet | Koder /
    interval | Betydning |``) in three columns: the raw column with its staging name, type and whether it
    is required under it; the codes; the meaning. Fits the body column at 1280 px."""
    lines = markdown.splitlines()
    for start, end in reversed(list(_tables(lines))):
        head = _cells(lines[start])
        if head[:2] != ["Kolonne (rå)", "Navn i staging"] or len(head) != 6:
            continue
        new = ["| Kolonne | Koder / interval | Betydning |", "|---|---|---|"]
        for ln in lines[start + 2:end]:
            raw, name, typ, req, codes, meaning = (_cells(ln) + [""] * 6)[:6]
            req_da = "påkrævet" if req == "ja" else "valgfri"
            new.append(f"| {raw}<br><small>{name} · {typ} · {req_da}</small> | {codes} | {meaning} |")
        lines[start:end] = new
    return "\n".join(lines) + ("\n" if markdown.endswith("\n") else "")
