"""Rule 13 checked by a client nobody here wrote: Schemathesis generates requests from /api/v1/openapi.json for every
operation and checks that none gives a server error, that every status and content type is in the document, and that
every documented response body has its documented shape. A coordinator's personal access token, on the reference data;
the examples per operation are bounded so the run fits the suite (raise SCHEMATHESIS_EXAMPLES to search longer)."""
from __future__ import annotations

import itertools
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

pytestmark = pytest.mark.once("sqlite")  # independent of the database: make test runs it on one backend (conftest)

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]


@pytest.fixture()
def api_schema(app, bearer):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=bearer)


@pytest.fixture()
def bearer(api):
    """A JenV coordinator's token: the widest writer, so most operations get past their permission check."""
    coordinator = api("JENV", "coordinator")
    made = coordinator.post("/api/v1/tokens", json={"name": "schemathesis"}, headers=coordinator.headers)
    assert made.status_code == 201
    return {"Authorization": f"Bearer {made.get_json()['token']}"}


def test_every_operation_keeps_its_document(api_schema, bearer):
    """Each operation in turn, with requests valid by the document and requests that break it (one test, one transaction
    rolled back at the end); every failure is collected, then shown."""
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 50
    for operation, mode in itertools.product(operations, GenerationMode):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck), database=None)
        def run(case):
            case.call_and_validate(headers=bearer, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected and reported together below
            failures.append(f"{operation.label} ({mode.value}): {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)


def test_unknown_paths_and_methods_answer_alike_with_a_token_or_a_session(api, bearer):
    """404 for an unknown path and 405 for a method the route lacks, before any CSRF check; an id no column can hold is
    a missing record (404) whatever the method."""
    session = api("KMAR")
    for headers in (bearer, {}):
        client = session if not headers else session.application.test_client()
        assert client.post("/api/v1/bestaat-niet", json={}, headers=headers).status_code == 404
        missing = client.get("/api/v1/bestaat-niet", headers=headers)
        assert missing.status_code == 404 and missing.get_json()["error"]["message"] == "Niet gevonden."
        assert client.delete("/api/v1/me", headers=headers).status_code == 405
        assert client.put("/api/v1/action-items", json={}, headers=headers).status_code == 405
        for method in ("get", "post"):
            answer = getattr(client, method)("/api/v1/action-items/34359738367/comments", json={"body": "x"}, headers=headers)
            assert answer.status_code == 404, (method, headers)


def test_every_operation_is_named_and_post_parliament_takes_what_get_answers(app, api, bearer):
    client = app.test_client()
    document = client.get("/api/v1/openapi.json", headers=bearer).get_json()
    operations = [op for item in document["paths"].values() for method, op in item.items() if method in ("get", "put", "post", "patch", "delete")]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids)) == len(operations)
    assert all({"400", "401", "404", "429"} <= set(op["responses"]) for op in operations)
    made = client.post("/api/v1/parliament", json={"text": "De Kamer informeren over de voortgang", "date": "2026-11-05"}, headers=bearer)
    assert made.status_code == 201 and made.get_json()["date"] == "2026-11-05" and made.get_json()["kind"] == "toezegging"
