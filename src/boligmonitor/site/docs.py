"""Documentation pages in docs/ that the report site shows (single source: the Markdown file)."""

from __future__ import annotations

from boligmonitor import config


def doc_markdown(name: str, drop_title: bool = True, shift_headings: int = 0) -> str:
    """The Markdown of ``docs/<name>.md``; without its first-level title (the page has its own)."""
    text = (config.project_root() / "docs" / f"{name}.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    if drop_title and lines and lines[0].startswith("# "):
        lines = lines[1:]
    if shift_headings:
        lines = [("#" * shift_headings + ln) if ln.startswith("#") else ln for ln in lines]
    return "\n".join(lines).strip() + "\n"


def glossary_markdown() -> str:
    return doc_markdown("glossary")


def module_doc(module) -> str:
    """A module's docstring as Markdown (the rules written once, next to the code that applies them)."""
    return (module.__doc__ or "").strip() + "\n"
