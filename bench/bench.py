"""The benchmark of issue 17: the product against three reference programs, side by side in one run.

``python bench/bench.py [--scales 0.25 1 4 10] [--rounds 3] [--quick] [--cache data/bench]
[--doc docs/benchmarks.md]`` (``make bench`` runs it with its defaults).

For every scale it

1. writes the synthetic extract once into ``<cache>/scale-<s>/raw`` (``boligmonitor synth``; kept
   for later runs, outside git; the writing is measured once and reported);
2. runs, ``--rounds`` times and in a rotating order, each in a fresh process: the product
   (``boligmonitor build --full`` into a fresh folder, then ``boligmonitor build`` again with
   nothing changed: the "unchanged" build), the references ``bench/ref_pandas.py``,
   ``bench/ref_duckdb_all.py`` and ``bench/ref_duckdb_criteria.py``, the product's ingest step
   alone (``pipeline.build`` with only that step) and the ingest prototype
   ``bench/proto_duckdb_ingest.py`` (what a DuckDB-native ingest would cost);
3. asserts that every reference's criteria values equal the product's ``metrics.criteria_values``
   (every group, list year 2018-2025 and criterion; 1e-9), and exits 1 if not;
4. writes one section of ``--doc`` (replacing the section of an earlier run with the same scales):
   per scale wall seconds, CPU seconds, peak memory, rows per second, the ratios product ÷
   reference per round (median and min-max), where the product's time goes per step, the growth
   exponents between the scales, the machine (nproc, memory, load) and the command.

Measuring: wall time with ``time.perf_counter`` around the child process (start-up included: what
a user waits for); CPU seconds (user + system) from ``resource.getrusage(RUSAGE_CHILDREN)``
before and after (every thread and every waited-for descendant); peak memory as the largest sum of
resident set sizes of the process and all its descendants, sampled every 50 ms with ``psutil``
(a well-kept library; ``ru_maxrss`` gives only the largest single process), and never less than
the child's ``ru_maxrss``. Ratios are computed within a round (programs run one after another,
minutes apart at most), so a machine that changes speed shifts both sides. The machine is shared:
never read the absolute seconds as the product's speed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PY = sys.executable
BM = str(Path(PY).with_name("boligmonitor"))
STEP_NAMES = ("ingest", "geo", "core", "criteria", "indicators", "flows", "publish")  # as the build prints them
REFS = {
    "pandas": BENCH / "ref_pandas.py",
    "duckdb_all": BENCH / "ref_duckdb_all.py",
    "duckdb_criteria": BENCH / "ref_duckdb_criteria.py",
}
LABELS = {"product": "product (build --full)", "unchanged": "product, nothing changed (build)",
          "new_year": "product, a new year dropped in (build)",
          "pandas": "pandas", "duckdb_all": "DuckDB, all registers", "duckdb_criteria": "DuckDB, criteria only",
          "product_ingest": "product's ingest step alone", "proto_ingest": "DuckDB ingest prototype",
          "synth": "synthetic writer"}
TOL = 1e-9


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float
    out: str = ""
    load: float = 0.0
    extra: dict = field(default_factory=dict)


def measure(cmd: list[str], cwd: Path | None = None, env: dict | None = None, interval: float = 0.05) -> Run:
    """Run ``cmd`` as a child process: wall s, CPU s (user + system of it and its descendants),
    peak MB (largest sum of the tree's RSS, sampled; at least the child's ru_maxrss)."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        try:
            p = psutil.Process(proc.pid)
        except psutil.Error:
            return
        while not done.is_set():
            total = 0
            try:
                for q in [p, *p.children(recursive=True)]:
                    try:
                        total += q.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                break
            peak[0] = max(peak[0], total)
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak_mb = max(peak[0] / 2**20, after.ru_maxrss / 1024 if after.ru_maxrss > before.ru_maxrss else 0)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed with exit code {proc.returncode}:\n{out[-3000:]}")
    return Run(wall, cpu, peak_mb, out, load)


def step_seconds(output: str) -> dict[str, float]:
    """The product's per-step seconds from the summary ``boligmonitor build`` prints."""
    steps = {}
    for line in output.splitlines():
        m = re.match(r"^(\w+)\s+(\d+\.\d+)\s", line)
        if m and m.group(1) in STEP_NAMES:
            steps[m.group(1)] = float(m.group(2))
    m = re.search(r"build: done in ([\d.]+) s", output)
    if m:
        steps["build"] = float(m.group(1))
    m = re.search(r"summed over threads: (.*?)\)", output)
    if m:
        for part in m.group(1).split(", "):
            k, v = part.split(" ", 1)
            steps[f"ingest_{k}"] = float(v.split()[0])
    return steps


def ensure_extract(cache: Path, scale: float) -> tuple[Path, Run | None]:
    """``<cache>/scale-<s>/raw`` holding the synthetic extract at ``scale`` (written if missing)."""
    raw = cache / f"scale-{scale:g}" / "raw"
    marker = raw / "SYNTHETIC.json"
    if marker.is_file() and json.loads(marker.read_text()).get("scale") == scale:
        return raw, None
    if raw.exists():
        shutil.rmtree(raw)
    run = measure([BM, "synth", "--scale", str(scale), "--out", str(raw)])
    return raw, run


def extract_size(raw: Path, db: Path) -> tuple[int, int, int]:
    """(rows read by the product, files, bytes) of an extract."""
    import duckdb

    files = [p for p in raw.rglob("*.csv")]
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("select sum(rows_read) from staging.load_log").fetchall()[0][0]
    finally:
        con.close()
    return int(rows), len(files), sum(p.stat().st_size for p in files)


def product_values(db: Path) -> dict[tuple[str, int, str], float | None]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("select distinct area_id, list_year, criterion, value from metrics.criteria_values "
                           "where list_year between 2018 and 2025").fetchall()
    finally:
        con.close()
    out: dict = {}
    for a, y, c, v in rows:
        if (a, y, c) in out and out[(a, y, c)] != v:
            raise AssertionError(f"the product has two values for {a} {y} {c}")
        out[(a, y, c)] = v
    return out


def compare_values(product: dict, ref: dict, name: str, tol: float = TOL) -> list[str]:
    """Differences between the product's criteria values and a reference's (empty: they agree)."""
    problems = []
    for k in sorted(set(product) | set(ref)):
        p, r = product.get(k, "missing"), ref.get(k, "missing")
        if p == "missing" or r == "missing":
            problems.append(f"{name}: {k} product {p} reference {r}")
        elif (p is None) != (r is None):
            problems.append(f"{name}: {k} product {p} reference {r}")
        elif p is not None and abs(p - r) > tol * max(1.0, abs(p)):
            problems.append(f"{name}: {k} product {p!r} reference {r!r} (difference {p - r:.3g})")
    return problems


def growth_exponent(x1: float, y1: float, x2: float, y2: float) -> float:
    """Log-log slope between two points: y grows like x ** exponent (1 = linear)."""
    return math.log(y2 / y1) / math.log(x2 / x1)


def ratio_stats(num: list[float], den: list[float]) -> tuple[float, float, float]:
    """(median, min, max) of the per-round ratios num[i] / den[i]."""
    rs = [a / b for a, b in zip(num, den)]
    return statistics.median(rs), min(rs), max(rs)


def machine() -> dict:
    vm = psutil.virtual_memory()
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = "unknown", ""
    return {"nproc": os.cpu_count(), "mem_gb": vm.total / 2**30, "commit": commit + (" (+ changes)" if dirty else ""),
            "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "python": sys.version.split()[0]}


def year_folders(raw: Path) -> list[str]:
    """The extract's year folders (``2016`` ...), oldest first."""
    return sorted(p.name for p in raw.iterdir() if p.is_dir() and p.name.isdigit())


def link_farm(raw: Path, farm: Path, leave_out: str | None = None) -> None:
    """``farm`` mirrors ``raw`` with a symbolic link per file (real folders, so the ingest's file
    search finds them), without the folder ``leave_out``; nothing is copied and ``raw`` is not touched."""
    for src in raw.rglob("*"):
        rel = src.relative_to(raw)
        if src.is_dir() or (leave_out and rel.parts[0] == leave_out):
            continue
        dst = farm / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.symlink_to(src)


def new_year_build(raw: Path, d: Path, env: dict) -> Run:
    """The "new year dropped in" build: a build from the extract without its last year folder
    (setting up, not measured), then the last year's files are put in place and ``boligmonitor
    build`` (incremental) is measured."""
    last = year_folders(raw)[-1]
    farm = d / "raw"
    link_farm(raw, farm, leave_out=last)
    cmd = [BM, "build", "--raw", str(farm), "--db", str(d / "db.duckdb"), "--published", str(d / "pub")]
    setup = measure([*cmd, "--full"], env=env)
    if "build: done" not in setup.out:
        raise SystemExit(f"the build without {last} failed:\n{setup.out[-2000:]}")
    for src in (raw / last).rglob("*"):
        if src.is_file():
            dst = farm / src.relative_to(raw)
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.symlink_to(src)
    run = measure(cmd, env=env)
    if "build: done" not in run.out:
        raise SystemExit(f"the build with {last} dropped in failed:\n{run.out[-2000:]}")
    run.extra = step_seconds(run.out)
    return run


PROGRAMS = ("product", "pandas", "duckdb_all", "duckdb_criteria", "product_ingest", "proto_ingest")


def run_scale(raw: Path, rounds: int, work: Path, say, new_year: bool = True,
              programs: tuple[str, ...] = PROGRAMS) -> dict:
    """Every program ``rounds`` times in rotating order; the measurements by program (an empty list
    for a program left out)."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    progs = [p for p in PROGRAMS if p in programs]
    res: dict[str, list[Run]] = {p: [] for p in [*PROGRAMS, "unchanged", "new_year"]}
    db_first = None
    for r in range(rounds):
        order = progs[r % len(progs):] + progs[:r % len(progs)]
        for prog in order:
            d = work / f"{prog}-{r}"
            d.mkdir(parents=True)
            if prog == "product":
                cmd = [BM, "build", "--raw", str(raw), "--db", str(d / "db.duckdb"), "--published", str(d / "pub")]
                run = measure([*cmd, "--full"], env=env)
                run.extra = step_seconds(run.out)
                res["product"].append(run)
                unchanged = measure(cmd, env=env)
                unchanged.extra = step_seconds(unchanged.out)
                res["unchanged"].append(unchanged)
                if db_first is None:
                    db_first = d / "db.duckdb"
                else:
                    shutil.rmtree(d, ignore_errors=True)
                if new_year:
                    ny = new_year_build(raw, work / f"new_year-{r}", env)
                    res["new_year"].append(ny)
                    shutil.rmtree(work / f"new_year-{r}", ignore_errors=True)
                    say(f"  round {r + 1} {'new_year':<16} {ny.wall:7.2f} s wall {ny.cpu:7.2f} s CPU "
                        f"{ny.peak_mb:7.0f} MB (load {ny.load:.1f})")
            elif prog == "product_ingest":
                code = ("import sys; from pathlib import Path; from boligmonitor.pipeline import build; "
                        "build(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), say=lambda m: None, "
                        "full=True, steps=['boligmonitor.ingest'])")
                run = measure([PY, "-c", code, str(raw), str(d / "db.duckdb"), str(d / "pub")], env=env)
                res[prog].append(run)
                shutil.rmtree(d, ignore_errors=True)
            elif prog == "proto_ingest":
                run = measure([PY, str(BENCH / "proto_duckdb_ingest.py"), str(raw), "--db", str(d / "proto.duckdb")],
                              env=env)
                run.extra = json.loads(run.out.strip().splitlines()[-1])
                res[prog].append(run)
                shutil.rmtree(d, ignore_errors=True)
            else:
                run = measure([PY, str(REFS[prog]), str(raw), "--out", str(d / "values.csv")], env=env)
                run.extra = {"values": str(d / "values.csv")}
                res[prog].append(run)
            say(f"  round {r + 1} {prog:<16} {run.wall:7.2f} s wall {run.cpu:7.2f} s CPU {run.peak_mb:7.0f} MB"
                f" (load {run.load:.1f})")
    return {"runs": res, "db": db_first}


def check_agreement(found: dict) -> list[str]:
    sys.path.insert(0, str(BENCH))
    from refcommon import read_values

    product = product_values(found["db"])
    problems = []
    for name in REFS:
        for run in found["runs"][name]:  # none for a reference left out
            problems += compare_values(product, read_values(Path(run.extra["values"])), name)
    return problems, len(product)


def _fmt_range(m: float, lo: float, hi: float, digits: int = 2) -> str:
    return f"{m:.{digits}f} ({lo:.{digits}f}-{hi:.{digits}f})"


def section(results: list[dict], info: dict, command: str, rounds: int) -> str:
    """The markdown section of one run."""
    scales = ", ".join(f"{r['scale']:g}" for r in results)
    lines = [f"<!-- bench-run scales={scales} -->",
             f"## Run of {info['date']}: scales {scales}, {rounds} rounds",
             "",
             f"Machine: {info['nproc']} cores, {info['mem_gb']:.1f} GB memory, shared with other work "
             f"(1-minute load average during the runs: {info['load_min']:.1f}-{info['load_max']:.1f}); "
             f"commit {info['commit']}; Python {info['python']}. Reproduce: `{command}`.",
             ""]
    for r in results:
        runs = r["runs"]
        rows = r["rows"]
        lines += [f"### Scale {r['scale']:g}: {rows:,} rows in {r['files']} files ({r['bytes'] / 1e6:.0f} MB)", ""]
        lines += ["| program | wall s, median (min-max) | CPU s, median | peak MB, median | rows per s (wall) |",
                  "|---|---:|---:|---:|---:|"]
        for p in ("product", "unchanged", "new_year", "pandas", "duckdb_all", "duckdb_criteria", "product_ingest",
                  "proto_ingest"):
            if not runs[p]:
                continue
            w = [x.wall for x in runs[p]]
            lines.append(f"| {LABELS[p]} | {_fmt_range(statistics.median(w), min(w), max(w))} | "
                         f"{statistics.median(x.cpu for x in runs[p]):.2f} | "
                         f"{statistics.median(x.peak_mb for x in runs[p]):,.0f} | "
                         f"{rows / statistics.median(w):,.0f} |")
        if r.get("synth"):
            s = r["synth"]
            lines.append(f"| {LABELS['synth']} (once, not alternated) | {s.wall:.2f} | {s.cpu:.2f} | "
                         f"{s.peak_mb:,.0f} | {rows / s.wall:,.0f} |")
        lines += ["", "Ratios within each round, median (min-max over rounds); goal in brackets:", "",
                  "| ratio | wall | CPU | peak memory |", "|---|---:|---:|---:|"]
        prod = runs["product"]
        goals = {"pandas": ("≤ 0.8" if r["scale"] <= 1 else "≤ 0.5", "≤ 1"), "duckdb_all": ("≤ 1.5", "")}
        for ref in ("pandas", "duckdb_all", "duckdb_criteria"):
            if not runs[ref]:
                continue
            g = goals.get(ref, ("", ""))
            cells = []
            for attr, goal in (("wall", g[0]), ("cpu", g[1]), ("peak_mb", "")):
                m, lo, hi = ratio_stats([getattr(x, attr) for x in prod], [getattr(x, attr) for x in runs[ref]])
                cells.append(_fmt_range(m, lo, hi) + (f" [{goal}]" if goal else ""))
            lines.append(f"| product ÷ {LABELS[ref]} | " + " | ".join(cells) + " |")
        m, lo, hi = ratio_stats([x.wall for x in runs["unchanged"]], [x.wall for x in prod])
        mc, loc, hic = ratio_stats([x.cpu for x in runs["unchanged"]], [x.cpu for x in prod])
        lines.append(f"| nothing changed ÷ full build | {_fmt_range(m, lo, hi)} [< 0.10] | {_fmt_range(mc, loc, hic)} | |")
        if runs["new_year"]:
            m, lo, hi = ratio_stats([x.wall for x in runs["new_year"]], [x.wall for x in prod])
            mc, loc, hic = ratio_stats([x.cpu for x in runs["new_year"]], [x.cpu for x in prod])
            lines.append(f"| a new year dropped in ÷ full build | {_fmt_range(m, lo, hi)} [< 0.40] | "
                         f"{_fmt_range(mc, loc, hic)} | |")
        if runs["proto_ingest"] and runs["product_ingest"]:
            cells = []
            for attr in ("wall", "cpu", "peak_mb"):
                m, lo, hi = ratio_stats([getattr(x, attr) for x in runs["proto_ingest"]],
                                        [getattr(x, attr) for x in runs["product_ingest"]])
                cells.append(_fmt_range(m, lo, hi))
            lines.append("| DuckDB ingest prototype ÷ product's ingest step alone (both whole processes) | "
                         + " | ".join(cells) + " |")
        lines += ["", "Where the product's time goes (seconds inside `boligmonitor build --full`, median; "
                  "the steps of one group in `pipeline.STEPS` run side by side; a step the build does not have is nan):",
                  "",
                  "| " + " | ".join(["process", "build", *STEP_NAMES]) + " |",
                  "|" + "---:|" * (2 + len(STEP_NAMES))]
        med = {k: statistics.median(x.extra.get(k, float("nan")) for x in prod) for k in ("build", *STEP_NAMES)}
        lines.append(f"| {statistics.median(x.wall for x in prod):.2f} | "
                     + " | ".join(f"{med[k]:.2f}" for k in ("build", *STEP_NAMES)) + " |")
        ing = {k: statistics.median(x.extra.get(f"ingest_{k}", float("nan")) for x in prod)
               for k in ("read", "validate", "store", "finalize")}
        text = (f"The ingest's own account (summed over its threads): read {ing['read']:.2f} s, validate "
                f"{ing['validate']:.2f} s, store {ing['store']:.2f} s, finalize {ing['finalize']:.2f} s.")
        if runs["proto_ingest"]:
            proto = {k: statistics.median(x.extra.get(k, float("nan")) for x in runs["proto_ingest"])
                     for k in ("seconds", "cpu", "read_typed", "pseudonym", "quarantine_rows")}
            text += (f" The DuckDB ingest prototype on the same files: {proto['seconds']:.2f} s in all, "
                     f"{proto['cpu']:.2f} CPU s "
                     f"(read as text, typed, checked and stored {proto['read_typed']:.2f} s, pseudonyms in SQL "
                     f"{proto['pseudonym']:.2f} s; {proto['quarantine_rows']:.0f} rows quarantined).")
        lines += ["", text, ""]
        if any(runs[ref] for ref in REFS):
            lines.append(f"Criteria values compared: {r['n_values']} (every group, list year 2018-2025 and "
                         f"criterion); every reference in every round agrees with the product to {TOL:g}.")
        else:
            lines.append("No reference program was run at this scale (`--programs`).")
        lines.append("")
    if len(results) > 1:
        lines += ["### Growth between scales (log-log slope; 1 = proportional to the rows)", "",
                  "| program | scales | wall | CPU | peak memory |", "|---|---|---:|---:|---:|"]
        for p in PROGRAMS:
            for a, b in zip(results, results[1:]):
                if not (a["runs"][p] and b["runs"][p]):
                    continue
                cells = []
                for attr in ("wall", "cpu", "peak_mb"):
                    ya = statistics.median(getattr(x, attr) for x in a["runs"][p])
                    yb = statistics.median(getattr(x, attr) for x in b["runs"][p])
                    cells.append(f"{growth_exponent(a['rows'], ya, b['rows'], yb):.2f}")
                lines.append(f"| {LABELS[p]} | {a['scale']:g} → {b['scale']:g} | " + " | ".join(cells) + " |")
        lines.append("")
    lines.append("<!-- /bench-run -->")
    return "\n".join(lines)


def write_doc(doc: Path, block: str) -> None:
    """Put ``block`` into ``doc``, replacing a block of a run with the same scales (the rest stays)."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    head = block.splitlines()[0]
    pattern = re.compile(re.escape(head) + r".*?<!-- /bench-run -->", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: block, text)
    else:
        marker = "<!-- bench-runs -->"
        text = text.replace(marker, marker + "\n\n" + block) if marker in text else text.rstrip() + "\n\n" + block
    doc.write_text(text.rstrip() + "\n", encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=float, nargs="+", default=[0.25, 1, 4, 10])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="scale 0.25 only, 2 rounds, no document (a check)")
    ap.add_argument("--cache", type=Path, default=ROOT / "data" / "bench", help="where the extracts are kept")
    ap.add_argument("--doc", type=Path, default=ROOT / "docs" / "benchmarks.md")
    ap.add_argument("--no-doc", action="store_true", help="print only")
    ap.add_argument("--programs", nargs="+", choices=PROGRAMS, default=list(PROGRAMS),
                    help="run only these (e.g. --programs product for a national-scale run, where the "
                         "pandas reference would not fit in memory)")
    ap.add_argument("--no-new-year", action="store_true",
                    help="leave out the 'new year dropped in' build (it needs one more build per round to set up)")
    args = ap.parse_args()
    if args.quick:
        args.scales, args.rounds, args.no_doc = [0.25], 2, True
    if "product" not in args.programs:
        ap.error("--programs must include product (the references are compared with it)")
    command = "python bench/bench.py " + " ".join(sys.argv[1:])
    scales = sorted(args.scales)
    info = machine()
    loads = []
    results = []
    work_root = Path(tempfile.mkdtemp(prefix="bench-", dir=args.cache if args.cache.is_dir() else None))
    say = lambda m: print(m, flush=True)  # noqa: E731
    problems: list[str] = []
    try:
        for scale in scales:
            raw, synth = ensure_extract(args.cache, scale)
            say(f"scale {scale:g}: {raw}" + (f" (written in {synth.wall:.1f} s)" if synth else " (cached)"))
            found = run_scale(raw, args.rounds, work_root / f"scale-{scale:g}", say, new_year=not args.no_new_year,
                              programs=tuple(args.programs))
            loads += [x.load for runs in found["runs"].values() for x in runs]
            bad, n_values = check_agreement(found)
            problems += bad
            rows, files, size = extract_size(raw, found["db"])
            results.append({"scale": scale, "runs": found["runs"], "rows": rows, "files": files, "bytes": size,
                            "synth": synth, "n_values": n_values})
            shutil.rmtree(work_root / f"scale-{scale:g}", ignore_errors=True)
    finally:
        shutil.rmtree(work_root, ignore_errors=True)
    info["load_min"], info["load_max"] = min(loads), max(loads)
    block = section(results, info, command, args.rounds)
    print(block)
    if problems:
        print("\nTHE REFERENCES DISAGREE WITH THE PRODUCT:\n" + "\n".join(problems[:50]), file=sys.stderr)
        return 1
    if not args.no_doc:
        write_doc(args.doc, block)
        print(f"\nwrote the section to {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
