"""What every API resource shares: JSON bodies, If-Match, one service call per request, errors as JSON."""
from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from flask import abort, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect

from models import ActionItem

from ..actions.queries import links
from ..errors import Locked, NotAllowed, ValidationFailed, VersionConflict, VersionMissing
from ..extensions import db
from ..inputs import bounded_int
from ..security import HTTP_MESSAGES
from ..sheets import MAX_BYTES
from ..writes import transaction
from . import bp
from .schemas import ApiError, api_error, item_json, validated

MAX_PER_PAGE = 100


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return api_error(exc.status, exc.code, exc.message, exc.fields)


_STALE_BODIES: dict[type, Callable] = {}


def stale_body(model: type, respond: Callable) -> None:
    """Register how a 412 answers for a record of this model: respond(record, status) -> response (default: an item)."""
    _STALE_BODIES[model] = respond


@bp.errorhandler(VersionConflict)
def _stale(exc: VersionConflict):
    """412 with the current record, so the client can merge (writes.transaction has kept the conflict's audit event)."""
    if inspect(exc.item, raiseerr=False) is not None:  # a record, not a version marker (a response's latest row)
        db.session.refresh(exc.item)
    return _STALE_BODIES.get(type(exc.item), _item_response)(exc.item, 412)


@bp.errorhandler(NotAllowed)
def _not_allowed(exc: NotAllowed):
    return api_error(403, "forbidden", exc.words or str(HTTP_MESSAGES[403]), {})


@bp.errorhandler(Locked)
def _locked(exc: Locked):
    return api_error(409, "locked", _("Dit verslag is vastgesteld en verandert niet meer."), exc.fields)


@bp.errorhandler(VersionMissing)
def _version_missing(_exc: VersionMissing):
    return api_error(428, "precondition_required", str(IF_MATCH_MISSING), {})


@bp.errorhandler(ValidationFailed)
def _invalid(exc: ValidationFailed):
    return api_error(422, "validation_failed", _("Controleer de velden."), exc.fields)


@contextmanager
def service_call(forbidden: str):
    """An API route's service call: writes.transaction (the one write boundary), with the route's words for a refusal.
    The handlers above answer what it raises, as JSON."""
    try:
        with transaction():
            yield
    except NotAllowed as exc:
        raise NotAllowed(str(exc), words=forbidden) from None


def _json_body() -> dict:
    """The request's JSON object (its depth and its strings and numbers are checked at the edge, portal/inputs.py)."""
    if not request.is_json:
        abort(415)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", _("De inhoud is geen geldig JSON-object."))
    return body


IF_MATCH_MISSING = _l("Stuur de header If-Match met de versie (ETag) waarop uw wijziging is gebaseerd.")


def _if_match(required: bool = True) -> int | None:
    """The version a write is based on (action items and meetings alike): 428 without, 400 when malformed.
    With required=False a missing header is None, for the service to decide (after it has checked visibility)."""
    header = request.headers.get("If-Match")
    if not header:
        if not required:
            return None
        raise ApiError(428, "precondition_required", IF_MATCH_MISSING)
    value = header.strip().removeprefix("W/").strip('"')
    version = bounded_int(value)
    if version is None:
        raise ApiError(400, "bad_request", _("If-Match moet een versie zijn, bijvoorbeeld \"3\"."))
    return version


def versioned(body: dict, version: int, status: int = 200):
    """One versioned record as JSON, its version as ETag (the If-Match a change of it needs)."""
    response = jsonify(body)
    response.status_code = status
    response.headers["ETag"] = f'"{version}"'
    return response


def _item_response(item: ActionItem, status: int = 200):
    return versioned(item_json(item, links(db.session, [item.id])[item.id]), item.version, status)


def uploaded_file() -> tuple[str, bytes]:
    """The file of a multipart request (field `file`), at most 1 MB: 422 without one, 413 when larger."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError(422, "validation_failed", _("Controleer de velden."), {"file": _("Stuur een bestand (multipart, veld file).")})
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ApiError(413, "too_large", _("Het bestand is groter dan 1 MB."))
    return upload.filename, raw


def body_of(body_type: Any, read_only: frozenset[str] | set[str] = frozenset()) -> Any:
    """The request's JSON object as `body_type` (api/bodies.py) takes it: the fields sent, each of its JSON type, else 415,
    400 or 422 naming every wrong or unknown field (a field in `read_only` as one that cannot be changed). Values are the
    service's to judge (schemas.validated)."""
    return validated(body_type, _json_body(), read_only)


def posted_mapping(fields: dict) -> dict[str, int | None] | None:
    """An import's column mapping (multipart field `mapping`: JSON {field: column number from 0, or null}); None without one."""
    if not request.form.get("mapping"):
        return None
    try:
        mapping = json.loads(request.form["mapping"])
    except ValueError:
        mapping = None
    if not (isinstance(mapping, dict) and set(mapping) <= set(fields)
            and all(v is None or (isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 1000) for v in mapping.values())):
        raise ApiError(422, "validation_failed", _("Controleer de velden."), {"mapping": _("Geef per veld het kolomnummer (vanaf 0), of null.")})
    return mapping
