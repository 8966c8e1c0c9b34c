"""Prototype of a DuckDB-native ingest (issue 17, "design for the next step"): what it would cost.

``python bench/proto_duckdb_ingest.py RAW --db proto.duckdb`` loads every register the product
declares (``boligmonitor.registers``) into a DuckDB file the way the proposed design would:

1. cp1252 files are transcoded to UTF-8 as a stream (DuckDB reads cp1252 only through its
   ``encodings`` extension, which cannot be installed here); UTF-8 (with or without a byte order
   mark) and Latin-1 are read by DuckDB itself;
2. ``read_csv`` of all files of a register at once, typed by the reader itself (dates
   ``dd-mm-yyyy``, decimal comma) with ``store_rejects``: a value that does not cast puts its row,
   line and column in DuckDB's rejects table instead of failing the load (the C++ reader casts
   much faster than ``TRY_CAST``/``try_strptime`` over text columns, measured 2-3x);
3. one SQL pass per register collects the other reasons a row fails (missing required value,
   not a person number, code not in the code list, outside the declared range) in a list column;
4. rows without a reason go to ``staging_<table>``, the rest to ``quarantine`` with their reasons,
   file and line;
5. person numbers become ``person_id`` by HMAC-SHA256 in SQL (the product's construction, the
   demo key), computed once per new number and joined in as the rows are stored.

It is a measurement, not the product: it leaves out the reader's habits (separator and encoding
detection, header spellings, ragged lines, source line numbers of multi-line records), the
duplicate-key and cross-register rules, the load log and the incremental cache. It prints the
seconds of each part and, as its last line, a JSON object for ``bench/bench.py``.
"""

from __future__ import annotations

import argparse
import codecs
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from boligmonitor import config
from boligmonitor import registers as R


def transcode(src: Path, dst: Path, encoding: str) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    dec, enc = codecs.getincrementaldecoder(encoding)(), codecs.getincrementalencoder("utf-8")()
    with src.open("rb") as f, dst.open("wb") as g:
        while chunk := f.read(1 << 20):
            g.write(enc.encode(dec.decode(chunk)))
        g.write(enc.encode(dec.decode(b"", final=True)))


def q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


#: The type DuckDB's CSV reader casts each declared type to (bool, pnr and codes stay text).
SQL_TYPES = {"pnr": "VARCHAR", "str": "VARCHAR", "code": "VARCHAR", "bool": "VARCHAR", "int": "BIGINT",
             "float": "DOUBLE", "date": "DATE"}


def typed(col: R.Column) -> tuple[str, list[str]]:
    """(SQL value for the staging table, SQL reason expressions) of one column ``"<raw>"`` as
    DuckDB's reader typed it (a value that did not cast is already in the rejects table)."""
    v = f'"{col.raw}"'
    checks = []
    if col.required:
        checks.append(f"case when {v} is null then 'missing_value:{col.name}' end")
    t = v
    if col.dtype == "pnr":
        t = f"replace({v}, '-', '')::bigint"
        checks.append(f"case when {v} is not null and not regexp_full_match({v}, '[0-9]{{6}}-?[0-9]{{4}}') "
                      f"then 'bad_pnr:{col.name}' end")
    elif col.dtype == "bool":
        t = f"({v} = 'J')"
        checks.append(f"case when {v} not in ('J', 'N') then 'bad_bool:{col.name}' end")
    if col.codes:
        codes = ", ".join(q(c) for c in col.codes)
        checks.append(f"case when {v} not in ({codes}) then 'unknown_code:{col.name}' end")
    if (col.min is not None or col.max is not None) and col.dtype in ("int", "float", "date"):
        x = f"year({v})" if col.dtype == "date" else v
        conds = ([f"{x} < {col.min}"] if col.min is not None else []) + (
            [f"{x} > {col.max}"] if col.max is not None else [])
        checks.append(f"case when {' or '.join(conds)} then 'out_of_range:{col.name}' end")
    return t, checks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("raw", type=Path)
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--memory-limit", default="4GB", help="DuckDB memory_limit (it spills beyond)")
    args = ap.parse_args()
    t_all = time.perf_counter()
    raw = args.raw.resolve()
    tmp = Path(tempfile.mkdtemp(prefix="proto-ingest-"))
    if args.db.exists():
        args.db.unlink()
    con = duckdb.connect(str(args.db))
    con.execute(f"set memory_limit='{args.memory_limit}'")
    con.execute(f"set temp_directory='{(tmp / 'spill').as_posix()}'")
    con.execute("create table quarantine (register varchar, source_file varchar, source_line bigint, "
                "reasons varchar[])")
    timing = {"transcode": 0.0, "read_typed": 0.0, "pseudonym": 0.0}
    key = config.DEMO_HMAC_KEY.encode("utf-8").ljust(64, b"\0")
    pads = {"ipad": bytes(b ^ 0x36 for b in key), "opad": bytes(b ^ 0x5C for b in key)}
    con.execute("create temp table _ids (d bigint primary key, person_id ubigint)")
    quarantined = 0
    loaded = 0
    try:
        for reg in R.REGISTERS:
            folder = "[0-9][0-9][0-9][0-9]" if reg.yearly else R.REFERENCE_DIR
            files = sorted(raw.glob(f"{folder}/{reg.filename}"))
            if not files:
                continue
            t0 = time.perf_counter()
            enc = "utf-8"
            if reg.encoding == "cp1252":
                files = [(transcode(f, tmp / f.parent.name / f.name, "cp1252"), tmp / f.parent.name / f.name)[1]
                         for f in files]
            elif reg.encoding == "latin-1":
                enc = "latin-1"
            timing["transcode"] += time.perf_counter() - t0
            t0 = time.perf_counter()
            paths = "[" + ", ".join(q(p.as_posix()) for p in files) + "]"
            cols, checks = [], []
            for c in reg.columns:
                t, ch = typed(c)
                cols.append(f'{t} as "{c.name}"')
                checks += ch
            year = (r"regexp_extract(filename, '(\d{4})[/\\][^/\\]+$', 1)::integer"
                    if reg.yearly else "null::integer")
            # One parse of the files into text columns; insertion order is kept (files in order,
            # rows in order), so a row's line is its rowid minus its file's first rowid, plus 2.
            types = "{" + ", ".join(f"'{c.raw}': '{SQL_TYPES[c.dtype]}'" for c in reg.columns) + "}"
            con.execute(f"""create temp table _raw as select * from read_csv({paths}, delim=';', header=true,
                            quote='"', columns={types}, dateformat='%d-%m-%Y', decimal_separator=',',
                            encoding='{enc}', filename=true, store_rejects=true, rejects_table='_rej',
                            rejects_scan='_rejscan')""")
            n_rej = con.execute(f"""insert into quarantine select '{reg.name}', s.file_path, r.line,
                                    [lower(r.error_type::varchar) || ':' || coalesce(r.column_name, '')]
                                    from _rej r join _rejscan s using (scan_id, file_id)""").fetchall()[0][0]
            con.execute("drop table if exists _rej; drop table if exists _rejscan")
            fails = " or ".join(f"({c}) is not null" for c in checks) or "false"
            pnr = next((c for c in reg.columns if c.dtype == "pnr"), None)
            if pnr is None:
                con.execute(f"create table staging_{reg.table} as select {', '.join(cols)}, {year} as year "
                            f"from _raw where not ({fails})")
            else:
                # Pseudonyms: HMAC-SHA256(key, ten digits), first 8 bytes as UBIGINT (the product's
                # construction), computed in SQL once per new person number, joined in as the rows are stored.
                tp = time.perf_counter()
                d = typed(pnr)[0]
                con.execute(f"""insert into _ids
                    select d, ('0x' || left(sha256($opad::blob || unhex(sha256($ipad::blob ||
                           encode(lpad(d::varchar, 10, '0'))))), 16))::ubigint
                    from (select distinct {d} as d from _raw where {d} is not null) n
                    where not exists (select 1 from _ids i where i.d = n.d)""", pads)
                timing["pseudonym"] += time.perf_counter() - tp
                rest = [x for c, x in zip(reg.columns, cols) if c is not pnr]
                con.execute(f"""create table staging_{reg.table} as
                    select i.person_id, {', '.join(rest)}, {year} as year
                    from _raw left join _ids i on i.d = {d} where not ({fails})""")
            n_bad = con.execute(f"""insert into quarantine
                select '{reg.name}', r.filename, r.rowid - f.first + 2,
                       list_filter([{', '.join(checks) or "null"}], lambda x: x is not null)
                from _raw r join (select filename, min(rowid) as first from _raw group by filename) f
                  using (filename)
                where {fails}""").fetchall()[0][0]
            n_ok = con.execute(f"select count(*) from staging_{reg.table}").fetchall()[0][0]
            quarantined, loaded = quarantined + n_bad + n_rej, loaded + n_ok
            con.execute("drop table _raw")
            timing["read_typed"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        con.execute("checkpoint")
        timing["checkpoint"] = time.perf_counter() - t0
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)
    total = time.perf_counter() - t_all
    print(f"loaded {loaded:,} rows, quarantined {quarantined:,} in {total:.2f} s "
          f"(transcode {timing['transcode']:.2f}, read+type+check+store {timing['read_typed']:.2f}, "
          f"of which pseudonyms {timing['pseudonym']:.2f}, checkpoint {timing['checkpoint']:.2f})")
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": total, "cpu": cpu.ru_utime + cpu.ru_stime, **timing, "rows_loaded": loaded, "quarantine_rows": quarantined}))


if __name__ == "__main__":
    main()
