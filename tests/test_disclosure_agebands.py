"""Befolkning's age columns and the profiles' residents' age bands are one count published twice
(found by review on synthetic seed 7, scale 0.2: befolkning hid randers_kommune 2019 under_18 and
age_65_plus as secondary suppressions while flytninger_profiler published the same counts, 2277 and
2283). The model must know it, so the count is hidden in both tables or in neither, and a hidden
area's count cannot come back as the published total minus the other areas."""

from __future__ import annotations

import polars as pl
from disclosure_helpers import profile_frame

from boligmonitor import publish
from boligmonitor.disclosure import protect_tables

N = 5
YEAR = 2022
#: residents, under 18, 18-64, 65+ per plan area; Vangdalen's 3 persons aged 65+ are a primary cell.
AREAS = {"gl_jennumparken": (200, 50, 120, 30), "glarbjergvej": (100, 30, 60, 10),
         "hermann_stillingsvej": (150, 40, 90, 20), "energivej": (300, 80, 200, 20), "vangdalen": (60, 20, 37, 3)}
TOTAL = tuple(sum(v[i] for v in AREAS.values()) for i in range(4))
#: the five plan areas' residents by the profiles' age bands (18-64 split 18-29 / 30-49 / 50-64)
BANDS = {"age_0_17": TOTAL[1], "age_18_29": 150, "age_30_49": 200, "age_50_64": TOTAL[2] - 350, "age_65_plus": TOTAL[3]}


def _population() -> pl.DataFrame:
    rows = [(a, YEAR, *v, v[0] // 2) for a, v in AREAS.items()] + [("helhedsplan", YEAR, *TOTAL, TOTAL[0] // 2)]
    df = pl.DataFrame(rows, schema=["area_id", "year", "residents", "under_18", "age_18_64", "age_65_plus",
                                    "nonwestern"], orient="row")
    return df.with_columns((100 * pl.col("under_18") / pl.col("residents")).round(1).alias("pct_under_18"),
                           (100 * pl.col("nonwestern") / pl.col("residents")).round(1).alias("pct_nonwestern"))


def _profiles() -> pl.DataFrame:
    rows = [("helhedsplan", YEAR, "residents", b, float(n), float(TOTAL[0])) for b, n in BANDS.items()]
    return profile_frame(rows)


def _protect(keep_hidden=()):
    return protect_tables({"befolkning": _population(), "flytninger_profiler": _profiles()},
                          {"befolkning": publish.POPULATION, "flytninger_profiler": publish.PROFILES},
                          min_n=N, keep_hidden=keep_hidden)


def _cell(q: str, area: str) -> tuple:
    return (q, (("area", area), ("year", YEAR)))


def _profile(frames, band: str):
    p = frames["flytninger_profiler"]
    return p.filter(pl.col("measure") == band)["numerator"][0]


def _helhedsplan(frames, col: str):
    b = frames["befolkning"]
    return b.filter(pl.col("area_id") == "helhedsplan")[col][0]


def test_a_count_hidden_in_befolkning_is_hidden_in_the_profiles_too():
    """Befolkning's helhedsplan 65+ hidden (as a secondary suppression would): the profiles' residents
    65+ is the same count and must not show it."""
    canon = _protect().model._canon  # a cell's key names its quantity by the model's canonical name
    res = _protect(keep_hidden={_cell(canon("age_65_plus"), "helhedsplan"), _cell(canon("under_18"), "helhedsplan")})
    f = res.frames
    assert _helhedsplan(f, "age_65_plus") is None and _profile(f, "age_65_plus") is None
    assert _helhedsplan(f, "under_18") is None and _profile(f, "age_0_17") is None
    assert all(iv.protected for iv in res.intervals)


def test_the_hidden_area_does_not_come_back_from_the_profiles():
    res = _protect()
    f = res.frames
    b = f["befolkning"]
    assert b.filter(pl.col("area_id") == "vangdalen")["age_65_plus"][0] is None  # primary: 3 persons
    # whatever table publishes the five areas' 65+, the other four areas' 65+ do not all show with it
    total = _helhedsplan(f, "age_65_plus")
    total = total if total is not None else _profile(f, "age_65_plus")
    others = b.filter(pl.col("area_id").is_in([a for a in AREAS if a != "vangdalen"]))["age_65_plus"].to_list()
    assert total is None or any(x is None for x in others)
    # one count, one status: the two tables agree cell by cell
    for band, col in (("age_0_17", "under_18"), ("age_65_plus", "age_65_plus")):
        assert (_profile(f, band) is None) == (_helhedsplan(f, col) is None)
    # 18-64 = 18-29 + 30-49 + 50-64: hidden together or published together
    parts = [_profile(f, b) for b in ("age_18_29", "age_30_49", "age_50_64")]
    if _helhedsplan(f, "age_18_64") is None:
        assert sum(p is None for p in parts) >= 1
    assert all(iv.protected for iv in res.intervals)
