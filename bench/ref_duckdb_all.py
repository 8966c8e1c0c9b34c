"""Reference program "DuckDB (all registers)": ``bench/ref_duckdb_criteria.py`` after loading every
register the product loads (all 17 registers of every year folder and the reference tables, typed
by ``read_csv`` with explicit options into an in-memory database; cp1252 files transcoded to UTF-8
as a stream first). No validation, no quarantine, no pseudonymisation.

``python bench/ref_duckdb_all.py RAW --out values.csv``
"""

from __future__ import annotations

import sys

from ref_duckdb_criteria import main

if __name__ == "__main__":
    sys.argv.insert(1, "--all-registers")
    sys.exit(main())
