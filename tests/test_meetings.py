"""Meetings: the carried-over action list, minutes approval and errata, decision numbering, restricted minutes, exports."""
from __future__ import annotations

import io
import threading
from datetime import date, datetime

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import func, select

from models import Decision, Meeting, Minutes
from portal.actions import services as actions
from portal.errors import Locked, NotAllowed, NotFound, ValidationFailed
from portal.meetings import record, services

from conftest import BACKEND
from factories import local


@pytest.fixture()
def cast(loaded, make_user):
    return {"coordinator": make_user("JENV", role="coordinator"), "kmar": make_user("KMAR"), "ind": make_user("IND"),
            "pol": make_user("POL")}


def meeting(session, cast, when: datetime, title="MDT-overleg", invited=("KMAR", "IND", "JENV"), **extra):
    data = {"series": "MDT", "title": title, "starts_at": when, "invited": list(invited), "visibility": "mdt"}
    data.update(extra)
    return services.create_meeting(session, cast["coordinator"], data)


def agenda_point(session, cast, m, title="Stand van zaken"):
    return services.add_agenda_item(session, cast["coordinator"], m, title, "JenV", 20)


def test_new_meeting_carries_over_open_actions_of_the_series(app, db_session, cast, login_as):
    january = meeting(db_session, cast, local(2026, 1, 15))
    point = agenda_point(db_session, cast, january)
    still_open, _ = actions.create_item(db_session, cast["kmar"], {"title": "Nog open uit januari", "meeting_id": january.id,
                                                                    "agenda_item_id": point.id})
    done, _ = actions.create_item(db_session, cast["kmar"], {"title": "Klaar uit januari", "meeting_id": january.id})
    actions.request_closure(db_session, cast["kmar"], done, done.version, "klaar")
    waiting, _ = actions.create_item(db_session, cast["kmar"], {"title": "Wacht uit januari", "meeting_id": january.id})
    actions.request_closure(db_session, cast["kmar"], waiting, waiting.version, "bijna")
    actions.confirm_closure(db_session, cast["coordinator"], done, done.version)
    other_series = services.create_meeting(db_session, cast["coordinator"], {"series": "EMM", "title": "EMM", "starts_at": local(2026, 1, 20),
                                                                               "invited": ["KMAR"]})
    actions.create_item(db_session, cast["kmar"], {"title": "Uit een andere reeks", "meeting_id": other_series.id})
    february = meeting(db_session, cast, local(2026, 2, 12))
    db_session.commit()
    assert [a.title for a in february.agenda_items] == ["Actielijst vorige vergadering"]
    page = login_as(app.test_client(), cast["ind"]).get(f"/meetings/{february.id}").get_data(as_text=True)
    review = page.split("Actielijst vorige vergadering", 1)[1].split("</table>", 1)[0]
    assert "Nog open uit januari" in review and "Klaar uit januari" not in review and "Uit een andere reeks" not in review
    # Awaiting confirmation is not done: it stays on the action list, with its status in words.
    assert "Wacht uit januari" in review and "Wacht op bevestiging" in review
    assert "Actie aangemaakt." in review  # the latest update is shown


def test_minutes_are_locked_once_approved_and_corrected_by_errata(app, db_session, cast, login_as):
    first = meeting(db_session, cast, local(2026, 3, 1))
    point = agenda_point(db_session, cast, first)
    record.save_minutes(db_session, cast["kmar"], first, point.id, None, "Besproken: de **aanpak**.", False)
    with pytest.raises(ValidationFailed) as early:
        record.approve_minutes(db_session, cast["coordinator"], first, date(2026, 3, 2))
    assert "volgende vergadering" in early.value.fields["minutes"]
    meeting(db_session, cast, local(2026, 4, 1))
    with pytest.raises(ValidationFailed):
        record.approve_minutes(db_session, cast["coordinator"], first, date(2026, 3, 31))  # the next meeting has not started
    record.approve_minutes(db_session, cast["coordinator"], first, date(2026, 4, 1))
    db_session.commit()
    coordinator = login_as(app.test_client(), cast["coordinator"])
    csrf = coordinator.get("/api/v1/me").get_json()["csrf_token"]
    locked = coordinator.post(f"/meetings/{first.id}/agenda/{point.id}/minutes", data={"csrf_token": csrf, "body": "Stiekem anders", "version": "1"})
    assert locked.status_code == 409 and "vastgesteld" in locked.get_data(as_text=True)
    assert db_session.scalars(select(Minutes.body)).one() == "Besproken: de **aanpak**."
    fixed = coordinator.post(f"/meetings/{first.id}/agenda/{point.id}/errata", data={"csrf_token": csrf, "body": "Lees: de integrale aanpak."})
    assert fixed.status_code == 302
    page = coordinator.get(f"/meetings/{first.id}").get_data(as_text=True)
    assert "Erratum" in page and "Lees: de integrale aanpak." in page and "<strong>aanpak</strong>" in page


def test_concurrent_minutes_edits_never_lose_text(app, db_session, cast, login_as):
    m = meeting(db_session, cast, local(2026, 3, 1))
    point = agenda_point(db_session, cast, m)
    record.save_minutes(db_session, cast["kmar"], m, point.id, None, "Eerste versie", False)
    db_session.commit()
    client = login_as(app.test_client(), cast["ind"])
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
    assert client.post(f"/meetings/{m.id}/agenda/{point.id}/minutes", data={"csrf_token": csrf, "body": "Aanvulling IND", "version": "1"}).status_code == 302
    stale = client.post(f"/meetings/{m.id}/agenda/{point.id}/minutes", data={"csrf_token": csrf, "body": "Mijn lange verslag", "version": "1"})
    assert stale.status_code == 409
    assert "Mijn lange verslag" in stale.get_data(as_text=True)
    assert db_session.scalars(select(Minutes.body)).one() == "Aanvulling IND"


def test_decisions_are_numbered_per_series_and_year(db_session, cast):
    m = meeting(db_session, cast, local(2026, 5, 1))
    numbers = [record.add_decision(db_session, cast["kmar"], m, None, f"Besluit {i}").number for i in range(3)]
    assert numbers == ["MDT-2026-01", "MDT-2026-02", "MDT-2026-03"]
    next_year = meeting(db_session, cast, local(2027, 1, 10))
    assert record.add_decision(db_session, cast["kmar"], next_year, None, "Nieuw jaar").number == "MDT-2027-01"
    with pytest.raises(NotAllowed):
        record.add_decision(db_session, cast["pol"], m, None, "Niet uitgenodigd")


@pytest.mark.skipif(BACKEND != "postgresql", reason="row locks and true concurrency: PostgreSQL")
def test_concurrent_decisions_never_share_a_number(databases):
    """Two transactions number decisions at the same moment; the series row lock serialises them."""
    from alembic import command
    from sqlalchemy.orm import sessionmaker

    from models import Organisation, User
    from portal import reference
    from portal.cli import alembic_config
    from portal.extensions import make_engine

    url = databases.new()
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    Session = sessionmaker(engine, expire_on_commit=False)
    with Session() as session:
        reference.load(session)
        jenv = session.scalars(select(Organisation).where(Organisation.code == "JENV")).one()
        user = User(issuer="t", subject="c", name="C", organisation=jenv, role="coordinator")
        session.add(user)
        session.flush()
        m = services.create_meeting(session, user, {"series": "MDT", "title": "x", "starts_at": local(2026, 6, 1), "invited": ["JENV"]})
        session.commit()
        user_id, meeting_id = user.id, m.id
    barrier, numbers, errors = threading.Barrier(4), [], []

    def worker():
        try:
            with Session() as session:
                actor = session.get(User, user_id)
                target = session.get(Meeting, meeting_id)
                barrier.wait(timeout=10)
                for _ in range(5):
                    numbers.append(record.add_decision(session, actor, target, None, "tegelijk").number)
                    session.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    engine.dispose()
    assert errors == []
    assert len(numbers) == 20 and len(set(numbers)) == 20
    assert sorted(numbers) == [f"MDT-2026-{i:02d}" for i in range(1, 21)]


@pytest.fixture()
def restricted(db_session, cast):
    m = meeting(db_session, cast, local(2026, 6, 10), invited=("KMAR", "IND"))
    point = agenda_point(db_session, cast, m, "Casus")
    for attendee in m.attendees:
        services.set_attendance(db_session, cast["coordinator"], m, attendee.id, "present" if attendee.organisation.code == "KMAR" else "absent")
    record.save_minutes(db_session, cast["kmar"], m, point.id, None, "VERTROUWELIJK-KAMEELCASUS besproken", True)
    open_point = agenda_point(db_session, cast, m, "Openbaar punt")
    record.save_minutes(db_session, cast["kmar"], m, open_point.id, None, "Openbare samenvatting", False)
    db_session.commit()
    return m


@pytest.mark.parametrize(("who", "sees"), [("kmar", True), ("ind", False), ("pol", False)])
def test_restricted_minutes_only_for_organisations_present(app, cast, restricted, login_as, who, sees):
    client = login_as(app.test_client(), cast[who])
    page = client.get(f"/meetings/{restricted.id}").get_data(as_text=True)
    assert ("VERTROUWELIJK-KAMEELCASUS" in page) is sees and "Openbare samenvatting" in page
    found = client.get("/search?q=kameelcasus").get_data(as_text=True)
    assert ("Casus" in found.split("<main", 1)[1] and "1 resultaat" in found) is sees
    api = client.get(f"/api/v1/meetings/{restricted.id}").get_json()
    casus = next(a for a in api["agenda"] if a["title"] == "Casus")
    # Restricted minutes do not exist for those not present: no body, no version, no hint.
    assert (casus["minutes"] is None) is (not sees)
    assert [m["title"] for m in client.get("/api/v1/search?q=kameelcasus").get_json()["minutes"]] == (["Casus"] if sees else [])
    from docx import Document

    docx = client.get(f"/meetings/{restricted.id}/minutes.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.data)).paragraphs)
    assert ("VERTROUWELIJK-KAMEELCASUS" in text) is sees and "Besluitenlijst" in text and "Actielijst" in text
    from pypdf import PdfReader

    pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(client.get(f"/meetings/{restricted.id}/minutes.pdf").data)).pages)
    assert ("VERTROUWELIJK-KAMEELCASUS" in pdf) is sees and "Openbare samenvatting" in pdf


def test_meeting_invisible_to_other_organisations_is_404(app, db_session, cast, login_as):
    secret = meeting(db_session, cast, local(2026, 7, 1), visibility="organisation", invited=("JENV",))
    db_session.commit()
    outsider = login_as(app.test_client(), cast["kmar"])
    assert outsider.get(f"/meetings/{secret.id}").status_code == 404
    assert outsider.get(f"/api/v1/meetings/{secret.id}").status_code == 404
    assert outsider.get(f"/meetings/{secret.id}/invite.ics").status_code == 404
    assert secret.title not in outsider.get("/meetings").get_data(as_text=True) or "MDT-overleg" not in outsider.get("/meetings").get_data(as_text=True)


def test_ics_invitation(app, db_session, cast, login_as):
    from icalendar import Calendar

    m = meeting(db_session, cast, local(2026, 9, 3, 14), location="Den Haag")
    db_session.commit()
    data = login_as(app.test_client(), cast["kmar"]).get(f"/meetings/{m.id}/invite.ics")
    event = Calendar.from_ical(data.data).walk("VEVENT")[0]
    assert str(event["summary"]) == "MDT-overleg" and str(event["location"]) == "Den Haag"
    assert event.decoded("dtstart") == local(2026, 9, 3, 14)


def test_bad_input_is_refused_and_nothing_half_stored(app, db_session, cast, login_as):
    one = meeting(db_session, cast, local(2026, 8, 1))
    other = meeting(db_session, cast, local(2026, 8, 2))
    foreign_point = agenda_point(db_session, cast, other, "Elders")
    a, b = agenda_point(db_session, cast, one, "A"), agenda_point(db_session, cast, one, "B")
    db_session.commit()
    coordinator = login_as(app.test_client(), cast["coordinator"])
    csrf = coordinator.get("/api/v1/me").get_json()["csrf_token"]
    # Attendance for someone not invited to this meeting.
    foreign_attendee = other.attendees[0].id
    assert coordinator.post(f"/meetings/{one.id}/attendance", data={"csrf_token": csrf, f"attendance-{foreign_attendee}": "present"}).status_code == 422
    # Inviting a person whose organisation is not invited.
    assert coordinator.post(f"/meetings/{one.id}/invite", data={"csrf_token": csrf, "user_id": str(cast["pol"].id)}).status_code == 422
    # Moving an agenda item of another meeting, via the page and via the API.
    assert coordinator.post(f"/meetings/{one.id}/agenda/{foreign_point.id}/move", data={"csrf_token": csrf, "direction": "up"}).status_code == 422
    order = [p.id for p in one.agenda_items]
    patch = coordinator.patch(f"/api/v1/meetings/{one.id}", json={"agenda": [order[0], foreign_point.id, *order[2:]]},
                              headers={"X-CSRFToken": csrf, "If-Match": f'"{one.version}"'})
    assert patch.status_code == 422 and "andere vergadering" in patch.get_json()["error"]["fields"]["agenda"]
    db_session.expire_all()
    assert [p.title for p in db_session.get(Meeting, one.id).agenda_items] == ["Actielijst vorige vergadering", "A", "B"]
    assert db_session.get(Meeting, other.id).agenda_items[-1].title == "Elders"
    # Reordering that does work, by keyboard-operable buttons and by the API.
    assert coordinator.post(f"/meetings/{one.id}/agenda/{b.id}/move", data={"csrf_token": csrf, "direction": "up"}).status_code == 302
    db_session.expire_all()
    assert [p.title for p in db_session.get(Meeting, one.id).agenda_items] == ["Actielijst vorige vergadering", "B", "A"]
    ok = coordinator.patch(f"/api/v1/meetings/{one.id}", json={"agenda": [order[0], a.id, b.id]},
                           headers={"X-CSRFToken": csrf, "If-Match": f'"{db_session.get(Meeting, one.id).version}"'})
    assert ok.status_code == 200 and [p["title"] for p in ok.get_json()["agenda"]] == ["Actielijst vorige vergadering", "A", "B"]
    stale = coordinator.patch(f"/api/v1/meetings/{one.id}", json={"title": "x"}, headers={"X-CSRFToken": csrf, "If-Match": '"0"'})
    assert stale.status_code == 412 and stale.get_json()["title"] == "MDT-overleg"
    assert coordinator.patch(f"/api/v1/meetings/{one.id}", json={"title": "x"}, headers={"X-CSRFToken": csrf}).status_code == 428
    malformed = coordinator.patch(f"/api/v1/meetings/{one.id}", json={"title": "x"}, headers={"X-CSRFToken": csrf, "If-Match": "*"})
    assert malformed.status_code == 400  # as for action items


def test_meeting_through_the_pages(app, db_session, cast, login_as):
    coordinator = login_as(app.test_client(), cast["coordinator"])
    csrf = coordinator.get("/api/v1/me").get_json()["csrf_token"]
    bad = coordinator.post("/meetings/new", data={"csrf_token": csrf, "series": "MDT", "title": "", "day": "2026-12-01", "start": "25:00",
                                                   "visibility": "mdt", "invited": ["KMAR"]})
    assert bad.status_code == 422 and db_session.scalar(select(func.count()).select_from(Meeting)) == 0
    created = coordinator.post("/meetings/new", data={"csrf_token": csrf, "series": "MDT", "title": "MDT december", "day": "2026-12-01",
                                                       "start": "10:00", "end": "12:00", "visibility": "mdt", "invited": ["KMAR", "IND"]})
    assert created.status_code == 302
    meeting_id = int(created.headers["Location"].rsplit("/", 1)[1])
    assert coordinator.post(f"/meetings/{meeting_id}/agenda", data={"csrf_token": csrf, "title": "Casus KMar", "duration_minutes": "15"}).status_code == 302
    m = db_session.get(Meeting, meeting_id)
    assert m.starts_at == local(2026, 12, 1, 10)
    member = login_as(app.test_client(), cast["kmar"])
    member_csrf = member.get("/api/v1/me").get_json()["csrf_token"]
    point = m.agenda_items[-1]
    decided = member.post(f"/meetings/{meeting_id}/decisions",
                          data={"csrf_token": member_csrf, "text": "Casus wordt verdiept", "agenda_item_id": str(point.id)})
    assert decided.status_code == 302
    action = member.post("/actions/new", data={"csrf_token": member_csrf, "title": "Casus uitwerken", "visibility": "mdt", "owner_organisation": "KMAR",
                                               "meeting_id": str(meeting_id), "agenda_item_id": str(point.id)})
    assert action.status_code == 302
    page = member.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "MDT-2026-01" in page and "Casus wordt verdiept" in page and "Casus uitwerken" in page
    register = member.get("/meetings/decisions?series=MDT&year=2026&q=verdiept").get_data(as_text=True)
    assert "MDT-2026-01" in register
    assert "MDT-2026-01" not in member.get("/meetings/decisions?year=2025").get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Decision)) == 1


def test_coordinator_adds_a_series(app, db_session, cast, login_as):
    from models import MeetingSeries

    client = login_as(app.test_client(), cast["coordinator"])
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
    assert client.post("/meetings/series", data={"csrf_token": csrf, "code": "mdt", "title": "Dubbel"}, follow_redirects=True).status_code == 200
    assert db_session.scalar(select(func.count()).select_from(MeetingSeries).where(MeetingSeries.title == "Dubbel")) == 0
    assert client.post("/meetings/series", data={"csrf_token": csrf, "code": "KETEN", "title": "Ketenoverleg"}).status_code == 302
    m = services.create_meeting(db_session, cast["coordinator"], {"series": "KETEN", "title": "x", "starts_at": local(2026, 2, 2), "invited": ["JENV"]})
    assert record.add_decision(db_session, cast["coordinator"], m, None, "Eerste").number == "KETEN-2026-01"
    member = login_as(app.test_client(), cast["kmar"])
    member_csrf = member.get("/api/v1/me").get_json()["csrf_token"]
    assert member.post("/meetings/series", data={"csrf_token": member_csrf, "code": "EIGEN", "title": "x"}).status_code == 403


# -- rules 5 and 6: restricted minutes, the approved record ----------------------------------------

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
        record.save_minutes(db_session, cast[who], restricted, point.id, version, "Openbaar gemaakt", False)
    with pytest.raises(NotFound):
        record.add_erratum(db_session, cast["coordinator"] if who == "ind" else cast[who], restricted, point.id, "Correctie")


def test_only_organisations_present_write_restricted_minutes(db_session, cast, restricted):
    point = agenda_point(db_session, cast, restricted, "Nieuw punt")
    with pytest.raises(NotAllowed):
        record.save_minutes(db_session, cast["ind"], restricted, point.id, None, "Geheim van IND", True)
    record.save_minutes(db_session, cast["kmar"], restricted, point.id, None, "Geheim van KMar", True)


def test_decisions_under_restricted_minutes_are_restricted_too(app, db_session, cast, restricted, login_as):
    point = next(a for a in restricted.agenda_items if a.title == "Casus")
    record.add_decision(db_session, cast["kmar"], restricted, point.id, "BESLUIT-ONDER-GEHEIM")
    open_point = next(a for a in restricted.agenda_items if a.title == "Openbaar punt")
    record.add_decision(db_session, cast["kmar"], restricted, open_point.id, "Openbaar besluit")
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
        record.add_decision(db_session, cast["coordinator"], m, None, text)
    db_session.commit()
    body = login_as(app.test_client(), cast["coordinator"]).get("/meetings/decisions").get_data(as_text=True)
    assert body.index("Eerste") < body.index("Tweede") < body.index("Derde")


def test_every_part_of_an_approved_meeting_is_locked(app, db_session, cast, login_as):
    first = meeting(db_session, cast, local(2026, 3, 1))
    point = agenda_point(db_session, cast, first)
    other = agenda_point(db_session, cast, first, "Tweede punt")
    record.save_minutes(db_session, cast["kmar"], first, point.id, None, "Besproken.", False)
    meeting(db_session, cast, local(2026, 4, 1))
    record.approve_minutes(db_session, cast["coordinator"], first, date(2026, 4, 1))
    db_session.commit()
    coordinator = cast["coordinator"]
    attendee = first.attendees[0]
    refused = [
        lambda: services.add_agenda_item(db_session, coordinator, first, "Nagekomen"),
        lambda: services.move_agenda_item(db_session, coordinator, first, other.id, "up"),
        lambda: services.reorder_agenda(db_session, coordinator, first, [a.id for a in reversed(first.agenda_items)]),
        lambda: services.set_attendance(db_session, coordinator, first, attendee.id, "present"),
        lambda: services.invite_person(db_session, coordinator, first, cast["kmar"].id),
        lambda: record.save_minutes(db_session, cast["kmar"], first, point.id, 1, "Anders", False),
        lambda: record.add_decision(db_session, coordinator, first, None, "Achteraf besloten"),
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


# -- minutes exports ----------------------------------------

MARKDOWN = "# Kop van het verslag\n\n**vet** en *schuin* gezegd.\n\n- eerste punt\n- tweede punt\n\n1. stap een\n2. stap twee\n\n" \
           "Zie [de brief](https://www.rijksoverheid.nl/brief)."


def _docx(client, meeting_id):
    return Document(io.BytesIO(client.get(f"/meetings/{meeting_id}/minutes.docx").data))


def _pdf(client, meeting_id):
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(client.get(f"/meetings/{meeting_id}/minutes.pdf").data)).pages)


def test_markdown_and_dutch_statuses_in_both_exports(app, db_session, cast, login_as):
    m = meeting(db_session, cast, local(2026, 5, 4))
    point = agenda_point(db_session, cast, m)
    record.save_minutes(db_session, cast["kmar"], m, point.id, None, MARKDOWN, False)
    item, _ = actions.create_item(db_session, cast["kmar"], {"title": "Actie uit overleg", "meeting_id": m.id})
    actions.add_update(db_session, cast["kmar"], item, item.version, "Bezig", "in_progress", 20)
    db_session.commit()
    client = login_as(app.test_client(), cast["kmar"])

    doc = _docx(client, m.id)
    paragraphs = doc.paragraphs
    text = "\n".join(p.text for p in paragraphs)
    assert "**" not in text and "# Kop" not in text
    assert any(p.text == "Kop van het verslag" and p.style.name.startswith("Heading") for p in paragraphs)
    bold = [r.text for p in paragraphs for r in p.runs if r.bold]
    italic = [r.text for p in paragraphs for r in p.runs if r.italic]
    assert "vet" in bold and "schuin" in italic
    assert [p.text for p in paragraphs if p.style.name == "List Bullet"] == ["eerste punt", "tweede punt"]
    assert [p.text for p in paragraphs if p.style.name == "List Number"] == ["stap een", "stap twee"]
    assert "de brief (https://www.rijksoverheid.nl/brief)" in text
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "Bezig" in cells and "in_progress" not in cells

    pdf = _pdf(client, m.id)
    assert "**" not in pdf and "vet en schuin gezegd" in pdf and "Kop van het verslag" in pdf
    assert "eerste punt" in pdf and "stap twee" in pdf and "Bezig" in pdf and "in_progress" not in pdf


def test_restricted_minutes_are_marked_for_who_may_read_them_and_absent_for_the_rest(app, db_session, cast, login_as):
    m = meeting(db_session, cast, local(2026, 6, 1), invited=("KMAR", "IND"))
    point = agenda_point(db_session, cast, m, "Casus")
    for attendee in m.attendees:
        services.set_attendance(db_session, cast["coordinator"], m, attendee.id, "present" if attendee.organisation.code == "KMAR" else "absent")
    record.save_minutes(db_session, cast["kmar"], m, point.id, None, "Besproken: **KAMEEL-dossier**.", True)
    db_session.commit()
    kmar, ind = login_as(app.test_client(), cast["kmar"]), login_as(app.test_client(), cast["ind"])

    kmar_doc = _docx(kmar, m.id)
    assert "VERTROUWELIJK" in kmar_doc.sections[0].header.paragraphs[0].text
    assert "Vertrouwelijk" in "\n".join(p.text for p in kmar_doc.paragraphs) and "KAMEEL" in "\n".join(p.text for p in kmar_doc.paragraphs)
    kmar_pdf = _pdf(kmar, m.id)
    assert "VERTROUWELIJK" in kmar_pdf and "KAMEEL-dossier" in kmar_pdf

    ind_text = "\n".join(p.text for p in _docx(ind, m.id).paragraphs)
    ind_pdf = _pdf(ind, m.id)
    for text in (ind_text, ind_pdf):
        assert "KAMEEL" not in text and "ertrouwelijk" not in text and "ERTROUWELIJK" not in text
        assert "Geen notulen." in text  # the same as an agenda item without minutes
