"""Rule 3 on every record with an audience: who is invited, who was present and who may see a meeting are the
secretariat's (chair organisation's) choice; restricted agenda points do not exist for the absent, also not through
decisions or what "prepare next" carries over. Through the API and the pages, on both databases."""
from __future__ import annotations

from sqlalchemy import select

from models import Decision, Meeting

from factories import local


def _meeting(coordinator, invited=("KMAR", "POL", "IND"), **extra) -> dict:
    body = {"series": "MDT", "title": "MDT-overleg", "starts_at": local(2026, 11, 5).isoformat(), "invited": list(invited),
            "visibility": "mdt", **extra}
    made = coordinator.post("/api/v1/meetings", json=body, headers=coordinator.headers)
    assert made.status_code == 201, made.get_json()
    return made.get_json()


def _put(client, url, body, version):
    return client.put(url, json=body, headers={**client.headers, "If-Match": f'"{version}"'})


def _version(client, meeting_id) -> int:
    return client.get(f"/api/v1/meetings/{meeting_id}").get_json()["version"]


def _restricted_meeting(api):
    """KMar's meeting: KMar present, Politie and IND absent, one point with restricted minutes by KMar."""
    kmar = api("KMAR", "coordinator")
    m = _meeting(kmar)
    url = f"/api/v1/meetings/{m['id']}"
    for title in ("Lopend onderzoek", "Nog te bespreken"):
        assert kmar.post(f"{url}/agenda", json={"title": title}, headers=kmar.headers).status_code == 201
    agenda = {a["title"]: a for a in kmar.get(url).get_json()["agenda"]}
    point, open_point = agenda["Lopend onderzoek"], agenda["Nog te bespreken"]
    assert _put(kmar, f"{url}/attendance", {"KMAR": "present", "POL": "absent", "IND": "absent"}, _version(kmar, m["id"])).status_code == 200
    minutes = kmar.put(f"{url}/agenda/{point['id']}/minutes", json={"body": "GEHEIM-KMAR-VERSLAG", "is_restricted": True},
                       headers=kmar.headers)
    assert minutes.status_code in (200, 201), minutes.get_json()
    return kmar, m, point, open_point


def _reads_restricted(client, meeting_id) -> bool:
    return "GEHEIM-KMAR-VERSLAG" in client.get(f"/api/v1/meetings/{meeting_id}").get_data(as_text=True)


def test_another_agency_cannot_mark_itself_present_or_the_owner_absent(api, db_session):
    kmar, m, _point, _open = _restricted_meeting(api)
    url = f"/api/v1/meetings/{m['id']}"
    politie, politie_member = api("POL", "coordinator"), api("POL")
    assert not _reads_restricted(politie_member, m["id"])
    for body in ({"POL": "present"}, {"KMAR": "absent"}):
        answer = _put(politie, f"{url}/attendance", body, _version(politie, m["id"]))
        assert answer.status_code == 403, body
    # Through the page as well: the attendance form is the secretariat's.
    page = politie.get(f"/meetings/{m['id']}").get_data(as_text=True)
    assert 'name="attendance-' not in page
    attendee = next(a for a in kmar.get(url).get_json()["attendees"] if a["organisation"] == "POL")
    form = politie.post(f"/meetings/{m['id']}/attendance", data={"csrf_token": politie.headers["X-CSRFToken"],
                                                                 f"attendance-{attendee['id']}": "present"})
    assert form.status_code == 403
    assert not _reads_restricted(politie_member, m["id"])
    assert _reads_restricted(api("KMAR"), m["id"])
    attendance = {a["organisation"]: a["attendance"] for a in kmar.get(url).get_json()["attendees"]}
    assert attendance == {"KMAR": "present", "POL": "absent", "IND": "absent"}


def test_another_agency_cannot_invite_itself_widen_or_share_a_meeting(api, db_session):
    kmar, m, _point, _open = _restricted_meeting(api)
    url = f"/api/v1/meetings/{m['id']}"
    om = api("OM", "coordinator")
    for body in ({"invited": ["KMAR", "POL", "IND", "OM"]}, {"visibility": "public"},
                 {"visibility": "partners", "shared_with": ["BZ"]}, {"chair_organisation": "OM"}):
        answer = om.patch(url, json=body, headers={**om.headers, "If-Match": f'"{_version(om, m["id"])}"'})
        assert answer.status_code == 422, body
        assert set(answer.get_json()["error"]["fields"]) <= set(body) | {"shared_with"}
    stored = db_session.scalars(select(Meeting).where(Meeting.id == m["id"])).one()
    db_session.refresh(stored)
    assert (stored.visibility, [o.code for o in stored.shared_with], stored.chair_organisation_id) == ("mdt", [], None)
    assert sorted(a.organisation.code for a in stored.attendees) == ["IND", "KMAR", "POL"]
    assert api("BZ", "reader").get(url).status_code == 404
    # Another agency's coordinator may still edit what decides nothing about the audience.
    retitled = om.patch(url, json={"title": "MDT-overleg november", "visibility": "mdt"},
                        headers={**om.headers, "If-Match": f'"{_version(om, m["id"])}"'})
    assert retitled.status_code == 200 and retitled.get_json()["title"] == "MDT-overleg november"
    # The owner widens its own meeting; a change that would hide it from the owner itself is refused.
    assert kmar.patch(url, json={"visibility": "public"}, headers={**kmar.headers, "If-Match": f'"{_version(kmar, m["id"])}"'}).status_code == 200


def test_the_chair_organisation_is_the_secretariat(api, db_session):
    jenv = api("JENV", "coordinator")
    m = _meeting(jenv, invited=("KMAR", "POL", "JENV"), chair_organisation="KMAR")
    url = f"/api/v1/meetings/{m['id']}/attendance"
    # The creator handed the secretariat to the chair: it no longer records attendance itself.
    assert _put(jenv, url, {"JENV": "present"}, _version(jenv, m["id"])).status_code == 403
    kmar = api("KMAR", "coordinator")
    assert _put(kmar, url, {"JENV": "present", "KMAR": "present"}, _version(kmar, m["id"])).status_code == 200
    # A visibility under which the chair itself could no longer see the meeting is refused.
    answer = kmar.patch(f"/api/v1/meetings/{m['id']}", json={"visibility": "organisation"},
                        headers={**kmar.headers, "If-Match": f'"{_version(kmar, m["id"])}"'})
    assert answer.status_code == 422 and "visibility" in answer.get_json()["error"]["fields"]


def test_the_absent_cannot_decide_under_a_restricted_point(api, db_session):
    kmar, m, point, _open = _restricted_meeting(api)
    politie = api("POL", "coordinator")
    answer = politie.post(f"/api/v1/meetings/{m['id']}/decisions", json={"agenda_item_id": point["id"], "text": "Besloten"},
                          headers=politie.headers)
    assert answer.status_code == 404
    assert db_session.scalars(select(Decision).where(Decision.meeting_id == m["id"])).all() == []
    page = politie.post(f"/meetings/{m['id']}/decisions", data={"csrf_token": politie.headers["X-CSRFToken"],
                                                                 "agenda_item_id": str(point["id"]), "text": "Besloten"})
    assert page.status_code == 404
    made = kmar.post(f"/api/v1/meetings/{m['id']}/decisions", json={"agenda_item_id": point["id"], "text": "Besloten"}, headers=kmar.headers)
    assert made.status_code == 201


def test_prepare_next_carries_over_what_the_preparer_sees_as_open(api, db_session):
    """The absent see the restricted point as a point without minutes, and it is carried over like one: nothing in
    the next agenda tells them restricted minutes exist."""
    _kmar, m, point, open_point = _restricted_meeting(api)
    politie = api("POL", "coordinator")
    seen = politie.get(f"/api/v1/meetings/{m['id']}").get_json()
    without_minutes = {a["title"] for a in seen["agenda"] if not a["is_action_review"] and a["minutes"] is None}
    assert without_minutes == {point["title"], open_point["title"]}
    following = politie.post(f"/api/v1/meetings/{m['id']}/next", json={}, headers=politie.headers)
    assert following.status_code == 201
    carried = {a["title"] for a in following.get_json()["agenda"] if not a["is_action_review"]}
    assert without_minutes <= carried


def test_a_save_and_an_approval_at_the_same_moment_give_one_success_and_a_conflict(databases, portal_toml):
    """Real concurrent requests on their own connections: a narrative saved by KMar and approved by JenV at once is one
    200 and one 412, never a 500 (it was a StaleDataError before narratives were versioned)."""
    import hashlib
    import threading
    from datetime import date

    from sqlalchemy.orm import sessionmaker

    from models import AccessToken, Organisation, Report, ReportNarrative, User
    from portal import create_app
    from portal.extensions import Database

    from conftest import make_settings, migrated

    app = create_app(make_settings(migrated(databases), portal_toml))
    engine = Database.state(app).engine
    with sessionmaker(engine, expire_on_commit=False)() as session:
        orgs = {o.code: o for o in session.scalars(select(Organisation).where(Organisation.code.in_(("KMAR", "JENV"))))}
        secrets = {}
        for code, role in (("KMAR", "member"), ("JENV", "coordinator")):
            user = User(issuer="t", subject=f"race-{code}", name=code, organisation=orgs[code], role=role)
            session.add(user)
            session.flush()
            secrets[code] = f"mdt_race_{code}_" + "x" * 20
            session.add(AccessToken(user_id=user.id, name="race", prefix=secrets[code][:10],
                                    token_hash=hashlib.sha256(secrets[code].encode()).hexdigest()))
        report = Report(title="Race", as_of=date(2026, 11, 30), snapshot={"items": []})
        session.add(report)
        session.flush()
        from models import FocusArea
        area = session.scalars(select(FocusArea).order_by(FocusArea.id)).first()
        narrative = ReportNarrative(report_id=report.id, focus_area_id=area.id, organisation_id=orgs["KMAR"].id, text="Eerste", visibility="mdt")
        session.add(narrative)
        session.commit()
        ids = (report.id, narrative.id, area.code)
    report_id, narrative_id, area_code = ids
    for version in range(1, 5):
        barrier, statuses = threading.Barrier(2), []

        def save(v=version, barrier=barrier, statuses=statuses):
            client = app.test_client()
            barrier.wait(timeout=10)
            statuses.append(client.post(f"/api/v1/reports/{report_id}/narratives", json={"focus_area": area_code, "text": f"Versie {v}",
                                                                                        "visibility": "mdt"},
                                        headers={"Authorization": f"Bearer {secrets['KMAR']}", "If-Match": f'"{v}"'}).status_code)

        def approve(v=version, barrier=barrier, statuses=statuses):
            client = app.test_client()
            barrier.wait(timeout=10)
            statuses.append(client.post(f"/api/v1/reports/{report_id}/narratives/{narrative_id}/approve",
                                        headers={"Authorization": f"Bearer {secrets['JENV']}", "If-Match": f'"{v}"'}).status_code)

        threads = [threading.Thread(target=save), threading.Thread(target=approve)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(statuses) == [200, 412], f"version {version}: {statuses}"
    engine.dispose()
