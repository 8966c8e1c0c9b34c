"""The legal criteria as data: one rule table per law version (almenboligloven §§ 61 a-b).

Every threshold, comparator, averaging period, age band, required count and history length the
engine uses is declared here and nowhere else. Sources are quoted in ``docs/criteria-method.md``
(transcribed from the project's reference notes on the law, section numbers in ``source``).

Law versions (``RuleVersion.id``):

* ``"2010"`` -- ghetto lists 2010-2012: at least 2 of 3 criteria (non-Western share, employment,
  crime), four-year averages, crime above 270 per 10,000 residents 18+.
* ``"2013"`` -- ghetto lists 2013-2017: at least 3 of 5 criteria (the four later criteria with
  their old thresholds plus the non-Western share); crime above a fixed 2.70 %; basic education
  including unknown above 50 %.
* ``"2018"`` -- lov nr. 1322 af 27/11/2018, lists 2018-2020: udsat boligområde (2 of 4),
  ghettoområde (udsat and non-Western > 50 %), hårdt ghettoområde (ghettoområde in each of the
  last five lists, the transitional rule for 2018-2020; earlier ghetto lists count as history).
* ``"2021"`` -- lists from 2021 (L 23 2021-22): udsat boligområde, parallelsamfund, omdannelses-
  område (parallelsamfund the last 5 years) and forebyggelsesområde (§ 61 b, lower thresholds).

The category columns of the engine are always ``udsat``, ``parallelsamfund``, ``omdannelse`` and
``forebyggelse``; before 2021 ``parallelsamfund`` holds ghettoområde and ``omdannelse`` holds hårdt
ghettoområde (``RuleVersion.category_names`` gives the name in force). A category that does not
exist under a version (``RuleVersion.categories``) is never met (``False``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Comparators as the law words them.
COMPARATOR_WORDING = {
    ">": "overstiger",
    ">=": "udgør mindst",
    "<": "udgør mindre end",
}

#: The four socio-economic criteria (engine keys) and the two structural measures.
CRITERIA = ("employment", "crime", "education", "income")
CRITERION_LABELS_DA = {
    "employment": "Uden for arbejdsmarked eller uddannelse (18-64 år)",
    "crime": "Dømte efter straffeloven, våbenloven eller lov om euforiserende stoffer (18+ år)",
    "education": "Kun grundskoleuddannelse (30-59 år)",
    "income": "Bruttoindkomst i forhold til regionen (15-64 år, ekskl. uddannelsessøgende)",
    "nonwestern": "Indvandrere og efterkommere fra ikkevestlige lande",
    "residents": "Beboere",
}

#: Measure units: ``pct`` a share in percent; ``ratio_national`` the share as a multiple of the
#: national share; ``pct_of_region`` the mean as a percentage of the region's mean; ``persons``.
UNITS = {"pct", "ratio_national", "pct_of_region", "persons"}

CATEGORIES = ("udsat", "parallelsamfund", "omdannelse", "forebyggelse")


@dataclass(frozen=True)
class Threshold:
    """One legal condition: ``measure comparator value`` (e.g. employment > 40)."""

    measure: str  # a key of CRITERIA, or "nonwestern" / "residents"
    comparator: str  # ">", ">=", "<"
    value: float
    unit: str  # see UNITS

    @property
    def wording(self) -> str:
        return COMPARATOR_WORDING[self.comparator]


@dataclass(frozen=True)
class MeasureDef:
    """How a criterion is measured under one law version."""

    key: str
    age_min: int | None
    age_max: int | None  # inclusive; None: no upper bound
    average_years: int  # 1 = single year; 2 = "gennemsnittet over de seneste 2 år"; 4 (2010-12)
    unit: str
    note: str = ""


@dataclass(frozen=True)
class ThresholdSet:
    """A list's criteria: at least ``min_criteria`` of ``criteria`` met."""

    id: str  # "udsat" (§ 61 a stk. 1), "forebyggelse" (§ 61 b) or "ghetto" (the list before 2018)
    criteria: dict[str, Threshold]
    min_criteria: int
    #: extra condition on the non-Western share (forebyggelse: > 30 %); None: none
    nonwestern: Threshold | None = None


@dataclass(frozen=True)
class RuleVersion:
    id: str
    first_list_year: int
    last_list_year: int | None
    title: str
    law: str
    source: str
    measures: dict[str, MeasureDef]
    residents: Threshold
    #: the main list's criteria (2018-: udsat; before 2018 the ghetto list's criteria)
    main: ThresholdSet
    #: ghetto/parallelsamfund condition on the non-Western share (before 2018 it is a criterion
    #: inside ``main`` instead and this is None)
    parallel_nonwestern: Threshold | None
    #: number of consecutive lists (the current included) for omdannelse / hårdt ghettoområde;
    #: None: the category does not exist under this version
    omdannelse_years: int | None
    forebyggelse: ThresholdSet | None
    categories: tuple[str, ...]
    category_names: dict[str, str] = field(default_factory=dict)

    def threshold_sets(self) -> dict[str, ThresholdSet]:
        out = {self.main.id: self.main}
        if self.forebyggelse is not None:
            out["forebyggelse"] = self.forebyggelse
        return out


_RES = Threshold("residents", ">=", 1000, "persons")

_M_EMP2 = MeasureDef("employment", 18, 64, 2, "pct", "fuldtidspersoner uden for arbejdsmarked/uddannelse")
_M_CRIME_REL = MeasureDef("crime", 18, None, 2, "ratio_national", "andel dømte som multiplum af landsgennemsnittet")
_M_CRIME_ABS = MeasureDef("crime", 18, None, 2, "pct", "andel dømte i pct. af beboere 18+")
_M_EDU = MeasureDef("education", 30, 59, 1, "pct", "højeste uddannelse grundskole (uoplyst medregnet)")
_M_INC = MeasureDef("income", 15, 64, 1, "pct_of_region", "gennemsnitlig bruttoindkomst i pct. af regionen")
_M_NW = MeasureDef("nonwestern", None, None, 1, "pct", "andel af alle beboere")

RULES_2010 = RuleVersion(
    id="2010",
    first_list_year=2010,
    last_list_year=2012,
    title="Ghettolisten 2010-2012",
    law="Regeringens ghettostrategi 2010 (liste 1. oktober)",
    source="criteria-law.md § 2, 'What changed in 2018' (2010-2012: 2 of 3 criteria, 4-year averages, "
    "crime > 270 per 10 000 residents 18+)",
    measures={
        "employment": MeasureDef("employment", 18, 64, 4, "pct"),
        "crime": MeasureDef("crime", 18, None, 4, "pct"),
        "nonwestern": _M_NW,
    },
    residents=_RES,
    main=ThresholdSet(
        "ghetto",
        {
            "nonwestern": Threshold("nonwestern", ">", 50, "pct"),
            "employment": Threshold("employment", ">", 40, "pct"),
            "crime": Threshold("crime", ">", 2.70, "pct"),
        },
        min_criteria=2,
    ),
    parallel_nonwestern=None,
    omdannelse_years=None,
    forebyggelse=None,
    categories=("parallelsamfund",),
    category_names={"parallelsamfund": "ghettoområde"},
)

RULES_2013 = RuleVersion(
    id="2013",
    first_list_year=2013,
    last_list_year=2017,
    title="Ghettolisten 2013-2017",
    law="Almenboligloven § 61 a som affattet 2013 (ghettolisten 1. december)",
    source="criteria-law.md § 2, 'What changed in 2018' (3 of 5 criteria; crime > 2.70 %; basic "
    "education incl. unknown > 50 %)",
    measures={
        "employment": _M_EMP2,
        "crime": _M_CRIME_ABS,
        "education": _M_EDU,
        "income": _M_INC,
        "nonwestern": _M_NW,
    },
    residents=_RES,
    main=ThresholdSet(
        "ghetto",
        {
            "nonwestern": Threshold("nonwestern", ">", 50, "pct"),
            "employment": Threshold("employment", ">", 40, "pct"),
            "crime": Threshold("crime", ">", 2.70, "pct"),
            "education": Threshold("education", ">", 50, "pct"),
            "income": Threshold("income", "<", 55, "pct_of_region"),
        },
        min_criteria=3,
    ),
    parallel_nonwestern=None,
    omdannelse_years=None,
    forebyggelse=None,
    categories=("parallelsamfund",),
    category_names={"parallelsamfund": "ghettoområde"},
)

_UDSAT_CRITERIA = {
    "employment": Threshold("employment", ">", 40, "pct"),
    "crime": Threshold("crime", ">=", 3, "ratio_national"),
    "education": Threshold("education", ">", 60, "pct"),
    "income": Threshold("income", "<", 55, "pct_of_region"),
}
_MEASURES_2018 = {
    "employment": _M_EMP2,
    "crime": _M_CRIME_REL,
    "education": _M_EDU,
    "income": _M_INC,
    "nonwestern": _M_NW,
}

RULES_2018 = RuleVersion(
    id="2018",
    first_list_year=2018,
    last_list_year=2020,
    title="Udsatte boligområder og ghettoområder 2018-2020",
    law="Lov nr. 1322 af 27/11/2018 (almenboligloven § 61 a)",
    source="criteria-law.md § 2 (trafikstyrelsen 2020; NOTAT 1 Dec 2020, BOU alm. del bilag 33: "
    "hårdt ghettoområde 2018-2020 = ghettoområde de seneste fem år, tidligere lister tæller med)",
    measures=_MEASURES_2018,
    residents=_RES,
    main=ThresholdSet("udsat", dict(_UDSAT_CRITERIA), min_criteria=2),
    parallel_nonwestern=Threshold("nonwestern", ">", 50, "pct"),
    omdannelse_years=5,
    forebyggelse=None,
    categories=("udsat", "parallelsamfund", "omdannelse"),
    category_names={
        "udsat": "udsat boligområde",
        "parallelsamfund": "ghettoområde",
        "omdannelse": "hårdt ghettoområde",
    },
)

RULES_2021 = RuleVersion(
    id="2021",
    first_list_year=2021,
    last_list_year=None,
    title="Udsatte boligområder, parallelsamfund, omdannelses- og forebyggelsesområder fra 2021",
    law="Almenboligloven §§ 61 a og 61 b (LBK nr. 1171 af 11/11/2024; § 61 b indsat ved L 23 2021-22)",
    source="criteria-law.md § 1 (lovtekst)",
    measures=_MEASURES_2018,
    residents=_RES,
    main=ThresholdSet("udsat", dict(_UDSAT_CRITERIA), min_criteria=2),
    parallel_nonwestern=Threshold("nonwestern", ">", 50, "pct"),
    omdannelse_years=5,
    forebyggelse=ThresholdSet(
        "forebyggelse",
        {
            "employment": Threshold("employment", ">", 30, "pct"),
            "crime": Threshold("crime", ">=", 2, "ratio_national"),
            "education": Threshold("education", ">", 60, "pct"),
            "income": Threshold("income", "<", 65, "pct_of_region"),
        },
        min_criteria=2,
        nonwestern=Threshold("nonwestern", ">", 30, "pct"),
    ),
    categories=("udsat", "parallelsamfund", "omdannelse", "forebyggelse"),
    category_names={
        "udsat": "udsat boligområde",
        "parallelsamfund": "parallelsamfund",
        "omdannelse": "omdannelsesområde",
        "forebyggelse": "forebyggelsesområde",
    },
)

RULE_VERSIONS: tuple[RuleVersion, ...] = (RULES_2010, RULES_2013, RULES_2018, RULES_2021)
FIRST_LIST_YEAR = RULES_2010.first_list_year


def rules_for(list_year: int) -> RuleVersion:
    """The rule version in force for the list published on 1 December (1 October in 2010-12) of ``list_year``."""
    for r in RULE_VERSIONS:
        if r.first_list_year <= list_year and (r.last_list_year is None or list_year <= r.last_list_year):
            return r
    raise ValueError(f"no ghetto/udsatte list before {FIRST_LIST_YEAR} (got list year {list_year})")


def rule_version(version_id: str) -> RuleVersion:
    for r in RULE_VERSIONS:
        if r.id == version_id:
            return r
    raise KeyError(f"unknown rule version {version_id!r}")


def compare(value: float, comparator: str, threshold: float, decimals: int | None = None) -> bool:
    """``value comparator threshold`` as the law words it; equality within 1e-9 counts as equal.

    ``decimals``: round both sides first (the official tables show one decimal; see settings).
    """
    if decimals is not None:
        value = round(value, decimals)
        threshold = round(threshold, decimals)
    equal = abs(value - threshold) <= 1e-9 * max(1.0, abs(threshold))
    if comparator == ">":
        return value > threshold and not equal
    if comparator == ">=":
        return value > threshold or equal
    if comparator == "<":
        return value < threshold and not equal
    raise ValueError(f"unknown comparator {comparator!r}")
