"""The service exceptions every feature raises, and how the app answers them (pages, htmx and API alike)."""
from __future__ import annotations


class ValidationFailed(Exception):
    """422: the input is wrong; `fields` has a message per field."""

    def __init__(self, fields: dict[str, str]):
        super().__init__(", ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


class VersionConflict(Exception):
    """409 (pages) / 412 (API): the record changed since the version the write was based on."""

    def __init__(self, item):
        super().__init__(f"{type(item).__name__} {item.id} is at version {item.version}")
        self.item = item


class NotAllowed(Exception):
    """403: the user may see the record but not do this. The reason is for the log; `words`, when given, tell the
    reader (an API route names what it refuses, see api.helpers.service_call)."""

    def __init__(self, reason: str = "", words: str | None = None):
        super().__init__(reason)
        self.words = words


class VersionMissing(ValidationFailed):
    """428 (API) / 422 (pages): a write to an existing record must name the version it was based on."""


class Locked(ValidationFailed):
    """409: the record is approved and no longer changes (rule 6); `fields` says why."""


class NotFound(Exception):
    """404: the record does not exist for this user (missing and not visible look the same)."""
