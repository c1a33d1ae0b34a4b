"""JSON shapes of the API, in one place."""
from __future__ import annotations

from flask import jsonify
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import AccessToken, ActionItem


def _iso(value):
    return value.isoformat() if value is not None else None


class ApiError(Exception):
    """An API error answer. Messages may be lazy (the catalogue's, read in the request's language): they become text here."""

    def __init__(self, status: int, code: str, message, fields: dict | None = None):
        super().__init__(str(message))
        self.status, self.code, self.message = status, code, str(message)
        self.fields = {k: str(v) if isinstance(v, LazyString) else v for k, v in (fields or {}).items()}


def api_error(status: int, code: str, message: str, fields: dict | None = None):
    response = jsonify(error={"code": code, "message": message, "fields": fields or {}})
    response.status_code = status
    return response


def token_json(token: AccessToken) -> dict:
    return {"id": token.id, "name": token.name, "prefix": token.prefix, "created_at": _iso(token.created_at),
            "last_used_at": _iso(token.last_used_at), "expires_at": _iso(token.expires_at)}


def item_json(item: ActionItem) -> dict:
    return {
        "id": item.id,
        "title": item.title,
        "description": item.description,
        "recommendation_ids": sorted(r.id for r in item.recommendations),
        "focus_area": item.focus_area.code if item.focus_area else None,
        "meeting_id": item.meeting_id,
        "owner_organisation": item.owner_organisation.code,
        "contributing_organisations": sorted(o.code for o in item.contributing_organisations),
        "assignee_id": item.assignee_id,
        "due_date": _iso(item.due_date),
        "status": item.status,
        "progress": item.progress,
        "visibility": item.visibility,
        "shared_with": sorted(o.code for o in item.shared_with),
        "version": item.version,
        "created_at": _iso(item.created_at),
        "updated_at": _iso(item.updated_at),
    }


# Field types the API takes, per resource; a value of another type is a 422 naming the field.
TEXT, TEXT_OR_NULL, INT, INT_OR_NULL, BOOL = (str,), (str, type(None)), (int,), (int, type(None)), (bool,)
CODES, IDS = "codes", "ids"

ITEM_TYPES = {"title": TEXT, "description": TEXT_OR_NULL, "recommendation_ids": IDS, "focus_area": TEXT_OR_NULL,
              "owner_organisation": TEXT, "contributing_organisations": CODES, "assignee_id": INT_OR_NULL,
              "due_date": TEXT_OR_NULL, "visibility": TEXT, "shared_with": CODES}
MEETING_TYPES = {"series": TEXT, "title": TEXT, "starts_at": TEXT, "ends_at": TEXT_OR_NULL, "location": TEXT_OR_NULL,
                 "is_online": BOOL, "chair_organisation": TEXT_OR_NULL, "visibility": TEXT, "shared_with": CODES,
                 "invited": CODES, "agenda": IDS}
TYPE_MESSAGES = {TEXT: _l("Geef tekst."), TEXT_OR_NULL: _l("Geef tekst, of null."), INT: _l("Geef een nummer."),
                 INT_OR_NULL: _l("Geef een nummer, of null."), BOOL: _l("Geef true of false."), CODES: _l("Geef een lijst met organisatiecodes."),
                 IDS: _l("Geef een lijst met nummers.")}


def _fits(value, kind) -> bool:
    if kind == CODES:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == IDS:
        return isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    if isinstance(value, bool) and kind != BOOL:
        return False
    return isinstance(value, kind)


def check_types(body: dict, types: dict) -> None:
    """422 for every known field whose JSON type is wrong (before any service sees it)."""
    wrong = {name: TYPE_MESSAGES.get(kind, _l("Dit soort waarde past hier niet.")) for name, kind in types.items()
             if name in body and not _fits(body[name], kind)}
    if wrong:
        raise ApiError(422, "validation_failed", _("Controleer de velden."), wrong)
