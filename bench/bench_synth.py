"""Benchmark: time ``boligmonitor.synth.write_extract`` (target: the default, scale 1, under 60 s).

Rerunnable: ``.venv/bin/python bench/bench_synth.py [--scale 1 2 5] [--seed N]``. Writes into a
temporary folder (removed afterwards) and prints one line per scale: persons, person-years, files,
MB written and seconds.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from boligmonitor import config
from boligmonitor.synth import load_addresses, write_extract


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", type=float, nargs="+", default=[1.0])
    ap.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    args = ap.parse_args()
    addresses = load_addresses()
    print(f"{'scale':>6} {'persons':>10} {'person-years':>13} {'files':>6} {'MB':>8} {'seconds':>8}")
    for scale in args.scale:
        tmp = Path(tempfile.mkdtemp(prefix="bench-synth-"))
        try:
            t0 = time.perf_counter()
            info = write_extract(tmp / "raw", seed=args.seed, scale=scale, say=lambda m: None, addresses=addresses)
            dt = time.perf_counter() - t0
            mb = sum(p.stat().st_size for p in tmp.rglob("*") if p.is_file()) / 1e6
            print(f"{scale:>6} {info['persons']:>10,} {info['person_years']:>13,} {info['files']:>6} {mb:>8.1f} {dt:>8.1f}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
