"""Meetings as a series: the next meeting prepared from this one, a standard agenda, minutes compiled over a period."""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

from sqlalchemy import select

from models import Meeting, MeetingSeries
from portal.i18n import AMSTERDAM
from portal.meetings import record as meeting_record
from portal.meetings import series
from portal.meetings import services as meetings


def _csrf(client):
    return client.get("/api/v1/me").get_json()["csrf_token"]


def _docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml").decode()


def _meeting(session, coordinator, title, day, invited=("KMAR", "POL", "JENV"), visibility="mdt"):
    return meetings.create_meeting(session, coordinator, {"series": "MDT", "title": title, "starts_at": datetime(*day, 10, tzinfo=AMSTERDAM),
                                                          "ends_at": datetime(*day, 12, tzinfo=AMSTERDAM), "location": "Den Haag",
                                                          "invited": list(invited), "visibility": visibility})


def test_the_next_meeting_in_two_clicks_carries_agenda_open_points_and_invitations(app, loaded, make_user, login_as):
    coordinator = make_user("JENV", role="coordinator")
    first = _meeting(loaded, coordinator, "MDT januari", (2026, 1, 12))
    done = meetings.add_agenda_item(loaded, coordinator, first, "Besproken punt")
    meeting_record.save_minutes(loaded, coordinator, first, done.id, None, "Besproken.", False)
    meetings.add_agenda_item(loaded, coordinator, first, "Niet aan toegekomen", "KMar", 15, "3.2")
    loaded.commit()
    mdt = loaded.scalars(select(MeetingSeries).where(MeetingSeries.code == "MDT")).one()
    assert series.standard_points(mdt) == ["Mededelingen", "Voortgang van de speerpunten", "Signalen en casuïstiek", "Rondvraag"]

    client = login_as(app.test_client(), coordinator)
    page = client.get(f"/meetings/{first.id}").get_data(as_text=True)
    assert "Volgende vergadering voorbereiden" in page and 'value="2026-02-09T10:00"' in page  # four weeks later, same time
    response = client.post(f"/meetings/{first.id}/next", data={"csrf_token": _csrf(client), "starts_at": "2026-02-09T10:00"})
    assert response.status_code == 303
    following = loaded.scalars(select(Meeting).where(Meeting.id != first.id, Meeting.series_id == first.series_id)
                               .order_by(Meeting.id.desc())).first()
    assert response.headers["Location"].endswith(f"/meetings/{following.id}")
    assert [a.title for a in following.agenda_items] == [meetings.ACTION_REVIEW_TITLE, "Mededelingen", "Voortgang van de speerpunten",
                                                         "Signalen en casuïstiek", "Rondvraag", "Niet aan toegekomen"]
    carried = following.agenda_items[-1]
    assert (carried.presenter, carried.duration_minutes, carried.focus_area.code) == ("KMar", 15, "3.2")
    assert {a.organisation.code for a in following.attendees} == {"KMAR", "POL", "JENV"}
    assert following.visibility == "mdt" and following.location == "Den Haag"
    assert following.starts_at.astimezone(AMSTERDAM) == datetime(2026, 2, 9, 10, tzinfo=AMSTERDAM)
    assert following.ends_at - following.starts_at == first.ends_at - first.starts_at
    # Before the first one it cannot be; members may not prepare meetings.
    early = client.post(f"/meetings/{first.id}/next", data={"csrf_token": _csrf(client), "starts_at": "2025-12-01T10:00"})
    assert early.status_code == 303 and loaded.scalar(select(Meeting.id).order_by(Meeting.id.desc())) == following.id
    member = login_as(app.test_client(), make_user("KMAR"))
    assert member.post(f"/meetings/{first.id}/next", data={"csrf_token": _csrf(member)}).status_code == 403
    # Once the next meeting exists, the page links to it instead of offering a second one, and a second one is refused.
    page = client.get(f"/meetings/{first.id}").get_data(as_text=True)
    assert "Volgende vergadering voorbereiden" not in page and f'href="/meetings/{following.id}"' in page
    again = client.post(f"/meetings/{first.id}/next", data={"csrf_token": _csrf(client), "starts_at": "2026-03-09T10:00"})
    assert again.status_code == 303 and loaded.scalar(select(Meeting.id).order_by(Meeting.id.desc())) == following.id


def test_standard_agenda_is_kept_by_coordinators(app, loaded, make_user, login_as):
    coordinator = login_as(app.test_client(), make_user("JENV", role="coordinator"))
    ok = coordinator.post("/meetings/series/EMM/agenda", data={"csrf_token": _csrf(coordinator), "standard_agenda": "Opening\n\n  Casussen \nRondvraag"})
    assert ok.status_code == 303
    emm = loaded.scalars(select(MeetingSeries).where(MeetingSeries.code == "EMM")).one()
    loaded.refresh(emm)
    assert series.standard_points(emm) == ["Opening", "Casussen", "Rondvraag"]
    too_long = coordinator.post("/meetings/series/EMM/agenda", data={"csrf_token": _csrf(coordinator), "standard_agenda": "x" * 301})
    assert too_long.status_code == 303
    loaded.refresh(emm)
    assert series.standard_points(emm) == ["Opening", "Casussen", "Rondvraag"]  # refused whole
    member = login_as(app.test_client(), make_user("KMAR"))
    assert member.post("/meetings/series/EMM/agenda", data={"csrf_token": _csrf(member), "standard_agenda": "x"}).status_code == 403
    assert coordinator.get("/meetings/series/BESTAAT-NIET").status_code == 404


def test_compiled_minutes_show_restricted_parts_only_to_those_present(app, loaded, make_user, login_as):
    coordinator = make_user("JENV", role="coordinator")
    kmar, pol = make_user("KMAR"), make_user("POL")
    first = _meeting(loaded, coordinator, "MDT maart", (2026, 3, 2))
    second = _meeting(loaded, coordinator, "MDT april", (2026, 4, 6))
    hidden = _meeting(loaded, make_user("KMAR", role="coordinator"), "KMar intern overleg", (2026, 3, 16), invited=("KMAR",),
                      visibility="organisation")
    outside = _meeting(loaded, coordinator, "MDT december", (2026, 12, 1))
    for meeting in (first, second, hidden, outside):
        loaded.refresh(meeting)
    for attendee in first.attendees:
        meetings.set_attendance(loaded, coordinator, first, attendee.id, "present" if attendee.organisation.code != "POL" else "excused")
    open_point = meetings.add_agenda_item(loaded, coordinator, first, "Openbaar punt")
    meeting_record.save_minutes(loaded, coordinator, first, open_point.id, None, "Iedereen mag dit lezen.", False)
    secret_point = meetings.add_agenda_item(loaded, coordinator, first, "Casus")
    meeting_record.save_minutes(loaded, coordinator, first, secret_point.id, None, "VERTROUWELIJKE-CASUS-TEKST", True)
    april = meetings.add_agenda_item(loaded, coordinator, second, "Stand van zaken")
    meeting_record.save_minutes(loaded, coordinator, second, april.id, None, "Notulen van april.", False)
    loaded.commit()

    def compiled(user, fmt="docx"):
        client = login_as(app.test_client(), user)
        response = client.get(f"/meetings/series/MDT/minutes.{fmt}?from=2026-03-01&to=2026-04-30")
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
        return response.data

    present = _docx_text(compiled(kmar))
    assert "VERTROUWELIJKE-CASUS-TEKST" in present and "Notulen van april." in present and "Iedereen mag dit lezen." in present
    assert "VERTROUWELIJK" in present and "KMar intern overleg" in present  # KMar may see its own meeting
    assert "MDT december" not in present  # outside the period
    absent = _docx_text(compiled(pol))
    assert "VERTROUWELIJKE-CASUS-TEKST" not in absent and "Iedereen mag dit lezen." in absent and "Notulen van april." in absent
    assert "KMar intern overleg" not in absent
    from pypdf import PdfReader
    pdf = "".join(p.extract_text() for p in PdfReader(io.BytesIO(compiled(pol, "pdf"))).pages)
    assert "Notulen van april." in pdf and "VERTROUWELIJKE-CASUS-TEKST" not in pdf
    client = login_as(app.test_client(), pol)
    assert client.get("/meetings/series/MDT/minutes.docx?from=2026-05-01&to=2026-04-01").status_code == 303
    assert client.get("/meetings/series/MDT/minutes.docx?from=gisteren&to=2026-04-01").status_code == 303
    assert client.get("/meetings/series/MDT/minutes.exe?from=2026-03-01&to=2026-04-01").status_code == 404
    assert date(2026, 3, 1) < date(2026, 4, 30)


def test_the_series_actions_have_api_twins(api, loaded, make_user):
    coordinator = api("JENV", role="coordinator")
    created = coordinator.post("/api/v1/meetings", json={"series": "MDT", "title": "MDT mei", "starts_at": "2026-05-04T10:00:00+02:00",
                                                         "invited": ["KMAR", "JENV"]}, headers=coordinator.headers).get_json()
    put = coordinator.put("/api/v1/meeting-series/MDT/agenda", json={"standard_agenda": ["Opening", "Rondvraag"]}, headers=coordinator.headers)
    assert put.status_code == 200 and put.get_json()["standard_agenda"] == ["Opening", "Rondvraag"]
    assert coordinator.put("/api/v1/meeting-series/MDT/agenda", json={"standard_agenda": "Opening"}, headers=coordinator.headers).status_code == 422
    bad = coordinator.post(f"/api/v1/meetings/{created['id']}/next", json={"starts_at": "volgende week"}, headers=coordinator.headers)
    assert bad.status_code == 422
    nxt = coordinator.post(f"/api/v1/meetings/{created['id']}/next", json={"starts_at": "2026-06-01T10:00:00+02:00"}, headers=coordinator.headers)
    assert nxt.status_code == 201 and nxt.headers["Location"].endswith(f"/meetings/{nxt.get_json()['id']}")
    assert [a["title"] for a in nxt.get_json()["agenda"]][1:] == ["Opening", "Rondvraag"]
    member = api("KMAR")
    assert member.post(f"/api/v1/meetings/{created['id']}/next", json={}, headers=member.headers).status_code == 403
    assert member.put("/api/v1/meeting-series/MDT/agenda", json={"standard_agenda": []}, headers=member.headers).status_code == 403
    assert member.get("/api/v1/meeting-series/BESTAAT-NIET").status_code == 404


def test_a_next_meeting_another_organisation_keeps_to_itself_is_never_named_or_used(app, api, loaded, make_user, login_as):
    """A series is shared, its meetings are not: a coordinator of another organisation who manages this meeting must not
    learn the title, date or existence of a next meeting that KMar keeps to itself (page, approval, "prepare next")."""
    jenv = make_user("JENV", role="coordinator")
    first = _meeting(loaded, jenv, "MDT januari", (2026, 1, 12), visibility="public")
    hidden = _meeting(loaded, make_user("KMAR", role="coordinator"), "Geheim KMar-overleg", (2026, 2, 2), visibility="organisation")
    loaded.commit()

    ind = api("IND", role="coordinator")
    page = ind.get(f"/meetings/{first.id}").get_data(as_text=True)
    assert "Geheim KMar-overleg" not in page and f"/meetings/{hidden.id}" not in page
    assert "Notulen vaststellen" not in page and "Volgende vergadering voorbereiden" in page
    refused = ind.post(f"/api/v1/meetings/{first.id}/approve", headers={**ind.headers, "If-Match": f'"{first.version}"'})
    assert refused.status_code == 422 and "Geheim" not in refused.get_data(as_text=True)
    loaded.expire_all()
    assert loaded.get(Meeting, first.id).minutes_status != "vastgesteld"
    prepared = ind.post(f"/api/v1/meetings/{first.id}/next", json={"starts_at": "2026-02-09T10:00:00+02:00"}, headers=ind.headers)
    assert prepared.status_code == 201 and "Geheim" not in prepared.get_data(as_text=True)

    # KMar, who may see it, is shown it: the page names it and offers the approval it makes possible.
    kmar = login_as(app.test_client(), make_user("KMAR", role="coordinator"))
    page = kmar.get(f"/meetings/{first.id}").get_data(as_text=True)
    assert "Geheim KMar-overleg" in page and "Notulen vaststellen" in page
