"""The illustrative default geometry: deterministic, consistent with the plan's facts, labelled."""

from __future__ import annotations

import pytest

from boligmonitor import config
from boligmonitor.areas import AREAS, PLAN_AREA_IDS
from boligmonitor.geo import address_points, area_polygons, range_index
from boligmonitor.geo.illustrative import SJAELLANDSGADE_UNITS, build_layers
from boligmonitor.geo.layers import layer_note, layer_source


@pytest.fixture(scope="module")
def points():
    return address_points()


def test_regenerating_gives_identical_features():
    import pyogrio

    new = build_layers()
    path = config.geo_dir() / "areas.gpkg"
    for name, gdf in new.items():
        old = pyogrio.read_dataframe(path, layer=name)
        assert list(old.columns) == list(gdf.columns), name
        assert len(old) == len(gdf), name
        for col in gdf.columns:
            if col == "geometry":
                assert old.geometry.geom_equals_exact(gdf.geometry, tolerance=0.001).all(), name
            else:
                assert [None if v != v else v for v in old[col].tolist()] == \
                       [None if v != v else v for v in gdf[col].tolist()], (name, col)


def test_layers_say_they_are_illustrative():
    path = config.geo_dir() / "areas.gpkg"
    for layer in ("areas", "address_points"):
        assert layer_source(path, layer) == "illustrative"
        assert "ILLUSTRATIVE" in layer_note(path, layer)
    assert set(area_polygons()["geometry_source"]) == {"illustrative"}


def test_units_sum_to_the_plan_leases(points):
    units = points.groupby("area_id")["units"].sum().to_dict()
    for a in AREAS:
        if a.in_plan:
            assert units[a.id] == a.leases, a.id
    assert units["sjaellandsgade"] == SJAELLANDSGADE_UNITS
    rest = int(points.loc[points["area_id"].isna(), "units"].sum())
    assert 42_000 <= rest <= 46_000


def test_every_range_address_has_a_point(points):
    idx = range_index()
    have = {(r.street, int(r.house_number)) for r in points.itertuples() if r.area_id and r.house_number.isdigit()}
    from boligmonitor.geo.ranges import RangeSpec

    for row in idx.rows:
        for n in RangeSpec(row.street, row.from_number, row.to_number, row.parity).numbers():
            assert (row.street, n) in have, (row.street, n)


def test_rest_of_municipality_avoids_plan_streets_and_areas(points):
    from boligmonitor.geo.ranges import normalise_street

    streets = range_index().streets()
    rest = points[points["area_id"].isna()]
    assert not set(rest["street"].map(normalise_street)) & streets
    assert set(rest["postcode"]) >= {8900, 8920, 8930, 8940, 8960, 8870, 8981, 8970}
    polys = area_polygons()
    assert not rest.geometry.intersects(polys.union_all().buffer(50)).any()
    assert set(points["building_type"]) == {"etage", "raekke", "parcel"}
    assert (points.loc[points["building_type"] != "etage", "units"] == 1).all()
    assert points["house_number"].str.contains("[A-Z]$").any()  # lettered entrances exist


def test_areas_lie_near_their_district_schools():
    import geopandas as gpd

    schools = gpd.read_file(config.geo_dir() / "areas.gpkg", layer="schools")
    polys = area_polygons().set_index("area_id")
    for row in schools[schools["kind"] == "distriktsskole"].itertuples():
        for area_id in row.serves.split(","):
            assert polys.geometry[area_id].distance(row.geometry) < 1200, (row.name, area_id)
    # the areas are apart from each other, and all five plan areas are there
    assert set(PLAN_AREA_IDS) <= set(polys.index)
    geoms = list(polys.geometry)
    for i, a in enumerate(geoms):
        for b in geoms[i + 1:]:
            assert a.distance(b) > 100
