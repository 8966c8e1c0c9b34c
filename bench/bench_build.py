"""Benchmark: time ``boligmonitor.pipeline.build`` on the default data (target: full build < 10 s).

Rerunnable: ``.venv/bin/python bench/bench_build.py [--scale 1] [--raw data/raw] [--ingest-only]``.

Without ``--raw`` it writes the synthetic default (``boligmonitor.synth``, at ``--scale``) into a
temporary folder first (not timed). It then times, each on a fresh database in a temporary folder:

* ``full``: a full build from an empty database (all registers, all years);
* ``unchanged``: an incremental build right after, with no raw file changed;
* ``new year``: a build without the last year folder, then (timed) the incremental build after the
  year folder is put back -- the "drop in next year's extract" case.

and prints one table: seconds per step and in total, rows read, files read. ``--ingest-only``
runs only the ingest step (useful while other steps are being worked on).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from boligmonitor.pipeline import STEPS, build


def _run(raw: Path, work: Path, steps, full: bool) -> tuple[float, dict[str, float], str]:
    lines: list[str] = []
    t0 = time.perf_counter()
    summary = build(raw, work / "db.duckdb", work / "published", say=lines.append, full=full, steps=steps)
    total = time.perf_counter() - t0
    per_step = {s.result.name: s.seconds for s in summary.steps}
    ingest = next((m for m in lines if m.startswith("ingest: ") and " files (" in m), "")
    return total, per_step, ingest.split(": ", 1)[-1].split(" in ")[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--raw", type=Path, help="existing raw folder (default: write the synthetic default)")
    ap.add_argument("--scale", type=float, default=1.0, help="synthetic scale when writing (default 1)")
    ap.add_argument("--ingest-only", action="store_true", help="time only the ingest step")
    args = ap.parse_args()
    steps = ["boligmonitor.ingest"] if args.ingest_only else list(STEPS)
    tmp = Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        raw = args.raw
        if raw is None:
            from boligmonitor.synth import write_extract

            raw = tmp / "raw"
            t0 = time.perf_counter()
            write_extract(raw, scale=args.scale, say=lambda m: None)
            print(f"(wrote the synthetic default, scale {args.scale}, in {time.perf_counter() - t0:.1f} s)")
        years = sorted(p.name for p in raw.iterdir() if p.is_dir() and p.name.isdigit())
        results = []
        full_dir = tmp / "full"
        full_dir.mkdir()
        results.append(("full", *_run(raw, full_dir, steps, True)))
        results.append(("unchanged", *_run(raw, full_dir, steps, False)))
        inc_dir = tmp / "incremental"
        inc_dir.mkdir()
        if raw == args.raw:  # do not move files in the user's folder: work on a copy
            shutil.copytree(raw, tmp / "raw-copy")
            raw = tmp / "raw-copy"
        held = tmp / f"held-{years[-1]}"
        shutil.move(raw / years[-1], held)
        _run(raw, inc_dir, steps, True)
        shutil.move(held, raw / years[-1])
        results.append((f"new year {years[-1]}", *_run(raw, inc_dir, steps, False)))
        names = [s.rsplit(".", 1)[-1] for s in steps]
        head = f"{'build':<14} {'total s':>8} " + " ".join(f"{n[:10]:>10}" for n in names) + "  ingest"
        print(head)
        print("-" * len(head))
        for label, total, per_step, ingest in results:
            cells = " ".join(f"{per_step.get(n, float('nan')):>10.2f}" for n in names)
            print(f"{label:<14} {total:>8.2f} {cells}  {ingest}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
