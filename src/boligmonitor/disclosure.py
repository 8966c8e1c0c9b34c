"""Disclosure control (diskretionering) for everything that is published: primary and secondary
suppression over every published additive relation, and an audit by linear programming.

The model
---------
A published table declares, next to its builder (:data:`boligmonitor.publish.TABLES`), a
:class:`Protection`: which columns show which **quantities** (:class:`Measure`: a quantity name and
its dimensions, e.g. ``residents`` by ``area`` and ``year``), which columns are computed from them
(:class:`Derived`: shares, means, margins) and which **relations** hold between the quantities, as
data:

* :class:`Additive`: across rows, the cell with ``dim == total`` is the sum of the cells with ``dim``
  in ``parts`` (the five plan areas and ``helhedsplan``; the categories A-E and ``total``), optionally
  plus an unpublished remainder >= 0 (``randers_kommune`` = ``helhedsplan`` + ``sjaellandsgade`` + the
  rest of the municipality).
* :class:`ColumnSum`: within a row, one column is the sum of others (residents = the three age bands;
  a two-year numerator = the numerators of its two years), optionally plus a remainder (the complement
  of a share: residents = non-Western + the others), optionally with coefficients (``weights``: a
  two-year numerator = the one before + 2 x a mean change).
* :class:`QuantitySum`: one quantity is the sum of others at the same dimensions (adults = 18-64 +
  65+; the pupils tested = the three language groups).
* :class:`Additive` with ``minus``: parts that are subtracted (a decomposition's out-movers,
  published as a negative change and modelled as its magnitude).
* :class:`Same`: two quantity names are the same count (the 18-64-year-olds in ``befolkning.csv``,
  the employment criterion's yearly denominator and indicator S5's denominator).

A **cell** is one quantity at one set of dimension values. The same cell shown in several tables (or
rows, or columns) is one cell: it is hidden everywhere or nowhere. A relation becomes one linear
equation per set of dimensions; a remainder (or a part no table publishes) is an unpublished
*implicit* cell >= 0.

The rules (``config.MIN_CELL_PERSONS`` = n, default 5)
------------------------------------------------------

1. **Primary suppression.** A count of persons between 1 and n-1 is hidden (zero is shown: it
   reveals no one); full-time persons (sums of fractions) above 0 and below n likewise. An implicit
   cell (a share's complement, the rest of a total) between 1 and n-1 is sensitive too: it is never
   published, so one of the published cells it can be computed from is hidden. A *signed* cell
   (``Measure(signed=True)``: a change, e.g. a decomposition part in persons) is hidden when
   0 < |value| < n; in the audit it has no lower bound, and it is protected if its interval reaches
   from 0 to n in the direction of its sign (a negative change is logged as the interval of its
   magnitude). Cells declared
   :class:`Together` (the sum and the persons behind a mean) are hidden together.
2. **Derived values.** A share, mean or margin is published only when every cell it is computed
   from is published: a share with a hidden numerator would give the numerator back.
3. **Secondary suppression.** In every equation a primary cell must not be the only hidden cell,
   and the published cells of all equations together must leave every primary cell an interval
   from 0 to at least n (the audit below). Where they do not, one more cell of the equation is hidden
   (a complementary cell): the one that costs least, in this order: not a total the plan's goals need
   (``helhedsplan``, ``randers_kommune``, the category ``total``), large enough to give the primary
   cell room up to n, shown in as few places as possible, smallest value; it is sought in the
   equations of the cell (and of the cells hidden together with it), then in the equations that hold
   its failing bound in the audit (non-zero duals), then in any equation of its component. This is
   repeated until the audit passes. A :class:`Measure` with ``sensitive=False`` (a difference of two
   published counts, e.g. the total change of a criterion's numerator) is never a primary cell.

The audit
---------
For every hidden sensitive cell, the smallest and largest value the published cells still allow
is computed by linear programming over **all** equations of all published tables (hidden cells and
remainders >= 0, counts relaxed to real numbers; the HiGHS solver through its own Python interface
``highspy``). The hidden cells fall into independent components (cells linked by an equation); each
component is one small problem, a component of one equation is solved in closed form. **Protection rule**: a hidden cell whose true value is 1..n-1 is protected only if its
interval reaches from below 1 up to at least n. The audit runs on every build over every published
table; a cell that is not protected stops the publish step with the table, the cell and the
relations named (:class:`DisclosureAuditError`), and the previous published files stay.

Library: HiGHS (``highspy``, maintained by the HiGHS team; the solver behind
``scipy.optimize.linprog(method="highs")``). Used directly because one model per component is solved
for many objectives with a warm start: 0.4 ms a solve against 2.6 ms through ``linprog``, whose
import alone costs 0.5 s (measured side by side, Nov 2026); the tests check the intervals against
``scipy.optimize.linprog``. The statistical offices' tools (tau-Argus, sdcMicro) are not Python
packages; the problems here are small enough that a plain LP audit and a greedy choice of
complementary cells suffice.

Every hidden cell is logged (:class:`SuppressionLog`, published as ``undertrykkelser.csv``):
table, row keys, column, rule (Danish), whether primary, secondary or derived, the relation that
forced a secondary suppression, and the audit's interval for a primary cell.
"""

from __future__ import annotations

import math
import os
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from boligmonitor import config
from boligmonitor.errors import BoligmonitorError

COUNT = "count"  # persons
FTE = "fte"  # full-time persons (sum of fractions of persons)
MAGNITUDE = "magnitude"  # sums of marks, incomes, days: hidden with the persons behind them

#: Totals the plan's goals need: complementary cells are chosen elsewhere where possible.
PROTECTED_TOTALS = frozenset({"helhedsplan", "randers_kommune", "total"})


class DisclosureAuditError(BoligmonitorError):
    """A published cell could be computed (or pinned inside 1..n-1) from other published cells."""


# --- declarations --------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Measure:
    """Column ``column`` shows quantity ``quantity`` (a name, or a polars expression giving the name
    per row) at the dimensions ``dims`` (dimension name -> column of the table). ``kind``: COUNT,
    FTE or MAGNITUDE. ``where``: the rows it applies to (all if None)."""

    column: str
    quantity: str | pl.Expr
    dims: dict[str, str]
    kind: str = COUNT
    where: pl.Expr | None = None
    #: A change (may be negative, e.g. a part of a criterion's change in persons): hidden when
    #: 0 < |value| < n; unbounded below in the audit; protected if the interval reaches from 0 to n
    #: in the direction of its sign.
    signed: bool = False
    #: False: a value that is no count of persons of its own (the net change of a published count
    #: from one year to the next): never a primary suppression, but a cell in every relation.
    sensitive: bool = True


@dataclass(frozen=True, eq=False)
class Ref:
    """A cell named by a row: quantity (name or expression) and dimension -> column."""

    quantity: str | pl.Expr
    dims: dict[str, str]


@dataclass(frozen=True, eq=False)
class Derived:
    """Columns computed from cells (a share from its numerator and denominator, a margin, a mean):
    null wherever one of ``inputs`` (measured columns of the same row, or :class:`Ref`) is hidden."""

    columns: tuple[str, ...]
    inputs: tuple[str | Ref, ...]
    where: pl.Expr | None = None


@dataclass(frozen=True, eq=False)
class Together:
    """The cells of these measured columns of a row are hidden together (the sum behind a mean and
    the persons it is divided by)."""

    columns: tuple[str, ...]
    where: pl.Expr | None = None


@dataclass(frozen=True, eq=False)
class Additive:
    """Across rows: for each quantity (``quantities``, or every quantity the table measures with
    dimension ``dim``), cell(dim=total) = sum of cell(dim=p) for p in parts [+ remainder >= 0]."""

    name: str  # Danish, as the suppression log and the Metode page show it
    dim: str
    total: str | None
    parts: tuple[str, ...] | None
    remainder: bool = False
    quantities: tuple[str, ...] | None = None
    #: The total is another quantity without ``dim`` (e.g. the residents of an area and year, split
    #: by ``match_status``); ``parts`` None = every value of ``dim``. A total no table publishes
    #: becomes an implicit cell, which later relations can use.
    total_quantity: str | None = None
    #: A part that has no cell does not exist (e.g. deaths when that year has two out-flows in one):
    #: no remainder for it. Where no part has a cell the relation is skipped.
    absent_is_zero: bool = False
    #: Parts that are subtracted (published as magnitudes, e.g. the out-movers of a change):
    #: total = sum(parts) - sum(minus).
    minus: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class ColumnSum:
    """Within each row: cell(total column) = sum of the cells of the part columns [+ remainder]."""

    name: str
    total: str
    parts: tuple[str, ...]
    remainder: bool = False
    where: pl.Expr | None = None
    #: Coefficients of the parts (default 1 each): total = sum(w_i * part_i), e.g. a two-year
    #: numerator's change = 2 x a mean change (w = 2), an out-flow = -1 x a negative change.
    weights: tuple[float, ...] | None = None


@dataclass(frozen=True, eq=False)
class QuantitySum:
    """At every dimensions where ``total`` has a cell: total = sum of ``parts`` [+ remainder]."""

    name: str
    total: str
    parts: tuple[str, ...]
    remainder: bool = False
    absent_is_zero: bool = False  # as in :class:`Additive`


@dataclass(frozen=True, eq=False)
class Same:
    """These quantity names are one quantity (the same count published in several tables)."""

    name: str
    quantities: tuple[str, ...]


Relation = Additive | ColumnSum | QuantitySum | Same


@dataclass(frozen=True, eq=False)
class Protection:
    """What a published table shows and which relations hold (see the module docstring).

    ``keys``: the row's key columns (for the log). ``drop``: columns that take part in the model but
    are not published (e.g. the yearly numerators behind a published yearly share)."""

    keys: tuple[str, ...]
    measures: tuple[Measure, ...] = ()
    derived: tuple[Derived, ...] = ()
    together: tuple[Together, ...] = ()
    relations: tuple[Relation, ...] = ()
    drop: tuple[str, ...] = ()


# --- the log ---------------------------------------------------------------------------------------

LOG_SCHEMA = {"table": pl.Utf8, "keys": pl.Utf8, "column": pl.Utf8, "rule": pl.Utf8,
              "suppression": pl.Utf8, "relation": pl.Utf8, "interval_low": pl.Float64,
              "interval_high": pl.Float64}


@dataclass
class SuppressionLog:
    """Every hidden published cell: ``table, keys ('k=v;k=v'), column, rule`` (Danish),
    ``suppression`` (``primær``, ``sekundær``, ``afledt``), ``relation`` (the relation that forced a
    secondary suppression), ``interval_low``/``interval_high`` (the audit's interval, persons)."""

    rows: list[dict] = field(default_factory=list)

    def add(self, table: str, keys: dict, column: str, rule: str, suppression: str = "primær",
            relation: str = "", interval: tuple[float, float] | None = None) -> None:
        lo, hi = interval if interval is not None else (None, None)
        self.rows.append({"table": table, "keys": ";".join(f"{k}={v}" for k, v in keys.items()),
                          "column": column, "rule": rule, "suppression": suppression,
                          "relation": relation, "interval_low": lo,
                          "interval_high": None if hi is None or math.isinf(hi) else hi})

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.rows, schema=LOG_SCHEMA)


# --- the model -------------------------------------------------------------------------------------

@dataclass
class Cell:
    key: tuple  # (quantity, ((dim, value), ...))
    value: float
    kind: str
    implicit: bool = False
    rest: bool = False  # a remainder (implicit, never a member of another relation)
    places: list[tuple[str, str, int]] = field(default_factory=list)  # (table, column, row)
    primary: str = ""  # the rule, if primary
    secondary: str = ""  # the relation, if secondary
    group: int = -1  # Together group
    signed: bool = False  # a change: may be negative (free in the audit)
    exempt: bool = False  # never primary (Measure(sensitive=False))

    @property
    def sensitive(self) -> bool:
        return bool(self.primary)


@dataclass
class Equation:
    name: str
    table: str
    terms: list[tuple[int, float]]  # (cell, coefficient); sum = 0
    tol: float = 0.0  # holds within +-tol: published full-time persons are rounded to 0.1


@dataclass
class Interval:
    """The audit's result for one hidden sensitive cell."""

    cell: int
    low: float
    high: float
    protected: bool


_HIGHS = []


def _highs():
    """One quiet HiGHS instance per process (its models are replaced with ``passModel``). HiGHS
    prints a banner from C++ when an instance is created, before any option can be set: standard
    output is pointed at /dev/null for that moment only."""
    if not _HIGHS:
        import highspy

        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        h.setOptionValue("output_flag", False)
        _HIGHS.append(h)
    return _HIGHS[0]


def _fmt_key(key: tuple) -> str:
    q, dims = key
    return f"{q}[{', '.join(f'{d}={v}' for d, v in dims)}]"


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, x):
        p = self.parent.setdefault(x, x)
        if p != x:
            p = self.parent[x] = self.find(p)
        return p

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def _norm(v):
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


class DisclosureModel:
    """All published tables with their declarations, the cells and equations between them; primary
    and secondary suppression; the audit. Use :func:`protect_tables` unless you need the parts."""

    def __init__(self, min_n: int | None = None) -> None:
        self.n = min_n or config.MIN_CELL_PERSONS
        self.frames: dict[str, pl.DataFrame] = {}
        self.specs: dict[str, Protection] = {}
        self._fixed: set[tuple] = set()  # keys of hidden cells of an earlier round: they stay hidden
        self.binding: dict[int, list[int]] = {}  # failing cell -> equations holding its failing bound

    # -- building --
    def add_table(self, name: str, df: pl.DataFrame, spec: Protection | None) -> None:
        self.frames[name] = df.with_row_index("_row")
        self.specs[name] = spec or Protection(keys=())

    def _quantity_names(self, df: pl.DataFrame, q: str | pl.Expr) -> list[str]:
        if isinstance(q, str):
            return [q] * df.height
        return df.select(q.cast(pl.Utf8).alias("q"))["q"].to_list()

    def build(self) -> None:
        """(Re)build cells and equations from the tables added so far."""
        same = _UnionFind()
        for spec in self.specs.values():
            for rel in spec.relations:
                if isinstance(rel, Same):
                    for q in rel.quantities[1:]:
                        same.union(rel.quantities[0], q)
        self._canon = same.find
        self.cells: list[Cell] = []
        self.index: dict[tuple, int] = {}
        # (table, column, row) -> cell
        self.at: dict[tuple[str, str, int], int] = {}
        self.table_quantities: dict[str, set[str]] = defaultdict(set)
        for t, df in self.frames.items():
            for m in self.specs[t].measures:
                self._measure(t, df, m)
        self.groups = _UnionFind()
        for t, df in self.frames.items():
            for tg in self.specs[t].together:
                part = df if tg.where is None else df.filter(tg.where)
                for r in part["_row"].to_list():
                    ids = [self.at[(t, c, r)] for c in tg.columns if (t, c, r) in self.at]
                    for i in ids[1:]:
                        self.groups.union(ids[0], i)
        self.equations: list[Equation] = []
        self._seen: set[tuple] = set()
        for t in self.frames:  # first the relations that may create an implicit total
            for rel in self.specs[t].relations:
                if isinstance(rel, Additive) and rel.total_quantity:
                    self._additive(t, rel)
        for t in self.frames:
            for rel in self.specs[t].relations:
                if isinstance(rel, Additive) and not rel.total_quantity:
                    self._additive(t, rel)
                elif isinstance(rel, ColumnSum):
                    self._column_sum(t, rel)
                elif isinstance(rel, QuantitySum):
                    self._quantity_sum(t, rel)
        self.eqs_of: dict[int, list[int]] = defaultdict(list)
        for e, eq in enumerate(self.equations):
            for c, _ in eq.terms:
                self.eqs_of[c].append(e)

    def _cell(self, key: tuple, value: float, kind: str, implicit: bool = False) -> int:
        i = self.index.get(key)
        if i is None:
            i = self.index[key] = len(self.cells)
            # Rounded to a millionth: the last digits of a float sum depend on the order DuckDB's
            # threads add in, and every decision below (small, smallest complement) must not.
            self.cells.append(Cell(key, round(float(value), 6) + 0.0, kind, implicit))
        return i

    def _measure(self, t: str, df: pl.DataFrame, m: Measure) -> None:
        part = df if m.where is None else df.filter(m.where)
        part = part.filter(pl.col(m.column).is_not_null())
        if part.height == 0:
            return
        qs = self._quantity_names(part, m.quantity)
        dim_cols = list(m.dims.items())
        cols = {d: part[c].to_list() for d, c in dim_cols}
        values = part[m.column].to_list()
        rows = part["_row"].to_list()
        tol = 1e-6 if m.kind == COUNT else 0.051
        for k in range(part.height):
            if any(cols[d][k] is None for d, _ in dim_cols):
                continue
            q = self._canon(qs[k])
            key = (q, tuple(sorted((d, _norm(cols[d][k])) for d, _ in dim_cols)))
            v = float(values[k])
            i = self._cell(key, v, m.kind)
            cell = self.cells[i]
            cell.signed = cell.signed or m.signed
            cell.exempt = cell.exempt or not m.sensitive
            if abs(cell.value - v) > tol * max(1.0, abs(v) if m.kind == MAGNITUDE else 1.0):
                first = cell.places[0] if cell.places else ("?", "?", -1)
                raise DisclosureAuditError(
                    f"the declarations say {t}.{m.column} (row {rows[k]}) and {first[0]}.{first[1]} "
                    f"(row {first[2]}) are the same cell {_fmt_key(key)}, but they differ ({v} vs {cell.value})")
            cell.places.append((t, m.column, rows[k]))
            self.at[(t, m.column, rows[k])] = i
            self.table_quantities[t].add(q)

    def _equation(self, name: str, table: str, total: int, parts: list[int], remainder: bool,
                  rest_key: tuple, kind: str, minus: Sequence[int] = (),
                  weights: Sequence[float] | None = None) -> None:
        w = list(weights) if weights is not None else [1.0] * len(parts)
        terms = [(total, 1.0)] + [(p, -a) for p, a in zip(parts, w)] + [(p, 1.0) for p in minus]
        diff = (self.cells[total].value - sum(a * self.cells[p].value for p, a in zip(parts, w))
                + sum(self.cells[p].value for p in minus))
        tol = 1e-6 if kind == COUNT else 0.051 * (len(parts) + 1)
        if remainder:
            if diff < -tol:
                raise DisclosureAuditError(
                    f"relation '{name}' ({table}): the parts of {_fmt_key(self.cells[total].key)} add up to "
                    f"more than the total ({diff:+g}); the declaration is wrong")
            # a remainder within the rounding of its terms is no difference (and must not decide a
            # suppression by the last binary digit of a sum: two builds of one extract agree)
            r = self._cell(rest_key, diff if diff > tol else 0.0, kind, implicit=True)
            self.cells[r].rest = True
            terms.append((r, -1.0))
        elif abs(diff) > tol:
            raise DisclosureAuditError(
                f"relation '{name}' ({table}) does not hold for {_fmt_key(self.cells[total].key)}: "
                f"total - parts = {diff:g}; the declaration is wrong")
        sig = tuple(sorted(terms))
        if sig not in self._seen:  # the same relation reached twice (e.g. two rows showing the same cells)
            self._seen.add(sig)
            self.equations.append(Equation(name, table, terms, 0.0 if kind == COUNT else tol))

    def _additive(self, t: str, rel: Additive) -> None:
        quantities = set(rel.quantities) if rel.quantities else self.table_quantities[t]
        quantities = {self._canon(q) for q in quantities}
        by_rest: dict[tuple, dict] = defaultdict(dict)
        for i, c in enumerate(self.cells):
            q, dims = c.key
            if q not in quantities or c.rest:
                continue
            d = dict(dims)
            if rel.dim not in d:
                continue
            rest = (q, tuple((k, v) for k, v in dims if k != rel.dim))
            by_rest[rest][str(d[rel.dim])] = i
        for (q, rest), members in by_rest.items():
            if rel.total_quantity:
                parts = list(members.values()) if rel.parts is None else [members[p] for p in rel.parts
                                                                          if p in members]
                if not parts:
                    continue
                missing = rel.parts is not None and len(parts) < len(rel.parts) and not rel.absent_is_zero
                minus = []
                tkey = (self._canon(rel.total_quantity), rest)
                if tkey not in self.index:
                    self._cell(tkey, sum(self.cells[p].value for p in parts), self.cells[parts[0]].kind,
                               implicit=True)
                total = self.index[tkey]
            else:
                total = members.get(rel.total)
                if total is None:
                    continue
                parts = [members[p] for p in rel.parts if p in members]
                minus = [members[p] for p in rel.minus if p in members]
                if not parts and not minus and rel.absent_is_zero:
                    continue
                missing = (len(parts) + len(minus) < len(rel.parts) + len(rel.minus)
                           and not rel.absent_is_zero)
            dims = tuple(sorted((*rest, (rel.dim, f"rest:{rel.name}"))))
            self._equation(rel.name, t, total, parts, rel.remainder or missing, (q, dims),
                           self.cells[total].kind, minus=minus)

    def _column_sum(self, t: str, rel: ColumnSum) -> None:
        df = self.frames[t]
        part = df if rel.where is None else df.filter(rel.where)
        for r in part["_row"].to_list():
            total = self.at.get((t, rel.total, r))
            if total is None:
                continue
            w = rel.weights or (1.0,) * len(rel.parts)
            found = [(self.at[(t, p, r)], a) for p, a in zip(rel.parts, w) if (t, p, r) in self.at]
            missing = len(found) < len(rel.parts)
            q, dims = self.cells[total].key
            # the remainder is named by its total and its parts (two shares of one denominator have
            # two complements)
            named = "+".join(sorted({self.cells[p].key[0] for p, _ in found}))
            coef: dict[int, float] = {}
            for p, a in found:  # one cell shown in two part columns counts once
                coef.setdefault(p, a)
            self._equation(rel.name, t, total, list(coef), rel.remainder or missing,
                           (f"{q}-rest:{rel.name}:{named}", dims), self.cells[total].kind,
                           weights=list(coef.values()))

    def _quantity_sum(self, t: str, rel: QuantitySum) -> None:
        tq = self._canon(rel.total)
        pq = [self._canon(p) for p in rel.parts]
        for i, c in enumerate(list(self.cells)):
            q, dims = c.key
            if q != tq or c.rest:
                continue
            parts = [self.index[(p, dims)] for p in pq if (p, dims) in self.index]
            if not parts and rel.absent_is_zero:
                continue
            missing = len(parts) < len(pq) and not rel.absent_is_zero
            self._equation(rel.name, t, i, parts, rel.remainder or missing, (f"{q}-rest:{rel.name}", dims),
                           c.kind)

    # -- suppression --
    def primary(self) -> None:
        n = self.n
        for c in self.cells:
            c.primary = c.secondary = ""
            v = c.value
            if c.exempt:
                continue
            if c.signed:
                if 1e-9 < abs(v) < n:
                    c.primary = f"ændring på under {n} personer"
            elif c.kind == COUNT and 1 <= round(v) <= n - 1:
                c.primary = (f"differens under {n} (kan ellers regnes ud)" if c.implicit
                             else f"antal under {n}")
            elif c.kind == FTE and 0 < v < n:
                c.primary = (f"differens under {n} fuldtidspersoner (kan ellers regnes ud)" if c.implicit
                             else f"fuldtidspersoner under {n}")
        self.hidden: set[int] = {i for i, c in enumerate(self.cells) if c.primary or c.implicit}
        self.hidden |= {self.index[k] for k in self._fixed if k in self.index}
        self._close_groups()

    def _members(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.cells)):
            out[self.groups.find(i)].append(i)
        return out

    def _close_groups(self) -> None:
        members = self._members()
        for i in list(self.hidden):
            for j in members.get(self.groups.find(i), ()):
                if j not in self.hidden:
                    self.hidden.add(j)
                    if not self.cells[j].primary and not self.cells[j].secondary:
                        self.cells[j].secondary = "hører sammen med en skjult celle"

    def _cost(self, j: int, e: int, needed: float, members: dict[int, list[int]]) -> tuple:
        c = self.cells[j]
        total = any(str(v) in PROTECTED_TOTALS for _, v in c.key[1])
        group = [k for k in members.get(self.groups.find(j), [j]) if k not in self.hidden]
        places = sum(len(self.cells[k].places) for k in group)
        # equations of j with nothing hidden yet: hiding j there would need yet another cell
        opens = sum(1 for f in self.eqs_of[j] if f != e
                    and not any(k in self.hidden for k, _ in self.equations[f].terms))
        return (total, c.value < needed, opens, places, c.value, str(c.key))  # the key: a stable tie-break

    def _hide_complement(self, p: int, eqs: Iterable[int], members) -> bool:
        needed = self.n - self.cells[p].value
        best = None
        for e in eqs:
            for j, _ in self.equations[e].terms:
                if j in self.hidden or self.cells[j].implicit:
                    continue
                cost = self._cost(j, e, needed, members)
                if best is None or cost < best[0]:
                    best = (cost, j, e)
        if best is None:
            return False
        _, j, e = best
        self.hidden.add(j)
        self.cells[j].secondary = self.equations[e].name
        for k in members.get(self.groups.find(j), ()):
            if k not in self.hidden:
                self.hidden.add(k)
                self.cells[k].secondary = self.equations[e].name
        return True

    def _singletons(self, members) -> None:
        """Until none is left: an equation whose only hidden cell is sensitive, or a cell hidden as a
        complement (it would be computed exactly, and with it what it protects), gets one more."""
        queue = list(range(len(self.equations)))
        while queue:
            e = queue.pop()
            hidden = [j for j, _ in self.equations[e].terms if j in self.hidden]
            if len(hidden) != 1:
                continue
            c = self.cells[hidden[0]]
            if not c.sensitive and c.implicit:
                continue  # a remainder pinned by the published cells reveals no one
            before = set(self.hidden)
            if self._hide_complement(hidden[0], [e], members):
                for j in self.hidden - before:
                    queue.extend(self.eqs_of[j])

    def secondary(self, max_rounds: int = 100) -> list[Interval]:
        """Hide complementary cells until the audit passes; returns the last audit."""
        members = self._members()
        self._singletons(members)
        dirty: set[int] | None = None  # hidden cells whose component must be audited (None: all)
        self.binding: dict[int, list[int]] = {}  # failing cell -> equations holding its failing bound
        results: dict[int, Interval] = {}
        for _ in range(max_rounds):
            comps = self.components()
            for cells, eqs in comps:
                if dirty is not None and not dirty.intersection(cells):
                    continue
                for j in cells:
                    results.pop(j, None)
                sens = [j for j in cells if self.cells[j].sensitive]
                if sens:
                    for iv in self._audit_component(cells, eqs, sens):
                        results[iv.cell] = iv
            failing = [iv for iv in results.values() if not iv.protected]
            if not failing:
                break
            before = set(self.hidden)
            comp_of = {j: k for k, (cells, _) in enumerate(comps) for j in cells}
            done: set[int] = set()
            for iv in failing:
                k = comp_of[iv.cell]
                if k in done:  # one more cell per component and round: it may be enough for all
                    continue
                done.add(k)
                # the equations of the failing cell and of the cells hidden together with it first (a
                # change's magnitude is bounded where its negative is a part), then any of its component
                own = sorted({e for j in members.get(self.groups.find(iv.cell), [iv.cell]) for e in self.eqs_of[j]})
                if not self._hide_complement(iv.cell, own, members) and not self._hide_complement(
                        iv.cell, self.binding.get(iv.cell, []), members):
                    self._hide_complement(iv.cell, comps[k][1], members)
            if self.hidden == before:
                break
            self._singletons(members)
            dirty = self.hidden - before
            for iv in failing:
                dirty.add(iv.cell)
        return list(results.values())

    # -- audit --
    def components(self) -> list[tuple[list[int], list[int]]]:
        """Independent parts: (hidden cells, equations) linked by equations with a hidden cell."""
        uf = _UnionFind()
        eq_hidden: dict[int, list[int]] = {}
        for e, eq in enumerate(self.equations):
            hs = [j for j, _ in eq.terms if j in self.hidden]
            if hs:
                eq_hidden[e] = hs
                for j in hs[1:]:
                    uf.union(hs[0], j)
        comp_cells: dict[int, list[int]] = defaultdict(list)
        for j in self.hidden:
            comp_cells[uf.find(j)].append(j)
        comp_eqs: dict[int, list[int]] = defaultdict(list)
        for e, hs in eq_hidden.items():
            comp_eqs[uf.find(hs[0])].append(e)
        return [(sorted(cells), comp_eqs.get(root, [])) for root, cells in comp_cells.items()]

    def audit(self) -> list[Interval]:
        """The exact interval of every hidden sensitive cell (see the module docstring)."""
        out: list[Interval] = []
        for cells, eqs in self.components():
            sens = [j for j in cells if self.cells[j].sensitive]
            if sens:
                out.extend(self._audit_component(cells, eqs, sens))
        return out

    def _audit_component(self, cells, eqs, sens) -> list[Interval]:
        """Exact interval of each sensitive cell of one component: min and max of the cell subject to
        the component's equations (published cells as constants), every hidden cell >= 0. One HiGHS
        model per component; only the objective changes between the solves (warm start)."""
        import highspy

        if not eqs:  # nothing published constrains them
            return [Interval(j, 0.0, math.inf, True) for j in sens]
        if len(eqs) == 1:
            return self._audit_one_equation(cells, eqs[0], sens)
        col = {j: k for k, j in enumerate(cells)}
        b = np.zeros(len(eqs))
        entries: dict[tuple[int, int], float] = defaultdict(float)
        for r, e in enumerate(eqs):
            for j, a in self.equations[e].terms:
                if j in col:
                    entries[(col[j], r)] += a
                else:
                    b[r] -= a * self.cells[j].value
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = len(cells), len(eqs)
        lp.col_cost_ = np.zeros(len(cells))
        lp.col_lower_ = np.array([-highspy.kHighsInf if self.cells[j].signed else 0.0 for j in cells])
        lp.col_upper_ = np.full(len(cells), highspy.kHighsInf)
        tol = np.array([self.equations[e].tol for e in eqs])
        lp.row_lower_ = b - tol
        lp.row_upper_ = b + tol
        by_col: list[list[tuple[int, float]]] = [[] for _ in cells]
        for (c, r), a in sorted(entries.items()):
            if a:
                by_col[c].append((r, a))
        starts = np.cumsum([0] + [len(x) for x in by_col])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = starts.astype(np.int32)
        lp.a_matrix_.index_ = np.array([r for x in by_col for r, _ in x], dtype=np.int32)
        lp.a_matrix_.value_ = np.array([a for x in by_col for _, a in x], dtype=float)
        h = _highs()
        h.passModel(lp)
        unbounded = {highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible}

        def solve(k: int, sign: float) -> float:
            h.changeColCost(k, sign)
            h.run()
            status = h.getModelStatus()
            if status == highspy.HighsModelStatus.kUnknown:  # a warm start that went nowhere: solve afresh
                h.clearSolver()
                h.run()
                status = h.getModelStatus()
            sol = h.getSolution()
            value = sol.col_value[k]
            h.changeColCost(k, 0.0)
            if status in unbounded:
                return -sign * math.inf
            if status != highspy.HighsModelStatus.kOptimal:
                raise DisclosureAuditError(f"the audit's linear program failed ({h.modelStatusToString(status)}) "
                                           f"for {self.describe(cells[k])}")
            # the equations that hold the bound (non-zero dual): where a complementary cell helps
            binding[sign] = [eqs[r] for r, d in enumerate(sol.row_dual) if abs(d) > 1e-9]
            return float(value)

        out = []
        binding: dict[float, list[int]] = {}
        for j in sens:
            k = col[j]
            lo = solve(k, 1.0)
            lo = lo if self.cells[j].signed else max(0.0, lo)
            iv = self._interval(j, lo, solve(k, -1.0))
            if not iv.protected:
                # which end failed (a negative change is judged by its magnitude: its ends swap)
                flip = self.cells[j].signed and self.cells[j].value < 0
                low_failed = iv.low >= 1 - 1e-7
                self.binding[j] = binding[-1.0 if low_failed == flip else 1.0]
            out.append(iv)
        return out

    def _interval(self, j: int, lo: float, hi: float) -> Interval:
        """Protection rule: the interval reaches from below 1 up to at least n. A negative change is
        judged (and logged) by its magnitude: the interval of -x."""
        if self.cells[j].signed and self.cells[j].value < 0:
            lo, hi = -hi, -lo
        return Interval(j, lo, hi, bool(lo < 1 - 1e-7 and hi >= self.n - 1e-7))

    def _audit_one_equation(self, cells, e, sens) -> list[Interval]:
        """One equation sum(a_i x_i) = b, x >= 0: the bounds in closed form (what the LP would give).
        x_p can fall to 0 if another hidden cell's coefficient has the sign of a_p, else not below
        b/a_p; it can grow without bound if one has the opposite sign, else not above b/a_p."""
        a: dict[int, float] = defaultdict(float)
        b = 0.0
        for j, coef in self.equations[e].terms:
            if j in self.hidden:
                a[j] += coef
            else:
                b -= coef * self.cells[j].value
        tol = self.equations[e].tol
        out = []
        for p in sens:
            ap = a[p]
            others_free = any(self.cells[j].signed for j in a if j != p)
            same = others_free or any(a[j] * ap > 0 for j in a if j != p)
            opposite = others_free or any(a[j] * ap < 0 for j in a if j != p)
            ends = ((b - tol) / ap, (b + tol) / ap)
            floor = -math.inf if self.cells[p].signed else 0.0
            lo = floor if same else max(floor, min(ends))
            hi = math.inf if opposite else max(ends)
            iv = self._interval(p, lo, hi)
            if not iv.protected:
                self.binding[p] = [e]
            out.append(iv)
        return out

    # -- naming --
    def describe(self, j: int) -> str:
        c = self.cells[j]
        if c.places:
            t, column, row = c.places[0]
            keys = self._row_keys(t, row)
            return f"{t}.csv, column {column}, {';'.join(f'{k}={v}' for k, v in keys.items())}"
        return f"the unpublished difference {_fmt_key(c.key)}"

    def relations_of(self, j: int) -> list[str]:
        return sorted({f"{self.equations[e].name} ({self.equations[e].table})" for e in self.eqs_of[j]})

    def _row_keys(self, t: str, row: int) -> dict:
        keys = self.specs[t].keys
        df = self.frames[t]
        return {k: df[k][row] for k in keys} if keys else {"row": row}

    # -- output --
    def apply(self, t: str, log: SuppressionLog, intervals: dict[int, Interval]) -> pl.DataFrame:
        """The table with hidden cells and their derived values null, ``suppressed`` set, logged."""
        df = self.frames[t]
        spec = self.specs[t]
        null: dict[str, set[int]] = defaultdict(set)
        entries: list[tuple[int, str, str, str, str, tuple | None]] = []
        for (tt, column, row), i in self.at.items():
            if tt != t or i not in self.hidden or row in null[column]:
                continue
            c = self.cells[i]
            null[column].add(row)
            iv = intervals.get(i)
            span = (iv.low, iv.high) if iv else None
            if c.primary:
                entries.append((row, column, c.primary, "primær", "", span))
            else:
                entries.append((row, column, "sekundær undertrykkelse: kan ellers regnes ud af "
                                f"{c.secondary}", "sekundær", c.secondary, span))
        for d in spec.derived:
            part = df if d.where is None else df.filter(d.where)
            hidden_rows = self._rows_with_hidden_input(t, part, d.inputs)
            for column in d.columns:
                if column not in df.columns:
                    continue
                vals = df[column]
                for row, cause in hidden_rows.items():
                    if row in null[column] or vals[row] is None:
                        continue
                    null[column].add(row)
                    entries.append((row, column, f"afledt af en skjult celle ({cause})", "afledt", "", None))
        out = df
        if "suppressed" not in out.columns:
            out = out.with_columns(pl.lit(False).alias("suppressed"))
        flagged: set[int] = set()
        for column, rows in null.items():
            if not rows:
                continue
            flagged |= rows
            mask = pl.col("_row").is_in(sorted(rows))
            out = out.with_columns(pl.when(mask).then(None).otherwise(pl.col(column)).alias(column))
        out = out.with_columns((pl.col("suppressed").fill_null(False)
                                | pl.col("_row").is_in(sorted(flagged))).alias("suppressed"))
        visible = set(out.columns) - set(spec.drop) - {"_row"}
        for row, column, rule, kind, rel, span in sorted(entries, key=lambda e: (e[0], e[1])):
            if column in visible:
                log.add(t, self._row_keys(t, row), column, rule, kind, rel, span)
        return out.drop(["_row", *[c for c in spec.drop if c in out.columns]])

    def _cause(self, i: int) -> str:
        c = self.cells[i]
        return c.primary or f"sekundær: {c.secondary}"

    def _rows_with_hidden_input(self, t: str, part: pl.DataFrame, inputs) -> dict[int, str]:
        """Rows of ``part`` with a hidden input -> why the first such input is hidden."""
        rows = part["_row"].to_list()
        hit: dict[int, str] = {}
        for inp in inputs:
            if isinstance(inp, str):
                for r in rows:
                    i = self.at.get((t, inp, r))
                    if i is not None and i in self.hidden and r not in hit:
                        hit[r] = self._cause(i)
            else:
                qs = self._quantity_names(part, inp.quantity)
                cols = {d: part[c].to_list() for d, c in inp.dims.items()}
                for k, r in enumerate(rows):
                    if any(cols[d][k] is None for d in cols):
                        continue
                    key = (self._canon(qs[k]), tuple(sorted((d, _norm(cols[d][k])) for d in cols)))
                    i = self.index.get(key)
                    if i is not None and i in self.hidden and r not in hit:
                        hit[r] = self._cause(i)
        return dict(sorted(hit.items()))


@dataclass
class ProtectionResult:
    frames: dict[str, pl.DataFrame]
    log: SuppressionLog
    intervals: list[Interval]
    model: DisclosureModel

    def hidden_keys(self) -> set[tuple]:
        return {self.model.cells[i].key for i in self.model.hidden}


def protect_tables(frames: dict[str, pl.DataFrame], specs: dict[str, Protection | None], *,
                   min_n: int | None = None, keep_hidden: Iterable[tuple] = (),
                   raise_on_failure: bool = True) -> ProtectionResult:
    """Suppress and audit ``frames`` (table name -> frame as built) under ``specs`` together.

    Returns the published frames (hidden cells null, ``suppressed`` flag, model-only columns
    dropped), the log, and the audit's exact intervals for every hidden sensitive cell.
    ``keep_hidden``: cell keys hidden in an earlier round (they stay hidden). Raises
    :class:`DisclosureAuditError` naming table, cell and relations when a cell cannot be protected
    (with ``raise_on_failure``), or when a declared relation does not hold on the data."""
    m = DisclosureModel(min_n)
    m._fixed = set(keep_hidden)
    for name, df in frames.items():
        m.add_table(name, df, specs.get(name))
    m.build()
    m.primary()
    intervals = m.secondary()
    failing = [iv for iv in intervals if not iv.protected]
    if failing and raise_on_failure:
        lines = []
        for iv in failing[:20]:
            lines.append(f"{m.describe(iv.cell)}: the published cells allow only "
                         f"{iv.low:g}..{iv.high:g} (relations: {', '.join(m.relations_of(iv.cell))})")
        raise DisclosureAuditError(
            f"disclosure audit failed: {len(failing)} hidden cell(s) can be narrowed down to fewer than "
            f"{m.n} persons:\n" + "\n".join(lines))
    log = SuppressionLog()
    by_cell = {iv.cell: iv for iv in intervals}
    out = {name: m.apply(name, log, by_cell) for name in m.frames}
    return ProtectionResult(out, log, intervals, m)


# --- summaries for the site ---------------------------------------------------------------------------

def suppression_table(sup: pl.DataFrame) -> pl.DataFrame:
    """Per table: hidden cells by kind (columns ``Tabel, Primære, Sekundære, Afledte, I alt``)."""
    if sup.height == 0:
        return pl.DataFrame(schema={"Tabel": pl.Utf8, "Primære": pl.Int64, "Sekundære": pl.Int64,
                                    "Afledte": pl.Int64, "I alt": pl.Int64})
    kinds = sup["suppression"] if "suppression" in sup.columns else pl.Series(["primær"] * sup.height)
    df = sup.with_columns(kinds.alias("suppression"))
    agg = df.group_by("table").agg(
        (pl.col("suppression") == "primær").sum().alias("Primære"),
        (pl.col("suppression") == "sekundær").sum().alias("Sekundære"),
        (pl.col("suppression") == "afledt").sum().alias("Afledte"),
        pl.len().alias("I alt"),
    ).sort("table")
    return agg.rename({"table": "Tabel"}).with_columns(pl.col(c).cast(pl.Int64) for c in
                                                        ("Primære", "Sekundære", "Afledte", "I alt"))


def _md(df: pl.DataFrame) -> str:
    head = "| " + " | ".join(df.columns) + " |"
    sep = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join("" if v is None else f"{v:,}".replace(",", ".") if isinstance(v, int) else str(v)
                              for v in row) + " |" for row in df.iter_rows()]
    return "\n".join([head, sep, *body])


def _int(v: int) -> str:
    return f"{v:,}".replace(",", ".")


def suppression_summary(sup: pl.DataFrame) -> str:
    """Danish Markdown for the Datakvalitet page from ``undertrykkelser.csv`` (columns of
    :class:`SuppressionLog`): how many cells were hidden, by table and kind, which relations forced
    the secondary suppressions, and what the audit found for the primary ones."""
    if sup.height == 0:
        return "Ingen celler er undertrykt."
    table = suppression_table(sup)
    n_prim, n_sec, n_der = (int(table[c].sum()) for c in ("Primære", "Sekundære", "Afledte"))
    n = config.MIN_CELL_PERSONS
    text = [f"I alt er {_int(sup.height)} celler skjult (vist som `..`): {_int(n_prim)} primært (under {n} "
            f"personer), {_int(n_sec)} sekundært (ellers kunne et skjult tal regnes ud) og {_int(n_der)} "
            "afledte værdier (andele, gennemsnit og afstande, der bygger på et skjult tal).", "", _md(table)]
    if "relation" in sup.columns and n_sec:
        rel = (sup.filter(pl.col("suppression") == "sekundær").group_by("relation").agg(pl.len().alias("Celler"))
               .sort(["Celler", "relation"], descending=[True, False]).rename({"relation": "Sammenhæng"}))
        text += ["", "Sekundære undertrykkelser efter den sammenhæng, der krævede dem:", "", _md(rel)]
    if "interval_low" in sup.columns:
        prim = sup.filter((pl.col("suppression") == "primær") & pl.col("interval_low").is_not_null())
        if prim.height:
            ok = prim.filter((pl.col("interval_low") < 1)
                             & (pl.col("interval_high").is_null() | (pl.col("interval_high") >= n))).height
            text += ["", f"Kontrollen har for hver af de {_int(prim.height)} primært skjulte celler beregnet det "
                     "interval, de offentliggjorte tal og sammenhængene tillader (lineær programmering): "
                     f"{_int(ok)} kan ligge fra 0 til {n} eller mere"
                     + (", alle er altså beskyttet." if ok == prim.height else
                        f"; {_int(prim.height - ok)} er IKKE beskyttet.")]
    return "\n".join(text)


def method_markdown(specs: dict[str, Protection] | None = None) -> str:
    """Danish text for the Metode page: the rules, the relations per published table, the audit
    and the protection rule. ``specs``: table -> declaration (default: the published tables)."""
    n = config.MIN_CELL_PERSONS
    if specs is None:
        from boligmonitor.publish import TABLES

        specs = {t.name: t.protection for t in TABLES if t.protection is not None}
    lines = [
        f"Intet offentliggjort tal må vise eller kunne bruges til at regne sig frem til færre end {n} personer. "
        "Det gælder tabellerne til download, tabeller og figurer i rapporterne og tal i teksten.",
        "",
        f"1. **Primær undertrykkelse.** Et antal personer fra 1 til {n - 1} skjules (0 vises: det afslører "
        f"ingen). Fuldtidspersoner over 0 og under {n} skjules ligeledes. Er forskellen mellem to "
        f"offentliggjorte tal (fx beboere minus ikke-vestlige) mellem 1 og {n - 1}, skjules det ene.",
        "2. **Afledte tal.** En andel, et gennemsnit eller en afstand til en grænse vises kun, når alle de "
        "tal, den er beregnet af, vises.",
        "3. **Sekundær undertrykkelse.** Hvor tal lægges sammen til et offentliggjort tal, kan et skjult tal "
        "ellers regnes ud som en differens. Så skjules endnu et tal i samme sammenhæng (en komplementær "
        "celle). Den vælges, så der skjules færrest mulige tal: helst ikke totalerne, helhedsplanens mål "
        "bruger (alle fem boligområder, Randers Kommune, kategoriernes i alt); helst et tal, der er stort nok "
        f"til, at det skjulte tal kan ligge mellem 0 og {n}; helst et tal, der kun vises ét sted; ellers det "
        "mindste.",
        "4. **Samme tal flere steder.** Et tal, der vises i flere tabeller (fx beboere i befolkning, "
        "klassifikation og scenarier), er én celle: det skjules alle steder eller ingen steder.",
        "",
        "**Kontrol.** Ved hver kørsel beregnes for hvert skjult tal det interval, det kan ligge i, når man "
        "kender alle offentliggjorte tal og alle sammenhænge mellem dem (lineær programmering med HiGHS; "
        "skjulte tal og restgrupper er ikke negative). **Beskyttelsesreglen:** et tal på 1 til "
        f"{n - 1}, der er skjult, er beskyttet, hvis intervallet går fra under 1 til mindst {n}. Er et tal "
        "ikke beskyttet, stopper offentliggørelsen med tabel, celle og sammenhæng, og de tidligere "
        "offentliggjorte filer bliver stående.",
        "",
        "**Sammenhængene, der tages hensyn til**, pr. offentliggjort tabel:",
        "",
    ]
    for t, spec in specs.items():
        names = [r.name for r in spec.relations]
        if names:
            lines.append(f"- `{t}`: " + "; ".join(dict.fromkeys(names)) + ".")
    return "\n".join(lines)


# --- belt and braces for a frame about to be published ------------------------------------------------

def _small(expr: pl.Expr, n: int) -> pl.Expr:
    return (expr >= 1) & (expr < n)


def count_is_unsafe(count: pl.Expr, n: int) -> pl.Expr:
    return _small(count.round(0), n)


def audit(df: pl.DataFrame, *, counts: Sequence[str] = (), min_n: int | None = None) -> list[str]:
    """Problems left in a frame about to be published: any count column with a value 1..n-1."""
    n = min_n or config.MIN_CELL_PERSONS
    problems = []
    for c in counts:
        if c in df.columns:
            bad = df.filter(count_is_unsafe(pl.col(c), n)).height
            if bad:
                problems.append(f"{c}: {bad} cells below {n}")
    return problems
