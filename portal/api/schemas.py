"""JSON shapes of the API, in one place."""
from __future__ import annotations

from functools import cache
from typing import Any

from flask import jsonify
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import TypeAdapter, ValidationError
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import ErrorDetails

from models import AccessToken, ActionItem

from ..actions.queries import Links


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


def item_json(item: ActionItem, links: Links) -> dict:
    """An item as the API shows it; its links read with actions.queries.links (one statement for any number of items)."""
    return {
        "id": item.id,
        "title": item.title,
        "description": item.description,
        "recommendation_ids": links.recommendation_ids,
        "focus_area": item.focus_area.code if item.focus_area else None,
        "meeting_id": item.meeting_id,
        "owner_organisation": item.owner_organisation.code,
        "contributing_organisations": links.contributing_organisations,
        "assignee_id": item.assignee_id,
        "due_date": _iso(item.due_date),
        "status": item.status,
        "progress": item.progress,
        "visibility": item.visibility,
        "shared_with": links.shared_with,
        "version": item.version,
        "created_at": _iso(item.created_at),
        "updated_at": _iso(item.updated_at),
    }


# -- request bodies (api/bodies.py): validated and documented from one definition ------------------------------------

class _Document(GenerateJsonSchema):
    """JSON Schema for the OpenAPI document: no generated titles (the field's name says it)."""

    def field_title_should_be_set(self, schema) -> bool:
        return False


@cache
def _adapter(body_type: Any) -> TypeAdapter:
    return TypeAdapter(body_type)


def _inline(node: Any, defs: dict) -> Any:
    """The schema with every reference to a nested body replaced by that body (the document holds no $defs)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = {k: v for k, v in defs[node["$ref"].rsplit("/", 1)[-1]].items() if k != "title"}
            return _inline(target, defs)
        return {k: _inline(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


@cache
def json_schema(body_type: Any) -> dict:
    schema = _adapter(body_type).json_schema(schema_generator=_Document)
    defs = schema.pop("$defs", {})
    schema.pop("title", None)
    return _inline(schema, defs)


def _types(schema: dict) -> frozenset[str]:
    if "anyOf" in schema:
        return frozenset().union(*(_types(s) for s in schema["anyOf"]))
    return frozenset({schema["type"]} if "type" in schema else set())


TYPE_MESSAGES = {frozenset({"string"}): _l("Geef tekst."), frozenset({"string", "null"}): _l("Geef tekst, of null."),
                 frozenset({"integer"}): _l("Geef een nummer."), frozenset({"integer", "null"}): _l("Geef een nummer, of null."),
                 frozenset({"boolean"}): _l("Geef true of false."), frozenset({"array"}): _l("Geef een lijst."),
                 frozenset({"object"}): _l("Geef een object."),
                 frozenset({"integer", "number", "string", "null"}): _l("Geef een getal, of null voor niet beschikbaar."),
                 frozenset({"integer", "number", "string"}): _l("Geef een getal.")}


def _field_schema(schema: dict, loc: tuple) -> dict:
    """The schema of the place an error points at: a property, an array's items, an object's values."""
    for step in loc:
        if isinstance(step, int):
            schema = schema.get("items", {})
        elif step in schema.get("properties", {}):
            schema = schema["properties"][step]
        elif isinstance(schema.get("additionalProperties"), dict):
            schema = schema["additionalProperties"]
        else:
            break  # a union's member ("str", "int"): the field's own schema says what it takes
    return schema


# A value outside a field's limits, choices or range, or a field left out, is the service's to say: it checks it with the
# same constants (portal/limits.py, the models' choices) after it has checked permission, and names every field at once.
# The edge refuses what no service could read: a wrong JSON type, a field the body does not have.
VALUE_ERRORS = frozenset({"missing", "string_too_long", "string_too_short", "too_long", "too_short", "literal_error",
                          "greater_than_equal", "less_than_equal", "greater_than", "less_than", "string_pattern_mismatch"})


def _message(error: ErrorDetails, schema: dict, read_only: bool) -> str:
    if error["type"] == "extra_forbidden":
        return _("Dit veld kan niet worden gewijzigd.") if read_only else _("Onbekend veld.")
    return str(TYPE_MESSAGES.get(_types(schema), _l("Dit soort waarde past hier niet.")))


def validated(body_type: Any, body: Any, read_only: frozenset[str] | set[str] = frozenset()) -> Any:
    """The body (the fields sent) when each field has the JSON type `body_type` gives it, else a 422 naming every field of
    the wrong type or unknown to the body (a field in `read_only` as one that cannot be changed). Values are the service's
    (VALUE_ERRORS)."""
    try:
        return _adapter(body_type).validate_python(body)
    except ValidationError as exc:
        errors = [e for e in exc.errors() if e["type"] not in VALUE_ERRORS]
        if not errors:
            return body
        schema = json_schema(body_type)
        fields: dict[str, str] = {}
        for error in errors:
            name = str(error["loc"][0]) if error["loc"] else "body"
            fields.setdefault(name, _message(error, _field_schema(schema, error["loc"]), name in read_only))
        raise ApiError(422, "validation_failed", _("Controleer de velden."), fields) from None
