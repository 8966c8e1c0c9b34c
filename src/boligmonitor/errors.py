"""Errors the user sees as a clear message (the command line prints them without a traceback).

Every command line of the project (``boligmonitor ...``, ``python -m boligmonitor.geo.layers``,
``python -m boligmonitor.site``) ends through :func:`run_command`, which turns whatever a command
can meet into one plain sentence on stderr and one of three exit codes:

* :data:`EXIT_PROBLEMS` (1): the command ran and found problems (``check``'s blocking problems);
* :data:`EXIT_CANNOT_RUN` (2): the command could not run (bad input, missing or unreadable file,
  database held by another program, disk full, permission denied, a library error);
* :data:`EXIT_INTERRUPTED` (130): interrupted (Ctrl-C, SIGTERM), as shells report SIGINT.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_CANNOT_RUN = 2
EXIT_INTERRUPTED = 130


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


class DatabaseLockedError(BoligmonitorError):
    """Another process holds the DuckDB file open read-write (DuckDB's lock). ``pid``/``program``
    name the holder where DuckDB reported it."""

    def __init__(self, path: str | Path, pid: int | None = None, program: str | None = None):
        self.path, self.pid, self.program = str(path), pid, program
        who = "another program"
        if program and pid:
            who = f"another program ({program}, PID {pid})"
        elif pid:
            who = f"another program (PID {pid})"
        super().__init__(
            f"the database {path} is open in {who}; close it there (e.g. con.close() or restart the notebook's "
            f"kernel), or open it read-only there: duckdb.connect(path, read_only=True), then run this again"
        )


class Interrupted(BoligmonitorError):
    """The command was interrupted (Ctrl-C or SIGTERM)."""


# --- translation of library and system errors -------------------------------------------------------

_LOCK_RE = re.compile(r"Could not set lock on file \"(?P<file>[^\"]+)\".*?Conflicting lock is held in "
                      r"(?P<prog>.+?) \(PID (?P<pid>\d+)\)", re.S)


def _program_of(pid: int | None, fallback: str | None) -> str | None:
    """A readable name of process ``pid``: its command line (``/proc``) when visible, else DuckDB's
    executable path."""
    if pid:
        with contextlib.suppress(OSError):
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
            parts = [p.decode(errors="replace") for p in raw.split(b"\0") if p]
            if parts:
                text = " ".join(" ".join([Path(parts[0]).name, *parts[1:]]).split())  # one line
                return text if len(text) <= 120 else text[:117] + "..."
    return Path(fallback).name if fallback else None


def lock_error(exc: BaseException, path: str | Path | None = None) -> DatabaseLockedError | None:
    """The :class:`DatabaseLockedError` that a DuckDB lock conflict ``exc`` means, or None."""
    msg = str(exc)
    if "Could not set lock" not in msg and "Conflicting lock" not in msg:
        return None
    m = _LOCK_RE.search(msg)
    pid = int(m.group("pid")) if m and m.group("pid") else None
    file = path or (m.group("file") if m else "the database")
    return DatabaseLockedError(file, pid, _program_of(pid, m.group("prog") if m else None))


def _os_error_sentence(e: OSError) -> str:
    name = e.filename if e.filename is not None else None
    where = f"{name}" if name else "a file"
    if e.errno == errno.EPIPE:
        return ("the program reading this command's output stopped reading (broken pipe, e.g. `| head`); for a "
                "build nothing was replaced: run it again without cutting its output short")
    if e.errno == errno.ENOSPC or e.errno == getattr(errno, "EDQUOT", -1):
        return (f"no space left on the disk while writing {where}; free some space (or write elsewhere) and run "
                "the command again (nothing was replaced)")
    if e.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied for {where}; check the file's owner and permissions, or use another folder"
    if e.errno == errno.ENOENT:
        return f"{where} does not exist; check the path"
    if e.errno == errno.EISDIR:
        return f"{where} is a folder, not a file; give the file's path"
    if e.errno == errno.ENOTDIR:
        return f"{where}: a part of the path is a file, not a folder; check the path"
    if e.errno == errno.EROFS:
        return f"{where} is on a read-only file system; write elsewhere"
    return f"{where}: {e.strerror or e}"


def translate(exc: BaseException) -> tuple[str, int]:
    """``(sentence, exit code)`` for any exception a command can meet (never a traceback)."""
    if isinstance(exc, KeyboardInterrupt | Interrupted):
        return "interrupted; nothing was replaced (the previous files are as they were)", EXIT_INTERRUPTED
    if isinstance(exc, BoligmonitorError):
        return str(exc), EXIT_CANNOT_RUN
    locked = lock_error(exc)
    if locked is not None:
        return str(locked), EXIT_CANNOT_RUN
    if isinstance(exc, OSError):
        return _os_error_sentence(exc), EXIT_CANNOT_RUN
    if isinstance(exc, MemoryError):
        return "out of memory; close other programs or build a smaller extract", EXIT_CANNOT_RUN
    try:
        import duckdb
    except ImportError:  # pragma: no cover - duckdb is a dependency
        duckdb = None
    if duckdb is not None and isinstance(exc, duckdb.Error):
        text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        if "No space left" in text:
            return f"no space left on the disk ({text}); free some space and run the command again", EXIT_CANNOT_RUN
        if "Permission denied" in text:
            return f"permission denied ({text}); check the file's owner and permissions", EXIT_CANNOT_RUN
        return (f"database error ({exc.__class__.__name__}: {text}); the database may be damaged or from another "
                "version: rebuild it with `boligmonitor build --full`"), EXIT_CANNOT_RUN
    text = str(exc).splitlines()[0] if str(exc) else ""
    return (f"unexpected error {exc.__class__.__name__}{': ' + text if text else ''} (a bug: please report it "
            "with the command you ran; BOLIGMONITOR_DEBUG=1 shows the traceback)"), EXIT_CANNOT_RUN


class _InterruptFlag:
    """Set when SIGINT/SIGTERM arrived: an error raised by a library while unwinding (DuckDB's
    ``Query interrupted``, a thread's RuntimeError) is still reported as an interruption."""

    def __init__(self) -> None:
        self.signal: int | None = None


INTERRUPT = _InterruptFlag()


@contextlib.contextmanager
def interrupt_handlers():
    """SIGINT and SIGTERM raise KeyboardInterrupt (so cleanup in ``finally`` blocks runs) and set
    :data:`INTERRUPT` (so the exit code is 130 whatever exception the interruption surfaced as)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        INTERRUPT.signal = signum
        raise KeyboardInterrupt(f"signal {signum}")

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def run_command(name: str, fn: Callable[[], int]) -> int:
    """Run ``fn`` (a command's body returning its exit code) and turn every failure into one line
    ``<name>: <sentence>`` on stderr and its exit code. ``BOLIGMONITOR_DEBUG=1`` re-raises (traceback)."""
    INTERRUPT.signal = None
    try:
        with interrupt_handlers():
            return fn()
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001 - the point: nothing reaches the user as a traceback
        if os.environ.get("BOLIGMONITOR_DEBUG"):
            raise
        # Whatever an interruption surfaced as (DuckDB's "Query interrupted", a thread's error), it is one.
        msg, code = translate(KeyboardInterrupt() if INTERRUPT.signal is not None else e)
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        print(f"{name}: {msg}", file=sys.stderr, flush=True)
        return code
