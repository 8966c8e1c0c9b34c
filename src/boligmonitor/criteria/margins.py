"""Margins: how far each figure is from its threshold, in points and in persons.

``margin_points`` is ``value - threshold`` in the unit of the threshold (percentage points; for
crime from 2018 the threshold is the factor times the national share, so also points).

``margin_persons`` is the smallest whole number of residents whose status would have to change
(or who would have to move in or out, for the 1,000-resident rule) for the outcome to flip;
``flip_direction`` says whether the count must fall (``fewer``) or rise (``more``). The status
change is counted against a fixed denominator: a person leaving or entering the group in the
numerator (outside the labour market, convicted, basic school only, non-Western). For the
two-year averages the change is sustained over both years (``margin_persons``) or made in the
still-open latest year only (``margin_persons_open_year``, used by the forecast). For income
one "person" is one resident whose gross income changes by the region's mean income.
"""

from __future__ import annotations

import math

from boligmonitor.criteria.rules import compare


def _clean(x: float) -> float:
    return round(x, 9)


def persons_to_flip(value: float | None, threshold: float | None, comparator: str,
                    persons_per_100: float | None) -> tuple[int | None, str | None]:
    """(k, direction): the fewest status changes that flip ``value comparator threshold``.

    ``persons_per_100`` is the number of persons that make up 100 points of ``value`` (the
    effective denominator), so one person moves the value by ``100 / persons_per_100`` points.
    """
    if value is None or threshold is None or not persons_per_100:
        return None, None
    n = value * persons_per_100 / 100.0
    t = threshold * persons_per_100 / 100.0
    met = compare(value, comparator, threshold)
    if comparator == ">":
        if met:  # need n - k <= t
            return max(1, math.ceil(_clean(n - t))), "fewer"
        return math.floor(_clean(t - n)) + 1, "more"  # need n + k > t
    if comparator == ">=":
        if met:  # need n - k < t
            return math.floor(_clean(n - t)) + 1, "fewer"
        return max(1, math.ceil(_clean(t - n))), "more"  # need n + k >= t
    if comparator == "<":
        if met:  # need n + k >= t
            return max(1, math.ceil(_clean(t - n))), "more"
        return math.floor(_clean(n - t)) + 1, "fewer"  # need n - k < t
    raise ValueError(comparator)


def residents_margin(residents: float | None, minimum: float = 1000) -> tuple[int | None, str | None]:
    """Persons moving in (``more``) or out (``fewer``) before the 1,000-resident rule flips."""
    if residents is None:
        return None, None
    if residents >= minimum:
        return int(residents - minimum + 1), "fewer"
    return int(math.ceil(minimum - residents)), "more"


def effective_denominator(dens: list[float], method: str, open_year_only: bool = False) -> float | None:
    """Persons per 100 points of an average over years with denominators ``dens``.

    ``mean_of_shares``: a sustained change of k persons moves the average by
    ``k * mean(100 / d_i)``; in the open (last) year only by ``100 k / (n d_last)``.
    ``pooled``: by ``100 k n / sum(d)`` sustained, ``100 k / sum(d)`` in one year.
    """
    if not dens or any(not d for d in dens):
        return None
    n = len(dens)
    if method == "pooled":
        return sum(dens) if open_year_only else sum(dens) / n
    if open_year_only:
        return n * dens[-1]
    return n / sum(1.0 / d for d in dens)
