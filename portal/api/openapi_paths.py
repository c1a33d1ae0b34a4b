"""The OpenAPI document's shared parts (error, item, path and If-Match parameters, body and response helpers) and the paths
of the page actions' API twins and of targets, the follow-up register and Parliament; api/openapi.py assembles the document."""
from __future__ import annotations

import models

from .. import limits

ERROR = {"$ref": "#/components/schemas/Error"}
ITEM = {"$ref": "#/components/schemas/ActionItem"}
ITEM_WRITE = {"type": "object", "additionalProperties": False, "properties": {
    "title": {"type": "string", "maxLength": limits.TITLE}, "description": {"type": "string", "maxLength": limits.DESCRIPTION},
    "recommendation_ids": {"type": "array", "items": {"type": "integer"}}, "focus_area": {"type": ["string", "null"]},
    "owner_organisation": {"type": "string"}, "contributing_organisations": {"type": "array", "items": {"type": "string"}},
    "assignee_id": {"type": ["integer", "null"]}, "due_date": {"type": ["string", "null"], "format": "date"},
    "visibility": {"enum": list(models.VISIBILITIES)}, "shared_with": {"type": "array", "items": {"type": "string"}}}}
MEETING_WRITE = {"type": "object", "additionalProperties": False, "properties": {
    "series": {"type": "string"}, "title": {"type": "string"}, "starts_at": {"type": "string", "format": "date-time"},
    "ends_at": {"type": ["string", "null"], "format": "date-time"}, "location": {"type": ["string", "null"]},
    "is_online": {"type": "boolean"}, "chair_organisation": {"type": ["string", "null"]}, "visibility": {"enum": list(models.VISIBILITIES)},
    "shared_with": {"type": "array", "items": {"type": "string"}}, "invited": {"type": "array", "items": {"type": "string"}},
    "agenda": {"type": "array", "items": {"type": "integer"}}}}
ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
IF_MATCH = {"name": "If-Match", "in": "header", "required": True, "schema": {"type": "string"}, "description": 'The ETag, e.g. "3"'}


MEETING_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
AGENDA_ID = {"name": "agenda_item_id", "in": "path", "required": True, "schema": {"type": "integer"}}
ATTACHMENT_ID = {"name": "attachment_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _json(properties: dict, required: list[str] | None = None) -> dict:
    schema = {"type": "object", "additionalProperties": False, "properties": properties}
    if required:
        schema["required"] = required
    return {"content": {"application/json": {"schema": schema}}}


def _workflow_paths(errors: dict) -> dict:
    """The page actions' API twins (closure, comments, attachments, agenda, attendance, minutes, decisions, approval, errata)."""
    stale = {"412": _resp("Stale: the body is the current item", ITEM), "428": _resp("If-Match missing", ERROR),
             "400": _resp("If-Match is not a version", ERROR)}
    common = {"403": _resp("Not allowed", ERROR), "422": _resp("Invalid", ERROR), **errors}
    locked = {"409": _resp("The meeting's minutes are approved: it no longer changes", ERROR)}
    return {
        "/action-items/{id}/closure": {"parameters": [ID], "post": {
            "summary": "First key: the owner organisation reports the item done; status becomes awaiting_confirmation",
            "parameters": [IF_MATCH], "requestBody": _json({"note": {"type": "string"}}, ["note"]),
            "responses": {"200": _resp("The item, awaiting confirmation", ITEM), **stale, **common}}},
        "/action-items/{id}/closure/confirm": {"parameters": [ID], "post": {
            "summary": "Second key: a coordinator who did not request the closure confirms it; status becomes done",
            "parameters": [IF_MATCH], "responses": {"200": _resp("The item, done", ITEM), **stale, **common}}},
        "/action-items/{id}/closure/reject": {"parameters": [ID], "post": {
            "summary": "Send the closure back with a reason; status and progress return to what they were before the request",
            "parameters": [IF_MATCH], "requestBody": _json({"reason": {"type": "string"}}, ["reason"]),
            "responses": {"200": _resp("The item", ITEM), **stale, **common}}},
        "/action-items/{id}/comments": {"parameters": [ID],
            "get": {"summary": "Comments on the item", "responses": {"200": _resp("OK"), **errors}},
            "post": {"summary": "Add a comment", "requestBody": _json({"body": {"type": "string"}}, ["body"]),
                     "responses": {"201": _resp("Added"), **common}}},
        "/action-items/{id}/attachments": {"parameters": [ID],
            "get": {"summary": "Attachments of the item (metadata, with download url)", "responses": {"200": _resp("OK"), **errors}},
            "post": {"summary": "Upload a file (PDF, DOCX, XLSX, ODT, PNG, JPEG; checked on content)",
                     "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                         "file": {"type": "string", "format": "binary"}, "is_evidence": {"type": "boolean"}}}}}},
                     "responses": {"201": _resp("Stored"), "413": _resp("Too large", ERROR), **common}}},
        "/action-items/{id}/attachments/{attachment_id}": {"parameters": [ID, ATTACHMENT_ID], "get": {
            "summary": "The file itself, as a download", "responses": {"200": {"description": "The file"}, **errors}}},
        "/meetings/{id}/agenda": {"parameters": [MEETING_ID], "post": {
            "summary": "Add an agenda item (coordinators)",
            "requestBody": _json({"title": {"type": "string"}, "presenter": {"type": ["string", "null"]},
                                  "duration_minutes": {"type": ["integer", "null"]}, "focus_area": {"type": ["string", "null"]}}, ["title"]),
            "responses": {"201": _resp("The meeting"), **locked, **common}}},
        "/meetings/{id}/attendance": {"parameters": [MEETING_ID], "put": {
            "summary": "Attendance per invited organisation; If-Match with the meeting's version",
            "parameters": [IF_MATCH], "requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "additionalProperties": {"enum": list(models.meeting.ATTENDANCE)}}}}},
            "responses": {"200": _resp("The meeting"), "412": _resp("Stale: the body is the current meeting"), **locked, **common}}},
        "/meetings/{id}/agenda/{agenda_item_id}/minutes": {"parameters": [MEETING_ID, AGENDA_ID], "put": {
            "summary": "Minutes of an agenda item; once they exist, If-Match with their version. Restricted minutes exist only "
                       "for organisations present (404 for everyone else)",
            "parameters": [{**IF_MATCH, "required": False}],
            "requestBody": _json({"body": {"type": "string"}, "is_restricted": {"type": "boolean"}}, ["body"]),
            "responses": {"200": _resp("The meeting; ETag is the minutes' version"), "412": _resp("Stale: the body is the current meeting"),
                          **locked, **common}}},
        "/meetings/{id}/decisions": {"parameters": [MEETING_ID], "post": {
            "summary": "Record a decision; numbered per series and year (MDT-2026-07)",
            "requestBody": _json({"agenda_item_id": {"type": ["integer", "null"]}, "text": {"type": "string"},
                                  "focus_area": {"type": ["string", "null"]}}, ["text"]),
            "responses": {"201": _resp("The decision with its number"), **locked, **common}}},
        "/meetings/{id}/approve": {"parameters": [MEETING_ID], "post": {
            "summary": "Approve the minutes (coordinators), at or after the start of the next meeting of the series",
            "responses": {"200": _resp("The meeting, vastgesteld"), **common}}},
        "/meetings/{id}/errata": {"parameters": [MEETING_ID], "post": {
            "summary": "Add an erratum to approved minutes (coordinators who may read them)",
            "requestBody": _json({"agenda_item_id": {"type": "integer"}, "body": {"type": "string"}}, ["agenda_item_id", "body"]),
            "responses": {"201": _resp("The meeting"), **common}}},
        "/framework": {"get": {"summary": "Focus areas of the framework in force (or ?framework=<id>), counted over what you may see, today",
                               "parameters": [{"name": "framework", "in": "query", "schema": {"type": "integer"}}],
                               "responses": {"200": _resp("OK", {"type": "array", "items": {"type": "object", "properties": {
                                   "code": {"type": "string"}, "title": {"type": "string"}, "items": {"type": "integer"},
                                   "done": {"type": "integer"}, "awaiting_confirmation": {"type": "integer"},
                                   "late": {"type": "integer"}, "progress": {"type": ["integer", "null"]}}}}), **errors}}},
    }


def _goals_paths(errors: dict) -> dict:
    """Frameworks, targets, the follow-up register and commitments to Parliament."""
    common = {"403": _resp("Not allowed", ERROR), "422": _resp("Invalid", ERROR), **errors}
    target = {"period": {"type": "string", "examples": ["2025", "2025-Q3"]}, "value": {"type": ["number", "string", "null"]},
              "unit": {"type": "string"}, "direction": {"enum": list(models.TARGET_DIRECTIONS)}, "indicator": {"type": ["string", "null"]},
              "organisation": {"type": ["string", "null"]}, "valid_from": {"type": ["string", "null"], "format": "date"},
              "reason": {"type": ["string", "null"]}, "note": {"type": ["string", "null"]},
              "source": {"type": ["string", "null"], "description": "key of the document that set the target"}}
    response = {"stance": {"enum": list(models.RESPONSES)}, "text": {"type": ["string", "null"]},
                "responded_on": {"type": ["string", "null"], "format": "date"}, "document": {"type": ["string", "null"], "description": "source key"},
                "document_title": {"type": ["string", "null"]}, "kamerstuk": {"type": ["string", "null"]}, "url": {"type": ["string", "null"]},
                "reason": {"type": ["string", "null"]}}
    parliament = {"kind": {"enum": list(models.PARLIAMENT_KINDS)}, "kamerstuk": {"type": ["string", "null"]}, "text": {"type": "string"},
                  "date": {"type": ["string", "null"], "format": "date", "description": "the day it was made"}, "owner_organisation": {"type": ["string", "null"]},
                  "due": {"type": ["string", "null"], "examples": ["medio 2022", "begin 2017", "2025-03-01"]},
                  "status": {"enum": list(models.PARLIAMENT_STATUSES)},
                  "closed_on": {"type": ["string", "null"], "format": "date"},
                  "made_in": {"type": ["string", "null"], "maxLength": limits.PLACE, "description": "the debate or document"},
                  "member": {"type": ["string", "null"], "maxLength": limits.NAME, "description": "the Kamerlid"},
                  "due_reason": {"type": ["string", "null"], "maxLength": limits.REASON, "description": "why the term changed (kept in due_history)"},
                  "fulfilled_by": {"type": ["string", "null"], "description": "source key"}, "fulfilled_note": {"type": ["string", "null"]},
                  "action_item_ids": {"type": "array", "items": {"type": "integer"}}}
    return {
        "/frameworks": {"get": {"summary": "Every framework; in_force marks the one in force today", "responses": {"200": _resp("OK"), **errors}},
                        "post": {"summary": "Add the next framework (coordinators), carrying chosen commitments of the one in force over",
                                 "requestBody": _json({"title": {"type": "string"}, "period_start": {"type": "string", "format": "date"},
                                                       "period_end": {"type": "string", "format": "date"},
                                                       "carry_over_ids": {"type": "array", "items": {"type": "integer"}, "description": "commitment ids"}},
                                                      ["title", "period_start", "period_end"]),
                                 "responses": {"201": _resp("The framework"), **common}}},
        "/users": {"get": {"summary": "Users with organisation, role and status (admins)", "responses": {"200": _resp("OK"), **common}}},
        "/users/{id}": {"parameters": [ID], "patch": {"summary": "Change a user's role or status (admins); deactivation ends its sessions and revokes its tokens",
            "requestBody": _json({"role": {"enum": list(models.ROLES)}, "is_active": {"type": "boolean"}}),
            "responses": {"200": _resp("The user"), **common}}},
        "/organisations/{code}": {"parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
            "patch": {"summary": "Change an organisation (admins); a change that takes access away answers 409 with its effect unless confirm is true",
                      "requestBody": _json({"name": {"type": "string", "maxLength": limits.NAME}, "mdt_member": {"type": "boolean"}, "active": {"type": "boolean"},
                                            "confirm": {"type": "boolean"}}),
                      "responses": {"200": _resp("The organisation and the effect"), "409": _resp("Confirm required; the body holds the effect"), **common}}},
        "/meetings/{id}/next": {"parameters": [ID], "post": {
            "summary": "Prepare the next meeting of the series from this one (coordinators): same invitations, place and visibility; "
                       "action list, standard agenda and the points that got no minutes",
            "requestBody": _json({"starts_at": {"type": ["string", "null"], "format": "date-time", "description": "default: four weeks later"}}),
            "responses": {"201": _resp("The new meeting"), **common}}},
        "/meeting-series/{code}": {"parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {"summary": "A series with its standard agenda", "responses": {"200": _resp("OK"), **errors}}},
        "/meeting-series/{code}/agenda": {"parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
            "put": {"summary": "Replace the series' standard agenda (coordinators)",
                    "requestBody": _json({"standard_agenda": {"type": "array", "items": {"type": "string", "maxLength": limits.TITLE}}}, ["standard_agenda"]),
                    "responses": {"200": _resp("The series"), **common}}},
        "/commitments/{id}/targets": {"parameters": [ID], "post": {
            "summary": "Set, change (reason required) or withdraw (value null) the target of a period; always a new decision, with history",
            "requestBody": _json(target, ["period", "unit", "direction"]), "responses": {"201": _resp("The decision"), **common}}},
        "/recommendations/{id}/response": {"parameters": [ID], "post": {
            "summary": "Record the government's response as it stands; If-Match is the id of the response it replaces (\"0\" for the first)",
            "parameters": [IF_MATCH], "requestBody": _json(response, ["stance"]),
            "responses": {"201": _resp("The current response"), "412": _resp("Stale: the body holds the current response"),
                          "428": _resp("If-Match missing", ERROR), **common}}},
        "/parliament": {
            "get": {"summary": "Toezeggingen and moties; linked action items only those you may see", "responses": {"200": _resp("OK"), **errors}},
            "post": {"summary": "Register a toezegging or motie (coordinators)", "requestBody": _json(parliament, ["text"]),
                     "responses": {"201": _resp("Registered"), **common}}},
        "/parliament/{id}": {"parameters": [ID],
            "get": {"summary": "One toezegging or motie", "responses": {"200": _resp("OK"), **errors}},
            "patch": {"summary": "Change it (coordinators); needs If-Match with its version", "parameters": [IF_MATCH],
                      "requestBody": _json(parliament), "responses": {"200": _resp("Changed"), "412": _resp("Stale: the body is the current one"),
                                                                      "428": _resp("If-Match missing", ERROR), **common}}},
    }


def _resp(description: str, schema: dict | None = None) -> dict:
    body: dict = {"description": description}
    if schema:
        body["content"] = {"application/json": {"schema": schema}}
    return body
