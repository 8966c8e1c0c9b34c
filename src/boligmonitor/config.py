"""Project paths and settings: the one place that knows where things live.

Paths are resolved from the project root, never from the current directory, so notebooks,
report pages, tests and the command line all see the same files. The root is, in order:
the environment variable ``BOLIGMONITOR_ROOT``; the nearest parent of the current directory
that holds ``_quarto.yml`` and ``pyproject.toml``; the checkout this package was installed from.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

#: Coordinate reference system inside the pipeline (ETRS89 / UTM zone 32N). EPSG:4326 only at the map edge.
CRS = "EPSG:25832"
#: First year of register data (two-year averages and five-year histories need 2016-2017).
FIRST_DATA_YEAR = 2016
#: Last year of the default synthetic extract.
LAST_DATA_YEAR = 2025
#: The plan's baseline years and plan period.
BASELINE_YEARS = (2018, 2019, 2020)
PLAN_YEARS = (2021, 2022, 2023, 2024, 2025)
#: Report years: one annual report page per list year (status on 1 December).
REPORT_YEARS = (2021, 2022, 2023, 2024, 2025)
#: Disclosure control: no published cell may rest on fewer persons than this (diskretionering).
MIN_CELL_PERSONS = 5
#: Demo key for the synthetic default's pseudonymisation. Real extracts need BOLIGMONITOR_HMAC_KEY.
DEMO_HMAC_KEY = "boligmonitor-demo-key-synthetic-data-only"
#: Seed of the shipped synthetic default.
DEFAULT_SEED = 2021


def _looks_like_root(p: Path) -> bool:
    return (p / "pyproject.toml").is_file() and (p / "_quarto.yml").is_file()


@lru_cache(maxsize=1)
def project_root() -> Path:
    env = os.environ.get("BOLIGMONITOR_ROOT")
    if env:
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for p in (here, *here.parents):
        if _looks_like_root(p):
            return p
    pkg_root = Path(__file__).resolve().parents[2]
    if _looks_like_root(pkg_root):
        return pkg_root
    raise RuntimeError(
        "cannot find the Boligmonitor project folder (a folder with _quarto.yml and pyproject.toml); "
        "run from inside the checkout or set BOLIGMONITOR_ROOT"
    )


def raw_dir() -> Path:
    return project_root() / "data" / "raw"


def processed_dir() -> Path:
    return project_root() / "data" / "processed"


#: Environment variables that point the commands, notebooks and report pages at another database
#: and its published aggregates (e.g. ``BOLIGMONITOR_DB=/tmp/x.duckdb quarto render``).
DB_ENV = "BOLIGMONITOR_DB"
PUBLISHED_ENV = "BOLIGMONITOR_PUBLISHED"


def default_db_path() -> Path:
    """The project's database: ``data/processed/boligmonitor.duckdb``."""
    return processed_dir() / "boligmonitor.duckdb"


def db_path() -> Path:
    """The database to use: ``$BOLIGMONITOR_DB`` if set, else :func:`default_db_path`."""
    env = os.environ.get(DB_ENV, "").strip()
    return Path(env).expanduser().resolve() if env else default_db_path()


def published_dir_for(db: Path | str) -> Path:
    """Where the published aggregates of database ``db`` live: ``data/processed/published/`` for the
    project's database, ``<db folder>/<db stem>.published/`` for any other (so two databases never
    share, or overwrite, each other's published files)."""
    db = Path(db).expanduser()
    if db.resolve() == default_db_path().resolve():
        return processed_dir() / "published"
    return db.resolve().parent / f"{db.stem}.published"


def published_dir() -> Path:
    """The published aggregates the report pages read: ``$BOLIGMONITOR_PUBLISHED`` if set, else those
    of :func:`db_path` (``$BOLIGMONITOR_DB``, else the project's database)."""
    env = os.environ.get(PUBLISHED_ENV, "").strip()
    if env:
        return Path(env).expanduser().resolve()
    return published_dir_for(db_path())


def geo_dir() -> Path:
    return project_root() / "geo"


def package_data(name: str) -> Path:
    """A data file shipped inside the package (plan targets, code lists, reference tables)."""
    return Path(__file__).resolve().parent / "data" / name
