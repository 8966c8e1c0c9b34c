"""Disclosure control across ``flytninger_profiler`` and ``kriterier_dekomponering`` on a hand-made case.

All five plan areas, list year 2020 against 2019, the non-Western share (base: every resident):

* the profiles: 40 of the 100 in-movers of 2020 (moved in from a monitored area, the rest of the
  municipality or outside it; newborns are no movers) are non-Western; 30 of the 90 out-movers;
* the decomposition: the in-movers' part is +43 non-Western persons (in-movers *and* newborns: 108 in
  its base), the out-movers' part -30 (out-movers and deaths: 92 in its base).

So 43 - 40 = 3 non-Western newborns: a count of 1-4 persons that no table publishes, recovered by one
subtraction across the two tables unless the model knows the relation (as the legacy row rules, which
saw one table at a time, did not).
"""

from __future__ import annotations

import polars as pl
from disclosure_helpers import profile_frame

from boligmonitor import publish
from boligmonitor.disclosure import Protection, protect_tables

N = 5
AREA, YEAR = "helhedsplan", 2020


def _profiles() -> pl.DataFrame:
    rows = [(AREA, YEAR, "moved_in", "nonwestern", 40.0, 100.0), (AREA, YEAR, "moved_out", "nonwestern", 30.0, 90.0)]
    return profile_frame(rows)


def _decomposition() -> pl.DataFrame:
    # part: points (pp), persons, base, persons behind; the ends 500/1000 -> 513/1016 non-Western/residents
    parts = {"stayers": (0.0, 0.0, 0.0, None), "out_movers": (-1.5, -30.0, -92.0, 92),
             "in_movers": (1.99, 43.0, 108.0, 108), "ageing": (0.0, 0.0, 0.0, None), "total": (0.49, 13.0, 16.0, None)}
    rows = [(AREA, "nonwestern", "list_year", YEAR - 1, YEAR, 50.0, 50.49, p, *v, "pp") for p, v in parts.items()]
    df = pl.DataFrame(rows, schema={"area_id": pl.Utf8, "criterion": pl.Utf8, "level": pl.Utf8, "from_year": pl.Int64,
                                    "year": pl.Int64, "value_from": pl.Float64, "value_to": pl.Float64, "part": pl.Utf8,
                                    "points": pl.Float64, "persons": pl.Float64, "_base": pl.Float64,
                                    "part_persons": pl.Int64, "unit": pl.Utf8}, orient="row")
    p, total = pl.col("part"), pl.col("part") == "total"
    return df.with_columns(
        pl.lit(1, pl.Int64).alias("_k"), pl.lit(False).alias("suppressed"),
        pl.when(total).then(500.0).alias("_num_from"), pl.when(total).then(513.0).alias("_num_to"),
        pl.when(total).then(1000.0).alias("_den_from"), pl.when(total).then(1016.0).alias("_den_to"),
        pl.when(p == "in_movers").then(pl.col("_base")).alias("_movers_in"),
        pl.when(p == "out_movers").then(-pl.col("_base")).alias("_movers_out"),
        # the same movers in the profiles (data year 2020, one year: k = 1)
        pl.when(p == "in_movers").then(40.0).when(p == "out_movers").then(30.0).alias("_pn1"),
        pl.lit(None, pl.Float64).alias("_pn2"),
        pl.when(p.is_in(["in_movers", "out_movers"])).then(YEAR).cast(pl.Int64).alias("_py1"),
        pl.lit(None, pl.Int64).alias("_py2"),
        pl.when(p == "out_movers").then(-pl.col("persons")).alias("_persons_neg"),
    )


def _newborns(frames: dict[str, pl.DataFrame]) -> float | None:
    """What a reader computes: the in-movers' part minus the profiles' non-Western in-movers."""
    dec = frames["kriterier_dekomponering"].filter(pl.col("part") == "in_movers")["persons"][0]
    prof = frames["flytninger_profiler"].filter(pl.col("flow_group") == "moved_in")["numerator"][0]
    return None if dec is None or prof is None else dec - prof


def _frames():
    return {"flytninger_profiler": _profiles(), "kriterier_dekomponering": _decomposition()}


def test_the_subtraction_works_without_the_relation_across_the_two_tables():
    """The declarations minus the cross-table relations (what the legacy rules saw): 3 newborns."""
    cross = {"tilflytternes del = tilflytterne i profilerne", "fraflytternes del = fraflytterne i profilerne"}
    dec = publish.DECOMPOSITION
    blind = Protection(keys=dec.keys, measures=dec.measures, derived=dec.derived, together=dec.together,
                       relations=tuple(r for r in dec.relations if not any(r.name.startswith(c) for c in cross)),
                       drop=dec.drop)
    res = protect_tables(_frames(), {"flytninger_profiler": publish.PROFILES, "kriterier_dekomponering": blind},
                         min_n=N)
    assert _newborns(res.frames) == 3


def test_the_subtraction_across_profiles_and_decomposition_is_blocked():
    res = protect_tables(_frames(), {"flytninger_profiler": publish.PROFILES,
                                     "kriterier_dekomponering": publish.DECOMPOSITION}, min_n=N)
    assert _newborns(res.frames) is None
    m = res.model
    # the newborns are the unpublished difference of the relation; the audit gives it room from 0 to N
    rest = [iv for iv in res.intervals if m.cells[iv.cell].implicit and "nyfødte" in m.cells[iv.cell].key[0]]
    assert len(rest) == 1 and m.cells[rest[0].cell].value == 3
    assert rest[0].protected and rest[0].low < 1 and rest[0].high >= N
    assert all(iv.protected for iv in res.intervals)
    # every hidden published cell is logged with its rule; a secondary one with the relation that forced it
    log = res.log.frame()
    assert set(log["table"]) <= {"flytninger_profiler", "kriterier_dekomponering"} and log.height > 0
    sec = log.filter(pl.col("suppression") == "sekundær")
    assert sec.height > 0 and sec["relation"].str.contains("nyfødte").any()
    # the points of the hidden part do not come back as the total's points minus the others'
    dec = res.frames["kriterier_dekomponering"]
    assert dec.filter(pl.col("part") != "total")["points"].null_count() != 1
