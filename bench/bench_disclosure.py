"""Benchmark: what disclosure control (secondary suppression and the LP audit) adds to the publish step.

Rerunnable: ``.venv/bin/python bench/bench_disclosure.py [--db data/processed/boligmonitor.duckdb] [--repeat 5]``
(build the database first: ``make build``).

Side by side in one process, alternating, ``--repeat`` times each: (a) building the published tables'
frames from the database (the queries alone), (b) the same plus :func:`boligmonitor.publish.protect_all`'s
disclosure control over all tables (model, primary and secondary suppression, audit). Prints the
median, fastest and slowest seconds of each, the ratio (b)/(a), and the size of the problem (cells,
equations, hidden cells, audited cells). The first run of each is a warm-up and not counted.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from boligmonitor import config, publish
from boligmonitor.db import connect
from boligmonitor.disclosure import SuppressionLog, protect_tables


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=config.db_path())
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    con = connect(args.db, read_only=True)
    specs = {t.name: t.protection for t in publish.TABLES}
    frames_only, with_disclosure = [], []
    result = None
    for k in range(args.repeat + 1):
        t0 = time.perf_counter()
        frames = {t.name: t.build(con, SuppressionLog()) for t in publish.TABLES if not t.after}
        t1 = time.perf_counter()
        frames = {t.name: t.build(con, SuppressionLog()) for t in publish.TABLES if not t.after}
        result = protect_tables(frames, specs)
        t2 = time.perf_counter()
        if k:
            frames_only.append(t1 - t0)
            with_disclosure.append(t2 - t1)
    con.close()
    m = result.model
    print(f"cells {len(m.cells):,}, equations {len(m.equations):,}, hidden {len(m.hidden):,} "
          f"(of which implicit {sum(m.cells[j].implicit for j in m.hidden):,}), audited {len(result.intervals)}")
    for name, xs in (("frames only", frames_only), ("frames + disclosure", with_disclosure)):
        print(f"{name:<22} median {statistics.median(xs):6.3f} s  min {min(xs):6.3f}  max {max(xs):6.3f}")
    print(f"disclosure control adds {statistics.median(with_disclosure) - statistics.median(frames_only):.3f} s "
          f"(ratio {statistics.median(with_disclosure) / statistics.median(frames_only):.2f})")


if __name__ == "__main__":
    main()
