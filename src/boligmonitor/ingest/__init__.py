"""Ingestion: register extracts (``data/raw``) -> ``staging.*`` in DuckDB.

The pipeline step is :func:`run` (``run(con, ctx) -> StepResult``). The parts:

* :mod:`~boligmonitor.ingest.reader` -- Danish CSV habits: encodings, separators, headers, quotes;
* :mod:`~boligmonitor.ingest.validate` -- types, codes, ranges, periods, duplicate keys -> quarantine;
* :mod:`~boligmonitor.ingest.pseudonym` -- PNR -> keyed hash (HMAC-SHA256);
* :mod:`~boligmonitor.ingest.rules` -- period and date-order rules, quarantine reason texts;
* :mod:`~boligmonitor.ingest.load` -- file discovery, incremental cache, ``staging.*``,
  ``staging.quarantine`` and ``staging.load_log``.

See ``docs/ingestion.md``.
"""

from boligmonitor.ingest.load import (
    discover,
    finalize,
    incomplete_inputs,
    load_summary,
    quarantine_summary,
    read_file,
    reconciliation_problems,
    run,
    staging_columns,
)
from boligmonitor.ingest.pseudonym import INVALID_PNR, Pseudonymiser, hmac_id, is_valid_pnr
from boligmonitor.ingest.reader import FileError, normalise_header, read_raw
from boligmonitor.ingest.rules import PERIOD_RULES, REASONS
from boligmonitor.ingest.validate import validate

__all__ = [
    "run",
    "discover",
    "finalize",
    "incomplete_inputs",
    "read_file",
    "load_summary",
    "quarantine_summary",
    "reconciliation_problems",
    "staging_columns",
    "INVALID_PNR",
    "Pseudonymiser",
    "hmac_id",
    "is_valid_pnr",
    "FileError",
    "normalise_header",
    "read_raw",
    "PERIOD_RULES",
    "REASONS",
    "validate",
]
