"""Disclosure control: primary and secondary suppression over declared relations, and the LP audit.

The property-based test draws random hierarchies (areas and their total, categories and their sum,
years with two-year sums) with small counts and checks that after suppression no hidden cell of 1..4
persons is pinned inside 1..4 by the published cells, and that nothing published is below 5.
"""

import itertools

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boligmonitor.disclosure import (
    FTE,
    Additive,
    ColumnSum,
    Derived,
    DisclosureAuditError,
    DisclosureModel,
    Measure,
    Protection,
    Same,
    method_markdown,
    protect_tables,
    suppression_summary,
)

N = 5
AREA = {"area": "area", "year": "year"}


def _subtractions(result) -> list[str]:
    """Every single-equation subtraction on the published frames that yields a value in 1..N-1."""
    m = result.model
    bad = []
    for eq in m.equations:
        unknown = [(j, a) for j, a in eq.terms if m.cells[j].implicit or j in m.hidden]
        if len(unknown) == 1:
            j, a = unknown[0]
            known = sum(a2 * m.cells[k].value for k, a2 in eq.terms if k != j)
            v = -known / a
            if 1 <= round(v) <= N - 1:
                bad.append(f"{eq.name}: {m.cells[j].key} = {v}")
    return bad


def _intervals_by_scipy(m, cells):
    """The audit's intervals recomputed independently with scipy.optimize.linprog over all equations."""
    import numpy as np
    from scipy.optimize import linprog

    hidden = sorted(m.hidden)
    col = {j: k for k, j in enumerate(hidden)}
    rows, b = [], []
    for eq in m.equations:
        if not any(j in col for j, _ in eq.terms):
            continue
        row = np.zeros(len(hidden))
        rhs = 0.0
        for j, a in eq.terms:
            if j in col:
                row[col[j]] += a
            else:
                rhs -= a * m.cells[j].value
        rows.append(row)
        b.append(rhs)
    out = {}
    for j in cells:
        c = np.zeros(len(hidden))
        c[col[j]] = 1.0
        lo = linprog(c, A_eq=np.array(rows), b_eq=b, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=np.array(rows), b_eq=b, bounds=(0, None), method="highs")
        out[j] = (lo.fun, float("inf") if hi.status == 3 else -hi.fun)
    return out


def test_small_counts_are_hidden_zero_is_shown_and_one_more_area_is_hidden():
    df = pl.DataFrame({"year": [2020] * 4, "area": ["a", "b", "c", "total"], "n": [3, 40, 12, 55]})
    spec = Protection(keys=("year", "area"), measures=(Measure("n", "n", AREA),),
                      relations=(Additive("a + b + c = total", "area", "total", ("a", "b", "c")),))
    r = protect_tables({"t": df}, {"t": spec}, min_n=N)
    out = r.frames["t"]
    # the smallest area large enough to give the hidden one room up to 5 is hidden with it
    assert out["n"].to_list() == [None, 40, None, 55]
    assert out["suppressed"].to_list() == [True, False, True, False]
    log = r.log.frame()
    assert log["suppression"].to_list() == ["primær", "sekundær"]
    assert log["relation"].to_list() == ["", "a + b + c = total"]
    iv = r.intervals[0]
    assert iv.protected and iv.low == 0 and iv.high == 15
    zero = pl.DataFrame({"year": [2020] * 3, "area": ["a", "b", "total"], "n": [0, 40, 40]})
    r0 = protect_tables({"t": zero}, {"t": spec}, min_n=N)
    assert r0.frames["t"]["n"].to_list() == [0, 40, 40]


def test_a_share_with_a_small_complement_hides_its_numerator_and_the_share():
    df = pl.DataFrame({"area": ["a", "b"], "year": [2020, 2020], "num": [48, 10], "den": [50, 50],
                       "pct": [96.0, 20.0]})
    spec = Protection(keys=("area", "year"), measures=(Measure("num", "num", AREA), Measure("den", "den", AREA)),
                      derived=(Derived(("pct",), ("num", "den")),),
                      relations=(ColumnSum("den = num + rest", "den", ("num",), remainder=True),))
    out = protect_tables({"t": df}, {"t": spec}, min_n=N).frames["t"]
    assert out["num"].to_list() == [None, 10]
    assert out["pct"].to_list() == [None, 20.0]
    assert out["den"].to_list() == [50, 50]


def test_the_same_count_in_two_tables_is_one_cell():
    a = pl.DataFrame({"area": ["x", "y", "t"], "year": [1, 1, 1], "residents": [3, 50, 53]})
    b = pl.DataFrame({"area": ["x", "y"], "list_year": [1, 1], "beboere": [3, 50]})
    specs = {
        "a": Protection(keys=("area", "year"), measures=(Measure("residents", "residents", AREA),),
                        relations=(Additive("x + y = t", "area", "t", ("x", "y")),)),
        "b": Protection(keys=("area", "list_year"),
                        measures=(Measure("beboere", "inhabitants", {"area": "area", "year": "list_year"}),),
                        relations=(Same("beboere er beboere", ("residents", "inhabitants")),)),
    }
    r = protect_tables({"a": a, "b": b}, specs, min_n=N)
    shown_a = r.frames["a"]["residents"].to_list()
    assert shown_a[0] is None and shown_a.count(None) == 2
    # hidden in one table, hidden in the other: the same cell
    assert r.frames["b"]["beboere"].to_list() == shown_a[:2]
    a2 = a.with_columns(pl.Series("area", ["x", "y", "helhedsplan"]))
    specs["a"] = Protection(keys=("area", "year"), measures=(Measure("residents", "residents", AREA),),
                            relations=(Additive("x + y = alle", "area", "helhedsplan", ("x", "y")),))
    r = protect_tables({"a": a2, "b": b}, specs, min_n=N)
    # the total the plan's goals need stays; the complement is then hidden in both tables
    assert r.frames["a"]["residents"].to_list() == [None, None, 53]
    assert r.frames["b"]["beboere"].to_list() == [None, None]


def test_two_year_sums_and_their_years():
    # num(L) = year(L-1) + year(L): the years are published as shares of a published count.
    df = pl.DataFrame({"list_year": [2021, 2022], "num": [12, 13], "y1": [2020, 2021], "n1": [3, 9],
                       "y2": [2021, 2022], "n2": [9, 4]})
    spec = Protection(
        keys=("list_year",),
        measures=(Measure("num", "num", {"year": "list_year"}), Measure("n1", "year_num", {"year": "y1"}),
                  Measure("n2", "year_num", {"year": "y2"})),
        relations=(ColumnSum("num = years", "num", ("n1", "n2")),))
    r = protect_tables({"t": df}, {"t": spec}, min_n=N)
    assert _subtractions(r) == []
    assert all(iv.protected for iv in r.intervals)


def test_full_time_persons_below_the_minimum_are_hidden_even_when_fractional():
    df = pl.DataFrame({"area": ["a"] * 5, "year": [1] * 5, "cat": ["A", "B", "C", "D", "total"],
                       "fte": [0.0, 0.4, 4.99, 7.6, 12.99]})
    spec = Protection(keys=("cat",), measures=(Measure("fte", "fte", {**AREA, "cat": "cat"}, FTE),),
                      relations=(Additive("A-D = total", "cat", "total", ("A", "B", "C", "D")),))
    out = protect_tables({"t": df}, {"t": spec}, min_n=N).frames["t"]
    assert out["fte"].to_list()[:2] == [0.0, None]
    assert out["fte"][2] is None and out["fte"][4] == 12.99


def test_a_relation_that_does_not_hold_is_a_declaration_error():
    df = pl.DataFrame({"year": [1, 1, 1], "area": ["a", "b", "total"], "n": [10, 40, 55]})
    spec = Protection(keys=("area",), measures=(Measure("n", "n", AREA),),
                      relations=(Additive("a + b = total", "area", "total", ("a", "b")),))
    with pytest.raises(DisclosureAuditError, match="a \\+ b = total.*does not hold"):
        protect_tables({"t": df}, {"t": spec}, min_n=N)


def test_the_audit_names_table_cell_and_relation_of_an_unprotected_cell():
    df = pl.DataFrame({"year": [2019] * 6, "area": ["a", "b", "c", "d", "e", "plan"], "n": [7, 11, 14, 8, 1, 41]})
    spec = Protection(keys=("area", "year"), measures=(Measure("n", "evictions", AREA),),
                      relations=(Additive("de fem områder = alle fem", "area", "plan", ("a", "b", "c", "d", "e")),))
    m = DisclosureModel(N)
    m.add_table("indikatorer", df, spec)
    m.build()
    m.primary()  # no secondary suppression: the subtraction of issue 12 (41 - 7 - 11 - 14 - 8 = 1)
    (iv,) = m.audit()
    assert (iv.low, iv.high, iv.protected) == (1.0, 1.0, False)
    assert "indikatorer.csv" in m.describe(iv.cell) and "area=e" in m.describe(iv.cell)
    assert m.relations_of(iv.cell) == ["de fem områder = alle fem (indikatorer)"]


def test_summary_and_method_text_are_danish_and_complete():
    df = pl.DataFrame({"year": [2020] * 4, "area": ["a", "b", "c", "total"], "n": [3, 40, 12, 55]})
    spec = Protection(keys=("year", "area"), measures=(Measure("n", "n", AREA),),
                      relations=(Additive("a + b + c = total", "area", "total", ("a", "b", "c")),))
    r = protect_tables({"t": df}, {"t": spec}, min_n=N)
    text = suppression_summary(r.log.frame())
    assert "I alt er 2 celler skjult" in text and "a + b + c = total" in text
    assert suppression_summary(r.log.frame().head(0)) == "Ingen celler er undertrykt."
    method = method_markdown({"t": spec})
    assert "Beskyttelsesreglen" in method and "`t`: a + b + c = total" in method
    assert "lineær programmering" in method


# --- property: random hierarchies of areas, categories and years with small counts ----------------

@st.composite
def hierarchies(draw):
    n_areas = draw(st.integers(2, 5))
    cats = draw(st.integers(1, 3))
    years = draw(st.integers(1, 3))
    count = st.integers(0, 12)
    rows = []
    for y, c in itertools.product(range(years), range(cats)):
        values = [draw(count) for _ in range(n_areas)]
        rows += [{"year": 2020 + y, "cat": f"c{c}", "area": f"a{i}", "n": v} for i, v in enumerate(values)]
        rows.append({"year": 2020 + y, "cat": f"c{c}", "area": "total", "n": sum(values)})
    df = pl.DataFrame(rows)
    if cats > 1:  # category totals of every area and of the total
        tot = df.group_by(["year", "area"]).agg(pl.col("n").sum()).with_columns(pl.lit("all").alias("cat"))
        df = pl.concat([df, tot.select(df.columns)])
    if years > 1:  # two-year sums of consecutive years, published next to the single years
        two = (df.with_columns((pl.col("year") + 1).alias("year"))
               .join(df, on=["year", "cat", "area"]).select("year", "cat", "area", (pl.col("n") + pl.col("n_right"))
                                                             .alias("n2")))
        df = df.join(two, on=["year", "cat", "area"], how="left")
    else:
        df = df.with_columns(pl.lit(None, pl.Int64).alias("n2"))
    return df, n_areas, cats


@given(hierarchies())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_no_hidden_cell_is_pinned_inside_one_to_four_and_nothing_small_is_published(case):
    df, n_areas, cats = case
    dims = {"area": "area", "year": "year", "cat": "cat"}
    df = df.with_columns((pl.col("year") - 1).alias("prev"))
    relations = [Additive("områderne = total", "area", "total", tuple(f"a{i}" for i in range(n_areas)),
                          quantities=("n",))]
    if cats > 1:
        relations.append(Additive("kategorierne = alle", "cat", "all", tuple(f"c{c}" for c in range(cats)),
                                  quantities=("n",)))
    spec = Protection(
        keys=("year", "cat", "area"),
        measures=(Measure("n", "n", dims), Measure("n2", "n2", dims)),
        relations=(*relations,
                   # the two-year sum is this year's count plus last year's (a row of the previous year)
                   ColumnSum("toårssum = de to år", "n2", ("n", "_prev_n"))),
    )
    prev = df.select("year", "cat", "area", "n").with_columns((pl.col("year") + 1).alias("year")) \
        .rename({"n": "_prev_n"})
    df = df.join(prev, on=["year", "cat", "area"], how="left")
    spec = Protection(keys=spec.keys, measures=(*spec.measures, Measure("_prev_n", "n", {**dims, "year": "prev"})),
                      relations=spec.relations, drop=("_prev_n", "prev"))
    r = protect_tables({"t": df}, {"t": spec}, min_n=N)
    assert all(iv.protected for iv in r.intervals)
    for iv in r.intervals:
        assert iv.low < 1 and iv.high >= N
    out = r.frames["t"]
    for c in ("n", "n2"):
        assert out.filter((pl.col(c) >= 1) & (pl.col(c) < N)).height == 0
    assert _subtractions(r) == []
    # the intervals are what an independent LP (scipy's linprog) finds
    ref = _intervals_by_scipy(r.model, [iv.cell for iv in r.intervals])
    for iv in r.intervals:
        lo, hi = ref[iv.cell]
        assert iv.low == pytest.approx(lo, abs=1e-6)
        assert iv.high == pytest.approx(hi, abs=1e-6) or (iv.high == hi == float("inf"))
    # every primary cell is in the intervals: none escaped the audit
    primary = {i for i, c in enumerate(r.model.cells) if c.primary}
    assert primary == {iv.cell for iv in r.intervals}


def test_signed_changes_and_a_subtracted_part_are_audited_with_their_signs():
    """A decomposition of a change: total = stayers + in_movers - out_movers (out-movers as a magnitude),
    stayers and the total are changes (signed, may be negative). The out-movers' 3 persons are hidden
    with a complement; no part is pinned inside 1..4 (a negative change by its magnitude); the LP (more
    than one equation: the out-movers are also a count in a second table) agrees."""
    parts = pl.DataFrame({"year": [2020] * 4, "part": ["stayers", "in_movers", "out_movers", "total"],
                          "persons": [-2.0, 40.0, -3.0, 35.0]})
    parts = parts.with_columns(pl.when(pl.col("part") == "out_movers").then(-pl.col("persons")).alias("_out"))
    dims = {"year": "year", "part": "part"}
    out = pl.col("part") == "out_movers"
    spec = Protection(keys=("year", "part"),
                      measures=(Measure("persons", "dec", dims, FTE, ~out, signed=True), Measure("_out", "dec", dims, FTE)),
                      derived=(Derived(("persons",), ("_out",)),),
                      relations=(Additive("delene giver ændringen", "part", "total", ("stayers", "in_movers"),
                                          minus=("out_movers",)),),
                      drop=("_out",))
    flows = pl.DataFrame({"year": [2020, 2020], "flow": ["out_a", "out_b"], "persons": [3, 30]})
    fspec = Protection(keys=("year", "flow"), measures=(Measure("persons", pl.col("flow"), {"year": "year"}),),
                       relations=(Same("fraflyttere", ("out_a", "outmovers")),))
    # the decomposition's out-movers are the same persons as flows' out_a
    spec2 = Protection(keys=spec.keys, measures=(*spec.measures, Measure("_out", "outmovers", {"year": "year"})),
                       derived=spec.derived, relations=spec.relations, drop=spec.drop)
    for specs, frames in (({"d": spec}, {"d": parts}), ({"d": spec2, "f": fspec}, {"d": parts, "f": flows})):
        r = protect_tables(frames, specs, min_n=N)
        d = r.frames["d"]
        assert d.filter(pl.col("part") == "out_movers")["persons"].item() is None
        assert d.filter(pl.col("part") == "stayers")["persons"].item() is None  # |-2| < 5: a small change
        assert d["persons"].null_count() >= 2 and "_out" not in d.columns
        assert r.intervals and all(iv.protected for iv in r.intervals)
        shown = d.filter(pl.col("persons").is_not_null())
        assert shown.filter(pl.col("persons").abs() < N).height == 0
        if "f" in frames:  # the out-movers are hidden in the flows table too
            assert r.frames["f"].filter(pl.col("flow") == "out_a")["persons"].item() is None
    m = DisclosureModel(N)
    m.add_table("d", parts, spec)
    m.build()
    m.primary()
    stayers = m.index[("dec", (("part", "stayers"), ("year", 2020)))]
    assert m.cells[stayers].signed and m.cells[stayers].sensitive
    lo, hi = m._interval(stayers, -10.0, 0.0).low, m._interval(stayers, -10.0, 0.0).high
    assert (lo, hi) == (0.0, 10.0)  # a negative change is judged by its magnitude
