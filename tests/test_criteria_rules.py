"""Table-driven tests of the engine, built from the law text (almenboligloven §§ 61 a-b and the
earlier versions): equality at every threshold, the 1,000-resident rule, the non-Western
thresholds, history (incl. the 2018-2020 transition), forebyggelse, unknowns."""

from __future__ import annotations

import pytest

from boligmonitor.criteria.engine import AreaFigures, classify_one, classify_series
from boligmonitor.criteria.rules import RULE_VERSIONS, compare, rules_for
from boligmonitor.criteria.settings import CriteriaSettings, from_mapping

# A neutral area: 1,500 residents, no criterion met under any version.
NEUTRAL = dict(residents=1500, pct_outside_labour=20.0, pct_convicted=0.5, national_pct_convicted=0.66,
               pct_basic_education=30.0, pct_income_of_region=90.0, pct_nonwestern=10.0)


def fig(year: int, area: str = "x", **kw) -> AreaFigures:
    return AreaFigures(area=area, list_year=year, **{**NEUTRAL, **kw})


def crit(year: int, criterion: str, threshold_set: str | None = None, **kw):
    return classify_one(fig(year, **kw)).criterion(criterion, threshold_set).met


# --- comparators at the threshold ------------------------------------------------------------

@pytest.mark.parametrize(
    "year, criterion, threshold_set, figures, met",
    [
        # § 61 a stk. 1 nr. 1: "overstiger 40 pct."
        (2021, "employment", "udsat", {"pct_outside_labour": 40.0}, False),
        (2021, "employment", "udsat", {"pct_outside_labour": 40.01}, True),
        # nr. 2: "udgør mindst tre gange landsgennemsnittet" (0.66 x 3 = 1.98, float-exact edge)
        (2021, "crime", "udsat", {"pct_convicted": 1.98, "national_pct_convicted": 0.66}, True),
        (2021, "crime", "udsat", {"pct_convicted": 1.979, "national_pct_convicted": 0.66}, False),
        # nr. 3: "overstiger 60 pct."
        (2021, "education", "udsat", {"pct_basic_education": 60.0}, False),
        (2021, "education", "udsat", {"pct_basic_education": 60.1}, True),
        # nr. 4: "udgør mindre end 55 pct."
        (2021, "income", "udsat", {"pct_income_of_region": 55.0}, False),
        (2021, "income", "udsat", {"pct_income_of_region": 54.99}, True),
        # § 61 b: 30 %, 2 x, 60 %, 65 %
        (2022, "employment", "forebyggelse", {"pct_outside_labour": 30.0}, False),
        (2022, "employment", "forebyggelse", {"pct_outside_labour": 30.01}, True),
        (2022, "crime", "forebyggelse", {"pct_convicted": 1.45, "national_pct_convicted": 0.725}, True),
        (2022, "crime", "forebyggelse", {"pct_convicted": 1.449, "national_pct_convicted": 0.725}, False),
        (2022, "education", "forebyggelse", {"pct_basic_education": 60.0}, False),
        (2022, "income", "forebyggelse", {"pct_income_of_region": 65.0}, False),
        (2022, "income", "forebyggelse", {"pct_income_of_region": 64.9}, True),
        # 2018 rules (lists 2018-2020): the same four thresholds
        (2019, "crime", "udsat", {"pct_convicted": 1.98, "national_pct_convicted": 0.66}, True),
        (2020, "employment", "udsat", {"pct_outside_labour": 40.0}, False),
        # 2013-2017: crime above a fixed 2.70 %, basic education incl. unknown above 50 %
        (2017, "crime", "ghetto", {"pct_convicted": 2.70, "national_pct_convicted": 0.5}, False),
        (2017, "crime", "ghetto", {"pct_convicted": 2.71, "national_pct_convicted": 5.0}, True),
        (2013, "education", "ghetto", {"pct_basic_education": 50.0}, False),
        (2013, "education", "ghetto", {"pct_basic_education": 50.1}, True),
        (2015, "income", "ghetto", {"pct_income_of_region": 54.9}, True),
        (2015, "nonwestern", "ghetto", {"pct_nonwestern": 50.0}, False),
        (2015, "nonwestern", "ghetto", {"pct_nonwestern": 50.5}, True),
        # 2010-2012: crime above 270 per 10,000 residents 18+
        (2011, "crime", "ghetto", {"pct_convicted": 2.70}, False),
        (2011, "crime", "ghetto", {"pct_convicted": 2.71}, True),
    ],
)
def test_threshold_equality(year, criterion, threshold_set, figures, met):
    assert crit(year, criterion, threshold_set, **figures) is met


def test_rule_versions_cover_every_list_year_once():
    for year in range(2010, 2031):
        assert sum(1 for r in RULE_VERSIONS if r.first_list_year <= year <= (r.last_list_year or 9999)) == 1
    assert rules_for(2017).id == "2013" and rules_for(2018).id == "2018" and rules_for(2021).id == "2021"
    with pytest.raises(ValueError):
        rules_for(2009)


@pytest.mark.parametrize("comparator, value, threshold, expected", [
    (">", 40.0, 40, False), (">", 40.0000001, 40, True),
    (">=", 3 * 0.66, 1.98, True), (">=", 1.97, 1.98, False),
    ("<", 55.0, 55, False), ("<", 54.9999, 55, True),
])
def test_compare(comparator, value, threshold, expected):
    assert compare(value, comparator, threshold) is expected


def test_rounding_setting():
    s = from_mapping({"rounding_decimals": 1})
    assert classify_one(fig(2021, pct_outside_labour=40.04), s).criterion("employment").met is False
    assert classify_one(fig(2021, pct_outside_labour=40.04)).criterion("employment").met is True


# --- categories --------------------------------------------------------------------------------

TWO = dict(pct_outside_labour=45.0, pct_basic_education=65.0)  # two udsat criteria


@pytest.mark.parametrize("residents, udsat", [(999, False), (1000, True), (1001, True)])
def test_thousand_resident_rule(residents, udsat):
    c = classify_one(fig(2021, residents=residents, pct_nonwestern=60.0, **TWO))
    assert c.udsat is udsat and c.parallelsamfund is udsat
    c4 = classify_one(fig(2021, residents=residents, pct_outside_labour=70, pct_basic_education=80,
                          pct_convicted=5.0, pct_income_of_region=30))
    assert c4.n_criteria == 4 and c4.udsat is udsat


def test_one_criterion_is_not_enough():
    c = classify_one(fig(2021, pct_outside_labour=45.0))
    assert c.n_criteria == 1 and c.udsat is False


@pytest.mark.parametrize("nonwestern, parallel, fore", [
    (50.0, False, True), (50.01, True, True), (30.0, False, False), (30.01, False, True),
])
def test_nonwestern_thresholds(nonwestern, parallel, fore):
    # two udsat criteria -> parallelsamfund needs > 50 %
    assert classify_one(fig(2022, pct_nonwestern=nonwestern, **TWO)).parallelsamfund is parallel
    # two forebyggelse criteria only (35 % outside, 62 % basic... udsat needs education too: use income)
    f = fig(2022, pct_nonwestern=nonwestern, pct_outside_labour=35.0, pct_income_of_region=60.0)
    c = classify_one(f)
    assert c.udsat is False
    assert c.forebyggelse is fore


def test_forebyggelse_overlap_setting():
    f = fig(2022, pct_nonwestern=40.0, **TWO)  # udsat, and meets § 61 b as well
    assert classify_one(f).udsat is True
    assert classify_one(f).forebyggelse is False  # default: exclude_udsat
    assert classify_one(f, from_mapping({"forebyggelse_overlap": "independent"})).forebyggelse is True
    assert classify_one(f, from_mapping({"forebyggelse_overlap": "exclude_parallelsamfund"})).forebyggelse is True


def test_no_forebyggelse_before_2021():
    c = classify_one(fig(2020, pct_nonwestern=40.0, pct_outside_labour=35.0, pct_income_of_region=60.0))
    assert c.forebyggelse is False


def test_pre_2018_three_of_five_with_nonwestern():
    # 2016: non-Western > 50 % is one of the five criteria; three are needed
    two = classify_one(fig(2016, pct_nonwestern=60.0, pct_outside_labour=45.0))
    three = classify_one(fig(2016, pct_nonwestern=60.0, pct_outside_labour=45.0, pct_basic_education=55.0))
    assert two.parallelsamfund is False and three.parallelsamfund is True
    assert three.n_criteria == 3 and three.udsat is False  # no udsatte list before 2018
    # 2011: two of three
    assert classify_one(fig(2011, pct_nonwestern=60.0, pct_outside_labour=45.0)).parallelsamfund is True


# --- history -----------------------------------------------------------------------------------

GHETTO_OLD = dict(pct_nonwestern=60.0, pct_outside_labour=45.0, pct_basic_education=55.0)  # 3 of 5 before 2018
GHETTO_NEW = dict(pct_nonwestern=60.0, **TWO)


def series(years_ok: dict[int, bool], area: str = "x", settings: CriteriaSettings | None = None):
    figs = []
    for y, ok in sorted(years_ok.items()):
        kw = (GHETTO_OLD if y < 2018 else GHETTO_NEW) if ok else {}
        figs.append(fig(y, area, **kw))
    return {c.list_year: c for c in classify_series(figs, settings or CriteriaSettings())}


def test_hard_ghetto_2018_counts_earlier_lists():
    res = series({y: True for y in range(2014, 2019)})
    assert res[2018].omdannelse is True  # ghetto 2014-2018 (2014-2017 under the old rules)
    assert res[2018].years_on["parallelsamfund"] == 5
    res = series({2014: False, **{y: True for y in range(2015, 2019)}})
    assert res[2018].omdannelse is False


def test_transition_2020_five_years_including_current():
    # NOTAT 1 Dec 2020: Solbakken became hard in 2020 after the ghetto list in all years 2016-2020
    res = series({2015: False, **{y: True for y in range(2016, 2021)}})
    assert res[2019].omdannelse is False and res[2020].omdannelse is True


def test_omdannelse_2021_needs_five_years():
    res = series({y: True for y in range(2017, 2022)})
    assert res[2021].omdannelse is True
    res = series({y: True for y in range(2018, 2022)})  # 2017 missing: unknown
    assert res[2021].omdannelse is None
    res = series({2017: False, **{y: True for y in range(2018, 2022)}})
    assert res[2021].omdannelse is False
    s4 = from_mapping({"omdannelse_years_2021": 4})
    assert series({y: True for y in range(2018, 2022)}, settings=s4)[2021].omdannelse is True


def test_published_membership_as_history():
    figs = [AreaFigures("x", y, on_parallel_list=True) for y in range(2017, 2021)]
    figs.append(fig(2021, **GHETTO_NEW))
    res = classify_series(figs)
    assert [c.parallelsamfund for c in res[:4]] == [True] * 4  # only membership known
    assert res[3].udsat is True  # a ghettoområde is an udsat area
    assert res[-1].omdannelse is True


def test_consecutive_years_on_lists():
    res = series({2018: False, 2019: True, 2020: True, 2021: True})
    assert res[2021].years_on["udsat"] == 3 and res[2018].years_on["udsat"] == 0


# --- unknowns ----------------------------------------------------------------------------------

@pytest.mark.parametrize("figures, udsat, n", [
    # two known met: udsat whatever the missing ones are
    ({"pct_outside_labour": 45.0, "pct_basic_education": 65.0, "pct_convicted": None}, True, None),
    # one met, one missing: could be two
    ({"pct_outside_labour": 45.0, "pct_basic_education": None}, None, None),
    # none met, one missing: cannot reach two
    ({"pct_basic_education": None}, False, None),
    # none met, two missing: could reach two
    ({"pct_basic_education": None, "pct_income_of_region": None}, None, None),
    # national share missing makes crime unknown, not false
    ({"pct_outside_labour": 45.0, "national_pct_convicted": None, "pct_convicted": 3.0}, None, None),
    # residents missing: unknown when two are met, false when fewer than two could be met
    ({"residents": None, **TWO}, None, 2),
    ({"residents": None}, False, 0),
])
def test_unknowns(figures, udsat, n):
    c = classify_one(fig(2021, **figures))
    assert c.udsat is udsat
    assert c.n_criteria == n


def test_missing_value_makes_criterion_unknown_never_false():
    c = classify_one(fig(2021, pct_basic_education=None))
    assert c.criterion("education").met is None
    assert c.n_criteria is None and c.n_criteria_min == 0 and c.n_criteria_max == 1


def test_unknown_nonwestern():
    assert classify_one(fig(2021, pct_nonwestern=None, **TWO)).parallelsamfund is None
    assert classify_one(fig(2021, pct_nonwestern=None)).parallelsamfund is False  # not udsat anyway
    # forebyggelse: two § 61 b criteria, non-Western share missing -> unknown
    c = classify_one(fig(2022, pct_nonwestern=None, pct_outside_labour=35.0, pct_income_of_region=60.0))
    assert c.forebyggelse is None


def test_unknown_employment_between_the_two_thresholds():
    # education met (both sets), income 60 % (forebyggelse only), employment missing, non-Western 40 %:
    # employment > 40 -> udsat (so not forebyggelse by default); 30 < e <= 40 -> forebyggelse; both unknown
    c = classify_one(fig(2022, pct_outside_labour=None, pct_basic_education=65.0, pct_income_of_region=60.0,
                         pct_nonwestern=40.0))
    assert c.udsat is None and c.forebyggelse is None
    # with non-Western 20 % forebyggelse is false whatever employment is
    c = classify_one(fig(2022, pct_outside_labour=None, pct_basic_education=65.0, pct_nonwestern=20.0))
    assert c.forebyggelse is False


def test_stated_outcome_fills_a_missing_value():
    f = fig(2020, pct_outside_labour=51.0, pct_basic_education=None, pct_convicted=None, pct_income_of_region=None)
    assert classify_one(f).udsat is None
    f.stated = {"education": False, "crime": False, "income": False}
    c = classify_one(f)
    assert c.udsat is False and c.n_criteria == 1 and c.criterion("education").stated
