"""One definition per JSON body (#25): the TypedDicts of api/bodies*.py validate every request and are the request bodies
of the OpenAPI document. A body written by hand in the document, a route that checks JSON types its own way, or a
document that says other than what the route does, each fails here."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from typing_extensions import is_typeddict  # noqa: UP035 - typing's does not know typing_extensions' TypedDict before 3.12

from portal import limits
from portal.api import bodies, bodies_content
from portal.api.openapi import document
from portal.api.schemas import json_schema

ROOT = Path(__file__).resolve().parents[1]
BODY_TYPES = [t for module in (bodies, bodies_content) for name, t in vars(module).items()
              if not name.startswith("_") and (is_typeddict(t) and t.__module__ == module.__name__ or name == "Attendance")]


def _json_bodies(spec: dict) -> dict[str, dict]:
    return {f"{method.upper()} {path}": op["requestBody"]["content"]["application/json"]["schema"]
            for path, item in spec["paths"].items() for method, op in item.items()
            if isinstance(op, dict) and "application/json" in op.get("requestBody", {}).get("content", {})}


def test_every_json_body_in_the_document_is_generated_from_its_one_definition(app):
    with app.test_request_context():
        spec = document()
    generated = [json_schema(t) for t in BODY_TYPES]
    stated = _json_bodies(spec)
    assert len(stated) >= 40
    assert {op for op, schema in stated.items() if schema not in generated} == set()
    create = stated["POST /action-items"]
    assert create["properties"]["title"]["maxLength"] == limits.TITLE and create["additionalProperties"] is False


def test_no_request_body_is_written_by_hand():
    """In the document's modules every requestBody is _json(<a body type>) (or a file upload); and no route reads JSON
    other than through helpers.body_of."""
    found = []
    for path in sorted((ROOT / "portal" / "api").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    generated = isinstance(value, ast.Call) and ast.unparse(value.func) in ("_json", "body")
                    upload = isinstance(value, ast.Name) or "multipart/form-data" in ast.unparse(value)
                    if isinstance(key, ast.Constant) and key.value == "requestBody" and not (generated or upload):
                        found.append(f"{path.name}:{node.lineno} a body by hand")
            if isinstance(node, ast.Call) and ast.unparse(node.func) in ("request.get_json", "_json_body") and path.name != "helpers.py":
                found.append(f"{path.name}:{node.lineno} reads JSON without body_of")
    assert found == []


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"title": 12, "visibility": "mdt"}, "title", "Geef tekst."),
    ({"title": "Goed", "visibility": 3}, "visibility", "Geef tekst."),
    ({"title": "Goed", "assignee_id": "7"}, "assignee_id", "Geef een nummer, of null."),
    ({"title": "Goed", "recommendation_ids": [1, True]}, "recommendation_ids", "Geef een nummer."),
    ({"title": "Goed", "contributing_organisations": "KMAR"}, "contributing_organisations", "Geef een lijst."),
    ({"title": "Goed", "colour": "rood"}, "colour", "Onbekend veld."),
    ({"title": "Goed", "status": "done"}, "status", "Dit veld kan niet worden gewijzigd."),
])
def test_a_wrong_field_is_named_with_what_it_takes_and_nothing_is_stored(api, db_session, body, field, message):
    from sqlalchemy import func, select

    from models import ActionItem

    client = api("KMAR")
    before = db_session.scalar(select(func.count()).select_from(ActionItem))
    answer = client.post("/api/v1/action-items", json=body, headers=client.headers)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"][field] == message
    assert db_session.scalar(select(func.count()).select_from(ActionItem)) == before


def test_the_messages_are_in_the_users_language(api, db_session):
    client = api("KMAR")
    client.user.locale = "en"
    db_session.flush()
    answer = client.post("/api/v1/action-items", json={"title": 12, "colour": "rood"}, headers=client.headers)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"] == {"title": "Give text.", "colour": "Unknown field."}


def test_values_are_the_services_to_judge_after_permission_and_all_at_once(api):
    """A value outside its limits or choices passes the edge: the service says it, with every other field's problem, and
    only to whoever may write (403 first). A nested body's types are the edge's."""
    member, coordinator = api("KMAR"), api("JENV", "coordinator")
    body = {"source_id": 1, "number": 0, "text": "", "kind": "wens", "addressees": []}
    refused = member.post("/api/v1/recommendations", json=body, headers=member.headers)
    assert refused.status_code == 403
    invalid = coordinator.post("/api/v1/recommendations", json=body, headers=coordinator.headers)
    assert invalid.status_code == 422
    assert {"number", "text", "kind"} <= set(invalid.get_json()["error"]["fields"])
    report = coordinator.post("/api/v1/reports", json={"as_of": "2026-01-01", "title": "Voortgang"}, headers=coordinator.headers)
    assert report.status_code == 201
    sent = coordinator.post(f"/api/v1/reports/{report.get_json()['id']}/sent", json={
        "sent_on": "2026-01-02", "reference": "K-1", "answers": [{"parliament_id": "1", "status": "fulfilled", "why": "x"}]},
        headers=coordinator.headers)
    assert sent.status_code == 422
    assert sent.get_json()["error"]["fields"] == {"answers": "Geef een nummer."}


def test_the_schema_of_a_nested_body_is_inlined():
    schema = json_schema(bodies_content.Sent)
    assert "$defs" not in str(schema) and "$ref" not in str(schema)
    answer = schema["properties"]["answers"]["items"]
    assert answer["required"] == ["parliament_id", "status"] and answer["additionalProperties"] is False


def test_a_figure_keeps_its_json_type(api):
    """12 stays the integer 12 (not 12.0, which the services would write as "12,0"); 12.5 stays a decimal."""
    from portal.api.schemas import validated

    assert validated(bodies_content.MeasurementBody, {"period": "2024", "value": 12}) == {"period": "2024", "value": 12}
    assert type(validated(bodies_content.Correction, {"value": 12, "reason": "r"})["value"]) is int
    assert validated(bodies.Weights, {"weights": {"3": 2}})["weights"]["3"] == 2
    coordinator = api("JENV", "coordinator")
    wrong = coordinator.post("/api/v1/indicators/om-instroom-mh/measurements", json={"period": "2024", "value": True},
                             headers=coordinator.headers)
    assert wrong.status_code == 422
    assert wrong.get_json()["error"]["fields"] == {"value": "Geef een getal, of null voor niet beschikbaar."}
