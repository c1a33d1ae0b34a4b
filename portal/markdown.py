"""Markdown for notes, comments and minutes: HTML off in the parser, then an nh3 allow-list."""
from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "pre", "blockquote",
                "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr"}


def render(text: str | None) -> Markup:
    """Safe HTML for user-written text. javascript:, data: and event attributes cannot survive."""
    if not text:
        return Markup("")
    # A pure function of the text: each process keeps the short texts it renders most (histories,
    # minutes); the size bound keeps the cache under ~20 MB per process.
    return Markup(_cached(text) if len(text) <= CACHED_CHARS else _clean_html(text))


CACHED_CHARS = 4000


def _clean_html(text: str) -> str:
    html = _md.render(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return clean


_cached = lru_cache(maxsize=4096)(_clean_html)


def add_to_docx(doc, text: str, heading_level: int = 3) -> None:
    """The same Markdown as on the page, as Word paragraphs: headings, paragraphs with bold, italic and code
    runs, bulleted and numbered lists, links as their text followed by the address (printable)."""
    tokens = _md.parse(text or "")
    lists: list[str] = []
    style: str | None = None
    level = heading_level
    for token in tokens:
        if token.type == "bullet_list_open":
            lists.append("List Bullet")
        elif token.type == "ordered_list_open":
            lists.append("List Number")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "heading_open":
            level = min(heading_level + int(token.tag[1]) - 1, 9)
            style = "heading"
        elif token.type in ("fence", "code_block"):
            doc.add_paragraph(token.content.rstrip("\n"), style="No Spacing")
        elif token.type == "inline":
            if style == "heading":
                paragraph = doc.add_heading(level=level)
            else:
                paragraph = doc.add_paragraph(style=lists[-1] if lists else None)
            _add_runs(paragraph, token.children or [])
            style = None


def _add_runs(paragraph, children) -> None:
    bold = italic = 0
    href: str | None = None
    for child in children:
        if child.type == "strong_open":
            bold += 1
        elif child.type == "strong_close":
            bold -= 1
        elif child.type == "em_open":
            italic += 1
        elif child.type == "em_close":
            italic -= 1
        elif child.type == "link_open":
            href = child.attrs.get("href")
        elif child.type == "link_close":
            if href and href.startswith(("http://", "https://", "mailto:")):
                paragraph.add_run(f" ({href})")
            href = None
        elif child.type in ("softbreak", "hardbreak"):
            paragraph.add_run().add_break()
        elif child.type in ("text", "code_inline"):
            run = paragraph.add_run(child.content)
            run.bold, run.italic = bold > 0 or None, italic > 0 or None
            if child.type == "code_inline":
                run.font.name = "Courier New"
