"""Disclosure control (diskretionering) for everything that is published.

Rules (``config.MIN_CELL_PERSONS`` = n, default 5):

1. **Counts.** A count of persons between 1 and n-1 is suppressed. Zero is shown (it reveals no one).
2. **Shares and means.** A share is suppressed when its denominator is below n, or when its numerator
   or its complement (denominator - numerator) is between 1 and n-1: either would reveal a group of
   fewer than n persons. A mean (e.g. income, marks) is suppressed when it rests on fewer than n persons.
3. **Differencing (secondary suppression).** Where the members of a group add up to a published total
   (the five areas and "alle fem boligområder", the categories A-E and their total), a single suppressed
   member could be recovered by subtraction. Then the smallest other member is suppressed as well.

Suppressed cells become null, the row's ``suppressed`` flag is set, and every suppression is logged
(table, row keys, column, rule: the rule in Danish, as the report shows it) so the data-quality page can show what was hidden and why.
Counts of full-time persons (fuldtidspersoner) are sums of fractions of many persons; they follow
rule 2 through the number of persons behind them where that is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from boligmonitor import config


@dataclass
class SuppressionLog:
    rows: list[dict] = field(default_factory=list)

    def add(self, table: str, keys: dict, column: str, rule: str) -> None:
        self.rows.append({"table": table, "keys": ";".join(f"{k}={v}" for k, v in keys.items()),
                          "column": column, "rule": rule})

    def frame(self) -> pl.DataFrame:
        schema = {"table": pl.Utf8, "keys": pl.Utf8, "column": pl.Utf8, "rule": pl.Utf8}
        return pl.DataFrame(self.rows, schema=schema)


def _small(expr: pl.Expr, n: int) -> pl.Expr:
    return (expr >= 1) & (expr < n)


def share_is_unsafe(numerator: pl.Expr, denominator: pl.Expr, n: int) -> pl.Expr:
    """True where a share numerator/denominator would reveal fewer than n persons."""
    num = numerator.round(0)
    den = denominator.round(0)
    return den.is_null() | (den < n) | _small(num, n) | _small(den - num, n)


def count_is_unsafe(count: pl.Expr, n: int) -> pl.Expr:
    return _small(count.round(0), n)


def protect(
    df: pl.DataFrame,
    *,
    table: str,
    keys: Sequence[str],
    log: SuppressionLog,
    counts: Sequence[str] = (),
    shares: Sequence[tuple[str, str, Sequence[str]]] = (),
    means: Sequence[tuple[str, Sequence[str]]] = (),
    fte: Sequence[str] = (),
    min_n: int | None = None,
) -> pl.DataFrame:
    """Apply rules 1 and 2.

    ``counts``: person-count columns. ``fte``: full-time-person columns (a sum of fractions: any
    value above 0 and below n may rest on fewer than n persons, so it is suppressed). ``shares``: (numerator, denominator, value columns that
    derive from them); the numerator and denominator are suppressed together with the values.
    ``means``: (persons column, value columns).
    """
    n = min_n or config.MIN_CELL_PERSONS
    flag = pl.col("suppressed").fill_null(False) if "suppressed" in df.columns else pl.lit(False)
    out = df.with_columns(flag.alias("suppressed"))
    checks: list[tuple[pl.Expr, list[str], str]] = []
    for c in counts:
        checks.append((count_is_unsafe(pl.col(c), n), [c], f"antal under {n}"))
    for c in fte:
        checks.append(((pl.col(c) > 0) & (pl.col(c) < n), [c], f"fuldtidspersoner under {n}"))
    for num, den, values in shares:
        checks.append((share_is_unsafe(pl.col(num), pl.col(den), n), [num, den, *values],
                       f"andel, der hviler på færre end {n} personer"))
    for persons, values in means:
        checks.append(((pl.col(persons).is_null()) | (pl.col(persons) < n), [persons, *values],
                       f"gennemsnit af færre end {n} personer"))
    for cond, cols, rule in checks:
        # Only rows that have something to hide: an absent component is not a suppression.
        hit = cond.fill_null(True) & pl.any_horizontal([pl.col(c).is_not_null() for c in cols])
        for row in out.filter(hit).select(list(keys)).iter_rows(named=True):
            for c in cols:
                log.add(table, row, c, rule)
        out = out.with_columns(
            [pl.when(hit).then(None).otherwise(pl.col(c)).alias(c) for c in cols]
            + [(pl.col("suppressed") | hit).alias("suppressed")]
        )
    return out


def protect_differencing(
    df: pl.DataFrame,
    *,
    table: str,
    group: Sequence[str],
    member: str,
    value: str,
    members: Sequence[str],
    log: SuppressionLog,
    also: Sequence[str] = (),
) -> pl.DataFrame:
    """Apply rule 3: within each ``group``, the rows whose ``member`` is in ``members`` add up to a
    published total. If exactly one of them has ``value`` suppressed, suppress the smallest other one
    (its ``value`` and the ``also`` columns)."""
    out = df.clone()
    cols = [value, *also]
    sub = out.filter(pl.col(member).is_in(list(members)))
    to_hide: list[dict] = []
    for _, part in sub.group_by(list(group), maintain_order=True):
        hidden = part.filter(pl.col(value).is_null())
        shown = part.filter(pl.col(value).is_not_null())
        if hidden.height == 1 and shown.height >= 1:
            victim = shown.sort(value).row(0, named=True)
            to_hide.append({k: victim[k] for k in (*group, member)})
    for key in to_hide:
        cond = pl.all_horizontal([pl.col(k) == v for k, v in key.items()])
        for c in cols:
            log.add(table, key, c, "sekundær undertrykkelse (kan ellers regnes ud som differens)")
        out = out.with_columns(
            [pl.when(cond).then(None).otherwise(pl.col(c)).alias(c) for c in cols]
            + [pl.when(cond).then(True).otherwise(pl.col("suppressed")).alias("suppressed")]
        )
    return out


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
