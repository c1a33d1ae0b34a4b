"""Rule 2 (one rule for late, live and in reports) and the two-key closure's four eyes and send-back (issue #11)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import ActionItem, Organisation, ProgressUpdate
from portal.actions import services
from portal.errors import NotAllowed
from portal.i18n import today

from factories import current_areas


@pytest.fixture()
def due_items(loaded, make_user):
    """Three open KMar items in one focus area: due yesterday, today and tomorrow."""
    member = make_user("KMAR")
    area = current_areas(loaded)[0]
    items = {}
    for name, offset in (("yesterday", -1), ("today", 0), ("tomorrow", 1)):
        item, _ = services.create_item(loaded, member, {"title": f"Deadline {name}", "focus_area": area.code,
                                                        "due_date": today() + timedelta(days=offset)})
        items[name] = item
    loaded.flush()
    return items, area, member


def test_late_is_the_same_answer_on_every_surface(app, due_items, make_user, login_as, loaded):
    from portal.framework import rollup
    from portal.reports import services as reports

    items, area, _member = due_items
    coordinator = make_user("JENV", role="coordinator")
    client = login_as(app.test_client(), coordinator)
    late_ids = {items["yesterday"].id}

    listed = client.get("/api/v1/action-items?overdue=true&per_page=100").get_json()
    assert {i["id"] for i in listed["items"]} & {i.id for i in items.values()} == late_ids
    page = client.get("/actions?overdue=true").get_data(as_text=True)
    assert f'href="/actions/{items["yesterday"].id}"' in page and f'href="/actions/{items["today"].id}"' not in page

    with app.test_request_context():
        figures = rollup.summary(loaded, coordinator, today())
    assert figures["areas"][area.id]["overdue"] == 1

    report = reports.create_report(loaded, coordinator, "Peildatum vandaag", today(), today())
    loaded.flush()
    frozen = {row["id"]: row["overdue"] for row in report.snapshot["items"]}
    assert {i for i, late in frozen.items() if late} & {i.id for i in items.values()} == late_ids
    loaded.commit()
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get(f"/reports/{report.id}/export.xlsx").data))["Acties"]
    header = [c.value for c in sheet[1]]
    exported = {r[header.index("Titel")]: r[header.index("Te laat")] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert (exported["Deadline yesterday"], exported["Deadline today"], exported["Deadline tomorrow"]) == ("ja", "nee", "nee")

    csv = client.get("/actions/export.csv").get_data(as_text=True).lstrip("\ufeff").splitlines()
    header = csv[0].split(";")
    late_column = {line.split(";")[header.index("Titel")]: line.split(";")[header.index("Te laat")] for line in csv[1:]}
    assert (late_column["Deadline yesterday"], late_column["Deadline today"], late_column["Deadline tomorrow"]) == ("ja", "nee", "nee")

    dashboard = client.get("/").get_data(as_text=True)
    assert dashboard.count("Deadline yesterday") >= 1
    assert "(te laat)" in client.get(f"/actions/{items['yesterday'].id}").get_data(as_text=True)
    assert "(te laat)" not in client.get(f"/actions/{items['today'].id}").get_data(as_text=True)


def test_the_requester_cannot_confirm_their_own_closure(loaded, make_user):
    coordinator = make_user("KMAR", role="coordinator")
    other = make_user("JENV", role="coordinator")
    item, _ = services.create_item(loaded, coordinator, {"title": "Vier ogen"})
    services.request_closure(loaded, coordinator, item, item.version, "Klaar.")
    with pytest.raises(NotAllowed):
        services.confirm_closure(loaded, coordinator, item, item.version)
    services.confirm_closure(loaded, other, item, item.version)
    assert (item.status, item.closure_state, item.closure_confirmed_by_id) == ("done", "confirmed", other.id)


def test_the_confirm_button_is_not_offered_to_the_requester(app, loaded, make_user, login_as):
    coordinator = make_user("KMAR", role="coordinator")
    item, _ = services.create_item(loaded, coordinator, {"title": "Knop"})
    services.request_closure(loaded, coordinator, item, item.version, "Klaar.")
    loaded.flush()
    own = login_as(app.test_client(), coordinator).get(f"/actions/{item.id}").get_data(as_text=True)
    other = login_as(app.test_client(), make_user("JENV", role="coordinator")).get(f"/actions/{item.id}").get_data(as_text=True)
    confirm = f'action="/actions/{item.id}/confirm"'
    assert confirm not in own and confirm in other


def test_send_back_restores_status_and_progress(loaded, make_user):
    member = make_user("KMAR")
    coordinator = make_user("JENV", role="coordinator")
    item, _ = services.create_item(loaded, member, {"title": "Terug"})
    services.add_update(loaded, member, item, item.version, "Half af.", "blocked", 60)
    services.request_closure(loaded, member, item, item.version, "Klaar.")
    assert item.progress == 100
    services.reject_closure(loaded, coordinator, item, item.version, "Bewijs ontbreekt.")
    assert (item.status, item.progress, item.closure_state) == ("blocked", 60, "none")
    last = loaded.scalars(select(ProgressUpdate).where(ProgressUpdate.action_item_id == item.id)
                          .order_by(ProgressUpdate.id.desc())).first()
    assert (last.kind, last.status, last.progress, last.note) == ("closure_rejected", "blocked", 60, "Bewijs ontbreekt.")
    assert loaded.get(ActionItem, item.id).closing_note is None
    assert loaded.scalars(select(Organisation).where(Organisation.code == "KMAR")).one()


def test_only_the_owner_organisation_turns_the_first_key(app, loaded, make_user, login_as):
    """Contract: POST /action-items/<id>/closure is for the owner organisation only (a coordinator elsewhere confirms)."""
    owner = make_user("KMAR")
    other_coordinator = make_user("JENV", role="coordinator")
    item, _ = services.create_item(loaded, owner, {"title": "Eerste sleutel"})
    loaded.flush()
    with pytest.raises(NotAllowed):
        services.request_closure(loaded, other_coordinator, item, item.version, "Klaar.")
    page = login_as(app.test_client(), other_coordinator).get(f"/actions/{item.id}").get_data(as_text=True)
    assert f'action="/actions/{item.id}/close"' not in page and f'action="/actions/{item.id}/cancel"' in page
    services.request_closure(loaded, owner, item, item.version, "Klaar.")
    assert item.status == "awaiting_confirmation"
