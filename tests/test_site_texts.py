"""What a reader of the site meets, in Danish (boligmonitor.site.texts, docs, report)."""

from __future__ import annotations

import re

import polars as pl
import pytest

from boligmonitor import config
from boligmonitor.site import docs, report, texts


def test_every_glossary_term_has_a_danish_explanation():
    terms = texts.glossary_terms()
    assert len(terms) >= 40
    missing = [t for t, _ in terms if t not in texts.GLOSSARY_DA]
    assert missing == []
    md = texts.glossary_markdown()
    assert "(from 2021)" not in md and "(fra 2021)" in md
    # no English explanation survives: the code column holds identifiers only
    assert "all five plan areas together" not in md and "`helhedsplan`" in md


def test_a_new_glossary_term_without_danish_is_an_error(monkeypatch):
    monkeypatch.setattr(texts, "glossary_terms", lambda: [("nyt udtryk", "`x`")])
    with pytest.raises(KeyError, match="nyt udtryk"):
        texts.glossary_markdown()


def test_settings_are_written_in_danish_words_not_python_values():
    assert texts.setting_value_da("outside_benefits", "('ADAG', 'KTH')") == "ADAG, KTH"
    assert texts.setting_value_da("education_unknown_as_basic", "True") == "ja"
    assert texts.setting_value_da("allow_partial_average", "False") == "nej"
    assert texts.setting_value_da("rounding_decimals", "None") == "ingen"
    assert texts.setting_value_da("employment_population_date", "'start'") == "bopæl 1. januar i året"
    assert texts.setting_value_da("income_year_offset", "-1") == "-1 år i forhold til listeåret"
    df = pl.DataFrame({"name": ["x", "y"], "value_text": ["('A', 'B')", "True"],
                       "description": ["Hvad x afgør.", "Hvad y afgør."], "reason": ["Fordi.", "Derfor."]})
    md = texts.settings_markdown(df)
    assert "('A'" not in md and "True" not in md and "| A, B |" in md and "| ja |" in md


def test_register_titles_replace_file_stems():
    assert texts.register_title("afgoerelser") == "Strafferetlige afgørelser"
    assert texts.register_title("fravaer") == "Elevfravær pr. halvår"
    df = texts.with_register_titles(pl.DataFrame({"register": ["udsaettelser", "ukendt_fil"]}))
    assert "udsaettelser" not in df["register"][0] and df["register"][1] == "ukendt_fil"


def test_disclosure_rules_in_danish_with_the_minimum_in_force():
    md = texts.disclosure_markdown()
    assert f"færre end {config.MIN_CELL_PERSONS} personer" in md
    assert "suppressed" in md and "Counts" not in md and "Shares" not in md


def test_law_points_become_a_list():
    md = "> § 61 a. Ved et område, hvor:\n> 1) Første.\n> 2) Andet.\n>\n> Stk. 2. Mere."
    out = texts.legal_lists(md).splitlines()
    assert out[:4] == ["> § 61 a. Ved et område, hvor:", ">", "> 1) Første.", "> 2) Andet."]
    assert texts.legal_lists("Tekst:\n1) a\n2) b").splitlines() == ["Tekst:", "", "1) a", "2) b"]
    # the real method text: every numbered point of § 61 a follows a blank quote line or another point
    lines = texts.legal_lists(docs.doc_section("criteria-method", "1. Reglerne efter lovversion")).splitlines()
    for i, line in enumerate(lines):
        if re.match(r">\s*1\)", line):
            assert lines[i - 1].strip() == ">"


def test_the_method_page_has_a_heading_cell_for_every_section_of_the_method_doc():
    """Quarto's table of contents lists every section: each one is a heading of the page itself."""
    page = (config.project_root() / "reports" / "metode.py").read_text(encoding="utf-8")
    headings = set(re.findall(r"^# ## (.+)$", page, flags=re.M))
    doc = [k for k in docs.doc_sections("criteria-method") if k]
    assert len(doc) >= 7 and set(doc) <= headings
    assert len(headings) >= 10


def test_baselines_have_thousands_separators():
    assert report.fmt_baseline("91,4 % (4520 personer)") == "91,4 % (4.520 personer)"
    assert report.fmt_baseline("54.884 personer") == "54.884 personer"
    assert report.fmt_baseline("329 / 331 / 296 (i alt 956)") == "329 / 331 / 296 (i alt 956)"
    assert report.fmt_baseline("2019: 1234 personer") == "2019: 1.234 personer"
    assert report.fmt_baseline(None) == ""


def test_wide_doc_tables_are_turned_on_their_side():
    md = "Tekst\n\n| Kategori | Beboere | Kriterier |\n|---|---|---|\n| udsat | ≥ 1.000 | ≥ 2 |\n| forebyggelse | ≥ 1.000 | |\n\nMere"
    out = texts.transpose_tables(md, "Kategori").splitlines()
    assert out[2] == "| Kategori | udsat | forebyggelse |"
    assert out[4] == "| **Beboere** | ≥ 1.000 | ≥ 1.000 |" and out[5] == "| **Kriterier** | ≥ 2 |  |"
    assert out[0] == "Tekst" and out[-1] == "Mere"
    assert texts.transpose_tables(md, "Andet") == md


def test_the_data_catalogue_tables_have_three_columns():
    from boligmonitor.dictionary import dictionary_markdown

    md = texts.compact_dictionary(dictionary_markdown())
    heads = [ln for ln in md.splitlines() if ln.startswith("| Kolonne")]
    assert heads and all(h == "| Kolonne | Koder / interval | Betydning |" for h in heads)
    assert "Kolonne (rå)" not in md and "`PNR`<br><small>`person_id`" in md
