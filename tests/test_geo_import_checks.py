"""Geography importers never change or choose data without a report (issue 13, fault 6).

Cases 09 (DAWA export with both ``vejnavn`` and ``adresseringsvejnavn``) and 11 (GeoJSON in metres
without a ``crs`` member) from tests/fixtures/geo/CASES.md, plus the same kinds on other formats:
polygons in another CRS (GeoPackage, shapefile), points outside Denmark, swapped axes, empty
geometries, invalid polygons, duplicate rows; and the rule that a failing import replaces nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import geopandas as gpd
import pytest
from conftest_geo import FIXTURES
from shapely.geometry import Point, Polygon, box

from boligmonitor import config
from boligmonitor.errors import InputError
from boligmonitor.geo.layers import (
    ImportReport,
    import_addresses,
    import_polygons,
    import_to_gpkg,
    main,
    read_area_polygons,
    report_paths,
)

CASE09 = FIXTURES / "case09_dawa_both_names.csv"
CASE11 = FIXTURES / "case11_areas_metres_nocrs.geojson"
HEADER = "vejnavn,husnr,postnr,kommunekode,etrs89koordinat_øst,etrs89koordinat_nord\n"


@pytest.fixture
def gpkg(tmp_path):
    """A copy of the shipped GeoPackage (the 'working layer' an import could destroy)."""
    out = tmp_path / "geo" / "areas.gpkg"
    out.parent.mkdir()
    shutil.copy(config.geo_dir() / "areas.gpkg", out)
    return out


# --- case 09: the street name column -----------------------------------------------------------------

def test_case09_dawa_import_keys_on_vejnavn_and_reports_the_addressing_name():
    rep = ImportReport(source=str(CASE09), layer="address_points")
    g = import_addresses(CASE09, report=rep)
    got = dict(zip(g["address_key"], g["area_id"]))
    # The register's key for "Hermann Stillings Vej 7, 8930" and the plan's range both match.
    assert got == {"hermannstillingsvej|7|8930": "hermann_stillingsvej",
                   "hermannstillingsvej|9A|8930": "hermann_stillingsvej",
                   "flyvervej|5|8930": "gl_jennumparken"}
    assert set(g["street"]) == {"Hermann Stillings Vej", "Flyvervej"}
    assert rep.columns["street"].startswith("vejnavn: the official street name")
    note = next(n for n in rep.notes if "addressing name" in n)
    assert note.startswith("2 address rows: the addressing name (adresseringsvejnavn) differs from vejnavn, "
                           "matched on vejnavn")
    assert "'H. Stillings Vej' for 'Hermann Stillings Vej'" in note
    assert g.attrs["import_report"] is rep and rep.rows_read == 3 and rep.rows_written == 3


def test_an_export_with_only_the_addressing_name_uses_it_and_says_why(tmp_path):
    f = tmp_path / "only_addr.csv"
    f.write_text(CASE09.read_text(encoding="utf-8").replace("vejnavn,adresseringsvejnavn", "x_old,adresseringsvejnavn"),
                 encoding="utf-8")
    rep = ImportReport(source=str(f), layer="address_points")
    g = import_addresses(f, report=rep)
    assert "hstillingsvej|7|8930" in set(g["address_key"])
    assert "no vejnavn" in rep.columns["street"] and "20 characters" in rep.columns["street"]


# --- case 11: GeoJSON in metres without a crs member -----------------------------------------------

def test_case11_geojson_in_metres_without_crs_is_refused_and_the_layer_stays(gpkg, capsys):
    before = gpkg.read_bytes()
    rc = main(["--polygons", str(CASE11), "--out", str(gpkg)])
    err = capsys.readouterr().err
    assert rc == 2
    assert "case11_areas_metres_nocrs.geojson" in err
    assert ("coordinates up to 6,259,950 are not degrees; the file has no CRS member, so GeoJSON means WGS84: "
            "state the CRS") in err
    assert "Traceback" not in err
    assert gpkg.read_bytes() == before  # the working layer is untouched
    assert not report_paths(gpkg)[0].exists()
    assert len(read_area_polygons(gpkg)) == 6


def test_case11_with_the_crs_stated_imports_both_areas(gpkg, capsys):
    rc = main(["--polygons", str(CASE11), "--source-crs", "EPSG:25832", "--out", str(gpkg)])
    assert rc == 0
    areas = read_area_polygons(gpkg).set_index("area_id")
    assert sorted(areas.index) == ["energivej", "gl_jennumparken"]
    assert areas.geometry["gl_jennumparken"].area == pytest.approx(400 * 350)
    assert areas.geometry["energivej"].area == pytest.approx(300 * 200)
    md, js = report_paths(gpkg)
    rep = json.loads(js.read_text(encoding="utf-8"))["layers"][0]
    assert rep["crs_source"] == "given with --source-crs" and rep["rows_read"] == 2 and rep["rows_written"] == 2
    assert "given with --source-crs" in md.read_text(encoding="utf-8")
    assert "areas: 2 rows read" in capsys.readouterr().out


# --- other formats and CRSs ------------------------------------------------------------------------

@pytest.mark.parametrize(("suffix", "crs"), [(".gpkg", "EPSG:3857"), (".shp", "EPSG:4326"), (".gpkg", "EPSG:25833")])
def test_polygons_in_another_crs_are_reprojected_and_reported(tmp_path, suffix, crs):
    src = gpd.read_file(FIXTURES / "omraader.geojson")
    f = tmp_path / f"areas{suffix}"
    src.to_crs(crs).to_file(f)
    rep = ImportReport(source=str(f), layer="areas")
    g = import_polygons(f, report=rep)
    assert str(g.crs) == config.CRS and rep.reprojected and rep.crs_in == crs
    assert g.set_index("area_id").geometry["gl_jennumparken"].area == pytest.approx(200 * 200, rel=1e-4)
    assert rep.extent_out == pytest.approx(list(src.total_bounds), abs=0.01)
    assert rep.crs_source == "declared in the file"


def test_polygons_outside_randers_are_refused(tmp_path, gpkg):
    f = tmp_path / "cph.gpkg"
    gpd.GeoDataFrame({"area_id": ["vangdalen"]}, geometry=[box(725000, 6175000, 725300, 6175300)],
                     crs=config.CRS).to_file(f)
    before = gpkg.read_bytes()
    with pytest.raises(InputError, match="outside Randers Kommune"):
        import_to_gpkg(None, f, gpkg)
    assert gpkg.read_bytes() == before


def test_a_polygon_layer_with_an_empty_geometry_is_refused(tmp_path):
    f = tmp_path / "empty.gpkg"
    gpd.GeoDataFrame({"area_id": ["vangdalen", "energivej"]},
                     geometry=[box(563000, 6259000, 563100, 6259100), Polygon()], crs=config.CRS).to_file(f)
    with pytest.raises(InputError, match=r"1 feature\(s\) without a geometry \(energivej\)"):
        import_polygons(f)


def test_an_invalid_polygon_is_repaired_with_its_areas_before_and_after(tmp_path):
    bowtie = Polygon([(563000, 6259000), (563200, 6259200), (563200, 6259000), (563000, 6259200), (563000, 6259000)])
    f = tmp_path / "bowtie.gpkg"
    gpd.GeoDataFrame({"area_id": ["vangdalen"]}, geometry=[bowtie], crs=config.CRS).to_file(f)
    rep = ImportReport(source=str(f), layer="areas")
    g = import_polygons(f, report=rep)
    assert g.geometry.iloc[0].is_valid
    (r,) = rep.repairs
    assert r["area_id"] == "vangdalen" and "Self-intersection" in r["what"]
    assert r["area_before_m2"] == pytest.approx(0.0)  # the shoelace area of a bow tie cancels out
    assert r["area_after_m2"] == pytest.approx(20000.0)  # two triangles, base 200 m, height 100 m: 10,000 m² each
    assert "made valid, area 0.0 m² -> 20,000.0 m²" in rep.markdown()


def test_features_of_one_area_are_dissolved_and_reported(tmp_path):
    f = tmp_path / "two.gpkg"
    gpd.GeoDataFrame({"navn": ["Vangdalen", "Vangdalen"]},
                     geometry=[box(563000, 6259000, 563100, 6259100), box(563100, 6259000, 563200, 6259100)],
                     crs=config.CRS).to_file(f)
    rep = ImportReport(source=str(f), layer="areas")
    g = import_polygons(f, report=rep)
    assert len(g) == 1 and g.geometry.iloc[0].area == pytest.approx(20000)
    assert rep.duplicates == ["vangdalen: 2 features dissolved into one"]


# --- address points ---------------------------------------------------------------------------------

def test_address_points_outside_denmark_are_refused(tmp_path):
    f = tmp_path / "far.csv"
    f.write_text(HEADER + "Husarvej,2,8930,0730,563050,6259550\nHusarvej,4,8930,0730,100000,5000000\n",
                 encoding="utf-8")
    with pytest.raises(InputError, match="1 of 2 points lie outside Denmark"):
        import_addresses(f)


def test_swapped_latitude_and_longitude_are_refused(tmp_path):
    f = tmp_path / "swapped.csv"
    f.write_text("vejnavn,husnr,postnr,wgs84koordinat_længde,wgs84koordinat_bredde\n"
                 "Husarvej,2,8930,56.47619156,10.02358042\nFlyvervej,5,8930,56.47615804,10.02763829\n",
                 encoding="utf-8")
    with pytest.raises(InputError, match="latitude and longitude are swapped"):
        import_addresses(f)


def test_swapped_east_and_north_are_refused(tmp_path):
    f = tmp_path / "swapped_utm.csv"
    f.write_text(HEADER + "Husarvej,2,8930,0730,6259550,563050\n", encoding="utf-8")
    with pytest.raises(InputError, match="east and north are swapped"):
        import_addresses(f)


def test_degrees_in_the_etrs89_columns_are_refused(tmp_path):
    f = tmp_path / "deg.csv"
    f.write_text(HEADER + "Husarvej,2,8930,0730,10.02358042,56.47619156\n", encoding="utf-8")
    with pytest.raises(InputError, match="look like degrees"):
        import_addresses(f)


def test_a_geojson_address_point_without_geometry_is_refused(tmp_path):
    data = json.loads((FIXTURES / "dawa_adgangsadresser.geojson").read_text(encoding="utf-8"))
    data["features"][1]["geometry"] = None
    f = tmp_path / "nogeom.geojson"
    f.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match=r"without a geometry \(first: feature 2\)"):
        import_addresses(f)


def test_geojson_address_points_in_metres_without_crs_are_refused(tmp_path):
    feats = [{"type": "Feature", "properties": {"vejnavn": "Husarvej", "husnr": "2", "postnr": "8930"},
              "geometry": {"type": "Point", "coordinates": [563050.0, 6259550.0]}}]
    f = tmp_path / "pts.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    with pytest.raises(InputError, match="no CRS member, so GeoJSON means WGS84"):
        import_addresses(f)
    g = import_addresses(f, source_crs="EPSG:25832")
    assert (g.geometry.iloc[0].x, g.geometry.iloc[0].y) == (563050.0, 6259550.0)


def test_duplicate_address_rows_are_counted_once_and_reported(tmp_path):
    lines = (FIXTURES / "dawa_adresser.csv").read_text(encoding="utf-8").splitlines()
    f = tmp_path / "dup.csv"
    f.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")  # Husarvej 2, st. th. twice
    rep = ImportReport(source=str(f), layer="address_points")
    g = import_addresses(f, report=rep)
    assert dict(zip(g["address_key"], g["units"]))["husarvej|2|8930"] == 3
    assert rep.duplicates and rep.duplicates[0].startswith("1 rows repeat an address")
    assert "husarvej|2|8930" in rep.duplicates[0]


def test_a_failing_address_import_replaces_nothing(tmp_path, gpkg):
    f = tmp_path / "far.csv"
    f.write_text(HEADER + "Husarvej,2,8930,0730,100000,5000000\n", encoding="utf-8")
    before = gpkg.read_bytes()
    with pytest.raises(InputError):
        import_to_gpkg(f, None, gpkg)
    assert gpkg.read_bytes() == before


def test_the_import_report_is_written_next_to_the_geopackage(tmp_path):
    out = tmp_path / "areas.gpkg"
    import_to_gpkg(FIXTURES / "dawa_adresser.csv", FIXTURES / "omraader.geojson", out, municipality_code=730)
    md, js = report_paths(out)
    data = json.loads(js.read_text(encoding="utf-8"))
    by_layer = {r["layer"]: r for r in data["layers"]}
    assert by_layer["address_points"]["rows_read"] == 19 and by_layer["address_points"]["rows_written"] == 7
    assert "left out" in by_layer["address_points"]["columns"]["municipality"]
    assert by_layer["areas"]["rows_written"] == 2
    text = md.read_text(encoding="utf-8")
    assert "## address_points from" in text and "## areas from" in text


def test_importer_command_errors_are_sentences_with_exit_code_2(tmp_path, gpkg):
    far = tmp_path / "far.csv"
    far.write_text(HEADER + "Husarvej,2,8930,0730,100000,5000000\n", encoding="utf-8")
    for args, needle in (
        (["--polygons", str(tmp_path / "missing.gpkg")], "missing.gpkg: file not found"),
        (["--polygons", str(CASE11)], "are not degrees"),
        (["--addresses", str(far)], "outside Denmark"),
        (["--addresses", str(tmp_path)], "address file not found"),
    ):
        r = subprocess.run([sys.executable, "-m", "boligmonitor.geo.layers", *args, "--out", str(gpkg)],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 2, (args, r.stderr)
        assert needle in r.stderr and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1


def test_points_helper_inputs_are_points():
    # the shipped layer itself passes the validation the importer applies
    from boligmonitor.geo.layers import validate_layer

    validate_layer(gpd.GeoDataFrame({"address_key": ["a"]}, geometry=[Point(563000, 6259000)], crs=config.CRS),
                   "address_points", FIXTURES)
    with pytest.raises(InputError, match="infinite"):
        validate_layer(gpd.GeoDataFrame({"address_key": ["a"]}, geometry=[Point(float("inf"), float("inf"))],
                                        crs=config.CRS), "address_points", FIXTURES)


# --- found by review: what an import leaves without data is named ----------------------------------

def test_a_polygon_file_with_some_areas_names_the_areas_it_leaves_without_a_polygon(gpkg, capsys):
    rc = main(["--polygons", str(CASE11), "--source-crs", "EPSG:25832", "--out", str(gpkg)])
    assert rc == 0
    out = capsys.readouterr().out
    assert ("WARNING 4 area(s) of the previous areas layer are not in this file and now have no polygon: "
            "glarbjergvej, hermann_stillingsvej, sjaellandsgade, vangdalen") in out
    md = report_paths(gpkg)[0].read_text(encoding="utf-8")
    assert "now have no polygon: glarbjergvej" in md


def test_an_address_file_names_the_plan_streets_it_gives_no_point(tmp_path):
    """Only the addressing name (case 09's other half): Hermann Stillings Vej gets no point, and the
    report says so instead of leaving the build to blame the register's addresses."""
    f = tmp_path / "only_addr.csv"
    f.write_text(CASE09.read_text(encoding="utf-8").replace("vejnavn,adresseringsvejnavn", "x_old,adresseringsvejnavn"),
                 encoding="utf-8")
    rep = ImportReport(source=str(f), layer="address_points")
    import_addresses(f, report=rep)
    note = next(n for n in rep.notes if "have no address point" in n)
    assert "Hermann Stillings Vej (hermann_stillingsvej)" in note and "adresseringsvejnavn" in note
    rep2 = ImportReport(source=str(CASE09), layer="address_points")
    import_addresses(CASE09, report=rep2)
    note2 = next(n for n in rep2.notes if "have no address point" in n)
    assert "Hermann Stillings Vej" not in note2 and "Flyvervej (" not in note2
