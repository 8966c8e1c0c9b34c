"""Downloads that open right: a Danish Excel variant of every published table and its data dictionary.

The published CSVs (``data/processed/published/*.csv``) stay machine-readable (comma, decimal point,
full precision). Next to them :func:`write_excel_variants` writes ``excel/<name>.csv`` for a Danish
Excel: semicolon-separated, decimal comma, UTF-8 with a byte order mark, Danish column headers,
``ja``/``nej`` for true/false, numbers rounded sensibly (:func:`round_for_excel`), hidden cells empty
with ``Skjult (diskretionering)`` = ``ja``; and ``excel/<name>-dataordbog.csv`` (the columns: header,
machine name, meaning). Library: polars' CSV writer (``separator``, ``decimal_comma``); the BOM is
written first, as Excel needs it to read UTF-8.

Run by ``python -m boligmonitor.site downloads`` (``make report``) and by the download page when the
files are missing or older than the published tables; it writes only into ``excel/``, which it owns.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from boligmonitor import config
from boligmonitor.errors import BoligmonitorError

BOM = "\ufeff"
EXCEL_DIR = "excel"

#: Every published column: (Danish header, meaning). A test checks that every column of every
#: published table is here.
COLUMNS_DA: dict[str, tuple[str, str]] = {
    "area_id": ("Område-id", "Områdets id: et af de fem boligområder, sjaellandsgade, helhedsplan (alle fem) "
                "eller randers_kommune."),
    "year": ("År", "Kalenderåret (befolkning pr. 1. januar; ydelser, domme m.m. i løbet af året)."),
    "residents": ("Beboere", "Beboere pr. 1. januar (personer)."),
    "under_18": ("Under 18 år", "Beboere under 18 år (personer)."),
    "age_18_64": ("18-64 år", "Beboere 18-64 år (personer)."),
    "age_65_plus": ("65 år og derover", "Beboere på 65 år og derover (personer)."),
    "nonwestern": ("Ikke-vestlige", "Indvandrere og efterkommere fra ikke-vestlige lande (personer)."),
    "pct_under_18": ("Under 18 år (pct.)", "Andel under 18 år (procent)."),
    "pct_nonwestern": ("Ikke-vestlige (pct.)", "Andel indvandrere og efterkommere fra ikke-vestlige lande "
                       "(procent)."),
    "suppressed": ("Skjult (diskretionering)", "ja: mindst én celle i rækken er skjult, fordi den ville vise "
                   "færre end minimumsantallet af personer (se undertrykkelser)."),
    "list_year": ("Listeår", "Året for listen, der offentliggøres 1. december."),
    "rule_version": ("Regler", "Lovversionen, listen er beregnet efter (2010, 2013, 2018 eller 2021)."),
    "threshold_set": ("Grænsesæt", "udsat (§ 61 a), forebyggelse (§ 61 b) eller ghetto (2010-2017)."),
    "criterion": ("Kriterium", "employment (uden for arbejdsmarked/uddannelse), crime (dømte), education "
                  "(kun grundskole), income (indkomst i pct. af regionen), nonwestern (ikke-vestlige)."),
    "value": ("Værdi", "Kriteriets eller indikatorens værdi (enhed i kolonnen Enhed)."),
    "threshold": ("Grænse", "Grænsen, værdien sammenlignes med (samme enhed som værdien)."),
    "comparator": ("Sammenligning", "Hvordan værdien sammenlignes med grænsen (>, >=, <)."),
    "comparator_wording": ("Lovens ord", "Sammenligningen med lovens ord (fx »overstiger«)."),
    "unit": ("Enhed", "pct (procent), pct_of_region (procent af regionen), ratio_national (multiplum af "
             "landsgennemsnittet), count (antal), fte (fuldtidspersoner), mark (karakter), per_1000."),
    "met": ("Opfyldt", "ja, hvis kriteriet er opfyldt; tom, hvis det er ukendt."),
    "ratio_national": ("Gange landsgennemsnittet", "Andelen dømte som multiplum af landsgennemsnittet."),
    "reference": ("Referenceværdi", "Landsgennemsnittet (kriminalitet) eller regionens gennemsnitsindkomst (kr.)."),
    "numerator": ("Tæller", "Tælleren bag værdien (personer, fuldtidspersoner eller kr.)."),
    "denominator": ("Nævner", "Nævneren bag værdien (personer)."),
    "margin_points": ("Afstand (pct.-point)", "Værdi minus grænse (procentpoint)."),
    "margin_persons": ("Afstand (personer)", "Hvor mange personer der skal skifte status, før kriteriet skifter "
                       "(for indkomst: årsindkomster på regionens gennemsnit)."),
    "flip_direction": ("Retning", "fewer: færre i gruppen (eller for indkomst: lavere indkomst) får kriteriet "
                       "til at skifte; more: flere (højere indkomst)."),
    "margin_persons_open_year": ("Afstand i det åbne år (personer)", "Afstanden, hvis hele skiftet sker i det "
                                 "seneste år af toårsgennemsnittet."),
    "year_1": ("År 1", "Første år i toårsgennemsnittet."),
    "value_1": ("Værdi år 1", "Værdien i første år."),
    "year_2": ("År 2", "Andet år i toårsgennemsnittet."),
    "value_2": ("Værdi år 2", "Værdien i andet år."),
    "missing_years": ("Manglende år", "År, der mangler data (kriteriet er da ukendt)."),
    "missing_reason": ("Kan ikke måles, fordi",
                       "Hvorfor tallet er ukendt: det registerår, det bygger på, er ufuldstændigt (for mange rækker "
                       "i karantæne) eller mangler. Tom, når alle data bag tallet er fuldstændige."),
    "eligible": ("Mindst 1.000 beboere", "ja, hvis området har mindst 1.000 beboere og kan komme på listerne."),
    "n_criteria": ("Kriterier opfyldt", "Antal af de fire kriterier, der er opfyldt."),
    "n_criteria_min": ("Kriterier opfyldt, mindst", "Mindste antal opfyldte kriterier, når nogle er ukendte."),
    "n_criteria_max": ("Kriterier opfyldt, højst", "Største antal opfyldte kriterier, når nogle er ukendte."),
    "udsat": ("Udsat boligområde", "ja, hvis området er udsat boligområde (før 2018: på ghettolisten)."),
    "parallelsamfund": ("Parallelsamfund", "ja, hvis området er parallelsamfund (2018-2020: ghettoområde)."),
    "omdannelse": ("Omdannelsesområde", "ja, hvis området er omdannelsesområde (2018-2020: hårdt ghettoområde)."),
    "forebyggelse": ("Forebyggelsesområde", "ja, hvis området er forebyggelsesområde (fra 2021)."),
    "name_parallelsamfund": ("Navn: parallelsamfund", "Kategoriens navn i listeåret."),
    "name_omdannelse": ("Navn: omdannelsesområde", "Kategoriens navn i listeåret."),
    "years_udsat": ("År i træk som udsat", "Antal år i træk på listen, dette år medregnet."),
    "years_parallelsamfund": ("År i træk som parallelsamfund", "Antal år i træk, dette år medregnet."),
    "years_omdannelse": ("År i træk som omdannelsesområde", "Antal år i træk, dette år medregnet."),
    "years_forebyggelse": ("År i træk som forebyggelsesområde", "Antal år i træk, dette år medregnet."),
    "category": ("Kategori", "Helhedsplanens kategori A-E og total (beskæftigelse) eller listekategorien "
                 "(prognose)."),
    "label": ("Betegnelse", "Kategoriens navn."),
    "fulltime_persons": ("Fuldtidspersoner", "Fuldtidspersoner 18-64 år (ydelsesdage i hverdage / et års "
                         "hverdage)."),
    "based_on_list_year": ("Grundlag", "Listeåret, prognosen bygger på."),
    "category_name": ("Kategorinavn", "Listekategoriens navn."),
    "status_latest": ("Status nu", "ja, hvis området er i kategorien på den seneste liste."),
    "status_forecast": ("Forventet status", "ja, hvis området forventes i kategorien på næste liste."),
    "known_years": ("Kendte år", "De år af toårsgennemsnittet, der allerede er i data."),
    "projected_years": ("Fremskrevne år", "De år, prognosen fremskriver uændret."),
    "scenario_id": ("Scenarie-id", "Scenariets id (fra filen i scenarios/ eller de medfølgende)."),
    "scenario_title": ("Scenarie", "Scenariets titel."),
    "projected": ("Fremskrevet", "ja for fremskrevne år, nej for det beregnede udgangsår."),
    "pct_outside_labour": ("Uden for arb./udd. (pct.)", "Andel 18-64 år uden for arbejdsmarked og uddannelse "
                           "(procent)."),
    "pct_convicted": ("Dømte (pct.)", "Andel dømte 18 år og derover (procent)."),
    "national_pct_convicted": ("Dømte i hele landet (pct.)", "Landsgennemsnittet for andelen dømte (procent)."),
    "pct_basic_education": ("Kun grundskole (pct.)", "Andel 30-59 år med kun grundskole (procent)."),
    "pct_income_of_region": ("Indkomst (pct. af regionen)", "Gennemsnitlig bruttoindkomst 15-64 år i procent "
                             "af regionens."),
    "crit_employment": ("Kriterium: beskæftigelse opfyldt", "ja/nej."),
    "crit_crime": ("Kriterium: kriminalitet opfyldt", "ja/nej."),
    "crit_education": ("Kriterium: uddannelse opfyldt", "ja/nej."),
    "crit_income": ("Kriterium: indkomst opfyldt", "ja/nej."),
    "name": ("Navn", "Indstillingens navn i koden eller indikatorens navn."),
    "value_text": ("Værdi (kode)", "Indstillingens værdi, som koden skriver den."),
    "description": ("Beskrivelse", "Hvad indstillingen afgør."),
    "reason": ("Begrundelse/årsag", "Hvorfor indstillingen er valgt, hvorfor rækker kom i karantæne, eller "
               "målstatus forklaret i ord."),
    "plan_id": ("Indikator", "Indikatorens nummer i helhedsplanen (fx B3)."),
    "indicator_id": ("Indikator-id", "Indikatorens id i koden."),
    "id": ("Indikator", "Indikatorens nummer i helhedsplanen."),
    "name_da": ("Indikatornavn", "Indikatorens navn."),
    "definition": ("Definition", "Hvordan indikatoren beregnes."),
    "data_source": ("Datakilde", "Hvor tallene kommer fra."),
    "plan_section": ("Afsnit i planen", "Aftalen eller delaftalen i helhedsplanen."),
    "baseline_area": ("Baseline gælder", "Hvilke områder helhedsplanens baseline gælder."),
    "baseline_area_value": ("Baseline, områderne", "Helhedsplanens baseline for områderne, som planen skriver den."),
    "baseline_kommune_value": ("Baseline, kommunen", "Helhedsplanens baseline for Randers Kommune."),
    "baseline_year": ("Baselineår", "Året for baseline."),
    "target": ("Mål", "Helhedsplanens mål."),
    "computed": ("Beregnes / beregnet", "Indikatorkataloget: J, hvis indikatoren beregnes af registrene; N, "
                 "hvis ikke. Baselinekontrollen: den beregnede baseline."),
    "match_status": ("Status", "both (begge metoder), range_only (kun adresseliste), polygon_only (kun polygon), "
                     "conflict (forskelligt område), none (uden for områderne)."),
    "addresses": ("Adresser", "Antal adgangsadresser."),
    "source_file": ("Fil", "Filen i udtrækket."),
    "register": ("Register", "Registerets navn (filnavnet uden .csv)."),
    "rows_read": ("Rækker læst", "Rækker læst fra filen."),
    "rows_loaded": ("Rækker indlæst", "Rækker indlæst."),
    "rows_quarantined": ("Rækker i karantæne", "Rækker, der ikke kunne indlæses (gemt med årsag)."),
    "status": ("Status", "Indlæsning: ok, eller hvorfor filen ikke blev indlæst. Målstatus: målets status i ord."),
    "column_name": ("Kolonne", "Kolonnen med problemet."),
    "rows": ("Rækker", "Antal rækker."),
    "goal_id": ("Mål-id", "Målets id (helhedsplanens indikatornummer, evt. med område)."),
    "goal_scope": ("Målet gælder", "De områder, målet gælder."),
    "status_reason": ("Begrundelse for status", "Hvorfor målet har sin status, i ord."),
    "value_ci_low": ("Værdi, 95 %-interval fra", "Nedre grænse for værdiens 95 %-konfidensinterval."),
    "value_ci_high": ("Værdi, 95 %-interval til", "Øvre grænse for værdiens 95 %-konfidensinterval."),
    "gap_kommune_pp": ("Forskel til kommunen (pct.-point)", "Områdernes værdi minus kommunens (procentpoint)."),
    "gap_kommune_baseline_pp": ("Forskel til kommunen i baseline (pct.-point)", "Forskellen i baselineåret."),
    "gap_narrowed": ("Forskellen mindsket", "ja, hvis forskellen til kommunen er blevet mindre siden baseline."),
    "kind": ("Måltype", "Hvordan målet måles (fx retning eller et tal at nå)."),
    "plan_wording": ("Planens ord", "Målet, som helhedsplanen formulerer det."),
    "note": ("Note", "Bemærkning."),
    "unit_id": ("Enheds-id", "Området eller områderne, tallet gælder (id)."),
    "unit_name": ("Område", "Området eller områderne, tallet gælder."),
    "baseline_value": ("Baseline", "Værdien i baselineåret."),
    "target_value": ("Målværdi", "Værdien, målet sigter mod (hvor planen giver et tal)."),
    "change_ci_low": ("Ændring, 95 %-interval fra", "Nedre grænse for ændringens 95 %-konfidensinterval."),
    "change_ci_high": ("Ændring, 95 %-interval til", "Øvre grænse for ændringens 95 %-konfidensinterval."),
    "kommune_value": ("Randers Kommune", "Kommunens værdi samme år."),
    "gap_pp": ("Forskel til kommunen (pct.-point)", "Værdi minus kommunens (procentpoint)."),
    "gap_baseline_pp": ("Forskel til kommunen i baseline (pct.-point)", "Forskellen i baselineåret."),
    "gap_change_ci_low": ("Ændring i forskel, 95 %-interval fra", "Nedre grænse for ændringen i forskellen."),
    "gap_change_ci_high": ("Ændring i forskel, 95 %-interval til", "Øvre grænse for ændringen i forskellen."),
    "change": ("Ændring", "Ændringen siden baseline (samme enhed som værdien); i prognosen: enters (kommer "
               "på), leaves (forlader), stays (bliver på) eller stays_out (forbliver uden for)."),
    "plan": ("Helhedsplanens tal", "Baseline, som helhedsplanen angiver den."),
    "difference": ("Forskel", "Beregnet minus helhedsplanens tal."),
    "plan_text": ("Helhedsplanens tekst", "Baseline, som den står i helhedsplanen."),
    "table": ("Tabel", "Den offentliggjorte tabel."),
    "keys": ("Række", "Rækkens nøgler (kolonne=værdi)."),
    "column": ("Kolonne", "Den skjulte kolonne."),
    "rule": ("Regel", "Diskretioneringsreglen, der skjulte cellen."),
    "suppression": ("Undertrykkelse", "primær (under minimum), sekundær (kunne ellers regnes ud) eller afledt "
                    "(bygger på en skjult celle)."),
    "relation": ("Sammenhæng", "Den sammenhæng mellem offentliggjorte tal, der krævede en sekundær undertrykkelse."),
    "interval_low": ("Interval, fra", "Mindste værdi, de offentliggjorte tal tillader for den skjulte celle "
                     "(kontrollen, personer)."),
    "interval_high": ("Interval, til", "Største værdi, de offentliggjorte tal tillader (tom: ubegrænset)."),
    # Resident flows (flytninger*, kriterier_dekomponering; boligmonitor.flows).
    "flow": ("Strøm", "Hvilken strøm rækken tæller: stayed (blev boende), in_* (flyttet ind: fra et andet "
             "overvåget område, resten af kommunen, uden for kommunen, født) eller out_* (flyttet ud: til "
             "samme steder, død)."),
    "direction": ("Retning", "in (ind), out (ud) eller stayed (blev boende)."),
    "counterpart": ("Hvorfra/hvortil", "Stedet, beboerne kom fra eller flyttede til: monitored_area (et "
                    "andet overvåget område), rest_of_kommune, outside_kommune, born (født), died (død)."),
    "persons": ("Personer", "Antal personer (for dekomponeringen: delens ændring af kriteriets tæller i "
                "personer; for beskæftigelse fuldtidspersoner, for et toårsgennemsnit gennemsnittet af de to år)."),
    "from_location": ("Fra", "Området (eller resten af kommunen), beboerne flyttede fra."),
    "to_location": ("Til", "Området (eller resten af kommunen), beboerne flyttede til."),
    "flow_group": ("Gruppe", "Beboergruppen: stayed (blev boende), moved_in (flyttet ind, uden nyfødte), "
                   "moved_out (flyttet ud, uden døde) eller residents (alle beboere). Opdelingen efter hvorfra og "
                   "hvortil står i flytninger."),
    "measure": ("Mål", "Kriteriets mål (fx uden for arbejdsmarkedet 18-64 år), aldersgruppe eller "
                "husstandstype, som gruppen beskrives på."),
    "complete": ("Komplet", "ja, hvis alle registre bag målet er komplette for året; nej, hvis et register "
                 "mangler eller er ufuldstændigt (værdien bør da ikke bruges)."),
    "level": ("Niveau", "list_year: ændringen fra én liste til den næste (med toårsgennemsnit, som listen "
              "bruger kriteriet)."),
    "from_year": ("Fra år", "Året, ændringen regnes fra."),
    "value_from": ("Værdi fra", "Kriteriets værdi i fra-året (samme enhed som kolonnen Enhed)."),
    "value_to": ("Værdi til", "Kriteriets værdi i året (samme enhed som kolonnen Enhed)."),
    "part": ("Del", "Delen af ændringen: stayers (beboere, der blev boende og skiftede status), out_movers "
             "(dem, der flyttede ud), in_movers (dem, der flyttede ind), ageing (aldring ind i og ud af "
             "aldersgruppen); delene summer til ændringen."),
    "points": ("Procentpoint", "Delens bidrag til ændringen i procentpoint (for indkomst: procent af regionen)."),
}


def round_for_excel(df: pl.DataFrame) -> pl.DataFrame:
    """Sensible rounding for reading, not for computing: a float column whose values are all whole
    numbers becomes integers; other float columns keep 2 decimals (crime shares need them; income
    shares and percentages read fine so); booleans become ja/nej; a list of numbers in a text column
    ("2014,2015") gets a space after each comma, so Excel keeps it as text. Nulls stay empty."""
    out = []
    for name, dtype in df.schema.items():
        col = pl.col(name)
        if dtype == pl.Boolean:
            out.append(pl.when(col).then(pl.lit("ja")).when(~col).then(pl.lit("nej")).alias(name))
        elif dtype.is_float():
            s = df[name].drop_nulls()
            whole = s.len() > 0 and bool(((s - s.round(0)).abs() < 1e-9).all())
            out.append(col.round(0).cast(pl.Int64) if whole else col.round(2))
        elif dtype == pl.Utf8 and set(df[name].drop_nulls().unique().to_list()) <= {"true", "false"} \
                and df[name].drop_nulls().len() > 0:
            out.append(col.replace_strict({"true": "ja", "false": "nej"}, default=col).alias(name))
        elif dtype == pl.Utf8:
            # "2014,2015" (a list of years) would be read as the number 2014,2015 by a Danish Excel.
            out.append(pl.when(col.str.contains(r"^\d+(,\d+)+$")).then(col.str.replace_all(",", ", "))
                       .otherwise(col).alias(name))
        else:
            out.append(col)
    return df.select(out)


def excel_csv(df: pl.DataFrame) -> str:
    """A table as text for a Danish Excel: ';', decimal comma, Danish headers, BOM first."""
    df = round_for_excel(df)
    df = df.rename({c: COLUMNS_DA[c][0] for c in df.columns if c in COLUMNS_DA})
    return BOM + df.write_csv(separator=";", decimal_comma=True, null_value="")


def dictionary_frame(df: pl.DataFrame) -> pl.DataFrame:
    """The data dictionary of one table: ``Kolonne (Excel), Kolonne (maskinlæsbar), Betydning``.

    Raises BoligmonitorError naming the columns that have no Danish description."""
    missing = [c for c in df.columns if c not in COLUMNS_DA]
    if missing:
        raise BoligmonitorError(f"published columns without a Danish description in "
                                f"boligmonitor.site.downloads.COLUMNS_DA: {missing}")
    return pl.DataFrame({"Kolonne (Excel)": [COLUMNS_DA[c][0] for c in df.columns],
                         "Kolonne (maskinlæsbar)": df.columns,
                         "Betydning": [COLUMNS_DA[c][1] for c in df.columns]})


def published_tables(published_dir: Path | None = None) -> list[Path]:
    d = Path(published_dir or config.published_dir())
    files = sorted(p for p in d.glob("*.csv"))
    if not files:
        raise BoligmonitorError(f"no published tables in {d}: build the data first (`make build`)")
    return files


def write_excel_variants(published_dir: Path | None = None) -> list[Path]:
    """Write ``excel/<name>.csv`` and ``excel/<name>-dataordbog.csv`` for every published table;
    returns the paths written. Only ``excel/`` is written (created here, owned here)."""
    d = Path(published_dir or config.published_dir())
    out_dir = d / EXCEL_DIR
    out_dir.mkdir(exist_ok=True)
    written = []
    for path in published_tables(d):
        df = pl.read_csv(path, infer_schema_length=None)
        target = out_dir / path.name
        target.write_text(excel_csv(df), encoding="utf-8")
        dic = out_dir / f"{path.stem}-dataordbog.csv"
        dic.write_text(BOM + dictionary_frame(df).write_csv(separator=";"), encoding="utf-8")
        written += [target, dic]
    return written


def excel_variants_current(published_dir: Path | None = None) -> bool:
    """True when every published table has an Excel variant at least as new as the table."""
    d = Path(published_dir or config.published_dir())
    for p in published_tables(d):
        x = d / EXCEL_DIR / p.name
        if not x.exists() or x.stat().st_mtime < p.stat().st_mtime:
            return False
    return True


def downloads_markdown(prefix: str = "") -> str:
    """One row per published table: what it holds and its three files (Danish Excel, machine-readable
    CSV, data dictionary), names that never break mid-word."""
    from boligmonitor.site import published, report

    m = published.manifest()
    titles = {n: (t["title"], t["description"], t["rows"]) for n, t in m["tables"].items()}
    titles.setdefault("undertrykkelser", ("Undertrykte celler", "Hver celle, diskretioneringen skjulte, og "
                                          "hvorfor.", m.get("suppressed_cells", 0)))
    base = f"{prefix}data/processed/published"
    rows = []
    for name, (title, desc, n) in titles.items():
        files = (f'<span class="filename">[Excel]({base}/{EXCEL_DIR}/{name}.csv)</span> · '
                 f'<span class="filename">[CSV]({base}/{name}.csv)</span> · '
                 f'<span class="filename">[dataordbog]({base}/{EXCEL_DIR}/{name}-dataordbog.csv)</span>')
        rows.append({"indhold": f"**{title}**<br><small><code>{name}</code> · {report.fmt_int(n)} rækker</small>",
                     "beskrivelse": desc, "filer": files})
    return report.md_table(pl.DataFrame(rows), {"indhold": "Tabel", "beskrivelse": "Indhold",
                                                "filer": "Filer"})
