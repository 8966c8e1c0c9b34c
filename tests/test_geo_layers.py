"""Importers for real data (DAWA/DAR addresses, any OGR polygon file) and swapping them in."""

from __future__ import annotations

import pytest
from conftest_geo import FIXTURES, make_ctx, make_staging

from boligmonitor.errors import InputError
from boligmonitor.geo import address_points, area_polygons, run
from boligmonitor.geo.layers import (
    CRSMismatchError,
    import_addresses,
    import_polygons,
    import_to_gpkg,
    layer_note,
    layer_source,
    main,
)

EXPECTED = {  # address key -> (area by range, status against omraader.geojson)
    "husarvej|2|8930": ("gl_jennumparken", "both"),
    "husarvej|12A|8930": ("gl_jennumparken", "both"),
    "flyvervej|5|8930": ("gl_jennumparken", "range_only"),
    "birkevej|3|8930": (None, "polygon_only"),
    "roerhaven|2|8920": ("vangdalen", "conflict"),
    "vedbyskellet|1|8920": ("vangdalen", "both"),
    "egevej|10|8900": (None, "none"),
}


def test_import_dawa_csv_counts_units_and_filters_municipality():
    gdf = import_addresses(FIXTURES / "dawa_adresser.csv", municipality_code=730)
    assert str(gdf.crs) == "EPSG:25832"
    assert set(gdf["address_key"]) == set(EXPECTED)
    units = dict(zip(gdf["address_key"], gdf["units"]))
    assert units["husarvej|2|8930"] == 3 and units["vedbyskellet|1|8920"] == 6 and units["egevej|10|8900"] == 1
    bt = dict(zip(gdf["address_key"], gdf["building_type"]))
    assert bt["vedbyskellet|1|8920"] == "etage" and bt["egevej|10|8900"] == "parcel"
    areas = dict(zip(gdf["address_key"], gdf["area_id"]))
    assert {k: areas[k] for k in EXPECTED} == {k: v[0] for k, v in EXPECTED.items()}
    p = gdf.set_index("address_key").geometry["husarvej|2|8930"]
    assert (p.x, p.y) == (563050.0, 6259550.0)


def test_import_dawa_geojson_reprojects_from_wgs84():
    gdf = import_addresses(FIXTURES / "dawa_adgangsadresser.geojson")
    assert str(gdf.crs) == "EPSG:25832"
    assert len(gdf) == 8  # no municipality filter: the Aarhus address stays
    p = gdf.set_index("address_key").geometry["husarvej|2|8930"]
    assert abs(p.x - 563050.0) < 0.01 and abs(p.y - 6259550.0) < 0.01


def test_import_polygons_matches_names_to_area_ids():
    gdf = import_polygons(FIXTURES / "omraader.geojson")
    assert str(gdf.crs) == "EPSG:25832"
    assert sorted(gdf["area_id"]) == ["gl_jennumparken", "vangdalen"]
    assert gdf.geom_type.isin(["Polygon", "MultiPolygon"]).all()


def test_import_polygons_reprojects_and_rejects_unknown_names(tmp_path):
    import geopandas as gpd
    from shapely.geometry import box

    wgs = tmp_path / "wgs.geojson"
    gpd.read_file(FIXTURES / "omraader.geojson").to_crs("EPSG:4326").to_file(wgs)
    gdf = import_polygons(wgs)
    assert str(gdf.crs) == "EPSG:25832"
    assert abs(gdf.set_index("area_id").geometry["gl_jennumparken"].area - 200 * 200) < 5
    odd = tmp_path / "odd.geojson"
    gpd.GeoDataFrame({"navn": ["Skovparken"]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:25832").to_file(odd)
    with pytest.raises(InputError, match="Skovparken"):
        import_polygons(odd)


def test_bad_address_file_names_line_and_column(tmp_path):
    text = (FIXTURES / "dawa_adresser.csv").read_text(encoding="utf-8").splitlines()
    cells = text[3].split(",")
    cells[4] = "st. tv"  # husnr
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([text[0], text[1], text[2], ",".join(cells)]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        import_addresses(bad)
    assert e.value.line == 4 and e.value.column == "husnr"
    nocoord = tmp_path / "nocoord.csv"
    nocoord.write_text("vejnavn,husnr,postnr\nHusarvej,2,8930\n", encoding="utf-8")
    with pytest.raises(InputError, match="coordinate"):
        import_addresses(nocoord)


def test_swap_in_real_data_through_the_importer(tmp_path):
    out = tmp_path / "areas.gpkg"
    rc = main(["--addresses", str(FIXTURES / "dawa_adresser.csv"), "--polygons", str(FIXTURES / "omraader.geojson"),
               "--municipality", "730", "--out", str(out)])
    assert rc == 0
    assert layer_source(out) == "imported"
    assert "omraader.geojson" in layer_note(out) and "dawa_adresser.csv" in layer_note(out)
    assert len(address_points(out)) == 7 and len(area_polygons(out)) == 2
    pop = [(2021, f"p{i}", street, hn, pc) for i, (street, hn, pc) in enumerate([
        ("Husarvej", "2", 8930), ("husarvej", "12 a", 8930), ("Flyvervej", "5", 8930), ("Birkevej", "3", 8930),
        ("Rørhaven", "2", 8920), ("Ved Byskellet", "1", 8920), ("Egevej", "10", 8900), ("Ingenvej", "1", 8900)])]
    con = make_staging(tmp_path / "db.duckdb", pop)
    ctx, _ = make_ctx(tmp_path, gpkg=out)
    res = run(con, ctx)
    assert not any("ILLUSTRATIVE" in m for m in res.messages)
    got = {k: (r, s) for k, r, s in con.execute(
        "select address_key, area_by_range, match_status from geo.address_area").fetchall()}
    assert got == {**EXPECTED, "ingenvej|1|8900": (None, "unmatched")}
    final = dict(con.execute("select address_key, area_id from geo.address_area").fetchall())
    assert final["birkevej|3|8930"] is None and final["roerhaven|2|8920"] == "vangdalen"


def test_importing_only_polygons_keeps_the_address_layer(tmp_path):
    import shutil

    from boligmonitor import config

    out = tmp_path / "areas.gpkg"
    shutil.copy(config.geo_dir() / "areas.gpkg", out)
    import_to_gpkg(None, FIXTURES / "omraader.geojson", out)
    assert "kept from the previous file" in layer_note(out)
    assert len(area_polygons(out)) == 2
    assert len(address_points(out)) > 20000


def test_cli_error_is_a_message_not_a_traceback(tmp_path, capsys):
    rc = main(["--polygons", str(tmp_path / "missing.gpkg"), "--out", str(tmp_path / "x.gpkg")])
    assert rc == 2
    assert "missing.gpkg" in capsys.readouterr().err


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_polygon_file_without_crs_is_an_error(tmp_path):
    import json

    data = json.loads((FIXTURES / "omraader.geojson").read_text(encoding="utf-8"))
    data.pop("crs")
    # GeoJSON without crs means WGS84 by the standard; a shapefile without .prj has no CRS at all
    import geopandas as gpd

    gdf = gpd.GeoDataFrame.from_features(data["features"])
    shp = tmp_path / "nocrs.shp"
    gdf.to_file(shp)  # no CRS on purpose
    with pytest.raises(CRSMismatchError, match="no CRS"):
        import_polygons(shp)
