"""Reading the published aggregates: what report pages and downloads use (and nothing else)."""

from __future__ import annotations

import json
from functools import cache

import polars as pl

from boligmonitor import config
from boligmonitor.errors import BoligmonitorError


def _missing(what: str) -> BoligmonitorError:
    return BoligmonitorError(
        f"{what} is missing in {config.published_dir()}: build the data first (`make build`, or `boligmonitor build`)"
    )


@cache
def manifest() -> dict:
    path = config.published_dir() / "manifest.json"
    if not path.exists():
        raise _missing("manifest.json")
    return json.loads(path.read_text(encoding="utf-8"))


def load(name: str) -> pl.DataFrame:
    """A published table by its name (the CSV stem), e.g. ``load("befolkning")``."""
    path = config.published_dir() / f"{name}.csv"
    if not path.exists():
        raise _missing(f"{name}.csv")
    return pl.read_csv(path, infer_schema_length=None)


def is_synthetic() -> bool:
    return bool(manifest().get("synthetic"))


def clear_cache() -> None:
    manifest.cache_clear()
