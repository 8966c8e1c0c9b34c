"""Spatial join (boundary rule, CRS), match status, the geo step and its reconciliation."""

from __future__ import annotations

import geopandas as gpd
import pytest
from conftest_geo import FIXTURES, make_ctx, make_staging
from shapely.geometry import Point, box

from boligmonitor.errors import InputError
from boligmonitor.geo import address_points, run
from boligmonitor.geo.assign import final_area, match_status, polygon_area
from boligmonitor.geo.layers import CRSMismatchError

CRS = "EPSG:25832"


def _polys(*items):
    return gpd.GeoDataFrame({"area_id": [a for a, _ in items]}, geometry=[g for _, g in items], crs=CRS)


def _pts(*xy, crs=CRS):
    return gpd.GeoDataFrame({"i": range(len(xy))}, geometry=[Point(x, y) for x, y in xy], crs=crs)


# Two squares sharing the edge x = 100; the ids' order in AREA_IDS is gl_jennumparken, glarbjergvej, ...
LEFT = ("glarbjergvej", box(0, 0, 100, 100))
RIGHT = ("gl_jennumparken", box(100, 0, 200, 100))


def test_interior_and_outside():
    assert polygon_area(_pts((50, 50), (150, 50), (500, 500)), _polys(LEFT, RIGHT)) == [
        "glarbjergvej", "gl_jennumparken", None]


def test_outer_boundary_counts_as_inside():
    pts = _pts((0, 50), (50, 0), (0, 0), (200, 100), (50, 100))
    assert polygon_area(pts, _polys(LEFT, RIGHT)) == [
        "glarbjergvej", "glarbjergvej", "glarbjergvej", "gl_jennumparken", "glarbjergvej"]


def test_shared_boundary_goes_to_the_first_area_in_area_order():
    # (100, 50) and the shared corners lie on both squares' boundaries: gl_jennumparken comes first
    pts = _pts((100, 50), (100, 0), (100, 100))
    assert polygon_area(pts, _polys(LEFT, RIGHT)) == ["gl_jennumparken"] * 3
    # the order of the polygon layer does not matter
    assert polygon_area(pts, _polys(RIGHT, LEFT)) == ["gl_jennumparken"] * 3


def test_interior_beats_boundary_in_an_overlap():
    # vangdalen's square overlaps; a point on gl_jennumparken's boundary inside vangdalen goes to vangdalen
    over = ("vangdalen", box(150, -50, 250, 150))
    assert polygon_area(_pts((200, 50)), _polys(RIGHT, over)) == ["vangdalen"]
    # a point inside both interiors goes to the first area in AREA_IDS order
    assert polygon_area(_pts((175, 50)), _polys(over, RIGHT)) == ["gl_jennumparken"]


def test_multipolygon_area():
    mp = ("energivej", box(0, 0, 10, 10).union(box(20, 0, 30, 10)))
    assert polygon_area(_pts((5, 5), (15, 5), (25, 5)), _polys(mp)) == ["energivej", None, "energivej"]


def test_crs_mismatch_is_an_error():
    pts = _pts((50, 50), crs="EPSG:4326")
    with pytest.raises(CRSMismatchError) as e:
        polygon_area(pts, _polys(LEFT))
    assert isinstance(e.value, InputError)
    assert "EPSG:4326" in str(e.value) and "25832" in str(e.value)


def test_same_but_wrong_crs_is_an_error():
    with pytest.raises(CRSMismatchError):
        polygon_area(_pts((50, 50), crs="EPSG:4326"), _polys(LEFT).set_crs("EPSG:4326", allow_override=True))


def test_missing_crs_is_an_error():
    with pytest.raises(CRSMismatchError):
        polygon_area(_pts((50, 50)).set_crs(None, allow_override=True), _polys(LEFT))


@pytest.mark.parametrize(("r", "p", "has_point", "status"), [
    ("a", "a", True, "both"), ("a", "b", True, "conflict"), ("a", None, True, "range_only"),
    (None, "b", True, "polygon_only"), (None, None, True, "none"), ("a", None, False, "unmatched"),
])
def test_match_status(r, p, has_point, status):
    assert match_status(r, p, has_point) == status


def test_final_area_authority():
    assert final_area("a", "b", True, "ranges") == "a"
    assert final_area(None, "b", True, "ranges") is None
    assert final_area("a", "b", True, "polygons") == "b"
    assert final_area("a", None, False, "polygons") == "a"
    with pytest.raises(ValueError):
        final_area("a", "b", True, "votes")


# --- the step on the default (illustrative) geometry ------------------------------------------

@pytest.fixture(scope="module")
def default_points():
    return address_points()


def _population(points, n_outside=300):
    """Residents at every address in the ranges (spelled as the plan or registers might) and some outside."""
    variants = {"Hermann Stillings Vej": "Herman Stillingsvej", "Gl. Jennumvej": "Gammel Jennumvej",
                "Mærsk Andersens Vej": "MÆRSK ANDERSENS VEJ"}
    rows, i = [], 0
    inside = points[points["area_id"].notna()]
    outside = points[points["area_id"].isna()].iloc[::max(1, len(points) // n_outside)]
    for year in (2021, 2022):
        for r in inside.itertuples():
            street = variants.get(r.street, r.street) if i % 2 else r.street
            for _ in range(2):
                rows.append((year, f"p{i}", street, r.house_number.lower(), int(r.postcode)))
                i += 1
        for r in outside.itertuples():
            rows.append((year, f"p{i}", r.street, r.house_number, int(r.postcode)))
            i += 1
    rows.append((2022, "q1", "Husarvej", "999", 8930))  # no such address point
    rows.append((2022, "q2", "Opdigtet Vej", "1", 8900))
    rows.append((2022, "q3", "Opdigtet Vej", "1", 8900))
    return rows


def test_step_on_default_geometry_both_methods_agree(tmp_path, default_points):
    pop = _population(default_points)
    con = make_staging(tmp_path / "db.duckdb", pop, [(2022, "s1", "Husarvej", "2", 8930),
                                                     (2022, "s2", "Ikkevej", "4", 8900)])
    ctx, said = make_ctx(tmp_path)
    res = run(con, ctx)
    assert not res.errors
    assert any("ILLUSTRATIVE" in m for m in res.messages)
    # every address point in the ranges lies in the polygon of the same area
    pts = con.execute("select match_status, count(*) from geo.address_points where area_by_range is not null "
                      "group by all").fetchall()
    assert pts == [("both", int(default_points["area_id"].notna().sum()))]
    assert con.execute("select count(*) from geo.address_points where match_status in "
                       "('polygon_only', 'conflict')").fetchall()[0][0] == 0
    # one row per distinct raw triple; the raw values are kept for joining
    n, distinct = con.execute("select count(*), count(distinct (street, house_number, postcode)) "
                              "from geo.address_area").fetchall()[0]
    assert n == distinct
    raw = con.execute("select count(*) from (select distinct street, house_number, postcode from staging.population "
                      "union select distinct street, house_number, postcode from staging.evictions)").fetchall()[0][0]
    assert n == raw
    assert con.execute("select count(*) from staging.population p left join geo.address_area a "
                       "on a.street = p.street and a.house_number = p.house_number and a.postcode = p.postcode "
                       "where a.address_key is null").fetchall()[0][0] == 0
    # variant spellings got the same area as the official spelling
    got = dict(con.execute("select street, max(area_id) from geo.address_area where street in "
                           "('Herman Stillingsvej', 'Gammel Jennumvej', 'MÆRSK ANDERSENS VEJ') group by all").fetchall())
    assert got == {"Herman Stillingsvej": "hermann_stillingsvej", "Gammel Jennumvej": "gl_jennumparken",
                   "MÆRSK ANDERSENS VEJ": "hermann_stillingsvej"}
    statuses = dict(con.execute("select match_status, count(*) from geo.address_area group by all").fetchall())
    assert set(statuses) == {"both", "none", "unmatched"}
    assert statuses["unmatched"] == 3  # Husarvej 999, Opdigtet Vej 1, Ikkevej 4


def test_reconciliation_counts(tmp_path, default_points):
    pop = _population(default_points)
    con = make_staging(tmp_path / "db.duckdb", pop, [(2022, "s2", "Ikkevej", "4", 8900)])
    ctx, _ = make_ctx(tmp_path)
    run(con, ctx)
    rec = con.execute("select year, area_id, match_status, addresses, residents from geo.reconciliation "
                      "order by all").fetchall()
    inside = default_points[default_points["area_id"].notna()]
    for year in (2021, 2022):
        for area_id, n in inside.groupby("area_id").size().items():
            assert (year, area_id, "both", n, 2 * n) in rec
    # Husarvej 999 is in no range (999 > 40) and has no point: unmatched, no area
    unmatched = [r for r in rec if r[2] == "unmatched"]
    assert unmatched == [(2022, None, "unmatched", 3, 3)]
    total_res = sum(r[4] for r in rec if r[0] == 2022)
    assert total_res == sum(1 for r in pop if r[0] == 2022)
    un = con.execute("select year, street, house_number, postcode, residents from geo.unmatched_addresses "
                     "order by all").fetchall()
    assert un == [(2022, "Husarvej", "999", 8930, 1), (2022, "Ikkevej", "4", 8900, 0),
                  (2022, "Opdigtet Vej", "1", 8900, 2)]


def test_step_without_evictions_and_with_polygon_authority(tmp_path, default_points):
    con = make_staging(tmp_path / "db.duckdb", [(2021, "p1", "Husarvej", "2", 8930), (2021, "p2", "Husarvej", "1", 8000)])
    ctx, _ = make_ctx(tmp_path, authority="polygons")
    res = run(con, ctx)
    assert any("staging.evictions not found" in m for m in res.messages)
    rows = dict(con.execute("select postcode, area_id from geo.address_area").fetchall())
    # Husarvej 1 in 8000 has no point: unmatched, but the range still names the area (fallback)
    assert rows == {8930: "gl_jennumparken", 8000: "gl_jennumparken"}


def test_step_refuses_a_crs_mismatch(tmp_path):
    con = make_staging(tmp_path / "db.duckdb", [(2021, "p1", "Husarvej", "2", 8930)])
    ctx, _ = make_ctx(tmp_path, gpkg=FIXTURES / "areas_wrong_crs.gpkg")
    with pytest.raises(CRSMismatchError) as e:
        run(con, ctx)
    assert "areas_wrong_crs.gpkg" in str(e.value)


def test_step_refuses_overlapping_ranges(tmp_path):
    from boligmonitor import config

    src = (config.geo_dir() / "address_ranges.csv").read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "ranges.csv"
    dup = src[1].replace("gl_jennumparken", "vangdalen", 1)
    bad.write_text("\n".join([*src, dup]) + "\n", encoding="utf-8")
    con = make_staging(tmp_path / "db.duckdb", [(2021, "p1", "Husarvej", "2", 8930)])
    ctx, _ = make_ctx(tmp_path, ranges=bad)
    with pytest.raises(InputError) as e:
        run(con, ctx)
    assert "overlap" in str(e.value)
