import polars as pl

from boligmonitor.disclosure import SuppressionLog, audit, protect, protect_differencing


def test_small_counts_are_suppressed_and_zero_is_kept():
    df = pl.DataFrame({"area": ["a", "b", "c", "d"], "n": [0, 1, 4, 5]})
    log = SuppressionLog()
    out = protect(df, table="t", keys=["area"], log=log, counts=["n"], min_n=5)
    assert out["n"].to_list() == [0, None, None, 5]
    assert out["suppressed"].to_list() == [False, True, True, False]
    assert log.frame().height == 2
    assert audit(out, counts=["n"], min_n=5) == []


def test_share_suppressed_when_numerator_or_complement_is_small():
    df = pl.DataFrame({
        "area": ["a", "b", "c", "d", "e"],
        "num": [3, 10, 48, 0, 2],
        "den": [50, 50, 50, 50, 4],
        "pct": [6.0, 20.0, 96.0, 0.0, 50.0],
    })
    log = SuppressionLog()
    out = protect(df, table="t", keys=["area"], log=log, shares=[("num", "den", ["pct"])], min_n=5)
    assert out["pct"].to_list() == [None, 20.0, None, 0.0, None]
    # numerator and denominator go with the value
    assert out.filter(pl.col("area") == "a")["num"].item() is None


def test_mean_of_few_persons_is_suppressed():
    df = pl.DataFrame({"area": ["a", "b"], "persons": [4, 30], "mean_mark": [7.1, 6.2]})
    out = protect(df, table="t", keys=["area"], log=SuppressionLog(), means=[("persons", ["mean_mark"])], min_n=5)
    assert out["mean_mark"].to_list() == [None, 6.2]


def test_differencing_hides_a_second_member():
    df = pl.DataFrame({
        "year": [2020] * 4,
        "area": ["a", "b", "c", "total"],
        "n": [3, 40, 12, 55],
    })
    log = SuppressionLog()
    out = protect(df, table="t", keys=["year", "area"], log=log, counts=["n"], min_n=5)
    out = protect_differencing(out, table="t", group=["year"], member="area", value="n",
                               members=["a", "b", "c"], log=log)
    assert out["n"].to_list() == [None, 40, None, 55]
    assert any(r.startswith("sekundær undertrykkelse") for r in log.frame()["rule"].to_list())


def test_fulltime_persons_below_the_minimum_are_suppressed_even_when_fractional():
    df = pl.DataFrame({"cat": ["A", "B", "C", "D"], "fte": [0.0, 0.4, 4.99, 7.6]})
    out = protect(df, table="t", keys=["cat"], log=SuppressionLog(), fte=["fte"], min_n=5)
    assert out["fte"].to_list() == [0.0, None, None, 7.6]


def test_an_absent_component_is_not_a_suppression():
    df = pl.DataFrame({"k": ["a"], "num": [None], "den": [None], "v": [None]},
                      schema={"k": pl.Utf8, "num": pl.Float64, "den": pl.Float64, "v": pl.Float64})
    log = SuppressionLog()
    out = protect(df, table="t", keys=["k"], log=log, shares=[("num", "den", ["v"])], min_n=5)
    assert out["suppressed"].to_list() == [False]
    assert log.frame().height == 0
