"""The staging step: find the raw files, read and validate each (or keep it from the previous
build when unchanged), and bring ``staging.*`` up to date.

Every row is written once:

* ``staging.<table>`` -- rows that passed all checks, with ``source_file`` and ``source_line``;
* ``ingest_cache.pending_<table>`` -- rows that passed their file's checks but whose person is in
  no ``befolkning`` file (shown in ``staging.quarantine``; moved into staging when a later
  population file contains the person);
* ``ingest_cache.quarantine`` -- each file's own quarantine entries;
* ``ingest_cache.files`` -- per file: sha256, size, mtime, rows read, encoding, and a fingerprint of
  the declaration, rules and key. A file whose size and mtime (or, failing that, sha256) and
  fingerprint are unchanged is not read again: the incremental build. A changed or removed file's
  rows are deleted everywhere and it is read again.

``staging.quarantine`` and ``staging.load_log`` are recreated on every build, so an incremental
build gives the same table contents as a full rebuild.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from boligmonitor.ingest import status
from boligmonitor.ingest.pseudonym import Pseudonymiser, key_fingerprint
from boligmonitor.ingest.reader import FileError, read_raw
from boligmonitor.ingest.rules import DATE_ORDER, PERIOD_RULES, REASONS
from boligmonitor.ingest.status import LoadStatus
from boligmonitor.ingest.validate import Validated, attach_person_ids, validate, validate_many
from boligmonitor.registers import (
    MAY_BE_MISSING,
    REFERENCE_DIR,
    REFERENCE_REGISTERS,
    REGISTERS,
    YEARLY_REGISTERS,
    Register,
)
from boligmonitor.steps import BuildContext, StepResult

#: Bump when reading/validation changes in a way that changes results (forces re-reading every file).
INGEST_VERSION = "4"
CACHE = "ingest_cache"
SQL_TYPES = {"pnr": "VARCHAR", "str": "VARCHAR", "code": "VARCHAR", "int": "BIGINT", "float": "DOUBLE",
             "date": "DATE", "bool": "BOOLEAN"}
POPULATION = "befolkning"

FILES_DDL = f"""
create table if not exists {CACHE}.files (
    source_file VARCHAR primary key, register VARCHAR, year INTEGER, sha256 VARCHAR, size BIGINT,
    mtime_ns BIGINT, fingerprint VARCHAR, encoding VARCHAR, separator VARCHAR, rows_read INTEGER,
    extra_columns VARCHAR[], started_at TIMESTAMP, finished_at TIMESTAMP, message VARCHAR,
    checked BOOLEAN default false)
"""
FILES_SCHEMA = {
    "source_file": pl.String, "register": pl.String, "year": pl.Int32, "sha256": pl.String, "size": pl.Int64,
    "mtime_ns": pl.Int64, "fingerprint": pl.String, "encoding": pl.String, "separator": pl.String,
    "rows_read": pl.Int32, "extra_columns": pl.List(pl.String), "started_at": pl.Datetime("us"),
    "finished_at": pl.Datetime("us"), "message": pl.String,
}
QUARANTINE_DDL = """(source_file VARCHAR, source_line INTEGER, register VARCHAR, year INTEGER,
    column_name VARCHAR, value VARCHAR, reason VARCHAR, reason_code VARCHAR)"""


@dataclass
class RawFile:
    path: Path
    source_file: str
    register: Register
    year: int | None


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def staging_columns(reg: Register) -> list[tuple[str, str]]:
    """(name, SQL type) of the staging table, without extra columns and source columns."""
    cols: list[tuple[str, str]] = []
    if reg.yearly:
        cols.append(("year", "INTEGER"))
    if reg.person_level:
        cols.append(("person_id", "UBIGINT"))
    for c in reg.columns:
        if c.dtype != "pnr":
            cols.append((c.name, SQL_TYPES[c.dtype]))
    return cols


def fingerprint(reg: Register, key: bytes) -> str:
    parts = [INGEST_VERSION, repr(reg), repr(PERIOD_RULES.get(reg.name)), repr(DATE_ORDER.get(reg.name)),
             key_fingerprint(key) if reg.person_level else ""]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def allowed_missing(settings: dict | None) -> set[str]:
    """The registers a build may go without (``settings["ingest"]["allow_missing"]``, set by
    ``boligmonitor build --allow-missing fravaer``): only registers that feed no criterion
    (:data:`~boligmonitor.registers.MAY_BE_MISSING`). Raises ``ValueError`` naming a register
    that is unknown or feeds the criteria."""
    names = list(((settings or {}).get("ingest") or {}).get("allow_missing") or [])
    bad = [n for n in names if n not in MAY_BE_MISSING]
    if bad:
        raise ValueError(f"--allow-missing {', '.join(bad)}: only these registers may be left out (they feed no "
                         f"criterion): {', '.join(sorted(MAY_BE_MISSING))}")
    return set(names)


def discover(raw_dir: Path, allow_missing: set[str] | frozenset = frozenset(),
             missing: list[RawFile] | None = None) -> tuple[list[RawFile], list[FileError], list[str]]:
    """The files to load, the missing ones (as errors) and notes about files that are not loaded.
    A missing file of a register in ``allow_missing`` is appended to ``missing`` instead (its
    path does not exist) and noted."""
    files: list[RawFile] = []
    errors: list[FileError] = []
    notes: list[str] = []
    if not raw_dir.is_dir():
        errors.append(FileError(f"the raw data folder {raw_dir} does not exist (run `boligmonitor synth` "
                                "to write the synthetic default, or put the extracts there)", code="no_raw"))
        return files, errors, notes
    years = sorted(int(p.name) for p in raw_dir.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name))
    if not years:
        errors.append(FileError(f"no year folders (like {raw_dir}/2020/) in the raw data folder",
                                file=raw_dir, code="no_raw"))
    folders: list[tuple[Path, int | None, tuple[Register, ...]]] = [
        (raw_dir / str(y), y, YEARLY_REGISTERS) for y in years]
    folders.append((raw_dir / REFERENCE_DIR, None, REFERENCE_REGISTERS))
    for folder, year, regs in folders:
        present = {p.name.lower(): p for p in folder.glob("*")} if folder.is_dir() else {}
        for reg in regs:
            p = present.pop(reg.filename.lower(), None)
            rel = f"{folder.name}/{reg.filename}"
            if p is None or not p.is_file():
                if reg.optional:
                    continue
                if reg.name in allow_missing and missing is not None:
                    missing.append(RawFile(folder / reg.filename, rel, reg, year))
                    notes.append(f"{rel}: missing, left out by --allow-missing {reg.name}: its indicators for "
                                 f"{year} cannot be measured (kan ikke måles)")
                    continue
                hint = ""
                if reg.name in MAY_BE_MISSING:
                    hint = (f"; if the supplier is late, build without it: `boligmonitor build --allow-missing "
                            f"{reg.name}` (its indicators then show 'kan ikke måles')")
                errors.append(FileError(f"missing file: the register {reg.name} ({reg.title}) is required "
                                        f"in every {'year folder' if year else 'reference folder'}{hint}",
                                        file=rel, code="missing_file"))
                continue
            files.append(RawFile(p, p.relative_to(raw_dir).as_posix(), reg, year))
        for name, p in sorted(present.items()):
            if p.is_file() and not name.endswith((".yml", ".yaml", ".md", ".json")) and not name.startswith("."):
                notes.append(f"{folder.name}/{p.name}: not a declared register file, not loaded")
    return files, errors, notes


def _layout_version(con: duckdb.DuckDBPyConnection) -> str | None:
    # Looked up, not tried: a failed statement would abort a surrounding transaction.
    # fetchall, not fetchone: a result left open makes DuckDB run the following queries on one thread.
    exists = con.execute("select count(*) from information_schema.tables where table_schema = ? "
                         "and table_name = 'meta'", [CACHE]).fetchall()[0][0]
    return con.execute(f"select version from {CACHE}.meta").fetchall()[0][0] if exists else None


def _create_cache(con: duckdb.DuckDBPyConnection) -> None:
    if _layout_version(con) != INGEST_VERSION:
        # A database from another ingest version: start staging afresh (every file is read again).
        con.execute(f"drop schema if exists {CACHE} cascade")
        con.execute("drop schema if exists staging cascade")
    con.execute(f"create schema if not exists {CACHE}")
    con.execute(f"create or replace table {CACHE}.meta as select ? as version", [INGEST_VERSION])
    con.execute("create schema if not exists staging")
    con.execute(FILES_DDL)
    con.execute(f"create table if not exists {CACHE}.quarantine {QUARANTINE_DDL}")
    for reg in REGISTERS:
        cols = staging_columns(reg) + [("source_file", "VARCHAR"), ("source_line", "INTEGER")]
        ddl = ", ".join(f"{q(n)} {t}" for n, t in cols)
        con.execute(f"create table if not exists staging.{q(reg.table)} ({ddl})")
        if _checks_population(reg):
            con.execute(f"create table if not exists {CACHE}.{q('pending_' + reg.table)} ({ddl})")


def _checks_population(reg: Register) -> bool:
    return reg.person_level and reg.name != POPULATION


def _tables_of(reg: Register) -> list[str]:
    out = [f"staging.{q(reg.table)}"]
    if _checks_population(reg):
        out.append(f"{CACHE}.{q('pending_' + reg.table)}")
    return out


def _cached(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    rows = con.execute(f"select source_file, sha256, size, mtime_ns, fingerprint, register from {CACHE}.files"
                       ).fetchall()
    return {r[0]: {"sha256": r[1], "size": r[2], "mtime_ns": r[3], "fingerprint": r[4], "register": r[5]}
            for r in rows}


def _drop_files(con: duckdb.DuckDBPyConnection, source_files: list[str]) -> None:
    if not source_files:
        return
    for reg in REGISTERS:
        for t in _tables_of(reg):
            con.execute(f"delete from {t} where source_file in (select unnest(?))", [source_files])
    con.execute(f"delete from {CACHE}.quarantine where source_file in (select unnest(?))", [source_files])
    con.execute(f"delete from {CACHE}.files where source_file in (select unnest(?))", [source_files])


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    existing = {r[0] for r in con.execute(f"select * from {table} limit 0").description}
    for c in frame.columns:
        if c not in existing:
            con.execute(f"alter table {table} add column {q(c)} VARCHAR")
    con.register("_ingest_frame", frame.to_arrow())  # string views: DuckDB 2 reads them without a copy
    try:
        con.execute(f"insert into {table} by name select * from _ingest_frame")
    finally:
        con.unregister("_ingest_frame")


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


@dataclass
class _Outcome:
    rf: RawFile
    status: str  # "same" (sha256 unchanged), "read", "error"
    sha: str = ""
    size: int = 0
    mtime_ns: int = 0
    fingerprint: str = ""
    raw: object = None
    validated: Validated | None = None
    error: FileError | None = None
    started: dt.datetime | None = None
    finished: dt.datetime | None = None
    seconds_read: float = 0.0
    seconds_validate: float = 0.0


def _unexpected(rf: RawFile, e: Exception) -> FileError:
    """A file the reader did not foresee: stop it, no traceback, no data values."""
    return FileError(f"unexpected problem reading the file ({type(e).__name__}); the file was not loaded",
                     file=rf.source_file, code="unexpected")


def _process(items: list[tuple[RawFile, dict | None, str, os.stat_result]], raw_dir: Path,
             pseudo: Pseudonymiser) -> list[_Outcome]:
    """Read, hash and validate files of one register (runs in a worker thread; touches no database).
    Several files are validated in one pass (:func:`validate_many`): see :data:`BATCH_BYTES`."""
    outs: list[_Outcome] = []
    for rf, old, fp, st in items:
        out = _Outcome(rf, "read", size=st.st_size, mtime_ns=st.st_mtime_ns, fingerprint=fp, started=_now())
        outs.append(out)
        t1 = time.perf_counter()
        try:
            data = rf.path.read_bytes()
        except OSError as e:
            out.status, out.error = "error", FileError(f"cannot read the file ({e.strerror})",
                                                       file=rf.source_file, code="unreadable")
            continue
        out.sha = hashlib.sha256(data).hexdigest()
        if old and old["fingerprint"] == fp and old["sha256"] == out.sha:
            out.status = "same"
            continue
        try:
            out.raw = read_raw(rf.path, raw_dir, rf.register, data=data)
        except FileError as e:
            e.file = rf.source_file
            out.status, out.error = "error", e
        except Exception as e:
            out.status, out.error = "error", _unexpected(rf, e)
        out.seconds_read = time.perf_counter() - t1
    todo = [o for o in outs if o.status == "read"]
    if todo:
        reg = todo[0].rf.register
        t1 = time.perf_counter()
        try:
            results = validate_many([o.raw for o in todo], reg, [o.rf.year for o in todo],
                                    pseudo if reg.person_level else None, defer_ids=True)
        except Exception as e:
            results = [_unexpected(o.rf, e) for o in todo]
        seconds = (time.perf_counter() - t1) / len(todo)
        for o, r in zip(todo, results):
            o.seconds_validate = seconds
            if isinstance(r, FileError):
                r.file = o.rf.source_file
                o.status, o.error = "error", r
            else:
                o.validated = r
    now = _now()
    for o in outs:
        o.finished = now
    return outs


#: Worker threads for reading and validating files (polars releases the GIL; DuckDB inserts overlap).
WORKERS = min(4, os.cpu_count() or 1)
#: The files of a register whose files (to read) add up to less than this are read and validated as
#: one work item: validating costs a few milliseconds per call whatever the size, which was most of
#: the time for the many small yearly files.
BATCH_BYTES = 8_000_000


def run(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> StepResult:
    """Load every register file under ``ctx.raw_dir`` into ``staging.*`` (see the module docstring)."""
    t0 = time.perf_counter()
    timing = {"read": 0.0, "validate": 0.0, "store": 0.0, "finalize": 0.0}
    res = StepResult("ingest")
    _create_cache(con)
    try:
        allow = allowed_missing(ctx.settings)
    except ValueError as e:
        res.errors.append(str(e))
        return res
    missing: list[RawFile] = []
    files, errors, notes = discover(Path(ctx.raw_dir), allow, missing)
    for n in notes:
        ctx.say(f"ingest: note: {n}")
        res.messages.append(n)
    cached = _cached(con)
    present = {rf.source_file for rf in files}
    gone = sorted(set(cached) - present)
    for sf in gone:
        res.messages.append(f"{sf}: no longer in the raw folder, removed")
    dropped: list[str] = list(gone)
    _drop_files(con, gone)
    pseudo = Pseudonymiser(ctx.hmac_key)

    # Register-major order, so each register's batch is stored while later registers are validated
    # (the order of the work items is set below).
    order = {r.name: i for i, r in enumerate(REGISTERS)}
    work: list[tuple[RawFile, dict | None, str, os.stat_result]] = []
    n_reused = 0
    for rf in sorted(files, key=lambda f: (order[f.register.name], f.source_file)):
        st = rf.path.stat()
        fp = fingerprint(rf.register, ctx.hmac_key)
        old = cached.get(rf.source_file)
        if old and old["fingerprint"] == fp and old["size"] == st.st_size and old["mtime_ns"] == st.st_mtime_ns:
            n_reused += 1
            continue
        work.append((rf, old, fp, st))

    # Work items: one file, or all (remaining) files of a register whose files are small. Largest
    # registers first (the population, the largest, so also first): what is left to store after the
    # last file is read, while the workers sit idle, is then a small register's batch.
    size = {reg.name: sum(w[3].st_size for w in work if w[0].register.name == reg.name) for reg in REGISTERS}
    items: list[list] = []
    for reg in sorted(REGISTERS, key=lambda r: (r.name != POPULATION, -size[r.name])):
        mine = [w for w in work if w[0].register.name == reg.name]
        if sum(w[3].st_size for w in mine) < BATCH_BYTES:
            items += [mine] if mine else []
        else:
            items += [[w] for w in mine]
    remaining = {reg.name: sum(1 for w in work if w[0].register.name == reg.name) for reg in REGISTERS}

    batch_rows: list[pl.DataFrame] = []
    batch_q: list[pl.DataFrame] = []
    batch_files: list[list] = []
    batch_drop: list[str] = []
    n_read = 0

    with ThreadPoolExecutor(max_workers=WORKERS) as ex:
        futures = [ex.submit(_process, item, Path(ctx.raw_dir), pseudo) for item in items]
        for o in (o for fut in futures for o in fut.result()):
            rf = o.rf
            remaining[rf.register.name] -= 1
            if o.status == "error":
                errors.append(o.error)
            elif o.status == "same":
                con.execute(f"update {CACHE}.files set size = ?, mtime_ns = ? where source_file = ?",
                            [o.size, o.mtime_ns, rf.source_file])
                n_reused += 1
            else:
                n_read += 1
                timing["read"] += o.seconds_read
                timing["validate"] += o.seconds_validate
                raw, v = o.raw, o.validated
                if rf.source_file in cached:
                    batch_drop.append(rf.source_file)
                batch_rows.append(v.rows)
                if v.quarantine.height:
                    batch_q.append(v.quarantine)
                msg = list(raw.notes)
                if v.pnr_columns_hashed:
                    msg.append("person numbers in extra column(s) pseudonymised: " + ", ".join(v.pnr_columns_hashed))
                batch_files.append([rf.source_file, rf.register.name, rf.year, o.sha, o.size, o.mtime_ns,
                                    o.fingerprint, raw.encoding, raw.separator, raw.rows_read, sorted(raw.extra),
                                    o.started, o.finished, "; ".join(msg) or None])
                nq = v.quarantine["source_line"].n_unique() if v.quarantine.height else 0
                line = f"ingest: read {rf.source_file} ({raw.encoding}, {raw.separator!r}): {raw.rows_read:,} rows"
                if nq:
                    line += f", {nq:,} quarantined by file checks"
                for m in msg:
                    line += f"; {m}"
                ctx.say(line)
                o.raw = o.validated = None  # the string frame is not needed any more
            if remaining[rf.register.name] == 0 and not errors:
                ts = time.perf_counter()
                _store_batch(con, rf.register, batch_rows, batch_q, batch_files, batch_drop, pseudo)
                timing["store"] += time.perf_counter() - ts
                dropped += batch_drop
                batch_rows, batch_q, batch_files, batch_drop = [], [], [], []

    if errors:
        for e in errors:
            res.errors.append(str(e))
            ctx.say(f"ingest: ERROR {e}")
        return res

    ts = time.perf_counter()
    pop_changed = any(cached[sf]["register"] == POPULATION for sf in dropped if sf in cached)
    finalize(con, res, recheck_all=pop_changed, missing=missing)
    timing["finalize"] = time.perf_counter() - ts
    el = time.perf_counter() - t0
    total = con.execute("select sum(rows_read), sum(rows_loaded), sum(rows_quarantined) from staging.load_log"
                        ).fetchall()[0]
    summary = (f"ingest: {len(files)} files ({n_read} read, {n_reused} unchanged and reused): "
               f"{total[0]:,} rows read, {total[1]:,} loaded, {total[2]:,} quarantined in {el:.1f} s "
               "(summed over threads: " + ", ".join(f"{k} {v:.1f} s" for k, v in timing.items()) + ")")
    ctx.say(summary)
    res.messages.append(summary)
    return res


def _store_batch(con: duckdb.DuckDBPyConnection, reg: Register, rows: list[pl.DataFrame],
                 quarantine: list[pl.DataFrame], files: list[list], drop: list[str], pseudo: Pseudonymiser) -> None:
    """Replace the rows of changed files and add the new files of one register (pseudonymised here)."""
    _drop_files(con, drop)
    if rows:
        frame = pl.concat(rows, how="diagonal_relaxed")
        frame, _ = attach_person_ids(frame, pl.DataFrame(schema={"_pnr": pl.String}), pseudo)
        _insert(con, f"staging.{q(reg.table)}", frame)
    if quarantine:
        _, qq = attach_person_ids(pl.DataFrame(), pl.concat(quarantine), pseudo)
        _insert(con, f"{CACHE}.quarantine", qq)
    if files:  # one statement (executemany runs, and commits, one insert per file: 0.5 s for the default)
        frame = pl.DataFrame(files, schema=FILES_SCHEMA, orient="row").with_columns(pl.lit(False).alias("checked"))
        _insert(con, f"{CACHE}.files", frame)


def _count(result) -> int:
    """Rows changed by an insert/update/delete (DuckDB returns them as a one-row result)."""
    rows = result.fetchall()
    return int(rows[0][0]) if rows else 0


def finalize(con: duckdb.DuckDBPyConnection, res: StepResult, recheck_all: bool = True,
             missing: list[RawFile] | None = None) -> None:
    """Apply the check that spans files (person in some ``befolkning`` file) and recreate
    ``staging.quarantine`` and ``staging.load_log``.

    Rows whose person is missing move from ``staging.<table>`` to ``ingest_cache.pending_<table>``
    and back when the person appears. Without ``recheck_all`` (no population row was removed since
    the last build) only rows not yet checked (new files) are examined for moving out.
    """
    pop = next(r for r in REGISTERS if r.name == POPULATION)
    con.execute(f"create or replace temp table _persons as select distinct person_id from staging.{q(pop.table)}")
    checked = set() if recheck_all else {
        r[0] for r in con.execute(f"select source_file from {CACHE}.files where checked").fetchall()}
    person_q: list[str] = []
    for reg in REGISTERS:
        if not _checks_population(reg):
            continue
        st, pend = f"staging.{q(reg.table)}", f"{CACHE}.{q('pending_' + reg.table)}"
        for t in (st, pend):  # same columns in both (extra columns)
            other = pend if t == st else st
            have = {r[0] for r in con.execute(f"select * from {t} limit 0").description}
            for c in [r[0] for r in con.execute(f"select * from {other} limit 0").description]:
                if c not in have:
                    con.execute(f"alter table {t} add column {q(c)} VARCHAR")
        back = "person_id in (select person_id from _persons)"
        # Each delete removes exactly the rows the insert before it copied: skipped when that was none
        # (the usual case; it saves a second scan of every staging table).
        if _count(con.execute(f"insert into {st} by name select * from {pend} where {back}")):
            con.execute(f"delete from {pend} where {back}")
        out = "person_id not in (select person_id from _persons)"
        if not recheck_all:
            out += " and source_file not in (select unnest(?))"
        params = [sorted(checked)] if not recheck_all else []
        if _count(con.execute(f"insert into {pend} by name select * from {st} where {out}", params)):
            con.execute(f"delete from {st} where {out}", params)
        pnr_raw = next(c.raw for c in reg.columns if c.dtype == "pnr")
        person_q.append(
            f"select source_file, source_line, '{reg.name}' as register, year, '{pnr_raw}' as column_name, "
            f"lower(lpad(hex(person_id), 16, '0')) as value, '{REASONS['person_not_in_population']}' as reason, "
            f"'person_not_in_population' as reason_code from {pend}")
    con.execute(f"update {CACHE}.files set checked = true")
    for reg in REGISTERS:
        res.table_count(con, f"staging.{reg.table}")
    union = " union all ".join([f"select * from {CACHE}.quarantine", *person_q])
    con.execute(f"create or replace table staging.quarantine as select * from ({union}) "
                "order by source_file, source_line, column_name, reason_code")
    res.table_count(con, "staging.quarantine")
    # Files left out on purpose (``--allow-missing``): in the load log as ``missing``, nothing read.
    missing_sql, missing_params = "", []
    if missing:
        missing_sql = ("union all select source_file, register, year, null, null, 0, 0, 0, null, null, "
                       f"'{LoadStatus.MISSING}', message from (select unnest(?) as source_file, unnest(?) as register, "
                       "unnest(?)::INTEGER as year, unnest(?) as message)")
        missing_params = [[m.source_file for m in missing], [m.register.name for m in missing],
                          [m.year for m in missing],
                          ["left out by --allow-missing: its indicators cannot be measured" for _ in missing]]
    loaded = " union all ".join(
        f"select source_file, count(*) as n from staging.{q(r.table)} group by source_file" for r in REGISTERS)
    con.execute(f"""
        create or replace table staging.load_log as
        with loaded as ({loaded}),
             quarantined as (select source_file, count(distinct source_line) as n
                             from staging.quarantine group by source_file)
        select f.source_file, f.register, f.year, f.sha256, f.encoding, f.rows_read,
               coalesce(l.n, 0)::INTEGER as rows_loaded, coalesce(qq.n, 0)::INTEGER as rows_quarantined,
               f.started_at, f.finished_at,
               {status.sql_case("f.rows_read", "coalesce(qq.n, 0)")} as status,
               f.message
        from {CACHE}.files f
        left join loaded l using (source_file)
        left join quarantined qq using (source_file)
        {missing_sql}
        order by source_file
    """, missing_params)
    res.table_count(con, "staging.load_log")
    bad = con.execute("select source_file, rows_read, rows_loaded, rows_quarantined from staging.load_log "
                      "where rows_read <> rows_loaded + rows_quarantined").fetchall()
    for sf, r, lo, qn in bad:
        res.errors.append(f"{sf}: reconciliation failed: {r} rows read, {lo} loaded + {qn} quarantined")
    qsum = con.execute("select reason_code, count(*) from staging.quarantine group by 1 order by 2 desc").fetchall()
    if qsum:
        res.messages.append("quarantine by reason: " + ", ".join(f"{k}: {n:,}" for k, n in qsum))


def read_file(path: Path, reg: Register, year: int | None, hmac_key: bytes,
              raw_root: Path | None = None) -> Validated:
    """Read and validate one file without a database (for notebooks and tests)."""
    raw = read_raw(Path(path), Path(raw_root) if raw_root else Path(path).parent, reg)
    return validate(raw, reg, year, Pseudonymiser(hmac_key) if reg.person_level else None)


def quarantine_frame(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql("select * from staging.quarantine").pl()


def load_summary(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Per register: files, rows read, loaded and quarantined, encodings seen (from ``staging.load_log``)."""
    return con.sql("""
        select register, count(*) as files, sum(rows_read) as rows_read, sum(rows_loaded) as rows_loaded,
               sum(rows_quarantined) as rows_quarantined, string_agg(distinct encoding, ', ') as encodings,
               min(year) as first_year, max(year) as last_year
        from staging.load_log group by register order by register
    """).pl()


def quarantine_summary(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Quarantine entries per register, column and reason."""
    return con.sql("""
        select register, column_name, reason_code, min(reason) as reason, count(*) as entries,
               count(distinct source_file || ':' || source_line) as rows
        from staging.quarantine group by all order by entries desc, register, column_name, reason_code
    """).pl()


def reconciliation_problems(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Files where rows read differ from rows loaded + quarantined, or where ``load_log`` disagrees
    with the staging tables and quarantine (empty when everything reconciles)."""
    loaded = " union all ".join(
        f"select source_file, count(*) as n from staging.{q(r.table)} group by source_file" for r in REGISTERS)
    return con.sql(f"""
        with loaded as ({loaded}),
             quarantined as (select source_file, count(distinct source_line) as n from staging.quarantine
                             group by source_file)
        select l.source_file, l.rows_read, l.rows_loaded, l.rows_quarantined,
               coalesce(s.n, 0) as in_staging, coalesce(qq.n, 0) as in_quarantine
        from staging.load_log l left join loaded s using (source_file) left join quarantined qq using (source_file)
        where l.rows_read <> l.rows_loaded + l.rows_quarantined
           or l.rows_loaded <> coalesce(s.n, 0) or l.rows_quarantined <> coalesce(qq.n, 0)
        order by l.source_file
    """).pl()


def _int_da(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def incomplete_inputs(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int | None, str, str]]:
    """The register-years the metrics may not use as complete: (register, year, source_file,
    reason in Danish) for every file in ``staging.load_log`` whose status is ``incomplete`` or
    ``missing`` (:mod:`boligmonitor.ingest.status`). The reason names the register-year first:
    "kan ikke måles: ydelser 2021 er ufuldstændig (60 % af rækkerne i karantæne, 1.234 af 2.057 i
    2021/ydelser.csv)" or "kan ikke måles: fravaer 2024 mangler (2024/fravaer.csv blev udeladt ved
    kørslen)". Empty when there is no load log."""
    exists = con.execute("select count(*) from information_schema.tables where table_schema = 'staging' "
                         "and table_name = 'load_log'").fetchall()[0][0]
    if not exists:
        return []
    rows = con.execute("select register, year, source_file, status, rows_read, rows_quarantined "
                       "from staging.load_log where status in (?, ?) order by register, year",
                       [LoadStatus.INCOMPLETE.value, LoadStatus.MISSING.value]).fetchall()
    out = []
    for reg, year, sf, st, read, q in rows:
        what = f"{reg} {year}" if year is not None else reg
        if st == LoadStatus.MISSING:
            reason = f"kan ikke måles: {what} mangler ({sf} blev udeladt ved kørslen)"
        else:
            pct = f"{100 * q / read:.1f}".removesuffix(".0").replace(".", ",") if read else "0"
            reason = (f"kan ikke måles: {what} er ufuldstændig ({pct} % af rækkerne i karantæne, "
                      f"{_int_da(q)} af {_int_da(read)} i {sf})")
        out.append((reg, year, sf, reason))
    return out
