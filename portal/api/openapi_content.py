"""The OpenAPI paths of the framework's content kept by coordinators (sources, recommendations, commitments,
indicators) and of a sent letter; merged into the document by api/openapi.py. Bodies from api/bodies_content.py."""
from __future__ import annotations

from ..reports.letter import LIMITS as LETTER_LIMITS
from . import bodies_content as c


def content_paths(resp, body, errors: dict, error: dict, id_param: dict, if_match: dict) -> dict:
    """Path items keyed by path; an item for a path the document already has adds its methods to it."""
    common = {"403": resp("Not allowed (coordinators only)", error), "422": resp("Invalid; a message per field", error), **errors}
    stale = {"412": resp("Stale: the body is the current record"), "428": resp("If-Match missing", error)}
    code = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
    key = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "/sources": {
            "get": {"summary": "The documents everything refers to (retired ones marked)", "responses": {"200": resp("OK"), **errors}},
            "post": {"summary": "Add a document (coordinators)", "requestBody": body(c.SourceCreate),
                     "responses": {"201": resp("The document, with its version as ETag"), **common}}},
        "/sources/{id}": {"parameters": [id_param],
            "get": {"summary": "One document", "responses": {"200": resp("OK"), **errors}},
            "patch": {"summary": "Correct or retire a document (coordinators)", "parameters": [if_match], "requestBody": body(c.SourceWrite),
                      "responses": {"200": resp("The document"), **stale, **common}}},
        "/recommendations": {"post": {
            "summary": "Add a recommendation or measure to a document (coordinators); a number is unique within its document",
            "requestBody": body(c.RecommendationCreate),
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
            "summary": "Correct or retire a recommendation (coordinators)", "parameters": [if_match], "requestBody": body(c.RecommendationWrite),
            "responses": {"200": resp("The recommendation"), **stale, **common}}},
        "/focus-areas/{code}/commitments": {"parameters": [code, {"name": "framework", "in": "query", "schema": {"type": "integer"}}],
            "post": {"summary": "Add a commitment as the focus area's next (coordinators)", "requestBody": body(c.CommitmentCreate),
                     "responses": {"201": resp("The commitment"), **common}}},
        "/commitments/{id}": {"parameters": [id_param], "patch": {
            "summary": "Correct or retire a commitment (coordinators)", "parameters": [if_match], "requestBody": body(c.CommitmentWrite),
            "responses": {"200": resp("The commitment"), **stale, **common}}},
        "/indicators": {"post": {
            "summary": "Add an indicator (coordinators); whoever creates it must be able to see it",
            "requestBody": body(c.IndicatorCreate),
            "responses": {"201": resp("The indicator"), **common}}},
        "/indicators/{key}": {"parameters": [key], "patch": {
            "summary": "Describe the indicator (coordinators); who may see it and who owns it only its owner organisation decides "
                       "(403 when that is all the change, 422 on those fields among others); If-Match checked when given",
            "parameters": [{**if_match, "required": False}], "requestBody": body(c.IndicatorWrite),
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
            "requestBody": body(c.Sent),
            "responses": {"201": resp("The report with source_id"), "409": resp("The report was already sent", error), **common}}},
    }
