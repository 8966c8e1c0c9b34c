"""Benchmark: what disclosure control (secondary suppression and the LP audit) adds to the publish step.

Rerunnable: ``.venv/bin/python bench/bench_disclosure.py [--db data/processed/boligmonitor.duckdb] [--repeat 5]
[--against /path/to/other/checkout]`` (build the database first: ``make build``).

Side by side in one process, alternating, ``--repeat`` times each: (a) building the published tables'
frames from the database (the queries alone), (b) the same plus :func:`boligmonitor.publish.protect_all`'s
disclosure control over all tables (model, primary and secondary suppression, audit; tables built from
protected tables included). Prints the median, fastest and slowest seconds of each, the ratio (b)/(a),
and the size of the problem (cells, equations, hidden cells, audited cells). The first run of each is a
warm-up and not counted.

With ``--against PATH`` (another checkout of the project, e.g. ``main``) the same measurement runs for
both code bases side by side in one run: alternately, one fresh process per run and code base (the
other's ``src`` first on ``PYTHONPATH``), on the same database; it prints both and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def measure(db: Path, repeat: int) -> dict:
    """Seconds of (a) frames only and (b) frames + disclosure control, ``repeat`` times after a warm-up."""
    from boligmonitor import publish
    from boligmonitor.db import connect
    from boligmonitor.disclosure import SuppressionLog

    con = connect(db, read_only=True)
    frames_only, with_disclosure = [], []
    result = None
    for k in range(repeat + 1):
        t0 = time.perf_counter()
        {t.name: t.build(con, SuppressionLog()) for t in publish.TABLES if not t.after}
        t1 = time.perf_counter()
        result = publish.protect_all(con)
        t2 = time.perf_counter()
        if k:
            frames_only.append(t1 - t0)
            with_disclosure.append(t2 - t1)
    con.close()
    _frames, log, intervals = result
    return {"frames_only": frames_only, "with_disclosure": with_disclosure, "suppressed": len(log.rows),
            "audited": len(intervals), "code": str(Path(publish.__file__).resolve().parents[2])}


def _report(name: str, r: dict) -> None:
    fo, wd = r["frames_only"], r["with_disclosure"]
    print(f"[{name}] {r['code']}: {r['suppressed']:,} cells suppressed, {r['audited']:,} audited")
    for label, xs in (("frames only", fo), ("frames + disclosure", wd)):
        print(f"  {label:<22} median {statistics.median(xs):7.3f} s  min {min(xs):7.3f}  max {max(xs):7.3f}")
    print(f"  disclosure control adds {statistics.median(wd) - statistics.median(fo):.3f} s "
          f"(ratio {statistics.median(wd) / statistics.median(fo):.2f})")


def main() -> None:
    from boligmonitor import config

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=config.db_path())
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--against", type=Path, help="another checkout: measure both side by side")
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # one run, for --against
    args = ap.parse_args()
    if args.json:
        print(json.dumps(measure(args.db, args.repeat)))
        return
    if args.against is None:
        _report("this checkout", measure(args.db, args.repeat))
        return
    here = Path(__file__).resolve().parents[1]
    runs: dict[str, dict] = {}
    for _ in range(args.repeat):
        for name, src in (("against", args.against / "src"), ("this checkout", here / "src")):
            env = {**os.environ, "PYTHONPATH": str(src)}
            out = subprocess.run([sys.executable, __file__, "--db", str(args.db), "--repeat", "1", "--json"],
                                 env=env, capture_output=True, text=True, check=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            acc = runs.setdefault(name, {**r, "frames_only": [], "with_disclosure": []})
            acc["frames_only"] += r["frames_only"]
            acc["with_disclosure"] += r["with_disclosure"]
    for name, r in runs.items():
        _report(name, r)
    a, b = runs["against"], runs["this checkout"]
    da = statistics.median(a["with_disclosure"]) - statistics.median(a["frames_only"])
    db_ = statistics.median(b["with_disclosure"]) - statistics.median(b["frames_only"])
    print(f"this checkout / against: frames + disclosure "
          f"{statistics.median(b['with_disclosure']) / statistics.median(a['with_disclosure']):.2f}, "
          f"disclosure alone {db_ / da:.2f}")


if __name__ == "__main__":
    main()
