"""One way to search for a piece of text with LIKE: what a user types is matched literally (%, _ and \\ are no wildcards).
Use as `column.ilike(likes.contains(text), escape=likes.ESCAPE)`, which keeps a trigram index usable on PostgreSQL (an
`icontains`, which lowers the column, would not)."""
from __future__ import annotations

ESCAPE = "\\"


def contains(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
