"""The OpenAPI document's shared parts (error, item, path and If-Match parameters, body and response helpers) and the paths
of the page actions' API twins and of targets, the follow-up register and Parliament; api/openapi.py assembles the document."""
from __future__ import annotations

from typing import Any

from . import bodies as b
from . import bodies_content as c
from .schemas import json_schema

ERROR = {"$ref": "#/components/schemas/Error"}
ITEM = {"$ref": "#/components/schemas/ActionItem"}
ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
IF_MATCH = {"name": "If-Match", "in": "header", "required": True, "schema": {"type": "string"}, "description": 'The ETag, e.g. "3"'}


MEETING_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
AGENDA_ID = {"name": "agenda_item_id", "in": "path", "required": True, "schema": {"type": "integer"}}
ATTACHMENT_ID = {"name": "attachment_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _json(body_type: Any) -> dict:
    """A JSON request body, its schema generated from its one definition in api/bodies.py (what the route validates)."""
    return {"content": {"application/json": {"schema": json_schema(body_type)}}}


def _workflow_paths(errors: dict) -> dict:
    """The page actions' API twins (closure, comments, attachments, agenda, attendance, minutes, decisions, approval, errata)."""
    stale = {"412": _resp("Stale: the body is the current item", ITEM), "428": _resp("If-Match missing", ERROR),
             "400": _resp("If-Match is not a version", ERROR)}
    common = {"403": _resp("Not allowed", ERROR), "422": _resp("Invalid", ERROR), **errors}
    locked = {"409": _resp("The meeting's minutes are approved: it no longer changes", ERROR)}
    return {
        "/action-items/{id}/closure": {"parameters": [ID], "post": {
            "summary": "First key: the owner organisation reports the item done; status becomes awaiting_confirmation",
            "parameters": [IF_MATCH], "requestBody": _json(b.NoteBody),
            "responses": {"200": _resp("The item, awaiting confirmation", ITEM), **stale, **common}}},
        "/action-items/{id}/closure/confirm": {"parameters": [ID], "post": {
            "summary": "Second key: a coordinator who did not request the closure confirms it; status becomes done",
            "parameters": [IF_MATCH], "responses": {"200": _resp("The item, done", ITEM), **stale, **common}}},
        "/action-items/{id}/closure/reject": {"parameters": [ID], "post": {
            "summary": "Send the closure back with a reason; status and progress return to what they were before the request",
            "parameters": [IF_MATCH], "requestBody": _json(b.ReasonBody),
            "responses": {"200": _resp("The item", ITEM), **stale, **common}}},
        "/action-items/{id}/comments": {"parameters": [ID],
            "get": {"summary": "Comments on the item", "responses": {"200": _resp("OK"), **errors}},
            "post": {"summary": "Add a comment", "requestBody": _json(b.CommentBody),
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
            "requestBody": _json(b.AgendaPoint),
            "responses": {"201": _resp("The meeting"), **locked, **common}}},
        "/meetings/{id}/attendance": {"parameters": [MEETING_ID], "put": {
            "summary": "Attendance per invited organisation; If-Match with the meeting's version",
            "parameters": [IF_MATCH], "requestBody": _json(b.Attendance),
            "responses": {"200": _resp("The meeting"), "412": _resp("Stale: the body is the current meeting"), **locked, **common}}},
        "/meetings/{id}/agenda/{agenda_item_id}/minutes": {"parameters": [MEETING_ID, AGENDA_ID], "put": {
            "summary": "Minutes of an agenda item; once they exist, If-Match with their version. Restricted minutes exist only "
                       "for organisations present (404 for everyone else)",
            "parameters": [{**IF_MATCH, "required": False}],
            "requestBody": _json(b.MinutesBody),
            "responses": {"200": _resp("The meeting; ETag is the minutes' version"), "412": _resp("Stale: the body is the current meeting"),
                          **locked, **common}}},
        "/meetings/{id}/decisions": {"parameters": [MEETING_ID], "post": {
            "summary": "Record a decision; numbered per series and year (MDT-2026-07)",
            "requestBody": _json(b.DecisionBody),
            "responses": {"201": _resp("The decision with its number"), **locked, **common}}},
        "/meetings/{id}/approve": {"parameters": [MEETING_ID], "post": {
            "summary": "Approve the minutes (coordinators), at or after the start of the next meeting of the series that the approver may see",
            "responses": {"200": _resp("The meeting, vastgesteld"), **common}}},
        "/meetings/{id}/errata": {"parameters": [MEETING_ID], "post": {
            "summary": "Add an erratum to approved minutes (coordinators who may read them)",
            "requestBody": _json(b.ErratumBody),
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
    return {
        "/frameworks": {"get": {"summary": "Every framework; in_force marks the one in force today", "responses": {"200": _resp("OK"), **errors}},
                        "post": {"summary": "Add the next framework (coordinators), carrying chosen commitments of the one in force over",
                                 "requestBody": _json(b.FrameworkBody),
                                 "responses": {"201": _resp("The framework"), **common}}},
        "/users": {"get": {"summary": "Users with organisation, role and status (admins)", "responses": {"200": _resp("OK"), **common}}},
        "/users/{id}": {"parameters": [ID], "patch": {"summary": "Change a user's role or status (admins); deactivation ends its sessions and revokes its tokens",
            "requestBody": _json(c.UserChange),
            "responses": {"200": _resp("The user"), **common}}},
        "/organisations/{code}": {"parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
            "patch": {"summary": "Change an organisation (admins); a change that takes access away answers 409 with its effect unless confirm is true",
                      "requestBody": _json(c.OrganisationChange),
                      "responses": {"200": _resp("The organisation and the effect"), "409": _resp("Confirm required; the body holds the effect"), **common}}},
        "/meetings/{id}/next": {"parameters": [ID], "post": {
            "summary": "Prepare the next meeting of the series from this one (coordinators): same invitations, place and visibility; "
                       "action list, standard agenda and the points that got no minutes",
            "requestBody": _json(b.NextMeeting),
            "responses": {"201": _resp("The new meeting"), **common}}},
        "/meeting-series/{code}": {"parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {"summary": "A series with its standard agenda", "responses": {"200": _resp("OK"), **errors}}},
        "/meeting-series/{code}/agenda": {"parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
            "put": {"summary": "Replace the series' standard agenda (coordinators)",
                    "requestBody": _json(b.StandardAgenda),
                    "responses": {"200": _resp("The series"), **common}}},
        "/commitments/{id}/targets": {"parameters": [ID], "post": {
            "summary": "Set, change (reason required) or withdraw (value null) the target of a period; always a new decision, with history",
            "requestBody": _json(b.TargetBody), "responses": {"201": _resp("The decision"), **common}}},
        "/recommendations/{id}/response": {"parameters": [ID], "post": {
            "summary": "Record the government's response as it stands; If-Match is the id of the response it replaces (\"0\" for the first)",
            "parameters": [IF_MATCH], "requestBody": _json(b.ResponseBody),
            "responses": {"201": _resp("The current response"), "412": _resp("Stale: the body holds the current response"),
                          "428": _resp("If-Match missing", ERROR), **common}}},
        "/parliament": {
            "get": {"summary": "Toezeggingen and moties; linked action items only those you may see", "responses": {"200": _resp("OK"), **errors}},
            "post": {"summary": "Register a toezegging or motie (coordinators)", "requestBody": _json(b.ParliamentCreate),
                     "responses": {"201": _resp("Registered"), **common}}},
        "/parliament/{id}": {"parameters": [ID],
            "get": {"summary": "One toezegging or motie", "responses": {"200": _resp("OK"), **errors}},
            "patch": {"summary": "Change it (coordinators); needs If-Match with its version", "parameters": [IF_MATCH],
                      "requestBody": _json(b.ParliamentWrite), "responses": {"200": _resp("Changed"), "412": _resp("Stale: the body is the current one"),
                                                                      "428": _resp("If-Match missing", ERROR), **common}}},
    }


def _resp(description: str, schema: dict | None = None) -> dict:
    body: dict = {"description": description}
    if schema:
        body["content"] = {"application/json": {"schema": schema}}
    return body
