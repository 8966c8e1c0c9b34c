"""Margins in persons, and that every named setting is documented on the method page."""

from __future__ import annotations

from dataclasses import fields

import pytest

from boligmonitor import config
from boligmonitor.criteria.margins import effective_denominator, persons_to_flip, residents_margin
from boligmonitor.criteria.settings import SETTING_DOCS, CriteriaSettings


@pytest.mark.parametrize("value, threshold, comparator, d, expected", [
    (54.2, 40, ">", 1000, (142, "fewer")),   # 542 -> 400 is no longer above 40 %
    (40.0, 40, ">", 1000, (1, "more")),      # 400 -> 401 is above
    (39.95, 40, ">", 1000, (1, "more")),     # 399.5 -> 400.5
    (1.98, 1.98, ">=", 1000, (1, "fewer")),  # at the threshold: met; one fewer flips it
    (1.5, 1.98, ">=", 1000, (5, "more")),    # 15 -> 19.8 needs 5
    (50.0, 55, "<", 200, (10, "more")),      # income: 100 -> 110 (in region-mean incomes)
    (55.0, 55, "<", 200, (1, "fewer")),
])
def test_persons_to_flip(value, threshold, comparator, d, expected):
    assert persons_to_flip(value, threshold, comparator, d) == expected


def test_unknown_value_has_no_margin():
    assert persons_to_flip(None, 40, ">", 100) == (None, None)


def test_residents_margin():
    assert residents_margin(1000) == (1, "fewer")
    assert residents_margin(980) == (20, "more")


def test_effective_denominator():
    assert effective_denominator([1000, 1000], "mean_of_shares") == pytest.approx(1000)
    assert effective_denominator([1000, 1000], "mean_of_shares", open_year_only=True) == 2000
    assert effective_denominator([900, 1100], "pooled") == 1000
    assert effective_denominator([], "pooled") is None


def test_every_setting_is_documented():
    page = (config.project_root() / "docs" / "criteria-method.md").read_text(encoding="utf-8")
    for f in fields(CriteriaSettings):
        assert f.name in SETTING_DOCS, f.name
        assert f"`{f.name}`" in page, f.name
