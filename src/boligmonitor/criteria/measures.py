"""From registers to the criteria's building blocks: counts per group and data year.

``compute_components(con, settings)`` reads ``core.person_year`` and the staging registers and
returns one row per (group, data year, component) with a numerator and a denominator:

==================  ===========================================================================
component           numerator / denominator (data year y)
==================  ===========================================================================
residents           residents on 1 January of y / --
nonwestern          non-Western immigrants and descendants / residents (1 January of y)
employment          full-time persons outside labour market or education in calendar year y
                    (benefit days on weekdays x extent, capped at 1 per person) / residents 18-64
crime               residents 18+ convicted (straffeloven, våbenloven, lov om euforiserende
                    stoffer) in calendar year y / residents 18+
education_2018      residents 30-59 whose highest education taken in or approved in Denmark is
                    basic school or unknown / residents 30-59 (status 1 January of y)
education_2013      the same with self-reported and imputed educations counted (pre-2018 rule)
income              sum of gross income in income year y / taxable residents 15-64 not in
                    education (living in the area on 1 January of y+1)
==================  ===========================================================================

Every component except residents and non-Western is first measured on persons:
``person_measures(con, settings, table)`` writes one row per person, component and data year for every
person in the component's base (the denominator), with the person's contribution to the numerator.
``compute_components`` sums that table per group, and ``boligmonitor.flows`` reads the same table to
profile movers and decompose each criterion's change: one definition of each measure.

Groups (``group_id``): every area id, ``helhedsplan`` (the five plan areas together) and
``randers_kommune`` (every resident). ``reference_series(con)`` gives the national crime share
and the region's mean income by year. ``employment_categories(con, settings)`` splits the
employment numerator into the plan's categories A-E.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import duckdb

from boligmonitor.areas import person_groups_sql
from boligmonitor.criteria.settings import EMPLOYMENT_CATEGORIES, CriteriaSettings
from boligmonitor.db import exact_sum
from boligmonitor.ingest.load import incomplete_inputs

#: Laws whose convictions count (§ 61 a stk. 1 nr. 2).
CRIME_LAWS = ("STRFL", "VAABENL", "EUFL")
#: Education sources that count from 2018 (taken in or approved in Denmark).
EDUCATION_SOURCES_2018 = ("REG", "GODK")
#: Highest-education levels that mean basic school only / unknown.
BASIC_LEVEL, UNKNOWN_LEVEL = "10", "90"
#: A Monday, the origin of the weekday count.
_EPOCH = "DATE '1990-01-01'"


@dataclass
class Components:
    """``values[(group, component, year)] = (numerator, denominator)``; references by year."""

    values: dict[tuple[str, str, int], tuple[float, float | None]]
    national_crime: dict[int, float]
    region_income: dict[int, float]
    data_years: tuple[int, ...]
    #: the last calendar year whose flows (benefits, convictions, income) are complete
    last_flow_year: int
    #: (component, data year) -> why it is unknown: built on an incomplete or missing register-year
    #: (see :func:`affected_components`); those values are left out, so the criteria are unknown
    incomplete: dict[tuple[str, int], str] = field(default_factory=dict)

    def get(self, group: str, component: str, year: int) -> tuple[float, float | None] | None:
        return self.values.get((group, component, year))

    def groups(self) -> list[str]:
        return sorted({g for g, _, _ in self.values})

    #: components that are stocks on 1 January (the rest are calendar-year flows)
    STOCKS = ("residents", "nonwestern", "education_2018", "education_2013")

    def latest_year(self, group: str, component: str, upto: int) -> int | None:
        ys = [y for (g, c, y) in self.values if g == group and c == component and y <= upto]
        return max(ys) if ys else None

    def carried_forward(self, until_list_year: int) -> tuple[Components, set]:
        """A copy where every component is carried forward from its latest known year (stocks from
        the last data year, flows from the last complete flow year) through the years list year
        ``until_list_year`` needs; returns it with the set of projected (group, component, year)."""
        values = dict(self.values)
        projected: set = set()
        last_stock = self.data_years[-1]
        for g, c in {(g, c) for g, c, _ in self.values}:
            stock = c in self.STOCKS
            src_year = self.latest_year(g, c, last_stock if stock else self.last_flow_year)
            if src_year is None:
                continue
            end = until_list_year if stock else until_list_year - 1
            for y in range(src_year + 1, end + 1):
                values[(g, c, y)] = self.values[(g, c, src_year)]
                projected.add((g, c, y))
        national = _carry(self.national_crime, until_list_year - 1)
        region = _carry(self.region_income, until_list_year - 1)
        comp = Components(values, national, region, self.data_years, max(self.last_flow_year, until_list_year - 1),
                          dict(self.incomplete))
        return comp, projected


def _carry(series: dict[int, float], until: int) -> dict[int, float]:
    out = dict(series)
    if out:
        last = max(out)
        for y in range(last + 1, until + 1):
            out[y] = out[last]
    return out


def _weekdays_through(d: str) -> str:
    """SQL: weekdays from the epoch Monday through date expression ``d`` (inclusive)."""
    n = f"(date_diff('day', {_EPOCH}, {d}) + 1)"
    return f"(5 * ({n} // 7) + least({n} % 7, 5))"


def _weekdays(a: str, b: str) -> str:
    return f"({_weekdays_through(b)} - {_weekdays_through(f'({a} - INTERVAL 1 DAY)::DATE')})"


def _has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()[0][0]
    )


def _prepare(con: duckdb.DuckDBPyConnection, settings: CriteriaSettings) -> None:
    """Temporary tables: group membership, de-duplicated benefit spells with FTE per person-year."""
    con.execute("create or replace temp table _crit_grp as "
                + person_groups_sql(con, "person_id, year, age, nonwestern", "group_id"))
    _prepare_fte(con, settings)


def _prepare_fte(con: duckdb.DuckDBPyConnection, settings: CriteriaSettings) -> None:
    """Temporary tables ``_crit_spells`` (benefit spells, de-duplicated over the yearly files) and
    ``_crit_fte`` (full-time persons outside the labour market per person, calendar year, category)."""
    if _has(con, "staging.benefits"):
        con.execute(
            """
            create or replace temp table _crit_spells as
            select person_id, benefit, start_date, end_date, extent_pct, coalesce(activated, false) as activated
            from staging.benefits
            qualify row_number() over (partition by person_id, benefit, start_date order by year desc) = 1
            """
        )
    else:
        con.execute(
            "create or replace temp table _crit_spells (person_id ubigint, benefit varchar, start_date date, "
            "end_date date, extent_pct integer, activated boolean)"
        )
    cats = []
    for cat, spec in EMPLOYMENT_CATEGORIES.items():
        for rule in spec["rules"]:
            codes = ", ".join(f"'{b}'" for b in rule["benefits"])
            cond = f"benefit in ({codes})"
            if rule["activated"] is not None:
                cond += f" and activated = {'true' if rule['activated'] else 'false'}"
            cats.append(f"when {cond} then '{cat}'")
    cat_case = "case " + " ".join(cats) + " else 'other' end"
    outside = ", ".join(f"'{b}'" for b in settings.outside_benefits) or "''"
    years = con.execute("select distinct year from core.person_year order by year").fetchall()
    year_list = ", ".join(str(y[0]) for y in years) or "0"
    s = "greatest(sp.start_date, make_date(y.year, 1, 1))"
    e = "least(coalesce(sp.end_date, make_date(y.year, 12, 31)), make_date(y.year, 12, 31))"
    year_wd = _weekdays("make_date(y.year, 1, 1)", "make_date(y.year, 12, 31)")
    con.execute(
        f"""
        create or replace temp table _crit_fte_spell as
        select sp.person_id, y.year, {cat_case} as category,
               greatest({_weekdays(s, e)}, 0)::DOUBLE / {year_wd} * sp.extent_pct / 100.0 as fte
        from _crit_spells sp
        join (select unnest([{year_list}]) as year) y
          on sp.start_date <= make_date(y.year, 12, 31)
         and coalesce(sp.end_date, DATE '9999-12-31') >= make_date(y.year, 1, 1)
        where sp.benefit in ({outside})
        """
    )
    # Per person-year: total FTE capped at 1, shared over the categories in proportion. Every sum of
    # FTE is exact (db.exact_sum): the same bits whatever order the spells come in.
    con.execute(
        f"""
        create or replace temp table _crit_fte as
        with tot as (select person_id, year, {exact_sum("fte")} as total from _crit_fte_spell group by all)
        select f.person_id, f.year, f.category,
               {exact_sum("f.fte")} * least(1.0, 1.0 / nullif(max(t.total), 0)) as fte
        from _crit_fte_spell f join tot t using (person_id, year)
        group by f.person_id, f.year, f.category
        """
    )


#: The components measured on persons (:func:`person_measures`), in the order they are built.
PERSON_COMPONENTS = ("employment", "crime", "education_2018", "education_2013", "income")


def population_shift(settings: CriteriaSettings, component: str) -> int:
    """Years from a component's data year to the 1 January whose residents are its base: employment
    0 ("start") or 1 ("end", setting ``employment_population_date``), income 1 (earners living in
    the area on 1 January after the income year), every other component 0."""
    if component == "employment":
        return 0 if settings.employment_population_date == "start" else 1
    if component == "income":
        return 1
    return 0


def person_measures(con: duckdb.DuckDBPyConnection, settings: CriteriaSettings, table: str = "_crit_person",
                    components: tuple[str, ...] = PERSON_COMPONENTS, prepared: bool = False) -> tuple[str, ...]:
    """The criteria's measures on persons: temporary table ``table`` with one row per person,
    component and data year for every person in the component's base (denominator).

    Columns: ``person_id`` (as in ``core.person_year``), ``area_id`` (the person's area on
    ``pop_year``, NULL outside the monitored areas), ``pop_year INTEGER`` (the 1 January whose
    residents form the base; the person's area that day is the one the person counts in),
    ``component VARCHAR``, ``data_year INTEGER``, ``value DOUBLE`` (the contribution to the
    numerator: full-time persons outside the labour market 0-1 for ``employment``; 1/0 convicted
    for ``crime``; 1/0 basic school only (or unknown, by setting) for ``education_*``; gross income
    in kr. for ``income``). Bases (the module docstring has the rules): employment residents 18-64,
    crime 18+, education 30-59 (without unknown educations when ``education_unknown_as_basic`` is
    off), income taxable residents 15-64 not in education. A component whose register is absent
    has no rows. ``prepared``: ``_crit_spells``/``_crit_fte`` exist already (``compute_components``).
    Returns the components written.
    """
    if not prepared:
        _prepare_fte(con, settings)
    parts: list[str] = []
    done: list[str] = []
    q = con.execute
    if "employment" in components:
        shift = population_shift(settings, "employment")
        parts.append(f"""
            select p.person_id, p.area_id, p.year as pop_year, 'employment' as component,
                   p.year - {shift} as data_year, coalesce(f.fte, 0)::DOUBLE as value
            from core.person_year p
            left join (select person_id, year, {exact_sum("fte")} as fte from _crit_fte group by all) f
              on f.person_id = p.person_id and f.year = p.year - {shift}
            where p.age between 18 and 64""")
        done.append("employment")
    if "crime" in components and _has(con, "staging.convictions"):
        date_col = "decision_date" if settings.conviction_date == "decision" else "offence_date"
        laws = ", ".join(f"'{x}'" for x in CRIME_LAWS)
        decs = ", ".join(f"'{x}'" for x in settings.conviction_decisions) or "''"
        parts.append(f"""
            select p.person_id, p.area_id, p.year, 'crime', p.year,
                   (c.person_id is not null)::INTEGER::DOUBLE
            from core.person_year p
            left join (select distinct person_id, year({date_col}) as y from staging.convictions
                       where law in ({laws}) and decision in ({decs}) and {date_col} is not null) c
              on c.person_id = p.person_id and c.y = p.year
            where p.age >= 18""")
        done.append("crime")
    if _has(con, "staging.education"):
        # One row per person-year already: the register's key is the person within each year's file
        # (checked at ingest; tests/test_criteria_measures.py guards the declaration).
        src18 = ", ".join(f"'{x}'" for x in EDUCATION_SOURCES_2018)
        for comp, valid in (("education_2018", f"e.education_source in ({src18})"), ("education_2013", "true")):
            if comp not in components:
                continue
            level = (
                f"case when e.person_id is null or coalesce(trim(e.highest_education), '') in ('', '9090') "
                f"or not ({valid}) then '{UNKNOWN_LEVEL}' else left(trim(e.highest_education), 2) end"
            )
            if settings.education_unknown_as_basic:
                value, base = f"{level} in ('{BASIC_LEVEL}', '{UNKNOWN_LEVEL}')", "true"
            else:
                value, base = f"{level} = '{BASIC_LEVEL}'", f"{level} <> '{UNKNOWN_LEVEL}'"
            parts.append(f"""
                select p.person_id, p.area_id, p.year, '{comp}', p.year, ({value})::INTEGER::DOUBLE
                from core.person_year p
                left join staging.education e on e.person_id = p.person_id and e.year = p.year
                where p.age between 30 and 59 and {base}""")
            done.append(comp)
    if "income" in components and _has(con, "staging.income"):
        max_year = q("select max(year) from core.person_year").fetchall()[0][0]
        # Students are left out: ongoing education on the population date (p.year), and with the
        # "ongoing_or_su" rule also an SU spell in the income year (i.year). Written as anti-joins on
        # the distinct (person, year) pairs, not as correlated EXISTS: the same rows, a third of the time.
        ctes, joins, keep = [], [], []
        if _has(con, "staging.education"):
            ctes.append("""ongoing as (select distinct person_id, year from staging.education
                                       where coalesce(trim(ongoing_education), '') <> '')""")
            joins.append("left join ongoing o on o.person_id = p.person_id and o.year = p.year")
            keep.append("o.person_id is null")
        if settings.students_rule == "ongoing_or_su":
            ctes.append("""su as (select distinct s.person_id, y.year from _crit_spells s
                                  join (select distinct year from staging.income) y
                                    on s.start_date <= make_date(y.year, 12, 31)
                                   and coalesce(s.end_date, DATE '9999-12-31') >= make_date(y.year, 1, 1)
                                  where s.benefit = 'SU')""")
            joins.append("left join su on su.person_id = p.person_id and su.year = i.year")
            keep.append("su.person_id is null")
        with_ = ("with " + ", ".join(ctes)) if ctes else ""
        parts.append(f"""
            select * from (
            {with_}
            select p.person_id, p.area_id, p.year, 'income', i.year, i.gross_income::DOUBLE
            from staging.income i  -- one row per person-year (the register's key)
            join core.person_year p on p.person_id = i.person_id and p.year = least(i.year + 1, {max_year})
            {" ".join(joins)}
            where i.taxable and p.age between 15 and 64 {"".join(" and " + k for k in keep)})""")
        done.append("income")
    # One statement per component, not one UNION ALL: DuckDB keeps every join's hash table of a
    # statement until the statement ends, so the union held all five (and their aggregates) at once
    # and could not run within a memory limit (scale 10 under 1 GB: out of memory). Apart, each
    # join builds, probes and is freed before the next; the rows are the same.
    if parts:
        q(f"create or replace temp table {table} as {parts[0]}")  # the columns' types as core.person_year's
        for part in parts[1:]:
            q(f"insert into {table} {part}")
    else:
        q(f"create or replace temp table {table} (person_id ubigint, area_id varchar, pop_year integer, component varchar, "
          "data_year integer, value double)")
    return tuple(done)


def compute_components(con: duckdb.DuckDBPyConnection, settings: CriteriaSettings) -> Components:
    _prepare(con, settings)
    rows: list[tuple[str, str, int, float, float | None]] = []
    q = con.execute

    rows += q(
        """select group_id, 'residents', year, count(*)::DOUBLE, NULL from _crit_grp group by all
           union all
           select group_id, 'nonwestern', year, count(*) filter (where nonwestern)::DOUBLE, count(*)::DOUBLE
           from _crit_grp group by all"""
    ).fetchall()

    # Employment, crime, education and income: the person-level measures summed per group.
    person_measures(con, settings, "_crit_person", prepared=True)
    # Summed per group over the persons, exactly (db.exact_sum): a DOUBLE sum changed in the last
    # digits with the order DuckDB's threads met the persons in.
    measured = q(
        f"""select g.group_id, m.component, m.data_year, {exact_sum("m.value")}, count(*)::DOUBLE
           from _crit_person m join _crit_grp g on g.person_id = m.person_id and g.year = m.pop_year
           group by all"""
    ).fetchall()
    if settings.employment_denominator == "headcount_mean":
        heads = {
            (g, y): n
            for g, y, n in q(
                "select group_id, year, count(*)::DOUBLE from _crit_grp where age between 18 and 64 group by all"
            ).fetchall()
        }
        measured = [
            (g, c, y, n, (heads.get((g, y), d) + heads.get((g, y + 1), heads.get((g, y), d))) / 2)
            if c == "employment" else (g, c, y, n, d)
            for g, c, y, n, d in measured
        ]
    rows += measured

    values = {(g, c, int(y)): (float(n), None if d is None else float(d)) for g, c, y, n, d in rows}
    national, region = reference_series(con)
    years = tuple(int(y[0]) for y in q("select distinct year from core.person_year order by 1").fetchall())
    last = years[-1] if years else 0
    last_flow = last if settings.current_year_flows == "use" else last - 1
    # Completeness: a component-year built on an incomplete register-year is unknown, not computed
    # from the rows that are left (ingest/rules.py INCOMPLETE_SHARE; docs/ingestion.md).
    incomplete: dict[tuple[str, int], str] = {}
    for reg, year, _sf, reason in incomplete_inputs(con):
        for key in affected_components(reg, year, settings, years):
            incomplete.setdefault(key, reason)
    if incomplete:
        values = {k: v for k, v in values.items() if (k[1], k[2]) not in incomplete}
    return Components(values, national, region, years, last_flow, incomplete)


def affected_components(register: str, year: int | None, settings: CriteriaSettings,
                        data_years: tuple[int, ...] = ()) -> list[tuple[str, int]]:
    """The (component, data year) pairs computed from ``register``'s file for ``year`` (see the
    table in the module docstring): what an incomplete register-year makes unknown.

    befolkning y: every stock of y, crime y, employment of the year whose population date is y,
    income y-1 (its population date is 1 January y); ydelser y: employment y (and income y when
    SU spells count as education); uddannelse y: the education stocks of y and income y-1
    (ongoing education on the population date); indkomst y: income y; afgoerelser y: crime y (by
    decision date), or crime of every year up to y (by offence date: an offence may be decided
    years later)."""
    if year is None:
        return []
    shift = 0 if settings.employment_population_date == "start" else 1
    edu = [("education_2018", year), ("education_2013", year)]
    if register == "befolkning":
        return [("residents", year), ("nonwestern", year), *edu, ("crime", year),
                ("employment", year - shift), ("income", year - 1)]
    if register == "ydelser":
        return [("employment", year)] + ([("income", year)] if settings.students_rule == "ongoing_or_su" else [])
    if register == "uddannelse":
        return [*edu, ("income", year - 1)]
    if register == "indkomst":
        return [("income", year)]
    if register == "afgoerelser":
        if settings.conviction_date == "decision":
            return [("crime", year)]
        return [("crime", y) for y in (data_years or (year,)) if y <= year]
    return []


def reference_series(con: duckdb.DuckDBPyConnection) -> tuple[dict[int, float], dict[int, float]]:
    national: dict[int, float] = {}
    region: dict[int, float] = {}
    if _has(con, "staging.ref_national_crime"):
        national = {int(y): float(v) for y, v in con.execute(
            "select year, pct_convicted from staging.ref_national_crime where pct_convicted is not null").fetchall()}
    if _has(con, "staging.ref_region_income"):
        region = {int(y): float(v) for y, v in con.execute(
            "select year, mean_gross_income from staging.ref_region_income where mean_gross_income is not null"
        ).fetchall()}
    return national, region


def employment_categories(con: duckdb.DuckDBPyConnection, settings: CriteriaSettings) -> list[tuple]:
    """(group_id, year, category, label, fulltime_persons) for the plan's categories A-E and the total.

    Needs ``compute_components`` (or ``_prepare``) to have run on the connection.
    """
    pop_shift = 0 if settings.employment_population_date == "start" else 1
    rows = con.execute(
        f"""
        with pop as (
            select group_id, year - {pop_shift} as y, person_id from _crit_grp where age between 18 and 64
        )
        select p.group_id, p.y, f.category, {exact_sum("f.fte")}
        from pop p join _crit_fte f on f.person_id = p.person_id and f.year = p.y
        group by all
        """
    ).fetchall()
    labels = {k: v["label"] for k, v in EMPLOYMENT_CATEGORIES.items()}
    labels["other"] = "Øvrige ydelser, der tæller som uden for arbejdsmarkedet"
    out: dict[tuple, float] = {}
    groups_years = {(g, y) for g, y, _, _ in rows}
    for g, y, cat, fte in rows:
        out[(g, y, cat)] = fte
    for g, y in groups_years:
        for cat in EMPLOYMENT_CATEGORIES:
            out.setdefault((g, y, cat), 0.0)
        # fsum: correctly rounded, so independent of the order the rows came back in
        out[(g, y, "total")] = math.fsum(v for (g2, y2, c), v in out.items() if g2 == g and y2 == y and c != "total")
    labels["total"] = "Fuldtidspersoner i alt"
    return sorted((g, y, c, labels[c], v) for (g, y, c), v in out.items())
