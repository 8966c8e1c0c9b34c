"""Reference program "DuckDB (criteria)": the criteria as a database engineer would compute them.

``python bench/ref_duckdb_criteria.py RAW --out values.csv [--all-registers]``: DuckDB's
``read_csv`` with explicit options (separator, header, column types, date format) of only the five
registers the criteria need, every year folder at once, into an in-memory database, then SQL.
No validation, no quarantine, no pseudonymisation, nothing written to disk but the values.
``--all-registers`` (what ``bench/ref_duckdb_all.py`` runs) first loads every register the
product loads the same way, as the product does before it computes anything. Definitions:
``bench/refcommon.py``.
"""

from __future__ import annotations

import argparse
import codecs
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
from refcommon import (
    DECISIONS,
    EDU_SOURCES,
    KOMMUNE,
    LAWS,
    OUTSIDE_BENEFITS,
    PLAN_AREAS,
    PLAN_TOTAL,
    assign_areas,
    data_years,
    list_year_values,
    write_values,
)

YEAR = r"regexp_extract(filename, '(\d{4})[/\\][^/\\]+$', 1)::INTEGER"


def sql_list(xs) -> str:
    return ", ".join(f"'{x}'" for x in xs)


def read_csv(raw: Path, name: str, columns: dict[str, str], **opts) -> str:
    """SQL for every year folder's ``name.csv`` with the given columns (raw header -> type)."""
    cols = "{" + ", ".join(f"'{k}': '{v}'" for k, v in columns.items()) + "}"
    extra = "".join(f", {k}={v!r}" for k, v in opts.items())
    return (f"read_csv('{raw.as_posix()}/[0-9][0-9][0-9][0-9]/{name}.csv', delim=';', header=true, quote='\"', "
            f"dateformat='%d-%m-%Y', columns={cols}, filename=true{extra})")


_TYPES = {"pnr": "VARCHAR", "str": "VARCHAR", "code": "VARCHAR", "bool": "VARCHAR", "int": "BIGINT",
          "float": "DOUBLE", "date": "DATE"}


def load_all_registers(con: duckdb.DuckDBPyConnection, raw: Path, tmp: Path) -> None:
    """Every register the product declares, as typed tables ``all_<register>`` (what a database
    engineer would bulk-load). DuckDB reads UTF-8 and Latin-1; cp1252 files are transcoded to
    UTF-8 first, as a stream (DuckDB reads cp1252 only through its ``encodings`` extension)."""
    from boligmonitor import registers as R

    for reg in R.REGISTERS:
        folder_glob = "[0-9][0-9][0-9][0-9]" if reg.yearly else R.REFERENCE_DIR
        files = sorted(raw.glob(f"{folder_glob}/{reg.filename}"))
        if not files:
            continue
        if reg.encoding == "cp1252":
            out = []
            for f in files:
                target = tmp / f.parent.name / f.name
                target.parent.mkdir(parents=True, exist_ok=True)
                with f.open("rb") as src, target.open("wb") as dst:
                    dec, enc = codecs.getincrementaldecoder("cp1252")(), codecs.getincrementalencoder("utf-8")()
                    while chunk := src.read(1 << 20):
                        dst.write(enc.encode(dec.decode(chunk)))
                    dst.write(enc.encode(dec.decode(b"", final=True)))
                out.append(target)
            files, encoding = out, "utf-8"
        else:
            encoding = "latin-1" if reg.encoding == "latin-1" else "utf-8"
        cols = "{" + ", ".join(f"'{c.raw}': '{_TYPES[c.dtype]}'" for c in reg.columns) + "}"
        paths = "[" + ", ".join(f"'{p.as_posix()}'" for p in files) + "]"
        con.execute(f"""create table "all_{reg.name}" as select * from read_csv({paths}, delim=';', header=true,
            quote='"', dateformat='%d-%m-%Y', decimal_separator=',', encoding='{encoding}', columns={cols},
            filename=true)""")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("raw", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--all-registers", action="store_true", help="load every register first (DuckDB-all)")
    args = ap.parse_args()
    raw = args.raw.resolve()
    years = data_years(raw)
    last_flow_year = years[-1] - 1
    con = duckdb.connect()
    tmp = Path(tempfile.mkdtemp(prefix="ref-duckdb-"))
    try:
        con.execute(f"set temp_directory='{tmp.as_posix()}'")
        if args.all_registers:
            load_all_registers(con, raw, tmp)
        run(con, raw, years, last_flow_year, args.out)
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)


def run(con: duckdb.DuckDBPyConnection, raw: Path, years: list[int], last_flow_year: int, out: Path) -> None:
    q = con.execute
    q(f"""create table pop as select PNR as pnr, {YEAR} as year, FOED_DAG as birth, VEJNAVN as street, HUSNR as house
          from {read_csv(raw, 'befolkning', {
              'PNR': 'VARCHAR', 'FOED_DAG': 'DATE', 'KOEN': 'VARCHAR', 'IE_TYPE': 'VARCHAR', 'OPR_LAND': 'VARCHAR',
              'KOM': 'VARCHAR', 'VEJNAVN': 'VARCHAR', 'HUSNR': 'VARCHAR', 'ETAGE': 'VARCHAR', 'SIDEDOER': 'VARCHAR',
              'POSTNR': 'VARCHAR', 'TILFLYT_DATO': 'DATE', 'FAMILIE_ID': 'VARCHAR'})}""")
    addr = q("select distinct street, house from pop").df()
    addr["area"] = pd.Series(assign_areas(addr["street"].tolist(), addr["house"].tolist()), dtype=object)
    con.register("addr", addr)
    plan = sql_list(PLAN_AREAS)
    q(f"""create table grp as
          with p as (select p.pnr, p.year, date_sub('year', p.birth, make_date(p.year, 1, 1)) as age, a.area
                     from pop p left join addr a using (street, house))
          select pnr, year, age, area as grp from p where area is not null
          union all select pnr, year, age, '{PLAN_TOTAL}' from p where area in ({plan})
          union all select pnr, year, age, '{KOMMUNE}' from p""")
    q(f"""create table spells as
          select PNR as pnr, YDELSE as benefit, STARTDATO as start_date, SLUTDATO as end_date, OMFANG_PCT as extent
          from {read_csv(raw, 'ydelser', {'PNR': 'VARCHAR', 'YDELSE': 'VARCHAR', 'STARTDATO': 'DATE',
                                          'SLUTDATO': 'DATE', 'OMFANG_PCT': 'INTEGER', 'AKTIVERET': 'VARCHAR',
                                          'MATCHGRUPPE': 'VARCHAR'})}
          qualify row_number() over (partition by PNR, YDELSE, STARTDATO order by {YEAR} desc) = 1""")
    years_sql = ", ".join(map(str, years))

    def weekdays_through(d: str) -> str:  # Mon-Fri from Monday 1 January 1990 through d
        n = f"(date_diff('day', DATE '1990-01-01', {d}) + 1)"
        return f"(5 * ({n} // 7) + least({n} % 7, 5))"

    def weekdays(a: str, b: str) -> str:
        return f"({weekdays_through(b)} - {weekdays_through(f'({a} - INTERVAL 1 DAY)::DATE')})"

    jan1, dec31 = "make_date(y.year, 1, 1)", "make_date(y.year, 12, 31)"
    s, e = f"greatest(sp.start_date, {jan1})", f"least(coalesce(sp.end_date, {dec31}), {dec31})"
    rows = q(f"""
        with fte as (
            select sp.pnr, y.year,
                   least(sum(greatest({weekdays(s, e)}, 0)::DOUBLE / {weekdays(jan1, dec31)} * sp.extent / 100.0), 1)
                   as fte
            from spells sp join (select unnest([{years_sql}]) as year) y
              on sp.start_date <= {dec31} and coalesce(sp.end_date, DATE '9999-12-31') >= {jan1}
            where sp.benefit in ({sql_list(OUTSIDE_BENEFITS)})
            group by all)
        select g.grp, 'employment', g.year, coalesce(sum(f.fte), 0), count(*)
        from grp g left join fte f using (pnr, year) where g.age between 18 and 64 group by all""").fetchall()

    rows += q(f"""
        with conv as (select distinct PNR as pnr, year(AFG_DATO) as year
                      from {read_csv(raw, 'afgoerelser', {'PNR': 'VARCHAR', 'AFG_DATO': 'DATE', 'GERN_DATO': 'DATE',
                                                          'LOV': 'VARCHAR', 'AFGOERELSE': 'VARCHAR'})}
                      where LOV in ({sql_list(LAWS)}) and AFGOERELSE in ({sql_list(DECISIONS)})
                        and AFG_DATO is not null)
        select g.grp, 'crime', g.year, count(c.pnr), count(*)
        from grp g left join conv c using (pnr, year) where g.age >= 18 group by all""").fetchall()

    q(f"""create table edu as select PNR as pnr, {YEAR} as year, trim(coalesce(HFAUDD, '')) as level,
                 HF_KILDE as source, trim(coalesce(IGANGV_UDD, '')) as ongoing
          from {read_csv(raw, 'uddannelse', {'PNR': 'VARCHAR', 'HFAUDD': 'VARCHAR', 'HF_KILDE': 'VARCHAR',
                                             'IGANGV_UDD': 'VARCHAR'})}""")
    rows += q(f"""
        select g.grp, 'education', g.year,
               count(*) filter (where e.pnr is null or e.level in ('', '9090')
                                or coalesce(e.source, '') not in ({sql_list(EDU_SOURCES)}) or left(e.level, 2) = '10'),
               count(*)
        from grp g left join edu e using (pnr, year) where g.age between 30 and 59 group by all""").fetchall()

    rows += q(f"""
        with inc as (select PNR as pnr, {YEAR} as income_year, BRUTTOINDK as gross
                     from {read_csv(raw, 'indkomst', {'PNR': 'VARCHAR', 'BRUTTOINDK': 'DOUBLE',
                                                      'SKATTEPLIGTIG': 'VARCHAR'})}
                     where SKATTEPLIGTIG = 'J'),
             ongoing as (select distinct pnr, year from edu where ongoing <> ''),
             su as (select distinct s.pnr, y.year as income_year from spells s
                    join (select unnest([{years_sql}]) as year) y
                      on s.start_date <= make_date(y.year, 12, 31)
                     and coalesce(s.end_date, DATE '9999-12-31') >= make_date(y.year, 1, 1)
                    where s.benefit = 'SU')
        select g.grp, 'income', i.income_year, sum(i.gross), count(*)
        from inc i join grp g on g.pnr = i.pnr and g.year = least(i.income_year + 1, {years[-1]})
        left join ongoing o on o.pnr = g.pnr and o.year = g.year
        left join su on su.pnr = i.pnr and su.income_year = i.income_year
        where g.age between 15 and 64 and o.pnr is null and su.pnr is null
        group by all""").fetchall()

    region = dict(q(f"""select AAR, GNS_BRUTTOINDK from read_csv('{raw.as_posix()}/reference/regionsindkomst.csv',
                        delim=';', header=true, decimal_separator=',',
                        columns={{'AAR': 'INTEGER', 'GNS_BRUTTOINDK': 'DOUBLE', 'ILLUSTRATIV': 'VARCHAR',
                                 'KILDE': 'VARCHAR'}})
                        where GNS_BRUTTOINDK is not null""").fetchall())
    yearly = {(g, c, int(y)): (float(n), float(d)) for g, c, y, n, d in rows}
    write_values(out, list_year_values(yearly, region, last_flow_year))


if __name__ == "__main__":
    sys.exit(main())
