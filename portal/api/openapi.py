"""The OpenAPI 3.1 document for what the API offers today."""
from __future__ import annotations

import models

from .. import limits
from . import bodies as b
from . import bodies_content as c
from .openapi_paths import ERROR, ID, IF_MATCH, ITEM, _goals_paths, _json, _resp, _workflow_paths


def _twin_paths(errors: dict) -> dict:
    """The API twins of the remaining page actions (issue #17): what a page can do, a script can do."""
    common = {"403": _resp("Not allowed", ERROR), "422": _resp("Invalid", ERROR), **errors}
    key = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}
    code = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
    upload = {"content": {"multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"}}}}}}
    imported = {"201": _resp("All lines stored", {"type": "object", "properties": {"imported": {"type": "integer"}}}),
                "413": _resp("Larger than 1 MB", ERROR), "422": _resp("Nothing stored; fields name every bad line", ERROR), **errors}
    stale = {"412": _resp("Stale", ERROR), "428": _resp("If-Match missing", ERROR)}
    return {
        "/action-items/{id}/cancellation": {"parameters": [ID], "post": {
            "summary": "The item lapses (vervalt) with a reason", "parameters": [IF_MATCH],
            "requestBody": _json(b.ReasonBody),
            "responses": {"200": _resp("The item", ITEM), "412": _resp("Stale: the body is the current item", ITEM), **common}}},
        "/action-items/import": {"post": {
            "summary": "Import the action list (XLSX or CSV): all lines become items, or none",
            "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                "file": {"type": "string", "format": "binary"},
                "mapping": {"type": "string", "description": 'JSON {field: column number from 0, or null}; default: guessed from the header'}}}}}},
            "responses": {**imported, "403": _resp("Not allowed", ERROR)}}},
        "/indicators/{key}/definitions": {"parameters": [key], "post": {
            "summary": "A new version of the definition from a period on (a break in the series)",
            "requestBody": _json(c.Definition),
            "responses": {"201": _resp("The new version"), **common}}},
        "/indicators/{key}/expected": {"parameters": [key], "post": {
            "summary": "When the figure of a period is expected; the producing organisation is reminded",
            "requestBody": _json(c.Expected),
            "responses": {"201": _resp("Planned"), **common}}},
        "/indicators/{key}/measurements/{measurement_id}/corrections": {
            "parameters": [key, {"name": "measurement_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "post": {"summary": "Correct a figure with a reason; If-Match is the figure's version; the old value stays in the history",
                     "parameters": [IF_MATCH], "requestBody": _json(c.Correction),
                     "responses": {"201": _resp("The indicator"), **stale, **common}}},
        "/indicators/{key}/import": {"parameters": [key], "post": {
            "summary": "Figures of one indicator from a CSV (period;value;source;note): all lines or none",
            "requestBody": upload, "responses": {**imported, "403": _resp("Not allowed", ERROR)}}},
        "/indicators/import": {"post": {
            "summary": "Figures for many indicators from one CSV or XLSX: all lines or none",
            "requestBody": upload, "responses": {**imported, "403": _resp("Not allowed", ERROR)}}},
        "/focus-areas/{code}/weights": {"parameters": [code], "put": {
            "summary": "Weights of the commitments in the roll-up (coordinators), 0.1 to 100 each, all or none",
            "requestBody": _json(b.Weights),
            "responses": {"200": _resp("The weights"), **common}}},
        "/meeting-series": {"post": {
            "summary": "Add a meeting series (coordinators); its code prefixes decision numbers",
            "requestBody": _json(b.SeriesBody),
            "responses": {"201": _resp("The series"), **common}}},
        "/meetings/{id}/invitations": {"parameters": [ID], "post": {
            "summary": "Invite a person of an invited organisation by name (coordinators)",
            "requestBody": _json(b.Invitation),
            "responses": {"201": _resp("The meeting"), "409": _resp("Minutes approved", ERROR), **common}}},
        "/recommendations/{id}/related": {"parameters": [ID], "post": {
            "summary": "Link (or with linked=false unlink) two recommendations that ask the same (coordinators)",
            "requestBody": _json(b.Related),
            "responses": {"200": _resp("The related ids"), **common}}},
        "/reports/{id}/narratives": {"parameters": [ID], "post": {
            "summary": "An organisation's text for a focus area of the report; a coordinator approves it",
            "requestBody": _json(c.Narrative),
            "responses": {"201": _resp("The narrative (draft)"), **common}}},
        "/reports/{id}/narratives/{narrative_id}/approve": {
            "parameters": [ID, {"name": "narrative_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "post": {"summary": "Approve a narrative (coordinators)", "responses": {"200": _resp("The narrative, approved"), **common}}},
        "/update-rounds": {
            "get": {"summary": "Update rounds, newest first", "responses": {"200": _resp("OK"), **errors}},
            "post": {"summary": "Open an update round (coordinators); everyone with open items is asked by e-mail",
                     "requestBody": _json(c.Round),
                     "responses": {"201": _resp("The round with its overview"), **common}}},
        "/update-rounds/{id}": {"parameters": [ID], "get": {
            "summary": "A round, with per organisation the open items and how many were updated (over what you may see)",
            "responses": {"200": _resp("OK"), **errors}}},
        "/update-rounds/{id}/close": {"parameters": [ID], "post": {
            "summary": "Close the round (coordinators)", "responses": {"200": _resp("The round"), **common}}},
        "/disposal-lists": {"get": {"summary": "Disposal lists (admins): kind, number and date of each record, never content",
                                    "responses": {"200": _resp("OK"), **common}}},
        "/disposal-lists/{id}/approve": {"parameters": [ID], "post": {
            "summary": "Approve a proposed disposal list (admins); only then can `flask portal dispose` carry it out",
            "responses": {"200": _resp("The list, approved"), "409": _resp("Not a proposed list", ERROR), **common}}},
        "/sessions/end-all": {"post": {
            "summary": "End every session of the caller and revoke every token (this one too)",
            "responses": {"200": _resp("How many ended", {"type": "object", "properties": {"sessions_ended": {"type": "integer"},
                                                                                              "tokens_revoked": {"type": "integer"}}}), **errors}}},
    }


def _document() -> dict:
    errors = {"401": _resp("Not signed in", ERROR), "404": _resp("Not found or not visible", ERROR)}
    return {
        "openapi": "3.1.0",
        "info": {"title": "MDT-portaal mensensmokkel API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"session": []}, {"bearer": []}],
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "portal",
                            "description": "Browser session; non-GET requests need header X-CSRFToken (from GET /me)."},
                "bearer": {"type": "http", "scheme": "bearer", "description": "Personal access token"},
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["code", "message", "fields"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                                   "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}}},
                "Me": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"}, "email": {"type": ["string", "null"]},
                    "organisation": {"type": "string"}, "role": {"enum": list(models.ROLES)},
                    "csrf_token": {"type": "string"}}},
                "Token": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"}, "prefix": {"type": "string"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "last_used_at": {"type": ["string", "null"], "format": "date-time"},
                    "expires_at": {"type": ["string", "null"], "format": "date-time"},
                    "token": {"type": "string", "description": "Only in the response to POST, shown once"}}},
                "ActionItem": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "title": {"type": "string"}, "description": {"type": "string"},
                    "recommendation_ids": {"type": "array", "items": {"type": "integer"}},
                    "focus_area": {"type": ["string", "null"]}, "meeting_id": {"type": ["integer", "null"]},
                    "owner_organisation": {"type": "string"},
                    "contributing_organisations": {"type": "array", "items": {"type": "string"}},
                    "assignee_id": {"type": ["integer", "null"]},
                    "due_date": {"type": ["string", "null"], "format": "date"},
                    "status": {"enum": list(models.STATUSES)},
                    "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                    "visibility": {"enum": list(models.VISIBILITIES)},
                    "shared_with": {"type": "array", "items": {"type": "string"}},
                    "version": {"type": "integer"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "updated_at": {"type": "string", "format": "date-time"}}},
            },
        },
        "paths": {
            "/me": {"get": {"summary": "The signed-in user", "responses": {"200": _resp("OK", {"$ref": "#/components/schemas/Me"}), **errors}}},
            "/organisations": {"get": {"summary": "Organisations", "responses": {"200": _resp("OK"), **errors}},
                               "post": {"summary": "Add an organisation (admins)",
                                        "requestBody": _json(c.OrganisationCreate),
                                        "responses": {"201": _resp("Added"), "403": _resp("Not an admin", ERROR), "422": _resp("Invalid", ERROR), **errors}}},
            "/tokens": {
                "get": {"summary": "Your active personal access tokens", "responses": {"200": _resp("OK", {"type": "array", "items": {"$ref": "#/components/schemas/Token"}}), **errors}},
                "post": {"summary": "Create a token; the secret is in this response only",
                         "requestBody": _json(c.TokenCreate),
                         "responses": {"201": _resp("Created", {"$ref": "#/components/schemas/Token"}), "422": _resp("Invalid", ERROR), **errors}},
            },
            "/tokens/{id}": {"delete": {"summary": "Revoke a token", "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                                        "responses": {"204": _resp("Revoked"), **errors}}},
            "/action-items": {
                "get": {"summary": "Action items you may see, filtered",
                        "parameters": [{"name": n, "in": "query", "schema": {"type": t}} for n, t in (
                            ("status", "string"), ("organisation", "string"), ("focus_area", "string"),
                            ("recommendation", "integer"), ("overdue", "boolean"), ("q", "string"),
                            ("page", "integer"), ("per_page", "integer"))],
                        "responses": {"200": _resp("OK", {"type": "object", "properties": {
                            "items": {"type": "array", "items": ITEM},
                            "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"}}}),
                            "400": _resp("Bad filter", ERROR), **errors}},
                "post": {"summary": "Create an action item (201, Location, ETag); with Idempotency-Key a repeat returns the first (200)",
                         "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "minLength": 8, "maxLength": limits.IDEMPOTENCY_KEY}}],
                         "requestBody": _json(b.ItemWrite),
                         "responses": {"201": _resp("Created", ITEM), "200": _resp("Repeat of an earlier create", ITEM), "403": _resp("Readers cannot create", ERROR),
                                       "415": _resp("Not JSON", ERROR), "422": _resp("Invalid fields", ERROR), **errors}},
            },
            "/action-items/{id}": {
                "parameters": [ID],
                "get": {"summary": "One action item, with ETag", "responses": {"200": _resp("OK", ITEM), **errors}},
                "patch": {"summary": "Change fields; needs If-Match with the version", "parameters": [IF_MATCH],
                          "requestBody": _json(b.ItemWrite),
                          "responses": {"200": _resp("Changed", ITEM), "403": _resp("Not allowed", ERROR),
                                        "412": _resp("Stale: the body is the current item", ITEM),
                                        "422": _resp("Invalid fields", ERROR), "400": _resp("If-Match is not a version", ERROR), "428": _resp("If-Match missing", ERROR), **errors}},
            },
            "/action-items/{id}/updates": {"parameters": [ID], "post": {
                "summary": "Progress update; needs If-Match", "parameters": [IF_MATCH],
                "requestBody": _json(b.UpdateBody),
                "responses": {"201": _resp("Recorded; the updated item", ITEM), "412": _resp("Stale", ITEM),
                              "422": _resp("Invalid", ERROR), "400": _resp("If-Match is not a version", ERROR), "428": _resp("If-Match missing", ERROR), **errors}}},
            "/action-items/{id}/history": {"parameters": [ID], "get": {"summary": "Progress updates and audit events of the item",
                                                                       "responses": {"200": _resp("OK"), **errors}}},
            "/recommendations": {"get": {"summary": "Recommendations with linked visible action items", "responses": {"200": _resp("OK"), **errors}}},
            "/recommendations/{id}": {"parameters": [ID], "get": {"summary": "One recommendation", "responses": {"200": _resp("OK"), **errors}}},
            "/recommendations/{id}/state": {"parameters": [ID], "get": {
                "summary": "Where we stand on the recommendation as of a date (default today): its actions the caller may see, counted by "
                           "their status on that date, late, progress, the targets with the figure of the same period known then, the last "
                           "letter to Parliament and what changed since",
                "parameters": [{"name": "as_of", "in": "query", "schema": {"type": "string", "format": "date"}}],
                "responses": {"200": _resp("The state", {"type": "object", "required": ["as_of", "items", "counts", "late", "targets"], "properties": {
                    "as_of": {"type": "string", "format": "date"}, "recommendation_id": {"type": "integer"},
                    "items": {"type": "array", "items": {"type": "integer"}},
                    "counts": {"type": "object", "additionalProperties": {"type": "integer"}}, "late": {"type": "integer"},
                    "progress": {"type": ["integer", "null"]}, "targets": {"type": "array", "items": {"type": "object"}},
                    "last_letter": {"type": ["object", "null"]}, "changes_since_last_letter": {"type": "array", "items": {"type": "object"}}}}),
                    "422": _resp("Not a date, or in the future", ERROR), **errors}}},
            "/commitments/{id}/state": {"parameters": [ID], "get": {
                "summary": "The same answer for a commitment of a framework: its actions the caller may see and its own targets",
                "parameters": [{"name": "as_of", "in": "query", "schema": {"type": "string", "format": "date"}}],
                "responses": {"200": _resp("The state", {"type": "object", "required": ["as_of", "commitment_id", "items", "counts", "late", "targets"]}),
                              "422": _resp("Not a date, or in the future", ERROR), **errors}}},
            "/indicators": {"get": {"summary": "Indicators with every measurement (null value = published as not available)",
                                    "responses": {"200": _resp("OK"), **errors}}},
            "/indicators/{key}/measurements": {"parameters": [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}],
                "post": {"summary": "Add a measurement (coordinators, or members of the owner organisation)",
                         "requestBody": _json(c.MeasurementBody),
                         "responses": {"201": _resp("Added; the indicator"), "403": _resp("Not allowed", ERROR), "422": _resp("Invalid", ERROR), **errors}}},
            "/reports": {
                "get": {"summary": "Reports (frozen snapshots)", "responses": {"200": _resp("OK"), **errors}},
                "post": {"summary": "Create a report as of a date (coordinators); frozen at once",
                         "requestBody": _json(c.ReportCreate),
                         "responses": {"201": _resp("Created"), "403": _resp("Not a coordinator", ERROR), "422": _resp("Invalid", ERROR), **errors}},
            },
            "/reports/{id}": {"parameters": [ID], "get": {"summary": "A report: summary and items, limited to what you may see",
                                                          "responses": {"200": _resp("OK"), **errors}}},
            "/reports/{id}/export.{fmt}": {"parameters": [ID, {"name": "fmt", "in": "path", "required": True, "schema": {"enum": ["docx", "pdf", "xlsx"]}},
                                                          {"name": "audience", "in": "query", "schema": {"enum": ["public"]}}],
                "get": {"summary": "The report as DOCX, PDF (PDF/UA) or XLSX; audience=public for the publication variant",
                        "responses": {"200": {"description": "The file"}, **errors}}},
            "/meetings": {
                "get": {"summary": "Meetings you may see", "responses": {"200": _resp("OK"), **errors}},
                "post": {"summary": "Prepare a meeting (coordinators): the agenda starts with the carried-over action list",
                         "requestBody": _json(b.MeetingWrite),
                         "responses": {"201": _resp("Created"), "403": _resp("Not a coordinator", ERROR), "422": _resp("Invalid", ERROR), **errors}},
            },
            "/meetings/{id}": {"parameters": [ID],
                "get": {"summary": "A meeting with attendees, agenda, minutes (restricted minutes only for organisations present) and decisions",
                        "responses": {"200": _resp("OK"), **errors}},
                "patch": {"summary": "Change a meeting or reorder its agenda (list of this meeting's agenda item ids); needs If-Match",
                          "parameters": [IF_MATCH], "requestBody": _json(b.MeetingWrite),
                          "responses": {"200": _resp("Changed"), "412": _resp("Stale: the body is the current meeting"),
                                        "422": _resp("Invalid", ERROR), "400": _resp("If-Match is not a version", ERROR), "428": _resp("If-Match missing", ERROR), **errors}}},
            "/focus-areas": {"get": {"summary": "Focus areas with their commitments", "responses": {"200": _resp("OK"), **errors}}},
            "/search": {"get": {"summary": "Search what you may see", "parameters": [{"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}],
                                "responses": {"200": _resp("OK"), "400": _resp("No query", ERROR), **errors}}},
            **_workflow_paths(errors),
            **_goals_paths(errors),
            **_twin_paths(errors),
        },
    }


def _with_content(doc: dict) -> dict:
    from .openapi_content import content_paths

    errors = {"401": _resp("Not signed in", ERROR), "404": _resp("Not found or not visible", ERROR)}

    for path, item in content_paths(_resp, _json, errors, ERROR, ID, IF_MATCH).items():
        doc["paths"].setdefault(path, {}).update(item)
    return doc


METHODS = ("get", "put", "post", "patch", "delete")
# What the edge and the shared machinery may answer on any operation (rule 13): bad input (400), not signed in (401),
# not allowed (403), not found or not visible (404), the rate limits (429).
EVERY_OPERATION = {"400": "Bad input at the edge (control characters, numbers out of range, malformed body)",
                   "401": "Not signed in", "403": "Not allowed", "404": "Not found or not visible", "429": "Too many requests"}
WITH_BODY = {"413": "Too large", "415": "Not JSON (or not multipart where a file is asked)", "422": "Invalid fields"}
WITH_IF_MATCH = {"412": "Stale: the body is the current record", "428": "If-Match missing"}


def _operation_id(method: str, path: str) -> str:
    words = [part.strip("{}").replace("-", "_") for part in path.strip("/").split("/")]
    return "_".join([method, *words])


def _complete(doc: dict) -> dict:
    """Every operation gets an operationId and lists every status the shared machinery can answer, so no operation's
    answer is missing from the document; the statuses an operation states itself keep their own description."""
    for path, item in doc["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            operation.setdefault("operationId", _operation_id(method, path))
            responses = operation["responses"]
            extra = dict(EVERY_OPERATION)
            if "requestBody" in operation:
                extra |= WITH_BODY
            if any(p.get("name") == "If-Match" for p in operation.get("parameters", []) + item.get("parameters", [])):
                extra |= WITH_IF_MATCH
            for status, description in extra.items():
                # A 412 carries the current record (its own shape), every other status the error object.
                responses.setdefault(status, _resp(description) if status == "412" else _resp(description, ERROR))
    return doc


def document() -> dict:
    return _complete(_with_content(_document()))
