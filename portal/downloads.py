"""A file answer, the same for every download (exports, minutes, invitations): never shown inline."""
from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from flask import Response

from .inputs import DOCUMENT_UNSAFE

T = TypeVar("T")


def attachment(body: bytes, mimetype: str, filename: str) -> Response:
    """`mimetype` is the whole Content-Type, sent as given (a text type names its charset once, e.g. text/csv; charset=utf-8)."""
    response = Response(body, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def document_safe(value: T) -> T:
    """The value with every character dropped that a document cannot hold (control characters, lone surrogates,
    U+FFFE/U+FFFF), through dicts, lists and tuples: whatever text is already stored, an export never fails on it
    (rule 10). Every export context and every cell passes through here before a writer sees it."""
    if isinstance(value, str):  # str or Markup: markup stays markup
        return type(value)(DOCUMENT_UNSAFE.sub("", value))  # type: ignore[return-value]
    if isinstance(value, dict):
        return {k: document_safe(v) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, list):
        return [document_safe(v) for v in value]  # type: ignore[return-value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(document_safe(v) for v in value)  # type: ignore[return-value]
    return value


def pdf(html: str) -> bytes:
    """A tagged PDF (PDF/UA-1) from the portal's HTML, with the static folder for fonts and styles: every PDF is made here."""
    import weasyprint

    static = Path(__file__).resolve().parents[1] / "static"
    return weasyprint.HTML(string=document_safe(html), base_url=str(static) + "/").write_pdf(pdf_variant="pdf/ua-1")
