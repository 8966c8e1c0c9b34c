"""The number-format rule: the meaning of ``.`` and ``,`` is decided once per file and column.

A register extract writes numbers one way throughout a column: Danish exports with a decimal comma
(``12,5``) and, when Excel formats a number "with 1000-separator", a ``.`` between groups of three
digits (``1.079.571``, ``299.220``); English exports the other way round (``12.5``, ``1,079,571``).
Reading value by value (``299.220`` -> 299.22 but ``1.079.571`` -> not a number) reads one file two
ways. The rule (:func:`decide`):

1. Each distinct value is classified by its shape (:data:`SHAPES`, regular expressions, so a SQL
   ingest can apply the same ones with ``regexp_matches``):

   * evidence for a **decimal comma**: a comma followed by digits that cannot be a thousands group
     (``12,5``, ``0,720``, ``1.234,5``, ``1234,567``) or two or more ``.`` groups (``1.079.571``);
   * evidence for a **decimal point**: the mirror image (``12.5``, ``0.75``, ``1,234.5``,
     ``1,079,571``);
   * **ambiguous**: one separator followed by exactly three digits after one to three digits that
     do not start with 0 (``299.220``, ``1,500``): a thousands group or three decimals;
   * plain whole numbers (``-3``, ``244961``) say nothing.

2. Evidence of one kind only decides the decimal mark; the other mark is then a thousands separator
   and must group digits by three (``1.234,5``), or the value is not a number (``bad_number``, the
   row is quarantined). Evidence of both kinds: the majority decides when the minority is at most
   :data:`CONFLICT_SHARE` of the evidence (those values are quarantined); else the column is
   ambiguous.

3. No evidence, but ambiguous values: both readings are tried on the whole column. A reading is
   plausible when every value lies in the column's declared range (``min``/``max``) and the median
   in its declared ``typical`` range (the unit: a median gross income of 299 kr is not plausible).
   A whole-number column (``int``, persons) is not plausible with decimals. Exactly one plausible
   reading decides; otherwise the column is ambiguous.

An ambiguous column stops its file (:class:`NumberFormatError`, naming the file and column and
showing example values); nothing is guessed. No evidence and no ambiguous value: the registers'
convention, a decimal comma (:data:`DEFAULT_DECIMAL`).

Used by the ingest (every ``float`` and ``int`` column of every register, reference tables
included), by ``boligmonitor classify`` (every figure column) and by any importer reading numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

#: The registers' convention (registers.py): decimal comma, ``.`` as thousands separator.
DEFAULT_DECIMAL = ","
#: Conflicting evidence is resolved by the majority only when the minority is at most this share.
CONFLICT_SHARE = 0.01

_S = r"^[+-]?"
#: Shape name -> regular expression (matched against the stripped value).
SHAPES: dict[str, str] = {
    # a comma decimal part after plain digits or "."-grouped digits
    "comma_decimal": _S + r"(\d*|[1-9]\d{0,2}(\.\d{3})+),\d+$",
    "point_groups_2": _S + r"[1-9]\d{0,2}(\.\d{3}){2,}$",
    "point_decimal": _S + r"(\d*|[1-9]\d{0,2}(,\d{3})+)\.\d+$",
    "comma_groups_2": _S + r"[1-9]\d{0,2}(,\d{3}){2,}$",
    "ambiguous_point": _S + r"[1-9]\d{0,2}\.\d{3}$",
    "ambiguous_comma": _S + r"[1-9]\d{0,2},\d{3}$",
}
#: A number written with decimal mark d (thousands separator the other mark, optional).
VALID = {
    ",": _S + r"(\d+|[1-9]\d{0,2}(\.\d{3})+)(,\d+)?$|" + _S + r",\d+$",
    ".": _S + r"(\d+|[1-9]\d{0,2}(,\d{3})+)(\.\d+)?$|" + _S + r"\.\d+$",
}


class NumberFormatError(ValueError):
    """A column whose number format cannot be decided (see the module docstring)."""


@dataclass(frozen=True)
class Decision:
    """The decimal mark of one column (``,`` or ``.``) and why."""

    decimal: str
    reason: str

    @property
    def thousands(self) -> str:
        return "." if self.decimal == "," else ","


def evidence(values: pl.Series) -> dict[str, int]:
    """Counts of distinct values by kind: ``comma`` and ``point`` (decimal-mark evidence),
    ``ambiguous_point``, ``ambiguous_comma``, ``numbers`` (distinct non-empty values)."""
    u = values.drop_nulls().str.strip_chars()
    u = u.filter(u != "").unique()
    if not u.len():
        return {"comma": 0, "point": 0, "ambiguous_point": 0, "ambiguous_comma": 0, "numbers": 0}
    sep = u.str.contains(r"[.,]")
    u = u.filter(sep) if not sep.all() else u
    if not u.len():
        return {"comma": 0, "point": 0, "ambiguous_point": 0, "ambiguous_comma": 0, "numbers": int(sep.len())}
    m = pl.DataFrame({"v": u}).select(**{k: pl.col("v").str.contains(rx) for k, rx in SHAPES.items()})
    amb_p, amb_c = m["ambiguous_point"], m["ambiguous_comma"]
    comma = (m["comma_decimal"] & ~amb_c) | m["point_groups_2"]
    point = (m["point_decimal"] & ~amb_p) | m["comma_groups_2"]
    return {"comma": int(comma.sum()), "point": int(point.sum()), "ambiguous_point": int(amb_p.sum()),
            "ambiguous_comma": int(amb_c.sum()), "numbers": int(sep.len())}


def has_marks(values: pl.Series) -> bool:
    """Whether some value holds a ``.`` or ``,`` (two literal searches: cheap)."""
    return bool(values.str.contains(".", literal=True).any() or values.str.contains(",", literal=True).any())


def parse(values: pl.Series, decimal: str) -> pl.Series:
    """The values read with decimal mark ``decimal`` (Float64; null where not a number so written)."""
    if not has_marks(values):  # whole numbers only: the same result as the general rule, one cast
        return values.str.strip_chars().cast(pl.Int64, strict=False).cast(pl.Float64).alias(values.name)
    s = values.str.strip_chars()
    ok = s.str.contains(VALID[decimal])
    thousands = "." if decimal == "," else ","
    v = s.str.replace_all(thousands, "", literal=True)
    if decimal == ",":
        v = v.str.replace(",", ".", literal=True)
    out = v.cast(pl.Float64, strict=False)
    return pl.select(pl.when(ok).then(out)).to_series().alias(values.name)


def _plausible(v: pl.Series, lo: float | None, hi: float | None, typical: tuple[float, float] | None,
               whole: bool = False) -> bool:
    v = v.drop_nulls()
    if not v.len():
        return False
    if whole and (v != v.round(0)).any():
        return False
    if lo is not None and v.min() < lo:
        return False
    if hi is not None and v.max() > hi:
        return False
    if typical is not None:
        med = v.median()
        if not typical[0] <= med <= typical[1]:
            return False
    return True


def decide(values: pl.Series, *, lo: float | None = None, hi: float | None = None,
           typical: tuple[float, float] | None = None, whole: bool = False, where: str = "") -> Decision:
    """The decimal mark of a column (see the module docstring). ``lo``/``hi``: the declared range;
    ``typical``: the declared range of the median (the unit's plausible size); ``whole``: the
    column holds whole numbers (a reading with decimals is not plausible). Raises
    :class:`NumberFormatError` (message starting with ``where``) when the column is ambiguous."""
    ev = evidence(values)
    c, p = ev["comma"], ev["point"]
    prefix = f"{where}: " if where else ""
    if c or p:
        if c and p:
            minority, total = min(c, p), c + p
            if minority > CONFLICT_SHARE * total:
                ex = _examples(values)
                raise NumberFormatError(
                    f"{prefix}the column mixes decimal commas and decimal points ({c} distinct values "
                    f"read as decimal comma, {p} as decimal point; e.g. {ex}); write the column one way")
        d = "," if c >= p else "."
        kind = "decimal comma ('.' groups thousands)" if d == "," else "decimal point (',' groups thousands)"
        return Decision(d, f"{max(c, p)} distinct values show a {kind}")
    amb = ev["ambiguous_point"] + ev["ambiguous_comma"]
    if not amb:
        return Decision(DEFAULT_DECIMAL, "no decimals or separators: the registers' convention")
    if ev["ambiguous_point"] and ev["ambiguous_comma"]:
        ex = _examples(values)
        raise NumberFormatError(f"{prefix}values like {ex} use both '.' and ',' followed by three digits: "
                                "thousands separators or decimals?")
    readings = {d: _plausible(parse(values, d), lo, hi, typical, whole) for d in (",", ".")}
    good = [d for d, ok in readings.items() if ok]
    mark = "." if ev["ambiguous_point"] else ","
    if len(good) == 1:
        what = "thousands separator" if good[0] != mark else "decimal mark"
        return Decision(good[0], f"'{mark}' before three digits read as {what}: the only reading in the "
                                 "declared range and unit")
    ex = _examples(values)
    why = "both readings are plausible" if good else "neither reading is plausible"
    raise NumberFormatError(
        f"{prefix}values like {ex} look like thousands separators or decimals ('{mark}' followed by three "
        f"digits) and {why} for the declared range; write the numbers without thousands separators")


def _examples(values: pl.Series, n: int = 3) -> str:
    """The first ``n`` distinct values with a mark, in sorted order (the same whatever the order
    of ``values``: the ingest passes distinct values, in no fixed order)."""
    u = values.drop_nulls().str.strip_chars()
    u = u.filter(u.str.contains(r"[.,]")).unique().sort().head(n).to_list()
    return ", ".join(repr(x) for x in u)


def parse_python(raws: list[str], decision: Decision) -> list[float | None]:
    """:func:`parse` for a list of strings (the ``classify`` reader)."""
    return parse(pl.Series("v", raws, dtype=pl.String), decision.decimal).to_list()
