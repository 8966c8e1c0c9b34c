"""Repository hygiene: stripped notebooks, the README's two commands, CI, and the site's structure."""

import json
import subprocess
from pathlib import Path

import yaml

from boligmonitor.site import project as site

ROOT = Path(__file__).resolve().parents[1]


def _stored(path: Path) -> str:
    """The notebook as git stores it (the index: after the nbstripout filter); the file outside git."""
    rel = path.relative_to(ROOT).as_posix()
    r = subprocess.run(["git", "show", f":{rel}"], cwd=ROOT, capture_output=True, text=True)
    return r.stdout if r.returncode == 0 else path.read_text(encoding="utf-8")


def test_notebooks_are_stored_without_outputs():
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks, "no notebooks found"
    for nb_path in notebooks:
        nb = json.loads(_stored(nb_path))
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell.get("outputs") == [], f"{nb_path.name}: a code cell has outputs"
                assert cell.get("execution_count") is None, f"{nb_path.name}: a code cell has an execution count"
        assert nb["metadata"]["kernelspec"]["name"] == "python3", f"{nb_path.name}: kernelspec must be python3"


def test_notebooks_are_numbered_uniquely():
    names = [p.name for p in (ROOT / "notebooks").glob("*.ipynb")]
    prefixes = [n.split("-", 1)[0] for n in names]
    assert all(p.isdigit() and len(p) == 2 for p in prefixes), names
    assert len(set(prefixes)) == len(prefixes), f"two notebooks share a number: {sorted(names)}"


def test_no_register_data_is_tracked():
    out = subprocess.run(["git", "ls-files", "data"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    allowed = {".gitkeep", "README.md"}
    assert [p for p in out if Path(p).name not in allowed] == []


def test_readme_shows_the_two_commands_and_ci_calls_the_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make report" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_every_page_has_a_title_and_is_reachable_from_the_navbar():
    cfg = yaml.safe_load((ROOT / "_quarto.yml").read_text(encoding="utf-8"))
    hrefs = set()

    def walk(items):
        for it in items:
            if isinstance(it, dict):
                if "href" in it:
                    hrefs.add(it["href"])
                walk(it.get("menu", []))

    walk(cfg["website"]["navbar"]["left"])
    pages = {str(p) for p in site.pages()}
    assert pages, "no report pages found"
    for p in pages:
        assert site.front_matter(ROOT / p).get("title"), f"{p} has no title"
    assert hrefs - pages == set(), f"navbar links to missing pages: {sorted(hrefs - pages)}"
    assert pages - hrefs == set(), f"pages not in the navbar: {sorted(pages - hrefs)}"


def test_site_loads_nothing_from_the_network():
    cfg = yaml.safe_load((ROOT / "_quarto.yml").read_text(encoding="utf-8"))
    html = cfg["format"]["html"]
    # MathJax comes from a CDN: the plain method needs nothing; the default theme uses system fonts.
    assert html["html-math-method"] == "plain"
    assert html["theme"] == "default"
    for page in site.pages():
        text = (ROOT / page).read_text(encoding="utf-8")
        assert "https://cdn" not in text and "googleapis" not in text, page
