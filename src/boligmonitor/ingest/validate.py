"""Type and validate one file's rows against its register declaration (vectorised, polars).

Input: the string columns of :class:`~boligmonitor.ingest.reader.RawTable`. Output: the typed rows
that passed (:attr:`Validated.rows`, staging columns) and one quarantine entry per problem found
(:attr:`Validated.quarantine`). A row with any problem is not loaded; it is never repaired. A file
that sits in the wrong year folder raises :class:`~boligmonitor.ingest.reader.FileError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from boligmonitor.ingest import numbers
from boligmonitor.ingest.pseudonym import (
    HIDDEN_PNR,
    INVALID_PNR,
    PNR_SEARCH,
    Pseudonymiser,
    id_text,
    pnr_digits_expr,
)
from boligmonitor.ingest.reader import FileError, RawTable
from boligmonitor.ingest.rules import (
    CONTROL_CHAR_CLASS,
    CONTROL_CHARS,
    DATE_ORDER,
    FORMAT_CODES,
    PERIOD_RULES,
    REASONS,
    WRONG_YEAR_SHARE,
    control_name,
    is_file_fault,
)
from boligmonitor.registers import Column, Register

QUARANTINE_SCHEMA = {
    "source_file": pl.String,
    "source_line": pl.Int32,
    "register": pl.String,
    "year": pl.Int32,
    "column_name": pl.String,
    "value": pl.String,
    "reason": pl.String,
    "reason_code": pl.String,
}

_TRUE = ("J", "JA", "1", "Y", "YES", "TRUE", "SAND")
_FALSE = ("N", "NEJ", "0", "NO", "FALSE", "FALSK")

#: Detail for a nine-digit person number.
NINE_DIGITS = "(9 cifre: er et foranstillet 0 tabt, fx i Excel?)"

POLARS_TYPES = {
    "pnr": pl.String, "str": pl.String, "code": pl.String, "int": pl.Int64,
    "float": pl.Float64, "date": pl.Date, "bool": pl.Boolean,
}


@dataclass
class Validated:
    """Rows to load and quarantine entries of one file.

    Until :func:`attach_person_ids` has run (``validate(..., defer_ids=True)``), ``rows`` holds the
    PNR digits in ``_pnr`` instead of ``person_id`` and ``quarantine`` has a ``_pnr`` column; both
    live only in memory and are pseudonymised before anything is written.
    """

    rows: pl.DataFrame
    quarantine: pl.DataFrame
    pnr_columns_hashed: list[str]


def attach_person_ids(rows: pl.DataFrame, quarantine: pl.DataFrame, pseudo: Pseudonymiser
                      ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Replace the PNR digits (``_pnr``) by pseudonyms: ``person_id`` in rows (after ``year``), and in
    quarantine values (duplicate keys: ``<person_id> | <rest of the key>``)."""
    if "_pnr" in rows.columns:
        ids = pseudo.ids(rows["_pnr"])
        pos = rows.columns.index("_pnr")
        rows = rows.drop("_pnr").insert_column(pos, ids.alias("person_id"))
    if "_pnr" in quarantine.columns:
        sub = quarantine.filter(pl.col("_pnr").is_not_null())
        if sub.height:
            ids = id_text(pseudo.ids(sub["_pnr"]))
            sub = sub.with_columns(
                pl.when(pl.col("value").is_null() | (pl.col("value") == "")).then(ids)
                .otherwise(pl.concat_str([ids, pl.col("value")], separator=" | ")).alias("value"))
            quarantine = pl.concat([quarantine.filter(pl.col("_pnr").is_null()), sub]).sort(
                "source_file", "source_line", "column_name", nulls_last=False, maintain_order=True)
        quarantine = quarantine.drop("_pnr")
    return rows, quarantine


#: A time of day that is exactly midnight after a date (``2021-01-01 00:00:00``, ``01-01-2021
#: 00:00``, ``2021-01-01T00:00:00.000``): what BI/SQL/pandas exports write for a date column. The
#: value is the date; any other time of day is not a date (``bad_date``).
MIDNIGHT = r"[ T]00:00(:00(\.0+)?)?$"


def _parse_date_series_general(values: pl.Series) -> pl.Series:
    f = pl.DataFrame({"s": values}).with_columns(
        pl.col("s").str.replace(MIDNIGHT, "").str.replace_all(".", "-", literal=True)
        .str.replace_all("/", "-", literal=True))
    f = f.with_columns((pl.col("s").str.slice(-5, 1) == "-").alias("dmy"))
    dmy = f.filter(pl.col("dmy"))["s"].str.to_date("%d-%m-%Y", strict=False)
    out = pl.Series(values.name, [None] * len(values), dtype=pl.Date)
    out = out.scatter(f.select(pl.arg_where(pl.col("dmy"))).to_series(), dmy) if len(dmy) else out
    rest = f.with_row_index("_i").filter(~pl.col("dmy") & (pl.col("s").str.slice(4, 1) == "-"))
    if rest.height:
        out = out.scatter(rest["_i"], rest["s"].str.to_date("%Y-%m-%d", strict=False))
    return out


def _parse_date_series(values: pl.Series) -> pl.Series:
    """One pass for the usual ``dd-mm-yyyy``; the general rule for whatever that did not parse.

    Same result as :func:`_parse_date_series_general`: a ten-character value that ``%d-%m-%Y``
    parses has a four-digit year (polars refuses five- and six-digit years), so its fifth-last
    character is the dash the general rule looks for."""
    ten = values.str.len_bytes() == 10
    out = pl.select(pl.when(ten).then(values.str.to_date("%d-%m-%Y", strict=False))).to_series()
    redo = out.is_null() & (values != "").fill_null(False)
    if redo.any():
        idx = redo.arg_true()
        out = out.scatter(idx, _parse_date_series_general(values.gather(idx)))
    return out.alias(values.name)


def parse_date(s: pl.Expr) -> pl.Expr:
    """``dd-mm-yyyy`` (also ``dd.mm.yyyy``, ``dd/mm/yyyy``) or ISO ``yyyy-mm-dd``; else null.
    Values arrive stripped (the reader strips every field)."""
    return s.map_batches(_parse_date_series, return_dtype=pl.Date)


def parse_float(s: pl.Expr) -> pl.Expr:
    """Numbers with the decimal mark decided from all the values together
    (:func:`boligmonitor.ingest.numbers.decide`, no declared range); finite only. Raises
    :class:`~boligmonitor.ingest.numbers.NumberFormatError` when the values are ambiguous."""
    return s.map_batches(lambda v: numbers.parse(v, numbers.decide(v).decimal), return_dtype=pl.Float64)


def parse_int(s: pl.Expr) -> pl.Expr:
    return s.cast(pl.Int64, strict=False)


def _whole(v: pl.Expr) -> pl.Expr:
    """A float that is a whole number, as Int64 (else null: not a whole number)."""
    return pl.when(v == v.round(0)).then(v).cast(pl.Int64, strict=False)


_BOOL_VALUES = _TRUE + _FALSE


def _parse_bool_series(values: pl.Series) -> pl.Series:
    u = values
    if not (u.is_in(_BOOL_VALUES) | u.is_null()).all():  # lower case, spaces: normalise first
        u = u.str.strip_chars().str.to_uppercase()
    return pl.select(pl.when(u.is_in(_TRUE)).then(True).when(u.is_in(_FALSE)).then(False)).to_series() \
        .alias(values.name)


def parse_bool(s: pl.Expr) -> pl.Expr:
    return s.map_batches(_parse_bool_series, return_dtype=pl.Boolean)


def _range_text(c: Column) -> str:
    lo = "" if c.min is None else f"{c.min:g}"
    hi = "" if c.max is None else f"{c.max:g}"
    unit = " (år)" if c.dtype == "date" else ""
    return f"{lo}-{hi}{unit}"


def _typed(c: Column, may_be_empty: bool = True, decimals: dict[str, list[int]] | None = None) -> pl.Expr:
    """The parsed value of one declared column (read as string ``c.name``); null if empty or unparseable.
    ``may_be_empty=False`` (the column is known to hold no empty field) leaves out the test for
    empty fields: text keeps its values as they are, other types are parsed straight away.
    ``decimals`` (float columns): decimal mark -> the files (``_file``) whose column uses it, as
    :func:`number_formats` decided (see :mod:`~boligmonitor.ingest.numbers`)."""
    raw = pl.col(c.name)
    if c.dtype == "float":
        typed = _parse_numbers(raw, decimals or {numbers.DEFAULT_DECIMAL: []})
    else:
        parsed = {"pnr": pnr_digits_expr, "date": parse_date, "int": parse_int, "bool": parse_bool}.get(c.dtype)
        typed = parsed(raw) if parsed else raw
    if not may_be_empty:
        return (typed if c.dtype in ("str", "code") else typed.cast(POLARS_TYPES[c.dtype])).alias(f"_v_{c.name}")
    return pl.when(raw != "").then(typed).cast(POLARS_TYPES[c.dtype]).alias(f"_v_{c.name}")


def _parse_numbers(raw: pl.Expr, decimals: dict[str, list[int]]) -> pl.Expr:
    """Numbers read with each file's decimal mark (one parse when every file uses the same)."""
    marks = [d for d, files in decimals.items() if files] or list(decimals)
    if len(marks) == 1:
        d = marks[0]
        return raw.map_batches(lambda s: numbers.parse(s, d), return_dtype=pl.Float64)
    return (pl.when(pl.col("_file").is_in(decimals[","]))
            .then(raw.map_batches(lambda s: numbers.parse(s, ","), return_dtype=pl.Float64))
            .otherwise(raw.map_batches(lambda s: numbers.parse(s, "."), return_dtype=pl.Float64)))


def number_formats(f: pl.DataFrame, raws: list[RawTable], reg: Register, columns: list[Column],
                   chunk: ChunkStats | None = None) -> tuple[dict[str, dict[str, list[int]]], dict[int, FileError]]:
    """The decimal mark of each numeric column in each file (``_file``), decided from all the file's
    values by :func:`~boligmonitor.ingest.numbers.decide`: column -> mark -> files; and the files
    whose column is ambiguous, as errors naming the file and column (those files stop).
    ``chunk`` (one part of a file): what was seen and decided per column is recorded there, so that
    the caller can tell whether the whole file would have been decided the same way."""
    out: dict[str, dict[str, list[int]]] = {}
    errors: dict[int, FileError] = {}
    for c in columns:
        marks: dict[str, list[int]] = {",": [], ".": []}
        if not numbers.has_marks(f[c.name]):  # no '.' or ',' in any file: nothing to decide
            marks[numbers.DEFAULT_DECIMAL] = list(range(len(raws)))
            out[c.name] = marks
            continue
        pairs = f.select("_file", c.name).unique()
        parts = pairs.partition_by("_file", as_dict=True) if len(raws) > 1 else {(0,): pairs}
        for (i,), part in sorted(parts.items()):
            if chunk is not None:
                ev = numbers.evidence(part[c.name])
                chunk.numbers[c.name] = {"comma": ev["comma"] > 0, "point": ev["point"] > 0,
                                         "ambiguous": ev["ambiguous_point"] + ev["ambiguous_comma"] > 0,
                                         "mark": None}
            try:
                d = numbers.decide(part[c.name], lo=c.min, hi=c.max, typical=c.typical, whole=c.dtype == "int")
            except numbers.NumberFormatError as e:
                errors[i] = FileError(f"ambiguous number format: {e}", file=raws[i].source_file, column=c.raw,
                                      code="ambiguous_number")
                continue
            if chunk is not None:
                chunk.numbers[c.name]["mark"] = d.decimal
            marks[d.decimal].append(i)
        out[c.name] = marks
    return out, errors


@dataclass
class ChunkStats:
    """What validating one part of a large file (:func:`validate_many` with ``chunk=``) saw of the
    rules that are decided over a whole file, so the caller can combine the parts (see
    ``ingest.load``): per numeric column with a ``.`` or ``,`` (column -> ``comma``/``point``/
    ``ambiguous``: whether such evidence was seen; ``mark``: the decimal mark decided, None when the
    part alone was ambiguous); whole-number columns read with marks; and for the period rule the
    rows whose period value is fine (``period_rows``) and those of them outside the folder's year
    (``period_outside``). With ``chunk`` the two share rules (wrong year folder, file-level
    format fault) are left to the caller."""

    numbers: dict[str, dict] = field(default_factory=dict)
    int_marked: list[str] = field(default_factory=list)
    period_rows: int = 0
    period_outside: int = 0


def _code(c: Column, complete: bool = False) -> pl.Expr:
    """Reason code (or null) for one declared column, from its raw and parsed values. The first
    rule that applies wins: missing value, bad format or unknown code, out of range.

    ``complete``: the parsed column has no null (so no field is empty or unparseable), and only the
    code list and the range are left to check."""
    raw, typed = pl.col(c.name), pl.col(f"_v_{c.name}")
    rules: list[tuple[pl.Expr, pl.Expr]] = []
    if not complete and not (c.dtype == "str" and not c.required):  # optional free text: nothing to check
        empty = raw.is_null() | (raw == "")
        rules += [(empty & c.required, pl.lit("missing_value")), (empty, pl.lit(None, pl.String))]
        fmt_code = {"pnr": "bad_pnr", "date": "bad_date", "int": "bad_number", "float": "bad_number",
                    "bool": "bad_bool"}.get(c.dtype)
        if c.dtype == "pnr":  # nine digits: a leading zero lost (Excel read the column as a number)
            rules.append((typed.is_null() & raw.str.contains(r"^\d{9}$"), pl.lit(f"{fmt_code}|{NINE_DIGITS}")))
        if fmt_code:
            rules.append((typed.is_null(), pl.lit(fmt_code)))
    if c.dtype == "code":
        rules.append((~raw.is_in(list((c.codes or {}).keys())), pl.lit("unknown_code")))
    if (c.min is not None or c.max is not None) and c.dtype in ("int", "float", "date"):
        v = typed.dt.year() if c.dtype == "date" else typed
        out = pl.lit(False)
        if c.min is not None:
            out = out | (v < c.min)
        if c.max is not None:
            out = out | (v > c.max)
        rules.append((out, pl.lit("out_of_range")))
    if not rules:
        return pl.lit(None, pl.String).alias(f"_e_{c.name}")
    code = pl.when(rules[0][0]).then(rules[0][1])
    for cond, value in rules[1:]:
        code = code.when(cond).then(value)
    return code.otherwise(pl.lit(None, pl.String)).alias(f"_e_{c.name}")


def _reason_text(c: Column | None, code: str) -> str:
    text = REASONS[code]
    if c is None:
        return text
    if code == "out_of_range":
        return f"{text}: {_range_text(c)}"
    if code == "unknown_code" and c.codes:
        return f"{text}; tilladte: {', '.join(c.codes)}"
    return text


def _masked(value: pl.Expr) -> pl.Expr:
    """Never let a PNR-looking string through in a quarantine value."""
    return value.str.replace_all(PNR_SEARCH, HIDDEN_PNR)


def _q(frame: pl.DataFrame, register: str, column: str | None, value: pl.Expr, reason: pl.Expr,
       pnr: pl.Expr | None = None) -> pl.DataFrame:
    """Quarantine entries for the rows of ``frame`` (which carries each row's ``_src`` and ``_year``)."""
    return frame.select(
        pl.col("_src").alias("source_file"),
        pl.col("source_line").cast(pl.Int32),
        pl.lit(register).alias("register"),
        pl.col("_year").cast(pl.Int32).alias("year"),
        pl.lit(column, pl.String).alias("column_name"),
        value.cast(pl.String).alias("value"),
        reason.cast(pl.String).alias("reason"),
        (pnr if pnr is not None else pl.lit(None, pl.String)).alias("_pnr"),
    ).with_columns(pl.lit(None, pl.String).alias("reason_code"))


def _may_repeat(frame: pl.DataFrame, cols: list[str]) -> bool:
    """Whether some combination of ``cols`` may occur twice in ``frame``: False only when it surely
    does not. Distinct combined hashes prove distinct keys (a cheap pass over integers); when
    hashes repeat (a repeated key, or rarely a collision), the exact test on the values decides."""
    h = pl.col(cols[0]).hash(seed=0)
    for i, c in enumerate(cols[1:], start=1):
        h = h ^ pl.col(c).hash(seed=i)
    if frame.select(h.n_unique()).item() == frame.height:
        return False
    return not frame.select(
        (pl.col(cols[0]) if len(cols) == 1 else pl.struct(cols)).is_first_distinct().all()).item()


def _period_violation(reg: Register, year: pl.Expr) -> pl.Expr | None:
    """Whether a row breaks its register's period rule for the folder year (``year``: each row's)."""
    rule = PERIOD_RULES.get(reg.name)
    if rule is None:
        return None
    jan1, dec31 = pl.date(year, 1, 1), pl.date(year, 12, 31)
    cols = [pl.col(f"_v_{n}") for n in rule.columns]
    if rule.kind == "in_year":
        return cols[0].dt.year() != year
    if rule.kind == "active":
        start, end = cols
        return (start > dec31) | (end.is_not_null() & (end < jan1))
    if rule.kind == "status":
        out = pl.lit(False)
        for c in cols:
            out = out | (c.is_not_null() & (c > jan1))
        return out
    if rule.kind == "school_year":  # 2019/20 in the folder 2020
        return cols[0] != pl.format("{}/{}", year - 1, (year % 100).cast(pl.String).str.zfill(2))
    if rule.kind == "code_year":
        return ~cols[0].str.ends_with(year.cast(pl.String))
    raise ValueError(f"unknown period rule {rule.kind!r}")


def validate(raw: RawTable, reg: Register, year: int | None, pseudo: Pseudonymiser | None,
             defer_ids: bool = False) -> Validated:
    """Type and check one file (see the module docstring); a file-level problem raises
    :class:`FileError`. With ``defer_ids`` the caller runs :func:`attach_person_ids` later (once
    for many files)."""
    out = validate_many([raw], reg, [year], pseudo, defer_ids)[0]
    if isinstance(out, FileError):
        raise out
    return out


def validate_many(raws: list[RawTable], reg: Register, years: list[int | None], pseudo: Pseudonymiser | None,
                  defer_ids: bool = False, chunk: ChunkStats | None = None) -> list[Validated | FileError]:
    """:func:`validate` for several files of one register at once (one pass over their rows: much
    less fixed cost per file for the many small yearly files). Returns, per file, its
    :class:`Validated` or the :class:`FileError` that stopped it. Exactly what validating each
    file alone gives: every rule is per row or per file (duplicate keys within a file).

    ``chunk``: ``raws`` is one part of a large file (one :class:`RawTable`); the rules decided over
    the whole file are recorded in it instead of applied (see :class:`ChunkStats`)."""
    if chunk is not None and len(raws) != 1:
        raise ValueError("validate_many: chunk= takes exactly one part of one file")
    if len(raws) > 1 and any(r.extra for r in raws):  # extra columns are reported per file: one by one
        out: list[Validated | FileError] = []
        for raw, year in zip(raws, years):
            out += validate_many([raw], reg, [year], pseudo, defer_ids)
        return out
    rname = reg.name
    yearly = years[0] is not None
    if any((y is not None) != yearly for y in years):
        raise ValueError("validate_many: yearly and reference files mixed")
    parts = []
    for i, (raw, year) in enumerate(zip(raws, years)):
        fr = raw.frame
        for name in raw.missing_optional:
            fr = fr.with_columns(pl.lit(None, pl.String).alias(name))
        parts.append(fr.with_columns(pl.lit(i, pl.Int32).alias("_file"), pl.lit(raw.source_file).alias("_src"),
                                     pl.lit(year, pl.Int32).alias("_year"),
                                     pl.lit(raw.n_header_fields, pl.Int32).alias("_nh")))
    f = parts[0] if len(parts) == 1 else pl.concat(parts, how="diagonal")
    errors: dict[int, FileError] = {}
    num_errors: dict[int, FileError] = {}
    qparts: list[pl.DataFrame] = []

    # 1. Structural problems: wrong number of fields, undecodable characters.
    # (Each filter copies the frame: only done when some row is affected.)
    if (f["n_fields"] != f["_nh"]).any():
        wrong_n = f.filter(pl.col("n_fields") != pl.col("_nh"))
        qparts.append(_q(wrong_n, rname, None,
                         pl.format("{} felter (overskriften har {})", pl.col("n_fields"), pl.col("_nh")),
                         pl.lit("wrong_field_count")))
        f = f.filter(pl.col("n_fields") == pl.col("_nh"))
    if f["bad_encoding"].any():
        bad_enc = f.filter(pl.col("bad_encoding"))
        qparts.append(_q(bad_enc, rname, None, pl.lit(None, pl.String), pl.lit("bad_encoding")))
        f = f.filter(~pl.col("bad_encoding"))
    # Trailing NUL padding (removed by the reader): one entry on its line; a row it is glued to may
    # be cut short, so that row is quarantined too.
    for i, raw in enumerate(raws):
        if raw.nul_padding:
            line, n, glued = raw.nul_padding
            pad = pl.DataFrame({"_src": [raw.source_file], "source_line": [line], "_year": [years[i]]},
                               schema={"_src": pl.String, "source_line": pl.Int32, "_year": pl.Int32})
            qparts.append(_q(pad, rname, None, pl.lit(f"{n} NUL-tegn"), pl.lit("nul_padding")))
            if glued:
                f = f.filter(~((pl.col("_file") == i) & (pl.col("source_line") == line)))
    # Control characters: checked in every value of a file whose bytes hold one (any position).
    ctrl_files = [i for i, raw in enumerate(raws) if raw.control_chars]
    if ctrl_files and f.height:
        f, ctrl_q = _control_chars(f, ctrl_files, reg, raws, rname)
        qparts += ctrl_q

    # 2. Column checks.
    # Usually no field is empty and every value parses: then the tests for those are left out
    # (a cheap test per column first; a null count is known without a pass over the values).
    names = [c.name for c in reg.columns]
    has_empty = dict(zip(names, f.select((pl.col(n) == "").any() for n in names).row(0))) if f.height else {}
    # Numbers: the decimal mark is decided per file and column (ingest/numbers.py), never per value.
    # Whole-number columns only when some value did not read as a plain integer and holds a mark.
    num_cols = [c for c in reg.columns if c.dtype == "float"]
    decimals, num_errors = number_formats(f, raws, reg, num_cols, chunk) if f.height and num_cols else ({}, {})
    f = f.with_columns([_typed(c, has_empty.get(c.name, True), decimals.get(c.name)) for c in reg.columns])
    int_marked = [c for c in reg.columns if c.dtype == "int" and f.height
                  and f[f"_v_{c.name}"].null_count() > 0
                  and f[c.name].str.contains(r"[.,]").any()]
    if int_marked:
        if chunk is not None:
            chunk.int_marked += [c.name for c in int_marked]
        more, more_err = number_formats(f, raws, reg, int_marked)
        decimals |= more
        for i, e in more_err.items():
            num_errors.setdefault(i, e)
        f = f.with_columns(pl.when(pl.col(c.name) != "").then(_whole(_parse_numbers(pl.col(c.name), more[c.name])))
                           .alias(f"_v_{c.name}") for c in int_marked)
    if num_errors:
        f = f.filter(~pl.col("_file").is_in(list(num_errors)))
    complete = {c.name: f.height > 0 and f[f"_v_{c.name}"].null_count() == 0 for c in reg.columns}
    f = f.with_columns([_code(c, complete[c.name]) for c in reg.columns])

    # 3. Rules across columns of the row (only where the values themselves are fine).
    checks: list[tuple[str, str, pl.Expr]] = []  # (column, code, violated)
    for early, late in DATE_ORDER.get(reg.name, ()):
        checks.append((late, "date_order", pl.col(f"_v_{late}") < pl.col(f"_v_{early}")))
    if yearly:
        pv = _period_violation(reg, pl.col("_year"))
        if pv is not None:
            rule = PERIOD_RULES[reg.name]
            checks.append((rule.columns[0], "outside_period", pv))
            if rule.detects_wrong_year and f.height and chunk is not None:
                ok = f.filter(pl.col(f"_e_{rule.columns[0]}").is_null())
                chunk.period_rows += ok.height
                chunk.period_outside += int(ok.select(pv.fill_null(False).sum()).item())
            elif rule.detects_wrong_year and f.height:
                errors = _check_wrong_year(f, raws, reg, pv)
                if errors:  # those files stop here
                    f = f.filter(~pl.col("_file").is_in(list(errors)))
    errors = {**num_errors, **errors}
    for col, code, violated in checks:
        f = f.with_columns(
            pl.when(pl.col(f"_e_{col}").is_null() & violated.fill_null(False))
            .then(pl.lit(code)).otherwise(pl.col(f"_e_{col}")).alias(f"_e_{col}")
        )

    err_cols = [f"_e_{c.name}" for c in reg.columns]
    any_err = f.select(pl.any_horizontal([pl.col(e).is_not_null() for e in err_cols])).to_series()
    if any_err.any():
        bad, good = f.filter(any_err), f.filter(~any_err)
    else:
        bad, good = f.clear(), f

    pnr_cols = [c for c in reg.columns if c.dtype == "pnr"]
    if pnr_cols and pseudo is None:
        raise ValueError("person-level register needs a Pseudonymiser")

    for c in reg.columns if bad.height else ():  # (a filter per column costs even on no rows)
        e = f"_e_{c.name}"
        sub = bad.filter(pl.col(e).is_not_null())
        if not sub.height:
            continue
        if c.dtype == "pnr":  # empty or not a valid PNR: never shown
            sub = sub.with_columns(
                pl.when(pl.col(c.name).is_null() | (pl.col(c.name) == "")).then(pl.lit(None, pl.String))
                .otherwise(pl.lit(INVALID_PNR)).alias("_qv"))
        else:
            sub = sub.with_columns(_masked(pl.col(c.name)).alias("_qv"))
        qparts.append(_q(sub, rname, c.raw, pl.col("_qv"), pl.col(e)))

    # 4. Duplicate keys among the rows that passed (within a file): the first occurrence is loaded,
    # later ones quarantined. Rows are in file order, so "not the first of its key" is "a later
    # occurrence"; the cheap first-distinct test decides whether the (costlier) window is needed.
    key_cols = [f"_v_{k}" for k in reg.key] + (["_file"] if len(raws) > 1 else [])
    if good.height and reg.key and _may_repeat(good, key_cols):
        good = good.with_columns(pl.col("source_line").min().over(key_cols).alias("_first"))
        dup = good.filter(pl.col("source_line") != pl.col("_first"))
        if dup.height:
            rest = [k for k in reg.key if reg.column(k).dtype != "pnr"]
            pnr_key = next((f"_v_{k}" for k in reg.key if reg.column(k).dtype == "pnr"), None)
            dup = dup.with_columns(
                (pl.concat_str([_masked(pl.col(k)).fill_null("") for k in rest], separator=" | ")
                 if rest else pl.lit(None, pl.String)).alias("_qv"),
                pl.format("duplicate_key|(som linje {})", pl.col("_first")).alias("_r"),
            )
            key_raw = ", ".join(reg.column(k).raw for k in reg.key)
            qparts.append(_q(dup, rname, key_raw, pl.col("_qv"), pl.col("_r"),
                             pl.col(pnr_key) if pnr_key else None))
            good = good.filter(pl.col("source_line") == pl.col("_first"))

    # 5. The rows to load, typed, with person ids.
    extra_names = list(dict.fromkeys(nm for r in raws for nm in r.extra))
    out_cols: list[pl.Expr] = [pl.col("_year").alias("year")] if yearly else []
    if pnr_cols:
        out_cols.append(pl.col(f"_v_{pnr_cols[0].name}").cast(pl.Int64).alias("_pnr"))
    out_cols += [pl.col(f"_v_{c.name}").alias(c.name) for c in reg.columns if c.dtype != "pnr"]
    out_cols += [pl.when(pl.col(nm) == "").then(pl.lit(None, pl.String)).otherwise(pl.col(nm)).alias(nm)
                 for nm in extra_names]
    rows = good.select(*out_cols, pl.col("_src").alias("source_file"), pl.col("source_line").cast(pl.Int32),
                       "_file")
    # Extra columns that hold person numbers are pseudonymised too, never stored in clear.
    hashed_extra: list[str] = []
    for nm in extra_names:
        if rows.height and rows[nm].str.contains(PNR_SEARCH).fill_null(False).any() and pseudo is not None:
            digits = rows.select(pnr_digits_expr(pl.col(nm))).to_series()
            ids = id_text(pseudo.ids(digits))
            rows = rows.with_columns(
                pl.when(pl.col(nm).is_null() | (pl.col(nm) == "")).then(pl.lit(None, pl.String))
                .otherwise(pl.coalesce(ids, pl.lit(INVALID_PNR))).alias(nm))
            hashed_extra.append(raws[0].extra[nm])
        elif rows.height and rows[nm].str.contains(PNR_SEARCH).fill_null(False).any():
            rows = rows.with_columns(_masked(pl.col(nm)).alias(nm))

    q = pl.concat(qparts) if qparts else pl.DataFrame(schema={**QUARANTINE_SCHEMA, "_pnr": pl.String})
    q = _finish_reasons(q, reg)
    if q.height and chunk is None:  # a format check that (nearly) every row of a file fails: the file stops
        for i, e in _file_faults(q, raws).items():
            errors.setdefault(i, e)
    if pnr_cols and not defer_ids:
        rows, q = attach_person_ids(rows, q, pseudo)
    if len(raws) == 1:
        return [errors[0] if errors else Validated(rows.drop("_file"), q, hashed_extra)]
    by_file = rows.partition_by("_file", as_dict=True, include_key=False)
    q_by_file = q.partition_by("source_file", as_dict=True) if q.height else {}
    out = []
    for i, raw in enumerate(raws):
        if i in errors:
            out.append(errors[i])
            continue
        qi = q_by_file.get((raw.source_file,), q.clear())
        out.append(Validated(by_file.get((i,), rows.clear().drop("_file")), qi, hashed_extra))
    return out


def _control_chars(f: pl.DataFrame, files: list[int], reg: Register, raws: list[RawTable], rname: str
                   ) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Quarantine entries for values (declared and extra columns) holding a control character,
    reason ``control_char`` with the character's name (``kontroltegn i værdien (NUL)``); the rows
    without them. Only the rows of ``files`` are examined."""
    cols = [c.name for c in reg.columns] + list(dict.fromkeys(nm for r in raws for nm in r.extra))
    cols = [c for c in cols if c in f.columns]
    mine = pl.col("_file").is_in(files)
    hits = {c: pl.col(c).str.contains(CONTROL_CHAR_CLASS).fill_null(False) & mine for c in cols}
    f = f.with_columns(pl.any_horizontal(list(hits.values())).alias("_ctrl"))
    if not f["_ctrl"].any():
        return f.drop("_ctrl"), []
    bad = f.filter(pl.col("_ctrl"))
    raw_name = {c.name: c.raw for c in reg.columns}
    for r in raws:
        raw_name.update(r.extra)
    names = {ch: control_name(ch) for ch in CONTROL_CHARS}
    out = []
    for c in cols:
        sub = bad.filter(hits[c])
        if not sub.height:
            continue
        first = sub[c].str.extract("(" + CONTROL_CHAR_CLASS + ")", 1).replace_strict(names, default="?")
        sub = sub.with_columns(first.alias("_cn"))
        shown = pl.col(c).str.replace_all(CONTROL_CHAR_CLASS, "\ufffd")
        if c in raw_name and any(x.name == c and x.dtype == "pnr" for x in reg.columns):
            shown = pl.lit(INVALID_PNR)  # a person number is never shown
        out.append(_q(sub, rname, raw_name.get(c, c), _masked(shown),
                      pl.format("control_char|({})", pl.col("_cn"))))
    return f.filter(~pl.col("_ctrl")).drop("_ctrl"), out


def _file_faults(q: pl.DataFrame, raws: list[RawTable]) -> dict[int, FileError]:
    """Files where one format check on one column failed for at least
    :data:`~boligmonitor.ingest.rules.FILE_FAULT_SHARE` of the rows read (e.g. every date written
    in a format the reader does not know): a file-level fault, named with an example."""
    fmt = q.filter(pl.col("reason_code").is_in(list(FORMAT_CODES)))
    if not fmt.height:
        return {}
    stats = fmt.group_by("source_file", "column_name", "reason_code").agg(
        pl.col("source_line").n_unique().alias("n"), pl.col("reason").first(), pl.col("value").first())
    index = {r.source_file: i for i, r in enumerate(raws)}
    out: dict[int, FileError] = {}
    # (ties broken by column and reason, so the message names the same column every time)
    stats = stats.sort(["n", "column_name", "reason_code"], descending=[True, False, False], nulls_last=True)
    for sf, col, _code, n, reason, value in stats.iter_rows():
        i = index.get(sf)
        if i is None or i in out or not is_file_fault(raws[i].rows_read, n):
            continue
        out[i] = FileError(f"{n:,} of {raws[i].rows_read:,} rows fail the same check in column {col}: {reason} "
                           f"(e.g. {value!r}); the file is not loaded: is the column written in another "
                           "format?", file=sf, column=col, code="file_fault")
    return out


def _finish_reasons(q: pl.DataFrame, reg: Register) -> pl.DataFrame:
    """reason holds a code (or ``code|detail``): split into reason_code and the Danish reason text."""
    schema = {**QUARANTINE_SCHEMA, "_pnr": pl.String}
    if not q.height:
        return q.select(list(schema)).cast(schema)
    by_raw = {c.raw: c for c in reg.columns}
    code = pl.col("reason").str.split("|").list.get(0)
    detail = pl.col("reason").str.split("|").list.get(1, null_on_oob=True)
    q = q.with_columns(code.alias("reason_code"), detail.alias("_detail"))
    texts = {(col, k): _reason_text(by_raw.get(col), k)
             for col in q["column_name"].unique().to_list() for k in q["reason_code"].unique().to_list()}
    mapping = pl.DataFrame({"column_name": [k[0] for k in texts], "reason_code": [k[1] for k in texts],
                            "_text": list(texts.values())},
                           schema={"column_name": pl.String, "reason_code": pl.String, "_text": pl.String})
    q = q.join(mapping, on=["column_name", "reason_code"], how="left", nulls_equal=True)
    q = q.with_columns(
        pl.when(pl.col("_detail").is_not_null()).then(pl.format("{} {}", pl.col("_text"), pl.col("_detail")))
        .otherwise(pl.col("_text")).alias("reason"))
    return q.select(list(schema)).cast(schema).sort("source_line", "column_name", nulls_last=False)


def _check_wrong_year(f: pl.DataFrame, raws: list[RawTable], reg: Register,
                      violated: pl.Expr) -> dict[int, FileError]:
    """Files (index into ``raws``) where at least :data:`WRONG_YEAR_SHARE` of the rows whose value
    is fine break the period rule: the file sits in the wrong year folder."""
    rule = PERIOD_RULES[reg.name]
    first = rule.columns[0]
    ok = f.filter(pl.col(f"_e_{first}").is_null())
    stats = ok.group_by("_file").agg(pl.len().alias("n"), violated.fill_null(False).sum().alias("bad"),
                                     pl.col("_year").first().alias("year"))
    errors: dict[int, FileError] = {}
    for i, n, nbad, year in stats.sort("_file").iter_rows():
        if not (n and nbad >= WRONG_YEAR_SHARE * n):
            continue
        col = reg.column(first)
        mine = ok.filter(pl.col("_file") == i)
        if col.dtype == "date":
            years = mine.select(pl.col(f"_v_{first}").dt.year().mode().first()).item()
            hint = f" (most rows are from {years})"
        else:
            common = mine.select(pl.col(f"_v_{first}").mode().first()).item()
            hint = f" (most common value {common!r})"
        errors[i] = FileError(f"wrong year: the file is in the folder {year}, but {nbad} of {n} rows have "
                              f"{col.raw} outside {year}{hint}", file=raws[i].source_file, column=col.raw,
                              code="wrong_year")
    return errors
