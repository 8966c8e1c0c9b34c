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
from dataclasses import asdict, dataclass, field
from pathlib import Path

from boligmonitor import config
from boligmonitor.errors import InputError, run_command

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


# --- import reports and plausibility checks ---------------------------------------------------------

#: Plausible extents (xmin, ymin, xmax, ymax). Denmark with a margin (Skagen to Gedser, Esbjerg to
#: Bornholm), in ETRS89 / UTM 32N metres and in WGS84 degrees; Randers Kommune with a margin.
DENMARK_25832 = (400_000.0, 6_000_000.0, 920_000.0, 6_450_000.0)
DENMARK_4326 = (7.5, 54.4, 15.6, 58.0)
RANDERS_25832 = (520_000.0, 6_220_000.0, 620_000.0, 6_310_000.0)


@dataclass
class ImportReport:
    """What an importer read, chose, changed and wrote (written next to the GeoPackage as Markdown and
    JSON by :func:`import_to_gpkg`). Areas in m², coordinates in the named CRS."""

    source: str
    layer: str  # "areas" | "address_points"
    columns: dict[str, str] = field(default_factory=dict)  # role -> "column: why"
    rows_read: int = 0
    rows_written: int = 0
    crs_in: str = ""
    crs_source: str = ""  # where the input CRS came from
    crs_out: str = config.CRS
    reprojected: bool = False
    extent_in: list[float] = field(default_factory=list)
    extent_out: list[float] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    repairs: list[dict] = field(default_factory=list)  # {"area_id", "area_before_m2", "area_after_m2", "what"}
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    def markdown(self) -> str:
        out = [f"## {self.layer} from {self.source}", "",
               f"- rows read: {self.rows_read:,}; rows written: {self.rows_written:,}",
               f"- CRS: {self.crs_in} ({self.crs_source})"
               + (f", reprojected to {self.crs_out}" if self.reprojected else f", kept ({self.crs_out})"),
               f"- extent before: {_fmt_box(self.extent_in)}; after: {_fmt_box(self.extent_out)}"]
        out += ["- columns:"] + [f"  - {role}: {why}" for role, why in self.columns.items()]
        out += ["- duplicates:"] + ([f"  - {d}" for d in self.duplicates] or ["  - none"])
        out += ["- repairs:"] + ([f"  - {r['area_id']}: {r['what']}, area {r['area_before_m2']:,.1f} m² -> "
                                  f"{r['area_after_m2']:,.1f} m²" for r in self.repairs] or ["  - none"])
        if self.notes:
            out += ["- notes:"] + [f"  - {n}" for n in self.notes]
        return "\n".join(out) + "\n"

    def summary(self) -> list[str]:
        lines = [f"{self.layer}: {self.rows_read:,} rows read from {self.source}, {self.rows_written:,} written"
                 + (f"; reprojected {self.crs_in} -> {self.crs_out}" if self.reprojected else "")]
        lines += [f"  {role}: {why}" for role, why in self.columns.items()]
        lines += [f"  duplicate: {d}" for d in self.duplicates]
        lines += [f"  repaired: {r['area_id']} ({r['what']}, {r['area_before_m2']:,.1f} -> {r['area_after_m2']:,.1f} m²)"
                  for r in self.repairs]
        lines += [f"  note: {n}" for n in self.notes]
        return lines


def _fmt_box(b) -> str:
    return "-" if not b else "(" + ", ".join(f"{v:,.2f}" for v in b) + ")"


def _bounds(x, y) -> list[float]:
    import numpy as np

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return []
    return [float(x[ok].min()), float(y[ok].min()), float(x[ok].max()), float(y[ok].max())]


def _inside(x, y, box):
    import numpy as np

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return np.isfinite(x) & np.isfinite(y) & (x >= box[0]) & (x <= box[2]) & (y >= box[1]) & (y <= box[3])


def check_source_coordinates(x, y, crs, path: Path, crs_source: str, what: str = "coordinates") -> None:
    """Refuse coordinates that cannot be in the CRS they claim to be in (before any reprojection).

    Geographic CRS: values beyond ±180/±90 are not degrees (typically metres in a GeoJSON without a
    ``crs`` member, which RFC 7946 reads as WGS84); Danish latitudes in the longitude column are
    swapped axes. EPSG:25832: values outside Denmark. Raises :class:`InputError` naming the file.
    """
    import numpy as np
    from pyproj import CRS

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.size == 0:
        return
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise InputError(f"{what}: {int((~(np.isfinite(x) & np.isfinite(y))).sum())} coordinate(s) are not finite "
                         "numbers", file=path)
    c = CRS.from_user_input(crs)
    biggest = float(np.max(np.abs(np.concatenate([x, y]))))
    if c.is_geographic:
        if (np.abs(x) > 180).any() or (np.abs(y) > 90).any():
            if "no crs member" in crs_source:
                raise InputError(
                    f"{what}: coordinates up to {biggest:,.0f} are not degrees; the file has no CRS member, so "
                    "GeoJSON means WGS84: state the CRS (e.g. re-export with EPSG:25832, or pass --source-crs "
                    "EPSG:25832)", file=path)
            raise InputError(f"{what}: coordinates up to {biggest:,.0f} are not degrees, but the file's CRS "
                             f"({c.to_string()}, {crs_source}) is in degrees: state the right CRS "
                             "(--source-crs, e.g. EPSG:25832)", file=path)
        inside = _inside(x, y, DENMARK_4326)
        if not inside.all():
            swapped = _inside(y, x, DENMARK_4326)
            if swapped.mean() > 0.5:
                raise InputError(f"{what}: latitude and longitude are swapped ({int(swapped.sum())} of {x.size} "
                                 f"points have a Danish latitude as longitude, e.g. {x[0]:.5f}, {y[0]:.5f}); "
                                 "export them as longitude, latitude (x, y)", file=path)
            i = int(np.nonzero(~inside)[0][0])
            raise InputError(f"{what}: {int((~inside).sum())} of {x.size} points lie outside Denmark in "
                             f"{c.to_string()} (first: {x[i]:.5f}, {y[i]:.5f}); check the CRS and the columns",
                             file=path)
    elif c == CRS.from_user_input(config.CRS):
        inside = _inside(x, y, DENMARK_25832)
        if not inside.all():
            if _inside(y, x, DENMARK_25832).mean() > 0.5:
                raise InputError(f"{what}: east and north are swapped (e.g. {x[0]:,.2f}, {y[0]:,.2f}); give east "
                                 "(x) first", file=path)
            if (np.abs(x) <= 180).all() and (np.abs(y) <= 90).all():
                raise InputError(f"{what}: the values (up to {biggest:,.5f}) look like degrees, but the CRS is "
                                 f"{config.CRS} (metres): use the WGS84 columns or state the CRS", file=path)
            i = int(np.nonzero(~inside)[0][0])
            raise InputError(f"{what}: {int((~inside).sum())} of {x.size} points lie outside Denmark in "
                             f"{config.CRS} (first: {x[i]:,.2f}, {y[i]:,.2f}); check the CRS", file=path)


def validate_layer(gdf, layer: str, source: Path, extent: tuple[float, float, float, float] = DENMARK_25832,
                   extent_name: str = "Denmark") -> None:
    """Check an imported layer before it replaces anything (EPSG:25832): at least one feature; no
    missing or empty geometry; every coordinate finite and inside ``extent``; polygons valid with a
    positive area; points are points. Raises :class:`InputError` naming the source file."""
    import numpy as np
    import shapely

    if gdf.crs is None or str(gdf.crs) != config.CRS and gdf.crs != config.CRS:
        raise InputError(f"the imported {layer} layer is not in {config.CRS}", file=source)
    if len(gdf) == 0:
        raise InputError(f"the imported {layer} layer would be empty; nothing was written", file=source)
    geoms = gdf.geometry.to_numpy()
    missing = [i for i, g in enumerate(geoms) if g is None or g.is_empty]
    name_col = "area_id" if "area_id" in gdf.columns and layer == "areas" else (
        "address_key" if "address_key" in gdf.columns else None)

    def label(i):
        return f"{gdf[name_col].iloc[i]}" if name_col else f"feature {i + 1}"

    if missing:
        raise InputError(f"the imported {layer} layer has {len(missing)} empty or missing geometr"
                         f"{'y' if len(missing) == 1 else 'ies'} ({', '.join(label(i) for i in missing[:3])}); "
                         "nothing was written", file=source)
    coords = shapely.get_coordinates(geoms)
    if not np.isfinite(coords).all():
        raise InputError(f"the imported {layer} layer has infinite or missing coordinates after reprojection "
                         "(the input CRS is probably wrong); nothing was written", file=source)
    outside = ~_inside(coords[:, 0], coords[:, 1], extent)
    if outside.any():
        b = _bounds(coords[:, 0], coords[:, 1])
        raise InputError(f"the imported {layer} layer reaches outside {extent_name} in {config.CRS} (extent "
                         f"{_fmt_box(b)}); the input CRS is probably wrong; nothing was written", file=source)
    types = set(gdf.geom_type)
    if layer == "areas":
        if not types <= {"Polygon", "MultiPolygon"}:
            raise InputError(f"the imported areas layer holds {sorted(types)}, not only polygons; nothing was "
                             "written", file=source)
        bad = [i for i, g in enumerate(geoms) if not g.is_valid or g.area <= 0]
        if bad:
            raise InputError(f"invalid or zero-area polygons after import ({', '.join(label(i) for i in bad[:3])});"
                             " nothing was written", file=source)
    elif not types <= {"Point"}:
        raise InputError(f"the imported {layer} layer holds {sorted(types)}, not points; nothing was written",
                         file=source)


# --- importers --------------------------------------------------------------------------------

#: Street name columns, best first. ``vejnavn`` is the official street name: the plan's address
#: ranges, the register extracts and the alias table key on it. DAR's ``adresseringsvejnavn`` is a
#: shortened form (at most 20 characters) and is used only when there is no ``vejnavn``.
_STREET_COLS = ("vejnavn", "street", "vej", "adresseringsvejnavn")
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


def _geojson_crs_member(path: Path) -> bool | None:
    """For a GeoJSON file: whether it has a top-level ``crs`` member (None for other formats)."""
    import json

    if path.suffix.lower() not in (".geojson", ".json"):
        return None
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, OSError):
        return None
    return isinstance(data, dict) and data.get("crs") is not None


def _source_crs(gdf, path: Path, source_crs: str | None) -> tuple[object, str]:
    """The CRS of a read file and where it comes from; ``source_crs`` (the user's) overrides."""
    if source_crs:
        return source_crs, "given with --source-crs"
    has_member = _geojson_crs_member(path)
    if has_member is False:
        return gdf.crs, "GeoJSON with no crs member: WGS84 by RFC 7946"
    if gdf.crs is None:
        raise CRSMismatchError("the file has no CRS (coordinate reference system); define it (e.g. EPSG:25832) or pass "
                               "--source-crs", file=path)
    return gdf.crs, "declared in the file"


def _crs_name(crs) -> str:
    from pyproj import CRS

    c = CRS.from_user_input(crs)
    epsg = c.to_epsg()
    return f"EPSG:{epsg}" if epsg else c.name


def import_addresses(path: Path, municipality_code: int | None = None, *, source_crs: str | None = None,
                     report: ImportReport | None = None):
    """Read a DAWA/DAR address export (CSV or GeoJSON) into the address-point layer (EPSG:25832).

    Returns a GeoDataFrame with ``address_key, street, house_number, postcode, area_id, units,
    building_type, geometry`` (points, EPSG:25832). Unit addresses (same street, number, postcode
    with different floor/door) become one access address with ``units`` = the number of distinct
    floor/door pairs; rows repeating a floor/door are duplicates (reported, counted once).
    ``area_id`` is set by the plan's address ranges. The street is ``vejnavn`` (the official name the
    ranges key on) when the file has it, also when it has ``adresseringsvejnavn``; rows where the
    two differ are listed in the report. Coordinates are checked to lie in Denmark before and after
    reprojection. ``report`` (an :class:`ImportReport`) is filled in; it is also in
    ``gdf.attrs["import_report"]``. Errors (:class:`InputError`) name the file, line and column.
    """
    import geopandas as gpd
    import pandas as pd

    from boligmonitor.geo import ranges as rg

    path = Path(path)
    if not path.is_file():
        raise InputError("address file not found", file=path)
    rep = report if report is not None else ImportReport(source=str(path), layer="address_points")
    if path.suffix.lower() in (".csv", ".txt"):
        df = _read_csv(path)
        geom_crs = None
    else:
        gdf = _read(path)
        crs, rep.crs_source = _source_crs(gdf, path, source_crs)
        df = pd.DataFrame(gdf.drop(columns="geometry"))
        empty = gdf.geometry.isna() | gdf.geometry.is_empty
        if empty.any():
            i = int(empty.to_numpy().nonzero()[0][0])
            raise InputError(f"{int(empty.sum())} feature(s) without a geometry (first: feature {i + 1}); "
                             "nothing was written", file=path)
        if not set(gdf.geom_type) <= {"Point"}:
            raise InputError(f"expected points, found {sorted(set(gdf.geom_type))}", file=path)
        geom_crs = crs
        df["__x"] = gdf.geometry.x.to_numpy()
        df["__y"] = gdf.geometry.y.to_numpy()
    rep.rows_read = len(df)
    cols = [c for c in df.columns if not c.startswith("__")]
    street_c, num_c, post_c = _pick(cols, _STREET_COLS), _pick(cols, _NUMBER_COLS), _pick(cols, _POSTCODE_COLS)
    for label, c in (("street (vejnavn)", street_c), ("house number (husnr)", num_c), ("postcode (postnr)", post_c)):
        if c is None:
            raise InputError(f"no {label} column; columns are {cols}", file=path, line=1)
    addr_c = _pick(cols, ("adresseringsvejnavn",))
    if street_c.lower() == "adresseringsvejnavn":
        rep.columns["street"] = (f"{street_c}: the file has no vejnavn; the addressing name is a shortened form (at "
                                 "most 20 characters), so long street names may not match the plan's ranges")
    elif addr_c is not None:
        rep.columns["street"] = (f"{street_c}: the official street name, which the plan's address ranges, the "
                                 f"registers and the alias table key on ({addr_c} is also present: not used)")
    else:
        rep.columns["street"] = f"{street_c}: the street name"
    rep.columns["house number"] = num_c
    rep.columns["postcode"] = post_c
    if geom_crs is not None:
        x, y, crs = df["__x"], df["__y"], geom_crs
        rep.columns["coordinates"] = "the file's point geometries"
    elif _pick(cols, _EAST_COLS) and _pick(cols, _NORTH_COLS):
        e_c, n_c = _pick(cols, _EAST_COLS), _pick(cols, _NORTH_COLS)
        x, y, crs = df[e_c], df[n_c], source_crs or config.CRS
        rep.crs_source = "given with --source-crs" if source_crs else f"columns {e_c}/{n_c} are ETRS89 / UTM 32N"
        rep.columns["coordinates"] = f"{e_c}, {n_c} (ETRS89 metres, the pipeline's CRS: preferred over WGS84 columns)"
    elif _pick(cols, _LON_COLS) and _pick(cols, _LAT_COLS):
        lo_c, la_c = _pick(cols, _LON_COLS), _pick(cols, _LAT_COLS)
        x, y, crs = df[lo_c], df[la_c], source_crs or "EPSG:4326"
        rep.crs_source = "given with --source-crs" if source_crs else f"columns {lo_c}/{la_c} are WGS84 degrees"
        rep.columns["coordinates"] = f"{lo_c} (x), {la_c} (y)"
    else:
        raise InputError("no coordinate columns (etrs89koordinat_øst/_nord or wgs84koordinat_længde/_bredde)",
                         file=path, line=1)
    x = _numeric(x, path, "x")
    y = _numeric(y, path, "y")
    rep.crs_in = _crs_name(crs)
    muni_c = _pick(cols, _MUNI_COLS)
    keep = pd.Series(True, index=df.index)
    if municipality_code is not None and muni_c is not None:
        keep = pd.to_numeric(df[muni_c], errors="coerce") == municipality_code
        rep.columns["municipality"] = f"{muni_c} = {municipality_code}: {int((~keep).sum()):,} rows of other municipalities left out"
    elif municipality_code is not None:
        rep.notes.append(f"--municipality {municipality_code} given but the file has no kommunekode column: all rows kept")
    for i in df.index:
        for c in (street_c, num_c, post_c):
            v = df.at[i, c]
            if pd.isna(v) or str(v).strip() == "":
                raise InputError("empty value", file=path, line=int(i) + 2, column=c)
        if rg.parse_house_number(df.at[i, num_c]) is None:
            raise InputError(f"not a house number: {df.at[i, num_c]!r}", file=path, line=int(i) + 2, column=num_c)
    kmask = keep.to_numpy()
    check_source_coordinates(x[kmask], y[kmask], crs, path, rep.crs_source, what="address coordinates")
    rep.extent_in = _bounds(x[kmask], y[kmask])
    floor_c, door_c = _pick(cols, _FLOOR_COLS), _pick(cols, _DOOR_COLS)

    def unit_part(c):
        return df[c].fillna("").astype(str).str.strip().str.lower() if c else pd.Series("", index=df.index)

    out = pd.DataFrame({
        "street": df[street_c].astype(str).str.strip(),
        "house_number": [rg.normalise_house_number(v) for v in df[num_c]],
        "postcode": [int(rg.normalise_postcode(v)) for v in df[post_c]],
        "unit": unit_part(floor_c) + "|" + unit_part(door_c),
        "x": x, "y": y,
    })[kmask]
    if addr_c is not None and addr_c != street_c:
        other = df.loc[kmask, addr_c].fillna("").astype(str).str.strip()
        differs = [rg.normalise_street(a) != rg.normalise_street(b) and a != ""
                   for a, b in zip(out["street"], other)]
        n = int(sum(differs))
        if n:
            pairs = sorted({(s_, o) for s_, o, d in zip(out["street"], other, differs) if d})
            ex = "; ".join(f"{o!r} for {s_!r}" for s_, o in pairs[:5])
            rep.notes.append(f"{n:,} address rows: the addressing name ({addr_c}) differs from {street_c}, "
                             f"matched on {street_c} ({ex}{'; ...' if len(pairs) > 5 else ''})")
    out["address_key"] = [rg.address_key(s, h, p) for s, h, p in zip(out["street"], out["house_number"], out["postcode"])]
    dup = out.duplicated(["address_key", "unit"])
    if dup.any():
        ex = ", ".join(sorted(set(out.loc[dup, "address_key"]))[:5])
        rep.duplicates.append(f"{int(dup.sum()):,} rows repeat an address (same street, number, postcode, floor and "
                              f"door) and are counted once ({ex})")
        out = out[~dup.to_numpy()]
    grouped = out.groupby("address_key", sort=True).agg(
        street=("street", "first"), house_number=("house_number", "first"), postcode=("postcode", "first"),
        x=("x", "first"), y=("y", "first"), units=("street", "size"),
    ).reset_index()
    if len(grouped) < len(out):
        rep.notes.append(f"{len(out):,} unit addresses grouped into {len(grouped):,} access addresses (units = "
                         "distinct floor/door per street, number and postcode; the first row's point is used)")
    grouped["units"] = grouped["units"].astype("int32")
    grouped["building_type"] = ["etage" if u > 2 else "parcel" for u in grouped["units"]]
    index = rg.RangeIndex(rg.read_range_table(config.geo_dir() / "address_ranges.csv"))
    grouped["area_id"] = pd.Series(index.assign(grouped["street"], grouped["house_number"]),
                                   index=grouped.index, dtype=object)
    # Every street of the plan's ranges should get address points; one that gets none is named here,
    # so a register address left unmatched is not blamed on the register (a shortened addressing name,
    # another spelling, a file cut to another municipality).
    hit = {rg.normalise_street(s_) for s_, a in zip(grouped["street"], grouped["area_id"]) if a is not None}
    lost = sorted({(r.area_id, r.street) for r in index.rows if rg.normalise_street(r.street) not in hit})
    if lost:
        names = "; ".join(f"{st} ({a})" for a, st in lost)
        rep.notes.append(f"WARNING {len(lost)} street(s) of the plan's address ranges have no address point in this "
                         f"file ({names}): their register addresses will match no point; check the street name "
                         f"column ({street_c}) and the file's extent")
    gdf = gpd.GeoDataFrame(grouped.drop(columns=["x", "y"]), geometry=gpd.points_from_xy(grouped["x"], grouped["y"]),
                           crs=crs)
    if _crs_name(crs) != config.CRS:
        gdf = gdf.to_crs(config.CRS)
        rep.reprojected = True
    gdf = gdf[[*POINT_COLUMNS, "geometry"]]
    validate_layer(gdf, "address_points", path)
    coords = gdf.geometry.get_coordinates()
    rep.extent_out = _bounds(coords["x"], coords["y"])
    outside = ~_inside(coords["x"], coords["y"], RANDERS_25832)
    if outside.any():
        rep.notes.append(f"{int(outside.sum()):,} address points lie outside Randers Kommune's extent (kept; use "
                         "--municipality 730 to keep only Randers)")
    rep.notes.append(f"{int(gdf['area_id'].notna().sum()):,} access addresses lie in the plan's address ranges")
    rep.rows_written = len(gdf)
    gdf.attrs["import_report"] = rep
    return gdf


def _read_csv(path: Path):
    import io

    import pandas as pd

    raw = path.read_bytes()
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    first = text.splitlines()[0] if text else ""
    if not first.strip():
        raise InputError("the file is empty (a header line is needed)", file=path, line=1)
    sep = ";" if first.count(";") > first.count(",") else ","
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


def import_polygons(path: Path, layer: str | None = None, id_column: str | None = None, *,
                    source_crs: str | None = None, report: ImportReport | None = None):
    """Read any OGR-readable polygon file into the ``areas`` layer (EPSG:25832, one feature per area).

    Returns ``area_id, name, in_plan, geometry_source, geometry`` (polygons, EPSG:25832). The area
    of each feature comes from ``id_column`` (or the first of ``area_id``, ``omraade``, ``område``,
    ``navn``, ``name``), matched to the ids or names in :mod:`boligmonitor.areas`. Features of the
    same area are dissolved (reported). A file without a CRS is an error unless ``source_crs`` is
    given; a GeoJSON without a ``crs`` member is WGS84 (RFC 7946), and coordinates that are not
    degrees are refused. Another CRS is reprojected to EPSG:25832; invalid polygons are repaired
    (``make_valid``) with their area before and after in the report. The result must lie in Randers
    Kommune and be valid, or :class:`InputError` is raised (nothing is written).
    """
    import shapely

    path = Path(path)
    rep = report if report is not None else ImportReport(source=str(path), layer="areas")
    gdf = _read(path, layer)
    rep.rows_read = len(gdf)
    crs, rep.crs_source = _source_crs(gdf, path, source_crs)
    if source_crs:
        gdf = gdf.set_crs(source_crs, allow_override=True)
    rep.crs_in = _crs_name(crs)
    col = id_column or _pick(gdf.columns, ("area_id", "omraade", "område", "omraede", "navn", "name"))
    if col is None or col not in gdf.columns:
        raise InputError(f"no area column ({id_column or 'area_id/omraade/navn/name'}); columns: {list(gdf.columns)}",
                         file=path)
    rep.columns["area"] = f"{col}: " + ("given with --id-column" if id_column else
                                       "the first of area_id, omraade, område, navn, name in the file")
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if empty.any():
        names = ", ".join(str(v) for v in gdf.loc[empty, col].head(3))
        raise InputError(f"{int(empty.sum())} feature(s) without a geometry ({names}); nothing was written",
                         file=path)
    types = set(gdf.geom_type.dropna())
    if not types <= {"Polygon", "MultiPolygon"}:
        raise InputError(f"expected polygons, found {sorted(types)}", file=path)
    gdf = gdf.assign(area_id=[_area_id_for(v, path, col) for v in gdf[col]])
    coords = shapely.get_coordinates(gdf.geometry.to_numpy())
    check_source_coordinates(coords[:, 0], coords[:, 1], crs, path, rep.crs_source, what="polygon coordinates")
    rep.extent_in = _bounds(coords[:, 0], coords[:, 1])
    if _crs_name(crs) != config.CRS:
        gdf = gdf.to_crs(config.CRS)
        rep.reprojected = True
    invalid = ~gdf.geometry.is_valid
    for i in invalid.to_numpy().nonzero()[0]:
        before = gdf.geometry.iloc[i]
        fixed = shapely.make_valid(before)
        if fixed.geom_type == "GeometryCollection":
            fixed = shapely.unary_union([g for g in fixed.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
        rep.repairs.append({"area_id": gdf["area_id"].iloc[i], "what": f"invalid polygon ({shapely.is_valid_reason(before)}) "
                            "made valid", "area_before_m2": float(before.area), "area_after_m2": float(fixed.area)})
        gdf.loc[gdf.index[i], "geometry"] = fixed
    counts = gdf["area_id"].value_counts()
    for a, n in counts[counts > 1].items():
        rep.duplicates.append(f"{a}: {n} features dissolved into one")
    out = gdf[["area_id", "geometry"]].dissolve(by="area_id", as_index=False)
    from boligmonitor.areas import area

    out["name"] = [area(a).name for a in out["area_id"]]
    out["in_plan"] = [area(a).in_plan for a in out["area_id"]]
    out["geometry_source"] = f"imported from {path.name}"
    out = out[["area_id", "name", "in_plan", "geometry_source", "geometry"]]
    validate_layer(out, "areas", path, extent=RANDERS_25832, extent_name="Randers Kommune")
    b = out.total_bounds
    rep.extent_out = [float(v) for v in b]
    rep.notes += [f"{a}: {g.area:,.0f} m²" for a, g in zip(out["area_id"], out.geometry)]
    rep.rows_written = len(out)
    out.attrs["import_report"] = rep
    return out


def report_paths(out: Path) -> tuple[Path, Path]:
    """The import report next to the GeoPackage: ``<stem>.import-report.md`` and ``.json``."""
    out = Path(out)
    return out.with_name(f"{out.stem}.import-report.md"), out.with_name(f"{out.stem}.import-report.json")


def import_to_gpkg(addresses: Path | None, polygons: Path | None, out: Path | None = None,
                   polygon_layer: str | None = None, id_column: str | None = None,
                   municipality_code: int | None = None, *, source_crs: str | None = None,
                   say=None) -> Path:
    """Replace layers of ``geo/areas.gpkg`` with imported ones; layers not given are kept.

    Every imported layer is read, checked and validated first (:func:`import_addresses`,
    :func:`import_polygons`); only then is the GeoPackage rewritten (to a temporary file that
    replaces it), so a file that fails leaves the previous layers intact. The import report is
    written next to it (:func:`report_paths`) and each line of its summary passed to ``say``.
    """
    import json

    out = Path(out) if out else default_gpkg()
    reports: list[ImportReport] = []
    new = {}
    if polygons is not None:
        rep = ImportReport(source=str(polygons), layer="areas")
        new["areas"] = import_polygons(polygons, layer=polygon_layer, id_column=id_column, source_crs=source_crs,
                                       report=rep)
        reports.append(rep)
    if addresses is not None:
        rep = ImportReport(source=str(addresses), layer="address_points")
        new["address_points"] = import_addresses(addresses, municipality_code=municipality_code,
                                                 source_crs=source_crs, report=rep)
        reports.append(rep)
    layers = {}
    if out.exists():
        import pyogrio

        for name, _ in pyogrio.list_layers(out):
            layers[name] = _read(out, name)
    if "areas" in new and "areas" in layers and "area_id" in layers["areas"].columns:
        dropped = sorted(set(layers["areas"]["area_id"]) - set(new["areas"]["area_id"]))
        if dropped:
            reports[0].notes.append(
                f"WARNING {len(dropped)} area(s) of the previous areas layer are not in this file and now have no "
                f"polygon: {', '.join(dropped)}; their addresses are assigned by the plan's ranges only "
                "(range_only). Import a file with every area to keep them")
    layers.update(new)
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
    md, js = report_paths(out)
    head = f"# Import into {out.name}\n\n{note}\n\n"
    md.write_text(head + "\n".join(r.markdown() for r in reports), encoding="utf-8")
    js.write_text(json.dumps({"gpkg": str(out), "note": note, "layers": [r.to_dict() for r in reports]},
                             ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if say is not None:
        for r in reports:
            for line in r.summary():
                say(line)
        say(f"import report: {md}")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m boligmonitor.geo.layers",
                                description="Import real address points and area polygons into geo/areas.gpkg")
    p.add_argument("--addresses", type=Path, help="DAWA/DAR address export (CSV or GeoJSON)")
    p.add_argument("--polygons", type=Path, help="area polygons, any file OGR reads")
    p.add_argument("--polygon-layer", help="layer of the polygon file (default: the first)")
    p.add_argument("--id-column", help="column of the polygon file that names the area")
    p.add_argument("--municipality", type=int, default=None, help="keep only this kommunekode (e.g. 730)")
    p.add_argument("--source-crs", default=None,
                   help="CRS of the input files when they state none or state it wrongly (e.g. EPSG:25832 for a "
                        "GeoJSON in metres without a crs member)")
    p.add_argument("--out", type=Path, default=None, help="GeoPackage to write (default geo/areas.gpkg)")
    args = p.parse_args(argv)
    if not args.addresses and not args.polygons:
        p.error("give --addresses and/or --polygons")

    def run() -> int:
        out = import_to_gpkg(args.addresses, args.polygons, args.out, args.polygon_layer, args.id_column,
                             args.municipality, source_crs=args.source_crs, say=print)
        print(f"wrote {out}")
        return 0

    return run_command("python -m boligmonitor.geo.layers", run)


if __name__ == "__main__":
    sys.exit(main())
