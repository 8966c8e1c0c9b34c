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


def doc_sections(name: str) -> dict[str, str]:
    """``docs/<name>.md`` split at its second-level headings: heading text -> the section's Markdown
    (without the heading). The text before the first heading is under the key ``""``.

    A page shows each section under its own heading cell, so Quarto's table of contents lists every
    section whatever it does with headings inside cell outputs."""
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in doc_markdown(name).splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = []
        else:
            sections[current].append(line)
    return {k: "\n".join(v).strip() + "\n" for k, v in sections.items()}


def doc_section(name: str, heading: str) -> str:
    """One section of ``docs/<name>.md`` by its heading (e.g. ``"4. Marginer"``); KeyError naming the
    file and the headings there when it has no such section."""
    sections = doc_sections(name)
    if heading not in sections:
        raise KeyError(f"docs/{name}.md has no section '## {heading}' (it has: {[k for k in sections if k]})")
    return sections[heading]


def glossary_markdown() -> str:
    return doc_markdown("glossary")


def module_doc(module) -> str:
    """A module's docstring as Markdown (the rules written once, next to the code that applies them)."""
    return (module.__doc__ or "").strip() + "\n"
