"""The plan's goals as rules (data/goal_targets.csv) and their status (boligmonitor.goals): table-driven
tests for each rule kind, the uncertainty, missing and suppressed values, and the list of targets written
from the plan."""

from __future__ import annotations

import re
from collections import Counter

import polars as pl
import pytest

from boligmonitor import goals, registers
from boligmonitor.errors import BoligmonitorError
from boligmonitor.goals import Rule, evaluate, load_rules
from boligmonitor.publish import indicator_catalogue

# The plan's goal tables, written from the plan text (helhedsplan-randers-2021-25), one entry per target:
# (plan indicator, rule kind, area group). The overall goals' table (side 15) has nine indicators, the
# turnout one for three elections; the part-agreements' "Delmål og indikatorer" tables follow.
PLAN_TARGETS = [
    # Strategisk aftale: Overordnede mål og indikatorer (side 15) -- all five areas together
    ("S1", "direction", "helhedsplan"), ("S2", "direction", "helhedsplan"), ("S3", "direction", "helhedsplan"),
    ("S4", "direction", "helhedsplan"), ("S5", "direction", "helhedsplan"), ("S6", "direction", "helhedsplan"),
    ("S7", "direction", "helhedsplan"), ("S8", "direction", "helhedsplan"),
    ("S9a", "direction", "helhedsplan"), ("S9b", "direction", "helhedsplan"), ("S9c", "direction", "helhedsplan"),
    # Delaftale Uddannelse og livschancer: language (three areas tested), absence and youth education
    # (the five areas) "på niveau med Randers Kommune"
    ("U1a", "direction", "gl_jennumparken|glarbjergvej|hermann_stillingsvej"),
    ("U1b", "monitor", "gl_jennumparken|glarbjergvej|hermann_stillingsvej"),
    ("U1c", "monitor", "gl_jennumparken|glarbjergvej|hermann_stillingsvej"),
    ("U2", "level", "gl_jennumparken|glarbjergvej|hermann_stillingsvej|vangdalen|energivej"),
    ("U3", "level", "gl_jennumparken|glarbjergvej|hermann_stillingsvej|vangdalen|energivej"),
    ("U4", "level", "gl_jennumparken|glarbjergvej|hermann_stillingsvej|vangdalen|energivej"),
    # Delaftale Beskæftigelse: 14 færre om året (heraf 8 i Glarbjergvej-området), flere tilskud (heraf
    # mindst 8 om året i Glarbjergvej-området), 20 færre om året uden for arbejdsmarkedet, færre jobparate
    ("B1", "path", "gl_jennumparken|glarbjergvej|hermann_stillingsvej"), ("B1", "path", "glarbjergvej"),
    ("B2", "direction", "gl_jennumparken|glarbjergvej|hermann_stillingsvej"), ("B2", "minimum", "glarbjergvej"),
    ("B3", "path", "gl_jennumparken|glarbjergvej|hermann_stillingsvej"),
    ("B4", "direction", "gl_jennumparken|glarbjergvej|hermann_stillingsvej"),
    # Delaftale Kriminalitetsforebyggelse: Ungdomsskolen på niveau med eller over kommunen; SSP følges
    ("K1", "level_or_above", "gl_jennumparken|glarbjergvej"), ("K2", "monitor", "gl_jennumparken|glarbjergvej"),
    # Delaftale Sammenhængskraft og medborgerskab: færre udsættelser, færre effektive udsættelser
    ("M1", "direction", "helhedsplan"), ("M2", "direction", "helhedsplan"),
]


def test_every_target_of_the_plan_is_one_rule():
    rules = load_rules()
    got = Counter((r.plan_id, r.kind, "|".join(r.areas)) for r in rules)
    assert got == Counter(PLAN_TARGETS)
    assert len(rules) == 27
    # the plan's wording and its place are kept beside each rule
    for r in rules:
        assert r.plan_wording and r.plan_goal and r.plan_section.endswith("Delmål og indikatorer") \
            or r.plan_section.endswith("Overordnede mål og indikatorer"), r.goal_id
        assert r.plan_baseline
    assert {r.plan_page for r in rules if r.plan_id.startswith("S")} == {"15"}
    quantities = {(r.goal_id, r.quantity) for r in rules if r.kind in ("path", "minimum")}
    assert quantities == {("B1", 14), ("B1g", 8), ("B2g", 8), ("B3", 20)}


def test_every_rule_points_at_a_catalogue_indicator_and_tolerances_are_named():
    cat = indicator_catalogue()
    ids = set(cat["indicator_id"].drop_nulls().to_list())
    for r in load_rules():
        assert any(r.matches(i) for i in ids), r.goal_id
        if r.kind in ("level", "level_or_above"):
            assert r.tolerance == goals.TOLERANCES[r.tolerance_name][0]
    # the indicators no register holds are the external file's codes
    ext = cat.filter(pl.col("computed") == "N")
    assert sorted(ext["id"].to_list()) == sorted(registers.EXTERNAL_INDICATORS)
    assert sorted(ext["indicator_id"].to_list()) == sorted(goals.EXTERNAL_INDICATOR_IDS)


def test_a_bad_rule_file_names_file_row_and_column(tmp_path):
    src = goals.config.package_data(goals.RULES_FILE).read_text(encoding="utf-8").splitlines()
    bad = src[:3] + [src[3].replace(";direction;", ";sideways;", 1)]
    p = tmp_path / "goal_targets.csv"
    p.write_text("\n".join(bad) + "\n", encoding="utf-8")
    with pytest.raises(BoligmonitorError, match=r"goal_targets.csv, row 4, column kind: unknown rule kind"):
        load_rules(p)
    bad = src[:2] + [src[2].replace(";helhedsplan;", ";atlantis;", 1)]
    p.write_text("\n".join(bad) + "\n", encoding="utf-8")
    with pytest.raises(BoligmonitorError, match=r"row 3, column areas"):
        load_rules(p)


# --- table-driven status tests ------------------------------------------------------------------

def rule(kind, better="lower", quantity=None, tolerance=None, areas=("glarbjergvej",), scope="each", base=2020,
         iid="x"):
    return Rule(goal_id="T", plan_id="T", indicator_id=iid, kind=kind, better=better, quantity=quantity,
                tolerance=tolerance, tolerance_name="NIVEAU_ANDEL_PP" if tolerance else "", areas=tuple(areas),
                scope=scope, baseline_year=base, plan_baseline="", plan_baseline_values=(None,) * (
                    len(areas) if scope == "each" else 1), plan_section="", plan_page="", plan_goal="",
                plan_wording="test", note="")


def frame(rows, unit="count", iid="x"):
    """rows: (area, year, numerator, denominator, suppressed) -> a protected indicator table."""
    out = []
    for area, year, n, d, hidden in rows:
        if unit == "pct":
            v = 100 * n / d
        elif unit == "mark":
            v = n / d
        else:
            v = n
        out.append({"indicator_id": iid, "area_id": area, "year": year, "unit": unit,
                    "numerator": None if hidden else float(n), "denominator": None if hidden or d is None else float(d),
                    "value": None if hidden else float(v), "suppressed": hidden})
    return pl.DataFrame(out, schema={"indicator_id": pl.Utf8, "area_id": pl.Utf8, "year": pl.Int64,
                                     "unit": pl.Utf8, "numerator": pl.Float64, "denominator": pl.Float64,
                                     "value": pl.Float64, "suppressed": pl.Boolean})


def status_of(r, ind, year):
    rows = [x for x in evaluate(r, ind) if x["year"] == year]
    assert len(rows) == len(r.units())
    return rows[0]


G = "glarbjergvej"
K = "randers_kommune"


@pytest.mark.parametrize("value, expected", [
    (872, "opfyldt"),             # exactly on the path: 900 - 14 x 2
    (871, "opfyldt"),             # one person better
    (873, "ingen klar ændring"),  # one person short: 27 fewer is inside the Poisson uncertainty of ~900
    (700, "på vej"),              # clearly fewer (beyond the uncertainty), but not on the path of a larger goal
    (1100, "ikke på vej"),        # clearly more
])
def test_path_rule(value, expected):
    q = 14 if value in (871, 872, 873) else 150
    r = rule("path", quantity=q)
    ind = frame([(G, 2020, 900, None, False), (G, 2021, 890, None, False), (G, 2022, value, None, False)])
    row = status_of(r, ind, 2022)
    assert row["status"] == expected, row["reason"]
    if q == 14:
        assert row["target_value"] == 872
        assert "målet var 28 færre i 2022 (872)" in row["reason"]
    assert row["reason"].endswith(".") and row["reason"].count(". ") == 0  # one sentence


def test_path_rule_of_a_group_sums_the_areas_and_counts_from_the_baseline_year():
    r = rule("path", quantity=20, areas=("gl_jennumparken", G, "hermann_stillingsvej"), scope="group", base=2021)
    rows = [(a, y, v, None, False) for a, vals in (("gl_jennumparken", (300, 290, 280)), (G, (330, 320, 310)),
                                                    ("hermann_stillingsvej", (300, 300, 300)))
            for y, v in zip((2021, 2022, 2023), vals)]
    row = status_of(r, frame(rows, unit="fte"), 2023)
    assert row["unit_id"] == "gl_jennumparken+glarbjergvej+hermann_stillingsvej"
    assert row["value"] == 890 and row["baseline_value"] == 930 and row["target_value"] == 890
    assert row["status"] == "opfyldt"
    assert row["reason"].startswith("40,0 færre end i 2021") and "målet var 40 færre i 2023" in row["reason"]


@pytest.mark.parametrize("n1, better, expected", [
    (50, "lower", "ingen klar ændring"),   # unchanged
    (45, "lower", "ingen klar ændring"),   # 5 pp lower: inside the uncertainty of 100 persons
    (30, "lower", "opfyldt"),              # clearly lower
    (70, "lower", "ikke på vej"),          # clearly higher
    (70, "higher", "opfyldt"),
])
def test_direction_rule_on_a_share(n1, better, expected):
    r = rule("direction", better=better, areas=("helhedsplan",), scope="group")
    ind = frame([("helhedsplan", 2020, 50, 100, False), ("helhedsplan", 2021, n1, 100, False)], unit="pct")
    row = status_of(r, ind, 2021)
    assert row["status"] == expected, row["reason"]
    assert row["change_ci_low"] < row["change"] < row["change_ci_high"]
    assert "95 %-interval" in row["reason"]
    assert row["status"] != "på vej"  # never "på vej" for a direction rule


def test_direction_rule_interval_is_newcombe_from_wilson():
    # Newcombe (1998) example: 56/70 vs 48/80 -> difference 0.2 with interval 0.0524 to 0.3339 (method 10)
    d, lo, hi = goals.newcombe(48, 80, 56, 70)
    assert d == pytest.approx(20.0)
    assert lo == pytest.approx(5.24, abs=0.01) and hi == pytest.approx(33.39, abs=0.01)
    lo, hi = goals.wilson(81, 263)
    z, n, p = 1.959963984540054, 263, 81 / 263  # the closed form of the Wilson score interval
    mid, half = (p + z * z / (2 * n)) / (1 + z * z / n), z / (1 + z * z / n) * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5
    assert lo == pytest.approx(100 * (mid - half)) and hi == pytest.approx(100 * (mid + half))
    from scipy.stats import binomtest

    for k, n in ((0, 10), (3, 7), (81, 263), (40, 40)):
        ci = binomtest(k, n).proportion_ci(method="wilson")
        assert goals.wilson(k, n) == pytest.approx((100 * ci.low, 100 * ci.high))
        exact = binomtest(k, n).proportion_ci(method="exact")  # the Clopper-Pearson of poisson_change
        d, lo, hi = goals.poisson_change(n - k, k)
        if 0 < k < n:
            assert lo == pytest.approx((n - k) * (exact.low / (1 - exact.low) - 1))
            assert hi == pytest.approx((n - k) * (exact.high / (1 - exact.high) - 1))
    from scipy.stats import chi2

    for k in (0, 1, 4, 10, 250):
        lo, hi = goals.garwood(k)
        assert lo == pytest.approx(chi2.ppf(0.025, 2 * k) / 2 if k else 0.0)
        assert hi == pytest.approx(chi2.ppf(0.975, 2 * k + 2) / 2)
    lo, hi = goals.garwood(10)
    assert lo == pytest.approx(4.795, abs=0.001) and hi == pytest.approx(18.390, abs=0.001)


@pytest.mark.parametrize("area_n, expected", [
    (13, "opfyldt"),              # 13 % vs 10 %: exactly the tolerance of 3 pp
    (12, "opfyldt"),              # one person better
    (14, "ingen klar ændring"),   # one person worse: 4 pp over, gap unchanged since the baseline
])
def test_level_rule(area_n, expected):
    r = rule("level", better="lower", tolerance=3.0)
    ind = frame([(G, 2020, 14, 100, False), (K, 2020, 1000, 10000, False),
                 (G, 2021, area_n, 100, False), (K, 2021, 1000, 10000, False)], unit="pct")
    row = status_of(r, ind, 2021)
    assert row["status"] == expected, row["reason"]
    assert row["kommune_value"] == 10 and row["gap_pp"] == pytest.approx(area_n - 10)
    assert row["gap_baseline_pp"] == pytest.approx(4)


def test_level_or_above_rule_on_the_way_and_off_it():
    r = rule("level_or_above", better="higher", tolerance=3.0)
    base = [(G, 2020, 10, 200, False), (K, 2020, 2500, 10000, False), (K, 2021, 2500, 10000, False)]
    on_way = status_of(r, frame([*base, (G, 2021, 40, 200, False)], unit="pct"), 2021)
    assert on_way["status"] == "på vej" and on_way["gap_narrowed"] == "ja", on_way["reason"]
    above = status_of(r, frame([*base, (G, 2021, 60, 200, False)], unit="pct"), 2021)
    assert above["status"] == "opfyldt" and "over" in above["reason"]
    r0 = rule("level_or_above", better="higher", tolerance=3.0)
    worse = status_of(r0, frame([(G, 2020, 45, 200, False), (K, 2020, 2500, 10000, False),
                                 (K, 2021, 2500, 10000, False), (G, 2021, 10, 200, False)], unit="pct"), 2021)
    assert worse["status"] == "ikke på vej" and worse["gap_narrowed"] == "nej, større", worse["reason"]


@pytest.mark.parametrize("values, year, expected", [
    ({2021: 8}, 2021, "opfyldt"),                       # exactly 8 in the first year
    ({2021: 9}, 2021, "opfyldt"),                       # one above
    ({2021: 7}, 2021, "ingen klar ændring"),            # one short: inside the Poisson uncertainty
    ({2021: 7, 2022: 9}, 2022, "opfyldt"),              # cumulative 16 of 16
    ({2021: 0, 2022: 0, 2023: 1}, 2023, "ikke på vej"),  # 1 of 24: clearly short
])
def test_minimum_rule_is_cumulative(values, year, expected):
    r = rule("minimum", better="higher", quantity=8)
    ind = frame([(G, 2020, 7, None, False)] + [(G, y, v, None, False) for y, v in values.items()])
    row = status_of(r, ind, year)
    assert row["status"] == expected, row["reason"]
    assert row["target_value"] == 8 * (year - 2020)


def test_a_missing_year_cannot_be_measured():
    r = rule("direction", areas=("helhedsplan",), scope="group")
    ind = frame([("helhedsplan", 2020, 50, 100, False), ("helhedsplan", 2022, 40, 100, False),
                 (G, 2021, 5, 10, False)], unit="pct")
    rows = {x["year"]: x for x in evaluate(r, ind)}
    assert rows[2021]["status"] == "kan ikke måles"
    assert rows[2021]["reason"] == "Der er ingen tal for Alle fem boligområder i 2021."
    assert rows[2022]["status"] in goals.STATUSES


def test_a_suppressed_value_gives_no_status_and_its_reason_quotes_no_hidden_number():
    r = rule("path", quantity=1, areas=("gl_jennumparken", G), scope="group")
    ind = frame([("gl_jennumparken", 2020, 40, None, False), (G, 2020, 30, None, False),
                 ("gl_jennumparken", 2021, 43, None, False), (G, 2021, 3, None, True)])
    row = status_of(r, ind, 2021)
    assert row["status"] == "kan ikke måles"
    assert "skjult af diskretioneringen" in row["reason"]
    assert row["value"] is None and row["value_ci_low"] is None
    assert not re.search(r"\b(3|43|46)\b", row["reason"])  # neither the hidden count nor the sum


def test_monitor_rule_has_no_status():
    r = rule("monitor")
    row = status_of(r, frame([(G, 2020, 7, None, False), (G, 2021, 9, None, False)]), 2021)
    assert row["status"] == goals.MONITOR and row["reason"] == "Følges uden mål: 9 i 2021 (7 i 2020)."


def test_external_indicator_supplied_and_absent():
    r = rule("direction", better="higher", areas=("helhedsplan",), scope="group", base=2018, iid="safety_share")
    absent = evaluate(r, frame([("helhedsplan", 2020, 5, 10, False)], unit="pct"))
    assert [x["status"] for x in absent] == ["kan ikke måles"]
    assert goals.NOT_FROM_REGISTERS in absent[0]["reason"] and absent[0]["year"] is None
    supplied = frame([("helhedsplan", 2018, 340, 400, False), ("helhedsplan", 2024, 376, 400, False)],
                     unit="pct", iid="safety_share")
    row = status_of(r, supplied, 2024)
    assert row["status"] == "opfyldt" and row["value"] == 94.0, row["reason"]
    # a survey share without counts: the value is shown, the change cannot be judged
    no_n = supplied.with_columns(pl.lit(None, pl.Float64).alias("numerator"),
                                 pl.lit(None, pl.Float64).alias("denominator"))
    row = status_of(r, no_n, 2024)
    assert row["status"] == "kan ikke måles" and "TAELLER og NAEVNER" in row["reason"]


def test_mark_and_two_year_count_changes_use_their_uncertainty():
    r = rule("direction", better="higher", areas=("helhedsplan",), scope="group", base=2019)
    ind = frame([("helhedsplan", 2019, 5.4 * 200, 200, False), ("helhedsplan", 2021, 5.8 * 200, 200, False),
                 ("helhedsplan", 2022, 6.5 * 200, 200, False)], unit="mark")
    rows = {x["year"]: x for x in evaluate(r, ind)}
    assert rows[2021]["status"] == "ingen klar ændring"  # 0.4 with sd 3 and 200 pupils a year
    assert rows[2022]["status"] == "opfyldt"
    d, lo, hi = goals.poisson_change(41, 34)
    assert d == -7 and lo < 0 < hi


def test_status_frame_and_annotation_on_a_protected_table():
    ind = frame([(G, 2020, 14, 100, False), (K, 2020, 1000, 10000, False), (G, 2021, 13, 100, False),
                 (K, 2021, 1000, 10000, False), ("gl_jennumparken", 2021, 2, 100, True)], unit="pct",
                iid="youth_ed_15m_share")
    r = rule("level", better="lower", tolerance=3.0, iid="youth_ed_15m_share")
    st = goals.status_frame(ind, [r])
    assert st.height == 1 and st["status"][0] == "opfyldt"
    a = goals.annotate_indicators(ind, st, [r])
    g21 = a.filter((pl.col("area_id") == G) & (pl.col("year") == 2021)).row(0, named=True)
    assert g21["goal_id"] == "T" and g21["status"] == "opfyldt" and g21["gap_kommune_pp"] == pytest.approx(3)
    assert g21["value_ci_low"] < 13 < g21["value_ci_high"]
    hidden = a.filter(pl.col("area_id") == "gl_jennumparken").row(0, named=True)
    assert hidden["value_ci_low"] is None and hidden["gap_kommune_pp"] is None


def test_baseline_reproduction_puts_the_computed_value_beside_the_plan():
    r = Rule(**{**rule("path", quantity=14).__dict__, "plan_baseline_values": (348.0,), "plan_baseline": "348"})
    b = goals.baseline_reproduction(frame([(G, 2020, 368, None, False)]), [r])
    row = b.row(0, named=True)
    assert (row["computed"], row["plan"], row["difference"]) == (368, 348, 20)
    hidden = goals.baseline_reproduction(frame([(G, 2020, 3, None, True)]), [r]).row(0, named=True)
    assert hidden["computed"] is None and hidden["note"] == "skjult af diskretioneringen"
