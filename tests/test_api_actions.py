"""The action-item API: ETag/If-Match, 412 with the current item, 428, validation, mass assignment, filters."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import ActionItem, ProgressUpdate, Recommendation


@pytest.fixture()
def rec_id(loaded) -> int:
    return loaded.scalars(select(Recommendation.id).order_by(Recommendation.id)).first()




def create(client, **fields):
    body = {"title": "API-actie", "visibility": "mdt"}
    body.update(fields)
    return client.post("/api/v1/action-items", json=body, headers=client.headers)


def test_create_returns_201_location_and_etag(api, rec_id):
    client = api()
    response = create(client, due_date="2026-06-30", focus_area="3.2", recommendation_ids=[rec_id])
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/action-items/{body['id']}"
    assert response.headers["ETag"] == '"1"'
    assert body["owner_organisation"] == "KMAR" and body["due_date"] == "2026-06-30" and body["focus_area"] == "3.2"
    assert body["recommendation_ids"] == [rec_id] and body["status"] == "open" and body["version"] == 1
    assert body["created_at"].endswith("+00:00")
    fetched = client.get(body["id"] and f"/api/v1/action-items/{body['id']}")
    assert fetched.get_json() == body and fetched.headers["ETag"] == '"1"'


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"due_date": "2026-02-31"}, "due_date"),
        ({"owner_organisation": "NOPE"}, "owner_organisation"),
        ({"recommendation_ids": [99999]}, "recommendation_ids"),
        ({"visibility": "world"}, "visibility"),
        ({"version": 7}, "version"),
        ({"status": "done"}, "status"),
        ({"created_by": 1}, "created_by"),
    ],
)
def test_create_validation(api, loaded, body, field):
    response = create(api(), **body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert loaded.scalar(select(func.count()).select_from(ActionItem)) == 0


def test_patch_needs_if_match_and_refuses_stale_with_current_item(api):
    client = api()
    item = create(client).get_json()
    url = f"/api/v1/action-items/{item['id']}"
    assert client.patch(url, json={"title": "x"}, headers=client.headers).status_code == 428
    assert client.patch(url, json={"title": "x"}, headers={**client.headers, "If-Match": '"²"'}).status_code == 400
    first = client.patch(url, json={"title": "Eerste wijziging"}, headers={**client.headers, "If-Match": '"1"'})
    assert first.status_code == 200 and first.headers["ETag"] == '"2"'
    stale = client.patch(url, json={"title": "Late wijziging"}, headers={**client.headers, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.get_json()["title"] == "Eerste wijziging" and stale.get_json()["version"] == 2
    assert stale.headers["ETag"] == '"2"'


def test_mass_assignment_is_checked(api):
    owner = api("KMAR")
    item = create(owner, contributing_organisations=["POL"]).get_json()
    url = f"/api/v1/action-items/{item['id']}"
    contributor = api("POL")
    # A contributing organisation may edit the text, not who sees the item or who owns it.
    ok = contributor.patch(url, json={"title": "Door politie verbeterd"}, headers={**contributor.headers, "If-Match": '"1"'})
    assert ok.status_code == 200
    hide = contributor.patch(url, json={"visibility": "organisation"}, headers={**contributor.headers, "If-Match": '"2"'})
    assert hide.status_code == 422 and "visibility" in hide.get_json()["error"]["fields"]
    steal = contributor.patch(url, json={"owner_organisation": "POL"}, headers={**contributor.headers, "If-Match": '"2"'})
    assert steal.status_code == 422 and "owner_organisation" in steal.get_json()["error"]["fields"]
    stranger = api("IND")
    assert stranger.patch(url, json={"title": "x"}, headers={**stranger.headers, "If-Match": '"2"'}).status_code == 403


def test_progress_update_and_history(api, loaded):
    client = api()
    item = create(client).get_json()
    url = f"/api/v1/action-items/{item['id']}/updates"
    bad = client.post(url, json={"note": "x", "progress": 101}, headers={**client.headers, "If-Match": '"1"'})
    assert bad.status_code == 422 and "progress" in bad.get_json()["error"]["fields"]
    done = client.post(url, json={"note": "x", "status": "done"}, headers={**client.headers, "If-Match": '"1"'})
    assert done.status_code == 422 and "status" in done.get_json()["error"]["fields"]
    ok = client.post(url, json={"note": "Gestart", "status": "in_progress", "progress": 20}, headers={**client.headers, "If-Match": '"1"'})
    assert ok.status_code == 201 and ok.get_json()["progress"] == 20 and ok.headers["ETag"] == '"2"'
    stale = client.post(url, json={"note": "oud"}, headers={**client.headers, "If-Match": '"1"'})
    assert stale.status_code == 412 and stale.get_json()["progress"] == 20
    history = client.get(f"/api/v1/action-items/{item['id']}/history").get_json()
    assert [u["note"] for u in history["updates"]] == ["Actie aangemaakt.", "Gestart"]
    assert [e["action"] for e in history["events"]][:2] == ["action.created", "action.progress"]
    assert "version_conflict" in [e["action"] for e in history["events"]]
    assert loaded.scalar(select(func.count()).select_from(ProgressUpdate)) == 2


def test_filters_and_hidden_items(api):
    kmar, ind = api("KMAR"), api("IND")
    create(kmar, title="Open KMar", due_date="2000-01-01")
    create(kmar, title="Geheim KMar", visibility="organisation")
    assert {i["title"] for i in kmar.get("/api/v1/action-items?overdue=true").get_json()["items"]} == {"Open KMar"}
    assert ind.get("/api/v1/action-items?organisation=KMAR").get_json()["total"] == 1
    assert kmar.get("/api/v1/action-items?q=geheim").get_json()["total"] == 1
    assert ind.get("/api/v1/action-items?q=geheim").get_json()["total"] == 0
    assert kmar.get("/api/v1/action-items?status=bogus").status_code == 400


def test_reader_gets_403_and_bad_bodies_clean_errors(api):
    reader = api("KMAR", role="reader")
    assert create(reader).status_code == 403
    client = api()
    assert client.post("/api/v1/action-items", data="title=x", headers=client.headers).status_code == 415
    nested = {"title": "x", "description": {"a": {"b": {"c": {"d": {"e": {}}}}}}}
    assert client.post("/api/v1/action-items", json=nested, headers=client.headers).status_code == 400
    assert client.post("/api/v1/action-items", data="{not json", content_type="application/json", headers=client.headers).status_code == 400


def test_recommendations_list_linked_visible_items_only(api, rec_id):
    kmar, ind = api("KMAR"), api("IND")
    secret = create(kmar, visibility="organisation", recommendation_ids=[rec_id]).get_json()
    open_ = create(kmar, recommendation_ids=[rec_id]).get_json()
    assert kmar.get(f"/api/v1/recommendations/{rec_id}").get_json()["action_item_ids"] == sorted([secret["id"], open_["id"]])
    assert ind.get(f"/api/v1/recommendations/{rec_id}").get_json()["action_item_ids"] == [open_["id"]]
    assert len(ind.get("/api/v1/recommendations").get_json()) == 22
    areas = ind.get("/api/v1/focus-areas").get_json()
    assert len([a for a in areas if a["framework"] == "beleidskader-2023"]) == 6  # 3.1-3.6; Caribisch Nederland is only announced
    assert len(areas) == 6 + 3  # and the Doorlichting's operational goals 2009-2011


def test_openapi_documents_every_api_route(app, api):
    doc = api().get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule.endswith("openapi.json"):
            continue
        path = rule.rule.removeprefix("/api/v1").replace("<int:", "{").replace(">", "}")
        for name in ("item_id", "token_id", "rec_id", "report_id", "meeting_id", "commitment_id", "pid", "user_id", "round_id", "list_id",
                     "source_id"):
            path = path.replace("{" + name + "}", "{id}")
        path = path.replace("<key}", "{key}").replace("<fmt}", "{fmt}").replace("<code}", "{code}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {path} is not in the OpenAPI document"


def test_idempotency_key_makes_one_item(api, loaded):
    client = api()
    headers = {**client.headers, "Idempotency-Key": "rapportage-2026-11-23-01"}
    first = client.post("/api/v1/action-items", json={"title": "Eenmalig"}, headers=headers)
    again = client.post("/api/v1/action-items", json={"title": "Eenmalig"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json()["id"] == first.get_json()["id"]
    assert loaded.scalar(select(func.count()).select_from(ActionItem)) == 1
    # Another user's key space is their own.
    other = api()
    assert other.post("/api/v1/action-items", json={"title": "x"}, headers={**other.headers, "Idempotency-Key": "rapportage-2026-11-23-01"}).status_code == 201


def test_every_item_answer_lists_its_links_exactly(api, loaded):
    """The list, search and an item's own answer name each item's recommendations, contributing organisations and shares,
    sorted, read in one statement for any number of items: checked against the stored links of items with none, one and
    several of each."""
    import factories

    client = api("KMAR")
    recs = loaded.scalars(select(Recommendation).order_by(Recommendation.id.desc()).limit(3)).all()
    shapes = [((), (), ()), (recs[:1], ("POL",), ("IND",)), (recs, ("OM", "POL", "IND"), ("JENV", "IND"))]
    made = []
    for n, (linked, contributing, shared) in enumerate(shapes):
        item = factories.item(loaded, "KMAR", "partners", title=f"Koppelingen zoekwoord{n}", contributing_organisations=list(contributing),
                              shared_with=list(shared))
        item.recommendations = list(linked)
        made.append(item)
    loaded.commit()
    expected = {i.id: {"recommendation_ids": sorted(r.id for r in i.recommendations),
                       "contributing_organisations": sorted(o.code for o in i.contributing_organisations),
                       "shared_with": sorted(o.code for o in i.shared_with)} for i in made}
    assert expected[made[2].id]["recommendation_ids"] == sorted(r.id for r in recs) and len(expected[made[2].id]["shared_with"]) == 2

    def links_of(body: dict) -> dict:
        return {k: body[k] for k in ("recommendation_ids", "contributing_organisations", "shared_with")}

    listed = client.get("/api/v1/action-items?per_page=100&organisation=KMAR").get_json()["items"]
    assert {i["id"]: links_of(i) for i in listed if i["id"] in expected} == expected
    found = client.get("/api/v1/search?q=Koppelingen").get_json()["items"]
    assert {i["id"]: links_of(i) for i in found} == expected
    for item in made:
        assert links_of(client.get(f"/api/v1/action-items/{item.id}").get_json()) == expected[item.id]
