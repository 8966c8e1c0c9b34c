"""Resident flows: who stays, who moves in and who moves out, and how much of each criterion's change they explain.

Step contract: loads ``core.person_year``, ``staging.deaths`` (optional: the death register) and the
criteria's measures on persons (:func:`boligmonitor.criteria.measures.person_measures`, which reads
``staging.benefits``, ``staging.education``, ``staging.income``, ``staging.convictions``), and saves
four tables in ``metrics``. A flow year ``year`` is the calendar year ``year - 1``: a person's place
on 1 January ``year - 1`` against 1 January ``year`` (the population register is a stock on
1 January, so a move and a move back within one year are not seen).

Locations of a person on a 1 January: a monitored area id, ``rest_of_kommune`` (in Randers Kommune
outside the six areas) or absent. Absent before: ``born`` (born during the year) or
``outside_kommune`` (moved in from outside the municipality; persons who come back count again as
in-movers). Absent after: ``died`` (the death register has a death date in the year) or
``outside_kommune``; **without the death register** (``staging.deaths`` missing: the population
register alone carries no death or emigration status) both are one destination,
``outside_or_died``, and the step says so; likewise for a year whose death file is missing
(:func:`death_years`).

``metrics.flow_matrix``
    year INTEGER, from_location VARCHAR, to_location VARCHAR, persons BIGINT: every pair of places
    on 1 January ``year - 1`` and ``year`` (the diagonal: persons who stayed).
``metrics.flows``
    area_id (the six areas, ``helhedsplan``, ``randers_kommune``), year, flow, direction ('stayed',
    'in', 'out'), counterpart (NULL for stayed; in: ``monitored_area``, ``rest_of_kommune``,
    ``outside_kommune``, ``born``; out: ``monitored_area``, ``rest_of_kommune``, ``outside_kommune``,
    ``died`` or ``outside_or_died``), persons BIGINT; every flow of :data:`FLOWS` for every area and
    year (zeros included), residents_start, residents_end. For ``helhedsplan`` a move between two plan
    areas is a stay and ``monitored_area`` means Sjællandsgadekvarteret; for ``randers_kommune`` only
    ``outside_kommune``, ``born`` and ``died`` occur. Identities (tested): stayed + the in-flows =
    residents on 1 January ``year``; stayed + the out-flows = residents on 1 January ``year - 1``.
``metrics.flow_profiles``
    area_id, year, flow_group (:data:`PROFILE_GROUPS`), measure (:data:`PROFILE_MEASURES`),
    numerator, denominator, value, unit ('pct', 'kr'), complete BOOLEAN. Each person is measured on
    the 1 January on which the person belongs to the area: stayers and in-movers on 1 January
    ``year``, out-movers on 1 January ``year - 1``, with the criteria's own definitions (employment:
    full-time persons outside the labour market or education in the calendar year per 100 residents
    18-64; crime: share of residents 18+ convicted in the calendar year; education: share of
    residents 30-59 with basic school only (2018 rule); income: mean gross income in kr. of taxable
    residents 15-64 not in education, income year before the 1 January; non-Western: share of all).
    Age bands and household types are shares of all persons of the group. ``complete`` is false
    when the calendar year's registers are not complete yet (the value is then NULL).
``metrics.criteria_decomposition``
    area_id, criterion (employment, crime, education, income, nonwestern), level ('list_year': the
    criterion as the list uses it; 'data_year': the yearly measure), from_year, year, value_from,
    value_to, part (:data:`PARTS` and 'total'), points, persons, base_persons, part_persons, unit.

Decomposition (for one data-year transition, population dates p0 → p1 = p0 + 1): the criterion is a
ratio N/D over the persons of its base (D persons, N their numerator; income: N kr., value
100·(N/D)/R with R the region's mean). Split the persons by flow: S stayers (in the area on both
dates), O out-movers, I in-movers, and among stayers those who enter or leave the base while
staying (age band; for education and income also a known education or student status). The four
factors change (N, D) by

    (a) stayers who changed status  ΔN_a = Σ_S∩base both (s1 - s0)          ΔD_a = 0
    (b) out-movers                  ΔN_b = -Σ_O∩base(p0) s0                  ΔD_b = -|O ∩ base(p0)|
    (c) in-movers (incl. newborns)  ΔN_c = +Σ_I∩base(p1) s1                  ΔD_c = +|I ∩ base(p1)|
    (d) ageing into/out of the band ΔN_d = Σ_entering s1 - Σ_leaving s0      ΔD_d = entering - leaving

and (e, income only) the region's reference R0 → R1. With f(K) = scale·(N0 + Σ_{k∈K} ΔN_k) /
(D0 + Σ_{k∈K} ΔD_k) [/ R1 if e ∈ K else / R0], the points of factor k are its Shapley value: the
mean over every order of the factors of f(K ∪ {k}) - f(K) (Shorrocks 2013; orders through an empty
base are skipped). The parts add up exactly to f(all) - f(none) = value_to - value_from, whatever the
order. ``persons`` is ΔN_k (persons; full-time persons for employment; NULL for income), and the
parts' persons add up to the change of the numerator. A list-year criterion averaged over k years
(employment, crime: k = 2) changes by the mean of k yearly transitions: with ``mean_of_shares`` its
parts are the mean of the yearly parts; with ``pooled`` the ΔN_k and ΔD_k of the k transitions are
summed before the Shapley step. Stocks (education, non-Western) and income use one transition.
A transition whose measure definition changes (education 2017 → 2018) is not decomposed.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import duckdb
import polars as pl

from boligmonitor.areas import AREA_IDS, KOMMUNE_ID, PLAN_AREA_IDS, PLAN_TOTAL_ID
from boligmonitor.criteria.measures import person_measures, population_shift, reference_series
from boligmonitor.criteria.rules import rules_for
from boligmonitor.criteria.settings import CriteriaSettings, from_mapping
from boligmonitor.db import exact_sum, frame
from boligmonitor.steps import BuildContext, StepResult

#: Schemas this step writes (created by the pipeline before it runs alongside other steps).
SCHEMAS = ("metrics",)

REST = "rest_of_kommune"
OUTSIDE = "outside_kommune"
BORN = "born"
DIED = "died"
OUTSIDE_OR_DIED = "outside_or_died"
MONITORED = "monitored_area"

#: (flow, direction, counterpart) in display order; ``out_died``/``out_outside_kommune`` become
#: ``out_outside_or_died`` without the death register.
FLOWS: tuple[tuple[str, str, str | None], ...] = (
    ("stayed", "stayed", None),
    ("in_monitored_area", "in", MONITORED),
    ("in_rest_of_kommune", "in", REST),
    ("in_outside_kommune", "in", OUTSIDE),
    ("in_born", "in", BORN),
    ("out_monitored_area", "out", MONITORED),
    ("out_rest_of_kommune", "out", REST),
    ("out_outside_kommune", "out", OUTSIDE),
    ("out_died", "out", DIED),
)
FLOWS_NO_DEATHS = (*FLOWS[:-2], ("out_outside_or_died", "out", OUTSIDE_OR_DIED))

#: Groups of persons whose profile is computed (role and counterparts).
PROFILE_GROUPS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "residents": ("resident", None),  # everybody on 1 January of the year (stayed + in)
    "stayed": ("stayed", None),
    "moved_in": ("in", (MONITORED, REST, OUTSIDE)),
    "moved_in_kommune": ("in", (MONITORED, REST)),
    "moved_in_outside": ("in", (OUTSIDE,)),
    "moved_out": ("out", (MONITORED, REST, OUTSIDE, OUTSIDE_OR_DIED)),
    "moved_out_kommune": ("out", (MONITORED, REST)),
    "moved_out_outside": ("out", (OUTSIDE, OUTSIDE_OR_DIED)),
}
#: Age bands (age on the 1 January of measurement).
AGE_BANDS = {"age_0_17": (0, 17), "age_18_29": (18, 29), "age_30_49": (30, 49), "age_50_64": (50, 64),
             "age_65_plus": (65, 200)}
#: Household types from the household's members on the same 1 January (adults 18+, children < 18).
HOUSEHOLD_TYPES = {
    "hh_single": "adults = 1 and children = 0",
    "hh_couple_no_children": "adults >= 2 and children = 0",
    "hh_single_parent": "adults = 1 and children > 0",
    "hh_couple_with_children": "adults >= 2 and children > 0",
    "hh_children_only": "adults = 0",
}
#: measure -> (criteria component or None, unit)
PROFILE_MEASURES: dict[str, tuple[str | None, str]] = {
    "employment": ("employment", "pct"),
    "crime": ("crime", "pct"),
    "education": ("education_2018", "pct"),
    "income": ("income", "kr"),
    "nonwestern": (None, "pct"),
    **{k: (None, "pct") for k in AGE_BANDS},
    **{k: (None, "pct") for k in HOUSEHOLD_TYPES},
}
PARTS = ("stayers", "out_movers", "in_movers", "ageing")
DECOMP_COLUMNS = ("area_id", "criterion", "level", "from_year", "year", "value_from", "value_to", "part",
                  "points", "persons", "base_persons", "part_persons", "unit")
FLOW_COLUMNS = ("area_id", "year", "flow", "direction", "counterpart", "persons", "residents_start",
                "residents_end")
PROFILE_COLUMNS = ("area_id", "year", "flow_group", "measure", "numerator", "denominator", "value", "unit",
                   "complete")


def _has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    return con.execute("select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                       [schema, name]).fetchall()[0][0] > 0


def group_members() -> dict[str, tuple[str, ...]]:
    """Group id -> the locations (area ids, ``rest_of_kommune``) that make up the group."""
    out = {a: (a,) for a in AREA_IDS}
    out[PLAN_TOTAL_ID] = tuple(PLAN_AREA_IDS)
    out[KOMMUNE_ID] = (*AREA_IDS, REST)
    return out


def _in_list(values) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


#: The components measured on persons that the flows use (criteria's, plus the non-Western share).
COMPONENTS = ("employment", "crime", "education_2018", "education_2013", "income", "nonwestern")
_DEMO = ("persons", "nonwestern_n", *AGE_BANDS, *HOUSEHOLD_TYPES)


def _aligned(settings: CriteriaSettings, alias: str = "m") -> str:
    """SQL: the person-measure row's data year is the one its population date belongs to (the last
    income year shares its population date with the year before: left out)."""
    emp = population_shift(settings, "employment")
    return (f"{alias}.data_year = {alias}.pop_year - case {alias}.component when 'employment' then {emp} "
            f"when 'income' then {population_shift(settings, 'income')} else 0 end")


def death_years(con: duckdb.DuckDBPyConnection) -> set[int] | None:
    """The calendar years the death register covers: the year folders whose ``doedsfald.csv`` was
    loaded (``staging.load_log``); an empty set without the register; None (every year) when the
    register is there without a load log (a database built by hand, as in the tests)."""
    if not _has(con, "staging.deaths"):
        return set()
    if _has(con, "staging.load_log"):
        years = {int(r[0]) for r in con.execute(
            "select distinct year from staging.load_log where register = 'doedsfald' and year is not null "
            "and rows_loaded is not null").fetchall()}
        if years:
            return years
        n = con.execute("select count(*) from staging.load_log where register = 'doedsfald'").fetchall()[0][0]
        return set() if n == 0 else None
    return None


def prepare_cells(con: duckdb.DuckDBPyConnection, settings: CriteriaSettings) -> tuple[pl.DataFrame, bool]:
    """Aggregates per flow cell (year, from_location, to_location): the persons' measures at the
    start (``s_*``: 1 January ``year - 1``) and at the end (``e_*``: 1 January ``year``). Every group's
    flows, profiles and decomposition are sums over cells (a person is in exactly one cell a year),
    so no person is expanded into groups.

    Per component c: ``n0_c``/``d0_c`` numerator and base at the start, ``n1_c``/``d1_c`` at the end,
    ``both_c``/``kboth_c`` (in the base at both dates: change of value, persons), ``in_c``/``kin_c``
    (base at the end only), ``out_c``/``kout_c`` (base at the start only). Demographics per side:
    persons, non-Western, age bands, household types. Needs ``_flow_person`` (the criteria's measures
    on persons; non-Western comes from ``core.person_year``, every resident's base).

    A person absent before is ``born`` (born during the year) or came from ``outside_kommune``; absent
    after, ``died`` (death register: died during the year) or ``outside_kommune``, or without the death
    register ``outside_or_died``. Returns the cells and whether deaths are known."""
    aligned = _aligned(settings)
    measured = [c for c in COMPONENTS if c != "nonwestern"]
    sel = ", ".join(f"c{i}.person_id is not null as b_{c}, c{i}.value as v_{c}" for i, c in enumerate(measured))
    # One join per component (each person has at most one aligned row per component and date): a third
    # faster than pivoting the long table with a group by.
    joins = " ".join(
        f"left join (select person_id, pop_year, value from _flow_person m where component = '{c}' and {aligned}) "
        f"c{i} on c{i}.person_id = p.person_id and c{i}.pop_year = p.year" for i, c in enumerate(measured))
    ages = ", ".join(f"(p.age between {lo} and {hi})::INTEGER as {k}" for k, (lo, hi) in AGE_BANDS.items())
    hh = ", ".join(f"coalesce({cond.replace('adults', 'h.adults').replace('children', 'h.children')}, false)"
                   f"::INTEGER as {k}" for k, cond in HOUSEHOLD_TYPES.items())
    covered = death_years(con)
    deaths = covered is None or bool(covered)
    dead = ("left join (select distinct person_id, year(death_date) as y from staging.deaths) d "
            "on d.person_id = p.person_id and d.y = p.year") if deaths else ""
    con.execute(f"""
        create or replace temp table _flow_wide as
        with h as (select household_id, year, count(*) filter (where age >= 18) as adults,
                          count(*) filter (where age < 18) as children
                   from core.person_year where household_id is not null group by all)
        select p.person_id, p.year, coalesce(p.area_id, '{REST}') as location, p.birth_date,
               {"d.person_id is not null" if deaths else "false"} as died_in_year,
               1 as persons, p.nonwestern::INTEGER as nonwestern_n, {ages}, {hh},
               true as b_nonwestern, p.nonwestern::INTEGER::DOUBLE as v_nonwestern, {sel}
        from core.person_year p
        left join h on h.household_id = p.household_id and h.year = p.year
        {dead}
        {joins}
    """)
    cols = []
    for side, al in (("s", "s"), ("e", "e")):
        cols += [f"coalesce(sum({al}.{d}), 0)::DOUBLE as {side}_{d}" for d in _DEMO]
    for c in COMPONENTS:
        b0, b1 = f"coalesce(s.b_{c}, false)", f"coalesce(e.b_{c}, false)"
        cols += [
            f"coalesce({exact_sum(f's.v_{c}', b0)}, 0) as n0_{c}",
            f"count(*) filter (where {b0})::DOUBLE as d0_{c}",
            f"coalesce({exact_sum(f'e.v_{c}', b1)}, 0) as n1_{c}",
            f"count(*) filter (where {b1})::DOUBLE as d1_{c}",
            f"coalesce({exact_sum(f's.v_{c}', f'{b0} and {b1}')}, 0) as sboth_{c}",
            f"coalesce({exact_sum(f'e.v_{c}', f'{b0} and {b1}')}, 0) as eboth_{c}",
            f"count(*) filter (where {b0} and {b1})::DOUBLE as kboth_{c}",
        ]
    # the rest follows (fewer aggregates over the million rows): in the base at the end only = all at
    # the end less those in it at both dates, and likewise at the start
    derived = []
    for c in COMPONENTS:
        derived += [(pl.col(f"eboth_{c}") - pl.col(f"sboth_{c}")).alias(f"both_{c}"),
                    (pl.col(f"n1_{c}") - pl.col(f"eboth_{c}")).alias(f"in_{c}"),
                    (pl.col(f"d1_{c}") - pl.col(f"kboth_{c}")).alias(f"kin_{c}"),
                    (pl.col(f"n0_{c}") - pl.col(f"sboth_{c}")).alias(f"out_{c}"),
                    (pl.col(f"d0_{c}") - pl.col(f"kboth_{c}")).alias(f"kout_{c}")]
    gone = f"case when s.died_in_year then '{DIED}' else '{OUTSIDE}' end" if deaths else f"'{OUTSIDE_OR_DIED}'"
    if deaths and covered is not None:  # a year without its death file: deaths and moves out are one flow
        years = ", ".join(str(y) for y in sorted(covered))
        gone = f"case when s.year in ({years}) then {gone} else '{OUTSIDE_OR_DIED}' end"
    # Every person present on either of two consecutive 1 January: one full join of the person-years.
    cells = frame(con, f"""
        with y as (select distinct year from _flow_wide)
        select coalesce(e.year, s.year + 1) as year,
               coalesce(s.location, case when e.birth_date >= make_date(e.year - 1, 1, 1) then '{BORN}'
                                         else '{OUTSIDE}' end) as from_location,
               coalesce(e.location, {gone}) as to_location,
               count(*) as n_persons, {", ".join(cols)}
        from (select * from _flow_wide where year + 1 in (select year from y)) s
        full join (select * from _flow_wide where year - 1 in (select year from y)) e
          on e.person_id = s.person_id and e.year = s.year + 1
        group by all order by all
    """).with_columns(derived)
    return cells, deaths


def _role(members: tuple[str, ...], f: str, t: str) -> tuple[str | None, str | None]:
    """(role, counterpart) of the flow cell f -> t for a group made of ``members``."""
    def cat(loc: str) -> str:
        return MONITORED if loc in AREA_IDS else loc

    if f in members and t in members:
        return "stayed", None
    if t in members:
        return "in", cat(f)
    if f in members:
        return "out", cat(t)
    return None, None


def _group_cells(cells: pl.DataFrame) -> list[tuple[str, int, str, str | None, dict]]:
    """(group, year, role, counterpart, cell row) for every group a cell concerns."""
    out = []
    for row in cells.iter_rows(named=True):
        for gid, members in group_members().items():
            role, cp = _role(members, row["from_location"], row["to_location"])
            if role is not None:
                out.append((gid, int(row["year"]), role, cp, row))
    return out


def compute_flows(cells: pl.DataFrame, deaths: bool) -> list[tuple]:
    """Rows of ``metrics.flows`` (see the module docstring) from the flow cells. A year whose deaths
    are not known (no death file for the year before) has ``out_outside_or_died`` instead of
    ``out_outside_kommune`` and ``out_died``."""
    counts: dict[tuple, int] = {}
    for g, y, role, cp, row in _group_cells(cells):
        counts[(g, y, role, cp)] = counts.get((g, y, role, cp), 0) + int(row["n_persons"])
    years = sorted({int(y) for y in cells["year"].to_list()})
    unknown_years = {int(y) for y in cells.filter(pl.col("to_location") == OUTSIDE_OR_DIED)["year"].to_list()}
    rows = []
    for gid in group_members():
        for y in years:
            flows = FLOWS if deaths and y not in unknown_years else FLOWS_NO_DEATHS
            vals = {f: counts.get((gid, y, d, c), 0) for f, d, c in flows}
            if not any(vals.values()):
                continue
            start = sum(vals[f] for f, d, _ in flows if d in ("stayed", "out"))
            end = sum(vals[f] for f, d, _ in flows if d in ("stayed", "in"))
            rows += [(gid, y, f, d, c, vals[f], start, end) for f, d, c in flows]
    return rows


def compute_profiles(cells: pl.DataFrame, settings: CriteriaSettings, last_flow_year: int) -> list[tuple]:
    """Rows of ``metrics.flow_profiles`` (see the module docstring) from the flow cells."""
    acc: dict[tuple[str, int, str], dict[str, float]] = {}
    for g, y, role, cp, row in _group_cells(cells):
        for fg, (want, cps) in PROFILE_GROUPS.items():
            if want == "resident":
                ok = role in ("stayed", "in")
            else:
                ok = role == want and (cps is None or cp in cps)
            if not ok:
                continue
            side = "s" if role == "out" else "e"
            num = "n0" if side == "s" else "n1"
            den = "d0" if side == "s" else "d1"
            a = acc.setdefault((g, y, fg), {})
            for d in _DEMO:
                a[d] = a.get(d, 0.0) + row[f"{side}_{d}"]
            for c in COMPONENTS:
                a[f"n_{c}"] = a.get(f"n_{c}", 0.0) + row[f"{num}_{c}"]
                a[f"d_{c}"] = a.get(f"d_{c}", 0.0) + row[f"{den}_{c}"]
    rows = []
    for (g, y, fg), a in sorted(acc.items()):
        at = y - 1 if PROFILE_GROUPS[fg][0] == "out" else y
        n = a["persons"]
        for k in ("nonwestern", *AGE_BANDS, *HOUSEHOLD_TYPES):
            v = a["nonwestern_n" if k == "nonwestern" else k]
            rows.append((g, y, fg, k, v, n, 100.0 * v / n if n else None, "pct", True))
        for measure, (comp, unit) in PROFILE_MEASURES.items():
            if comp is None:
                continue
            complete = comp.startswith("education") or at - population_shift(settings, comp) <= last_flow_year
            num, den = a[f"n_{comp}"], a[f"d_{comp}"]
            value = None
            if complete and den:
                value = num / den if unit == "kr" else 100.0 * num / den
            rows.append((g, y, fg, measure, num if complete else None, den, value, unit, complete))
    return rows


# ---------------------------------------------------------------------------------------------
# decomposition


@dataclass
class Transition:
    """One data-year transition of one group and component: the start (N0, D0) and the factors'
    changes ``delta[k] = (ΔN_k, ΔD_k)`` and the persons behind each factor."""

    n0: float
    d0: float
    delta: dict[str, tuple[float, float]]
    behind: dict[str, int]

    @property
    def n1(self) -> float:
        return self.n0 + sum(v[0] for v in self.delta.values())

    @property
    def d1(self) -> float:
        return self.d0 + sum(v[1] for v in self.delta.values())


def shapley_parts(n0: float, d0: float, delta: dict[str, tuple[float, float]], scale: float = 100.0,
                  ref: tuple[float, float] | None = None) -> dict[str, float] | None:
    """Exact, order-free split of the change of ``scale · N/D`` (divided by a reference R0 → R1 when
    ``ref`` is given, as the extra factor ``reference``) into the factors of ``delta``.

    Returns factor -> points (Shapley values: the mean marginal contribution over every order of the
    factors), or None when the start or the end has an empty base. Orders that pass through an empty
    base are left out (each remaining order still adds up to the change exactly).
    """
    factors = list(delta) + (["reference"] if ref is not None else [])

    def f(subset: frozenset) -> float | None:
        # fsum: a frozenset of names is iterated in an order that changes with the process's string
        # hash seed; a plain sum then differed in the last digits from one build to the next
        n = math.fsum([n0, *(delta[k][0] for k in subset if k in delta)])
        d = math.fsum([d0, *(delta[k][1] for k in subset if k in delta)])
        if d <= 0:
            return None
        v = scale * n / d
        if ref is not None:
            r = ref[1] if "reference" in subset else ref[0]
            v = v / r
        return v

    full = frozenset(factors)
    if f(frozenset()) is None or f(full) is None:
        return None
    sums = dict.fromkeys(factors, 0.0)
    n_ok = 0
    for order in itertools.permutations(factors):
        contrib = {}
        cur: frozenset = frozenset()
        prev = f(cur)
        ok = True
        for k in order:
            nxt = cur | {k}
            v = f(nxt)
            if v is None:
                ok = False
                break
            contrib[k] = v - prev
            cur, prev = nxt, v
        if ok:
            n_ok += 1
            for k, v in contrib.items():
                sums[k] += v
    if n_ok == 0:
        return None
    return {k: v / n_ok for k, v in sums.items()}


def transitions(cells: pl.DataFrame, settings: CriteriaSettings) -> dict[tuple[str, str, int], Transition]:
    """(group, component, data year of the end) -> :class:`Transition`, summed over the flow cells."""
    acc: dict[tuple[str, str, int], dict[str, float]] = {}
    for g, y, role, _cp, row in _group_cells(cells):
        for c in COMPONENTS:
            key = (g, c, y - population_shift(settings, c))
            a = acc.setdefault(key, dict.fromkeys(
                ("n0", "d0", "dn_st", "k_st", "dn_out", "dd_out", "dn_in", "dd_in", "dn_age", "dd_age", "k_age"), 0.0))
            if role in ("stayed", "out"):
                a["n0"] += row[f"n0_{c}"]
                a["d0"] += row[f"d0_{c}"]
            if role == "stayed":
                a["dn_st"] += row[f"both_{c}"]
                a["k_st"] += row[f"kboth_{c}"]
                a["dn_age"] += row[f"in_{c}"] - row[f"out_{c}"]
                a["dd_age"] += row[f"kin_{c}"] - row[f"kout_{c}"]
                a["k_age"] += row[f"kin_{c}"] + row[f"kout_{c}"]
            elif role == "out":
                a["dn_out"] -= row[f"n0_{c}"]
                a["dd_out"] -= row[f"d0_{c}"]
            else:
                a["dn_in"] += row[f"n1_{c}"]
                a["dd_in"] += row[f"d1_{c}"]
    out = {}
    for key, a in acc.items():
        delta = {"stayers": (a["dn_st"], 0.0), "out_movers": (a["dn_out"], a["dd_out"]),
                 "in_movers": (a["dn_in"], a["dd_in"]), "ageing": (a["dn_age"], a["dd_age"])}
        behind = {"stayers": int(a["k_st"]), "out_movers": int(-a["dd_out"]), "in_movers": int(a["dd_in"]),
                  "ageing": int(a["k_age"])}
        out[key] = Transition(a["n0"], a["d0"], delta, behind)
    return out


#: criterion -> (component for a list year's rule version, list-year offset of the (last) data year)
def _component(criterion: str, list_year: int) -> str:
    if criterion == "education":
        return "education_2013" if rules_for(list_year).id in ("2010", "2013") else "education_2018"
    return criterion


def _avg_years(criterion: str, list_year: int) -> int:
    if criterion in ("employment", "crime"):
        return rules_for(list_year).measures[criterion].average_years
    return 1


def _last_data_year(criterion: str, list_year: int, settings: CriteriaSettings) -> int:
    if criterion in ("employment", "crime"):
        return list_year - 1
    if criterion == "income":
        return list_year + settings.income_year_offset
    if criterion == "education":
        return list_year + settings.education_year_offset
    return list_year


def decompose(trans: dict[tuple[str, str, int], Transition], settings: CriteriaSettings, last_flow_year: int,
              region: dict[int, float]) -> list[tuple]:
    """Rows of ``metrics.criteria_decomposition`` (see the module docstring)."""
    rows: list[tuple] = []
    groups = sorted({g for g, _, _ in trans})
    data_years = sorted({y for _, _, y in trans})
    flow_components = ("employment", "crime", "income")

    def emit(g, criterion, level, y0, y1, v0, v1, parts, persons, base, behind, unit):
        for k in parts:
            rows.append((g, criterion, level, y0, y1, v0, v1, k, parts[k], persons.get(k), base.get(k),
                         behind.get(k), unit))
        rows.append((g, criterion, level, y0, y1, v0, v1, "total", v1 - v0,
                     None if any(persons.get(k) is None for k in parts) else sum(persons[k] for k in PARTS),
                     sum(base[k] for k in PARTS), None, unit))

    # Data-year level: every transition of every component as it is measured (share or mean).
    for (g, comp, y), t in sorted(trans.items()):
        if comp in flow_components and y > last_flow_year:
            continue
        if comp.startswith("education") and comp != _component("education", y - settings.education_year_offset):
            continue  # the education series of the rule in force for the list year of that status date
        if comp == "income":
            unit, scale = "kr", 1.0
        else:
            unit, scale = "pp", 100.0
        parts = shapley_parts(t.n0, t.d0, t.delta, scale)
        if parts is None:
            continue
        v0, v1 = scale * t.n0 / t.d0, scale * t.n1 / t.d1
        persons = {k: (None if comp == "income" else t.delta[k][0]) for k in PARTS}
        base = {k: t.delta[k][1] for k in PARTS}
        emit(g, "education" if comp.startswith("education") else comp, "data_year", y - 1, y, v0, v1, parts,
             persons, base, t.behind, unit)

    # List-year level: the criterion as the list uses it.
    list_years = sorted({y for y in range(min(data_years, default=0), max(data_years, default=-1) + 2)})
    for g in groups:
        for criterion in ("employment", "crime", "education", "income", "nonwestern"):
            for t_year in list_years:
                comp = _component(criterion, t_year)
                if comp != _component(criterion, t_year - 1):
                    continue  # the definition changes between the two lists
                k = _avg_years(criterion, t_year)
                if k != _avg_years(criterion, t_year - 1):
                    continue
                last = _last_data_year(criterion, t_year, settings)
                ends = list(range(last - k + 1, last + 1))  # data years ending the k transitions
                if criterion in flow_components and last > last_flow_year:
                    continue
                ts = [trans.get((g, comp, y)) for y in ends]
                if any(x is None for x in ts):
                    continue
                persons = {p: (None if criterion == "income" else sum(x.delta[p][0] for x in ts) / k) for p in PARTS}
                base = {p: sum(x.delta[p][1] for x in ts) / k for p in PARTS}
                behind = {p: sum(x.behind[p] for x in ts) for p in PARTS}
                if criterion == "income":
                    r0, r1 = region.get(last - 1), region.get(last)
                    t0 = ts[0]
                    if r0 is None or r1 is None:
                        continue
                    parts = shapley_parts(t0.n0, t0.d0, t0.delta, 100.0, (r0, r1))
                    if parts is None:
                        continue
                    v0, v1 = 100.0 * t0.n0 / t0.d0 / r0, 100.0 * t0.n1 / t0.d1 / r1
                    persons["reference"], base["reference"], behind["reference"] = None, 0.0, None
                    emit(g, criterion, "list_year", t_year - 1, t_year, v0, v1, parts, persons, base, behind,
                         "pct_of_region")
                    continue
                if k == 1 or settings.average_method == "mean_of_shares":
                    each = [shapley_parts(x.n0, x.d0, x.delta) for x in ts]
                    if any(p is None for p in each):
                        continue
                    parts = {p: sum(e[p] for e in each) / k for p in PARTS}
                    # value of a k-year mean of shares: the k yearly values before and after
                    v_before = [100.0 * x.n0 / x.d0 for x in ts]
                    v_after = [100.0 * x.n1 / x.d1 for x in ts]
                    # years t-1-k .. t-2 (the earlier list) and t-k .. t-1 (this list)
                    v0 = (v_before[0] + sum(v_after[:-1])) / k
                    v1 = sum(v_after) / k
                else:  # pooled: the factors' changes summed over the k transitions
                    n0 = ts[0].n0 + sum(x.n1 for x in ts[:-1])
                    d0 = ts[0].d0 + sum(x.d1 for x in ts[:-1])
                    delta = {p: (sum(x.delta[p][0] for x in ts), sum(x.delta[p][1] for x in ts)) for p in PARTS}
                    parts = shapley_parts(n0, d0, delta)
                    if parts is None:
                        continue
                    v0 = 100.0 * n0 / d0
                    v1 = 100.0 * (n0 + sum(d[0] for d in delta.values())) / (d0 + sum(d[1] for d in delta.values()))
                emit(g, criterion, "list_year", t_year - 1, t_year, v0, v1, parts, persons, base, behind, "pp")
    return rows


def compute(con: duckdb.DuckDBPyConnection, settings: CriteriaSettings) -> dict:
    """Everything the step saves, as rows per table (used by the step, the tests and the notebook),
    with ``deaths_known`` and the flow ``cells`` (:func:`prepare_cells`)."""
    person_measures(con, settings, "_flow_person", components=tuple(c for c in COMPONENTS if c != "nonwestern"))
    cells, deaths = prepare_cells(con, settings)
    years = [int(r[0]) for r in con.execute("select distinct year from core.person_year order by 1").fetchall()]
    last = years[-1] if years else 0
    last_flow = last if settings.current_year_flows == "use" else last - 1
    _national, region = reference_series(con)
    matrix = [(int(r["year"]), r["from_location"], r["to_location"], int(r["n_persons"]))
              for r in cells.select("year", "from_location", "to_location", "n_persons").iter_rows(named=True)]
    return {
        "deaths_known": deaths,
        "cells": cells,
        "matrix": matrix,
        "flows": compute_flows(cells, deaths),
        "profiles": compute_profiles(cells, settings, last_flow),
        "decomposition": decompose(transitions(cells, settings), settings, last_flow, region),
    }


#: SQL types of the saved columns (any other column is DOUBLE).
_TYPES = {"area_id": "VARCHAR", "year": "INTEGER", "from_year": "INTEGER", "from_location": "VARCHAR",
          "to_location": "VARCHAR", "flow": "VARCHAR", "direction": "VARCHAR", "counterpart": "VARCHAR",
          "persons": "DOUBLE", "residents_start": "BIGINT", "residents_end": "BIGINT", "flow_group": "VARCHAR",
          "measure": "VARCHAR", "unit": "VARCHAR", "complete": "BOOLEAN", "criterion": "VARCHAR",
          "level": "VARCHAR", "part": "VARCHAR", "part_persons": "BIGINT"}


def _save(con: duckdb.DuckDBPyConnection, name: str, columns: tuple[str, ...], rows: list[tuple],
          int_persons: bool = False) -> None:
    """``create or replace table name`` with the typed columns and the rows (one statement)."""
    types = {c: _TYPES.get(c, "DOUBLE") for c in columns}
    if int_persons:
        types["persons"] = "BIGINT"
    cols = ", ".join(f"{c} {t}" for c, t in types.items())
    con.execute(f"create or replace table {name} ({cols})")
    if rows:
        pl_types = {"VARCHAR": pl.Utf8, "INTEGER": pl.Int64, "BIGINT": pl.Int64, "DOUBLE": pl.Float64,
                    "BOOLEAN": pl.Boolean}
        df = pl.DataFrame(rows, schema={c: pl_types[t] for c, t in types.items()}, orient="row")  # noqa: F841
        con.execute(f"insert into {name} select * from df")


def run(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> StepResult:
    res = StepResult("flows")
    try:
        settings = from_mapping((ctx.settings or {}).get("criteria"))
    except ValueError as e:
        res.errors.append(str(e))
        return res
    con.execute("create schema if not exists metrics")
    ctx.say("flows: loading core.person_year, the death register and the criteria's measures on persons")
    out = compute(con, settings)
    _save(con, "metrics.flow_matrix", ("year", "from_location", "to_location", "persons"), out["matrix"], True)
    _save(con, "metrics.flows", FLOW_COLUMNS, out["flows"], True)
    _save(con, "metrics.flow_profiles", PROFILE_COLUMNS, out["profiles"])
    _save(con, "metrics.criteria_decomposition", DECOMP_COLUMNS, out["decomposition"])
    for t in ("flow_matrix", "flows", "flow_profiles", "criteria_decomposition"):
        res.table_count(con, f"metrics.{t}")
    unknown = sorted({r[1] for r in out["flows"] if r[2] == "out_outside_or_died"})
    if out["deaths_known"] and unknown:
        res.messages.append("flows: the death register lacks the year(s) before "
                            f"{', '.join(map(str, unknown))}: those years count deaths and moves out of the "
                            "municipality as one flow ('outside_or_died')")
        ctx.say(res.messages[-1])
    if not out["deaths_known"]:
        res.messages.append("flows: no death register (doedsfald): persons who left the population between two "
                            "1 January are counted as 'outside_or_died' (moved out of the municipality or died)")
    if settings.employment_denominator != "headcount":
        res.messages.append("flows: the employment decomposition uses the headcount denominator; the criterion "
                            "uses the mean headcount (setting employment_denominator), so they differ slightly")
    msg = (f"flows: saved metrics.flows ({len(out['flows']):,} rows), flow_profiles, flow_matrix and "
           f"criteria_decomposition ({len(out['decomposition']):,} rows)")
    res.messages.append(msg)
    ctx.say(msg)
    return res


# ---------------------------------------------------------------------------------------------
# published tables (builders for boligmonitor.publish.TABLES)


#: The areas whose profiles and decomposition are published: all five plan areas together and the
#: municipality. A single area's movers are a few dozen persons a year: most of their age bands,
#: household types and criteria counts are under 5 and (declared with every relation they take part in:
#: the group's size is a sum of ``flytninger`` cells, residents = stayers + in-movers + newborns) they
#: chain every small flow of the area into one problem that hides the area's residents (measured:
#: scale 0.1, 517 s and still failing). The single areas' flows stay in ``flytninger``.
PUBLISHED_FLOW_GROUPS = (PLAN_TOTAL_ID, KOMMUNE_ID)
#: The groups of ``flytninger_profiler`` that are published (the site's profile table): the splits of the
#: movers by origin and destination are not (each split adds relations and small cells; the origins
#: and destinations themselves are in ``flytninger``).
PUBLISHED_PROFILE_GROUPS = ("stayed", "moved_in", "moved_out", "residents")
#: Measures taken on every person of a group: their denominator is the group's size.
EVERY_PERSON = ("nonwestern", *AGE_BANDS, *HOUSEHOLD_TYPES)


def _settings_from_db(con: duckdb.DuckDBPyConnection) -> CriteriaSettings:
    """The criteria settings the build used (``metrics.criteria_settings``: name, Python literal)."""
    import ast

    if not _has(con, "metrics.criteria_settings"):
        return from_mapping(None)
    rows = con.execute("select name, value_text from metrics.criteria_settings").fetchall()
    return from_mapping({k: ast.literal_eval(v) for k, v in rows})


def published_profiles(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """``flytninger_profiler`` as computed, for disclosure control by
    :data:`boligmonitor.publish.PROFILES` (no rule is applied here).

    Published columns: area_id, year, flow_group (:data:`PUBLISHED_PROFILE_GROUPS`), measure
    (:data:`PROFILE_MEASURES`), numerator (persons; full-time persons for employment; kr for income),
    denominator (persons), value (pct; kr for income), unit, complete. Model-only columns:
    ``_crit_num``/``_crit_den`` (the residents' criteria measures are the criteria's yearly numerator
    and denominator of the data year ``year`` minus the component's population shift, the cells
    ``kriterier`` publishes) and ``_crit_year``.
    """
    settings = _settings_from_db(con)
    df = frame(con, f"""select area_id, year, flow_group, measure, numerator, denominator, value, unit, complete
                       from metrics.flow_profiles where flow_group in ({_in_list(PUBLISHED_PROFILE_GROUPS)})
                         and area_id in ({_in_list(PUBLISHED_FLOW_GROUPS)})
                       order by area_id, year, flow_group, measure""")
    comp = {m: c for m, (c, _) in PROFILE_MEASURES.items() if c is not None}

    def crit_year(measure: str, year: int) -> int | None:
        c = comp.get(measure)
        if c is None:
            return None
        d = year - population_shift(settings, c)
        if c.startswith("education"):  # the list year whose education status date is d must use this rule
            if _component("education", d - settings.education_year_offset) != c:
                return None
        return d

    cy = [crit_year(m, int(y)) if g == "residents" else None
          for g, m, y in zip(df["flow_group"].to_list(), df["measure"].to_list(), df["year"].to_list())]
    df = df.with_columns(pl.Series("_crit_year", cy, dtype=pl.Int64), pl.lit(False).alias("suppressed"))
    linked = pl.col("_crit_year").is_not_null()
    return df.with_columns(pl.when(linked).then(pl.col("numerator")).alias("_crit_num"),
                           pl.when(linked).then(pl.col("denominator")).alias("_crit_den"))




def published_decomposition(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """``kriterier_dekomponering`` as computed, for disclosure control by
    :data:`boligmonitor.publish.DECOMPOSITION` (no rule is applied here).

    Published columns: area_id (only :data:`PUBLISHED_FLOW_GROUPS`), criterion, level (only ``list_year``: the criterion as the list uses
    it; the data-year level is not published), from_year, year, value_from, value_to, part
    (:data:`PARTS`, ``reference`` for income, ``total``), points (pp; points of the region's mean for
    income), persons (the part's change of the criterion's numerator: persons, full-time persons for
    employment, the mean of the yearly changes for a two-year criterion; NULL for income), unit.
    The change of the base (``base_persons``) is not published: it restates counts of movers.

    Model-only columns (dropped when published): ``_base`` (the part's change of the base, persons),
    ``part_persons`` (the persons behind a part), ``_k`` (the years the criterion averages),
    ``_num_from``/``_num_to``/``_den_from``/``_den_to`` on the total row (the criterion's numerator
    and denominator at both ends: the cells ``kriterier`` and, for the non-Western share,
    ``befolkning`` publish), ``_movers_in``/``_movers_out`` (non-Western share: the base of the in-
    and out-movers is every in-/out-flow of ``flytninger``) and the movers' profiles
    (:func:`_movers_profiles`).
    """
    groups = _in_list(PUBLISHED_FLOW_GROUPS)
    df = frame(con, f"""select area_id, criterion, level, from_year, year, value_from, value_to, part, points,
                              persons, base_persons as _base, part_persons, unit
                       from metrics.criteria_decomposition where level = 'list_year' and area_id in ({groups})
                       order by area_id, criterion, level, year, part""")
    # the criterion at both ends: list-year numerator and denominator (as ``kriterier``; the non-Western
    # share: non-Western residents and residents, as ``befolkning``)
    ends = frame(con, f"""
        select distinct area_id, criterion, list_year as y, numerator as n, denominator as d
        from metrics.criteria_values where numerator is not null and denominator is not null and missing_years is null
        union all
        select area_id, 'nonwestern', year, count(*) filter (where nonwestern), count(*)
        from ({_area_rows_sql()}) group by all
    """)
    ends = ends.unique(["area_id", "criterion", "y"], keep="first")
    k = [_avg_years(c, int(y)) for c, y in zip(df["criterion"].to_list(), df["year"].to_list())]
    total = pl.col("part") == "total"
    nonw = pl.col("criterion") == "nonwestern"
    ends_t = ends.with_columns(pl.col("y").cast(df.schema["year"]))
    df = (df.join(ends_t.rename({"y": "from_year", "n": "_n0", "d": "_d0"}), on=["area_id", "criterion", "from_year"],
                  how="left")
            .join(ends_t.rename({"n": "_n1", "d": "_d1"}), left_on=["area_id", "criterion", "year"],
                  right_on=["area_id", "criterion", "y"], how="left"))
    df = df.with_columns(
        pl.Series("_k", k, dtype=pl.Int64),
        pl.lit(False).alias("suppressed"),
        pl.when(pl.col("part_persons") > 0).then(pl.col("part_persons")).alias("part_persons"),
        *(pl.when(total).then(pl.col(f"_{x}")).alias(f"_{name}") for x, name in
          (("n0", "num_from"), ("n1", "num_to"), ("d0", "den_from"), ("d1", "den_to"))),
        pl.when(nonw & (pl.col("part") == "in_movers")).then(pl.col("_base")).alias("_movers_in"),
        pl.when(nonw & (pl.col("part") == "out_movers")).then(-pl.col("_base")).alias("_movers_out"),
    ).drop("_n0", "_n1", "_d0", "_d1").sort(["area_id", "criterion", "level", "year", "part"])
    return df.with_columns(_movers_profiles(con, df, groups))


def _movers_profiles(con: duckdb.DuckDBPyConnection, df: pl.DataFrame, groups: str) -> list[pl.Series]:
    """For the in- and out-movers' rows of ``df`` (the decomposition): the numerators ``_pn1``, ``_pn2``
    (profile years ``_py1``, ``_py2``) of the same movers in ``flytninger_profiler`` (moved_in or
    moved_out, the criterion's measure) for each data year of the change (one, or two for a two-year
    criterion), and ``_persons_neg`` (minus the out-movers' persons). The
    profiles leave out newborns and deaths, so: in-movers' part = the profiles' mean (+ non-Western
    newborns), out-movers' part = minus (the profiles' mean + deaths). Education is linked where the
    list uses the 2018 rule (the profiles measure that one); income has no persons, only its base."""
    settings = _settings_from_db(con)
    prof = frame(con, f"""select area_id, year, flow_group, measure, numerator, denominator
                          from metrics.flow_profiles where flow_group in ('moved_in', 'moved_out')
                            and area_id in ({groups})""")
    look = {(r["area_id"], int(r["year"]), r["flow_group"], r["measure"]): r["numerator"]
            for r in prof.iter_rows(named=True)}
    cols: dict[str, list] = {c: [] for c in ("_pn1", "_pn2", "_py1", "_py2")}
    for r in df.select("area_id", "criterion", "year", "part", "_k").iter_rows(named=True):
        vals: dict[str, float | None] = dict.fromkeys(cols)
        group = {"in_movers": "moved_in", "out_movers": "moved_out"}.get(r["part"])
        crit, year = r["criterion"], int(r["year"])
        comp = _component(crit, year) if crit != "nonwestern" else "nonwestern"
        if group is not None and comp != "education_2013":
            last = _last_data_year(crit, year, settings)
            shift = population_shift(settings, comp)
            for i, d in enumerate(range(last - r["_k"] + 1, last + 1), start=1):
                vals[f"_py{i}"] = d + shift
                vals[f"_pn{i}"] = None if crit == "income" else look.get((r["area_id"], d + shift, group, crit))
        for c in cols:
            cols[c].append(vals[c])
    out = [pl.Series(c, v, dtype=pl.Int64 if c.startswith("_py") else pl.Float64) for c, v in cols.items()]
    is_out = (df["part"] == "out_movers").to_list()
    out.append(pl.Series("_persons_neg", [None if not o or p is None else -p
                                          for o, p in zip(is_out, df["persons"].to_list())], dtype=pl.Float64))
    return out


def _area_rows_sql() -> str:
    """``core.person_year`` (area_id, year, nonwestern) for each monitored area, all five plan areas
    together and the whole municipality (as ``befolkning``)."""
    plan = _in_list(PLAN_AREA_IDS)
    sel = "select area_id, year, nonwestern from core.person_year"
    return f"""
        select area_id, year, nonwestern from ({sel}) where area_id is not null
        union all select '{PLAN_TOTAL_ID}', year, nonwestern from ({sel}) where area_id in ({plan})
        union all select '{KOMMUNE_ID}', year, nonwestern from ({sel})
    """
