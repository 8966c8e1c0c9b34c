"""Core layer: one row per person and data year, with the area the person lived in on 1 January.

Step contract: loads ``staging.population`` and ``geo.address_area`` (and the country code list
shipped in the package), and saves ``core.person_year`` and ``core.countries``:

``core.person_year``
    person_id, year, birth_date, age (completed years on 1 January of ``year``), sex ('M'/'K'),
    origin ('dansk'/'indvandrer'/'efterkommer'), country_code, nonwestern (immigrant or descendant
    from a non-Western country, Danmarks Statistik's definition), household_id, address_key,
    area_id (NULL outside the monitored areas), moved_in_date.

Every row of ``staging.population`` appears exactly once (a test reconciles the counts).
"""

from __future__ import annotations

import duckdb

from boligmonitor import config
from boligmonitor.steps import BuildContext, StepResult

ORIGIN_LABELS = {"1": "dansk", "2": "indvandrer", "3": "efterkommer"}
SEX_LABELS = {"1": "M", "2": "K"}


def load_countries(con: duckdb.DuckDBPyConnection) -> int:
    """Load the shipped country code list (code, name, western) into ``core.countries``."""
    path = config.package_data("countries.csv")
    con.execute(
        """
        create or replace table core.countries as
        select cast(code as integer) as country_code, name, upper(trim(western)) = 'J' as western
        from read_csv(?, delim=';', header=true, all_varchar=true)
        """,
        [str(path)],
    )
    return con.execute("select count(*) from core.countries").fetchall()[0][0]


def run(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> StepResult:
    res = StepResult("core")
    con.execute("create schema if not exists core")

    # Load inputs.
    n_countries = load_countries(con)
    n_pop = con.execute("select count(*) from staging.population").fetchall()[0][0]
    ctx.say(f"core: loaded {n_pop:,} population rows and {n_countries} country codes")

    # Process data: attach the area of the person's address and the derived person facts.
    origin_case = " ".join(f"when '{k}' then '{v}'" for k, v in ORIGIN_LABELS.items())
    sex_case = " ".join(f"when '{k}' then '{v}'" for k, v in SEX_LABELS.items())
    con.execute(
        f"""
        create or replace table core.person_year as
        select
            p.person_id,
            p.year,
            p.birth_date,
            date_sub('year', p.birth_date, make_date(p.year, 1, 1))::integer as age,
            case p.sex {sex_case} end as sex,
            case p.origin {origin_case} end as origin,
            p.country_code,
            (p.origin in ('2', '3') and not coalesce(c.western, false)) as nonwestern,
            p.household_id,
            a.address_key,
            a.area_id,
            p.moved_in_date
        from staging.population p
        left join core.countries c on c.country_code = p.country_code
        left join geo.address_area a
          on a.street = p.street and a.house_number = p.house_number and a.postcode = p.postcode
        """
        # No ORDER BY: sorting 1 million rows cost about 0.5 s and no reader needs the order (every
        # query groups or joins; anything shown sorts its own result).
    )

    # Save outputs (and say what was saved).
    n = res.table_count(con, "core.person_year")
    if n != n_pop:
        res.errors.append(f"core.person_year has {n} rows but staging.population has {n_pop}")
    unknown_country = con.execute(
        "select count(*) from core.person_year p left join core.countries c using (country_code) "
        "where c.country_code is null"
    ).fetchall()[0][0]
    if unknown_country:
        res.messages.append(f"{unknown_country} person-years have a country code not in the code list "
                            "(counted as non-Western when immigrant/descendant)")
    in_areas = con.execute("select count(*) from core.person_year where area_id is not null").fetchall()[0][0]
    ctx.say(f"core: saved core.person_year ({n:,} person-years, {in_areas:,} in monitored areas)")
    return res
