"""Benchmark: a full render of the report site against a re-render with nothing changed (freeze: auto).

Rerunnable: ``.venv/bin/python bench/bench_render.py [--quarto PATH] [--runs N]``. Needs Quarto (1.7+)
and the built data (``make build``). In one run, side by side: (1) empty ``_freeze/`` and render the
whole project (every page executes), (2) render again with nothing changed (no page should execute),
N times each; prints the seconds and the ratio re-render / full render (issue 15 asks under 20 %),
and the number of pages Quarto executed in the re-render (from its output). ``_site/`` and ``_freeze/``
are left as a normal ``make report`` leaves them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time

from boligmonitor import config
from boligmonitor.site import project


def render(quarto: str) -> tuple[float, str]:
    root = config.project_root()
    env = dict(os.environ, QUARTO_PYTHON=sys.executable,
               PATH=f"{os.path.dirname(sys.executable)}:{os.environ.get('PATH', '')}",
               IPYTHONDIR=str(root / ".venv" / "ipython"))
    t0 = time.perf_counter()
    p = subprocess.run([quarto, "render"], cwd=root, env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"quarto render failed:\n{p.stderr[-3000:]}")
    return dt, p.stdout + p.stderr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quarto", default=shutil.which("quarto") or "quarto")
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    if not shutil.which(args.quarto) and not os.path.exists(args.quarto):
        sys.exit("Quarto not found: pass --quarto PATH (the benchmark measures Quarto renders)")
    root = config.project_root()
    print(f"{'run':>4} {'full render s':>14} {'re-render s':>12} {'ratio':>7} {'pages executed again':>21}")
    for i in range(args.runs):
        shutil.rmtree(root / "_freeze", ignore_errors=True)
        project.freeze_guard()
        full, _ = render(args.quarto)
        project.freeze_guard()
        again, out = render(args.quarto)
        executed = out.count("Executing '")
        print(f"{i + 1:>4} {full:>14.1f} {again:>12.1f} {again / full:>7.1%} {executed:>21}")


if __name__ == "__main__":
    main()
