"""A pytest plugin: write the notebooks that nbval executed as HTML pages (for the browser test).

CI has no Quarto, so the browser test opens the report pages as nbconvert exports. The pages are
executed once, by nbval (``pytest --nbval-lax``); this plugin takes the outputs nbval collected for
each cell (``IPyNbCell.test_outputs``, nbformat output nodes) and, at the end of the session, writes
each notebook as an executed ``.ipynb`` and as HTML (nbconvert's ``lab`` template without code, as
Quarto's ``echo: false``) under ``--export-html DIR``, for the notebooks below ``--export-root`` with their path relative to
it (``.nbtest/reports/2025/index.ipynb`` -> ``DIR/reports/2025/index.html``).

The HTML is made for the offline test: no MathJax or require.js from a CDN (the pages have neither
math nor widgets), and the site's stylesheet (``reports/styles.css``), the width of Quarto's content
column (``CONTENT_COLUMN_PX``) and the site's type sizes (17 px text, tables at 0.875 rem, overriding
JupyterLab's smaller ones) inlined, so a table too wide for the site is too wide here.

Use: ``pytest --nbval-lax -p boligmonitor.site.nbexport --export-html .nbtest/html --export-root .nbtest .nbtest``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

#: Width of the body column the site really has at 1280 px: measured in headless Chromium on this
#: site rendered by Quarto 1.7.34 (``page-layout: article``, ``toc-location: left``), 29 Nov 2026.
#: Quarto's documented default ``body-width`` is 800px, but at 1280 px the grid gives the body
#: 678 px beside the left table of contents and the margin column; a table must fit in that.
CONTENT_COLUMN_PX = 678

EXPORT_CSS = f"""
html {{ font-size: 17px; }}
body {{ margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }}
main.bm-content {{ max-width: {CONTENT_COLUMN_PX}px; margin: 0 auto; padding: 0 16px; box-sizing: content-box; }}
.jp-Notebook {{ padding: 0 !important; }}
.jp-Cell, .jp-OutputArea-output {{ padding: 0 !important; margin: 0 !important; }}
.jp-OutputPrompt, .jp-InputPrompt {{ display: none !important; }}
.jp-RenderedHTMLCommon table {{ margin-left: 0; margin-right: 0; font-size: 0.875rem; }}
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th {{ padding: 0.3rem 0.4rem; }}
.jp-RenderedHTMLCommon p, .jp-RenderedHTMLCommon li {{ font-size: 1rem; line-height: 1.5; }}
@media (max-width: 575.98px) {{
  .jp-RenderedHTMLCommon table {{ font-size: 0.78rem; }}
  .jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th {{ padding: 0.2rem 0.25rem; }}
}}
.jp-RenderedHTMLCommon {{ padding-right: 0 !important; }}
"""


def pytest_addoption(parser):
    parser.addoption("--export-html", action="store", default=None, metavar="DIR",
                     help="write every notebook nbval executed as HTML under DIR (boligmonitor.site.nbexport)")
    parser.addoption("--export-root", action="store", default=None, metavar="DIR",
                     help="export only the notebooks below DIR, with their path relative to it")


def pytest_runtest_teardown(item):
    outputs = getattr(item, "test_outputs", None)
    cell = getattr(item, "cell", None)
    if outputs is None or cell is None:
        return
    cell.outputs = [o for o in outputs if o.get("output_type") != "clear_output"]
    for o in cell.outputs:
        if o.get("output_type") == "execute_result":
            o.setdefault("execution_count", None)
            o.setdefault("metadata", {})
        if o.get("output_type") == "display_data":
            o.setdefault("metadata", {})
            o.pop("execution_count", None)


def pytest_sessionfinish(session, exitstatus):
    out = session.config.getoption("--export-html", default=None)
    if not out:
        return
    out_dir = Path(out)
    root = Path(session.config.getoption("--export-root") or session.config.rootpath).resolve()
    files = {}
    for item in session.items:
        parent = getattr(item, "parent", None)
        if parent is not None and hasattr(parent, "nb") and parent not in files:
            files[parent] = Path(str(parent.fspath))
    for parent, path in files.items():
        path = path.resolve()
        if path.is_relative_to(root):
            export_html(parent.nb, out_dir / path.relative_to(root).with_suffix(".html"))


def export_html(nb: nbformat.NotebookNode, target: Path) -> Path:
    """Write an executed notebook as an offline HTML page (and the ``.ipynb`` next to it)."""
    from nbconvert import HTMLExporter

    from boligmonitor import config

    target.parent.mkdir(parents=True, exist_ok=True)
    nb = nbformat.from_dict(nb)
    nbformat.write(nb, target.with_suffix(".ipynb"))
    nb = front_matter_as_title(nb)
    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    css = EXPORT_CSS
    site_css = config.project_root() / "reports" / "styles.css"
    if site_css.exists():
        css += site_css.read_text(encoding="utf-8")
    body = offline_html(body, css)
    target.write_text(body, encoding="utf-8")
    return target


def front_matter_as_title(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The page's YAML header (first markdown cell) as Quarto shows it: the title as a heading and
    the subtitle/description under it (nbconvert would print the YAML as text)."""
    import copy

    import yaml

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        src = cell.source.strip()
        if src.startswith("---"):
            head, _, rest = src[3:].partition("\n---")
            meta = yaml.safe_load(head) or {}
            lines = [f"# {meta.get('title', '')}"]
            if meta.get("subtitle") or meta.get("description"):
                lines.append(f"*{meta.get('subtitle') or meta.get('description')}*")
            cell.source = "\n\n".join(lines) + ("\n\n" + rest.strip() if rest.strip() else "")
        break
    return nb


def offline_html(html: str, css: str) -> str:
    """Drop nbconvert's CDN scripts (MathJax, require.js: unused on the pages), wrap the notebook in
    a content column, add ``css``."""
    import re

    html = re.sub(r"<script[^>]*\bsrc=[\"']https?://[^\"']+[\"'][^>]*>\s*</script>", "", html)
    # MathJax configuration blocks load their script from the CDN at run time.
    html = re.sub(r"<script type=\"text/x-mathjax-config\">.*?</script>", "", html, flags=re.S)
    html = re.sub(r"<script[^>]*>\s*(window\.)?MathJax\s*=.*?</script>", "", html, flags=re.S)
    html = html.replace("</head>", f"<style>{css}</style>\n</head>", 1)
    html = re.sub(r"(<body[^>]*>)", r'\1<main class="bm-content">', html, count=1)
    html = html.replace("</body>", "</main></body>", 1)
    return html
