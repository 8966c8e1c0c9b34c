"""The synthetic default: a register extract of Randers Kommune 2016-2025 calibrated to the plan.

``write_extract(out_dir, seed, scale)`` writes ``out_dir/<year>/<register>.csv`` for every yearly
register and ``out_dir/reference/<register>.csv`` exactly as declared in
``boligmonitor.registers`` (raw Danish headers in declared order, ``;``, decimal comma,
``dd-mm-yyyy``, ``J``/``N``, each file in its declared encoding; the municipal cp1252/latin-1
sources with CRLF line ends), plus ``out_dir/SYNTHETIC.json`` (seed, scale, generator version).

The population is built on the address layer (``boligmonitor.geo.address_points()``); see
``docs/synthetic-data.md`` for what is calibrated to what and what is illustrative. The same seed
and scale give byte-identical files.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import polars as pl

from boligmonitor import config
from boligmonitor import registers as R
from boligmonitor.synth.population import simulate
from boligmonitor.synth.reference import reference_tables
from boligmonitor.synth.registers_gen import Extract

#: Bumped whenever the generated files change for the same seed.
GENERATOR_VERSION = "1.1.0"
#: Sources that send Windows line ends (municipal systems exporting cp1252/latin-1).
CRLF_ENCODINGS = ("cp1252", "latin-1")


def load_addresses() -> pl.DataFrame:
    """The address layer as a polars frame (no geometry): the dwellings of the synthetic municipality."""
    from boligmonitor.geo import address_points

    gdf = address_points()
    cols = ["address_key", "street", "house_number", "postcode", "area_id", "units", "building_type"]
    return pl.from_pandas(gdf[cols].astype({"area_id": object}))


def encode_csv(df: pl.DataFrame, reg: R.Register) -> bytes:
    """A frame of raw string columns as the source would send it (declared encoding, line ends)."""
    text = df.select(reg.raw_headers).write_csv(separator=";", quote_style="necessary", line_terminator="\n")
    if reg.encoding in CRLF_ENCODINGS:
        text = text.replace("\n", "\r\n")
    return text.encode(reg.encoding)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _file_digest(path: Path) -> str:
    import hashlib

    with open(path, "rb") as f:
        return hashlib.file_digest(f, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


def iter_registers(addresses: pl.DataFrame, seed: int, scale: float, stats: dict | None = None):
    """Every yearly register in declaration order, one at a time, as ``(register, Rows)``.

    ``Rows.part(year)`` gives one year's file as a frame of raw Danish text columns (plus ``year``).
    Only the population, the shared states and the register in hand (plus the two that are made together
    with an earlier one: charges with decisions, jobready with benefits) are held at a time; each register
    draws from its own random sub-stream, so the order of generation does not change the files.
    ``stats`` (if given) receives persons, person_years and dwellings before the first register.
    """
    pop, py, persons = simulate(addresses, seed=seed, scale=scale)
    if stats is not None:
        stats.update({"persons": len(persons["birth"]), "person_years": py.height, "dwellings": len(pop.dw.address),
                      "population_bytes": py.nbytes + sum(a.nbytes for a in persons.values())})
    ex = Extract(pop, py, persons, addresses, seed)
    ex.education_state()
    ex.labour_state()
    pending: dict = {}

    def benefits():
        b = ex.benefits()
        pending["jobparate"] = ex.jobready(b)
        return b

    def crime():
        decisions, pending["sigtelser"] = ex.crime()
        return decisions

    makers = {
        "befolkning": ex.population, "doedsfald": ex.deaths, "ydelser": benefits, "uddannelse": ex.education,
        "indkomst": ex.income, "afgoerelser": crime, "sigtelser": lambda: pending.pop("sigtelser"),
        "dagtilbud": ex.daycare, "karakterer": ex.exam_marks, "fravaer": ex.absence,
        "sprogvurdering": ex.language, "ungdomsuddannelse": ex.youth_education, "ungdomsskole": ex.youth_school,
        "ssp": ex.ssp, "udsaettelser": ex.evictions, "jobtilskud": ex.job_grants,
        "jobparate": lambda: pending.pop("jobparate"), "valgdeltagelse": ex.turnout,
    }
    missing = {reg.name for reg in R.YEARLY_REGISTERS} - set(makers)
    if missing:
        raise RuntimeError(f"synth: no generator for the declared register(s) {sorted(missing)}")
    for reg in R.YEARLY_REGISTERS:
        yield reg, makers[reg.name]()


def build_frames(addresses: pl.DataFrame, seed: int, scale: float) -> tuple[dict[str, pl.DataFrame], dict]:
    """Every register as one frame with a ``year`` column (raw Danish text columns), all held at once.

    For small extracts and tests only; :func:`write_extract` streams (:func:`iter_registers`)."""
    stats: dict = {}
    years = range(config.FIRST_DATA_YEAR, config.LAST_DATA_YEAR + 1)
    frames = {reg.name: pl.concat([rows.part(y).select("year", *reg.raw_headers) for y in years])
              for reg, rows in iter_registers(addresses, seed, scale, stats)}
    return frames, stats


def write_extract(out_dir: Path, seed: int = config.DEFAULT_SEED, scale: float = 1.0, say=print,
                  addresses: pl.DataFrame | None = None) -> dict:
    """Write the synthetic extract to ``out_dir``; returns counts (persons, files, rows per register).

    Streams: one register at a time, one year's file at a time (generated, encoded, written, freed), so
    memory is the population (about 85 bytes per person and 19 per person-year) plus one register. The
    files' BLAKE2b digests go into ``SYNTHETIC.json``, written last: a folder without it is not a
    complete synthetic extract (the CLI writes into a temporary folder and moves it into place).
    ``addresses`` (columns of ``geo.address_points()`` without geometry) defaults to the shipped
    address layer; tests pass a small one.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    if addresses is None:
        addresses = load_addresses()
    years = range(config.FIRST_DATA_YEAR, config.LAST_DATA_YEAR + 1)
    rows: dict[str, int] = {}
    written: dict[str, str] = {}  # relative path -> BLAKE2b digest (foreign_content spots edited files)
    n_files = 0
    stats: dict = {}
    for reg, reg_rows in iter_registers(addresses, seed, scale, stats):
        if not rows:  # the population is simulated before the first register
            say(f"synth: simulated {stats['persons']:,} persons ({stats['person_years']:,} person-years) "
                f"in {stats['dwellings']:,} dwellings, seed {seed}, scale {scale}")
        rows[reg.name] = 0
        for y in years:
            part = reg_rows.part(y)
            if part.height == 0 and reg.optional:
                continue
            rows[reg.name] += part.height
            data = encode_csv(part, reg)
            del part
            _write(out_dir / str(y) / reg.filename, data)
            written[f"{y}/{reg.filename}"] = _digest(data)
            del data
            n_files += 1
        del reg_rows
    for reg in R.REFERENCE_REGISTERS:
        if reg.optional:  # filled in by the unit (eksterne_indikatorer): the synthetic default has none
            continue
        df = reference_tables()[reg.name]
        data = encode_csv(df, reg)
        _write(out_dir / R.REFERENCE_DIR / reg.filename, data)
        written[f"{R.REFERENCE_DIR}/{reg.filename}"] = _digest(data)
        rows[reg.name] = df.height
        n_files += 1
    meta = {
        "generator": "boligmonitor.synth",
        "version": GENERATOR_VERSION,
        "seed": seed,
        "scale": scale,
        "years": [years.start, years.stop - 1],
        "fingerprint": generator_fingerprint(),
        "note": "Synthetic data: no real person. Person numbers are replacement numbers (day of birth + 60).",
        "files": written,
    }
    (out_dir / "SYNTHETIC.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    say(f"synth: wrote {n_files} files to {out_dir} in {time.perf_counter() - t0:.1f} s")
    stats.pop("population_bytes", None)
    return {**stats, "files": n_files, "rows": rows, "seed": seed, "scale": scale}


def generator_fingerprint() -> str:
    """A hash of everything the synthetic extract is generated from (this package's code, the register
    declaration, the address layer and the shipped data files). ``make data`` compares it with the
    one in ``SYNTHETIC.json`` to rewrite a synthetic extract that an older generator wrote."""
    import hashlib

    pkg = Path(__file__).resolve().parent
    files = sorted(pkg.glob("*.py")) + [pkg.parent / "registers.py", pkg.parent / "areas.py"]
    files += sorted((pkg.parent / "data").glob("*.csv")) + sorted(config.geo_dir().glob("*"))
    h = hashlib.sha256()
    for f in files:
        if f.is_file():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def extract_state(raw_dir: Path) -> str:
    """What ``raw_dir`` holds: ``empty``, ``real`` (any extract without SYNTHETIC.json: never touched),
    ``synthetic-current`` or ``synthetic-stale`` (written by another version of the generator)."""
    raw_dir = Path(raw_dir)
    if not raw_dir.exists() or not any(p.is_dir() and p.name.isdigit() for p in raw_dir.iterdir()):
        return "empty"
    meta_path = raw_dir / "SYNTHETIC.json"
    if not meta_path.exists() or foreign_content(raw_dir):
        return "real"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    return "synthetic-current" if meta.get("fingerprint") == generator_fingerprint() else "synthetic-stale"


#: Files a project folder may hold besides an extract (the repository's data/raw/README.md, placeholders).
PLACEHOLDERS = frozenset({"README.md", ".gitkeep", ".gitignore"})


def _own_names() -> tuple[set[str], set[str]]:
    return {reg.filename for reg in R.YEARLY_REGISTERS}, {reg.filename for reg in R.REFERENCE_REGISTERS}


def foreign_content(out_dir: Path) -> list[str]:
    """What in ``out_dir`` is not the synthetic generator's own output (relative paths; ``[]`` for an
    empty or missing folder, or one holding only a synthetic extract and :data:`PLACEHOLDERS`).

    Without ``SYNTHETIC.json`` every file is foreign (a real extract looks the same as ours). With it,
    year folders and ``reference/`` may hold only the files the generator wrote, unchanged: a file
    whose content differs from the digest in ``SYNTHETIC.json`` (edited, or replaced by a real file
    of the same name) is foreign too, listed as ``<path> (changed since synth wrote it)``. A marker
    from before digests were recorded is checked by file names only."""
    out_dir = Path(out_dir)
    if not out_dir.exists():
        return []
    if not out_dir.is_dir():
        return [out_dir.name]
    synthetic = (out_dir / "SYNTHETIC.json").is_file()
    digests: dict[str, str] | None = None
    if synthetic:
        try:
            meta = json.loads((out_dir / "SYNTHETIC.json").read_text(encoding="utf-8"))
            digests = meta.get("files") if isinstance(meta, dict) and isinstance(meta.get("files"), dict) else None
        except (ValueError, OSError):
            return ["SYNTHETIC.json (unreadable)"]
    yearly, reference = _own_names()
    found: list[str] = []
    for p in sorted(out_dir.iterdir()):
        if p.name in PLACEHOLDERS or (p.name == "SYNTHETIC.json" and p.is_file()):
            continue
        allowed = yearly if p.name.isdigit() and len(p.name) == 4 else reference if p.name == R.REFERENCE_DIR else None
        if not synthetic or allowed is None or not p.is_dir():
            if p.is_dir():
                found += [q.relative_to(out_dir).as_posix() for q in sorted(p.rglob("*")) if q.is_file()] or [p.name + "/"]
            else:
                found.append(p.name)
            continue
        for q in sorted(p.rglob("*")):
            if not q.is_file():
                continue
            rel = q.relative_to(out_dir).as_posix()
            if q.parent != p or q.name not in allowed:
                found.append(rel)
            elif digests is not None and digests.get(rel) != _file_digest(q):
                found.append(f"{rel} (changed since synth wrote it)")
    return found


def clear_synthetic(out_dir: Path) -> None:
    """Remove a synthetic extract's own files from ``out_dir`` (year folders, ``reference/``,
    ``SYNTHETIC.json``). Only call when :func:`foreign_content` is empty."""
    import shutil

    out_dir = Path(out_dir)
    if foreign_content(out_dir):
        raise RuntimeError(f"{out_dir} holds files the generator did not write; refusing to clear it")
    for p in out_dir.iterdir() if out_dir.is_dir() else ():
        if p.is_dir() and (p.name.isdigit() or p.name == R.REFERENCE_DIR):
            shutil.rmtree(p)
    (out_dir / "SYNTHETIC.json").unlink(missing_ok=True)


__all__ = ["foreign_content", "clear_synthetic", "PLACEHOLDERS", "generator_fingerprint", "extract_state", "write_extract", "build_frames", "iter_registers", "encode_csv", "load_addresses", "GENERATOR_VERSION"]
