"""Area profiles: the parameters the synthetic population is drawn from.

Every number here is a generator setting, tuned so that the generated registers reproduce the
figures the plan publishes (``boligmonitor/data/plan_targets.csv``; the calibration report
compares them). Where a parameter is anchored on a plan figure the comment names it. Values are
given at anchor years and interpolated linearly in between (held constant outside).

Profile keys ("rest" is the rest of Randers Kommune outside the six monitored areas):

* household structure of households that move in: ``hh_size`` (residents per dwelling), ``u18``
  (share under 18), ``o65`` (share 65+), ``single_parent`` (share of children living with one
  adult), ``kids_mean`` (children per family with children)
* ``nonwestern``: share of residents who are non-Western immigrants or descendants
* ``turnover``: share of households moving out per year (the plan: 12-16 % in the five areas)
* employment (18-64, full-time persons as a share of all residents 18-64): ``fA`` .. ``fE`` (the
  plan's categories A-E), ``headcount`` (share with any spell in categories A-E during the year),
  ``flex``, ``eftl`` (share of 60-64)
* education: ``basic_30_59`` (30-59 with grundskole or no Danish-recognised education: the
  criterion), ``unknown_imm`` (share of adult non-Western immigrants with no recognised
  education), ``basic_young`` (share of the young whose final education is grundskole),
  ``try_edu`` (chance a young person with grundskole only is enrolled in a youth education on
  1 January; the next year's drop-out follows from it)
* income: ``wage`` (mean gross income of the employed, kr. 2016)
* crime: ``decisions_per_1000`` (decisions under straffeloven, våbenloven and lov om
  euforiserende stoffer per 1,000 residents, all ages)
* children and young people: ``daycare``, ``marks``, ``absence``, ``lang`` (generel, fokuseret,
  særlig), ``youth_start``, ``youth_15m``, ``youth_school``, ``ssp`` (concerns per 10-17-year-old)
* ``evictions``, ``evictions_executed``: cases per year (per 100 dwellings for "rest")
* ``grants``: adult-apprentice/upskilling grants per year
* ``turnout``: per election
"""

from __future__ import annotations

from bisect import bisect_right

#: Areas the generator knows, in a fixed order (index = area code in the generator).
AREA_ORDER = (
    "gl_jennumparken",
    "glarbjergvej",
    "hermann_stillingsvej",
    "energivej",
    "vangdalen",
    "sjaellandsgade",
    "rest",
)

_COMMON = {
    "kids_mean": 1.8,
    "c_age": 0.0,  # age tilt of passive cash benefit (C): > 0 older, < 0 younger recipients
    "flex": 0.025,
    "eftl": 0.15,
    "unknown_imm": 0.45,
    "youth_school": 0.25,
    "lang": (0.80, 0.12, 0.08),
    "youth_start": 0.86,  # plan: Randers Kommune 2020, 86 %
    "youth_15m": 0.90,  # plan: Randers Kommune baseline, 90 %
    "daycare": 0.915,  # plan: Randers Kommune 2019, 91.4 %
    "marks": 6.9,  # plan: Randers Kommune 2019, 6.9
    "absence": 0.045,  # plan: Randers Kommune, 4.5 %
    "ssp": 0.0105,  # plan: 93 concerns among the 10-17-year-olds in 2020
    "grants": 0.0,
    "turnout": {"KV2017": 0.71, "FV2019": 0.83, "EP2019": 0.60, "KV2021": 0.67, "FV2022": 0.82, "EP2024": 0.59},
}

# Each entry: key -> value, or key -> {anchor_year: value}.
PROFILES: dict[str, dict] = {
    "gl_jennumparken": {
        # plan: 1,363 residents in 554 leases (2020); 1,270 residents on 1 January 2024 (later fact)
        "hh_size": {2016: 2.46, 2020: 2.46, 2024: 2.29, 2025: 2.29},
        "u18": 0.32, "o65": 0.20, "single_parent": 0.38, "kids_mean": 2.3,  # plan: 416 (32 %), 38 %
        "c_age": -0.2,  # plan: 23 of 132 passive full-time persons are 18-29
        "nonwestern": {2016: 0.41, 2020: 0.45, 2025: 0.47},  # plan 45 % (2020), rising, never > 50 %
        "turnover": 0.14,
        # plan tables A-E 2018/2019 (full-time persons), later facts 46.2 % (2022), 43.7 % (2023)
        "fA": {2017: 0.075, 2018: 0.073, 2019: 0.059, 2022: 0.052, 2023: 0.050},
        "fB": {2017: 0.055, 2018: 0.057, 2019: 0.067, 2022: 0.058, 2023: 0.055},
        "fC": {2017: 0.178, 2018: 0.182, 2019: 0.198, 2022: 0.168, 2023: 0.157},
        "fD": {2017: 0.012, 2018: 0.0114, 2019: 0.0103, 2022: 0.010, 2023: 0.010},
        "fE": {2017: 0.208, 2018: 0.2085, 2019: 0.205, 2022: 0.174, 2023: 0.165},
        "headcount": 0.62,
        "basic_30_59": 0.73, "basic_young": 0.80, "try_edu": {2018: 0.30, 2019: 0.50, 2020: 0.60},
        "wage": 285_000,
        "decisions_per_1000": {2016: 19.0, 2018: 20.7, 2019: 32.6, 2020: 24.0, 2025: 22.0},
        "daycare": 0.925, "marks": 5.4, "absence": 0.057,
        "lang": (0.395, 0.186, 0.419), "youth_start": 0.75, "youth_15m": 0.82, "youth_school": 0.20,
        "ssp": 0.011,
        "evictions": {2018: 6, 2019: 5}, "evictions_executed": {2018: 3, 2019: 2},
        "grants": 3,
        "turnout": {"KV2017": 0.55, "FV2019": 0.68, "EP2019": 0.40, "KV2021": 0.52, "FV2022": 0.66, "EP2024": 0.40},
    },
    "glarbjergvej": {
        "hh_size": 2.0, "u18": 0.27, "o65": 0.26, "single_parent": 0.44, "kids_mean": 2.0,  # plan: 1,515 / 759, 409 (27 %), 44 %
        "nonwestern": {2016: 0.36, 2020: 0.37, 2025: 0.38},
        "turnover": 0.16,
        "fA": {2017: 0.065, 2018: 0.065, 2019: 0.0652, 2022: 0.058},
        "fB": {2017: 0.069, 2018: 0.0694, 2019: 0.0701, 2022: 0.062},
        "fC": {2017: 0.166, 2018: 0.168, 2019: 0.1775, 2022: 0.155},
        "fD": {2017: 0.0135, 2018: 0.0133, 2019: 0.0112, 2022: 0.011},
        "fE": {2017: 0.176, 2018: 0.176, 2019: 0.1763, 2022: 0.154},
        "headcount": 0.58,
        "basic_30_59": 0.62, "basic_young": 0.92, "try_edu": {2018: 0.30, 2019: 0.50, 2020: 0.55},
        "wage": 280_000,
        "decisions_per_1000": 16.0,
        "daycare": 0.925, "marks": 5.4, "absence": 0.058,
        "lang": (0.298, 0.213, 0.489), "youth_start": 0.57, "youth_15m": 0.72, "youth_school": 0.22,
        "ssp": 0.017,
        "evictions": {2018: 7, 2019: 7}, "evictions_executed": {2018: 4, 2019: 4},
        "grants": 7,
        "turnout": {"KV2017": 0.56, "FV2019": 0.69, "EP2019": 0.41, "KV2021": 0.53, "FV2022": 0.67, "EP2024": 0.41},
    },
    "hermann_stillingsvej": {
        "hh_size": 1.39, "u18": 0.12, "o65": 0.24, "single_parent": 0.38, "kids_mean": 1.6,  # plan: 1,020 / 732, 124 (12 %)
        "c_age": 0.5,  # plan: 22 of 114 passive full-time persons are 18-29
        "nonwestern": 0.17,
        "turnover": 0.13,
        "fA": {2017: 0.069, 2018: 0.068, 2019: 0.0631, 2022: 0.057},
        "fB": {2017: 0.068, 2018: 0.069, 2019: 0.0733, 2022: 0.065},
        "fC": {2017: 0.160, 2018: 0.1633, 2019: 0.175, 2022: 0.155},
        "fD": {2017: 0.0095, 2018: 0.0092, 2019: 0.012, 2022: 0.010},
        "fE": {2017: 0.189, 2018: 0.1885, 2019: 0.1866, 2022: 0.164},
        "headcount": 0.59,
        "basic_30_59": 0.52, "basic_young": 0.75, "try_edu": {2018: 0.30, 2019: 0.50, 2020: 0.60},
        "wage": 265_000,
        "decisions_per_1000": {2016: 16.0, 2018: 18.3, 2019: 27.3, 2020: 17.0, 2025: 16.0},
        "daycare": 0.925, "marks": 5.6, "absence": 0.058,
        "lang": (0.50, 0.167, 0.333), "youth_start": 0.67, "youth_15m": 0.83, "youth_school": 0.23,
        "ssp": 0.0,
        "evictions": {2018: 4, 2019: 4}, "evictions_executed": {2018: 3, 2019: 3},
        "grants": 4,
        "turnout": {"KV2017": 0.58, "FV2019": 0.70, "EP2019": 0.43, "KV2021": 0.55, "FV2022": 0.68, "EP2024": 0.42},
    },
    "energivej": {
        "hh_size": 1.65, "u18": 0.16, "o65": 0.18, "single_parent": 0.48, "kids_mean": 1.7,  # plan: 980 / 593, 148 (16 %), 48 %
        "nonwestern": 0.20,
        "turnover": 0.15,
        "fA": 0.070, "fB": 0.070, "fC": 0.240, "fD": 0.015, "fE": 0.115,  # plan: 51 %, førtidspension 11-12 %
        "headcount": 0.60,
        "basic_30_59": 0.48, "basic_young": 0.88, "try_edu": {2018: 0.30, 2019: 0.50, 2020: 0.60},
        "wage": 255_000,
        "decisions_per_1000": {2016: 19.0, 2018: 21.1, 2019: 28.9, 2020: 22.0, 2025: 20.0},
        "daycare": 0.925, "marks": 5.2, "absence": 0.064,
        "lang": (0.45, 0.15, 0.40), "youth_start": 1.0, "youth_15m": 0.25, "youth_school": 0.22,
        "ssp": 0.0,
        "evictions": {2018: 4, 2019: 3}, "evictions_executed": {2018: 2, 2019: 2},
        "turnout": {"KV2017": 0.57, "FV2019": 0.70, "EP2019": 0.42, "KV2021": 0.54, "FV2022": 0.68, "EP2024": 0.41},
    },
    "vangdalen": {
        "hh_size": 2.56, "u18": 0.34, "o65": 0.06, "single_parent": 0.40, "kids_mean": 2.4,  # plan: 880 / 344, 294 (35 %), 40 %
        "nonwestern": 0.34,
        "turnover": 0.12,
        "fA": 0.060, "fB": 0.060, "fC": 0.190, "fD": 0.015, "fE": 0.115,  # plan: 44 %, førtidspension 11-12 %
        "headcount": 0.53,
        "basic_30_59": 0.55, "basic_young": 0.80, "try_edu": {2018: 0.30, 2019: 0.50, 2020: 0.60},
        "wage": 290_000,
        "decisions_per_1000": 14.0,
        "daycare": 0.925, "marks": 5.5, "absence": 0.057,
        "lang": (0.45, 0.17, 0.38), "youth_start": 0.88, "youth_15m": 0.77, "youth_school": 0.22,
        "ssp": 0.045,
        "evictions": {2018: 0, 2019: 1}, "evictions_executed": {2018: 0, 2019: 1},
        "turnout": {"KV2017": 0.56, "FV2019": 0.69, "EP2019": 0.41, "KV2021": 0.53, "FV2022": 0.67, "EP2024": 0.40},
    },
    "sjaellandsgade": {
        "hh_size": 1.8, "u18": 0.18, "o65": 0.12, "single_parent": 0.35, "kids_mean": 1.8,
        "nonwestern": 0.18,
        "turnover": 0.14,
        "fA": 0.045, "fB": 0.040, "fC": 0.090, "fD": 0.010, "fE": 0.090,
        "headcount": 0.38,
        "basic_30_59": 0.40, "basic_young": 0.55, "try_edu": 0.50,
        "wage": 300_000,
        "decisions_per_1000": 12.0,
        "daycare": 0.92, "marks": 6.0, "absence": 0.052, "youth_school": 0.23, "ssp": 0.015,
        "evictions": 2.0, "evictions_executed": 1.0,
        "turnout": {"KV2017": 0.62, "FV2019": 0.76, "EP2019": 0.50, "KV2021": 0.60, "FV2022": 0.75, "EP2024": 0.49},
    },
    "rest": {
        # Randers Kommune as a whole: ~98,000 residents, 20 % under 18, 6 % non-Western (plan).
        "hh_size": 2.05, "u18": 0.20, "o65": 0.21, "single_parent": 0.20, "kids_mean": 1.8,
        "nonwestern": 0.040,
        "turnover": 0.09,
        # kommune: 28 % of 18-64 outside the labour market (full-time persons, DST nøgletal 2019),
        # 7 % førtidspension
        "fA": 0.060, "fB": 0.060, "fC": 0.060, "fD": 0.030, "fE": 0.070,  # plan: 28 %, førtidspension 7 %
        "headcount": 0.36,
        "basic_30_59": 0.16, "basic_young": 0.45, "try_edu": {2018: 0.415, 2019: 0.54, 2020: 0.60},
        "wage": 368_000,
        "decisions_per_1000": {2016: 11.0, 2018: 11.3, 2019: 13.9, 2025: 13.0},
        "evictions": 0.18, "evictions_executed": 0.07,  # per 100 dwellings a year
    },
}


def _interp(v, year: int):
    if not isinstance(v, dict) or not all(isinstance(k, int) for k in v):
        return v
    ys = sorted(v)
    if year <= ys[0]:
        return v[ys[0]]
    if year >= ys[-1]:
        return v[ys[-1]]
    i = bisect_right(ys, year)
    y0, y1 = ys[i - 1], ys[i]
    a, b = v[y0], v[y1]
    w = (year - y0) / (y1 - y0)
    return a + (b - a) * w


def param(area: str, key: str, year: int):
    """The value of a profile parameter for an area in a year (interpolated between anchors)."""
    prof = PROFILES[area]
    v = prof[key] if key in prof else _COMMON[key]
    return _interp(v, year)


def household_mix(area: str, year: int, override: dict | None = None) -> dict[str, float]:
    """Household types (per household) that reproduce size, under-18, 65+ and single-parent shares.

    Types: ``s`` single 18-64, ``so`` single 65+, ``c`` couple 18-64, ``co`` couple 65+,
    ``sp`` single parent, ``ck`` couple with children.
    """
    ov = override or {}
    h = ov.get("hh_size", param(area, "hh_size", year))
    c = ov.get("u18", param(area, "u18", year))
    s = param(area, "single_parent", year)
    o = ov.get("o65", param(area, "o65", year))
    m = param(area, "kids_mean", year)
    persons = 100 * h
    kids = c * persons
    n_sp = s * kids / m
    n_ck = (kids - s * kids) / m
    adults_f = n_sp + 2 * n_ck
    if n_sp + n_ck > 95:  # more children than the households can hold: scale the families down
        f = 95 / (n_sp + n_ck)
        n_sp, n_ck, kids = n_sp * f, n_ck * f, kids * f
        adults_f = n_sp + 2 * n_ck
    rest_hh = 100 - n_sp - n_ck
    rest_persons = max(persons - kids - adults_f, rest_hh)
    r = min(max(rest_persons / rest_hh, 1.0), 2.0)
    x = r - 1.0  # share of couples among the other households
    g = min(max(o * persons / rest_persons, 0.0), 1.0)
    mix = {
        "s": (1 - g) * rest_hh * (1 - x),
        "so": g * rest_hh * (1 - x),
        "c": (1 - g) * rest_hh * x,
        "co": g * rest_hh * x,
        "sp": n_sp,
        "ck": n_ck,
    }
    tot = sum(mix.values())
    return {k: v / tot for k, v in mix.items()}
