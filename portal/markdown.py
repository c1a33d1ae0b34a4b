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
