"""The data dictionary, generated from the one declaration (``boligmonitor.registers.REGISTERS``).

``dictionary_markdown()`` is the page text (Danish headings): per register its file, source,
period, usual encoding, key, the year rule applied at ingest, and a table of columns (raw header,
staging name, type, required, codes or range, meaning). ``dictionary_frame()`` is the same as one
row per column.
"""

from __future__ import annotations

import polars as pl

from boligmonitor.ingest.rules import DATE_ORDER, FILE_FAULT_SHARE, INCOMPLETE_SHARE, PERIOD_RULES
from boligmonitor.ingest.status import STATUSES, LoadStatus
from boligmonitor.ingest.validate import _range_text
from boligmonitor.registers import MAY_BE_MISSING, REFERENCE_DIR, REGISTERS, Column, Register

#: Danish names of the declared types and the DuckDB type they become in staging.
TYPE_NAMES = {
    "pnr": ("personnummer → pseudonym", "UBIGINT (person_id)"),
    "str": ("tekst", "VARCHAR"),
    "code": ("kode", "VARCHAR"),
    "int": ("heltal", "BIGINT"),
    "float": ("decimaltal", "DOUBLE"),
    "date": ("dato (dd-mm-åååå)", "DATE"),
    "bool": ("ja/nej (J/N)", "BOOLEAN"),
}


def _allowed(c: Column) -> str:
    if c.codes:
        return "; ".join(f"{k} = {v}" for k, v in c.codes.items())
    if c.min is not None or c.max is not None:
        return _range_text(c)
    return ""


def _path(r: Register) -> str:
    return f"data/raw/{REFERENCE_DIR}/{r.filename}" if not r.yearly else f"data/raw/<år>/{r.filename}"


def dictionary_frame() -> pl.DataFrame:
    """One row per declared column of every register."""
    rows = []
    for r in REGISTERS:
        for c in r.columns:
            rows.append({
                "register": r.name,
                "table": f"staging.{r.table}",
                "file": _path(r),
                "raw_header": c.raw,
                "staging_name": "person_id" if c.dtype == "pnr" else c.name,
                "dtype": c.dtype,
                "type": TYPE_NAMES[c.dtype][0],
                "sql_type": TYPE_NAMES[c.dtype][1],
                "required": c.required,
                "allowed": _allowed(c),
                "in_key": c.name in r.key,
                "description": c.description,
            })
    return pl.DataFrame(rows)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def dictionary_markdown() -> str:
    """The data dictionary as Markdown (Danish), one section per register."""
    out = [
        "Registrene er beskrevet ét sted (`boligmonitor/registers.py`); denne side, indlæsningen og de "
        "syntetiske data bruger den samme beskrivelse. Personnumre erstattes ved indlæsningen af et "
        "pseudonym (`person_id`) og gemmes aldrig. Rækker, der ikke består kontrollen, står i "
        "`staging.quarantine` med fil, linje, kolonne og årsag.",
        "",
        "**Talformat.** Betydningen af `.` og `,` afgøres én gang for hver fil og kolonne ud fra alle "
        "kolonnens værdier, aldrig værdi for værdi: `12,5` og `1.079.571` betyder decimalkomma (og `.` som "
        "tusindtalsskilletegn), `12.5` og `1,079,571` decimalpunktum. Kan en værdi som `299.220` læses "
        "begge veje, afgør kolonnens tilladte interval og typiske størrelse (fx kroner) det; passer begge "
        "eller ingen læsninger, stoppes filen med en besked, der nævner fil og kolonne. Reglen gælder alle "
        "registre, referencetabellerne og `boligmonitor classify`.",
        "",
        f"**Fuldstændighed.** Mister et registerår (en fil) mere end {100 * INCOMPLETE_SHARE:g} % af "
        "rækkerne til karantæne, er året ufuldstændigt: kriterier og indikatorer, der bygger på det, vises "
        "som ukendte (`missing_years`, `metrics.criteria_incomplete`, `metrics.indicator_gaps`: \"kan ikke "
        "måles\"); de offentliggjorte tabeller (`kriterier`, `klassifikation`, `indikatorer`) og målenes status "
        f"nævner registeråret i kolonnen `missing_reason`. Fejler mindst {100 * FILE_FAULT_SHARE:g} % af rækkerne samme formatkontrol i samme "
        "kolonne, stoppes kørslen (en fejl i hele filen). Et klokkeslæt på præcis midnat efter en dato "
        "(`2021-01-01 00:00:00`) er en dato. Værdier med kontroltegn (fx NUL) sættes i karantæne med "
        "linje og kolonne.",
        "",
        "**Indlæsningsstatus** (`staging.load_log.status`): "
        + "; ".join(f"`{s.value}` = {STATUSES[s].label_da}" for s in LoadStatus) + ".",
        "",
    ]
    for r in REGISTERS:
        key = ", ".join("person_id (PNR)" if r.column(k).dtype == "pnr" else k for k in r.key)
        out += [f"## {r.title} (`{r.name}`)", ""]
        out.append(f"- **Fil:** `{_path(r)}` → tabel `staging.{r.table}`")
        out.append(f"- **Kilde:** {r.source}")
        out.append(f"- **Periode:** {r.period}")
        out.append(f"- **Tegnsæt (som kilden plejer at sende):** {r.encoding}")
        out.append(f"- **Nøgle (entydig i én fil):** {key}")
        rule = PERIOD_RULES.get(r.name)
        if rule:
            out.append(f"- **Årskontrol:** {rule.describe()}")
        for early, late in DATE_ORDER.get(r.name, ()):
            out.append(f"- **Datoorden:** {early} før {late}")
        if r.optional:
            out.append("- **Valgfri:** et årsbibliotek må mangle filen")
        elif r.name in MAY_BE_MISSING:
            out.append(f"- **Kan udelades:** `boligmonitor build --allow-missing {r.name}`, når filen mangler "
                       "(indikatorerne vises da som \"kan ikke måles\")")
        if r.notes:
            out.append(f"- **Note:** {r.notes}")
        out += ["", "| Kolonne (rå) | Navn i staging | Type | Påkrævet | Koder / interval | Betydning |",
                "|---|---|---|---|---|---|"]
        for c in r.columns:
            name = "person_id" if c.dtype == "pnr" else c.name
            allowed = _allowed(c)
            if c.typical:
                lo, hi = (f"{v:,.0f}".replace(",", ".") for v in c.typical)
                allowed += f"; typisk median {lo}-{hi}"
            out.append(f"| `{c.raw}` | `{name}` | {TYPE_NAMES[c.dtype][0]} | {'ja' if c.required else 'nej'} "
                       f"| {_cell(allowed)} | {_cell(c.description)} |")
        out.append("")
    return "\n".join(out)
