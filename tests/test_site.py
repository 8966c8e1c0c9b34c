"""The site's structure and the offline check of rendered pages (no Quarto needed)."""

from boligmonitor.site import project as site


def test_pages_are_the_percent_scripts_named_in_quarto_yml():
    pages = [str(p) for p in site.pages()]
    assert pages[0] == "index.py"
    assert "reports/2025/index.py" in pages and "reports/metode.py" in pages
    assert all(p.endswith(".py") for p in pages)


def test_offline_check_flags_remote_scripts_styles_and_fonts_but_not_links(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "page.html").write_text(
        '<html><head><script src="https://cdn.jsdelivr.net/npm/vega@6"></script>'
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=X">'
        '<link rel="canonical" href="https://example.org/">'
        '<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js"></script>'
        '<script src="../site_libs/quarto.js"></script></head>'
        '<body><a href="https://quarto.org">Quarto</a></body></html>', encoding="utf-8")
    (tmp_path / "s.css").write_text("@import url('https://fonts.googleapis.com/x');", encoding="utf-8")
    problems, harmless = site.check_offline(tmp_path)
    assert len(problems) == 3  # vega script, google-fonts stylesheet, css @import
    assert any("vega" in p for p in problems)
    assert len(harmless) == 1 and "require" in harmless[0]


def test_a_clean_site_passes(tmp_path):
    (tmp_path / "index.html").write_text('<script src="site_libs/x.js"></script><img src="a.svg">',
                                         encoding="utf-8")
    assert site.check_offline(tmp_path) == ([], [])


def test_pages_convert_to_notebooks_that_start_in_the_project_root(tmp_path):
    import nbformat

    written = site.pages_to_notebooks(tmp_path)
    assert len(written) == len(site.pages())
    nb = nbformat.read(written[0], as_version=4)
    assert "os.chdir" in nb.cells[0].source
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_freeze_is_emptied_when_the_published_data_changes(tmp_path):
    pub = tmp_path / "published"
    pub.mkdir()
    (pub / "befolkning.csv").write_text("a\n1\n", encoding="utf-8")
    (pub / "manifest.json").write_text("{}", encoding="utf-8")
    root = tmp_path / "project"
    root.mkdir()
    assert site.freeze_guard(root, pub) is False  # first render: nothing to clear
    page = root / "_freeze" / "index" / "execute-results" / "html.json"
    page.parent.mkdir(parents=True)
    page.write_text("{}", encoding="utf-8")
    assert site.freeze_guard(root, pub) is False and page.exists()  # same data: frozen results kept
    (pub / "befolkning.csv").write_text("a\n2\n", encoding="utf-8")
    assert site.freeze_guard(root, pub) is True and not page.exists()  # new data: every page again
    assert (root / "_freeze" / site.FREEZE_STAMP).read_text(encoding="utf-8").strip() == site.data_fingerprint(pub)


def test_quarto_config_uses_documented_options_for_reports():
    cfg = site.quarto_config()
    html = cfg["format"]["html"]
    assert cfg["execute"]["freeze"] == "auto"
    assert html["toc-location"] in ("left", "right", "body", "left-body", "right-body")
    assert html["page-layout"] in ("article", "full", "custom")
    assert "reports/taet_paa_graensen.py" in [str(p) for p in site.pages()]


def test_the_method_page_shows_every_section_of_the_method_doc():
    """reports/metode.py shows docs/criteria-method.md section by section under heading cells; a section
    added to the doc must get its heading cell on the page (otherwise it is missing from the site)."""
    from boligmonitor import config
    from boligmonitor.site import docs

    page = (config.project_root() / "reports" / "metode.py").read_text(encoding="utf-8")
    for heading in (h for h in docs.doc_sections("criteria-method") if h):
        assert f"# ## {heading}\n" in page, f"reports/metode.py has no heading cell for '## {heading}'"
        assert f'docs.doc_section(DOC, "{heading}")' in page or heading.startswith("3. "), heading
