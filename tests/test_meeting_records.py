"""Rules 5 and 6 (issue #11): restricted minutes exist only for organisations present; an approved record is locked."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models import Decision, Minutes
from portal.errors import Locked, NotAllowed, NotFound
from portal.meetings import services
from test_meetings import agenda_point, cast, local, meeting, restricted  # noqa: F401 - fixtures


def _csrf(client):
    return client.get("/api/v1/me").get_json()["csrf_token"]


@pytest.mark.parametrize("who", ["ind", "pol"])
def test_absent_and_uninvited_cannot_read_write_unrestrict_or_correct(app, db_session, cast, restricted, login_as, who):
    point = next(a for a in restricted.agenda_items if a.title == "Casus")
    minutes = db_session.scalars(select(Minutes).where(Minutes.agenda_item_id == point.id)).one()
    version = minutes.version
    if who == "pol":
        cast["pol"].role = "coordinator"  # a coordinator of an organisation that was not invited
        db_session.commit()
    client = login_as(app.test_client(), cast[who])
    csrf = _csrf(client)
    page = client.post(f"/meetings/{restricted.id}/agenda/{point.id}/minutes",
                       data={"csrf_token": csrf, "body": "Overschreven", "version": str(version)})
    assert page.status_code == 404 and "KAMEEL" not in page.get_data(as_text=True)
    stale = client.post(f"/meetings/{restricted.id}/agenda/{point.id}/minutes",
                        data={"csrf_token": csrf, "body": "Overschreven", "version": "999"})
    assert stale.status_code == 404
    db_session.refresh(minutes)
    assert (minutes.body, minutes.is_restricted, minutes.version) == ("VERTROUWELIJK-KAMEELCASUS besproken", True, version)
    db_session.expire_all()
    with pytest.raises(NotFound):
        services.save_minutes(db_session, cast[who], restricted, point.id, version, "Openbaar gemaakt", False)
    with pytest.raises(NotFound):
        services.add_erratum(db_session, cast["coordinator"] if who == "ind" else cast[who], restricted, point.id, "Correctie")


def test_only_organisations_present_write_restricted_minutes(db_session, cast, restricted):
    point = agenda_point(db_session, cast, restricted, "Nieuw punt")
    with pytest.raises(NotAllowed):
        services.save_minutes(db_session, cast["ind"], restricted, point.id, None, "Geheim van IND", True)
    services.save_minutes(db_session, cast["kmar"], restricted, point.id, None, "Geheim van KMar", True)


def test_decisions_under_restricted_minutes_are_restricted_too(app, db_session, cast, restricted, login_as):
    point = next(a for a in restricted.agenda_items if a.title == "Casus")
    services.add_decision(db_session, cast["kmar"], restricted, point.id, "BESLUIT-ONDER-GEHEIM")
    open_point = next(a for a in restricted.agenda_items if a.title == "Openbaar punt")
    services.add_decision(db_session, cast["kmar"], restricted, open_point.id, "Openbaar besluit")
    db_session.commit()
    for who, sees in (("kmar", True), ("ind", False)):
        client = login_as(app.test_client(), cast[who])
        for path in (f"/meetings/{restricted.id}", "/meetings/decisions", f"/api/v1/meetings/{restricted.id}"):
            body = client.get(path).get_data(as_text=True)
            assert ("BESLUIT-ONDER-GEHEIM" in body) is sees, (who, path)
            assert "Openbaar besluit" in body


def test_decisions_are_listed_in_number_order(app, db_session, cast, login_as):
    m = meeting(db_session, cast, local(2026, 5, 1))
    for text in ("Eerste", "Tweede", "Derde"):
        services.add_decision(db_session, cast["coordinator"], m, None, text)
    db_session.commit()
    body = login_as(app.test_client(), cast["coordinator"]).get("/meetings/decisions").get_data(as_text=True)
    assert body.index("Eerste") < body.index("Tweede") < body.index("Derde")


def test_every_part_of_an_approved_meeting_is_locked(app, db_session, cast, login_as):
    first = meeting(db_session, cast, local(2026, 3, 1))
    point = agenda_point(db_session, cast, first)
    other = agenda_point(db_session, cast, first, "Tweede punt")
    services.save_minutes(db_session, cast["kmar"], first, point.id, None, "Besproken.", False)
    meeting(db_session, cast, local(2026, 4, 1))
    services.approve_minutes(db_session, cast["coordinator"], first, date(2026, 4, 1))
    db_session.commit()
    coordinator = cast["coordinator"]
    attendee = first.attendees[0]
    refused = [
        lambda: services.add_agenda_item(db_session, coordinator, first, "Nagekomen"),
        lambda: services.move_agenda_item(db_session, coordinator, first, other.id, "up"),
        lambda: services.reorder_agenda(db_session, coordinator, first, [a.id for a in reversed(first.agenda_items)]),
        lambda: services.set_attendance(db_session, coordinator, first, attendee.id, "present"),
        lambda: services.invite_person(db_session, coordinator, first, cast["kmar"].id),
        lambda: services.save_minutes(db_session, cast["kmar"], first, point.id, 1, "Anders", False),
        lambda: services.add_decision(db_session, coordinator, first, None, "Achteraf besloten"),
        lambda: services.update_meeting(db_session, coordinator, first, first.version, {"invited": ["KMAR", "IND", "JENV", "POL"]}),
    ]
    for attempt in refused:
        with pytest.raises(Locked):
            attempt()
    assert db_session.scalars(select(Decision).where(Decision.meeting_id == first.id)).all() == []
    assert db_session.scalars(select(Minutes.body).where(Minutes.agenda_item_id == point.id)).one() == "Besproken."

    client = login_as(app.test_client(), coordinator)
    csrf = _csrf(client)
    page = client.get(f"/meetings/{first.id}").get_data(as_text=True)
    assert "Agendapunt toevoegen" not in page and "Aanwezigheid opslaan" not in page and "Besluit vastleggen" not in page
    for path, data in ((f"/meetings/{first.id}/agenda", {"title": "x"}), (f"/meetings/{first.id}/decisions", {"text": "x"}),
                       (f"/meetings/{first.id}/attendance", {f"attendance-{attendee.id}": "present"})):
        assert client.post(path, data={"csrf_token": csrf, **data}).status_code == 409, path
    api = client.patch(f"/api/v1/meetings/{first.id}", json={"agenda": [a.id for a in first.agenda_items]},
                       headers={"X-CSRFToken": csrf, "If-Match": f'"{first.version}"'})
    assert api.status_code == 409 and api.get_json()["error"]["code"] == "locked"
    assert client.post(f"/meetings/{first.id}/agenda/{point.id}/errata", data={"csrf_token": csrf, "body": "Lees: anders."}).status_code == 302


def test_approval_is_offered_only_when_it_can_work(app, db_session, cast, login_as):
    first = meeting(db_session, cast, local(2026, 3, 1))
    db_session.commit()
    client = login_as(app.test_client(), cast["coordinator"])
    page = client.get(f"/meetings/{first.id}").get_data(as_text=True)
    assert "Notulen vaststellen" not in page and "zodra de volgende vergadering van deze reeks is gepland" in page
    meeting(db_session, cast, local(2099, 1, 7))
    db_session.commit()
    page = client.get(f"/meetings/{first.id}").get_data(as_text=True)
    assert "Notulen vaststellen" not in page and "vanaf 7 januari 2099" in page
    meeting(db_session, cast, local(2026, 4, 1))
    db_session.commit()
    page = client.get(f"/meetings/{first.id}").get_data(as_text=True)
    assert "Notulen vaststellen" in page
