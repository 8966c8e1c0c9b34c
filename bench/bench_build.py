"""Benchmark: time ``boligmonitor.pipeline.build`` on the default data (target: full build < 10 s).

Rerunnable: ``.venv/bin/python bench/bench_build.py [--scale 1] [--raw data/raw] [--repeat 5] [--ingest-only]``.

Without ``--raw`` it writes the synthetic default (``boligmonitor.synth``, at ``--scale``) into a
temporary folder first (not timed). It then times, each on a fresh database in a temporary folder:

* ``full``: a full build from an empty database (all registers, all years);
* ``unchanged``: an incremental build right after, with no raw file changed;
* ``new year``: a build without the last year folder, then (timed) the incremental build after the
  year folder is put back -- the "drop in next year's extract" case.

Every timed build runs in a fresh Python process, as ``boligmonitor build`` does: a second build
in the same process is faster (the later steps' libraries are imported and memory is mapped
already), which is not what a user sees. ``--in-process`` runs them all in this process instead.

It prints one table: seconds of the build (what ``boligmonitor build`` reports as "build: done
in"), seconds of the whole process (start-up and imports too), per step, CPU seconds (user +
system, all threads), peak memory, rows and files read. The full build runs ``--repeat`` times
and the median, fastest and slowest are reported: on a shared virtual machine one run says little
(the same code has measured 8-12 s within minutes). Each process first runs a fixed
single-threaded Python loop ("speed", lower is faster), so a slow run can be told from a slow
machine at that moment. ``--ingest-only`` runs only the ingest step.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from boligmonitor.pipeline import STEPS, build


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def speed() -> float:
    """Seconds for a fixed single-threaded Python loop (10 million additions): the machine's speed
    at the moment (about 1.0-1.4 s on the 2-core project machine, which is shared)."""
    t0 = time.perf_counter()
    s = 0
    for i in range(10_000_000):
        s += i
    return time.perf_counter() - t0


def _run_here(raw: Path, work: Path, steps, full: bool) -> dict:
    """One build in this process: the measurements as a dict."""
    lines: list[str] = []
    pace = speed()
    c0, t0 = _cpu(), time.perf_counter()
    summary = build(raw, work / "db.duckdb", work / "published", say=lines.append, full=full, steps=steps)
    total, cpu = time.perf_counter() - t0, _cpu() - c0
    ingest = next((m for m in lines if m.startswith("ingest: ") and " files (" in m), "")
    return {"total": total, "per_step": {s.result.name: s.seconds for s in summary.steps},
            "ingest": ingest.split(": ", 1)[-1].split(" in ")[0], "cpu": cpu, "speed": pace,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _run(raw: Path, work: Path, steps, full: bool, fresh: bool) -> dict:
    """One build, in a fresh process (``fresh``) or in this one."""
    if not fresh:
        return _run_here(raw, work, steps, full)
    t0 = time.perf_counter()
    env = {**os.environ, "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1")}  # as the cli
    out = subprocess.run([sys.executable, __file__, "--one", json.dumps(
        {"raw": str(raw), "work": str(work), "steps": steps, "full": full})],
        capture_output=True, text=True, check=True, env=env)
    wall = time.perf_counter() - t0
    r = json.loads(out.stdout.strip().splitlines()[-1])
    r["process"] = wall
    return r


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":  # a child process: one build, JSON out
        # (the parent sets OPENBLAS_NUM_THREADS in this process's environment, as boligmonitor's cli does)
        a = json.loads(sys.argv[2])
        steps = [tuple(s) if isinstance(s, list) else s for s in a["steps"]]
        print(json.dumps(_run_here(Path(a["raw"]), Path(a["work"]), steps, a["full"])))
        return
    main_cli()


def main_cli() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--raw", type=Path, help="existing raw folder (default: write the synthetic default)")
    ap.add_argument("--scale", type=float, default=1.0, help="synthetic scale when writing (default 1)")
    ap.add_argument("--ingest-only", action="store_true", help="time only the ingest step")
    ap.add_argument("--repeat", type=int, default=3, help="full builds to time (default 3; median reported)")
    ap.add_argument("--in-process", action="store_true",
                    help="run every build in this process (faster after the first; not how a user builds)")
    args = ap.parse_args()
    fresh = not args.in_process
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
        fulls = []
        for k in range(max(1, args.repeat)):
            full_dir = tmp / f"full-{k}"
            full_dir.mkdir()
            fulls.append((f"full {k + 1}", _run(raw, full_dir, steps, True, fresh)))
        results += fulls
        results.append(("unchanged", _run(raw, full_dir, steps, False, fresh)))
        inc_dir = tmp / "incremental"
        inc_dir.mkdir()
        if raw == args.raw:  # do not move files in the user's folder: work on a copy
            shutil.copytree(raw, tmp / "raw-copy")
            raw = tmp / "raw-copy"
        held = tmp / f"held-{years[-1]}"
        shutil.move(raw / years[-1], held)
        _run(raw, inc_dir, steps, True, fresh)
        shutil.move(held, raw / years[-1])
        results.append((f"new year {years[-1]}", _run(raw, inc_dir, steps, False, fresh)))
        flat = [x for s in steps for x in (s if isinstance(s, tuple | list) else (s,))]
        names = [s.rsplit(".", 1)[-1] for s in flat]
        head = (f"{'build':<14} {'build s':>8} {'process s':>9} {'cpu s':>7} {'speed':>6} {'peak MB':>7} "
                + " ".join(f"{n[:10]:>10}" for n in names) + "  ingest")
        print(head)
        print("-" * len(head))
        for label, r in results:
            cells = " ".join(f"{r['per_step'].get(n, float('nan')):>10.2f}" for n in names)
            proc = f"{r['process']:>9.2f}" if "process" in r else f"{'-':>9}"
            print(f"{label:<14} {r['total']:>8.2f} {proc} {r['cpu']:>7.1f} {r['speed']:>6.2f} {r['rss_mb']:>7.0f} "
                  f"{cells}  {r['ingest']}")
        times = [r["total"] for _, r in fulls]
        print(f"\nfull build: median {statistics.median(times):.2f} s, fastest {min(times):.2f} s, "
              f"slowest {max(times):.2f} s over {len(times)} runs "
              f"({'each in a fresh process' if fresh else 'all in one process'}; target: under 10 s)")
        if any(isinstance(s, tuple | list) for s in steps):
            print("(steps grouped in the pipeline run side by side: their seconds overlap)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
