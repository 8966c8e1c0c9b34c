"""Benchmark: the synthetic writer (``boligmonitor synth``), side by side with another build of it.

``python bench/bench_synth.py [--scales 1 4] [--rounds 3] [--baseline /work/main/.venv/bin/boligmonitor]
[--only-this 10] [--once 60 --once-out /work/bench-data/scale-60/raw] [--work DIR] [--doc docs/benchmarks.md]``

For every scale of ``--scales`` it runs, ``--rounds`` times and in alternating order, each in a fresh
process: this checkout's writer and (with ``--baseline``) the ``boligmonitor`` executable of another
checkout (e.g. main's, before a change), both as ``boligmonitor -q synth --scale S --out <work>/...``
with the default seed. After every pair it checks that both wrote the same files (the BLAKE2b digests
in ``SYNTHETIC.json``, seed and scale) and exits 1 if not. Scales of ``--only-this`` run this writer
alone (``--rounds`` times); ``--once S`` writes one extract at scale S into ``--once-out`` and keeps
it (the national-scale run: check the free disk and memory first). Every extract except ``--once``'s is
removed after it is measured.

Measured as ``bench/bench.py`` measures (its ``measure``): wall seconds around the child process
(start-up included), CPU seconds (user + system of the process and its descendants), peak memory as
the largest sum of resident set sizes of the process tree, sampled every 50 ms with psutil. Printed:
per scale and writer the medians (and ranges), the ratio this ÷ baseline per round, the growth of
time and peak between the scales (log-log slopes) and a straight-line fit of peak memory and CPU
seconds against the scale (intercept + per scale unit), and the bytes and rows written. With
``--doc`` the section is written into that file (replacing an earlier run's section with the same
heading). The machine is shared: read ratios, not absolute seconds.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import statistics
import sys
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_harness", BENCH / "bench.py")
harness = sys.modules.setdefault("bench_harness", importlib.util.module_from_spec(_spec))
if not hasattr(harness, "measure"):
    _spec.loader.exec_module(harness)

THIS = harness.BM  # this checkout's boligmonitor (next to the running python)


def write_once(bm: str, scale: float, out: Path) -> tuple[harness.Run, dict]:
    """Run ``bm -q synth`` at ``scale`` into ``out``; the measurement and the SYNTHETIC.json it wrote."""
    run = harness.measure([bm, "-q", "synth", "--scale", str(scale), "--out", str(out)])
    meta = json.loads((out / "SYNTHETIC.json").read_text(encoding="utf-8"))
    run.extra = {"mb": sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6,
                 "files": len(meta["files"]), "persons": _summary_int(run.out, "persons"),
                 "person_years": _summary_int(run.out, "person_years")}
    return run, meta


def _summary_int(out: str, key: str) -> int | None:
    for line in out.splitlines():
        if line.startswith(f"{key}: "):
            return int(line.split(": ", 1)[1])
    return None


def same_files(a: dict, b: dict) -> bool:
    return (a["files"], a["seed"], a["scale"]) == (b["files"], b["seed"], b["scale"])


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def rng(xs: list[float], fmt: str = "{:.1f}") -> str:
    return fmt.format(med(xs)) + (f" ({fmt.format(min(xs))}-{fmt.format(max(xs))})" if len(xs) > 1 else "")


def fit_line(x: list[float], y: list[float]) -> tuple[float, float]:
    """Least-squares ``y = a + b * x``: (a, b)."""
    b, a = np.polyfit(np.asarray(x, float), np.asarray(y, float), 1)
    return float(a), float(b)


def run(args: argparse.Namespace, say=print) -> tuple[dict, list[str]]:
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    results: dict[float, dict[str, list]] = {}
    problems: list[str] = []
    plan = [(s, True) for s in args.scales] + [(s, False) for s in args.only_this]
    for scale, with_baseline in plan:
        res = results.setdefault(scale, {"this": [], "baseline": []})
        for r in range(args.rounds):
            order = ["this", "baseline"] if (r % 2 == 0) else ["baseline", "this"]
            if not (with_baseline and args.baseline):
                order = ["this"]
            metas = {}
            for who in order:
                out = work / f"scale-{scale:g}-{who}" / "raw"
                shutil.rmtree(out.parent, ignore_errors=True)
                m, metas[who] = write_once(THIS if who == "this" else args.baseline, scale, out)
                res[who].append(m)
                say(f"scale {scale:g} round {r + 1} {who}: {m.wall:.1f} s wall, {m.cpu:.1f} s CPU, "
                    f"{m.peak_mb:.0f} MB peak, {m.extra['mb']:.0f} MB written")
                shutil.rmtree(out.parent, ignore_errors=True)
            if len(metas) == 2 and not same_files(metas["this"], metas["baseline"]):
                problems.append(f"scale {scale:g} round {r + 1}: the two writers wrote different files")
    once = None
    if args.once:
        out = Path(args.once_out)
        if out.exists() and any(out.iterdir()):
            raise SystemExit(f"{out} is not empty: the national-scale run writes a fresh extract")
        m, _ = write_once(THIS, args.once, out)
        say(f"scale {args.once:g} once: {m.wall:.1f} s wall, {m.cpu:.1f} s CPU, {m.peak_mb:.0f} MB peak, "
            f"{m.extra['mb']:.0f} MB written to {out}")
        once = (args.once, m, out)
    return {"results": results, "once": once}, problems


def section(found: dict, info: dict, command: str, rounds: int) -> str:
    results, once = found["results"], found["once"]
    lines = [f"## Synthetic writer: run of {info['date']}", "",
             f"Machine: {info['nproc']} cores, {info['mem_gb']:.0f} GB memory, Python {info['python']}, commit "
             f"{info['commit']}; shared with other work (read the ratios, not the seconds). Command: `{command}`. "
             f"{rounds} round(s) per scale, this writer and the baseline alternating, each in a fresh process; "
             "medians with the range in brackets. Both writers wrote byte-identical files in every round.", "",
             "| scale | persons | person-years | MB written | writer | wall s | CPU s | peak MB | "
             "this ÷ baseline: wall, CPU, peak |",
             "|---:|---:|---:|---:|---|---:|---:|---:|---|"]
    pts: dict[str, list[tuple[float, float, float, float]]] = {"this": [], "baseline": []}
    for scale in sorted(results):
        for who in ("baseline", "this"):
            ms = results[scale][who]
            if not ms:
                continue
            e = ms[0].extra
            ratio = ""
            if who == "this" and results[scale]["baseline"]:
                b = results[scale]["baseline"]
                ratio = ", ".join(rng([x.__dict__[k] / y.__dict__[k] for x, y in zip(ms, b, strict=True)], "{:.2f}")
                                  for k in ("wall", "cpu", "peak_mb"))
            lines.append(f"| {scale:g} | {e['persons'] or 0:,} | {e['person_years'] or 0:,} | {e['mb']:,.0f} | "
                         f"{'this (streamed)' if who == 'this' else 'baseline'} | {rng([m.wall for m in ms])} | "
                         f"{rng([m.cpu for m in ms])} | {rng([m.peak_mb for m in ms], '{:,.0f}')} | {ratio} |")
            pts[who].append((scale, med([m.wall for m in ms]), med([m.cpu for m in ms]), med([m.peak_mb for m in ms])))
    if once:
        scale, m, out = once
        e = m.extra
        lines.append(f"| {scale:g} | {e['persons'] or 0:,} | {e['person_years'] or 0:,} | {e['mb']:,.0f} | "
                     f"this (streamed), once | {m.wall:.1f} | {m.cpu:.1f} | {m.peak_mb:,.0f} | |")
        pts["this"].append((scale, m.wall, m.cpu, m.peak_mb))
    lines += ["", "Growth (log-log slope between consecutive scales; 1 = proportional to the scale) and a "
              "straight-line fit over all scales (intercept + slope per scale unit):", ""]
    for who, label in (("this", "this writer (streamed)"), ("baseline", "baseline")):
        p = sorted(pts[who])
        if len(p) < 2:
            continue
        slopes = []
        for (s1, w1, c1, m1), (s2, w2, c2, m2) in zip(p, p[1:]):
            slopes.append(f"{s1:g}→{s2:g}: wall {harness.growth_exponent(s1, w1, s2, w2):.2f}, CPU "
                          f"{harness.growth_exponent(s1, c1, s2, c2):.2f}, peak {harness.growth_exponent(s1, m1, s2, m2):.2f}")
        a_m, b_m = fit_line([x[0] for x in p], [x[3] for x in p])
        a_c, b_c = fit_line([x[0] for x in p], [x[2] for x in p])
        lines.append(f"- {label}: {'; '.join(slopes)}. Peak ≈ {a_m:,.0f} MB + {b_m:,.0f} MB per scale unit; "
                     f"CPU ≈ {a_c:.1f} s + {b_c:.1f} s per scale unit.")
    if once:
        lines += ["", f"The scale-{once[0]:g} extract was kept in `{once[2]}` (outside git)."]
    lines += ["", "<!-- /bench-run -->"]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=float, nargs="*", default=[1.0], help="scales run by both writers, alternating")
    ap.add_argument("--only-this", type=float, nargs="*", default=[], help="scales run by this writer alone")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--baseline", help="the boligmonitor executable of the other checkout (e.g. main's .venv/bin)")
    ap.add_argument("--once", type=float, help="write one extract at this scale and keep it (see --once-out)")
    ap.add_argument("--once-out", default="/work/bench-data/scale-60/raw")
    ap.add_argument("--work", default=str(harness.ROOT / "data" / "bench" / "synth-tmp"))
    ap.add_argument("--doc", type=Path)
    args = ap.parse_args()
    info = harness.machine()
    found, problems = run(args)
    block = section(found, info, "python bench/bench_synth.py " + " ".join(sys.argv[1:]), args.rounds)
    if problems:
        block = block.replace("Both writers wrote byte-identical files in every round.",
                              "**The writers' files differed: " + "; ".join(problems) + "**")
    print(block)
    if args.doc:
        harness.write_doc(args.doc, block)
    shutil.rmtree(args.work, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
