"""The data dictionary, generated from the one declaration (``boligmonitor.registers.REGISTERS``).

``dictionary_markdown()`` is the page text (Danish headings): per register its file, source,
period, usual encoding, key, the year rule applied at ingest, and a table of columns (raw header,
staging name, type, required, codes or range, meaning). ``dictionary_frame()`` is the same as one
row per column.
"""

from __future__ import annotations

import polars as pl

from boligmonitor.ingest.rules import DATE_ORDER, PERIOD_RULES
from boligmonitor.ingest.validate import _range_text
from boligmonitor.registers import REFERENCE_DIR, REGISTERS, Column, Register

#: Danish names of the declared types and the DuckDB type they become in staging.
TYPE_NAMES = {
    "pnr": ("personnummer → pseudonym", "UBIGINT (person_id)"),
    "str": ("tekst", "VARCHAR"),
    "code": ("kode", "VARCHAR"),
    "int": ("heltal", "BIGINT"),
    "float": ("decimaltal (komma)", "DOUBLE"),
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
        if r.notes:
            out.append(f"- **Note:** {r.notes}")
        out += ["", "| Kolonne (rå) | Navn i staging | Type | Påkrævet | Koder / interval | Betydning |",
                "|---|---|---|---|---|---|"]
        for c in r.columns:
            name = "person_id" if c.dtype == "pnr" else c.name
            out.append(f"| `{c.raw}` | `{name}` | {TYPE_NAMES[c.dtype][0]} | {'ja' if c.required else 'nej'} "
                       f"| {_cell(_allowed(c))} | {_cell(c.description)} |")
        out.append("")
    return "\n".join(out)
