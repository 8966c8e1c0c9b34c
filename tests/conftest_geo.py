"""Helpers for the geo tests (imported explicitly: ``from conftest_geo import ...``)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from boligmonitor.steps import BuildContext

FIXTURES = Path(__file__).parent / "fixtures" / "geo"


def make_staging(path: Path, population: list[tuple], evictions: list[tuple] | None = None):
    """A DuckDB file with minimal ``staging.population`` / ``staging.evictions``.

    ``population`` rows: ``(year, person_id, street, house_number, postcode)``;
    ``evictions`` rows: ``(year, case_id, street, house_number, postcode)``.
    """
    con = duckdb.connect(str(path))
    con.execute("create schema staging")
    con.execute("create table staging.population (year integer, person_id varchar, street varchar, "
                "house_number varchar, floor varchar, door varchar, postcode integer, municipality_code integer)")
    pop = pd.DataFrame(population, columns=["year", "person_id", "street", "house_number", "postcode"])
    con.register("_pop", pop)
    con.execute("insert into staging.population select year, person_id, street, house_number, null, null, "
                "postcode, 730 from _pop")
    con.unregister("_pop")
    if evictions is not None:
        con.execute("create table staging.evictions (year integer, case_id varchar, street varchar, "
                    "house_number varchar, postcode integer, municipality_code integer)")
        ev = pd.DataFrame(evictions, columns=["year", "case_id", "street", "house_number", "postcode"])
        con.register("_ev", ev)
        con.execute("insert into staging.evictions select *, 730 from _ev")
        con.unregister("_ev")
    return con


def make_ctx(tmp_path: Path, **geo_settings) -> tuple[BuildContext, list[str]]:
    said: list[str] = []
    ctx = BuildContext(raw_dir=tmp_path / "raw", db_path=tmp_path / "db.duckdb", published_dir=tmp_path / "pub",
                       hmac_key=b"test", say=said.append, settings={"geo": geo_settings} if geo_settings else {})
    return ctx, said
