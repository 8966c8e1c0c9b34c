"""The report pages in a real browser: headless Chromium with the network blocked.

Library: playwright-python (drives Debian's ``chromium`` through ``executable_path``; its pip package
downloads no browser). For each page and width (1280 px desktop, 390 px phone) :func:`check_page`
returns a :class:`PageCheck`:

* ``external``: every request that is not ``file:``/``data:``/``blob:`` (each is blocked and listed);
* ``charts``: every chart (an ``<svg>`` in an output, or with ``role="img"``) with its size and its
  number of drawn marks; ``undrawn`` the ones with no size or no marks;
* ``overflow``: every table, chart, image, figure or code block wider than its container (the
  content column, or a scrolling wrapper: a table reachable only by horizontal scroll counts), and
  a page wider than the window;
* a full-page screenshot when a folder is given.

:func:`problems` says which findings fail a page: external requests and undrawn charts at every
width, overflow at the widths in ``FAIL_OVERFLOW_WIDTHS`` (1280 px); overflow at 390 px is reported.
``python -m boligmonitor.site check-browser DIR`` runs it on a rendered ``_site`` or on the nbconvert
export of the pages (``.nbtest/html``).
"""

from __future__ import annotations

import base64
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from boligmonitor.errors import BoligmonitorError

WIDTHS = (1280, 390)
FAIL_OVERFLOW_WIDTHS = (1280,)
HEIGHT = 900
ALLOWED_SCHEMES = ("file:", "data:", "blob:", "about:")

# Runs in the page: charts and elements wider than their container. A container is the nearest
# ancestor that scrolls or clips horizontally, else the content column (Quarto's <main>, the export's
# main.bm-content), else the body.
_MEASURE_JS = r"""
() => {
  const column = document.querySelector('main#quarto-document-content, main.content, main.bm-content, main')
                 || document.body;
  const name = (el) => {
    const t = el.tagName.toLowerCase();
    const label = el.getAttribute('aria-label') || el.getAttribute('alt') || '';
    const head = t === 'table' ? (el.querySelector('th') || {}).textContent || '' : '';
    return (t + (el.id ? '#' + el.id : '') + ' ' + (label || head).trim().slice(0, 60)).trim();
  };
  const charts = [];
  for (const s of document.querySelectorAll('svg')) {
    if (s.parentElement && s.parentElement.closest('svg')) continue;
    const inOutput = s.closest('.cell-output-display, .jp-RenderedSVG, .jp-OutputArea-output');
    if (!(inOutput || s.getAttribute('role') === 'img')) continue;
    if (s.closest('nav, header, .navbar, button')) continue;
    const r = s.getBoundingClientRect();
    charts.push({name: name(s), width: Math.round(r.width), height: Math.round(r.height), marks: -1,
                 svg: s.outerHTML});
  }
  // Charts as images (Quarto and nbconvert write SVG outputs as <img>): drawn when the image decoded;
  // its marks are counted from the SVG source in Python.
  for (const im of document.querySelectorAll('img')) {
    const src = im.getAttribute('src') || '';
    if (!(src.startsWith('data:image/svg+xml') || /\.svg(\?|$)/.test(src))) continue;
    if (im.closest('nav, header, .navbar, button')) continue;
    const r = im.getBoundingClientRect();
    const ok = im.complete && im.naturalWidth > 0;
    charts.push({name: name(im), width: ok ? Math.round(r.width) : 0, height: ok ? Math.round(r.height) : 0,
                 marks: -1, src: src.startsWith('data:') ? src : im.src});
  }
  const overflow = [];
  const columnRight = column.getBoundingClientRect().right;
  for (const el of column.querySelectorAll('table, svg, img, figure, pre, .cell-output-display > *')) {
    if (el.tagName.toLowerCase() === 'svg' && el.parentElement && el.parentElement.closest('svg')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    let box = null;
    for (let a = el.parentElement; a && a !== column; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX;
      if (ox !== 'visible') { box = a; break; }
    }
    const width = Math.max(r.width, el.scrollWidth || 0);
    if (box) {
      const avail = box.clientWidth;
      if (width > avail + 1) overflow.push({name: name(el), width: Math.round(width), container: avail,
                                            how: 'wider than its scrolling box'});
    } else if (r.right > columnRight + 1 || width > column.clientWidth + 1) {
      overflow.push({name: name(el), width: Math.round(width), container: Math.round(column.clientWidth),
                     how: 'wider than the content column'});
    }
  }
  const pageWidth = document.documentElement.scrollWidth;
  return {charts, overflow, pageWidth, windowWidth: window.innerWidth};
}
"""


@dataclass
class PageCheck:
    page: str
    width: int
    external: list[str] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    overflow: list[dict] = field(default_factory=list)
    page_width: int = 0
    console_errors: list[str] = field(default_factory=list)
    screenshot: Path | None = None

    @property
    def undrawn(self) -> list[dict]:
        return [c for c in self.charts if c["width"] < 20 or c["height"] < 20 or c["marks"] == 0]

    def problems(self) -> list[str]:
        """What fails the page (see the module docstring)."""
        out = [f"external request: {u}" for u in self.external]
        out += [f"chart not drawn: {c}" for c in self.undrawn]
        if self.width in FAIL_OVERFLOW_WIDTHS:
            out += [f"{o['name']!r} {o['how']} ({o['width']} px > {o['container']} px)" for o in self.overflow]
            if self.page_width > self.width + 1:
                out.append(f"page scrolls sideways ({self.page_width} px > {self.width} px)")
        return [f"{self.page} at {self.width} px: {p}" for p in out]

    def notes(self) -> list[str]:
        """Findings reported but not failing (overflow on a phone)."""
        if self.width in FAIL_OVERFLOW_WIDTHS:
            return []
        return [f"{self.page} at {self.width} px: {o['name']!r} {o['how']} ({o['width']} px > {o['container']} px)"
                for o in self.overflow]


def chromium_path() -> str:
    """Debian's Chromium (``BOLIGMONITOR_CHROMIUM`` overrides). Raises BoligmonitorError if absent."""
    for cand in (os.environ.get("BOLIGMONITOR_CHROMIUM"), shutil.which("chromium"),
                 shutil.which("chromium-browser"), "/usr/bin/chromium"):
        if cand and Path(cand).exists():
            return cand
    raise BoligmonitorError("Chromium not found: install Debian's chromium (`apt-get install -y chromium`; "
                            "`make test` does it) or set BOLIGMONITOR_CHROMIUM to the browser's path")


class Browser:
    """One headless Chromium for many pages (``with Browser() as b: b.check(path, 1280)``)."""

    def __enter__(self):
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        return self

    def __exit__(self, *exc):
        self._browser.close()
        self._pw.stop()

    def check(self, path: Path, width: int, name: str | None = None,
              screenshot_dir: Path | None = None) -> PageCheck:
        path = Path(path).resolve()
        result = PageCheck(page=name or path.name, width=width)
        context = self._browser.new_context(viewport={"width": width, "height": HEIGHT},
                                            service_workers="block", java_script_enabled=True)
        page = context.new_page()

        def route(r):
            url = r.request.url
            if url.startswith(ALLOWED_SCHEMES):
                return r.continue_()
            result.external.append(url)
            return r.abort()

        context.route("**/*", route)
        page.on("console", lambda m: result.console_errors.append(m.text) if m.type == "error" else None)
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_timeout(150)  # layout after fonts and late scripts
        m = page.evaluate(_MEASURE_JS)
        result.charts, result.overflow, result.page_width = m["charts"], m["overflow"], m["pageWidth"]
        for c in result.charts:
            src, svg = c.pop("src", None), c.pop("svg", None)
            c["marks"] = svg_marks(svg if svg is not None else svg_source(src))
        if screenshot_dir is not None:
            shot = Path(screenshot_dir) / f"{_slug(result.page)}-{width}.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)
            result.screenshot = shot
        context.close()
        return result


_MARK_TAGS = {"path", "rect", "line", "circle", "polygon", "polyline", "ellipse", "image", "text"}


def svg_source(src: str) -> str:
    """The SVG text of an ``<img src>``: a ``data:`` URI (base64 or percent-encoded) or a ``file:`` URL."""
    if src.startswith("data:"):
        head, _, data = src.partition(",")
        return base64.b64decode(data).decode("utf-8", "replace") if ";base64" in head else unquote(data)
    if src.startswith("file:"):
        path = Path(unquote(urlparse(src).path))
        return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    return ""


def svg_marks(svg: str) -> int:
    """Drawn data marks in an SVG: in a Vega chart the shapes inside its data-mark groups
    (``<g class="... role-mark ...">``; axes, legends and titles do not count, so a chart with no
    data has 0), in any other SVG every shape. 0 for no or unreadable SVG."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(svg)
    except ET.ParseError:
        return 0

    def tag(el) -> str:
        return el.tag.rsplit("}", 1)[-1]

    def count(el, in_mark: bool) -> int:
        n = 0
        for ch in el:
            cls = ch.get("class", "")
            inside = in_mark or "role-mark" in cls.split()
            if inside and tag(ch) in _MARK_TAGS and (ch.get("d") is None or ch.get("d").strip()):
                n += 1
            n += count(ch, inside)
        return n

    if "role-mark" in svg:
        return count(root, False)
    return sum(1 for el in root.iter() if tag(el) in _MARK_TAGS)


def _slug(page: str) -> str:
    return page.replace("/", "__").removesuffix(".html")


def site_pages(site_dir: Path) -> list[tuple[str, Path]]:
    """The pages of a rendered site or an export: ``(relative name, path)`` for each report page.

    In a Quarto ``_site`` the pages are the rendered counterparts of :func:`project.pages`;
    elsewhere (the nbconvert export) every ``.html`` file. ``BOLIGMONITOR_BROWSER_ONLY`` (a relative
    name such as ``reports/2025/index.html``) keeps that page only."""
    from boligmonitor.site import project

    site_dir = Path(site_dir)
    out = []
    only = os.environ.get("BOLIGMONITOR_BROWSER_ONLY")
    if (site_dir / "site_libs").exists():
        for rel in project.pages():
            if only and str(rel.with_suffix(".html")) != only:
                continue
            p = site_dir / rel.with_suffix(".html")
            if not p.exists():
                raise BoligmonitorError(f"{p}: page {rel} was not rendered")
            out.append((str(rel.with_suffix(".html")), p))
    else:
        out = [(str(p.relative_to(site_dir)), p) for p in sorted(site_dir.rglob("*.html"))]
    if only:  # one page (make report YEAR=...)
        out = [(n, p) for n, p in out if n == only]
    if not out:
        raise BoligmonitorError(f"{site_dir}: no HTML pages" + (f" named {only}" if only else ""))
    return out


def check_site(site_dir: Path, widths=WIDTHS, screenshot_dir: Path | None = None) -> list[PageCheck]:
    """Every page of ``site_dir`` at every width (see :func:`site_pages`)."""
    results = []
    with Browser() as b:
        for name, path in site_pages(site_dir):
            for w in widths:
                results.append(b.check(path, w, name=name, screenshot_dir=screenshot_dir))
    return results


def expected_charts(notebook: Path) -> int:
    """How many charts (SVG outputs) an executed notebook holds: the browser must find them all."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    return sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
               if "image/svg+xml" in o.get("data", {}))
