"""The ingest step alone (or the whole build), two versions of the package side by side in one run
(issue 17: a ratio, never an absolute time).

``.venv/bin/python bench/bench_ingest_ab.py --ref-src /tmp/main/src --raw /tmp/x/scale-1 /tmp/x/scale-4
[--rounds 2] [--build]`` runs, for each extract and round, the reference package (``--ref-src``: a
``src`` folder, e.g. main's exported with ``git archive main src | tar -x -C /tmp/main``) and this
worktree's, alternating which goes first, each in a fresh process on a fresh database, and prints
wall s, CPU s and peak MB (sampled by :func:`bench.measure`: the process tree's RSS every 50 ms)
with the ratios new ÷ reference. ``--build``: the whole ``boligmonitor build --full`` instead of
the ingest step alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench import measure  # noqa: E402

SRC = Path(__file__).resolve().parents[1] / "src"
INGEST = ("import sys; from pathlib import Path; from boligmonitor.pipeline import build; "
          "build(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), say=lambda m: None, "
          "full=True, steps=['boligmonitor.ingest'])")
BUILD = ("import sys; from pathlib import Path; from boligmonitor.pipeline import build; "
         "build(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), say=lambda m: None, full=True)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref-src", type=Path, required=True)
    ap.add_argument("--new-src", type=Path, default=SRC, help="the new package's src folder (default: this worktree's)")
    ap.add_argument("--raw", type=Path, nargs="+", required=True)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--build", action="store_true")
    a = ap.parse_args()
    code = BUILD if a.build else INGEST
    for raw in a.raw:
        runs: dict[str, list] = {"ref": [], "new": []}
        for r in range(a.rounds):
            order = ["ref", "new"] if r % 2 == 0 else ["new", "ref"]
            for who in order:
                env = dict(os.environ, PYTHONPATH=str(a.ref_src if who == "ref" else a.new_src))
                d = Path(tempfile.mkdtemp(prefix="abbench-"))
                try:
                    run = measure([sys.executable, "-c", code, str(raw), str(d / "db.duckdb"), str(d / "pub")],
                                  env=env)
                finally:
                    shutil.rmtree(d, ignore_errors=True)
                runs[who].append(run)
                print(f"{raw.name} round {r + 1} {who}: wall {run.wall:.2f} s, CPU {run.cpu:.2f} s, "
                      f"peak {run.peak_mb:,.0f} MB (load {run.load:.1f})", flush=True)
        for attr in ("wall", "cpu", "peak_mb"):
            ratios = [getattr(n, attr) / getattr(o, attr) for n, o in zip(runs["new"], runs["ref"])]
            med = {w: statistics.median(getattr(x, attr) for x in runs[w]) for w in runs}
            print(f"{raw.name} {attr}: reference {med['ref']:,.2f}, new {med['new']:,.2f}; new ÷ reference "
                  f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})", flush=True)


if __name__ == "__main__":
    main()
