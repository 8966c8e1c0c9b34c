"""Is the built database up to date? A cheap check that lets ``pipeline.build`` skip the whole pipeline.

An incremental build with nothing changed used to rerun every step after the ingest and rewrite
the database (40-60 % of a full build, issue 17). After every successful build of the default
steps, :func:`record` writes a stamp next to the database, ``.<db name>.uptodate.json``:

* every file under the raw folder: relative path, size in bytes, modification time (ns) and its
  sha256 (taken from ``ingest_cache.files`` of the new database, which the ingest computed anyway;
  files the ingest does not read, e.g. ``SYNTHETIC.json``, are hashed if under 1 MB);
* a fingerprint of what else decides the result: every file of the installed ``boligmonitor``
  package (code, code lists, shipped data), the geography inputs (``geo/`` folder: size and
  modification time), the build's settings (and the size and time of any file they name), an HMAC of the pseudonymisation key (never the key),
  and the versions of Python and DuckDB;
* the database file's size and modification time, and every published file's path, size and
  modification time (the outputs the stamp vouches for).

:func:`check` compares all of this with the present state and returns a sentence saying why the
build may be skipped, or ``None`` when anything differs (a raw file whose size and time are the
same is unchanged; one whose time differs but whose size and sha256 are the same is unchanged
too, e.g. a copied folder). It reads no raw file unless its time changed, and opens no database.
It costs a few tens of milliseconds on the default data. Anything it cannot read means "not up
to date": the check can only make a build happen, never lose one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import platform
from pathlib import Path

#: Files under the raw folder that are not ingested but small enough to hash at record time.
_SMALL = 1 << 20
_PACKAGE_SUFFIXES = {".py", ".csv", ".yml", ".yaml", ".json", ".md", ".txt", ".toml"}


def stamp_path(db_path: Path) -> Path:
    """Where the stamp of the database ``db_path`` lives (beside it, hidden)."""
    db_path = Path(db_path)
    return db_path.with_name(f".{db_path.name}.uptodate.json")


def _stat(p: Path) -> list[int]:
    st = p.stat()
    return [st.st_size, st.st_mtime_ns]


def _listing(folder: Path) -> dict[str, list[int]]:
    """{relative path: [size, mtime_ns]} of every file under ``folder`` (sorted, posix paths)."""
    out = {}
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            p = Path(root) / name
            out[p.relative_to(folder).as_posix()] = _stat(p)
    return out


def _sha256(p: Path) -> str:
    h = hashlib.sha256()
    with p.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def package_fingerprint() -> str:
    """sha256 over every source and data file of the installed ``boligmonitor`` package."""
    import boligmonitor

    root = Path(boligmonitor.__file__).resolve().parent
    h = hashlib.sha256()
    for rel, _ in sorted(_listing(root).items()):
        if Path(rel).suffix in _PACKAGE_SUFFIXES and "__pycache__" not in rel:
            h.update(rel.encode())
            h.update(b"\0")
            h.update((root / rel).read_bytes())
            h.update(b"\0")
    return h.hexdigest()


def fingerprint(key: bytes, settings: dict | None) -> dict:
    """What besides the raw files decides the build's result (JSON-ready)."""
    import duckdb

    from boligmonitor import config

    geo = config.geo_dir()
    return {
        "package": package_fingerprint(),
        "geo": _listing(geo) if geo.is_dir() else {},
        "settings": json.dumps(settings or {}, sort_keys=True, default=str),
        "settings_files": {str(p): _stat(p) for p in _paths_in(settings or {})},
        "key": hmac.new(key, b"boligmonitor up-to-date stamp", hashlib.sha256).hexdigest()[:16],
        "versions": [platform.python_version(), duckdb.__version__],
    }


def _paths_in(value) -> list[Path]:
    """Existing files named anywhere in the settings (e.g. another GeoPackage), sorted."""
    found: set[Path] = set()

    def walk(v) -> None:
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list | tuple | set):
            for x in v:
                walk(x)
        elif isinstance(v, str | Path) and len(str(v)) < 4096:
            with contextlib.suppress(OSError, ValueError):
                if Path(v).is_file():
                    found.add(Path(v).resolve())

    walk(value)
    return sorted(found)


def _cached_hashes(db_path: Path) -> dict[str, tuple[int, int, str]]:
    """{source_file: (size, mtime_ns, sha256)} from the database's ``ingest_cache.files``."""
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute("select source_file, size, mtime_ns, sha256 from ingest_cache.files").fetchall()
    except duckdb.Error:
        rows = []
    finally:
        con.close()
    return {f: (s, m, h) for f, s, m, h in rows}


def record(raw_dir: Path, db_path: Path, published_dir: Path, key: bytes, settings: dict | None) -> Path:
    """Write the stamp for a database just built from ``raw_dir`` (see the module docstring).

    Returns the stamp's path. Raises ``OSError`` if a file cannot be read or the stamp written."""
    raw_dir, db_path, published_dir = Path(raw_dir), Path(db_path), Path(published_dir)
    cached = _cached_hashes(db_path)
    raw = {}
    for rel, (size, mtime) in _listing(raw_dir).items():
        c = cached.get(rel)
        if c is not None and (c[0], c[1]) == (size, mtime):
            sha = c[2]
        elif c is not None:  # changed while the build ran: what was loaded is not this file
            size, mtime, sha = -1, -1, None
        elif size <= _SMALL:
            sha = _sha256(raw_dir / rel)
        else:
            sha = None
        raw[rel] = [size, mtime, sha]
    stamp = {
        "built_at": dt.datetime.now().isoformat(timespec="seconds"),
        "raw_dir": str(raw_dir.resolve()),
        "raw": raw,
        "fingerprint": fingerprint(key, settings),
        "db": _stat(db_path),
        "published": _listing(published_dir),
    }
    path = stamp_path(db_path)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(stamp), encoding="utf-8")
    os.replace(tmp, path)
    return path


def forget(db_path: Path) -> None:
    """Remove the stamp (the next build runs the pipeline)."""
    with contextlib.suppress(OSError):
        stamp_path(db_path).unlink()


def check(raw_dir: Path, db_path: Path, published_dir: Path, key: bytes, settings: dict | None) -> str | None:
    """A sentence saying why the build of ``raw_dir`` into ``db_path`` and ``published_dir`` can be
    skipped, or ``None`` if anything changed since the stamp was recorded (or there is no stamp)."""
    raw_dir, db_path, published_dir = Path(raw_dir), Path(db_path), Path(published_dir)
    try:
        stamp = json.loads(stamp_path(db_path).read_text(encoding="utf-8"))
        if stamp.get("raw_dir") != str(raw_dir.resolve()):
            return None
        if not db_path.is_file() or stamp.get("db") != _stat(db_path):
            return None
        if not published_dir.is_dir() or stamp.get("published") != _listing(published_dir):
            return None
        now = _listing(raw_dir)
        old = stamp.get("raw", {})
        if set(now) != set(old):
            return None
        for rel, (size, mtime) in now.items():
            o_size, o_mtime, o_sha = old[rel]
            if size == o_size and mtime == o_mtime:
                continue
            if size != o_size or o_sha is None or _sha256(raw_dir / rel) != o_sha:
                return None
        if stamp.get("fingerprint") != fingerprint(key, settings):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (f"{len(now)} raw files, the package, the geography, the settings and the key are as at the "
            f"build of {stamp['built_at']}")
