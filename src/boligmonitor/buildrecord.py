"""The build record: what the last build attempts of a database did, for ``boligmonitor check``.

``pipeline.build`` writes ``<db>.build.json`` next to the database after every attempt, whether it
succeeded, failed or was interrupted (a failed build leaves the previous database in place, so the
database alone cannot tell). The file holds two entries of the same shape::

    {"last_attempt": {...}, "last_success": {...}}
    # each: status ("ok" | "failed" | "interrupted"), started, finished (ISO 8601, local time with
    # offset), raw_dir, published_dir, full (bool), error (one sentence, "" when ok),
    # raw_files ({relative path: [size in bytes, mtime in ns]}; last_success only)

:func:`findings` compares them with the database and the raw folder now: the last build failed (when,
why), and whether the raw folder changed since the database was built (files added, changed, removed).
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import datetime
from pathlib import Path

SUFFIX = ".build.json"


def record_path(db_path: Path | str) -> Path:
    """``<db>.build.json`` (next to the database)."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + SUFFIX)


def now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def raw_snapshot(raw_dir: Path | str) -> dict[str, list[int]]:
    """Every file under ``raw_dir`` (hidden ones skipped): ``{relative posix path: [size, mtime_ns]}``."""
    raw_dir = Path(raw_dir)
    out: dict[str, list[int]] = {}
    if not raw_dir.is_dir():
        return out
    for root, dirs, files in os.walk(raw_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            if f.startswith("."):
                continue
            p = Path(root) / f
            with contextlib.suppress(OSError):
                st = p.stat()
                out[p.relative_to(raw_dir).as_posix()] = [st.st_size, st.st_mtime_ns]
    return out


def read(db_path: Path | str) -> dict:
    """The record of ``db_path`` (``{}`` when there is none or it is unreadable)."""
    p = record_path(db_path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_attempt(db_path: Path | str, *, status: str, started: str, raw_dir: Path, published_dir: Path,
                  full: bool, error: str = "") -> None:
    """Record one build attempt (``status`` ok/failed/interrupted). Never raises: a record that cannot
    be written (disk full, permission) must not turn a good build into a failed one."""
    with contextlib.suppress(Exception):
        rec = read(db_path)
        error = " ".join(line.strip() for line in error.splitlines() if line.strip())
        attempt = {"status": status, "started": started, "finished": now(), "raw_dir": str(Path(raw_dir).resolve()),
                   "published_dir": str(Path(published_dir).resolve()), "full": bool(full), "error": error}
        rec["last_attempt"] = attempt
        if status == "ok":
            rec["last_success"] = {**attempt, "raw_files": raw_snapshot(raw_dir)}
        p = record_path(db_path)
        tmp = p.with_name(p.name + f".tmp-{os.getpid()}")
        tmp.write_text(json.dumps(rec, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, p)


def raw_changes(before: dict[str, list[int]], raw_dir: Path | str,
                loaded_sha256: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Files ``added``, ``changed`` and ``removed`` since ``before``. A file whose size or modification
    time differs is changed unless its SHA-256 still equals the one the ingest logged
    (``loaded_sha256``: ``staging.load_log``'s ``source_file -> sha256``), e.g. a file only touched."""
    import hashlib

    raw_dir = Path(raw_dir)
    now_ = raw_snapshot(raw_dir)
    changed = []
    for k in sorted(set(now_) & set(before)):
        if list(now_[k]) == list(before[k]):
            continue
        sha = (loaded_sha256 or {}).get(k)
        if sha is not None:
            with contextlib.suppress(OSError):
                if hashlib.sha256((raw_dir / k).read_bytes()).hexdigest() == sha:
                    continue
        changed.append(k)
    return {"added": sorted(set(now_) - set(before)), "changed": changed, "removed": sorted(set(before) - set(now_))}


def _loaded_sha256(db_path: Path | str) -> dict[str, str]:
    """``staging.load_log``'s file hashes ({} when the database cannot be read)."""
    with contextlib.suppress(Exception):
        from boligmonitor.db import connect

        con = connect(db_path, read_only=True)
        try:
            return dict(con.execute("select source_file, sha256 from staging.load_log").fetchall())
        finally:
            con.close()
    return {}


def _examples(names: list[str], n: int = 3) -> str:
    return ", ".join(names[:n]) + (f" and {len(names) - n} more" if len(names) > n else "")


def findings(db_path: Path | str) -> tuple[list[str], list[str], list[str]]:
    """``(blocking, warnings, info)`` sentences about the build history of ``db_path``.

    Blocking: the last attempt failed or was interrupted (the database, if any, is from an earlier
    build). Warning: the raw folder changed since the database was built. Info: when it was built.
    """
    rec = read(db_path)
    blocking: list[str] = []
    warnings: list[str] = []
    info: list[str] = []
    if not rec:
        if Path(db_path).exists():
            info.append(f"no build record ({record_path(db_path).name}) next to the database: it was built by an "
                        "older version, so whether the raw data changed since is unknown")
        return blocking, warnings, info
    last, ok = rec.get("last_attempt") or {}, rec.get("last_success") or {}
    if last and last.get("status") != "ok":
        what = "was interrupted" if last.get("status") == "interrupted" else "failed"
        if ok and Path(db_path).exists():
            held = f"the database is still the one built {ok.get('finished')} from {ok.get('raw_dir')}"
        elif Path(db_path).exists():
            held = "the database is from an earlier build"
        else:
            held = "there is no database from an earlier build"
        blocking.append(f"the last build {what} (started {last.get('started')}, of {last.get('raw_dir')}): "
                        f"{last.get('error') or 'no reason recorded'}; {held}")
    if ok:
        info.append(f"database built {ok.get('finished')} from {ok.get('raw_dir')} "
                    f"({'full' if ok.get('full') else 'incremental'} build)")
        raw = Path(ok.get("raw_dir", ""))
        if not raw.is_dir():
            warnings.append(f"the raw folder the database was built from ({raw}) no longer exists")
        else:
            ch = raw_changes(ok.get("raw_files") or {}, raw, _loaded_sha256(db_path) if Path(db_path).exists() else {})
            if any(ch.values()):
                parts = [f"{len(v)} {k} ({_examples(v)})" for k, v in ch.items() if v]
                warnings.append(f"{raw} changed since the database was built: {'; '.join(parts)}; "
                                "run `boligmonitor build` to bring the database up to date")
            else:
                info.append(f"{raw} is unchanged since the database was built")
    return blocking, warnings, info
