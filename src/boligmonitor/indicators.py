"""The plan's goal indicators and the descriptive figures the calibration needs.

Step contract: loads ``core.person_year`` and ``staging.*`` (and ``geo.address_area`` for the
eviction cases, which carry an address, not a person), computes every indicator in
``data/indicators.csv`` that registers can compute plus the descriptive figures of the plan
(residents, shares, education, employment in full-time persons, crime, ...), and saves
``metrics.indicators(area_id, year, indicator_id, numerator, denominator, value, unit)`` for each
area id, ``helhedsplan`` (all five plan areas) and ``randers_kommune``. An indicator-year built on
an incomplete or missing register-year (``staging.load_log`` status ``incomplete``/``missing``) is
left out and listed in ``metrics.indicator_gaps(indicator_id, year, register, reason)`` ("kan ikke
måles: ..."), see :func:`apply_gaps`.

Conventions: a person's area in year *y* is the area of their address on 1 January *y*
(``core.person_year``); events of year *y* (benefit spells, decisions, enrolments, ...) are
attributed to that area. ``pct`` values are 0-100; ``per_1000`` per 1,000 residents; ``fte``
full-time persons (days of the spell in the year / days in the year x extent); ``count`` a
number of persons or cases; ``mark`` a mean mark.
"""

from __future__ import annotations

import duckdb

from boligmonitor import areas as A
from boligmonitor.criteria.measures import CRIME_LAWS
from boligmonitor.db import exact_avg, exact_sum
from boligmonitor.steps import BuildContext, StepResult

#: Schemas this step writes (created by the pipeline before it runs alongside another step).
SCHEMAS = ("metrics",)
PLAN_AREAS_SQL = ", ".join(f"'{a}'" for a in A.PLAN_AREA_IDS)


def employment_category_sql() -> str:
    """SQL CASE mapping a benefit spell (benefit, activated) to the plan's categories A-E."""
    from boligmonitor.criteria.settings import EMPLOYMENT_CATEGORIES

    whens = []
    for cat, spec in EMPLOYMENT_CATEGORIES.items():
        for rule in spec["rules"]:
            codes = ", ".join(f"'{b}'" for b in rule["benefits"])
            cond = f"benefit in ({codes})"
            if rule["activated"] is True:
                cond += " and activated"
            elif rule["activated"] is False:
                cond += " and not coalesce(activated, false)"
            whens.append(f"when {cond} then '{cat}'")
    return "case " + " ".join(whens) + " end"


def _exists(con, table: str) -> bool:
    # fetchall (never fetchone) everywhere here: a result left open makes DuckDB run the following
    # queries of the connection on one thread (the step took 7 s instead of 3 s).
    schema, name = table.split(".")
    return con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, name]
    ).fetchall()[0][0] > 0



#: Per small register, its per person-year facts for ``_ind_events`` (see ``_prepare``).
_EVENTS = {
    "convictions": "select person_id, year, count(*) as decisions from staging.convictions "
                   f"where law in ({', '.join(repr(law) for law in CRIME_LAWS)}) group by all",
    "job_grants": "select person_id, year, count(*) as grants from staging.job_grants group by all",
    "jobready": "select person_id, year, count(*) as months from staging.jobready group by all",
    "charges": "select distinct person_id, year, true as charged from staging.charges",
    "daycare": "select distinct person_id, year, true as daycare from staging.daycare",
    "youth_school": "select distinct person_id, year, true as youth_school from staging.youth_school",
}
#: Share of residents of an age band with at least one row in the register in the year.
_EVENT_BANDS = {"charged": (15, 29), "daycare": (1, 5), "youth_school": (14, 18)}


def _any_row_share(flag: str) -> tuple[str, str]:
    """Share of residents in the age band of ``flag`` (:data:`_EVENT_BANDS`) with at least one row
    in its register in the year (charged, enrolled in day care, enrolled in the youth school); only
    groups with someone in the band."""
    return ("pct", f"select grp, year, {flag}_n n, {flag}_d d from _ind_pa where {flag}_d > 0")

#: The columns of ``core.person_year`` the indicators read (``pa`` holds only these, plus ``grp``).
_PA_COLUMNS = "person_id, year, age, nonwestern, household_id, address_key"
_EDU = """(select e.*, try_cast(substr(highest_education, 1, 2) as integer) as lvl,
                  try_cast(substr(ongoing_education, 1, 2) as integer) as ong
           from staging.education e)"""
_KNOWN_BASIC = "(lvl = 10 and coalesce(education_source, 'REG') in ('REG', 'GODK'))"
_CRIT_BASIC = "(lvl is null or lvl in (10, 90) or coalesce(education_source, '') in ('SELV', 'IMP', ''))"


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Temporary helper tables: persons with every group they count in (``pa``), full-time persons
    (``fte``), and one aggregate table per family of indicators that read the same join
    (``_ind_pa``, ``_ind_edu``, ``_ind_fte``): one pass over the persons instead of one per indicator.
    An indicator computed from a family table keeps only the groups its own query would have had
    (e.g. a group with nobody aged 30-59 has no row for the 30-59 shares)."""
    # grp is an ENUM (every query groups by it; text again in metrics.indicators).
    con.execute("create or replace temp table pa as " + A.person_groups_sql(con, _PA_COLUMNS, "grp"))
    # Per person-year, what the small registers say (decisions, job grants, job-ready months, and
    # whether charged / in day care / in the youth school): joined to the persons once, in _ind_pa,
    # instead of one join over every person per indicator.
    # The empty first part gives every column its type (also when a register is absent).
    parts = ["select person_id, year, null::BIGINT as decisions, null::BIGINT as grants, null::BIGINT as months, "
             "null::BOOLEAN as charged, null::BOOLEAN as daycare, null::BOOLEAN as youth_school "
             "from core.person_year where false"]
    parts += [f"({sql})" for t, sql in _EVENTS.items() if _exists(con, f"staging.{t}")]
    con.execute(
        f"""
        create or replace temp table _ind_events as
        select person_id, year, sum(decisions) as decisions, sum(grants) as grants, sum(months) as months,
               bool_or(charged) as charged, bool_or(daycare) as daycare, bool_or(youth_school) as youth_school
        from ({" union all by name ".join(parts)})
        group by all
        """
    )
    bands = ", ".join(
        f"count(*) filter (where pa.age between {lo} and {hi} and e.{flag}) as {flag}_n, "
        f"count(*) filter (where pa.age between {lo} and {hi}) as {flag}_d"
        for flag, (lo, hi) in _EVENT_BANDS.items())
    con.execute(
        f"""
        create or replace temp table _ind_pa as
        select grp, pa.year, count(*) as residents, count(distinct household_id) as households,
               count(*) filter (where age < 18) as under18, count(*) filter (where age >= 65) as age65,
               count(*) filter (where nonwestern) as nonwestern,
               sum(e.decisions) as decisions, sum(e.grants) as grants, sum(e.months) as months, {bands}
        from pa left join _ind_events e using (person_id, year) group by all
        """
    )
    # Households: per year (kommune-wide: adults, the address) and per group and year (the
    # members in the group: address, summed income), each grouped once for the indicators that use it.
    # A household's address is its members' first (min): members at two addresses must not give an
    # address that depends on the order DuckDB's threads met them in (any_value did).
    con.execute(
        """
        create or replace temp table _ind_hh_year as
        select year, household_id, count(*) filter (where age >= 18) as adults, min(address_key) as addr
        from core.person_year group by all
        """
    )
    income = _exists(con, "staging.income")
    con.execute(
        f"""
        create or replace temp table _ind_hh_group as
        select pa.grp, pa.year, pa.household_id, min(pa.address_key) as addr,
               {exact_sum("coalesce(i.gross_income, 0)") if income else "0"} as inc
        from pa {"left join staging.income i using (person_id, year)" if income else ""}
        group by all
        """
    )
    families = {
        "school_absence": f"""
            create or replace temp table _ind_absence as
            select grp, pa.year, {exact_sum("s.absence_days")} as absence, sum(s.school_days) as days,
                   {exact_sum("s.absence_days", "s.half_year = 1")} as absence_h1,
                   sum(s.school_days) filter (where s.half_year = 1) as days_h1,
                   count(*) filter (where s.half_year = 1) as rows_h1
            from pa join staging.school_absence s using (person_id, year) group by all""",
        "language_assessment": """
            create or replace temp table _ind_lang as
            select grp, pa.year, count(*) as tested,
                   count(*) filter (where l.result = 'GENEREL') as general,
                   count(*) filter (where l.result = 'FOKUSERET') as focused,
                   count(*) filter (where l.result = 'SAERLIG') as special
            from pa join staging.language_assessment l using (person_id, year) group by all""",
        "youth_education": """
            create or replace temp table _ind_youth_ed as
            select grp, pa.year, count(*) filter (where y.in_education_15m) as in_15m,
                   count(*) filter (where y.in_education_15m is not null) as known_15m,
                   count(*) filter (where y.started_same_year) as started, count(*) as leavers
            from pa join staging.youth_education y using (person_id, year) group by all""",
        "ssp_concerns": """
            create or replace temp table _ind_ssp as
            select grp, pa.year, count(s.person_id) as concerns, count(distinct s.person_id) as children
            from pa left join staging.ssp_concerns s using (person_id, year) where pa.age between 10 and 17
            group by all""",
        "turnout": """
            create or replace temp table _ind_turnout as
            select grp, pa.year, t.election, count(*) filter (where t.voted) as voted, count(*) as eligible
            from pa join staging.turnout t using (person_id, year) group by all""",
    }
    for table, sql in families.items():
        if _exists(con, f"staging.{table}"):
            con.execute(sql)
    if _exists(con, "staging.education"):
        con.execute(
            f"""
            create or replace temp table _ind_edu as
            select grp, pa.year,
                   count(*) filter (where {_KNOWN_BASIC} and ong is null) as known_basic_15_64,
                   count(*) as n_15_64,
                   count(*) filter (where pa.age between 30 and 59 and {_CRIT_BASIC}) as basic_30_59,
                   count(*) filter (where pa.age between 30 and 59) as n_30_59,
                   count(*) filter (where pa.age between 18 and 29 and ((lvl between 20 and 89) or ong is not null))
                       as youth_edu_18_29,
                   count(*) filter (where pa.age between 18 and 29 and {_CRIT_BASIC} and ong is null)
                       as basic_not_in_edu_18_29,
                   count(*) filter (where pa.age between 18 and 29) as n_18_29
            from pa left join {_EDU} e using (person_id, year)
            where pa.age between 15 and 64 group by all
            """
        )
    if _exists(con, "staging.benefits"):
        con.execute(
            f"""
            create or replace temp table fte as
            with b as (
                select person_id, year, benefit, activated, extent_pct, {employment_category_sql()} as cat,
                       greatest(start_date, make_date(year, 1, 1)) as s,
                       least(coalesce(end_date, make_date(year, 12, 31)), make_date(year, 12, 31)) as e
                from staging.benefits
            )
            select person_id, year, cat,
                   {exact_sum('''greatest(date_diff('day', s, e) + 1, 0)
                       / (date_diff('day', make_date(year, 1, 1), make_date(year, 12, 31)) + 1)
                       * extent_pct / 100.0''')} as fte
            from b where cat is not null group by all
            """
        )
        cats = "ABCDE"
        # Sums of full-time persons: exact (db.exact_sum), the same bits in any row order.
        per_cat = ", ".join(f"{exact_sum('fte', f'cat = {c!r}')} as {c.lower()}" for c in cats)
        sums = ", ".join(f"{exact_sum(f'f.{c.lower()}')} as fte_{c}, count(f.{c.lower()}) as with_{c}" for c in cats)
        con.execute(
            f"""
            create or replace temp table _ind_fte as
            with f as (select person_id, year, {per_cat}, {exact_sum("fte")} as total from fte group by all)
            select grp, pa.year, {sums},
                   {exact_sum("f.c", "pa.age between 18 and 29")} as fte_C_18_29,
                   count(f.c) filter (where pa.age between 18 and 29) as with_C_18_29,
                   {exact_sum("f.total")} as fte_total, count(*) as n_18_64
            from pa left join f on f.person_id = pa.person_id and f.year = pa.year
            where pa.age between 18 and 64 group by all
            """
        )


#: indicator_id -> (unit, SQL selecting grp, year, numerator, denominator). Value: see _value().
def _definitions(con) -> dict[str, tuple[str, str]]:
    d: dict[str, tuple[str, str]] = {}
    d["residents"] = ("count", "select grp, year, residents n, null d from _ind_pa")
    d["households"] = ("count", "select grp, year, households n, null d from _ind_pa")
    d["under18_share"] = ("pct", "select grp, year, under18 n, residents d from _ind_pa")
    d["age65_share"] = ("pct", "select grp, year, age65 n, residents d from _ind_pa")
    d["nonwestern_share"] = ("pct", "select grp, year, nonwestern n, residents d from _ind_pa")
    d["single_parent_children_share"] = ("pct", """
        select grp, pa.year, count(*) filter (where hh.adults = 1) n, count(*) d
        from pa join _ind_hh_year hh using (year, household_id) where pa.age < 18 group by all""")
    if _exists(con, "staging.education"):
        edu = _EDU
        d["basic_edu_15_64_share"] = ("pct", "select grp, year, known_basic_15_64 n, n_15_64 d from _ind_edu")
        d["basic_edu_30_59_share"] = ("pct", "select grp, year, basic_30_59 n, n_30_59 d from _ind_edu "
                                             "where n_30_59 > 0")
        d["basic_edu_30_59_count"] = ("count", "select grp, year, basic_30_59 n, null d from _ind_edu "
                                               "where n_30_59 > 0")
        d["youth_edu_18_29_share"] = ("pct", "select grp, year, youth_edu_18_29 n, n_18_29 d from _ind_edu "
                                             "where n_18_29 > 0")
        d["basic_not_in_edu_18_29_share"] = ("pct", "select grp, year, basic_not_in_edu_18_29 n, n_18_29 d "
                                                    "from _ind_edu where n_18_29 > 0")
        d["dropout_18_29_share"] = ("pct", f"""
            select grp, pa.year,
                   count(*) filter (where e0.ong is not null and e1.person_id is not null and e1.ong is null
                                    and coalesce(e1.lvl, 0) <= coalesce(e0.lvl, 0)) n,
                   count(*) d
            from pa left join {edu} e0 using (person_id, year)
                    left join {edu} e1 on e1.person_id = pa.person_id and e1.year = pa.year + 1
            where pa.age between 18 and 29 and pa.year < (select max(year) from staging.education)
            group by all""")
    if _exists(con, "staging.benefits"):
        for cat in "ABCDE":  # persons with a spell of the category (an inner join: groups with none have no row)
            d[f"fte_{cat}"] = ("fte", f"select grp, year, coalesce(fte_{cat}, 0) n, null d from _ind_fte "
                                      f"where with_{cat} > 0")
        d["fte_C_18_29"] = ("fte", "select grp, year, coalesce(fte_C_18_29, 0) n, null d from _ind_fte "
                                   "where with_C_18_29 > 0")
        d["outside_labour_fte"] = ("fte", "select grp, year, coalesce(fte_total, 0) n, null d from _ind_fte")
        d["outside_labour_share"] = ("pct", "select grp, year, coalesce(fte_total, 0) n, n_18_64 d from _ind_fte")
        d["fpen_share_18_64"] = ("pct", "select grp, year, coalesce(fte_E, 0) n, n_18_64 d from _ind_fte")
        if _exists(con, "staging.education"):
            d["neet_15_29_share"] = ("pct", f"""
                with f as (select person_id, year, {exact_sum("fte")} fte from fte group by all)
                select grp, pa.year,
                       count(*) filter (where e.ongoing_education is null and coalesce(f.fte, 0) >= 0.5) n,
                       count(*) d
                from pa left join staging.education e using (person_id, year)
                        left join f on f.person_id = pa.person_id and f.year = pa.year
                where pa.age between 15 and 29 group by all""")
    if _exists(con, "staging.income"):
        d["household_income_index"] = ("pct", f"""
            with m as (select grp, year, {exact_avg("inc")} mean_inc from _ind_hh_group group by all)
            select m.grp, m.year, m.mean_inc n, k.mean_inc d
            from m join m k on k.year = m.year and k.grp = 'randers_kommune'""")
    if _exists(con, "staging.convictions"):
        d["decisions_per_1000"] = ("per_1000", "select grp, year, coalesce(decisions, 0) n, residents d from _ind_pa")
    if _exists(con, "staging.charges"):
        d["charged_15_29_share"] = _any_row_share("charged")
    if _exists(con, "staging.daycare"):
        d["daycare_1_5_share"] = _any_row_share("daycare")
    if _exists(con, "staging.exam_marks"):
        d["marks_9th_mean"] = ("mark", f"""
            select grp, pa.year, {exact_sum("m.mark")} n, count(*) d
            from pa join staging.exam_marks m using (person_id, year) group by all""")
    # Registers joined once each (a family table per register, see _prepare); an inner join's
    # groups: those with rows (the family table has exactly those), narrowed where a filter applies.
    if _exists(con, "staging.school_absence"):
        d["absence_h1_pct"] = ("pct", "select grp, year, absence_h1 n, days_h1 d from _ind_absence "
                                      "where rows_h1 > 0")
        d["absence_pct"] = ("pct", "select grp, year, absence n, days d from _ind_absence")
    if _exists(con, "staging.language_assessment"):
        for name in ("general", "focused", "special"):  # results GENEREL, FOKUSERET, SAERLIG
            d[f"lang_{name}_share"] = ("pct", f"select grp, year, {name} n, tested d from _ind_lang")
        d["lang_tested"] = ("count", "select grp, year, tested n, null d from _ind_lang")
    if _exists(con, "staging.youth_education"):
        d["youth_ed_15m_share"] = ("pct", "select grp, year, in_15m n, known_15m d from _ind_youth_ed")
        d["youth_ed_start_share"] = ("pct", "select grp, year, started n, leavers d from _ind_youth_ed")
    if _exists(con, "staging.youth_school"):
        d["youth_school_14_18_share"] = _any_row_share("youth_school")
    if _exists(con, "staging.ssp_concerns"):
        d["ssp_concerns"] = ("count", "select grp, year, concerns n, null d from _ind_ssp")
        d["ssp_children"] = ("count", "select grp, year, children n, null d from _ind_ssp")
    if _exists(con, "staging.job_grants"):
        d["job_grants"] = ("count", "select grp, year, coalesce(grants, 0) n, null d from _ind_pa")
    if _exists(con, "staging.jobready"):
        d["jobready_fte"] = ("fte", "select grp, year, coalesce(months, 0) / 12.0 n, null d from _ind_pa")
    if _exists(con, "staging.turnout"):
        elections = [r[0] for r in con.execute("select distinct election from staging.turnout order by 1").fetchall()]
        for e in elections:
            d[f"turnout_{e}"] = ("pct", f"select grp, year, voted n, eligible d from _ind_turnout "
                                        f"where election = '{e}'")
    if _exists(con, "staging.evictions") and _exists(con, "geo.address_area"):
        ev = f"""
            with e as (select ev.year, ev.executed, a.area_id from staging.evictions ev
                       left join geo.address_area a
                         on a.street = ev.street and a.house_number = ev.house_number and a.postcode = ev.postcode),
                 g as (select year, executed, area_id as grp from e where area_id is not null
                       union all select year, executed, 'helhedsplan' from e where area_id in ({PLAN_AREAS_SQL})
                       union all select year, executed, 'randers_kommune' from e)"""
        d["evictions"] = ("count", ev + " select grp, year, count(*) n, null d from g group by all")
        d["evictions_executed"] = ("count", ev + " select grp, year, count(*) filter (where executed) n, null d from g group by all")
        d["evictions_2y"] = ("count", ev + """, y as (select grp, year, count(*) k from g group by all)
            select a.grp, a.year, a.k + coalesce(b.k, 0) n, null d from y a left join y b
              on b.grp = a.grp and b.year = a.year - 1""")
        d["evictions_executed_2y"] = ("count", ev + """, y as (select grp, year, count(*) filter (where executed) k
                                                              from g group by all)
            select a.grp, a.year, a.k + coalesce(b.k, 0) n, null d from y a left join y b
              on b.grp = a.grp and b.year = a.year - 1""")
    # households moving out during the year (fraflytning): households on 1 January whose members
    # all live elsewhere (or not in the municipality) on 1 January the next year
    d["turnover_pct"] = ("pct", """
        with h as (select grp, year, household_id, addr from _ind_hh_group),
             nxt as (select year, household_id, addr from _ind_hh_year)
        select h.grp, h.year, count(*) filter (where n.household_id is null or n.addr is distinct from h.addr) n,
               count(*) d
        from h left join nxt n on n.household_id = h.household_id and n.year = h.year + 1
        where h.year < (select max(year) from core.person_year)
        group by all""")
    return d


def _value(unit: str) -> str:
    if unit == "pct":
        return "case when d > 0 then 100.0 * n / d end"
    if unit == "per_1000":
        return "case when d > 0 then 1000.0 * n / d end"
    if unit == "mark":
        return "case when d > 0 then n / d end"
    return "n"


#: The register each indicator is computed from, besides ``befolkning`` (every indicator's residents
#: and areas): an incomplete or missing register-year makes the indicator unknown for that year.
INDICATOR_REGISTERS: dict[str, str] = {
    "basic_edu_": "uddannelse", "youth_edu_": "uddannelse", "basic_not_in_edu": "uddannelse",
    "dropout_": "uddannelse", "fte_": "ydelser", "outside_labour_": "ydelser", "fpen_": "ydelser",
    "neet_": "ydelser", "household_income": "indkomst", "decisions_": "afgoerelser",
    "charged_": "sigtelser", "daycare_": "dagtilbud", "marks_": "karakterer", "absence_": "fravaer",
    "lang_": "sprogvurdering", "youth_ed_": "ungdomsuddannelse", "youth_school_": "ungdomsskole",
    "ssp_": "ssp", "job_grants": "jobtilskud", "jobready_": "jobparate", "turnout_": "valgdeltagelse",
    "evictions": "udsaettelser",
}


def indicator_registers(indicator_id: str) -> set[str]:
    """The registers an indicator is built on (``befolkning`` always; see :data:`INDICATOR_REGISTERS`;
    ``neet_15_29_share`` also reads ``uddannelse``)."""
    out = {"befolkning"}
    out |= {reg for prefix, reg in INDICATOR_REGISTERS.items() if indicator_id.startswith(prefix)}
    if indicator_id.startswith("neet_"):
        out.add("uddannelse")
    return out


def apply_gaps(con: duckdb.DuckDBPyConnection) -> int:
    """Leave out of ``metrics.indicators`` every indicator-year built on an incomplete or missing
    register-year, and list them in ``metrics.indicator_gaps(indicator_id, year, register, reason)``
    (reason in Danish, "kan ikke måles: ..."): never a value computed from part of a year.
    Returns the number of gaps."""
    from boligmonitor.ingest.load import incomplete_inputs

    con.execute("create or replace table metrics.indicator_gaps (indicator_id VARCHAR, year INTEGER, "
                "register VARCHAR, reason VARCHAR)")
    gaps = incomplete_inputs(con)
    if not gaps:
        return 0
    ids = list(_definitions(con))
    rows = [(iid, year, reg, reason) for reg, year, _sf, reason in gaps if year is not None
            for iid in sorted(set(ids)) if reg in indicator_registers(iid)]
    if not rows:
        return 0
    con.executemany("insert into metrics.indicator_gaps values (?, ?, ?, ?)", rows)
    con.execute("delete from metrics.indicators i using metrics.indicator_gaps g "
                "where i.indicator_id = g.indicator_id and i.year = g.year")
    return len(rows)


def compute(con: duckdb.DuckDBPyConnection) -> int:
    """(Re)create ``metrics.indicators`` from the core and staging tables; returns the row count."""
    con.execute("create schema if not exists metrics")
    _prepare(con)
    parts = []
    for iid, (unit, sql) in _definitions(con).items():
        if unit == "pct" and iid == "household_income_index":
            val = "case when d > 0 then 100.0 * n / d end"
        else:
            val = _value(unit)
        parts.append(
            f"""select grp::VARCHAR as area_id, year::integer as year, '{iid}' as indicator_id,
                       n::double as numerator, d::double as denominator, ({val})::double as value,
                       '{unit}' as unit
                from ({sql}) q"""
        )
    con.execute("create or replace table metrics.indicators as " + " union all ".join(parts)
                + " order by indicator_id, area_id, year")
    apply_gaps(con)
    return con.execute("select count(*) from metrics.indicators").fetchall()[0][0]


def run(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> StepResult:
    res = StepResult("indicators")
    n_py = con.execute("select count(*) from core.person_year").fetchall()[0][0]
    ctx.say(f"indicators: loaded {n_py:,} person-years from core.person_year and the staging registers")
    n = compute(con)
    n_ind = con.execute("select count(distinct indicator_id) from metrics.indicators").fetchall()[0][0]
    res.table_count(con, "metrics.indicators")
    res.table_count(con, "metrics.indicator_gaps")
    for iid, year, reason in con.execute("select indicator_id, year, min(reason) from metrics.indicator_gaps "
                                         "group by all order by 1, 2").fetchall():
        ctx.say(f"indicators: WARNING {iid} {year}: {reason}")
    msg = f"indicators: saved {n:,} rows ({n_ind} indicators) to metrics.indicators"
    ctx.say(msg)
    res.messages.append(msg)
    return res
