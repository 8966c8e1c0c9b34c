"""Offline maps of the areas (Altair geoshape, rendered by vl-convert; no tile server, no person data).

* :func:`area_map` -- the areas, their addresses, district schools, the city centre;
* :func:`mismatch_map` -- the same with the addresses where ranges and polygons disagree highlighted;
* :func:`to_svg` / :func:`save` -- render a chart to SVG/PNG offline.

Layers are drawn in EPSG:4326 (the only place WGS84 is used). When the geometry is the
illustrative default, every map says so in its subtitle.
"""

from __future__ import annotations

from pathlib import Path

import altair as alt

from boligmonitor.areas import AREAS, display_name
from boligmonitor.site.charts import AREA_COLOURS

STATUS_LABELS = {
    "both": "Begge metoder enige",
    "range_only": "Kun adresseliste",
    "polygon_only": "Kun polygon",
    "conflict": "Forskelligt område",
    "none": "Uden for områderne",
}
STATUS_COLOURS = {
    "both": "#4c78a8", "range_only": "#e45756", "polygon_only": "#f58518", "conflict": "#b279a2", "none": "#bab0ac",
}
ILLUSTRATIVE_SUBTITLE = "ILLUSTRATIV geometri: ikke kommunens GIS-data (se geo/README.md)"


def _features(gdf, columns: list[str]) -> list[dict]:
    gdf = gdf[[*columns, "geometry"]].to_crs("EPSG:4326")
    feats = []
    for props, geom in zip(gdf[columns].to_dict("records"), gdf.geometry):
        clean = {k: (None if isinstance(v, float) and v != v else v) for k, v in props.items()}
        feats.append({"type": "Feature", "properties": clean, "geometry": geom.__geo_interface__})
    return feats


def _records(gdf, columns: list[str]) -> list[dict]:
    """Point layers as plain records with ``lon``/``lat`` (EPSG:4326) for mark_circle/mark_point."""
    g = gdf.to_crs("EPSG:4326")
    out = []
    for props, geom in zip(g[columns].to_dict("records"), g.geometry):
        rec = {k: (None if isinstance(v, float) and v != v else v) for k, v in props.items()}
        rec.update(lon=round(geom.x, 6), lat=round(geom.y, 6))
        out.append(rec)
    return out


def _layers(path: Path | None):
    import geopandas as gpd
    import pyogrio

    from boligmonitor.geo import address_points, area_polygons
    from boligmonitor.geo.layers import default_gpkg, layer_source

    path = Path(path) if path else default_gpkg()
    polys = area_polygons(path)
    pts = address_points(path)
    names = {n for n, _ in pyogrio.list_layers(path)}
    schools = gpd.read_file(path, layer="schools") if "schools" in names else None
    streets = gpd.read_file(path, layer="streets") if "streets" in names else None
    return polys, pts, schools, streets, layer_source(path)


def _extent(polys, schools, margin: float = 400.0):
    from shapely.geometry import box

    geoms = list(polys.geometry)
    if schools is not None:
        geoms += list(schools.geometry)
    import shapely

    minx, miny, maxx, maxy = shapely.GeometryCollection(geoms).bounds
    return box(minx - margin, miny - margin, maxx + margin, maxy + margin)


def _scale_bar(ext, crs) -> list:
    """A scale bar in the lower left corner: a round length (100 m ... 5 km) about a fifth of the map's
    width, drawn as a line with its length written above (positions projected from EPSG:25832)."""
    import geopandas as gpd
    from shapely.geometry import Point

    minx, miny, maxx, maxy = ext.bounds
    target = (maxx - minx) / 5
    length = max([n for n in (100, 200, 250, 500, 1000, 2000, 2500, 5000) if n <= max(target, 100)])
    x0, y0 = minx + (maxx - minx) * 0.04, miny + (maxy - miny) * 0.05
    pts = gpd.GeoSeries([Point(x0, y0), Point(x0 + length, y0)], crs=crs).to_crs("EPSG:4326")
    label = f"{length // 1000} km" if length >= 1000 else f"{length} m"
    rec = {"lon": pts.iloc[0].x, "lat": pts.iloc[0].y, "lon2": pts.iloc[1].x, "lat2": pts.iloc[1].y,
           "mlon": (pts.iloc[0].x + pts.iloc[1].x) / 2, "label": label}
    data = alt.Data(values=[rec])
    bar = alt.Chart(data).mark_rule(color="#222", strokeWidth=3).encode(
        longitude="lon:Q", latitude="lat:Q", longitude2="lon2:Q", latitude2="lat2:Q")
    text = alt.Chart(data).mark_text(dy=-9, fontSize=11, color="#222").encode(
        longitude="mlon:Q", latitude="lat:Q", text="label:N")
    return [bar, text]


def _base(polys, schools, streets, source: str, highlight: str | None, title: str, width: int, height: int,
          labels: bool = False):
    ext = _extent(polys, schools)
    layers = []
    if streets is not None:
        near = streets[streets.intersects(ext)]
        if len(near):
            layers.append(alt.Chart(alt.Data(values=_features(near, ["street"]))).mark_geoshape(
                filled=False, stroke="#d0d0d0", strokeWidth=1))
    polys = polys.assign(label=[display_name(a) for a in polys["area_id"]],
                         chosen=[highlight is None or a == highlight for a in polys["area_id"]])
    order = [a.id for a in AREAS]
    layers.append(alt.Chart(alt.Data(values=_features(polys, ["area_id", "label", "chosen"]))).mark_geoshape(
        strokeWidth=1.5, stroke="#333333", fillOpacity=0.75, filled=True,
    ).encode(
        # The same colour per area as every other chart on the site; legend names never cut.
        color=alt.Color("properties.label:N", title="Område",
                        scale=alt.Scale(domain=[display_name(a) for a in order],
                                        range=[AREA_COLOURS[a] for a in order]),
                        legend=None if labels else alt.Legend(labelLimit=0, columns=2, orient="bottom")),
        opacity=alt.condition("datum.properties.chosen", alt.value(1.0), alt.value(0.3)),
        tooltip=[alt.Tooltip("properties.label:N", title="Område")],
    ))
    if labels:
        cent = polys.assign(geometry=polys.geometry.representative_point())
        layers.append(alt.Chart(alt.Data(values=_records(cent, ["label"]))).mark_text(
            dy=26, fontSize=12, fontWeight="bold", color="#222").encode(
            longitude="lon:Q", latitude="lat:Q", text="label:N"))
    layers += _scale_bar(ext, polys.crs)
    if schools is not None and len(schools):
        sch = alt.Data(values=_records(schools, ["name", "kind"]))
        base = alt.Chart(sch).encode(longitude="lon:Q", latitude="lat:Q")
        layers.append(base.mark_point(shape="triangle-up", size=110, filled=True, color="black").encode(
            tooltip=[alt.Tooltip("name:N", title="Skole/sted")]))
        layers.append(base.mark_text(dx=8, align="left", fontSize=11, fontWeight="bold").encode(text="name:N"))
    subtitle = [ILLUSTRATIVE_SUBTITLE] if source == "illustrative" else [f"Kilde: {source}"]
    return layers, alt.TitleParams(title, subtitle=subtitle, subtitleColor="#b00020" if source == "illustrative"
                                   else "#555555", anchor="start"), ext


def _chart(layers, title, width, height):
    return alt.layer(*layers).properties(title=title, width=width, height=height).project(type="mercator")


def area_map(highlight: str | None = None, path: Path | None = None, width: int = 640,
             height: int = 420, streets: bool = False, addresses: bool = True,
             labels: bool = False) -> alt.LayerChart:
    """The monitored areas as filled polygons with a scale bar, their access addresses, the district
    schools and the city centre.

    ``highlight`` (an area id) draws that area strongly and the others faded. ``streets`` adds the
    street lines of the GeoPackage (off by default: cut at the map's edge they read as loose lines);
    ``labels`` writes the areas' names on the map instead of a legend. Needs no person data.
    """
    polys, pts, schools, street_lines, source = _layers(path)
    title = "Boligområderne i Helhedsplan Randers 2021-25" if highlight is None else display_name(highlight)
    layers, tp, ext = _base(polys, schools, street_lines if streets else None, source, highlight, title,
                            width, height, labels=labels)
    inside = pts[pts["area_id"].notna()] if addresses else pts.iloc[0:0]
    if highlight is not None:
        inside = inside[inside["area_id"] == highlight]
    if len(inside):
        inside = inside.assign(label=[f"{s} {h}" for s, h in zip(inside["street"], inside["house_number"])])
        layers.append(alt.Chart(alt.Data(values=_records(inside, ["label", "units"]))).mark_circle(
            size=9, color="#222222", opacity=0.8,
        ).encode(longitude="lon:Q", latitude="lat:Q",
                 tooltip=[alt.Tooltip("label:N", title="Adresse"), alt.Tooltip("units:Q", title="Boliger")]))
    return _chart(layers, tp, width, height)


def mismatch_map(points, path: Path | None = None, width: int = 640, height: int = 420) -> alt.LayerChart:
    """Address points coloured by match status; disagreements drawn large.

    ``points``: a DataFrame with ``x, y`` (EPSG:25832), ``street, house_number, match_status``, e.g.
    ``select * from geo.address_points`` (address level only; never person data).
    """
    import geopandas as gpd

    from boligmonitor import config

    polys, _, schools, streets, source = _layers(path)
    layers, tp, ext = _base(polys, schools, streets, source, None,
                            "Adresseliste og polygoner: hvor er de uenige?", width, height)
    gdf = gpd.GeoDataFrame(points[["street", "house_number", "match_status"]].copy(),
                           geometry=gpd.points_from_xy(points["x"], points["y"]), crs=config.CRS)
    gdf = gdf[gdf.intersects(ext) | ~gdf["match_status"].isin(["both", "none"])]
    gdf = gdf[gdf["match_status"] != "none"]
    gdf = gdf.assign(label=[f"{s} {h}" for s, h in zip(gdf["street"], gdf["house_number"])],
                     status=[STATUS_LABELS.get(s, s) for s in gdf["match_status"]],
                     problem=~gdf["match_status"].isin(["both", "none"]))
    statuses = [k for k in STATUS_LABELS if k != "none"]
    layers.append(alt.Chart(alt.Data(values=_records(gdf, ["label", "status", "problem"]))).mark_circle(
        opacity=0.9,
    ).encode(
        longitude="lon:Q", latitude="lat:Q",
        color=alt.Color("status:N", title="Status",
                        scale=alt.Scale(domain=[STATUS_LABELS[s] for s in statuses],
                                        range=[STATUS_COLOURS[s] for s in statuses])),
        size=alt.condition("datum.problem", alt.value(140), alt.value(10)),
        tooltip=[alt.Tooltip("label:N", title="Adresse"), alt.Tooltip("status:N", title="Status")],
    ))
    return _chart(layers, tp, width, height).resolve_scale(color="independent")


def to_svg(chart: alt.TopLevelMixin) -> str:
    """Render a chart to SVG offline (vl-convert)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_json())


def save(chart: alt.TopLevelMixin, path: Path) -> Path:
    """Write a chart as ``.svg`` or ``.png`` (offline, vl-convert)."""
    import vl_convert as vlc

    path = Path(path)
    if path.suffix == ".svg":
        path.write_text(to_svg(chart), encoding="utf-8")
    elif path.suffix == ".png":
        path.write_bytes(vlc.vegalite_to_png(chart.to_json(), scale=2))
    else:
        raise ValueError(f"save as .svg or .png, not {path.suffix!r}")
    return path
