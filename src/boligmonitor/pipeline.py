"""The build: run every step on a new database file and swap it in only when all succeeded.

``build()`` works on ``<db>.tmp-<pid>`` (a copy of the previous database for an incremental build,
so unchanged raw files are not read again; an empty file with ``full=True``) and on a temporary
published folder. Only when every step returned without errors are the two moved into place
with ``os.replace``. On any error, Ctrl-C or SIGTERM the temporary files are removed and the
previous database and published files stay exactly as they were; a build killed outright
(SIGKILL, power cut) leaves only a stale temporary file, which the next build removes.

Because the new database *replaces* the file (it is not written into), a build succeeds while a
notebook or viewer holds the database open; that program keeps reading the old file until it
reconnects. Each attempt, good or failed, is recorded next to the database (``<db>.build.json``).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.util
import os
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from boligmonitor import buildrecord, config, db, uptodate
from boligmonitor.errors import INTERRUPT, BuildError, interrupt_handlers, lock_error, translate
from boligmonitor.steps import BuildContext, StepResult

#: The steps, in order. Each is a module with ``run(con, ctx) -> StepResult``. A tuple of steps runs
#: concurrently, each on its own cursor (they read the same tables and write different ones; on two
#: cores their many short queries overlap well). Such steps must not depend on each other; the
#: schemas they write are created first (a module's ``SCHEMAS``), as two transactions creating the
#: same schema conflict.
STEPS: tuple[str | tuple[str, ...], ...] = (
    "boligmonitor.ingest",
    "boligmonitor.geo",
    "boligmonitor.core",
    ("boligmonitor.criteria", "boligmonitor.indicators", "boligmonitor.flows"),
    "boligmonitor.publish",
)
HMAC_ENV = "BOLIGMONITOR_HMAC_KEY"
SYNTHETIC_MARKER = "SYNTHETIC.json"


@dataclass
class StepTiming:
    result: StepResult
    seconds: float


@dataclass
class BuildSummary:
    db_path: Path
    published_dir: Path
    steps: list[StepTiming] = field(default_factory=list)
    seconds: float = 0.0
    full: bool = False
    key_source: str = ""
    up_to_date: bool = False  # nothing changed since the last build: no step ran (see uptodate)

    @property
    def tables(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.steps:
            out.update(s.result.tables)
        return out

    def step(self, name: str) -> StepResult:
        for s in self.steps:
            if s.result.name == name:
                return s.result
        raise KeyError(name)

    def __str__(self) -> str:
        if self.up_to_date:
            return f"Up to date -> {self.db_path} (no step ran; checked in {self.seconds:.2f} s)"
        lines = [f"Build {'(full)' if self.full else '(incremental)'} -> {self.db_path} in {self.seconds:.1f} s",
                 f"published files: {self.published_dir}",
                 f"{'step':<12} {'seconds':>8}  tables (rows)"]
        for s in self.steps:
            tabs = ", ".join(f"{t} ({n:,})" for t, n in s.result.tables.items())
            lines.append(f"{s.result.name:<12} {s.seconds:>8.2f}  {tabs}")
        return "\n".join(lines)


def resolve_hmac_key(raw_dir: Path, root: Path | None = None) -> tuple[bytes, str]:
    """The pseudonymisation key and where it came from (never the key itself in messages).

    Order: environment ``BOLIGMONITOR_HMAC_KEY``; ``.env`` at the project root; the documented demo
    key, but only for the synthetic default (``<raw>/SYNTHETIC.json`` exists).
    """
    env = os.environ.get(HMAC_ENV, "").strip()
    if env:
        return env.encode("utf-8"), f"environment variable {HMAC_ENV}"
    if root is None:
        try:
            root = config.project_root()
        except RuntimeError:
            root = None
    if root is not None:
        dotenv = root / ".env"
        if dotenv.is_file():
            for line in dotenv.read_text(encoding="utf-8", errors="replace").splitlines():
                line = line.strip()
                if line.startswith("export "):
                    line = line[len("export "):].strip()
                if line.startswith(f"{HMAC_ENV}="):
                    val = line.split("=", 1)[1].strip().strip('"').strip("'")
                    if val:
                        return val.encode("utf-8"), f"{dotenv.name} at the project root"
    if (raw_dir / SYNTHETIC_MARKER).is_file():
        return config.DEMO_HMAC_KEY.encode("utf-8"), "demo key (synthetic data)"
    raise BuildError(
        f"no pseudonymisation key: {raw_dir} is not the synthetic default, so a secret key is needed. "
        f"Set the environment variable {HMAC_ENV}, or put a line {HMAC_ENV}=<a long random secret> in "
        "the file .env at the project root (git ignores it). Keep the key: the same key gives the same "
        "pseudonyms across builds."
    )


def _load_step(module: str) -> Callable:
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name and (module == e.name or module.startswith(e.name + ".")):
            raise BuildError(f"the pipeline step {module} is missing (module not found)") from None
        raise
    fn = getattr(mod, "run", None)
    if not callable(fn):
        raise BuildError(f"the pipeline step {module} has no run(con, ctx) function")
    return fn


def _schemas_of(step: str | Callable) -> tuple[str, ...]:
    if isinstance(step, str):
        return tuple(getattr(importlib.import_module(step), "SCHEMAS", ()))
    return tuple(getattr(step, "SCHEMAS", ()))


def _runner(step: str | Callable) -> tuple[str, Callable]:
    return (step, _load_step(step)) if isinstance(step, str) else (getattr(step, "__name__", "step"), step)


def _run_group(con: duckdb.DuckDBPyConnection, ctx: BuildContext, group: list[tuple[str, Callable]],
               schemas: tuple[str, ...]) -> list[tuple[str, object, float]]:
    """Run one step, or several concurrently on cursors of their own: (name, result, seconds) each."""
    if len(group) == 1:
        name, fn = group[0]
        ts = time.perf_counter()
        return [(name, fn(con, ctx), time.perf_counter() - ts)]
    for schema in schemas:
        con.execute(f'create schema if not exists "{schema}"')

    def one(name: str, fn: Callable) -> tuple[str, object, float]:
        cur = con.cursor()
        try:
            ts = time.perf_counter()
            return name, fn(cur, ctx), time.perf_counter() - ts
        finally:
            cur.close()

    with ThreadPoolExecutor(max_workers=len(group)) as ex:
        futures = [ex.submit(one, name, fn) for name, fn in group]
        return [f.result() for f in futures]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clean_stale(db_path: Path, published_dir: Path) -> None:
    """Remove temporary files of earlier builds that were killed."""
    patterns = [(db_path.parent, f"{db_path.name}.tmp-"), (published_dir.parent, f".{published_dir.name}.tmp-"),
                (published_dir.parent, f".{published_dir.name}.old-")]
    for folder, prefix in patterns:
        if not folder.is_dir():
            continue
        for p in folder.iterdir():
            if not p.name.startswith(prefix):
                continue
            pid = p.name[len(prefix):].split(".")[0]
            if pid.isdigit() and int(pid) != os.getpid() and _pid_alive(int(pid)):
                continue
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    p.unlink()


@contextlib.contextmanager
def _gc_paused():
    """Python's cycle collector paused for the build (as it was again afterwards). The build's objects
    are freed by reference counting; the collector's passes over the many objects the imports of
    polars, DuckDB and geopandas leave took 0.1-0.2 s of the build, holding the global lock that
    the ingest's threads wait for. Peak memory was the same with and without."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _sigterm_as_interrupt():
    """Turn SIGTERM (and SIGINT) into KeyboardInterrupt during the build, so cleanup runs, and note it
    in :data:`boligmonitor.errors.INTERRUPT` (a library error raised while unwinding is still an
    interruption)."""
    return interrupt_handlers()


def _remove(p: Path) -> None:
    if p.is_dir():
        shutil.rmtree(p, ignore_errors=True)
    elif p.exists():
        with contextlib.suppress(OSError):
            p.unlink()


def build(raw_dir: Path | None = None, db_path: Path | None = None, published_dir: Path | None = None,
          say: Callable[[str], None] = print, full: bool = False, settings: dict | None = None,
          *, steps: Sequence[str | Callable] | None = None) -> BuildSummary:
    """Run the pipeline (see the module docstring). ``steps`` (for tests) replaces :data:`STEPS`:
    module names, or ``run``-like callables.

    ``published_dir`` defaults to the published folder of ``db_path`` (:func:`config.published_dir_for`:
    ``<db folder>/<db stem>.published/``; ``data/processed/published/`` for the project's database).
    Every attempt is recorded in ``<db>.build.json`` (:mod:`boligmonitor.buildrecord`), which
    ``boligmonitor check`` reads. Raises :class:`BuildError` (previous files untouched),
    :class:`DatabaseLockedError`, ``KeyboardInterrupt`` (Ctrl-C, SIGTERM), ``OSError`` (disk full, permission).
    """
    t0 = time.perf_counter()
    raw_dir = Path(raw_dir) if raw_dir else config.raw_dir()
    if published_dir:
        published_dir = Path(published_dir)
    elif db_path:
        published_dir = config.published_dir_for(db_path)  # the published files belong to their database
    else:
        published_dir = config.published_dir()
    db_path = Path(db_path) if db_path else config.db_path()
    with _one_build_at_a_time(db_path):
        started = buildrecord.now()
        INTERRUPT.signal = None
        full = full or not db_path.exists()
        try:
            summary = _build(raw_dir, db_path, published_dir, say, full, settings, steps, t0)
        except BaseException as e:
            interrupted = isinstance(e, KeyboardInterrupt) or INTERRUPT.signal is not None
            if interrupted:
                reason = "interrupted (Ctrl-C or SIGTERM)"
            else:
                reason = translate(e)[0]
            buildrecord.write_attempt(db_path, status="interrupted" if interrupted else "failed", started=started,
                                      raw_dir=raw_dir, published_dir=published_dir, full=full, error=reason)
            raise
        buildrecord.write_attempt(db_path, status="ok", started=started, raw_dir=raw_dir,
                                  published_dir=published_dir, full=full)
    return summary


def build_lock_path(db_path: Path) -> Path:
    """The lock file of ``db_path``'s builds: ``<db>.build.lock`` next to it (holds the PID of the build)."""
    return db_path.with_name(f"{db_path.name}.build.lock")


@contextlib.contextmanager
def _one_build_at_a_time(db_path: Path):
    """An exclusive lock (``fcntl.flock`` on :func:`build_lock_path`) for the whole build: two builds of
    one database at once would each swap in their database and published folder, so the database of
    one could end up next to the published files of the other. The second build stops with
    :class:`BuildError` naming the running one's PID (and records no attempt: the running build
    records its own). The file is removed when the build ends; the operating system releases the lock
    of a build that was killed (its file then stays until the next build of the database)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX: no lock
        yield
        return
    lock = build_lock_path(db_path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
            os.close(fd)
            who = f" (PID {holder})" if holder.isdigit() else ""
            raise BuildError(f"another build of {db_path} is running{who}; wait until it has finished (or stop "
                             "it), then build again; nothing was changed") from None
        try:  # locked; but the file may have been removed by the build that held it just before
            if os.fstat(fd).st_ino == os.stat(lock).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()  # removed while still locked: a build finishing leaves no file behind
        os.close(fd)


def _check_targets(db_path: Path, published_dir: Path, raw_dir: Path) -> None:
    """Refuse to replace what the build did not create: a database path that holds another kind of
    file, a published folder that holds files but no ``manifest.json`` (and is not the one this
    database's build record names), or targets inside the raw folder."""
    if db_path.is_dir():
        raise BuildError(f"{db_path} is a folder; --db needs a DuckDB file path")
    if db_path.exists() and not db.is_duckdb_file(db_path):
        raise BuildError(f"{db_path} is not a DuckDB database; the build would replace it. Give another --db path")
    if published_dir.exists():
        if not published_dir.is_dir():
            raise BuildError(f"{published_dir} is a file; --published needs a folder")
        content = [p.name for p in published_dir.iterdir()]
        ours = str(published_dir.resolve()) in {(buildrecord.read(db_path).get(k) or {}).get("published_dir")
                                                 for k in ("last_success", "last_attempt")}
        if content and "manifest.json" not in content and not ours:
            raise BuildError(f"{published_dir} holds files that are not published aggregates of a build "
                             f"({', '.join(sorted(content)[:3])}{', ...' if len(content) > 3 else ''}) and no "
                             "manifest.json; the build replaces the whole folder, so give another --published folder")
    raw = raw_dir.resolve()
    for what, p in (("database", db_path), ("published folder", published_dir)):
        rp = p.resolve()
        if rp == raw or raw in rp.parents:
            raise BuildError(f"the {what} {p} lies inside the raw data folder {raw_dir}; write it elsewhere")


def _build(raw_dir: Path, db_path: Path, published_dir: Path, say: Callable[[str], None], full: bool,
           settings: dict | None, steps: Sequence[str | Callable] | None, t0: float) -> BuildSummary:
    step_names = tuple(steps) if steps is not None else STEPS
    groups = [list(s) if isinstance(s, tuple | list) else [s] for s in step_names]
    if raw_dir.is_file():
        raise BuildError(f"the raw data folder {raw_dir} is a file; --raw needs the folder that holds the year "
                         "folders (e.g. data/raw)")
    if not raw_dir.is_dir():
        raise BuildError(f"the raw data folder {raw_dir} does not exist; run `boligmonitor synth` to write "
                         "the synthetic default, or put the register extracts there")
    _check_targets(db_path, published_dir, raw_dir)
    key, key_source = resolve_hmac_key(raw_dir)
    for g in groups:
        for s in g:
            if isinstance(s, str) and importlib.util.find_spec(s) is None:
                raise BuildError(f"the pipeline step {s} is missing (module not found)")

    def load(g: list) -> tuple[list[tuple[str, Callable]], tuple[str, ...]]:
        return [_runner(s) for s in g], tuple(x for s in g for x in _schemas_of(s))

    # The later steps' modules are imported, and their prepare(ctx) run, while the first step runs.
    later: dict[str, object] = {}

    def load_later(ctx: BuildContext) -> None:
        try:
            later["runners"] = [load(g) for g in groups[1:]]
        except BaseException as e:  # raised in the build's thread when the steps are needed
            later["error"] = e
            return
        # A later step's optional prepare(ctx) (work without the database, e.g. reading the
        # GeoPackage) runs here too; a step computes what is missing itself.
        for g in groups[1:]:
            for s in g:
                prep = getattr(importlib.import_module(s), "prepare", None) if isinstance(s, str) else None
                if callable(prep):
                    with contextlib.suppress(Exception):
                        prep(ctx)

    if steps is None and not full and (why := uptodate.check(raw_dir, db_path, published_dir, key, settings)):
        say(f"build: up to date, nothing to do ({why}); `boligmonitor build --full` rebuilds anyway")
        return BuildSummary(db_path, published_dir, seconds=time.perf_counter() - t0, key_source=key_source,
                            up_to_date=True)
    runners = [load(groups[0])] if groups else []

    db_path.parent.mkdir(parents=True, exist_ok=True)
    published_dir.parent.mkdir(parents=True, exist_ok=True)
    _clean_stale(db_path, published_dir)
    pid = os.getpid()
    tmp_db = db_path.with_name(f"{db_path.name}.tmp-{pid}")
    tmp_pub = published_dir.with_name(f".{published_dir.name}.tmp-{pid}")
    spill = db_path.with_name(f"{db_path.name}.tmp-{pid}.spill")  # DuckDB's spill folder
    old_pub = published_dir.with_name(f".{published_dir.name}.old-{pid}")
    summary = BuildSummary(db_path, published_dir, full=full, key_source=key_source)
    con = None
    swapped_pub = False
    try:
        with _sigterm_as_interrupt(), _gc_paused():
            for p in (tmp_db, Path(f"{tmp_db}.wal"), tmp_pub, old_pub):
                _remove(p)
            if not summary.full:
                shutil.copyfile(db_path, tmp_db)
            tmp_pub.mkdir(parents=True)
            say(f"build: {'full' if summary.full else 'incremental'} build of {raw_dir} -> {db_path} "
                f"(pseudonymisation key: {key_source})")
            con = db.connect(tmp_db)  # no progress bar in the build's output
            db.limit_memory(con, spill)  # DuckDB spills beyond its limit instead of growing
            ctx = BuildContext(raw_dir=raw_dir, db_path=tmp_db, published_dir=tmp_pub, hmac_key=key, say=say,
                               settings=dict(settings or {}))
            loader = threading.Thread(target=load_later, args=(ctx,), name="load-steps", daemon=True)
            loader.start()
            for k in range(len(groups)):
                if k == 1:
                    loader.join()
                    if "error" in later:
                        raise later["error"]
                    runners += later["runners"]
                group, schemas = runners[k]
                outcomes = _run_group(con, ctx, group, schemas)
                for name, result, _ in outcomes:
                    if not isinstance(result, StepResult):
                        raise BuildError(f"the pipeline step {name} did not return a StepResult")
                for _, result, seconds in outcomes:
                    summary.steps.append(StepTiming(result, seconds))
                for name, result, _ in outcomes:
                    if not result.errors:
                        continue
                    lines = "\n".join(f"  - {e}" for e in result.errors)
                    raise BuildError(f"the build stopped in step {result.name or name} with "
                                     f"{len(result.errors)} problem(s); the previous database "
                                     f"({db_path}) is unchanged:\n{lines}")
            con.execute("checkpoint")
            con.close()
            con = None
            # Swap: published folder first (reversible), then the database (atomic).
            if published_dir.exists():
                os.replace(published_dir, old_pub)
            os.replace(tmp_pub, published_dir)
            swapped_pub = True
            try:
                os.replace(tmp_db, db_path)
            except BaseException:
                _remove(published_dir)
                if old_pub.exists():
                    os.replace(old_pub, published_dir)
                swapped_pub = False
                raise
            _remove(old_pub)
    except duckdb.InterruptException:
        raise KeyboardInterrupt("query interrupted") from None
    except duckdb.Error as e:
        if INTERRUPT.signal is not None:
            raise KeyboardInterrupt("query interrupted") from None
        locked = lock_error(e)
        if locked is not None:
            raise locked from None
        if "No space left" in str(e):
            raise BuildError(f"no space left on the disk while writing {tmp_db}; free some space (a build needs "
                             f"about twice the database's size) and build again; the previous database ({db_path}) "
                             "is unchanged") from None
        raise BuildError(f"database error during the build ({e.__class__.__name__}: {e}); "
                         f"the previous database ({db_path}) is unchanged") from e
    finally:
        if con is not None:
            with contextlib.suppress(Exception):
                con.close()
        for p in (tmp_db, Path(f"{tmp_db}.wal"), tmp_pub, spill):
            _remove(p)
        if not swapped_pub and old_pub.exists() and not published_dir.exists():
            os.replace(old_pub, published_dir)
    if steps is None:  # the default pipeline: vouch for this database until something changes
        with contextlib.suppress(OSError, duckdb.Error):
            uptodate.record(raw_dir, db_path, published_dir, key, settings)
    summary.seconds = time.perf_counter() - t0
    say(f"build: done in {summary.seconds:.1f} s")
    return summary
