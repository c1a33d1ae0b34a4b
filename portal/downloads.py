"""A file answer, the same for every download (exports, minutes, invitations): never shown inline."""
from __future__ import annotations

from flask import Response


def attachment(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
