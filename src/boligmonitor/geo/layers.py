"""Reading and writing ``geo/areas.gpkg``; importers for real address and polygon data; CRS checks.

The GeoPackage holds the layers the pipeline uses (all EPSG:25832):

* ``areas``: one (multi)polygon per area, column ``area_id`` (ids of :mod:`boligmonitor.areas`);
* ``address_points``: one point per access address (adgangsadresse): ``address_key, street,
  house_number, postcode, area_id, units, building_type``;
* ``streets``, ``schools``: for maps only (optional).

To use real data instead of the illustrative default, import it once (no code change)::

    python -m boligmonitor.geo.layers \\
        --addresses adresser.csv        # DAWA/DAR address export, CSV or GeoJSON
        --polygons omraader.gpkg        # any file OGR reads (GeoPackage, Shapefile, GeoJSON, ...)
        [--polygon-layer NAME] [--id-column COLUMN] [--out geo/areas.gpkg]

Address exports: the flat DAWA CSV (``vejnavn``/``adresseringsvejnavn``, ``husnr``, ``postnr``,
``etrs89koordinat_øst``/``etrs89koordinat_nord`` or ``wgs84koordinat_længde``/``..._bredde``,
optional ``etage``/``dør``, ``kommunekode``) or a GeoJSON of the same properties. Unit addresses
(with floor/door) are counted into ``units`` per access address.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from boligmonitor import config
from boligmonitor.errors import BoligmonitorError, InputError

POINT_COLUMNS = ("address_key", "street", "house_number", "postcode", "area_id", "units", "building_type")


class CRSMismatchError(InputError):
    """Two layers that must share a coordinate reference system do not (an error, never a warning)."""


def default_gpkg() -> Path:
    return config.geo_dir() / "areas.gpkg"


def check_crs(*frames, names: tuple[str, ...] | None = None, expected: str | None = config.CRS,
              file: str | Path | None = None) -> None:
    """Raise :class:`CRSMismatchError` unless every frame has the same, defined CRS (and ``expected``)."""
    from pyproj import CRS

    names = names or tuple(f"layer {i + 1}" for i in range(len(frames)))
    crss = []
    for name, f in zip(names, frames):
        if f.crs is None:
            raise CRSMismatchError(f"{name} has no coordinate reference system (expected {expected})", file=file)
        crss.append(CRS.from_user_input(f.crs))
    first = crss[0]
    for name, c in zip(names[1:], crss[1:]):
        if c != first:
            raise CRSMismatchError(
                f"CRS mismatch: {names[0]} is {first.to_string()}, {name} is {c.to_string()}", file=file
            )
    if expected is not None and first != CRS.from_user_input(expected):
        raise CRSMismatchError(
            f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} in {first.to_string()}; "
            f"the pipeline works in {expected} (import the data with boligmonitor.geo.layers to reproject)",
            file=file,
        )


def write_layers(layers: dict, path: Path, source: str, note: str) -> Path:
    """Write GeoDataFrames as layers of one GeoPackage (replacing the file), with provenance metadata."""
    import pyogrio

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.gpkg")
    if tmp.exists():
        tmp.unlink()
    for i, (name, gdf) in enumerate(layers.items()):
        pyogrio.write_dataframe(
            gdf, tmp, layer=name, driver="GPKG", append=i > 0,
            layer_options={"DESCRIPTION": f"{source}: {note}"[:250], "SPATIAL_INDEX": "NO"},
            layer_metadata={"boligmonitor_source": source, "boligmonitor_note": note},
        )
    tmp.replace(path)
    return path


def layer_source(path: Path | None = None, layer: str = "areas") -> str:
    """``"illustrative"`` or ``"imported"`` (from the layer metadata); ``"unknown"`` if absent."""
    import pyogrio

    info = pyogrio.read_info(path or default_gpkg(), layer=layer)
    meta = info.get("layer_metadata") or {}
    return meta.get("boligmonitor_source", "unknown")


def layer_note(path: Path | None = None, layer: str = "areas") -> str:
    import pyogrio

    info = pyogrio.read_info(path or default_gpkg(), layer=layer)
    return (info.get("layer_metadata") or {}).get("boligmonitor_note", "")


def _read(path: Path, layer: str | None = None, **kw):
    import pyogrio

    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path)
    try:
        kw.setdefault("use_arrow", True)
        return pyogrio.read_dataframe(path, layer=layer, **kw)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as e:
        raise InputError(f"cannot read {'layer ' + repr(layer) if layer else 'the file'}: {e}", file=path) from None


def read_area_polygons(path: Path | None = None, layer: str = "areas"):
    """The ``areas`` layer of the GeoPackage: ``area_id, name, geometry``, checked (ids, geometry, CRS)."""
    from boligmonitor.areas import AREA_IDS

    path = Path(path) if path else default_gpkg()
    gdf = _read(path, layer)
    if "area_id" not in gdf.columns:
        raise InputError("the areas layer has no column area_id", file=path, column="area_id")
    bad = sorted(set(gdf["area_id"].dropna()) - set(AREA_IDS))
    if bad:
        raise InputError(f"unknown area ids {bad}; known: {', '.join(AREA_IDS)}", file=path, column="area_id")
    if gdf["area_id"].duplicated().any():
        raise InputError("an area occurs in more than one feature (dissolve it when importing)",
                         file=path, column="area_id")
    if gdf.crs is None:
        raise CRSMismatchError("the areas layer has no CRS", file=path)
    types = set(gdf.geom_type.dropna())
    if not types <= {"Polygon", "MultiPolygon"}:
        raise InputError(f"the areas layer must hold polygons, not {sorted(types)}", file=path)
    return gdf


def read_address_points(path: Path | None = None, layer: str = "address_points"):
    """The ``address_points`` layer of the GeoPackage, checked."""
    path = Path(path) if path else default_gpkg()
    gdf = _read(path, layer)
    missing = [c for c in ("address_key", "street", "house_number", "postcode") if c not in gdf.columns]
    if missing:
        raise InputError(f"the address layer lacks columns {missing}", file=path)
    if gdf.crs is None:
        raise CRSMismatchError("the address layer has no CRS", file=path)
    if gdf["address_key"].duplicated().any():
        dup = gdf.loc[gdf["address_key"].duplicated(), "address_key"].iloc[0]
        raise InputError(f"address key {dup!r} occurs more than once", file=path, column="address_key")
    if "units" not in gdf.columns:
        gdf["units"] = 1
    if "building_type" not in gdf.columns:
        gdf["building_type"] = ["etage" if u > 2 else "parcel" for u in gdf["units"]]
    return gdf


# --- importers --------------------------------------------------------------------------------

_STREET_COLS = ("adresseringsvejnavn", "vejnavn", "street", "vej")
_NUMBER_COLS = ("husnr", "house_number", "husnummer", "husnummertekst")
_POSTCODE_COLS = ("postnr", "postcode", "postnummer")
_EAST_COLS = ("etrs89koordinat_øst", "etrs89koordinat_oest", "etrs89_oest", "x")
_NORTH_COLS = ("etrs89koordinat_nord", "etrs89_nord", "y")
_LON_COLS = ("wgs84koordinat_længde", "wgs84koordinat_laengde", "lon", "longitude")
_LAT_COLS = ("wgs84koordinat_bredde", "lat", "latitude")
_FLOOR_COLS = ("etage", "floor")
_DOOR_COLS = ("dør", "doer", "door", "sidedoer")
_MUNI_COLS = ("kommunekode", "municipality_code")


def _pick(columns, candidates) -> str | None:
    lower = {c.lower(): c for c in columns}
    for c in candidates:
        if c in lower:
            return lower[c]
    return None


def import_addresses(path: Path, municipality_code: int | None = None):
    """Read a DAWA/DAR address export (CSV or GeoJSON) into the address-point layer (EPSG:25832).

    Unit addresses (same street, number, postcode with different floor/door) become one access
    address with ``units`` = their count. ``area_id`` is set by the plan's address ranges.
    Errors name the file, line and column.
    """
    import geopandas as gpd
    import pandas as pd

    from boligmonitor.geo import ranges as rg

    path = Path(path)
    if not path.is_file():
        raise InputError("address file not found", file=path)
    if path.suffix.lower() in (".csv", ".txt"):
        df = _read_csv(path)
        geom_crs = None
    else:
        gdf = _read(path)
        df = pd.DataFrame(gdf.drop(columns="geometry"))
        if gdf.crs is None:
            raise CRSMismatchError("the address file has no CRS", file=path)
        geom_crs = gdf.crs
        df["__x"] = gdf.geometry.x
        df["__y"] = gdf.geometry.y
    cols = list(df.columns)
    street_c, num_c, post_c = _pick(cols, _STREET_COLS), _pick(cols, _NUMBER_COLS), _pick(cols, _POSTCODE_COLS)
    for label, c in (("street (vejnavn)", street_c), ("house number (husnr)", num_c), ("postcode (postnr)", post_c)):
        if c is None:
            raise InputError(f"no {label} column; columns are {cols}", file=path, line=1)
    if geom_crs is not None:
        x, y, crs = df["__x"], df["__y"], geom_crs
    elif _pick(cols, _EAST_COLS) and _pick(cols, _NORTH_COLS):
        x, y, crs = df[_pick(cols, _EAST_COLS)], df[_pick(cols, _NORTH_COLS)], config.CRS
    elif _pick(cols, _LON_COLS) and _pick(cols, _LAT_COLS):
        x, y, crs = df[_pick(cols, _LON_COLS)], df[_pick(cols, _LAT_COLS)], "EPSG:4326"
    else:
        raise InputError("no coordinate columns (etrs89koordinat_øst/_nord or wgs84koordinat_længde/_bredde)",
                         file=path, line=1)
    x = _numeric(x, path, "x")
    y = _numeric(y, path, "y")
    muni_c = _pick(cols, _MUNI_COLS)
    keep = pd.Series(True, index=df.index)
    if municipality_code is not None and muni_c is not None:
        keep = pd.to_numeric(df[muni_c], errors="coerce") == municipality_code
    for i in df.index:
        for c in (street_c, num_c, post_c):
            v = df.at[i, c]
            if pd.isna(v) or str(v).strip() == "":
                raise InputError("empty value", file=path, line=int(i) + 2, column=c)
        if rg.parse_house_number(df.at[i, num_c]) is None:
            raise InputError(f"not a house number: {df.at[i, num_c]!r}", file=path, line=int(i) + 2, column=num_c)
    out = pd.DataFrame({
        "street": df[street_c].astype(str).str.strip(),
        "house_number": [rg.normalise_house_number(v) for v in df[num_c]],
        "postcode": [int(rg.normalise_postcode(v)) for v in df[post_c]],
        "x": x, "y": y,
    })[keep.to_numpy()]
    out["address_key"] = [rg.address_key(s, h, p) for s, h, p in zip(out["street"], out["house_number"], out["postcode"])]
    grouped = out.groupby("address_key", sort=True).agg(
        street=("street", "first"), house_number=("house_number", "first"), postcode=("postcode", "first"),
        x=("x", "first"), y=("y", "first"), units=("street", "size"),
    ).reset_index()
    grouped["units"] = grouped["units"].astype("int32")
    grouped["building_type"] = ["etage" if u > 2 else "parcel" for u in grouped["units"]]
    index = rg.RangeIndex(rg.read_range_table(config.geo_dir() / "address_ranges.csv"))
    grouped["area_id"] = pd.Series(index.assign(grouped["street"], grouped["house_number"]),
                                   index=grouped.index, dtype=object)
    gdf = gpd.GeoDataFrame(grouped.drop(columns=["x", "y"]), geometry=gpd.points_from_xy(grouped["x"], grouped["y"]),
                           crs=crs)
    if gdf.crs != config.CRS:
        gdf = gdf.to_crs(config.CRS)
    return gdf[[*POINT_COLUMNS, "geometry"]]


def _read_csv(path: Path):
    import pandas as pd

    raw = path.read_bytes()
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    first = text.splitlines()[0] if text else ""
    sep = ";" if first.count(";") > first.count(",") else ","
    import io

    return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""])


def _numeric(series, path, column):
    """Coordinates read by the ingest's number-format rule (``boligmonitor.ingest.numbers``): the
    decimal mark decided once for the column, never per value; an ambiguous column is an error."""
    import pandas as pd
    import polars as pl

    from boligmonitor.ingest import numbers

    if not pd.api.types.is_numeric_dtype(series):  # text (object or pandas' string dtype)
        vals = pl.Series(column, series.astype(str).tolist(), dtype=pl.String)
        try:
            d = numbers.decide(vals)
        except numbers.NumberFormatError as e:
            raise InputError(f"ambiguous number format: {e}", file=path, column=column) from None
        num = pd.Series(numbers.parse(vals, d.decimal).to_list(), index=series.index, dtype=float)
    else:
        num = pd.to_numeric(series, errors="coerce")
    bad = num.isna()
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(f"not a coordinate: {series.iloc[i]!r}", file=path, line=i + 2, column=column)
    return num.to_numpy(dtype=float)


def _area_id_for(value, path, column) -> str:
    from boligmonitor.areas import AREAS
    from boligmonitor.geo.ranges import normalise_street

    v = normalise_street(str(value))
    for a in AREAS:
        if v in {normalise_street(a.id), normalise_street(a.name), normalise_street(a.short)}:
            return a.id
        if v == normalise_street(a.name.replace("-området", "")) or v == normalise_street(a.short + "omraadet"):
            return a.id
    raise InputError(f"cannot tell which area {value!r} is (use the area ids or names of boligmonitor.areas)",
                     file=path, column=column)


def import_polygons(path: Path, layer: str | None = None, id_column: str | None = None):
    """Read any OGR-readable polygon file into the ``areas`` layer (EPSG:25832, one feature per area).

    The area of each feature comes from ``id_column`` (or the first of ``area_id``, ``omraade``,
    ``område``, ``navn``, ``name``), matched to the ids or names in :mod:`boligmonitor.areas`.
    Features of the same area are dissolved. A file without a CRS is an error; another CRS is
    reprojected to EPSG:25832 explicitly (this is the import step, not the pipeline).
    """
    path = Path(path)
    gdf = _read(path, layer)
    if gdf.crs is None:
        raise CRSMismatchError("the polygon file has no CRS; define it (e.g. EPSG:25832) before importing", file=path)
    col = id_column or _pick(gdf.columns, ("area_id", "omraade", "område", "omraede", "navn", "name"))
    if col is None or col not in gdf.columns:
        raise InputError(f"no area column ({id_column or 'area_id/omraade/navn/name'}); columns: {list(gdf.columns)}",
                         file=path)
    types = set(gdf.geom_type.dropna())
    if not types <= {"Polygon", "MultiPolygon"}:
        raise InputError(f"expected polygons, found {sorted(types)}", file=path)
    gdf = gdf.assign(area_id=[_area_id_for(v, path, col) for v in gdf[col]])
    if gdf.crs != config.CRS:
        gdf = gdf.to_crs(config.CRS)
    gdf["geometry"] = gdf.geometry.make_valid()
    out = gdf[["area_id", "geometry"]].dissolve(by="area_id", as_index=False)
    from boligmonitor.areas import area

    out["name"] = [area(a).name for a in out["area_id"]]
    out["in_plan"] = [area(a).in_plan for a in out["area_id"]]
    out["geometry_source"] = f"imported from {path.name}"
    return out[["area_id", "name", "in_plan", "geometry_source", "geometry"]]


def import_to_gpkg(addresses: Path | None, polygons: Path | None, out: Path | None = None,
                   polygon_layer: str | None = None, id_column: str | None = None,
                   municipality_code: int | None = None) -> Path:
    """Replace layers of ``geo/areas.gpkg`` with imported ones; layers not given are kept."""
    out = Path(out) if out else default_gpkg()
    layers = {}
    if out.exists():
        import pyogrio

        for name, _ in pyogrio.list_layers(out):
            layers[name] = _read(out, name)
    if polygons is not None:
        layers["areas"] = import_polygons(polygons, layer=polygon_layer, id_column=id_column)
    if addresses is not None:
        layers["address_points"] = import_addresses(addresses, municipality_code=municipality_code)
    for name in ("areas", "address_points"):
        if name not in layers:
            raise InputError(f"no {name} layer: give it to the importer", file=out)
    if addresses is not None:
        layers.pop("streets", None)  # illustrative street lines do not fit real addresses
    sources = []
    if polygons is not None:
        sources.append(f"polygons from {Path(polygons).name}")
    if addresses is not None:
        sources.append(f"addresses from {Path(addresses).name}")
    kept = [n for n, given in (("areas", polygons), ("address_points", addresses)) if given is None]
    note = "imported: " + ", ".join(sources)
    if kept:
        note += f"; layers {kept} kept from the previous file (may be illustrative)"
    write_layers(layers, out, source="imported", note=note)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m boligmonitor.geo.layers",
                                description="Import real address points and area polygons into geo/areas.gpkg")
    p.add_argument("--addresses", type=Path, help="DAWA/DAR address export (CSV or GeoJSON)")
    p.add_argument("--polygons", type=Path, help="area polygons, any file OGR reads")
    p.add_argument("--polygon-layer", help="layer of the polygon file (default: the first)")
    p.add_argument("--id-column", help="column of the polygon file that names the area")
    p.add_argument("--municipality", type=int, default=None, help="keep only this kommunekode (e.g. 730)")
    p.add_argument("--out", type=Path, default=None, help="GeoPackage to write (default geo/areas.gpkg)")
    args = p.parse_args(argv)
    if not args.addresses and not args.polygons:
        p.error("give --addresses and/or --polygons")
    try:
        out = import_to_gpkg(args.addresses, args.polygons, args.out, args.polygon_layer, args.id_column,
                             args.municipality)
    except BoligmonitorError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
