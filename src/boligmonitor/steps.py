"""What every pipeline step receives and returns (contract shared by all steps).

A step is ``run(con, ctx) -> StepResult``: it loads its inputs from earlier schemas, processes
them, saves its own tables and reports what it did. ``boligmonitor.pipeline`` runs the steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class BuildContext:
    raw_dir: Path
    db_path: Path
    published_dir: Path
    hmac_key: bytes
    #: Called with one line of progress text; the command line prints it, tests collect it.
    say: Callable[[str], None] = print
    #: Free-form settings a step may read (e.g. {"criteria": {...}}); defaults live in each module.
    settings: dict = field(default_factory=dict)
    #: What a step's optional ``prepare(ctx)`` computed ahead (no database: run by the pipeline in
    #: the background while earlier steps run), keyed by step; ``run`` computes it itself if absent.
    prepared: dict = field(default_factory=dict)


@dataclass
class StepResult:
    name: str
    #: table name -> row count written by the step
    tables: dict[str, int] = field(default_factory=dict)
    #: human-readable lines: what was loaded, processed and saved, and any warnings
    messages: list[str] = field(default_factory=list)
    #: problems that make the build fail (the pipeline stops and keeps the previous database)
    errors: list[str] = field(default_factory=list)

    def table_count(self, con, table: str) -> int:
        n = con.execute(f"select count(*) from {table}").fetchall()[0][0]  # fetchall: leaves no open result
        self.tables[table] = n
        return n
