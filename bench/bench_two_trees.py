"""Benchmark: CPU of a full build with two versions of the code, side by side, alternating.

Rerunnable: ``.venv/bin/python bench/bench_two_trees.py --ref REF_SRC [--new NEW_SRC] [--raw data/raw]
[--rounds 3] [--out DIR]``.

``REF_SRC`` and ``NEW_SRC`` are ``src`` folders of two versions of the package (e.g. main's, written
with ``git archive main src | tar -x -C /tmp/ref``; ``--new`` defaults to this checkout's ``src``).
Each round runs ``boligmonitor build --full`` once with each version (in that order, then reversed
in the next round, so a machine that slows down or speeds up during the run favours neither), each in
a fresh process with ``PYTHONPATH`` pointing at its version, on the same raw folder into a fresh
database. It prints per build the CPU seconds (user + system of the build process and its children)
and the wall seconds, and at the end the ratio new / ref of the summed CPU seconds. The databases of
the last round are kept in ``--out`` (``ref.duckdb``, ``new.duckdb``) for ``bench/compare_builds.py``.
Used for the exact sums of non-integer values (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(src: Path, raw: Path, db: Path) -> tuple[float, float]:
    for p in (db, db.with_name(db.name + ".build.json")):
        p.unlink(missing_ok=True)
    shutil.rmtree(db.with_name(db.stem + ".published"), ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(src)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "boligmonitor.cli", "-q", "build", "--full", "--raw", str(raw),
                        "--db", str(db)], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        sys.exit(f"build with {src} failed:\n{r.stdout}{r.stderr}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", type=Path, required=True, help="src folder of the reference version")
    ap.add_argument("--new", type=Path, default=ROOT / "src", help="src folder of the new version")
    ap.add_argument("--raw", type=Path, default=ROOT / "data" / "raw")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None, help="folder for the databases (default: a temporary one)")
    a = ap.parse_args()
    out = a.out or Path(tempfile.mkdtemp(prefix="bench_two_trees_"))
    out.mkdir(parents=True, exist_ok=True)
    cpu = {"ref": 0.0, "new": 0.0}
    print(f"{'round':>5} {'version':>7} {'cpu s':>8} {'wall s':>8}")
    for i in range(a.rounds):
        order = ("ref", "new") if i % 2 == 0 else ("new", "ref")
        for name in order:
            c, w = run(a.ref if name == "ref" else a.new, a.raw, out / f"{name}.duckdb")
            cpu[name] += c
            print(f"{i + 1:>5} {name:>7} {c:8.2f} {w:8.2f}", flush=True)
    print(f"CPU new / ref: {cpu['new'] / cpu['ref']:.3f} (summed over {a.rounds} rounds); databases in {out}")


if __name__ == "__main__":
    main()
