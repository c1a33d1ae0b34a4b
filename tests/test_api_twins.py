"""Everything a page can do, a script can do: every state-changing page route has a JSON API twin in the OpenAPI
document (a walk over app.url_map), and each twin does the same work under the same checks as its page."""
from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models import (
    ActionItem,
    AuditEvent,
    Commitment,
    DisposalList,
    FocusArea,
    Framework,
    Indicator,
    Measurement,
    Organisation,
    Recommendation,
    UpdateRound,
)

import factories

# page endpoint -> (method, API endpoint) of its twin
TWINS = {
    "actions.create": ("POST", "api.create_action_item"),
    "actions.edit": ("PATCH", "api.patch_action_item"),
    "actions.add_update": ("POST", "api.post_update"),
    "actions.close": ("POST", "api.request_closure"),
    "actions.confirm": ("POST", "api.confirm_closure"),
    "actions.reject": ("POST", "api.reject_closure"),
    "actions.cancel": ("POST", "api.cancel"),
    "actions.comment": ("POST", "api.add_comment"),
    "actions.upload": ("POST", "api.upload_attachment"),
    "actions.import_list": ("POST", "api.import_items"),
    "admin.update_user": ("PATCH", "api.change_user"),
    "admin.save_organisation": ("PATCH", "api.change_organisation"),
    "records.approve": ("POST", "api.approve_disposal_list"),
    "auth.end_all_sessions": ("POST", "api.end_all_sessions"),
    "framework.weights": ("PUT", "api.set_weights"),
    "framework.set_target": ("POST", "api.set_target"),
    "framework.new_framework": ("POST", "api.create_framework"),
    "indicators.add": ("POST", "api.add_measurement"),
    "indicators.add_definition": ("POST", "api.add_definition"),
    "indicators.expect": ("POST", "api.expect_figure"),
    "indicators.import_csv": ("POST", "api.import_measurements"),
    "indicators.correct": ("POST", "api.correct_measurement"),
    "indicators.set_visibility": ("PATCH", "api.change_indicator"),
    "indicators.bulk_import": ("POST", "api.import_many"),
    "indicators.create": ("POST", "api.create_indicator"),
    "indicators.save": ("PATCH", "api.change_indicator"),
    "framework.add_commitment": ("POST", "api.create_commitment"),
    "framework.save_commitment": ("PATCH", "api.change_commitment"),
    "followup.source_save": ("PATCH", "api.change_source"),
    "followup.source_add_recommendation": ("POST", "api.create_recommendation"),
    "followup.recommendation_save": ("PATCH", "api.change_recommendation"),
    "reports.sent": ("POST", "api.mark_sent"),
    "meetings.create": ("POST", "api.create_meeting"),
    "meetings.add_agenda": ("POST", "api.add_agenda_item"),
    "meetings.move_agenda": ("PATCH", "api.patch_meeting"),
    "meetings.attendance": ("PUT", "api.put_attendance"),
    "meetings.minutes": ("PUT", "api.put_minutes"),
    "meetings.decision": ("POST", "api.add_decision"),
    "meetings.approve": ("POST", "api.approve"),
    "meetings.erratum": ("POST", "api.add_erratum"),
    "meetings.invite": ("POST", "api.invite_person"),
    "meetings.prepare_next": ("POST", "api.prepare_next"),
    "meetings.create_series": ("POST", "api.create_series"),
    "meetings.series_agenda": ("PUT", "api.put_series_agenda"),
    "followup.parliament_save": ("PATCH", "api.change_parliament"),
    "followup.record_response": ("POST", "api.record_response"),
    "followup.relate": ("POST", "api.relate"),
    "reports.create": ("POST", "api.create_report"),
    "reports.narrative": ("POST", "api.add_narrative"),
    "reports.approve": ("POST", "api.approve_narrative"),
    "reports.rounds_list": ("POST", "api.open_round"),
    "reports.round_close": ("POST", "api.close_round"),
}
# Some page POSTs create as well as change (the same endpoint serves /x and /x/<id>): their create twin too.
ALSO = {"admin.save_organisation": ("POST", "api.create_organisation"), "followup.parliament_save": ("POST", "api.create_parliament"),
        "followup.source_save": ("POST", "api.create_source")}
# Not actions on the portal's records: they concern the browser itself, or are called by a provider, not a person.
BROWSER_ONLY = {
    "auth.logout": "ends this browser's session and sends the browser to the provider's logout",
    "language.switch": "the language of this browser's pages (the API takes Accept-Language)",
    "auth.backchannel_logout": "called by the OpenID provider, server to server",
}


def _api_rules(app) -> dict[str, set[str]]:
    return {rule.endpoint: set(rule.methods) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}


def test_every_page_action_has_an_api_twin_in_the_openapi_document(app, api):
    api_rules = _api_rules(app)
    documented = {method.upper() + " " + path for path, ops in api().get("/api/v1/openapi.json").get_json()["paths"].items() for method in ops}
    by_endpoint = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or not (rule.methods - {"GET", "HEAD", "OPTIONS"}):
            continue
        if rule.endpoint in BROWSER_ONLY:
            continue
        if rule.endpoint not in TWINS:
            missing.append(f"{sorted(rule.methods - {'GET', 'HEAD', 'OPTIONS'})} {rule.rule} ({rule.endpoint})")
            continue
        for method, twin in [TWINS[rule.endpoint], *([ALSO[rule.endpoint]] if rule.endpoint in ALSO else [])]:
            assert twin in api_rules and method in api_rules[twin], f"{rule.endpoint}: its twin {method} {twin} does not exist"
            path = by_endpoint[twin].rule.removeprefix("/api/v1")
            for part in by_endpoint[twin].arguments:
                path = path.replace(f"<int:{part}>", "{" + part + "}").replace(f"<{part}>", "{" + part + "}")
            shapes = {path, *(path.replace("{" + a + "}", "{id}") for a in by_endpoint[twin].arguments)}
            shapes |= {s.replace("{" + a + "}", "{id}") for s in shapes for a in by_endpoint[twin].arguments}
            assert any(f"{method} {s}" in documented for s in shapes), f"{method} {path} is not in the OpenAPI document"
    assert not missing, "page actions without an API twin: " + "; ".join(missing)
    assert set(TWINS) | set(BROWSER_ONLY) >= {r.endpoint for r in app.url_map.iter_rules()
                                              if not r.rule.startswith("/api/") and r.methods - {"GET", "HEAD", "OPTIONS"}}


# -- each new twin does the work, under the page's checks ------------------------------------------------------------

def _kmar_indicator(loaded) -> Indicator:
    return loaded.scalars(select(Indicator).where(Indicator.key == "kmar-projectonderzoeken-afgerond")).one()


def test_cancel_through_the_api(api):
    client = api()
    item = client.post("/api/v1/action-items", json={"title": "Vervalt"}, headers=client.headers).get_json()
    url = f"/api/v1/action-items/{item['id']}/cancellation"
    assert client.post(url, json={"reason": "x"}, headers=client.headers).status_code == 428
    done = client.post(url, json={"reason": "Niet meer nodig."}, headers={**client.headers, "If-Match": '"1"'})
    assert done.status_code == 200 and done.get_json()["status"] == "cancelled"
    assert client.post(url, json={"reason": "Nog eens"}, headers={**client.headers, "If-Match": '"1"'}).status_code == 412



def test_action_list_import_through_the_api_is_all_or_nothing(api, loaded):
    client = api("JENV", "coordinator")
    good = factories.xlsx([["Actie", "Eigenaar", "Deadline"], ["Eerste actie uit Excel", "KMAR", "2027-03-01"], ["Tweede actie", "IND", "2027-04-01"]])
    bad = factories.xlsx([["Actie", "Eigenaar", "Deadline"], ["Goede regel", "KMAR", "2027-03-01"], ["Foute regel", "NOPE", "geen datum"]])
    refused = client.post("/api/v1/action-items/import", data={"file": (io.BytesIO(bad), "lijst.xlsx")}, headers=client.headers)
    assert refused.status_code == 422 and "regel 3" in refused.get_json()["error"]["fields"]
    assert loaded.scalar(select(func.count()).select_from(ActionItem)) == 0
    stored = client.post("/api/v1/action-items/import", data={"file": (io.BytesIO(good), "lijst.xlsx")}, headers=client.headers)
    assert stored.status_code == 201 and stored.get_json() == {"imported": 2}
    assert sorted(loaded.scalars(select(ActionItem.title))) == ["Eerste actie uit Excel", "Tweede actie"]
    reader = api("BZ", "reader")
    assert reader.post("/api/v1/action-items/import", data={"file": (io.BytesIO(good), "lijst.xlsx")},
                       headers=reader.headers).status_code in (403, 422)
    assert loaded.scalar(select(func.count()).select_from(ActionItem)) == 2
    mapped = client.post("/api/v1/action-items/import", headers=client.headers,
                         data={"file": (io.BytesIO(good), "lijst.xlsx"), "mapping": json.dumps({"title": None})})
    assert mapped.status_code == 422  # a mapping without a title column: every line lacks its title
    wrong = client.post("/api/v1/action-items/import", headers=client.headers,
                        data={"file": (io.BytesIO(good), "lijst.xlsx"), "mapping": "{\"title\": true}"})
    assert wrong.status_code == 422 and "mapping" in wrong.get_json()["error"]["fields"]


def test_indicator_twins_visibility_definition_expected_correction(api, loaded):
    indicator = _kmar_indicator(loaded)
    owner, outsider = api("KMAR"), api("POL")
    url = f"/api/v1/indicators/{indicator.key}"
    assert outsider.patch(url, json={"visibility": "organisation"}, headers=outsider.headers).status_code == 403
    assert owner.patch(url, json={"visibility": "world"}, headers=owner.headers).status_code == 422
    assert owner.patch(url, json={"visibility": "organisation"}, headers=owner.headers).get_json()["visibility"] == "organisation"
    assert outsider.post(f"{url}/definitions", json={"definition": "x", "valid_from": "2012-01-01"}, headers=outsider.headers).status_code == 404
    version = owner.post(f"{url}/definitions", json={"definition": "Nieuwe telling vanaf 2012.", "valid_from": "2012"}, headers=owner.headers)
    assert version.status_code == 201 and version.get_json()["valid_from"] == "2012-01-01"
    due = (date.today() + timedelta(days=30)).isoformat()
    planned = owner.post(f"{url}/expected", json={"period": "2026", "due_on": due}, headers=owner.headers)
    assert planned.status_code == 201 and planned.get_json() == {"period": "2026", "due_on": due}
    assert owner.post(f"{url}/expected", json={"period": "2026", "due_on": "morgen"}, headers=owner.headers).status_code == 422
    m = loaded.scalars(select(Measurement).where(Measurement.indicator_id == indicator.id, Measurement.period == "2010")).one()
    corr = f"{url}/measurements/{m.id}/corrections"
    assert owner.post(corr, json={"value": 3, "reason": "Telfout"}, headers=owner.headers).status_code == 428
    fixed = owner.post(corr, json={"value": 3, "reason": "Telfout hersteld."}, headers={**owner.headers, "If-Match": f'"{m.version}"'})
    assert fixed.status_code == 201
    assert next(x for x in fixed.get_json()["measurements"] if x["period"] == "2010")["value"] == 3
    stale = owner.post(corr, json={"value": 4, "reason": "Nog eens."}, headers={**owner.headers, "If-Match": f'"{m.version - 1 or 1}"'})
    assert stale.status_code == 412
    assert loaded.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("indicator.%"))) >= 3


def test_indicator_imports_through_the_api(api, loaded):
    indicator = _kmar_indicator(loaded)
    owner = api("KMAR")
    csv_bad = b"periode;waarde;bron;toelichting\n2012;5;;\n2013;veel;;\n"
    url = f"/api/v1/indicators/{indicator.key}/import"
    bad = owner.post(url, data={"file": (io.BytesIO(csv_bad), "cijfers.csv")}, headers=owner.headers)
    assert bad.status_code == 422
    before = loaded.scalar(select(func.count()).select_from(Measurement).where(Measurement.indicator_id == indicator.id))
    assert before == 3
    good = owner.post(url, data={"file": (io.BytesIO(b"periode;waarde;bron;toelichting\n2012;5;;\n2013;6;;\n"), "cijfers.csv")}, headers=owner.headers)
    assert good.status_code == 201 and good.get_json() == {"imported": 2}
    many = owner.post("/api/v1/indicators/import", headers=owner.headers,
                      data={"file": (io.BytesIO(f"indicator;periode;waarde\n{indicator.key};2014;7\n".encode()), "cijfers.csv")})
    assert many.status_code == 201 and many.get_json() == {"imported": 1}
    reader = api("BZ", "reader")
    refused = reader.post("/api/v1/indicators/import", headers=reader.headers,
                          data={"file": (io.BytesIO(f"indicator;periode;waarde\n{indicator.key};2015;7\n".encode()), "cijfers.csv")})
    assert refused.status_code == 403
    assert loaded.scalar(select(func.count()).select_from(Measurement).where(Measurement.indicator_id == indicator.id)) == 6


def test_weights_and_a_new_framework_through_the_api(api, loaded):
    area = loaded.scalars(select(FocusArea).where(FocusArea.code == "3.1")).first()
    first, second = area.commitments[0], area.commitments[1]
    coordinator, member = api("JENV", "coordinator"), api("KMAR")
    url = "/api/v1/focus-areas/3.1/weights"
    assert member.put(url, json={"weights": {str(first.id): 2}}, headers=member.headers).status_code == 403
    bad = coordinator.put(url, json={"weights": {str(first.id): 2, str(second.id): 500}}, headers=coordinator.headers)
    assert bad.status_code == 422
    loaded.refresh(first)
    assert first.weight == 1  # all or none
    ok = coordinator.put(url, json={"weights": {str(first.id): "2,5"}}, headers=coordinator.headers)
    assert ok.status_code == 200 and ok.get_json()["weights"][str(first.id)] == 2.5
    created = coordinator.post("/api/v1/frameworks", headers=coordinator.headers, json={
        "title": "Beleidskader aanpak mensensmokkel 2027-2030", "period_start": "2027-01-01", "period_end": "2030-12-31",
        "carry_over_ids": [first.id]})
    assert created.status_code == 201 and created.get_json()["key"] == "beleidskader-aanpak-mensensmokkel-2027-2030"
    carried = loaded.scalars(select(Commitment).join(FocusArea).where(FocusArea.framework_id == created.get_json()["id"])).all()
    assert [c.text for c in carried] == [first.text]
    assert member.post("/api/v1/frameworks", json={"title": "X", "period_start": "2031-01-01", "period_end": "2032-01-01"},
                       headers=member.headers).status_code == 403


def test_series_and_invitations_through_the_api(api, make_user):
    coordinator, member = api("JENV", "coordinator"), api("KMAR")
    assert member.post("/api/v1/meeting-series", json={"code": "TEST", "title": "Testreeks"}, headers=member.headers).status_code == 403
    made = coordinator.post("/api/v1/meeting-series", json={"code": "OVERLEG", "title": "Werkoverleg"}, headers=coordinator.headers)
    assert made.status_code == 201 and made.get_json()["code"] == "OVERLEG"
    assert coordinator.post("/api/v1/meeting-series", json={"code": "OVERLEG", "title": "Dubbel"}, headers=coordinator.headers).status_code == 422
    meeting = coordinator.post("/api/v1/meetings", headers=coordinator.headers, json={
        "series": "OVERLEG", "title": "Werkoverleg januari", "starts_at": "2027-01-12T10:00:00+01:00", "invited": ["KMAR", "JENV"]}).get_json()
    person, stranger = make_user("KMAR"), make_user("IND")
    url = f"/api/v1/meetings/{meeting['id']}/invitations"
    assert member.post(url, json={"user_id": person.id}, headers=member.headers).status_code == 403
    refused = coordinator.post(url, json={"user_id": stranger.id}, headers=coordinator.headers)
    assert refused.status_code == 422 and "user_id" in refused.get_json()["error"]["fields"]
    invited = coordinator.post(url, json={"user_id": person.id}, headers=coordinator.headers)
    assert invited.status_code == 201 and person.name in json.dumps(invited.get_json())


def test_related_recommendations_through_the_api(api, loaded):
    a, b = loaded.scalars(select(Recommendation.id).order_by(Recommendation.id).limit(2)).all()
    coordinator, member = api("JENV", "coordinator"), api("KMAR")
    url = f"/api/v1/recommendations/{a}/related"
    assert member.post(url, json={"related_id": b}, headers=member.headers).status_code == 403
    assert coordinator.post(url, json={"related_id": a}, headers=coordinator.headers).status_code == 422
    assert coordinator.post(url, json={"related_id": 2_000_000}, headers=coordinator.headers).status_code == 422
    assert b in coordinator.post(url, json={"related_id": b}, headers=coordinator.headers).get_json()["related"]
    assert b not in coordinator.post(url, json={"related_id": b, "linked": False}, headers=coordinator.headers).get_json()["related"]


def test_narratives_and_update_rounds_through_the_api(api, loaded):
    coordinator, member, other = api("JENV", "coordinator"), api("KMAR"), api("POL")
    report = coordinator.post("/api/v1/reports", json={"as_of": date.today().isoformat(), "title": "Voortgang"},
                              headers=coordinator.headers).get_json()
    url = f"/api/v1/reports/{report['id']}/narratives"
    body = {"focus_area": "3.1", "text": "KMar heeft de controles uitgebreid.", "visibility": "mdt"}
    reader = api("BZ", "reader")
    assert reader.post(url, json=body, headers=reader.headers).status_code == 403
    assert member.post(url, json={**body, "organisation": "POL"}, headers=member.headers).status_code == 403
    assert member.post(url, json={**body, "focus_area": "9.9"}, headers=member.headers).status_code == 422
    made = member.post(url, json=body, headers=member.headers)
    assert made.status_code == 201 and made.get_json()["status"] == "draft" and made.get_json()["organisation"] == "KMAR"
    assert made.headers["ETag"] == '"1"'
    # Rule 3: another organisation's coordinator cannot re-save it (as public, in KMar's name): 403, nothing stored.
    politie_coordinator = api("POL", "coordinator")
    assert politie_coordinator.post(url, json={**body, "organisation": "KMAR", "visibility": "public"},
                                    headers={**politie_coordinator.headers, "If-Match": '"1"'}).status_code == 403
    # A second save by KMar names the version: 428 without, 412 (with the current text) when stale.
    assert member.post(url, json=body, headers=member.headers).status_code == 428
    changed = member.post(url, json={**body, "text": "Bijgewerkt."}, headers={**member.headers, "If-Match": '"1"'})
    assert changed.status_code == 200 and changed.get_json()["version"] == 2
    stale = member.post(url, json={**body, "text": "Oud."}, headers={**member.headers, "If-Match": '"1"'})
    assert stale.status_code == 412 and stale.get_json()["text"] == "Bijgewerkt."
    approve = f"{url}/{made.get_json()['id']}/approve"
    assert other.post(approve, headers=other.headers).status_code == 403
    assert coordinator.post(approve, headers={**coordinator.headers, "If-Match": '"1"'}).status_code == 412
    approved = coordinator.post(approve, headers={**coordinator.headers, "If-Match": '"2"'}).get_json()
    assert (approved["status"], approved["visibility"]) == ("approved", "mdt")
    # An MDT-only narrative does not exist for BZ, not even to approve.
    bz_coordinator = api("BZ", "coordinator")
    assert bz_coordinator.post(approve, headers=bz_coordinator.headers).status_code == 404
    assert coordinator.post(f"/api/v1/reports/{report['id']}/narratives/999999/approve", headers=coordinator.headers).status_code == 404

    rounds = "/api/v1/update-rounds"
    deadline = (date.today() + timedelta(days=14)).isoformat()
    assert member.post(rounds, json={"title": "Ronde", "deadline": deadline}, headers=member.headers).status_code == 403
    assert coordinator.post(rounds, json={"title": "Ronde", "deadline": "2000-01-01"}, headers=coordinator.headers).status_code == 422
    opened = coordinator.post(rounds, json={"title": "Voorjaarsronde", "deadline": deadline}, headers=coordinator.headers)
    assert opened.status_code == 201 and opened.get_json()["closed_at"] is None
    round_id = opened.get_json()["id"]
    assert [r["id"] for r in member.get(rounds).get_json()] == [round_id]
    assert member.post(f"{rounds}/{round_id}/close", headers=member.headers).status_code == 403
    closed = coordinator.post(f"{rounds}/{round_id}/close", headers=coordinator.headers)
    assert closed.status_code == 200 and closed.get_json()["closed_at"] is not None
    assert loaded.get(UpdateRound, round_id).closed_at is not None


def test_disposal_approval_through_the_api_only_for_admins(api, loaded):
    proposal = DisposalList(before=date(2020, 1, 1), records=[{"kind": "report", "id": 1, "finished": "2019-05-01"}])
    loaded.add(proposal)
    loaded.flush()
    coordinator, admin = api("JENV", "coordinator"), api("JENV", "admin")
    url = f"/api/v1/disposal-lists/{proposal.id}/approve"
    assert coordinator.post(url, headers=coordinator.headers).status_code == 403
    assert coordinator.get("/api/v1/disposal-lists").status_code == 403
    listed = admin.get("/api/v1/disposal-lists").get_json()
    assert listed == [{"id": proposal.id, "status": "proposed", "before": "2020-01-01",
                       "records": [{"kind": "report", "id": 1, "finished": "2019-05-01"}]}]
    assert admin.post(url, headers=admin.headers).get_json()["status"] == "approved"
    assert admin.post(url, headers=admin.headers).status_code == 409
    event = loaded.scalars(select(AuditEvent).where(AuditEvent.action == "records.disposal_approved")).one()
    assert event.actor_id == admin.user.id


def test_end_all_sessions_through_the_api(api, app):
    client = api()
    assert client.get("/api/v1/me").status_code == 200
    ended = client.post("/api/v1/sessions/end-all", headers=client.headers)
    assert ended.status_code == 200 and ended.get_json()["sessions_ended"] >= 1
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/focus-areas/9.9/weights", "/api/v1/indicators/nope", "/api/v1/meetings/999999/invitations",
                                  "/api/v1/recommendations/999999/related", "/api/v1/reports/999999/narratives",
                                  "/api/v1/update-rounds/999999/close", "/api/v1/disposal-lists/999999/approve"])
def test_twins_on_missing_objects_are_404(api, path):
    client = api("JENV", "admin")
    method = client.put if path.endswith("weights") else client.patch if path.endswith("nope") else client.post
    assert method(path, json={}, headers=client.headers).status_code == 404


def test_ids_beyond_the_database_are_refused_at_the_edge(api, loaded):
    """Rule 10 on the new twins: an id too big for a PostgreSQL integer is a 4xx, never a database error."""
    rec = loaded.scalars(select(Recommendation.id)).first()
    coordinator = api("JENV", "coordinator")
    too_big = 2**40
    for url, body in ((f"/api/v1/recommendations/{rec}/related", {"related_id": too_big}),
                      ("/api/v1/frameworks", {"title": "Kader 2031", "period_start": "2031-01-01", "period_end": "2032-12-31",
                                              "carry_over_ids": [too_big]}),
                      ("/api/v1/focus-areas/3.1/weights", {"weights": {str(too_big): 2}})):
        response = coordinator.open(url, method="PUT" if url.endswith("weights") else "POST", json=body, headers=coordinator.headers)
        assert 400 <= response.status_code < 500, (url, response.status_code)
    meeting = coordinator.post("/api/v1/meetings", headers=coordinator.headers, json={
        "series": "MDT", "title": "Overleg", "starts_at": "2027-01-12T10:00:00+01:00", "invited": ["KMAR", "JENV"]}).get_json()
    invited = coordinator.post(f"/api/v1/meetings/{meeting['id']}/invitations", json={"user_id": too_big}, headers=coordinator.headers)
    assert 400 <= invited.status_code < 500
    assert loaded.scalar(select(func.count()).select_from(Framework).where(Framework.title == "Kader 2031")) == 0


def test_a_round_overview_counts_only_what_the_caller_may_see(api, loaded):
    kmar = loaded.scalars(select(Organisation).where(Organisation.code == "KMAR")).one()
    loaded.add(ActionItem(title="Alleen KMar", owner_organisation=kmar, visibility="organisation"))
    loaded.add(ActionItem(title="Voor het MDT", owner_organisation=kmar, visibility="mdt"))
    loaded.flush()
    coordinator = api("JENV", "coordinator")
    opened = coordinator.post("/api/v1/update-rounds", json={"title": "Ronde", "deadline": (date.today() + timedelta(days=7)).isoformat()},
                              headers=coordinator.headers).get_json()

    def kmar_items(client) -> int:
        rows = client.get(f"/api/v1/update-rounds/{opened['id']}").get_json()["organisations"]
        return next((r["items"] for r in rows if r["code"] == "KMAR"), 0)
    assert kmar_items(coordinator) == 1
    assert kmar_items(api("KMAR")) == 2
    assert kmar_items(api("BZ", "reader")) == 0
