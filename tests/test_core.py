"""core.person_year from staging.population and geo.address_area (small fixture database)."""

import datetime as dt

import duckdb
import pytest

from boligmonitor import core
from boligmonitor.steps import BuildContext


@pytest.fixture()
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    con.execute("create schema staging; create schema geo")
    con.execute("""
        create table staging.population (year int, person_id varchar, birth_date date, sex varchar,
            origin varchar, country_code int, municipality_code int, street varchar, house_number varchar,
            floor varchar, door varchar, postcode int, moved_in_date date, household_id varchar,
            source_file varchar, source_line int)
    """)
    rows = [
        # year, id, birth, sex, origin, country, street, no, postcode
        (2020, "a", dt.date(2000, 1, 1), "1", "1", 5100, "Flyvervej", "2", 8930),
        (2020, "b", dt.date(2000, 1, 2), "2", "2", 5130, "Flyvervej", "2", 8930),   # Western (France)
        (2020, "c", dt.date(1980, 6, 30), "2", "3", 5122, "Husarvej", "12A", 8930),  # non-Western (Albania)
        (2020, "d", dt.date(1950, 12, 31), "1", "2", 9999, "Andetsteds", "1", 8900),  # unknown country
        (2021, "a", dt.date(2000, 1, 1), "1", "1", 5100, "Andetsteds", "1", 8900),
    ]
    for i, (y, pid, b, s, o, c, st, no, pc) in enumerate(rows):
        con.execute("insert into staging.population values (?,?,?,?,?,?,730,?,?,null,null,?,?,?,'f',?)",
                    [y, pid, b, s, o, c, st, no, pc, b, f"h{pid}", i + 2])
    con.execute("""
        create table geo.address_area as select * from (values
          ('Flyvervej', '2', 8930, 'FLYVERVEJ|2|8930', 'gl_jennumparken', 'gl_jennumparken', 'gl_jennumparken', 'both'),
          ('Husarvej', '12A', 8930, 'HUSARVEJ|12A|8930', 'gl_jennumparken', 'gl_jennumparken', 'gl_jennumparken', 'both'),
          ('Andetsteds', '1', 8900, 'ANDETSTEDS|1|8900', null, null, null, 'none')
        ) t(street, house_number, postcode, address_key, area_by_range, area_by_polygon, area_id, match_status)
    """)
    yield con
    con.close()


def test_person_year_has_one_row_per_population_row_with_area_and_derived_facts(con, tmp_path):
    said = []
    ctx = BuildContext(raw_dir=tmp_path, db_path=tmp_path / "t.duckdb", published_dir=tmp_path / "p",
                       hmac_key=b"k", say=said.append)
    res = core.run(con, ctx)
    assert res.errors == []
    assert res.tables["core.person_year"] == 5
    got = {(r[0], r[1]): r[2:] for r in con.execute(
        "select person_id, year, age, sex, origin, nonwestern, area_id from core.person_year").fetchall()}
    # age in completed years on 1 January: born 1 Jan 2000 -> 20 on 1 Jan 2020; born 2 Jan 2000 -> 19
    assert got[("a", 2020)] == (20, "M", "dansk", False, "gl_jennumparken")
    assert got[("b", 2020)] == (19, "K", "indvandrer", False, "gl_jennumparken")
    assert got[("c", 2020)] == (39, "K", "efterkommer", True, "gl_jennumparken")
    # an unknown country code counts as non-Western for immigrants, and the step says so
    assert got[("d", 2020)][3] is True
    assert any("country code not in the code list" in m for m in res.messages)
    # a move out of the area shows in the next year
    assert got[("a", 2021)][4] is None
    assert any("core.person_year" in s for s in said)
