"""Errors the user sees as a clear message (the command line prints them without a traceback)."""

from __future__ import annotations

from pathlib import Path


class BoligmonitorError(Exception):
    """A problem the user can act on. ``str(err)`` is the whole message."""


class InputError(BoligmonitorError):
    """Bad input that names the file and, where known, the line and column."""

    def __init__(self, message: str, file: str | Path | None = None, line: int | None = None,
                 column: str | None = None):
        self.file = str(file) if file is not None else None
        self.line = line
        self.column = column
        self.reason = message
        where = []
        if self.file:
            where.append(self.file)
        if line is not None:
            where.append(f"line {line}")
        if column:
            where.append(f"column {column}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class BuildError(BoligmonitorError):
    """The build failed; the previous database and published files are untouched."""
