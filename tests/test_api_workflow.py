"""The contract's API rows for page actions (issue #11): closure, comments, attachments, agenda, attendance,
minutes, decisions, approval, errata and GET /framework; each keeps the rules the pages keep."""
from __future__ import annotations

import io

from sqlalchemy import select

from models import ActionItem

from factories import current_areas


def _match(response) -> dict:
    return {"If-Match": response.headers["ETag"]}


def _area(framework_rows, code):
    return next(r for r in framework_rows if r["code"] == code)


def test_two_key_closure_through_the_api_and_the_framework_count(api, loaded):
    area = current_areas(loaded)[0]
    member, requester, other = api("KMAR"), api("KMAR", "coordinator"), api("JENV", "coordinator")
    created = member.post("/api/v1/action-items", json={"title": "Via API", "focus_area": area.code}, headers=member.headers)
    item_id = created.get_json()["id"]
    before = _area(other.get("/api/v1/framework").get_json(), area.code)
    assert member.post(f"/api/v1/action-items/{item_id}/closure", json={"note": "Klaar"}, headers=member.headers).status_code == 428
    first = requester.post(f"/api/v1/action-items/{item_id}/closure", json={"note": "Klaar"}, headers={**requester.headers, **_match(created)})
    assert first.status_code == 200 and first.get_json()["status"] == "awaiting_confirmation"
    waiting = _area(other.get("/api/v1/framework").get_json(), area.code)
    assert (waiting["awaiting_confirmation"], waiting["done"]) == (before["awaiting_confirmation"] + 1, before["done"])
    own = requester.post(f"/api/v1/action-items/{item_id}/closure/confirm", headers={**requester.headers, **_match(first)})
    assert own.status_code == 403  # four eyes
    stale = other.post(f"/api/v1/action-items/{item_id}/closure/confirm", headers={**other.headers, "If-Match": '"1"'})
    assert stale.status_code == 412 and stale.get_json()["status"] == "awaiting_confirmation"
    done = other.post(f"/api/v1/action-items/{item_id}/closure/confirm", headers={**other.headers, **_match(first)})
    assert done.status_code == 200 and done.get_json()["status"] == "done"
    after = _area(other.get("/api/v1/framework").get_json(), area.code)
    assert (after["awaiting_confirmation"], after["done"]) == (before["awaiting_confirmation"], before["done"] + 1)


def test_send_back_through_the_api(api):
    member, coordinator = api("KMAR"), api("JENV", "coordinator")
    created = member.post("/api/v1/action-items", json={"title": "Terug via API"}, headers=member.headers)
    item_id = created.get_json()["id"]
    updated = member.post(f"/api/v1/action-items/{item_id}/updates", json={"note": "Bezig", "status": "in_progress", "progress": 30},
                          headers={**member.headers, **_match(created)})
    asked = member.post(f"/api/v1/action-items/{item_id}/closure", json={"note": "Klaar"}, headers={**member.headers, **_match(updated)})
    assert coordinator.post(f"/api/v1/action-items/{item_id}/closure/reject", json={"reason": ""},
                            headers={**coordinator.headers, **_match(asked)}).status_code == 422
    back = coordinator.post(f"/api/v1/action-items/{item_id}/closure/reject", json={"reason": "Bewijs ontbreekt"},
                            headers={**coordinator.headers, **_match(asked)})
    assert back.status_code == 200 and (back.get_json()["status"], back.get_json()["progress"]) == ("in_progress", 30)


def test_comments_and_attachments_follow_the_item_visibility(api, loaded):
    owner, outsider = api("KMAR"), api("IND")
    created = owner.post("/api/v1/action-items", json={"title": "Met bijlagen", "visibility": "organisation"}, headers=owner.headers)
    item_id = created.get_json()["id"]
    comment = owner.post(f"/api/v1/action-items/{item_id}/comments", json={"body": "Eerste reactie"}, headers=owner.headers)
    assert comment.status_code == 201 and comment.get_json()["body"] == "Eerste reactie"
    assert [c["body"] for c in owner.get(f"/api/v1/action-items/{item_id}/comments").get_json()] == ["Eerste reactie"]
    assert owner.post(f"/api/v1/action-items/{item_id}/comments", json={"body": 5}, headers=owner.headers).status_code == 422
    png = b"\x89PNG\r\n\x1a\n" + b"\1" * 40
    uploaded = owner.post(f"/api/v1/action-items/{item_id}/attachments", data={"file": (io.BytesIO(png), "kaart.png"), "is_evidence": "true"},
                          headers=owner.headers, content_type="multipart/form-data")
    assert uploaded.status_code == 201 and uploaded.get_json()["is_evidence"] is True
    refused = owner.post(f"/api/v1/action-items/{item_id}/attachments", data={"file": (io.BytesIO(b"MZ\x90\x00"), "x.exe")},
                         headers=owner.headers, content_type="multipart/form-data")
    assert refused.status_code == 422
    listed = owner.get(f"/api/v1/action-items/{item_id}/attachments").get_json()
    assert [a["filename"] for a in listed] == ["kaart.png"]
    download = owner.get(listed[0]["url"])
    assert download.data == png and download.headers["Cache-Control"] == "no-store"
    for path in (f"/api/v1/action-items/{item_id}/comments", f"/api/v1/action-items/{item_id}/attachments", listed[0]["url"]):
        assert outsider.get(path).status_code == 404
    assert outsider.post(f"/api/v1/action-items/{item_id}/comments", json={"body": "Ik kijk mee"}, headers=outsider.headers).status_code == 404


def _meeting(client, starts_at, title="API-overleg", invited=("KMAR", "IND", "JENV")):
    response = client.post("/api/v1/meetings", json={"series": "MDT", "title": title, "starts_at": starts_at, "invited": list(invited)},
                           headers=client.headers)
    assert response.status_code == 201
    return response


def test_meeting_records_through_the_api(api):
    coordinator, kmar, ind = api("JENV", "coordinator"), api("KMAR"), api("IND")
    meeting = _meeting(coordinator, "2026-01-15T10:00:00+01:00")
    mid = meeting.get_json()["id"]
    agenda = coordinator.post(f"/api/v1/meetings/{mid}/agenda", json={"title": "Casus", "duration_minutes": 20}, headers=coordinator.headers)
    assert agenda.status_code == 201
    point = next(a for a in agenda.get_json()["agenda"] if a["title"] == "Casus")["id"]
    attendance = coordinator.put(f"/api/v1/meetings/{mid}/attendance", json={"KMAR": "present", "IND": "absent"},
                                 headers={**coordinator.headers, **_match(agenda)})
    assert attendance.status_code == 200 and attendance.headers["ETag"] != agenda.headers["ETag"]
    assert coordinator.put(f"/api/v1/meetings/{mid}/attendance", json={"KMAR": "absent"},
                           headers={**coordinator.headers, **_match(agenda)}).status_code == 412
    assert coordinator.put(f"/api/v1/meetings/{mid}/attendance", json={"POL": "present"},
                           headers={**coordinator.headers, **_match(attendance)}).status_code == 422

    minutes = kmar.put(f"/api/v1/meetings/{mid}/agenda/{point}/minutes", json={"body": "GEHEIM besproken", "is_restricted": True},
                       headers=kmar.headers)
    assert minutes.status_code == 200 and minutes.headers["ETag"] == '"1"'
    # IND was absent: the restricted minutes do not exist for it, whatever it sends.
    for headers in ({"If-Match": '"1"'}, {"If-Match": '"7"'}, {}):
        assert ind.put(f"/api/v1/meetings/{mid}/agenda/{point}/minutes", json={"body": "Overschreven", "is_restricted": False},
                       headers={**ind.headers, **headers}).status_code == 404
    shown = ind.get(f"/api/v1/meetings/{mid}").get_json()
    assert "GEHEIM" not in str(shown) and next(a for a in shown["agenda"] if a["id"] == point)["minutes"] is None
    edited = kmar.put(f"/api/v1/meetings/{mid}/agenda/{point}/minutes", json={"body": "GEHEIM, aangevuld", "is_restricted": True},
                      headers={**kmar.headers, "If-Match": '"1"'})
    assert edited.status_code == 200 and edited.headers["ETag"] == '"2"'
    assert kmar.put(f"/api/v1/meetings/{mid}/agenda/{point}/minutes", json={"body": "Zonder versie"},
                    headers=kmar.headers).status_code == 428
    stale = kmar.put(f"/api/v1/meetings/{mid}/agenda/{point}/minutes", json={"body": "Op een oude versie", "is_restricted": True},
                     headers={**kmar.headers, "If-Match": '"1"'})  # two people on the same minutes: the second gets the current meeting
    assert stale.status_code == 412 and stale.get_json()["id"] == mid
    assert next(a for a in stale.get_json()["agenda"] if a["id"] == point)["minutes"]["body"] == "GEHEIM, aangevuld"

    decision = kmar.post(f"/api/v1/meetings/{mid}/decisions", json={"agenda_item_id": point, "text": "Besloten onder geheim"},
                         headers=kmar.headers)
    assert decision.status_code == 201 and decision.get_json()["number"] == "MDT-2026-01"
    assert "Besloten onder geheim" not in str(ind.get(f"/api/v1/meetings/{mid}").get_json())

    assert coordinator.post(f"/api/v1/meetings/{mid}/errata", json={"agenda_item_id": point, "body": "x"},
                            headers=coordinator.headers).status_code == 404  # JENV was not present: the minutes do not exist for it
    assert coordinator.post(f"/api/v1/meetings/{mid}/approve", headers=coordinator.headers).status_code == 422  # no next meeting yet
    _meeting(coordinator, "2026-02-12T10:00:00+01:00", "Volgend overleg")
    approved = coordinator.post(f"/api/v1/meetings/{mid}/approve", headers=coordinator.headers)
    assert approved.status_code == 200 and approved.get_json()["minutes_status"] == "vastgesteld"
    locked = coordinator.post(f"/api/v1/meetings/{mid}/agenda", json={"title": "Nagekomen"}, headers=coordinator.headers)
    assert locked.status_code == 409 and locked.get_json()["error"]["code"] == "locked"
    assert kmar.post(f"/api/v1/meetings/{mid}/decisions", json={"text": "Achteraf"}, headers=kmar.headers).status_code == 409
    assert coordinator.put(f"/api/v1/meetings/{mid}/attendance", json={"IND": "present"},
                           headers={**coordinator.headers, **_match(approved)}).status_code == 409
    # The coordinator (JENV) was not present, so it cannot correct what it cannot read.
    assert coordinator.post(f"/api/v1/meetings/{mid}/errata", json={"agenda_item_id": point, "body": "Lees: anders"},
                            headers=coordinator.headers).status_code == 404


def test_errata_by_a_coordinator_who_was_present(api, loaded):
    coordinator = api("JENV", "coordinator")
    meeting = _meeting(coordinator, "2026-03-05T10:00:00+01:00")
    mid = meeting.get_json()["id"]
    agenda = coordinator.post(f"/api/v1/meetings/{mid}/agenda", json={"title": "Punt"}, headers=coordinator.headers)
    point = next(a for a in agenda.get_json()["agenda"] if a["title"] == "Punt")["id"]
    coordinator.put(f"/api/v1/meetings/{mid}/attendance", json={"JENV": "present"}, headers={**coordinator.headers, **_match(agenda)})
    coordinator.put(f"/api/v1/meetings/{mid}/agenda/{point}/minutes", json={"body": "Tekst"}, headers=coordinator.headers)
    assert coordinator.post(f"/api/v1/meetings/{mid}/errata", json={"agenda_item_id": point, "body": "x"},
                            headers=coordinator.headers).status_code == 422  # errata only after approval
    _meeting(coordinator, "2026-04-02T10:00:00+01:00", "Daarna")
    assert coordinator.post(f"/api/v1/meetings/{mid}/approve", headers=coordinator.headers).status_code == 200
    erratum = coordinator.post(f"/api/v1/meetings/{mid}/errata", json={"agenda_item_id": point, "body": "Lees: tekst."},
                               headers=coordinator.headers)
    assert erratum.status_code == 201
    minutes = next(a for a in erratum.get_json()["agenda"] if a["id"] == point)["minutes"]
    assert minutes["body"] == "Tekst" and [e["body"] for e in minutes["errata"]] == ["Lees: tekst."]
    assert loaded.scalars(select(ActionItem)).all() == []
