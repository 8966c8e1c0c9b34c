"""The ``boligmonitor`` command line (contract: see DESIGN.md / README).

    boligmonitor synth [--out data/raw] [--seed N] [--scale X]
    boligmonitor build [--raw data/raw] [--db data/processed/boligmonitor.duckdb] [--full]
    boligmonitor classify INPUT.csv -o OUTPUT.csv
    boligmonitor check [--db ...]

Every failure is printed as one sentence naming the file and what to do (no traceback). Exit codes:
0 ok, 1 problems found (``check``'s blocking problems), 2 could not run (bad input, missing or
unreadable file, database held by another program, disk full, permission), 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

# One BLAS thread (before numpy is imported): the build does no linear algebra of its own, and an
# idle OpenBLAS pool that a library call woke spins on the CPU the build needs (0.1 s of a build).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from boligmonitor import config
from boligmonitor.errors import EXIT_PROBLEMS, BoligmonitorError, run_command


class _Progress:
    """Prints one line per progress message, with the elapsed time, to stderr."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.t0 = time.perf_counter()

    def __call__(self, msg: str) -> None:
        if not self.quiet:
            print(f"[{time.perf_counter() - self.t0:6.1f}s] {msg}", file=sys.stderr, flush=True)


def _cmd_synth(args: argparse.Namespace) -> int:
    import shutil
    from datetime import datetime

    from boligmonitor.synth import (
        PLACEHOLDERS,
        clear_synthetic,
        extract_state,
        foreign_content,
        write_extract,
    )

    out = Path(args.out) if args.out else config.raw_dir()
    say = _Progress(args.quiet)
    if not args.scale > 0:
        raise BoligmonitorError(f"--scale must be a positive number, got {args.scale}")
    if out.exists() and not out.is_dir():
        raise BoligmonitorError(f"{out} is a file, not a folder; give --out a folder")
    foreign = foreign_content(out)
    if foreign:
        if args.if_needed:
            say(f"{out} holds an extract that is not the synthetic default: left untouched")
            return 0
        examples = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        if not args.force:
            raise BoligmonitorError(
                f"{out} holds {len(foreign)} file(s) that this generator did not write ({examples}); synth writes "
                "nothing there. Give another --out folder, or pass --force to move those files aside (kept, "
                "not deleted) and write the synthetic extract")
        aside = out.with_name(f"{out.name}.before-synth-{datetime.now():%Y%m%d-%H%M%S}")
        aside.mkdir()
        for p in sorted(out.iterdir()):
            if p.name not in PLACEHOLDERS:
                shutil.move(str(p), aside / p.name)
        say(f"--force: moved what {out} held ({len(foreign)} file(s)) to {aside}")
    else:
        state = extract_state(out)
        if args.if_needed and state == "synthetic-current":
            say(f"{out} already holds the synthetic default written by this version of the generator")
            return 0
        if state == "synthetic-stale":
            say(f"{out} holds a synthetic extract from another version of the generator: rewriting it")
    # Written to a temporary sibling folder first: an interrupted synth leaves the folder as it was.
    tmp = out.with_name(f".{out.name}.synth-tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        summary = write_extract(tmp, seed=args.seed, scale=args.scale, say=say)
        out.mkdir(parents=True, exist_ok=True)
        clear_synthetic(out)
        for p in sorted(tmp.iterdir(), key=lambda q: q.name == "SYNTHETIC.json"):  # the marker last
            os.replace(p, out / p.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    say(f"wrote the synthetic extract to {out}")
    if isinstance(summary, dict) and summary:
        for k, v in summary.items():
            if isinstance(v, (int, float, str)):
                print(f"{k}: {v}")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from boligmonitor.pipeline import build

    say = _Progress(args.quiet)
    summary = build(
        raw_dir=Path(args.raw) if args.raw else None,
        db_path=Path(args.db) if args.db else None,
        published_dir=Path(args.published) if args.published else None,
        say=say,
        full=args.full,
        settings={"ingest": {"allow_missing": args.allow_missing}} if args.allow_missing else None,
    )
    say("build finished")
    print(summary)
    return 0


def _cmd_classify(args: argparse.Namespace) -> int:
    from boligmonitor.criteria import classify_csv

    src, dst = Path(args.input), Path(args.output)
    if dst.exists() and src.exists() and dst.resolve() == src.resolve():
        raise BoligmonitorError(f"the output {dst} is the input file; give another -o file (the input is kept)")
    if dst.is_dir():
        raise BoligmonitorError(f"the output {dst} is a folder; give a file name with -o")
    # Written to a temporary file that replaces the output only when complete.
    tmp = dst.with_name(f".{dst.name}.tmp-{os.getpid()}")
    try:
        n = classify_csv(src, tmp)
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
    print(f"classified {n} rows -> {args.output}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from boligmonitor.quality import check

    report = check(Path(args.db) if args.db else config.db_path())
    print(report.text())
    return EXIT_PROBLEMS if report.blocking else 0


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="boligmonitor",
        description="Boligmonitor Randers: register extracts -> DuckDB -> criteria, indicators and report data.",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("synth", help="write the synthetic default register extract",
                       description="Write the synthetic register extract (all registers, 2016-2025) in the "
                                   "formats the real extracts come in. Same seed, byte-identical files.")
    s.add_argument("--out", help=f"output folder (default: {config.raw_dir()})")
    s.add_argument("--seed", type=int, default=config.DEFAULT_SEED, help="random seed (default %(default)s)")
    s.add_argument("--scale", type=float, default=1.0, help="multiply the population (default %(default)s)")
    s.add_argument("--if-needed", action="store_true",
                   help="only write when the folder holds no extract, or a synthetic one from another version of "
                        "the generator; never touch a real extract")
    s.add_argument("--force", action="store_true",
                   help="write even when the folder holds files the generator did not write (a real extract, "
                        "anything else): they are moved aside to <out>.before-synth-<time>/, never deleted")
    s.set_defaults(func=_cmd_synth)

    b = sub.add_parser("build", help="load the extracts and build the database and published aggregates",
                       description="Run the whole pipeline: ingest (validate, pseudonymise, quarantine), geo "
                                   "(assign addresses to areas), core, criteria, indicators, publish. The new "
                                   "database replaces the old one only when every step succeeded.")
    b.add_argument("--raw", help=f"raw extract folder (default: {config.raw_dir()})")
    b.add_argument("--db", help=f"DuckDB file (default: {config.db_path()}; or $BOLIGMONITOR_DB)")
    b.add_argument("--published", help="published aggregates folder (default: next to the database, "
                   "<db folder>/<db stem>.published/; data/processed/published/ for the project's database)")
    b.add_argument("--full", action="store_true", help="re-read every file (default: only new or changed files)")
    b.add_argument("--allow-missing", action="append", metavar="REGISTER", default=[],
                   help="build without this register's file where it is missing (e.g. fravaer, when a supplier "
                        "is late; repeatable); only registers that feed no criterion; their indicators show "
                        "'kan ikke måles' (see docs/ingestion.md)")
    b.set_defaults(func=_cmd_build)

    c = sub.add_parser("classify", help="classify area-level figures by the legal criteria",
                       description="Classify area-level figures (one row per area and list year) by the rules "
                                   "of almenboligloven §§ 61 a-b in force for each list year, without registers.")
    c.add_argument("input", help="input CSV (columns: area, year, residents, pct_outside_labour, ...)")
    c.add_argument("-o", "--output", required=True, help="output CSV")
    c.set_defaults(func=_cmd_classify)

    k = sub.add_parser("check", help="data-quality report of the built database (exit 1 on a blocking problem)",
                       description="Print the data-quality report: files loaded, rows quarantined and why, "
                                   "count reconciliation, address matching, disclosure control.")
    k.add_argument("--db", help=f"DuckDB file (default: {config.db_path()}; or $BOLIGMONITOR_DB)")
    k.set_defaults(func=_cmd_check)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one command. Exit codes: 0 ok, 1 problems found (``check``), 2 could not run, 130 interrupted;
    every failure is one sentence on stderr (:func:`boligmonitor.errors.run_command`)."""
    args = make_parser().parse_args(argv)
    return run_command(f"boligmonitor {args.command}", lambda: args.func(args))


if __name__ == "__main__":
    sys.exit(main())
