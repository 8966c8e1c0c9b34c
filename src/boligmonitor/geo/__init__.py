"""Geography: the plan's address ranges, area polygons, address points and their reconciliation.

Public API (contract, see ``docs/architecture.md`` and ``docs/geography.md``):

* :func:`run` -- the pipeline step (schema ``geo``);
* :func:`address_key` -- the normalised key of a (street, house number, postcode) triple;
* :func:`address_points` -- the address-point layer (EPSG:25832) with ``area_id`` by the ranges;
* :func:`area_polygons` -- the area polygons (EPSG:25832).
"""

from __future__ import annotations

from pathlib import Path

from boligmonitor.geo.ranges import address_key, normalise_street

__all__ = ["run", "address_key", "address_points", "area_polygons", "normalise_street", "range_index"]


def range_index(path: Path | None = None):
    """The plan's address ranges (``geo/address_ranges.csv``) as a :class:`~boligmonitor.geo.ranges.RangeIndex`."""
    from boligmonitor import config
    from boligmonitor.geo.ranges import RangeIndex, read_range_table

    return RangeIndex(read_range_table(path or config.geo_dir() / "address_ranges.csv"))


def address_points(path: Path | None = None, ranges_path: Path | None = None):
    """Every access address as a GeoDataFrame (EPSG:25832).

    Columns ``address_key, street, house_number, postcode, area_id, units, building_type, geometry``;
    ``area_id`` is the area by the plan's address ranges (None outside the areas), recomputed from
    ``geo/address_ranges.csv`` on every call; ``units`` is the number of dwellings at the address.
    """
    import pandas as pd

    from boligmonitor.geo.layers import POINT_COLUMNS, check_crs, read_address_points

    gdf = read_address_points(path)
    check_crs(gdf, names=("address points",), file=path)
    index = range_index(ranges_path)
    gdf["area_id"] = pd.Series(index.assign(gdf["street"].tolist(), gdf["house_number"].tolist()),
                               index=gdf.index, dtype=object)  # None (not NaN) outside the areas
    gdf["postcode"] = gdf["postcode"].astype("int32")
    gdf["units"] = gdf["units"].astype("int32")
    return gdf[[*POINT_COLUMNS, "geometry"]]


def area_polygons(path: Path | None = None):
    """The area polygons as a GeoDataFrame (EPSG:25832): ``area_id, name, in_plan, geometry_source, geometry``."""
    from boligmonitor.geo.layers import check_crs, read_area_polygons

    gdf = read_area_polygons(path)
    check_crs(gdf, names=("area polygons",), file=path)
    return gdf


def prepare(ctx) -> None:
    """Read the address ranges and the GeoPackage and assign the address points (no database):
    the pipeline runs this while the ingest step runs. See :func:`boligmonitor.geo.assign.prepare`."""
    from boligmonitor.geo.assign import prepare as _prepare

    _prepare(ctx)


def run(con, ctx):
    """The geo step: see :func:`boligmonitor.geo.assign.run`."""
    from boligmonitor.geo.assign import run as _run

    return _run(con, ctx)
