"""JSON shapes of the API, in one place."""
from __future__ import annotations

from flask import jsonify

from models import AccessToken, ActionItem


def _iso(value):
    return value.isoformat() if value is not None else None


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}


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
