"""The report site's pages, as the tests and the Makefile see them (no Quarto needed).

Every page is a percent-format Python script named in ``_quarto.yml`` (``project.render``).
``python -m boligmonitor.site pages-to-notebooks DIR`` turns each page into a notebook under DIR
(same relative path) with jupytext, so that ``pytest --nbval-lax`` executes it exactly as Quarto's
Jupyter engine would, from the project root.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

from boligmonitor import config
from boligmonitor.errors import BoligmonitorError, run_command


def quarto_config() -> dict:
    return yaml.safe_load((config.project_root() / "_quarto.yml").read_text(encoding="utf-8"))


def pages() -> list[Path]:
    """Every page the site renders, relative to the project root, in a stable order."""
    root = config.project_root()
    found: list[Path] = []
    for pattern in quarto_config()["project"]["render"]:
        for p in sorted(root.glob(pattern)):
            rel = p.relative_to(root)
            if rel not in found and is_page(p):
                found.append(rel)
    return found


def is_page(path: Path) -> bool:
    """A percent script is a page when it starts with a markdown cell holding a YAML header."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return len(lines) >= 2 and lines[0].strip() == "# %% [markdown]" and lines[1].strip() == "# ---"


def front_matter(path: Path) -> dict:
    """The YAML header of a page."""
    lines = path.read_text(encoding="utf-8").splitlines()
    body = []
    for line in lines[2:]:
        if line.strip() == "# ---":
            break
        body.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
    return yaml.safe_load("\n".join(body)) or {}


def pages_to_notebooks(out_dir: Path) -> list[Path]:
    import jupytext
    import nbformat

    root = config.project_root()
    written = []
    for rel in pages():
        nb = jupytext.read(root / rel, fmt="py:percent")
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        # Execute from the project root, as Quarto does for a page (paths come from boligmonitor.config).
        nb.cells.insert(0, nbformat.v4.new_code_cell(
            f"import os\nos.chdir({str(root)!r})\nos.environ['BOLIGMONITOR_ROOT'] = {str(root)!r}"))
        target = out_dir / rel.with_suffix(".ipynb")
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        written.append(target)
    return written


#: Remote loads that Quarto adds to notebook pages and that fail offline without harm (nothing on our
#: pages needs them: charts are inline SVG).
HARMLESS_REMOTE = ("require.min.js", "require.js", "jquery")
_REMOTE = re.compile(r"""<(script|link|img|iframe|source)\b[^>]*?\b(src|href)=["'](https?:)?//[^"']+["'][^>]*>""", re.I)
_CSS_REMOTE = re.compile(r"""url\(\s*["']?(https?:)?//[^)]+\)|@import\s+["']?(https?:)?//""", re.I)


def check_offline(site_dir: Path) -> tuple[list[str], list[str]]:
    """Remote resources a rendered page would load: (problems, harmless). Links (<a href>) are fine."""
    problems, harmless = [], []
    for f in sorted(Path(site_dir).rglob("*")):
        if f.suffix not in (".html", ".css") or not f.is_file():
            continue
        text = f.read_text(encoding="utf-8", errors="replace")
        found = [m.group(0) for m in _REMOTE.finditer(text)] if f.suffix == ".html" else []
        found += [m.group(0) for m in _CSS_REMOTE.finditer(text)]
        for tag in found:
            if tag.lower().startswith("<link") and "stylesheet" not in tag.lower() and "preload" not in tag.lower():
                continue  # rel=canonical and the like load nothing
            rel = f.relative_to(site_dir)
            (harmless if any(h in tag.lower() for h in HARMLESS_REMOTE) else problems).append(f"{rel}: {tag[:160]}")
    return problems, harmless


def _check_browser(site_dir: Path, screenshots: Path | None) -> int:
    from boligmonitor.site import browser

    results = browser.check_site(site_dir, screenshot_dir=screenshots)
    problems = [p for r in results for p in r.problems()]
    for r in results:
        for n in r.notes():
            print(f"note: {n}")
    for pr in problems:
        print(f"PROBLEM: {pr}")
    pages = len({r.page for r in results})
    charts = sum(len(r.charts) for r in results if r.width == browser.WIDTHS[0])
    print(f"browser check: {pages} pages, {charts} charts, widths {browser.WIDTHS}: {len(problems)} problems"
          + (f"; screenshots in {screenshots}" if screenshots else ""))
    return 1 if problems else 0


FREEZE_STAMP = ".boligmonitor-data"


def data_fingerprint(published_dir: Path | None = None) -> str:
    """A hash of the published tables the pages read (name, size and content of every ``*.csv`` and the
    manifest): what Quarto's ``freeze: auto`` cannot see, since it tracks only the pages' source."""
    import hashlib

    d = Path(published_dir or config.published_dir())
    h = hashlib.sha256()
    for p in sorted([*d.glob("*.csv"), d / "manifest.json"]):
        if p.is_file():
            h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def freeze_guard(root: Path | None = None, published_dir: Path | None = None) -> bool:
    """Clear Quarto's ``_freeze/`` when the published data changed since it was filled; returns True when
    cleared. ``freeze: auto`` (``_quarto.yml``) re-executes a page only when its source changes; a new
    extract or a rebuild with other data must re-execute every page, so the data's fingerprint is kept
    in ``_freeze/.boligmonitor-data`` and a mismatch empties the folder (Quarto's documented advice:
    re-render fully when things outside the source change). Only ``_freeze/`` is touched."""
    import shutil

    root = Path(root or config.project_root())
    freeze = root / "_freeze"
    stamp = freeze / FREEZE_STAMP
    now = data_fingerprint(published_dir)
    cleared = False
    if freeze.exists() and (not stamp.exists() or stamp.read_text(encoding="utf-8").strip() != now):
        shutil.rmtree(freeze)
        cleared = True
    freeze.mkdir(exist_ok=True)
    stamp.write_text(now + "\n", encoding="utf-8")
    return cleared


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m boligmonitor.site")
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("pages-to-notebooks", help="convert every report page to a notebook for nbval")
    c.add_argument("out_dir")
    sub.add_parser("list", help="list the report pages")
    o = sub.add_parser("check-offline", help="fail if a rendered page loads anything from the network")
    o.add_argument("site_dir")
    b = sub.add_parser("check-browser", help="open every page in headless Chromium with the network blocked; "
                       "fail on external requests, undrawn charts, elements wider than their container at 1280 px")
    b.add_argument("site_dir", help="a rendered _site or the HTML export of the pages (.nbtest/html)")
    b.add_argument("--screenshots", default=None, help="folder for full-page screenshots")
    sub.add_parser("downloads", help="write the Danish Excel variant and the data dictionary of every published "
                   "table (data/processed/published/excel/)")
    sub.add_parser("freeze-guard", help="empty _freeze/ when the published data changed (freeze: auto sees "
                   "only the pages' source)")
    args = p.parse_args(argv)
    return run_command(f"python -m boligmonitor.site {args.cmd}", lambda: _run(args))


def _run(args: argparse.Namespace) -> int:
    if args.cmd == "freeze-guard":
        cleared = freeze_guard()
        print("freeze: the data changed, every page is executed again" if cleared
              else "freeze: data unchanged, Quarto re-executes only pages whose source changed")
        return 0
    if args.cmd == "downloads":
        from boligmonitor.site import downloads

        written = downloads.write_excel_variants()
        print(f"downloads: {len(written)} files in {written[0].parent}")
        return 0
    if args.cmd == "check-browser":
        return _check_browser(Path(args.site_dir), Path(args.screenshots) if args.screenshots else None)
    if args.cmd == "check-offline":
        if not Path(args.site_dir).is_dir():
            raise BoligmonitorError(f"{args.site_dir} is not a folder: render the site first (make report)")
        problems, harmless = check_offline(Path(args.site_dir))
        for h in harmless:
            print(f"note (fails offline without harm): {h}")
        for pr in problems:
            print(f"REMOTE RESOURCE: {pr}")
        print(f"offline check: {len(problems)} remote resources" + (" (the site needs the network)" if problems else ""))
        return 1 if problems else 0
    if args.cmd == "list":
        for rel in pages():
            print(rel)
    else:
        for t in pages_to_notebooks(Path(args.out_dir)):
            print(t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
