"""The plan's goals as rules, and their status per area (group) and year.

Every target in the plan's goal tables (the strategic agreement's "OVERORDNEDE MÅL OG INDIKATORER",
side 15, and the four part-agreements' "Delmål og indikatorer") is one row of
``data/goal_targets.csv`` (:func:`load_rules`), with the plan's wording and its place in the plan.
Rule kinds (column ``kind``):

* ``direction`` -- "Højere/Lavere/Flere/Færre" than the baseline year, for the area group the plan names;
* ``path`` -- a yearly quantity from the baseline year ("14 færre om året"), checked cumulatively:
  the target of year *y* is baseline ∓ quantity × (*y* - baseline year);
* ``minimum`` -- "mindst 8 om året", checked cumulatively: the sum over the years after the baseline
  year must reach quantity × number of years;
* ``level`` / ``level_or_above`` -- "på niveau med (eller over) Randers Kommune": the area may be worse
  than the municipality by at most the rule's named tolerance (percentage points);
* ``monitor`` -- "Følges": shown, no status.

Status (:data:`STATUSES`): ``opfyldt``, ``på vej``, ``ikke på vej``, ``ingen klar ændring``, ``kan ikke
måles``; monitor rules get ``følges``. Each status comes with one Danish sentence giving the reason.

**Uncertainty.** Small groups move by chance, so a change counts only when it is larger than its
statistical uncertainty (95 %, :data:`Z`). Library: SciPy (one well-kept dependency that has every exact
interval needed here -- statsmodels would add pandas and patsy for the same few formulas). The chi-square and
beta quantiles come from ``scipy.special`` (``gammaincinv``, ``betaincinv``: the same numbers as
``scipy.stats.chi2.ppf``/``beta.ppf``, tested equal) because importing ``scipy.stats`` alone took about 2 s
of the publish step, ``scipy.special`` about 0.6 s:

* a share (``pct``): Wilson score interval (closed form, equal to
  ``scipy.stats.binomtest(...).proportion_ci("wilson")``);
  the change between two years: Newcombe's hybrid score interval for a difference of proportions,
  built from the two Wilson intervals (Newcombe 1998, method 10);
* a count (``count``) and full-time persons (``fte``, rounded to whole persons for the test): exact
  Poisson (Garwood) interval from the chi-square distribution; the change between two years: the exact
  conditional test of two Poisson counts (given the total, the later count is binomial with p = 1/2
  when nothing changed; Clopper-Pearson interval for p, turned into an interval for the ratio and
  then for the difference). Full-time persons are sums of fractions of persons: treating them as a
  Poisson count overstates the uncertainty (conservative);
* a mean mark (``mark``): normal interval with an assumed standard deviation of the marks,
  :data:`MARK_SD` (the published table has no spread; the 7-point scale's spread of exam marks is
  about 2.5-3, the upper end is used: conservative);
* school absence is a share of school days; days of one pupil are not independent, so the share is
  treated as if each pupil were one observation (:data:`EFFECTIVE_N_DIVISOR`: school days per pupil
  in a half year; conservative);
* the gap to Randers Kommune (percentage points) and its change since the baseline year: normal
  approximation with each share's variance taken from its Wilson interval.

A status is "på vej" only when the change in the right direction is larger than its uncertainty:
never from noise. Direction rules have no "på vej": a clear change in the right direction meets them.

**Disclosure.** The published statuses are computed from the already protected indicator table
(numerator, denominator and value null where diskretioneringen hid them): a hidden number gives "kan
ikke måles" with a reason saying so, and the reason sentences quote only published numbers (sums of
published numbers for a group of areas). Nothing here reads ``metrics.indicators`` directly.

**Incomplete input.** An indicator row with ``missing_reason`` (its register-year is incomplete or
missing, see :func:`boligmonitor.ingest.load.incomplete_inputs`) gives "kan ikke måles" with that reason
("Tallet for Glarbjergvej i 2021 kan ikke måles: ydelser 2021 er ufuldstændig (...)"), in the year itself
and wherever it is the baseline year.
"""

from __future__ import annotations

import csv
import fnmatch
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from boligmonitor import config
from boligmonitor.areas import AREA_IDS, KOMMUNE_ID, PLAN_TOTAL_ID, display_name
from boligmonitor.errors import BoligmonitorError

#: The statuses in the order the report lists them; ``følges`` is the monitor rules' "no status".
STATUSES = ("opfyldt", "på vej", "ingen klar ændring", "ikke på vej", "kan ikke måles")
MONITOR = "følges"
#: Symbol per status: it reads without colour (the colour only repeats it).
STATUS_SYMBOLS = {"opfyldt": "✔", "på vej": "↗", "ingen klar ændring": "→", "ikke på vej": "✘",
                  "kan ikke måles": "?", MONITOR: "◦"}
#: Colour per status (Okabe-Ito, colour-blind safe), always next to the symbol and the word.
STATUS_COLOURS = {"opfyldt": "#009E73", "på vej": "#56B4E9", "ingen klar ændring": "#999999",
                  "ikke på vej": "#D55E00", "kan ikke måles": "#E69F00", MONITOR: "#CCCCCC"}
KINDS = ("direction", "path", "minimum", "level", "level_or_above", "monitor")
#: 95 % two-sided.
Z = 1.959963984540054
ALPHA = 0.05
#: Assumed standard deviation of exam marks (7-point scale), see the module text.
MARK_SD = 3.0
#: Units of a share's denominator per independent observation (school days per pupil per half-year).
EFFECTIVE_N_DIVISOR = {"absence_h1_pct": 100.0, "absence_pct": 200.0}
#: The named tolerances of the level rules (percentage points), with the reason; ``data/goal_targets.csv``
#: gives each level rule one of these names and its value (a test checks they agree).
TOLERANCES = {
    "NIVEAU_ANDEL_PP": (3.0, "Andele af unge (ungdomsuddannelse, Ungdomsskolen): op til 3 procentpoint under "
                             "kommunen regnes som på niveau; det svarer til et par elever i et område med "
                             "50-100 unge i en årgang."),
    "NIVEAU_FRAVAER_PP": (0.5, "Fravær: op til 0,5 procentpoint over kommunen regnes som på niveau (omkring "
                               "en halv skoledag pr. elev pr. halvår)."),
}
RULES_FILE = "goal_targets.csv"
#: External (non-register) file, relative to the raw folder (register ``eksterne_indikatorer``).
EXTERNAL_FILE = "reference/eksterne_indikatorer.csv"
NOT_FROM_REGISTERS = "kan ikke måles fra registrene"


@dataclass(frozen=True)
class Rule:
    """One target of the plan (a row of ``data/goal_targets.csv``)."""

    goal_id: str
    plan_id: str
    indicator_id: str  # an indicator id, or a pattern (``turnout_KV*``) for a series of elections
    kind: str
    better: str  # "higher" or "lower"
    quantity: float | None  # path: per year; minimum: per year
    tolerance: float | None  # level rules: percentage points
    tolerance_name: str
    areas: tuple[str, ...]
    scope: str  # "group": the areas summed as one group; "each": every area on its own
    baseline_year: int
    plan_baseline: str
    plan_baseline_values: tuple[float | None, ...]  # per unit (see units()), as printed in the plan
    plan_section: str
    plan_page: str
    plan_goal: str
    plan_wording: str
    note: str

    def units(self) -> list[tuple[str, tuple[str, ...]]]:
        """(unit id, member areas): one per area (scope "each") or one group."""
        if self.scope == "each":
            return [(a, (a,)) for a in self.areas]
        return [(group_id(self.areas), self.areas)]

    def matches(self, indicator_id: str) -> bool:
        return fnmatch.fnmatchcase(indicator_id, self.indicator_id)

    @property
    def lower_is_better(self) -> bool:
        return self.better == "lower"

    def target_text(self) -> str:
        """The rule in short Danish ("14 færre om året fra 2020", "lavere end i 2019")."""
        b = self.baseline_year
        if self.kind == "direction":
            return f"{'lavere' if self.lower_is_better else 'højere'} end i {b}"
        if self.kind == "path":
            return f"{_num(self.quantity)} {'færre' if self.lower_is_better else 'flere'} om året fra {b}"
        if self.kind == "minimum":
            return f"mindst {_num(self.quantity)} om året fra {b + 1}"
        if self.kind in ("level", "level_or_above"):
            worse = "over" if self.lower_is_better else "under"
            also = "på niveau med eller over" if self.kind == "level_or_above" else "på niveau med"
            return (f"{also} Randers Kommune (højst {_num(self.tolerance, 1)} procentpoint {worse}, "
                    f"tolerance {self.tolerance_name})")
        return "følges"


def group_id(areas: tuple[str, ...] | list[str]) -> str:
    """Id of a group of areas: the area itself, or the ids joined with ``+``."""
    return areas[0] if len(areas) == 1 else "+".join(areas)


def unit_name(unit_id: str) -> str:
    """Danish name of an area or a group of areas (``a+b+c``)."""
    parts = unit_id.split("+")
    names = [display_name(p) for p in parts]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]


def _float(text: str) -> float | None:
    text = (text or "").strip()
    return float(text.replace(",", ".")) if text else None


def load_rules(path: Path | None = None) -> list[Rule]:
    """The plan's targets as rules, from ``data/goal_targets.csv`` (``;``-separated, decimal comma).

    Raises :class:`BoligmonitorError` naming the file, row and column of a bad value (unknown kind,
    area or tolerance name, a path rule without a quantity, baselines that do not match the units, ...).
    """
    path = Path(path) if path else config.package_data(RULES_FILE)
    rules: list[Rule] = []
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=";")
        for line, row in enumerate(reader, start=2):
            def bad(col: str, why: str, line=line, row=row) -> BoligmonitorError:
                return BoligmonitorError(f"{path.name}, row {line}, column {col}: {why} (value {row.get(col)!r})")

            try:
                kind = row["kind"].strip()
                if kind not in KINDS:
                    raise bad("kind", f"unknown rule kind; known: {', '.join(KINDS)}")
                better = row["better"].strip()
                if better not in ("higher", "lower"):
                    raise bad("better", "must be 'higher' or 'lower'")
                areas = tuple(a.strip() for a in row["areas"].split("|") if a.strip())
                known = (*AREA_IDS, PLAN_TOTAL_ID)
                if not areas or any(a not in known for a in areas):
                    raise bad("areas", f"unknown area id; known: {', '.join(known)}")
                scope = row["scope"].strip()
                if scope not in ("group", "each"):
                    raise bad("scope", "must be 'group' or 'each'")
                try:
                    quantity = _float(row["quantity"])
                    tolerance = _float(row["tolerance"])
                    baseline_year = int(row["baseline_year"])
                    values = tuple(_float(v) for v in row["plan_baseline_value"].split("|"))
                except ValueError as e:
                    raise bad("quantity/tolerance/baseline_year/plan_baseline_value", f"not a number: {e}") from None
                if kind in ("path", "minimum") and not quantity:
                    raise bad("quantity", f"a {kind} rule needs a positive quantity per year")
                if kind in ("level", "level_or_above"):
                    name = row["tolerance_name"].strip()
                    if name not in TOLERANCES:
                        raise bad("tolerance_name", f"unknown tolerance; known: {', '.join(TOLERANCES)}")
                    if tolerance is None or tolerance != TOLERANCES[name][0]:
                        raise bad("tolerance", f"must be the value of {name}: {TOLERANCES[name][0]}")
                rule = Rule(
                    goal_id=row["goal_id"].strip(), plan_id=row["plan_id"].strip(),
                    indicator_id=row["indicator_id"].strip(), kind=kind, better=better, quantity=quantity,
                    tolerance=tolerance, tolerance_name=row["tolerance_name"].strip(), areas=areas, scope=scope,
                    baseline_year=baseline_year, plan_baseline=row["plan_baseline"].strip(),
                    plan_baseline_values=values, plan_section=row["plan_section"].strip(),
                    plan_page=row["plan_page"].strip(), plan_goal=row["plan_goal"].strip(),
                    plan_wording=row["plan_wording"].strip(), note=(row.get("note") or "").strip())
                if len(values) != len(rule.units()):
                    raise bad("plan_baseline_value", f"needs one value per unit ({len(rule.units())})")
            except KeyError as e:
                raise BoligmonitorError(f"{path.name}: missing column {e}") from None
            rules.append(rule)
    ids = [r.goal_id for r in rules]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise BoligmonitorError(f"{path.name}: goal_id not unique: {', '.join(dup)}")
    return rules


# --- numbers in Danish ---------------------------------------------------------------------------

def _num(v: float | None, decimals: int = 0) -> str:
    if v is None:
        return ".."
    s = f"{v:,.{decimals}f}"
    if set(s) <= set("-0.,"):
        s = s.lstrip("-")  # no "−0,0"
    return s.replace(",", "\u00a0").replace(".", ",").replace("\u00a0", ".").replace("-", "\u2212")


def fmt_value(unit: str, v: float | None) -> str:
    """A value as the report writes it: ``38,1 %``, ``5,4``, ``939``, ``312,8`` (full-time persons)."""
    if v is None:
        return ".."
    if unit == "pct":
        return f"{_num(v, 1)} %"
    if unit in ("mark", "fte", "per_1000"):
        return _num(v, 1)
    return _num(v, 0)


def _pp(v: float) -> str:
    t = _num(abs(v), 1)
    return f"{'±' if t == '0,0' else '+' if v > 0 else '−'}{t} procentpoint"


def _signed(unit: str, v: float) -> str:
    if unit == "pct":
        return _pp(v)
    sign = "+" if v > 0 else "−" if v < 0 else "±"
    return sign + fmt_value(unit, abs(v))


# --- statistics (scipy.stats) --------------------------------------------------------------------

@lru_cache(maxsize=65536)
def wilson(k: float, n: float) -> tuple[float, float]:
    """Wilson 95 % score interval of the share k/n, in percent (0-100). ``n`` may be an effective size.

    The closed form (Wilson 1927), as ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")`` gives
    it (a test checks the two agree); written out because binomtest also computes a p-value, which is
    slow for thousands of cells."""
    n = max(float(n), 1.0)
    p = min(max(float(k) / n, 0.0), 1.0)
    z2 = Z * Z
    mid = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    lo = 0.0 if p == 0 else max(mid - half, 0.0)  # exactly 0 and 1 at the ends (no rounding residue)
    hi = 1.0 if p == 1 else min(mid + half, 1.0)
    return 100 * lo, 100 * hi


@lru_cache(maxsize=65536)
def garwood(k: float) -> tuple[float, float]:
    """Exact (Garwood) 95 % Poisson interval of a count ``k`` (rounded to whole persons)."""
    from scipy.special import gammaincinv  # chi2.ppf(q, 2k) / 2 == gammaincinv(k, q)

    k_i = max(int(round(k)), 0)
    lo = 0.0 if k_i == 0 else gammaincinv(k_i, ALPHA / 2)
    return float(lo), float(gammaincinv(k_i + 1, 1 - ALPHA / 2))


def newcombe(k0: float, n0: float, k1: float, n1: float) -> tuple[float, float, float]:
    """Change of a share from (k0/n0) to (k1/n1) in percentage points with Newcombe's hybrid score
    95 % interval (method 10): (difference, low, high)."""
    p0, p1 = k0 / n0, k1 / n1
    l0, u0 = (x / 100 for x in wilson(k0, n0))
    l1, u1 = (x / 100 for x in wilson(k1, n1))
    d = p1 - p0
    lo = d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    hi = d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return 100 * d, 100 * lo, 100 * hi


def poisson_change(k0: float, k1: float) -> tuple[float, float, float]:
    """Change of a count from k0 to k1 with a 95 % interval from the exact conditional test: given
    k0 + k1, k1 is binomial(k0 + k1, p); p = 1/2 means no change. The Clopper-Pearson interval of p
    gives one for the ratio r = p / (1 - p), and the difference's interval is k0 × (r - 1).
    Returns (difference, low, high)."""
    from scipy.special import betaincinv  # beta.ppf(q, a, b) == betaincinv(a, b, q)

    a, b = max(int(round(k0)), 0), max(int(round(k1)), 0)
    d = k1 - k0
    if a + b == 0:
        return d, -math.inf, math.inf
    n = a + b  # Clopper-Pearson interval of p from the beta distribution
    p_lo = 0.0 if b == 0 else float(betaincinv(b, n - b + 1, ALPHA / 2))
    p_hi = 1.0 if b == n else float(betaincinv(b + 1, n - b, 1 - ALPHA / 2))
    base = max(a, 0.5)  # with no events in the baseline year, the ratio is unbounded: scale by ½
    r_lo = p_lo / (1 - p_lo) if p_lo < 1 else math.inf
    r_hi = p_hi / (1 - p_hi) if p_hi < 1 else math.inf
    return d, base * (r_lo - 1), base * (r_hi - 1) if math.isfinite(r_hi) else math.inf


@dataclass(frozen=True)
class Obs:
    """One published value of an area (group) in a year: what the protected table shows."""

    indicator_id: str
    year: int
    unit: str
    value: float | None
    numerator: float | None
    denominator: float | None
    hidden: bool  # a member's value was suppressed by diskretioneringen
    #: why a member's value cannot be measured (an incomplete or missing register-year, the published
    #: ``missing_reason``: "kan ikke måles: ydelser 2021 er ufuldstændig (...)"); None when measured
    missing_reason: str | None = None

    @property
    def usable(self) -> bool:
        return not self.hidden and self.missing_reason is None and self.value is not None


def effective_n(indicator_id: str, n: float) -> float:
    return n / EFFECTIVE_N_DIVISOR.get(indicator_id, 1.0)


def value_interval(o: Obs) -> tuple[float | None, float | None]:
    """95 % interval of a published value (see the module text); (None, None) when not computable."""
    if not o.usable:
        return None, None
    if o.unit == "pct" and o.numerator is not None and o.denominator:
        f = EFFECTIVE_N_DIVISOR.get(o.indicator_id, 1.0)
        return wilson(o.numerator / f, o.denominator / f)
    if o.unit in ("count", "fte"):
        return garwood(o.value)
    if o.unit == "mark" and o.denominator:
        h = Z * MARK_SD / math.sqrt(o.denominator)
        return o.value - h, o.value + h
    return None, None


def change(o0: Obs, o1: Obs) -> tuple[float, float, float] | None:
    """(difference, low, high) from o0 to o1 in the value's unit (percentage points for shares)."""
    if not (o0.usable and o1.usable):
        return None
    if o0.unit == "pct":
        if o0.numerator is None or not o0.denominator or o1.numerator is None or not o1.denominator:
            return None
        f = EFFECTIVE_N_DIVISOR.get(o0.indicator_id, 1.0)
        return newcombe(o0.numerator / f, o0.denominator / f, o1.numerator / f, o1.denominator / f)
    if o0.unit in ("count", "fte"):
        return poisson_change(o0.value, o1.value)
    if o0.unit == "mark" and o0.denominator and o1.denominator:
        d = o1.value - o0.value
        h = Z * MARK_SD * math.sqrt(1 / o0.denominator + 1 / o1.denominator)
        return d, d - h, d + h
    return None


def narrowed(g0: float, g1: float, lo: float, hi: float) -> str:
    """Whether a gap to the municipality narrowed beyond the uncertainty: "ja" (closer to zero, the
    change's interval (lo, hi) excludes 0), "nej, større" (clearly further from zero), else "ingen klar ændring"."""
    toward = (hi < 0) if g0 > 0 else (lo > 0) if g0 < 0 else False
    away = (lo > 0) if g0 >= 0 and g1 > g0 else (hi < 0) if g0 <= 0 and g1 < g0 else False
    if abs(g1) < abs(g0) and toward:
        return "ja"
    if abs(g1) > abs(g0) and away:
        return "nej, større"
    return "ingen klar ændring"


def _share_var(o: Obs) -> float:
    lo, hi = value_interval(o)
    return ((hi - lo) / (2 * Z)) ** 2


def gap_change(a0: Obs, k0: Obs, a1: Obs, k1: Obs) -> tuple[float, float, float, float] | None:
    """Gap area - kommune (percentage points) in the baseline year and now, and the change of the gap
    with a 95 % interval: (gap0, gap1, low, high) of gap1 - gap0. Shares with counts only."""
    obs = (a0, k0, a1, k1)
    if any(o.unit != "pct" or not o.usable or o.numerator is None or not o.denominator for o in obs):
        return None
    g0, g1 = a0.value - k0.value, a1.value - k1.value
    se = math.sqrt(sum(_share_var(o) for o in obs))
    return g0, g1, (g1 - g0) - Z * se, (g1 - g0) + Z * se


# --- series from the protected table -------------------------------------------------------------

class Index:
    """The protected indicator table indexed by (indicator_id, area_id, year) for fast look-ups."""

    def __init__(self, ind: pl.DataFrame):
        self.frame = ind
        self.rows = {(r["indicator_id"], r["area_id"], r["year"]): r for r in ind.iter_rows(named=True)}
        self.years: dict[str, set[int]] = {}
        for iid, _, y in self.rows:
            self.years.setdefault(iid, set()).add(y)


def _index(ind) -> Index:
    return ind if isinstance(ind, Index) else Index(prepare(ind))


def _sum(values: list) -> int | float:
    """Whole numbers summed as such, anything else with :func:`math.fsum` (correctly rounded: the same
    bits in any order of the members)."""
    if all(isinstance(v, int) for v in values):
        return sum(values)
    return math.fsum(values)


def observe(ind: pl.DataFrame | Index, indicator_id: str, areas: tuple[str, ...], year: int) -> Obs | None:
    """The value of ``areas`` summed (numerators, denominators; the value recomputed) in ``year`` from
    the protected indicator table; None when a member has no row. ``missing_reason`` (the members'
    published ``missing_reason``, joined) when a member's row cannot be measured because a register-year
    is incomplete or missing; ``hidden`` when a member is suppressed."""
    idx = _index(ind)
    rows = [idx.rows.get((indicator_id, a, year)) for a in areas]
    if any(r is None for r in rows):
        return None
    unit = rows[0]["unit"]
    gaps = list(dict.fromkeys(r.get("missing_reason") for r in rows if r.get("missing_reason")))
    if gaps:
        return Obs(indicator_id, year, unit, None, None, None, False, "; ".join(gaps))
    hidden = any(bool(r["suppressed"]) or r["value"] is None for r in rows)
    if hidden:
        return Obs(indicator_id, year, unit, None, None, None, True)
    if len(rows) == 1:
        r = rows[0]
        return Obs(indicator_id, year, unit, r["value"], r["numerator"], r["denominator"], False)
    nums = [r["numerator"] for r in rows]
    dens = [r["denominator"] for r in rows]
    num = _sum(nums) if all(v is not None for v in nums) else None
    den = _sum(dens) if all(v is not None for v in dens) else None
    if unit in ("count", "fte"):
        value = _sum([r["value"] for r in rows])
    elif unit == "pct" and num is not None and den:
        value = 100 * num / den
    elif unit == "mark" and num is not None and den:
        value = num / den
    elif unit == "per_1000" and num is not None and den:
        value = 1000 * num / den
    else:
        return Obs(indicator_id, year, unit, None, None, None, False)
    return Obs(indicator_id, year, unit, value, num, den, False)


def _indicator_for_year(rule: Rule, ind: Index, year: int) -> str | None:
    ids = sorted(i for i, ys in ind.years.items() if year in ys and rule.matches(i))
    return ids[0] if ids else None


def rule_years(rule: Rule, ind: pl.DataFrame | Index) -> list[int]:
    """The years after the baseline year in which the rule's indicator has published rows."""
    idx = _index(ind)
    years = {y for i, ys in idx.years.items() if rule.matches(i) for y in ys}
    return sorted(y for y in years if y > rule.baseline_year)


# --- status ---------------------------------------------------------------------------------------

def _why_missing(o: Obs | None, name: str, year: int) -> str:
    """Why a value cannot be used, in one Danish sentence (``name``: an area or a group of areas)."""
    group = " og " in name  # unit_name() joins a group's areas with "og"; no area's name has it
    if o is None:
        return f"Der er ingen tal for {name} i {year}."
    if o.missing_reason:
        return f"Tallet for {name} i {year} {o.missing_reason}."
    if o.hidden:
        who = f"mindst ét af områderne ({name})" if group else name
        return (f"Tallet for {who} i {year} er skjult af diskretioneringen (færre end "
                f"{config.MIN_CELL_PERSONS} personer).")
    return f"Tallet for {name} i {year} kan ikke beregnes af de offentliggjorte tal."


def _clear(ch: tuple[float, float, float] | None, lower_better: bool) -> str:
    """'good' / 'bad' / 'unclear' for a change interval."""
    if ch is None:
        return "unclear"
    _, lo, hi = ch
    if hi < 0:
        return "good" if lower_better else "bad"
    if lo > 0:
        return "bad" if lower_better else "good"
    return "unclear"


def _interval_text(unit: str, ch: tuple[float, float, float]) -> str:
    _, lo, hi = ch
    f = (lambda v: _num(v, 1)) if unit in ("pct", "mark", "fte") else (lambda v: _num(v, 0))
    lo_t = f(lo) if math.isfinite(lo) else "−∞"
    hi_t = f(hi) if math.isfinite(hi) else "∞"
    return f"95 %-interval {lo_t} til {hi_t}"


def evaluate(rule: Rule, ind: pl.DataFrame, external: pl.DataFrame | None = None) -> list[dict]:
    """Status rows of one rule for each unit and each year after the baseline year.

    ``ind``: the protected indicator table (columns ``indicator_id, area_id, year, unit, numerator,
    denominator, value, suppressed``), external indicators included. ``external``: unused here, kept
    for symmetry (external values are rows of ``ind``). Returns dicts with the columns of
    :func:`status_frame`.
    """
    out = []
    ind = _index(ind)
    years = rule_years(rule, ind)
    units = rule.units()
    if not any(rule.matches(i) for i in ind.years):
        # Nothing published at all: an external indicator whose file is absent, or a register not delivered.
        for (uid, _), _pv in zip(units, rule.plan_baseline_values):
            out.append(_row(rule, uid, None, None, status="kan ikke måles" if rule.kind != "monitor" else MONITOR,
                            reason=f"Ingen tal: indikatoren {NOT_FROM_REGISTERS}, og der er ikke indberettet "
                                   "tal for den (data/raw/" + EXTERNAL_FILE + ")."
                            if rule.indicator_id in EXTERNAL_INDICATOR_IDS else
                            "Ingen tal: registret bag indikatoren er ikke leveret."))
        return out
    for uid, members in units:
        name = unit_name(uid)
        for y in years:
            iid = _indicator_for_year(rule, ind, y)
            base_iid = _indicator_for_year(rule, ind, rule.baseline_year)
            o1 = observe(ind, iid, members, y) if iid else None
            o0 = observe(ind, base_iid, members, rule.baseline_year) if base_iid else None
            row = _row(rule, uid, y, iid, o0=o0, o1=o1)
            status, reason = _status(rule, ind, uid, members, name, y, iid, base_iid, o0, o1, row)
            row["status"], row["reason"] = status, reason
            out.append(row)
    return out


def _row(rule: Rule, uid: str, year: int | None, iid: str | None, *, o0: Obs | None = None,
         o1: Obs | None = None, status: str | None = None, reason: str | None = None) -> dict:
    lo, hi = value_interval(o1) if o1 else (None, None)
    return {
        "goal_id": rule.goal_id, "plan_id": rule.plan_id, "indicator_id": iid or rule.indicator_id,
        "kind": rule.kind, "target": rule.target_text(), "plan_wording": rule.plan_wording, "note": rule.note or None,
        "unit_id": uid, "unit_name": unit_name(uid), "year": year, "baseline_year": rule.baseline_year,
        "unit": o1.unit if o1 else (o0.unit if o0 else None),
        "value": o1.value if o1 and o1.usable else None, "value_ci_low": lo, "value_ci_high": hi,
        "baseline_value": o0.value if o0 and o0.usable else None,
        "target_value": None, "change": None, "change_ci_low": None, "change_ci_high": None,
        "kommune_value": None, "gap_pp": None, "gap_baseline_pp": None, "gap_change_ci_low": None,
        "gap_change_ci_high": None, "gap_narrowed": None, "status": status, "reason": reason,
    }


def _status(rule, ind, uid, members, name, y, iid, base_iid, o0, o1, row) -> tuple[str, str]:
    unit = (o1 or o0).unit if (o1 or o0) else "pct"
    # The gap to the municipality (rate indicators), for every rule kind.
    if unit == "pct" and iid and base_iid:
        k0 = observe(ind, base_iid, (KOMMUNE_ID,), rule.baseline_year)
        k1 = observe(ind, iid, (KOMMUNE_ID,), y)
        if k1 and k1.usable:
            row["kommune_value"] = k1.value
        g = gap_change(o0, k0, o1, k1) if (o0 and o1 and k0 and k1) else None
        if g:
            g0, g1, lo, hi = g
            row.update(gap_baseline_pp=g0, gap_pp=g1, gap_change_ci_low=lo, gap_change_ci_high=hi,
                       gap_narrowed=narrowed(g0, g1, lo, hi))
        elif o1 and o1.usable and k1 and k1.usable:
            row["gap_pp"] = o1.value - k1.value
    if rule.kind == "monitor":
        if not (o1 and o1.usable):
            return MONITOR, "Følges uden mål; " + _why_missing(o1, name, y)[0].lower() + _why_missing(o1, name, y)[1:]
        base = f" ({fmt_value(unit, o0.value)} i {rule.baseline_year})" if o0 and o0.usable else ""
        return MONITOR, f"Følges uden mål: {fmt_value(unit, o1.value)} i {y}{base}."
    if rule.kind == "minimum":
        return _minimum(rule, ind, members, name, y, row)
    if not (o0 and o0.usable):
        return "kan ikke måles", _why_missing(o0, name, rule.baseline_year)
    if not (o1 and o1.usable):
        return "kan ikke måles", _why_missing(o1, name, y)
    ch = change(o0, o1)
    if ch:
        row.update(change=ch[0], change_ci_low=ch[1], change_ci_high=ch[2])
    clear = _clear(ch, rule.lower_is_better)
    v0, v1 = fmt_value(unit, o0.value), fmt_value(unit, o1.value)
    b = rule.baseline_year
    if rule.kind == "direction":
        if ch is None:
            why = ("antallet af svarpersoner ikke er oplyst (TAELLER og NAEVNER i " + EXTERNAL_FILE + ")"
                   if rule.indicator_id in EXTERNAL_INDICATOR_IDS else "de offentliggjorte tal ikke rækker til det")
            return "kan ikke måles", f"{v1} i {y} mod {v0} i {b}, men usikkerheden kan ikke beregnes, fordi {why}."
        what = f"{v1} i {y} mod {v0} i {b} ({_signed(unit, ch[0])}, {_interval_text(unit, ch)})"
        if clear == "good":
            return "opfyldt", f"{what}: {'lavere' if rule.lower_is_better else 'højere'}, som målet er."
        if clear == "bad":
            return "ikke på vej", f"{what}: {'højere' if rule.lower_is_better else 'lavere'}, mens målet er {'lavere' if rule.lower_is_better else 'højere'}."
        return "ingen klar ændring", f"{what}: ændringen er inden for den statistiske usikkerhed."
    if rule.kind == "path":
        k = y - b
        step = rule.quantity * k
        target = o0.value - step if rule.lower_is_better else o0.value + step
        row["target_value"] = target
        diff = o1.value - o0.value
        word = "færre" if rule.lower_is_better else "flere"
        moved = -diff if rule.lower_is_better else diff
        dec = 1 if unit == "fte" else 0
        done = (o1.value <= target + 1e-9) if rule.lower_is_better else (o1.value >= target - 1e-9)
        if moved >= 0:
            head = f"{_num(moved, dec)} {word} end i {b}"
        else:
            head = f"{_num(-moved, dec)} {'flere' if rule.lower_is_better else 'færre'} end i {b}"
        tail = f"målet var {_num(step, 0)} {word} i {y} ({fmt_value(unit, target)})"
        if done:
            return "opfyldt", f"{head} ({v1} i {y}); {tail}."
        if clear == "good":
            return "på vej", f"{head} ({v1} i {y}), en klar ændring ({_interval_text(unit, ch)}); {tail}."
        if clear == "bad":
            return "ikke på vej", f"{head} ({v1} i {y}), en klar ændring den forkerte vej ({_interval_text(unit, ch)}); {tail}."
        return "ingen klar ændring", f"{head} ({v1} i {y}), inden for den statistiske usikkerhed ({_interval_text(unit, ch)}); {tail}."
    # level rules
    k1 = observe(ind, iid, (KOMMUNE_ID,), y)
    if not (k1 and k1.usable):
        return "kan ikke måles", _why_missing(k1, "Randers Kommune", y)
    s = 1 if rule.lower_is_better else -1
    worse = s * (o1.value - k1.value)  # percentage points worse than the municipality
    row["target_value"] = k1.value + s * rule.tolerance
    head = f"{v1} i {y} mod {fmt_value(unit, k1.value)} i Randers Kommune"
    if worse <= rule.tolerance + 1e-9:
        how = "på niveau med eller bedre end" if worse > 0 or rule.kind == "level" else "over"
        if rule.kind == "level_or_above" and worse <= 0:
            how = "på niveau med eller over"
        return "opfyldt", f"{head}: {how} kommunen (tolerance {_num(rule.tolerance, 1)} procentpoint)."
    gap = f"{_num(worse, 1)} procentpoint {'over' if s > 0 else 'under'} kommunen"
    lo, hi = row["gap_change_ci_low"], row["gap_change_ci_high"]
    better_clear = lo is not None and (s * hi < 0 if s > 0 else s * lo < 0)  # worse-gap clearly smaller
    worse_clear = lo is not None and (s * lo > 0 if s > 0 else s * hi > 0)  # worse-gap clearly larger
    if better_clear:
        return "på vej", (f"{head}, {gap}; afstanden er blevet klart mindre siden {b} "
                          f"({_pp(row['gap_baseline_pp'])} → {_pp(row['gap_pp'])}).")
    if worse_clear:
        return "ikke på vej", (f"{head}, {gap}; afstanden er blevet klart større siden {b} "
                               f"({_pp(row['gap_baseline_pp'])} → {_pp(row['gap_pp'])}).")
    if row["gap_baseline_pp"] is None:
        return "kan ikke måles", (f"{head}, {gap}; afstanden i {b} kan ikke beregnes af de offentliggjorte tal.")
    return "ingen klar ændring", (f"{head}, {gap}; afstanden har ikke ændret sig ud over den statistiske "
                                  f"usikkerhed siden {b} ({_pp(row['gap_baseline_pp'])}).")


def _minimum(rule: Rule, ind, members, name, y, row) -> tuple[str, str]:
    total, unit = 0.0, "count"
    for yy in range(rule.baseline_year + 1, y + 1):
        iid = _indicator_for_year(rule, ind, yy)
        o = observe(ind, iid, members, yy) if iid else None
        if not (o and o.usable):
            return "kan ikke måles", _why_missing(o, name, yy)
        total += o.value
        unit = o.unit
    k = y - rule.baseline_year
    target = rule.quantity * k
    row["target_value"] = target
    row["value"] = row["value"]  # the year's own value stays; the cumulative sum is in the reason
    period = f"{rule.baseline_year + 1}-{y}" if k > 1 else str(y)
    head = f"{fmt_value(unit, total)} i {period}; målet var mindst {_num(target, 0)}"
    if total >= target - 1e-9:
        return "opfyldt", head + "."
    _, hi = garwood(total)
    if hi < target:
        return "ikke på vej", f"{head}, og forskellen er større end den statistiske usikkerhed (95 %-interval op til {_num(hi, 1)})."
    return "ingen klar ændring", f"{head}; forskellen er inden for den statistiske usikkerhed (95 %-interval op til {_num(hi, 1)})."


#: Indicator ids of the plan's indicators that no register holds (``computed`` = N in the catalogue).
EXTERNAL_INDICATOR_IDS = ("safety_share", "volunteer_share")

STATUS_COLUMNS = {
    "goal_id": pl.Utf8, "plan_id": pl.Utf8, "indicator_id": pl.Utf8, "kind": pl.Utf8, "target": pl.Utf8,
    "plan_wording": pl.Utf8, "note": pl.Utf8, "unit_id": pl.Utf8, "unit_name": pl.Utf8, "year": pl.Int64,
    "baseline_year": pl.Int64, "unit": pl.Utf8, "value": pl.Float64, "value_ci_low": pl.Float64,
    "value_ci_high": pl.Float64, "baseline_value": pl.Float64, "target_value": pl.Float64,
    "change": pl.Float64, "change_ci_low": pl.Float64, "change_ci_high": pl.Float64,
    "kommune_value": pl.Float64, "gap_pp": pl.Float64, "gap_baseline_pp": pl.Float64,
    "gap_change_ci_low": pl.Float64, "gap_change_ci_high": pl.Float64, "gap_narrowed": pl.Utf8,
    "status": pl.Utf8, "reason": pl.Utf8,
}


def prepare(ind: pl.DataFrame) -> pl.DataFrame:
    """The indicator table with numeric columns as floats and ``suppressed`` as a boolean (a CSV read
    may have guessed otherwise)."""
    sup = pl.col("suppressed")
    if ind.schema.get("suppressed") == pl.Utf8:
        sup = sup.str.to_lowercase().is_in(["true", "1", "ja"])
    return ind.with_columns(
        [pl.col(c).cast(pl.Float64, strict=False) for c in ("numerator", "denominator", "value")]
        + [pl.col("year").cast(pl.Int64), sup.fill_null(False).cast(pl.Boolean).alias("suppressed")])


def status_frame(ind: pl.DataFrame, rules: list[Rule] | None = None) -> pl.DataFrame:
    """Status of every rule for each unit (area or group) and year after its baseline year.

    ``ind``: the protected indicator table (``published/indikatorer.csv`` columns ``indicator_id,
    area_id, year, unit, numerator, denominator, value, suppressed``, optionally ``missing_reason``). Returns one row per goal, unit
    and year with :data:`STATUS_COLUMNS` (values in the indicator's unit: pct 0-100, persons, full-time
    persons, marks; gaps in percentage points; intervals 95 %). A rule with nothing published gets one
    row with ``year`` null and status "kan ikke måles".
    """
    rules = load_rules() if rules is None else rules
    idx = _index(ind)
    rows = [r for rule in rules for r in evaluate(rule, idx)]
    return pl.DataFrame(rows, schema=STATUS_COLUMNS)


def annotate_indicators(ind: pl.DataFrame, status: pl.DataFrame | None = None,
                        rules: list[Rule] | None = None) -> pl.DataFrame:
    """The protected indicator table with the goal columns added (computed from it, nothing else):

    ``goal_id`` (rules that apply to the row's area), ``target`` (Danish), ``status``, ``status_reason``
    (for the rule unit that is exactly this area; a group's status is in ``maalstatus.csv``, and
    ``goal_scope`` names the group), ``value_ci_low``/``value_ci_high`` (95 %), and for shares
    ``gap_kommune_pp`` (area - Randers Kommune, percentage points), ``gap_kommune_baseline_pp`` (in the
    rule's or the catalogue's baseline year) and ``gap_narrowed`` (ja / nej, større / ingen klar ændring).
    """
    rules = load_rules() if rules is None else rules
    ind = prepare(ind)
    idx = Index(ind)
    status = status_frame(idx, rules) if status is None else status
    extra = []
    by_unit = {(r["goal_id"], r["unit_id"], r["year"]): r for r in status.iter_rows(named=True)}
    base_year: dict[str, int] = {}
    for rule in rules:
        for iid in ind["indicator_id"].unique().to_list():
            if rule.matches(iid):
                base_year.setdefault(iid, rule.baseline_year)
    for r in ind.iter_rows(named=True):
        o = Obs(r["indicator_id"], r["year"], r["unit"], r["value"], r["numerator"], r["denominator"],
                bool(r["suppressed"]) or r["value"] is None)
        lo, hi = value_interval(o)
        goals, targets, scopes = [], [], []
        st = reason = None
        for rule in rules:
            if not rule.matches(r["indicator_id"]) or r["area_id"] not in rule.areas:
                continue
            goals.append(rule.goal_id)
            targets.append(rule.target_text())
            uid = r["area_id"] if rule.scope == "each" else group_id(rule.areas)
            if uid != r["area_id"]:
                scopes.append(f"{rule.goal_id}: samlet for {unit_name(uid)}")
                continue
            hit = by_unit.get((rule.goal_id, uid, r["year"]))
            if hit:
                st, reason = hit["status"], hit["reason"]
        gap = gap0 = narrowed_ = None
        if r["unit"] == "pct" and r["area_id"] != KOMMUNE_ID:
            b = base_year.get(r["indicator_id"])
            k1 = observe(idx, r["indicator_id"], (KOMMUNE_ID,), r["year"])
            if o.usable and k1 and k1.usable:
                gap = o.value - k1.value
            if b is not None and r["year"] > b:
                a0 = observe(idx, r["indicator_id"], (r["area_id"],), b)
                k0 = observe(idx, r["indicator_id"], (KOMMUNE_ID,), b)
                g = gap_change(a0, k0, o, k1) if (a0 and k0 and k1) else None
                if g:
                    gap0 = g[0]
                    narrowed_ = narrowed(*g)
        extra.append({"goal_id": ";".join(goals) or None, "target": "; ".join(targets) or None,
                      "goal_scope": "; ".join(scopes) or None, "status": st, "status_reason": reason,
                      "value_ci_low": lo, "value_ci_high": hi, "gap_kommune_pp": gap,
                      "gap_kommune_baseline_pp": gap0, "gap_narrowed": narrowed_})
    schema = {"goal_id": pl.Utf8, "target": pl.Utf8, "goal_scope": pl.Utf8, "status": pl.Utf8,
              "status_reason": pl.Utf8, "value_ci_low": pl.Float64, "value_ci_high": pl.Float64,
              "gap_kommune_pp": pl.Float64, "gap_kommune_baseline_pp": pl.Float64, "gap_narrowed": pl.Utf8}
    return pl.concat([ind, pl.DataFrame(extra, schema=schema)], how="horizontal")


def baseline_reproduction(ind: pl.DataFrame, rules: list[Rule] | None = None) -> pl.DataFrame:
    """Per goal and unit: the value computed for the baseline year (as published, after disclosure
    control) beside the plan's printed baseline, and the difference (computed - plan, in the unit;
    percentage points for shares). Columns: goal_id, plan_id, indicator_id, unit_id, unit_name,
    baseline_year, unit, computed, plan, difference, plan_text, note (Danish)."""
    rules = load_rules() if rules is None else rules
    ind = _index(ind)
    rows = []
    for rule in rules:
        iid = _indicator_for_year(rule, ind, rule.baseline_year)
        for (uid, members), plan in zip(rule.units(), rule.plan_baseline_values):
            o = observe(ind, iid, members, rule.baseline_year) if iid else None
            computed = o.value if o and o.usable else None
            if iid is None:
                note = ("indikatoren " + NOT_FROM_REGISTERS if rule.indicator_id in EXTERNAL_INDICATOR_IDS
                        else f"ingen tal for {rule.baseline_year}")
            elif o is None:
                note = f"ingen tal for {unit_name(uid)} i {rule.baseline_year}"
            elif o.missing_reason:
                note = o.missing_reason
            elif o.hidden:
                note = "skjult af diskretioneringen"
            else:
                note = ""
            rows.append({"goal_id": rule.goal_id, "plan_id": rule.plan_id, "indicator_id": iid or rule.indicator_id,
                         "unit_id": uid, "unit_name": unit_name(uid), "baseline_year": rule.baseline_year,
                         "unit": o.unit if o else None, "computed": computed, "plan": plan,
                         "difference": (computed - plan) if computed is not None and plan is not None else None,
                         "plan_text": rule.plan_baseline, "note": note or None})
    schema = {"goal_id": pl.Utf8, "plan_id": pl.Utf8, "indicator_id": pl.Utf8, "unit_id": pl.Utf8,
              "unit_name": pl.Utf8, "baseline_year": pl.Int64, "unit": pl.Utf8, "computed": pl.Float64,
              "plan": pl.Float64, "difference": pl.Float64, "plan_text": pl.Utf8, "note": pl.Utf8}
    return pl.DataFrame(rows, schema=schema)


def summary(status: pl.DataFrame) -> pl.DataFrame:
    """Per goal and unit, the latest year's status (the ``maalstatus`` table's core): the rows of
    :func:`status_frame` for the newest year of each goal and unit (or the year-less row)."""
    if status.height == 0:
        return status
    latest = status.group_by("goal_id", "unit_id").agg(pl.col("year").max().alias("_y"))
    return (status.join(latest, on=["goal_id", "unit_id"])
            .filter((pl.col("year") == pl.col("_y")) | pl.col("_y").is_null()).drop("_y"))


def status_counts(status: pl.DataFrame, year: int | None = None) -> dict[str, int]:
    """Number of goals (goal × unit) per status in ``year`` (default: each one's latest year)."""
    s = summary(status) if year is None else status.filter(pl.col("year") == year)
    counts = {k: 0 for k in (*STATUSES, MONITOR)}
    for st in s["status"].to_list():
        counts[st] = counts.get(st, 0) + 1
    return counts


# --- external indicators ---------------------------------------------------------------------------

def external_rows(con) -> pl.DataFrame:
    """The external indicators (``staging.ext_indicators``, file ``data/raw/reference/eksterne_indikatorer.csv``)
    as indicator rows: ``area_id, year, indicator_id, numerator, denominator, value, unit``.

    The plan id (``S7``) becomes the catalogue's indicator id (``safety_share``), the unit the catalogue's.
    Raises :class:`BoligmonitorError` naming the file, line and column when a row is inconsistent:
    a numerator above the denominator, or a value that is not 100 × numerator / denominator (to one decimal).
    An absent file gives an empty frame.
    """
    from boligmonitor.db import frame
    from boligmonitor.publish import indicator_catalogue

    schema = {"area_id": pl.Utf8, "year": pl.Int32, "indicator_id": pl.Utf8, "numerator": pl.Float64,
              "denominator": pl.Float64, "value": pl.Float64, "unit": pl.Utf8}
    exists = con.execute("select count(*) from information_schema.tables where table_schema = 'staging' "
                         "and table_name = 'ext_indicators'").fetchall()[0][0]
    if not exists:
        return pl.DataFrame(schema=schema)
    df = frame(con, "select * from staging.ext_indicators order by source_file, source_line")
    if df.height == 0:
        return pl.DataFrame(schema=schema)
    cat = indicator_catalogue().select(pl.col("id").alias("indicator"), "indicator_id", "unit")
    df = df.join(cat, on="indicator", how="left")
    for r in df.iter_rows(named=True):
        where = f"{r['source_file']}, line {r['source_line']}"
        n, d = r["numerator"], r["denominator"]
        if (n is None) != (d is None):
            col = "NAEVNER" if d is None else "TAELLER"
            raise BoligmonitorError(f"{where}, column {col}: give both TAELLER and NAEVNER, or neither")
        if n is not None and n > d:
            raise BoligmonitorError(f"{where}, column TAELLER: {n} is above NAEVNER {d}")
        if n is not None and abs(100 * n / d - r["value"]) > 0.05 + 1e-9:
            raise BoligmonitorError(f"{where}, column VAERDI: {r['value']} is not 100 × TAELLER / NAEVNER "
                                    f"= {100 * n / d:.2f}")
    return df.select(
        pl.col("area_id"), pl.col("year").cast(pl.Int32), pl.col("indicator_id"),
        pl.col("numerator").cast(pl.Float64), pl.col("denominator").cast(pl.Float64),
        pl.col("value").cast(pl.Float64), pl.col("unit"))
