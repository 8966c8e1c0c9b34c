"""Assigning addresses to areas by the plan's ranges and by polygons, and reconciling the two.

Boundary rule (one rule, documented in ``docs/geography.md``): polygons are *closed* -- a point
inside a polygon or exactly on its boundary lies in that area. If a point lies in or on more than
one polygon (a shared boundary, or an overlap of two polygons), a polygon whose *interior*
contains the point wins over one the point only touches; among equals, the area that comes first
in :data:`boligmonitor.areas.AREA_IDS` wins. So every point gets at most one area.

CRS rule: points and polygons must be in the same CRS, and that CRS must be EPSG:25832; anything
else raises :class:`boligmonitor.geo.layers.CRSMismatchError` (an ``InputError``), never a warning.

Match status of an address: ``both`` (same area by ranges and polygon), ``range_only``,
``polygon_only``, ``conflict`` (different areas), ``none`` (no area by either: an ordinary address)
and, for register addresses, ``unmatched`` (no address point with that key). The final ``area_id``
follows the *authority* setting: ``ranges`` (default; the plan defines the areas by address
lists) or ``polygons`` (the GIS polygon; an unmatched address falls back to its range).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from boligmonitor import config
from boligmonitor.areas import AREA_IDS
from boligmonitor.errors import InputError
from boligmonitor.geo.layers import check_crs, read_address_points, read_area_polygons
from boligmonitor.geo.ranges import RangeIndex, address_key, read_range_table
from boligmonitor.steps import BuildContext, StepResult

MATCH_STATUSES = ("both", "range_only", "polygon_only", "conflict", "none", "unmatched")
AUTHORITIES = ("ranges", "polygons")


def polygon_area(points, polygons) -> list[str | None]:
    """Area id of each point by the polygons (boundary rule in the module docstring); ``None`` outside.

    Both frames must share the pipeline CRS; a mismatch raises ``CRSMismatchError``.
    """
    import shapely

    check_crs(points, polygons, names=("address points", "area polygons"))
    out: list[str | None] = [None] * len(points)
    if len(points) == 0 or len(polygons) == 0:
        return out
    poly_geoms = polygons.geometry.to_numpy()
    poly_ids = polygons["area_id"].to_numpy()
    rank = {a: i for i, a in enumerate(AREA_IDS)}
    pt_idx, poly_idx = polygons.sindex.query(points.geometry.to_numpy(), predicate="intersects")
    if len(pt_idx) == 0:
        return out
    pts = points.geometry.to_numpy()
    # interior (0) beats boundary-only (1); then the fixed area order
    on_boundary = shapely.touches(pts[pt_idx], poly_geoms[poly_idx])
    order = np.lexsort((np.array([rank[poly_ids[j]] for j in poly_idx]), on_boundary.astype(int), pt_idx))
    seen = set()
    for k in order:
        i = int(pt_idx[k])
        if i in seen:
            continue
        seen.add(i)
        out[i] = poly_ids[poly_idx[k]]
    return out


def _none(v):
    """``None`` for missing values (pandas may turn ``None`` into ``NaN`` in string columns)."""
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return None
    return v


def match_status(by_range: str | None, by_polygon: str | None, has_point: bool = True) -> str:
    if not has_point:
        return "unmatched"
    if by_range is not None and by_polygon is not None:
        return "both" if by_range == by_polygon else "conflict"
    if by_range is not None:
        return "range_only"
    if by_polygon is not None:
        return "polygon_only"
    return "none"


def final_area(by_range: str | None, by_polygon: str | None, has_point: bool, authority: str) -> str | None:
    if authority == "ranges":
        return by_range
    if authority == "polygons":
        return by_polygon if has_point else by_range
    raise ValueError(f"authority must be one of {AUTHORITIES}, not {authority!r}")


def assign_points(points, polygons, index: RangeIndex) -> pd.DataFrame:
    """Every address point with ``area_by_range``, ``area_by_polygon`` and ``match_status`` (plus x, y)."""
    by_range = index.assign(points["street"].tolist(), points["house_number"].tolist())
    by_polygon = polygon_area(points, polygons)
    df = pd.DataFrame({
        "address_key": points["address_key"].to_numpy(),
        "street": points["street"].to_numpy(),
        "house_number": points["house_number"].astype(str).to_numpy(),
        "postcode": points["postcode"].astype("int32").to_numpy(),
        "x": points.geometry.x.to_numpy(),
        "y": points.geometry.y.to_numpy(),
        "area_by_range": by_range,
        "area_by_polygon": by_polygon,
        "units": points["units"].astype("int32").to_numpy(),
        "building_type": points["building_type"].to_numpy(),
    })
    df["match_status"] = [match_status(r, p) for r, p in zip(by_range, by_polygon)]
    return df


def assign_addresses(triples: pd.DataFrame, point_table: pd.DataFrame, index: RangeIndex,
                     authority: str = "ranges") -> pd.DataFrame:
    """Assign raw register address triples (``street, house_number, postcode``) to areas.

    ``point_table`` is the output of :func:`assign_points`. Keeps the raw triple; adds
    ``address_key, area_by_range, area_by_polygon, area_id, match_status``.
    """
    if authority not in AUTHORITIES:
        raise InputError(f"geo authority must be one of {', '.join(AUTHORITIES)}, not {authority!r}")
    poly_by_key = {k: _none(v) for k, v in zip(point_table["address_key"].tolist(),
                                                point_table["area_by_polygon"].tolist())}
    keys, by_range, by_poly, area_ids, statuses = [], [], [], [], []
    for street, hn, pc in zip(triples["street"].tolist(), triples["house_number"].tolist(),
                              triples["postcode"].tolist()):
        key = address_key(street, hn, pc)
        r = index.area(street, hn)
        has_point = key in poly_by_key
        p = poly_by_key.get(key)
        keys.append(key)
        by_range.append(r)
        by_poly.append(p)
        area_ids.append(final_area(r, p, has_point, authority))
        statuses.append(match_status(r, p, has_point))
    out = triples[["street", "house_number", "postcode"]].copy()
    out.insert(0, "address_key", keys)
    out["area_by_range"] = by_range
    out["area_by_polygon"] = by_poly
    out["area_id"] = area_ids
    out["match_status"] = statuses
    return out


def _exists(con, schema: str, table: str) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()[0][0])


def _settings(ctx: BuildContext) -> dict:
    s = dict((ctx.settings or {}).get("geo", {}))
    s.setdefault("gpkg", config.geo_dir() / "areas.gpkg")
    s.setdefault("ranges", config.geo_dir() / "address_ranges.csv")
    s.setdefault("authority", "ranges")
    return s


def _inputs(gpkg: Path, ranges_csv: Path) -> tuple:
    """Everything the step needs that does not come from the database: the ranges and their index,
    the address points and area polygons, the layer source, and the points assigned to areas."""
    from boligmonitor.geo.layers import layer_source

    rows = read_range_table(ranges_csv)
    index = RangeIndex(rows)
    overlaps = index.overlaps()
    if overlaps:
        a, b = overlaps[0]
        raise InputError(f"ranges overlap: line {a.line} ({a.street} {a.from_number}-{a.to_number} {a.parity}) "
                         f"and line {b.line} ({b.from_number}-{b.to_number} {b.parity})", file=ranges_csv)
    points = read_address_points(gpkg)
    polygons = read_area_polygons(gpkg)
    check_crs(points, polygons, names=("address points", "area polygons"), file=gpkg)
    source = layer_source(gpkg)
    pt = assign_points(points, polygons, index)
    return (gpkg, ranges_csv), rows, index, points, polygons, source, pt


def prepare(ctx: BuildContext) -> None:
    """Compute :func:`_inputs` ahead (the pipeline runs this while the ingest step runs). A problem
    is left for :func:`run`, which computes the inputs again and reports it."""
    s = _settings(ctx)
    try:
        ctx.prepared["geo"] = _inputs(Path(s["gpkg"]), Path(s["ranges"]))
    except Exception:  # noqa: BLE001 - reported by run()
        ctx.prepared.pop("geo", None)


def run(con, ctx: BuildContext) -> StepResult:
    """The geo step: writes ``geo.address_ranges, geo.address_points, geo.address_area,
    geo.reconciliation, geo.unmatched_addresses`` (contract in ``docs/architecture.md``)."""
    res = StepResult("geo")
    s = _settings(ctx)
    gpkg, ranges_csv, authority = Path(s["gpkg"]), Path(s["ranges"]), s["authority"]
    inputs = ctx.prepared.get("geo")
    if inputs is None or inputs[0] != (gpkg, ranges_csv):
        inputs = _inputs(gpkg, ranges_csv)
    _, rows, index, points, polygons, source, pt = inputs
    ctx.say(f"geo: loaded {len(rows)} address ranges from {ranges_csv.name}, {len(points)} address points and "
            f"{len(polygons)} area polygons from {gpkg.name} ({source})")
    if source == "illustrative":
        res.messages.append("geo: the area polygons and address points are ILLUSTRATIVE (not real GIS data)")

    parts = []
    for table in ("population", "evictions"):
        if _exists(con, "staging", table):
            parts.append(f"select distinct street, house_number, postcode from staging.{table}")
        else:
            res.messages.append(f"geo: staging.{table} not found; its addresses are not assigned")
    if parts:
        triples = con.execute(" union ".join(parts) + " order by all").df()
    else:
        triples = pd.DataFrame({"street": pd.Series(dtype=str), "house_number": pd.Series(dtype=str),
                                "postcode": pd.Series(dtype="int32")})
    aa = assign_addresses(triples, pt, index, authority)

    range_df = pd.DataFrame([{k: getattr(r, k) for k in ("area_id", "street", "from_number", "to_number", "parity",
                                                         "original_text", "note")} for r in rows])
    con.execute("create schema if not exists geo")
    con.register("_geo_ranges", range_df)
    con.register("_geo_points", pt)
    con.register("_geo_area", aa)
    try:
        con.execute("""create or replace table geo.address_ranges as
            select area_id::varchar as area_id, street::varchar as street, from_number::integer as from_number,
                   to_number::integer as to_number, parity::varchar as parity, original_text::varchar as original_text,
                   note::varchar as note from _geo_ranges""")
        con.execute("""create or replace table geo.address_points as
            select address_key::varchar as address_key, street::varchar as street, house_number::varchar as house_number,
                   postcode::integer as postcode, x::double as x, y::double as y,
                   area_by_range::varchar as area_by_range, area_by_polygon::varchar as area_by_polygon,
                   match_status::varchar as match_status, units::integer as units, building_type::varchar as building_type
            from _geo_points order by address_key""")
        con.execute("""create or replace table geo.address_area as
            select address_key::varchar as address_key, street, house_number, postcode,
                   area_by_range::varchar as area_by_range, area_by_polygon::varchar as area_by_polygon,
                   area_id::varchar as area_id, match_status::varchar as match_status
            from _geo_area""")
    finally:
        for name in ("_geo_ranges", "_geo_points", "_geo_area"):
            con.unregister(name)

    reg_parts = []
    if _exists(con, "staging", "population"):
        reg_parts.append("select year, street, house_number, postcode, count(*) as residents "
                         "from staging.population group by all")
    if _exists(con, "staging", "evictions"):
        reg_parts.append("select distinct year, street, house_number, postcode, 0 as residents from staging.evictions")
    if reg_parts:
        reg_sql = " union all ".join(reg_parts)
    else:
        reg_sql = ("select null::integer as year, null::varchar as street, null::varchar as house_number, "
                   "null::integer as postcode, 0 as residents where false")
    con.execute(f"""create or replace table geo.reconciliation as
        with reg as (
            select year, street, house_number, postcode, sum(residents)::bigint as residents
            from ({reg_sql}) group by all
        )
        select reg.year::integer as year, coalesce(a.area_by_range, a.area_by_polygon) as area_id, a.match_status,
               count(*)::bigint as addresses, sum(reg.residents)::bigint as residents
        from reg join geo.address_area a
          on a.street is not distinct from reg.street and a.house_number is not distinct from reg.house_number
         and a.postcode is not distinct from reg.postcode
        group by all order by year, area_id nulls last, match_status""")
    con.execute(f"""create or replace table geo.unmatched_addresses as
        with reg as (
            select year, street, house_number, postcode, sum(residents)::bigint as residents
            from ({reg_sql}) group by all
        )
        select reg.year::integer as year, reg.street, reg.house_number, reg.postcode, reg.residents
        from reg join geo.address_area a
          on a.street is not distinct from reg.street and a.house_number is not distinct from reg.house_number
         and a.postcode is not distinct from reg.postcode
        where a.match_status = 'unmatched'
        order by year, street, house_number, postcode""")

    for t in ("geo.address_ranges", "geo.address_points", "geo.address_area", "geo.reconciliation",
              "geo.unmatched_addresses"):
        res.tables[t] = con.execute(f"select count(*) from {t}").fetchall()[0][0]

    in_ranges = pt[pt["area_by_range"].notna()]  # (NaN or None both count as missing)
    disagree = in_ranges[in_ranges["match_status"] != "both"]
    poly_only = int((pt["match_status"] == "polygon_only").sum())
    res.messages.append(f"geo: address points in the ranges: {len(in_ranges)}, of which {len(in_ranges) - len(disagree)} "
                        f"lie in the polygon of the same area; {poly_only} points lie only in a polygon")
    if len(disagree):
        ex = ", ".join(f"{r.street} {r.house_number} ({r.match_status})" for r in disagree.head(5).itertuples())
        res.messages.append(f"geo: WARNING {len(disagree)} address points in the ranges disagree with the polygons, e.g. {ex}")
    status_counts = aa["match_status"].value_counts().to_dict()
    res.messages.append("geo: register addresses by match status: "
                        + ", ".join(f"{k} {status_counts.get(k, 0)}" for k in MATCH_STATUSES))
    n_unmatched = status_counts.get("unmatched", 0)
    if n_unmatched:
        res.messages.append(f"geo: {n_unmatched} register addresses have no address point "
                            "(geo.unmatched_addresses, data-quality report only)")
    res.messages.append(f"geo: saved {', '.join(f'{k} ({v} rows)' for k, v in res.tables.items())}")
    for m in res.messages:
        ctx.say(m)
    return res
