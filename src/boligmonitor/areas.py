"""The areas the product monitors (contract: identifiers are stable, see DESIGN.md).

Source: the plan, section "DE FEM OMRÅDER BOLIGOMRÅDERNE" and "SAMMENFATTENDE FOR OMRÅDERNE".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    id: str
    name: str  # Danish display name, as the plan writes it
    short: str  # short Danish label for tables and charts
    in_plan: bool  # one of the plan's five areas (False: monitored only)
    leases: int | None  # lejemål per the plan (2020)
    residents_2020: int | None  # beboere per the plan (2020, approx.)
    school: str | None  # district school (distriktsskole)


AREAS: tuple[Area, ...] = (
    Area("gl_jennumparken", "Gl. Jennumparken", "Gl. Jennumparken", True, 554, 1363, "Nørrevangsskolen"),
    Area("glarbjergvej", "Glarbjergvej-området", "Glarbjergvej", True, 759, 1515, "Nørrevangsskolen"),
    Area(
        "hermann_stillingsvej",
        "Hermann Stillingsvej-området",
        "Hermann Stillingsvej",
        True,
        732,
        1020,
        "Østervangsskolen",
    ),
    Area("energivej", "Energivej-området", "Energivej", True, 593, 980, "Hobrovejens Skole"),
    Area("vangdalen", "Vangdalen", "Vangdalen", True, 344, 880, "Vestervangsskolen"),
    Area("sjaellandsgade", "Sjællandsgadekvarteret", "Sjællandsgade", False, None, None, None),
)

#: The municipal baseline (all residents of Randers Kommune).
KOMMUNE_ID = "randers_kommune"
KOMMUNE_NAME = "Randers Kommune"
#: All five plan areas together (the plan reports some indicators "for alle 5 boligområder").
PLAN_TOTAL_ID = "helhedsplan"
PLAN_TOTAL_NAME = "Alle fem boligområder"

AREA_IDS: tuple[str, ...] = tuple(a.id for a in AREAS)
PLAN_AREA_IDS: tuple[str, ...] = tuple(a.id for a in AREAS if a.in_plan)
#: Randers Kommune municipality code (kommunekode).
KOMMUNEKODE = 730

_BY_ID = {a.id: a for a in AREAS}


def group_type_sql(con) -> str:
    """SQL type for a group column in a step's temporary tables: an ENUM of the area ids in
    ``core.person_year``, the plan total and the municipality. Grouping and joining on a one-byte
    code is much faster than on text; a value read back into Python, or cast to VARCHAR, is the id."""
    present = [r[0] for r in con.execute("select distinct area_id from core.person_year "
                                         "where area_id is not null order by 1").fetchall()]
    ids = dict.fromkeys([*present, PLAN_TOTAL_ID, KOMMUNE_ID])
    return "ENUM(" + ", ".join("'" + i.replace("'", "''") + "'" for i in ids) + ")"


def person_groups_sql(con, columns: str, alias: str) -> str:
    """SQL: the rows of ``core.person_year`` (``columns``) once for every group each counts in, with
    the group in ``alias`` (type :func:`group_type_sql`): its area (if any), the plan total (the
    five plan areas) and the municipality (everybody). The criteria and the indicators group by it."""
    t = group_type_sql(con)
    plan = ", ".join(f"'{a}'" for a in PLAN_AREA_IDS)
    return f"""
        select {columns}, area_id::{t} as {alias} from core.person_year where area_id is not null
        union all
        select {columns}, '{PLAN_TOTAL_ID}'::{t} from core.person_year where area_id in ({plan})
        union all
        select {columns}, '{KOMMUNE_ID}'::{t} from core.person_year
    """


def area(area_id: str) -> Area:
    """The area with this id (KeyError names the unknown id)."""
    try:
        return _BY_ID[area_id]
    except KeyError:
        raise KeyError(f"unknown area id {area_id!r}; known: {', '.join(AREA_IDS)}") from None


def display_name(area_id: str) -> str:
    """Danish display name for an area id, the municipality or the plan total."""
    if area_id == KOMMUNE_ID:
        return KOMMUNE_NAME
    if area_id == PLAN_TOTAL_ID:
        return PLAN_TOTAL_NAME
    return area(area_id).name
