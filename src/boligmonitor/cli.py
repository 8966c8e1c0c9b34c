"""The ``boligmonitor`` command line (contract: see DESIGN.md / README).

    boligmonitor synth [--out data/raw] [--seed N] [--scale X]
    boligmonitor build [--raw data/raw] [--db data/processed/boligmonitor.duckdb] [--full]
    boligmonitor classify INPUT.csv -o OUTPUT.csv
    boligmonitor check [--db ...]

Errors the user can act on are printed as one clear message (no traceback) with exit code 2;
``check`` exits 1 when it finds a blocking data-quality problem.
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
from boligmonitor.errors import BoligmonitorError


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

    from boligmonitor.registers import REFERENCE_DIR
    from boligmonitor.synth import extract_state, write_extract

    out = Path(args.out) if args.out else config.raw_dir()
    say = _Progress(args.quiet)
    if args.if_needed:
        state = extract_state(out)
        if state == "real":
            say(f"{out} holds an extract that is not the synthetic default: left untouched")
            return 0
        if state == "synthetic-current":
            say(f"{out} already holds the synthetic default written by this version of the generator")
            return 0
        if state == "synthetic-stale":
            say(f"{out} holds a synthetic extract from another version of the generator: rewriting it")
            for p in out.iterdir():
                if p.is_dir() and (p.name.isdigit() or p.name == REFERENCE_DIR):
                    shutil.rmtree(p)
            (out / "SYNTHETIC.json").unlink()
    summary = write_extract(out, seed=args.seed, scale=args.scale, say=say)
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

    n = classify_csv(Path(args.input), Path(args.output))
    print(f"classified {n} rows -> {args.output}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from boligmonitor.quality import check

    report = check(Path(args.db) if args.db else config.db_path())
    print(report.text())
    return 1 if report.blocking else 0


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
    s.set_defaults(func=_cmd_synth)

    b = sub.add_parser("build", help="load the extracts and build the database and published aggregates",
                       description="Run the whole pipeline: ingest (validate, pseudonymise, quarantine), geo "
                                   "(assign addresses to areas), core, criteria, indicators, publish. The new "
                                   "database replaces the old one only when every step succeeded.")
    b.add_argument("--raw", help=f"raw extract folder (default: {config.raw_dir()})")
    b.add_argument("--db", help=f"DuckDB file (default: {config.db_path()})")
    b.add_argument("--published", help=f"published aggregates folder (default: {config.published_dir()})")
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
    k.add_argument("--db", help=f"DuckDB file (default: {config.db_path()})")
    k.set_defaults(func=_cmd_check)
    return p


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.func(args)
    except BoligmonitorError as e:
        print(f"boligmonitor {args.command}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"boligmonitor {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
