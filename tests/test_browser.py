"""The report pages in headless Chromium with the network blocked (boligmonitor.site.browser).

The first tests check the checker on small pages written here. The page tests open every exported
report page (``make browsertest``: the nbconvert HTML of the notebooks nbval executed, in
``BOLIGMONITOR_BROWSER_PAGES``) or a rendered ``_site`` (``make report``) and fail on an external
request, an undrawn chart, a chart missing from the page, or a table/figure wider than its container
at 1280 px; overflow at 390 px (phone) is written to ``browser-390px.txt`` beside the screenshots.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from boligmonitor.site import browser

VEGA_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120" role="img" aria-label="{label}">'
            '<g class="mark-group role-axis"><path d="M0,0L300,0"/></g>'
            '<g class="mark-line role-mark layer_0_marks">{marks}</g></svg>')
DRAWN = VEGA_SVG.format(label="tegnet", marks='<path d="M0,100L300,20"/>')
EMPTY = VEGA_SVG.format(label="tom", marks="")


def _page(tmp_path: Path, body: str, name: str = "p.html") -> Path:
    p = tmp_path / name
    p.write_text('<!doctype html><html><head><meta charset="utf-8"><style>main{max-width:600px;margin:auto}'
                 f'</style></head><body><main>{body}</main></body></html>', encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def chrome():
    try:
        browser.chromium_path()
    except Exception as e:  # noqa: BLE001
        pytest.fail(f"{e} (make test installs it)")
    with browser.Browser() as b:
        yield b


def test_a_page_that_fits_and_draws_passes(tmp_path, chrome):
    svg_uri = "data:image/svg+xml;base64," + base64.b64encode(DRAWN.encode()).decode()
    p = _page(tmp_path, f'<table><tr><th>Område</th><td>1.272</td></tr></table><div class="cell-output-display">'
                        f'{DRAWN}</div><img src="{svg_uri}" alt="som billede">')
    r = chrome.check(p, 1280)
    assert r.problems() == []
    assert [c["marks"] for c in r.charts] == [1, 1]


def test_a_table_wider_than_the_column_fails_at_1280_and_is_noted_at_390(tmp_path, chrome):
    wide = "<table><tr>" + "".join(f"<th>Kolonne{i:02d}</th>" for i in range(12)) + "</tr></table>"
    p = _page(tmp_path, wide)
    problems = chrome.check(p, 1280).problems()
    assert len(problems) == 1 and "wider than the content column" in problems[0]
    phone = chrome.check(p, 390)
    assert phone.problems() == [] and phone.notes()


def test_a_table_reachable_only_by_horizontal_scroll_fails(tmp_path, chrome):
    wide = ('<div style="overflow-x:auto"><table><tr>' + "".join(f"<th>Kolonne{i:02d}</th>" for i in range(12))
            + "</tr></table></div>")
    problems = chrome.check(_page(tmp_path, wide), 1280).problems()
    assert len(problems) == 1 and "scrolling box" in problems[0]


def test_external_requests_are_blocked_and_listed(tmp_path, chrome):
    p = _page(tmp_path, '<img src="https://example.org/x.png"><script src="https://cdn.jsdelivr.net/npm/vega@6">'
                        '</script><a href="https://quarto.org">et link henter intet</a>')
    r = chrome.check(p, 1280)
    assert sorted(r.external) == ["https://cdn.jsdelivr.net/npm/vega@6", "https://example.org/x.png"]
    assert len(r.problems()) == 2


def test_a_chart_without_data_marks_or_a_broken_image_is_not_drawn(tmp_path, chrome):
    (tmp_path / "missing-dir").mkdir()
    p = _page(tmp_path, f'<div class="cell-output-display">{EMPTY}</div><img src="missing-dir/chart.svg">')
    r = chrome.check(p, 1280)
    assert len(r.undrawn) == 2
    assert all("chart not drawn" in x for x in r.problems())


def test_svg_marks_count_data_marks_only():
    assert browser.svg_marks(DRAWN) == 1
    assert browser.svg_marks(EMPTY) == 0
    assert browser.svg_marks("not svg") == 0
    assert browser.svg_source("data:image/svg+xml," + "%3Csvg%2F%3E") == "<svg/>"


def test_screenshots_are_written(tmp_path, chrome):
    r = chrome.check(_page(tmp_path, "<p>hej</p>"), 390, name="reports/x.html", screenshot_dir=tmp_path / "s")
    assert r.screenshot == tmp_path / "s" / "reports__x-390.png" and r.screenshot.stat().st_size > 1000


# --- The report pages --------------------------------------------------------------------------------

PAGES_DIR = os.environ.get("BOLIGMONITOR_BROWSER_PAGES")


def _pages():
    if not PAGES_DIR:
        return []
    return browser.site_pages(Path(PAGES_DIR))


@pytest.mark.skipif(not PAGES_DIR, reason="set BOLIGMONITOR_BROWSER_PAGES (make browsertest / make report)")
@pytest.mark.parametrize("name,path", _pages(), ids=[n for n, _ in _pages()])
def test_report_page_in_the_browser(name, path, chrome):
    shots = Path(os.environ.get("BOLIGMONITOR_SCREENSHOTS") or Path(PAGES_DIR).parent / "screenshots")
    results = [chrome.check(path, w, name=name, screenshot_dir=shots) for w in browser.WIDTHS]
    notes = [n for r in results for n in r.notes()]
    if notes:
        shots.mkdir(parents=True, exist_ok=True)
        with open(shots / "browser-390px.txt", "a", encoding="utf-8") as f:
            f.write("\n".join(notes) + "\n")
    problems = [p for r in results for p in r.problems()]
    assert problems == []
    executed = path.with_suffix(".ipynb")
    if executed.exists():  # the export: every chart the notebook made is on the page and drawn
        assert len(results[0].charts) == browser.expected_charts(executed), results[0].charts


def test_notebook_maps_need_no_network():
    """Notebook 03's maps are SVG (vl-convert), not Vega loaded from a CDN: its outputs name no remote
    script (issue 15). Runs the notebook as `make notebooks` does, on the built database."""
    import nbformat
    from nbclient import NotebookClient

    from boligmonitor import config

    if not config.db_path().exists():
        pytest.fail("build the data first (make build)")
    nb = nbformat.read(config.project_root() / "notebooks" / "03-geografi.ipynb", as_version=4)
    NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(config.project_root())}},
                   timeout=600).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    text = "\n".join(str(v) for o in outputs for v in o.get("data", {}).values())
    assert "cdn.jsdelivr" not in text and "application/vnd.vegalite" not in text
    assert sum("image/svg+xml" in o.get("data", {}) for o in outputs) >= 2
