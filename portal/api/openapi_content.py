"""The OpenAPI paths of the framework's content kept by coordinators (sources, recommendations, commitments,
indicators) and of a sent letter; merged into the document by api/openapi.py. Limits are the services' own."""
from __future__ import annotations

from models import ANSWER_STATUSES, INDICATOR_VISIBILITIES, RECOMMENDATION_KINDS, SOURCE_KINDS

from .. import limits
from ..indicators.catalogue import FREQUENCIES, KEY_PATTERN
from ..reports.letter import LIMITS as LETTER_LIMITS


def _text(maximum: int, nullable: bool = False) -> dict:
    return {"type": ["string", "null"] if nullable else "string", "maxLength": maximum}


CODES = {"type": "array", "items": {"type": "string", "maxLength": limits.CODE}}
REASON = {"reason": {**_text(limits.REASON, True), "description": "why it was changed (kept in the audit trail)"},
          "retired": {"type": "boolean", "description": "true retires it from today on (kept, never deleted); false restores it"}}
SOURCE = {"kind": {"enum": list(SOURCE_KINDS)}, "title": _text(limits.DOCUMENT_TITLE),
          "issued_on": {"type": ["string", "null"], "format": "date"}, "reference": _text(limits.REFERENCE, True),
          "kamerstuk": _text(limits.REFERENCE, True),
          "issued_by": {"type": ["string", "null"], "maxLength": limits.CODE, "description": "the issuing organisation's code (extern ones included)"},
          "issuer": _text(limits.NAME, True),
          "url": _text(limits.URL, True), "note": _text(limits.TEXT, True), **REASON}
RECOMMENDATION = {"source_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                  "number": {"type": "integer", "minimum": 1, "maximum": limits.NUMBER}, "text": _text(limits.RECOMMENDATION),
                  "kind": {"enum": list(RECOMMENDATION_KINDS)}, "addressees": CODES, "focus_areas": CODES, **REASON}
COMMITMENT = {"text": _text(limits.RECOMMENDATION), "code": {"type": ["string", "null"], "maxLength": limits.COMMITMENT_CODE, "description": "e.g. 3.1.4"},
              "note": _text(limits.TEXT, True), **REASON}
INDICATOR = {"key": {"type": "string", "pattern": f"^{KEY_PATTERN}$"}, "title": _text(limits.TITLE), "unit": _text(limits.UNIT),
             "definition": _text(limits.TEXT, True), "producer": _text(limits.NAME, True),
             "producer_organisation": {"type": ["string", "null"], "maxLength": limits.CODE, "description": "who publishes (extern ones too)"},
             "owner_organisation": {"type": "string", "maxLength": limits.CODE},
             "visibility": {"enum": list(INDICATOR_VISIBILITIES)}, "focus_area": {"type": ["string", "null"], "maxLength": limits.CODE},
             "frequency_months": {"enum": [*FREQUENCIES, None]},
             "responsible_user_id": {"type": ["integer", "null"], "minimum": 1, "maximum": 2**31 - 1}}
SENT = {"sent_on": {"type": "string", "format": "date"}, "reference": {**_text(100), "minLength": 1, "description": "the kenmerk"},
        "kamerstuk": _text(100, True),
        "answers": {"type": "array", "items": {"type": "object", "additionalProperties": False, "required": ["parliament_id", "status"],
                                               "properties": {"parliament_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                                                              "status": {"enum": list(ANSWER_STATUSES)}}}}}


def content_paths(resp, body, errors: dict, error: dict, id_param: dict, if_match: dict) -> dict:
    """Path items keyed by path; an item for a path the document already has adds its methods to it."""
    common = {"403": resp("Not allowed (coordinators only)", error), "422": resp("Invalid; a message per field", error), **errors}
    stale = {"412": resp("Stale: the body is the current record"), "428": resp("If-Match missing", error)}
    code = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
    key = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "/sources": {
            "get": {"summary": "The documents everything refers to (retired ones marked)", "responses": {"200": resp("OK"), **errors}},
            "post": {"summary": "Add a document (coordinators)", "requestBody": body(SOURCE, ["kind", "title"]),
                     "responses": {"201": resp("The document, with its version as ETag"), **common}}},
        "/sources/{id}": {"parameters": [id_param],
            "get": {"summary": "One document", "responses": {"200": resp("OK"), **errors}},
            "patch": {"summary": "Correct or retire a document (coordinators)", "parameters": [if_match], "requestBody": body(SOURCE),
                      "responses": {"200": resp("The document"), **stale, **common}}},
        "/recommendations": {"post": {
            "summary": "Add a recommendation or measure to a document (coordinators); a number is unique within its document",
            "requestBody": body(RECOMMENDATION, ["source_id", "number", "text", "addressees"]),
            "responses": {"201": resp("The recommendation, with its version as ETag"), **common}}},
        "/recommendations/import": {"post": {
            "summary": "Recommendations of one document from CSV or XLSX with Dutch headers (coordinators): a preview per line unless "
                       "commit is true; nothing is stored while any line is refused",
            "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object", "required": ["file", "source_id"], "properties": {
                "file": {"type": "string", "format": "binary"}, "source_id": {"type": "string", "pattern": "^[0-9]{1,9}$"},
                "commit": {"enum": ["true", "false"]},
                "mapping": {"type": "string", "description": "JSON {field: column number from 0, or null}; default: guessed from the header"}}}}}},
            "responses": {"200": resp("The preview: header, mapping, lines with their problems"), "201": resp("Imported"),
                          "413": resp("Larger than 1 MB", error), **common}}},
        "/recommendations/{id}": {"parameters": [id_param], "patch": {
            "summary": "Correct or retire a recommendation (coordinators)", "parameters": [if_match], "requestBody": body(RECOMMENDATION),
            "responses": {"200": resp("The recommendation"), **stale, **common}}},
        "/focus-areas/{code}/commitments": {"parameters": [code, {"name": "framework", "in": "query", "schema": {"type": "integer"}}],
            "post": {"summary": "Add a commitment as the focus area's next (coordinators)", "requestBody": body(COMMITMENT, ["text"]),
                     "responses": {"201": resp("The commitment"), **common}}},
        "/commitments/{id}": {"parameters": [id_param], "patch": {
            "summary": "Correct or retire a commitment (coordinators)", "parameters": [if_match], "requestBody": body(COMMITMENT),
            "responses": {"200": resp("The commitment"), **stale, **common}}},
        "/indicators": {"post": {
            "summary": "Add an indicator (coordinators); whoever creates it must be able to see it",
            "requestBody": body(INDICATOR, ["key", "title", "unit", "owner_organisation", "visibility"]),
            "responses": {"201": resp("The indicator"), **common}}},
        "/indicators/{key}": {"parameters": [key], "patch": {
            "summary": "Describe the indicator (coordinators); who may see it and who owns it only its owner organisation decides "
                       "(403 when that is all the change, 422 on those fields among others); If-Match checked when given",
            "parameters": [{**if_match, "required": False}], "requestBody": body({k: v for k, v in INDICATOR.items() if k != "key"}),
            "responses": {"200": resp("The indicator"), "412": resp("Stale: the body is the current indicator"), **common}}},
        "/reports/{id}/letter.docx": {"parameters": [id_param] + [
            {"name": name, "in": "query", "schema": {"type": "string", "maxLength": limit}} for name, limit in LETTER_LIMITS.items()],
            "get": {"summary": "The covering Kamerbrief of the report as Word (coordinators): sender block, date, kenmerk, onderwerp, "
                               "mede namens, signature; its figures are the publication variant's",
                    "responses": {"200": {"description": "The letter", "content": {
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"schema": {"type": "string", "format": "binary"}}}},
                        "403": resp("Not a coordinator", error), **errors}}},
        "/reports/{id}/sent": {"parameters": [id_param], "post": {
            "summary": "Register the letter this report was the annex of as sent (coordinators): a kamerbrief source; the answered "
                       "toezeggingen become fulfilled or partly fulfilled",
            "requestBody": body(SENT, ["sent_on", "reference"]),
            "responses": {"201": resp("The report with source_id"), "409": resp("The report was already sent", error), **common}}},
    }
