"""Action items end to end through views, services and the API, on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models import ActionItem, Attachment, AuditEvent, Comment, ProgressUpdate
from portal.actions import services
from portal.errors import VersionConflict


@pytest.fixture()
def as_user(app, login_as):
    def make(user):
        client = login_as(app.test_client(), user)
        client.csrf = client.get("/api/v1/me").get_json()["csrf_token"]
        return client
    return make


def new_item(client, **fields) -> int:
    data = {"csrf_token": client.csrf, "title": "Strategische doelen vastleggen", "description": "", "visibility": "mdt",
            "owner_organisation": "KMAR", "assignee_id": "", "due_date": "", "focus_area": "3.1"}
    data.update(fields)
    response = client.post("/actions/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


# -- create and validate -------------------------------------------------------------

def test_member_creates_item_and_sees_it(as_user, people, db_session):
    client = as_user(people["kmar"])
    assert client.get("/actions/new").status_code == 200
    from models import Recommendation

    rec_ids = db_session.scalars(select(Recommendation.id).order_by(Recommendation.id).limit(2)).all()
    item_id = new_item(client, due_date="2026-12-31", recommendation_ids=[str(i) for i in rec_ids])
    item = db_session.get(ActionItem, item_id)
    assert item.owner_organisation.code == "KMAR" and item.version == 1 and item.due_date == date(2026, 12, 31)
    assert item.created_by_id == people["kmar"].id and len(item.recommendations) == 2
    page = client.get(f"/actions/{item_id}").get_data(as_text=True)
    assert "Strategische doelen vastleggen" in page and "31 december 2026" in page and "Actie aangemaakt." in page
    assert db_session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == item_id)).all() == ["action.created"]


@pytest.mark.parametrize(
    ("fields", "error_field", "message"),
    [
        ({"title": ""}, "title", "Dit veld is verplicht."),
        ({"title": "x" * 301}, "title", "Hoogstens 300 tekens."),
        ({"due_date": "31-02-2026"}, "due_date", ""),
        ({"owner_organisation": "POL"}, "owner_organisation", "Alleen een coördinator"),
        ({"owner_organisation": "XXX"}, "owner_organisation", ""),
        ({"visibility": "partners"}, "shared_with", "Kies met welke partners"),
        ({"visibility": "iedereen"}, "visibility", ""),
    ],
)
def test_bad_input_is_refused_at_the_field_and_nothing_stored(as_user, people, db_session, fields, error_field, message):
    client = as_user(people["kmar"])
    data = {"csrf_token": client.csrf, "title": "Goede titel", "visibility": "mdt", "owner_organisation": "KMAR"}
    data.update(fields)
    response = client.post("/actions/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{error_field}-error"' in html and 'aria-invalid="true"' in html
    assert 'role="alert"' in html and f'href="#{error_field}"' in html
    assert message in html
    assert count(db_session, ActionItem) == 0


def test_reader_cannot_create(as_user, people):
    client = as_user(people["reader"])
    assert client.get("/actions/new").status_code == 403


# -- progress updates, markdown, htmx ---------------------------------------------------

def test_progress_update_via_htmx_returns_the_history_fragment(as_user, people, db_session):
    client = as_user(people["kmar"])
    item_id = new_item(client)
    response = client.post(f"/actions/{item_id}/updates", headers={"HX-Request": "true", "X-CSRFToken": client.csrf},
                           data={"note": "Eerste **overleg** gevoerd", "status": "in_progress", "progress": "30", "version": "1"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html  # a fragment, not a page
    assert "<strong>overleg</strong>" in html and "30%" in html
    assert "portal:message" in response.headers["HX-Trigger"]
    item = db_session.get(ActionItem, item_id)
    assert (item.status, item.progress, item.version) == ("in_progress", 30, 2)
    assert count(db_session, ProgressUpdate) == 2


def test_progress_update_without_javascript_redirects(as_user, people):
    client = as_user(people["kmar"])
    item_id = new_item(client)
    response = client.post(f"/actions/{item_id}/updates", data={"csrf_token": client.csrf, "note": "Gestart", "status": "in_progress",
                                                              "progress": "10", "version": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/actions/{item_id}#geschiedenis")


@pytest.mark.parametrize("progress", ["150", "-5", "veel"])
def test_progress_outside_range_is_refused(as_user, people, db_session, progress):
    client = as_user(people["kmar"])
    item_id = new_item(client)
    response = client.post(f"/actions/{item_id}/updates", data={"csrf_token": client.csrf, "note": "x", "status": "open",
                                                              "progress": progress, "version": "1"})
    assert response.status_code == 422
    assert "Vul een getal van 0 tot en met 100 in." in response.get_data(as_text=True)
    assert db_session.get(ActionItem, item_id).progress == 0 and count(db_session, ProgressUpdate) == 1


def test_markup_in_notes_and_comments_is_inert(as_user, people):
    client = as_user(people["kmar"])
    item_id = new_item(client, description="[klik](javascript:alert(1)) <img src=x onerror=alert(2)>")
    client.post(f"/actions/{item_id}/comments", data={"csrf_token": client.csrf, "body": "<script>alert(3)</script> [x](data:text/html,boo)"})
    html = client.get(f"/actions/{item_id}").get_data(as_text=True)
    assert "<script>alert(3)" not in html and "<img src=x" not in html
    assert 'href="javascript:' not in html and 'href="data:' not in html
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in html


# -- lost updates -----------------------------------------------------------------------

def test_stale_edit_shows_both_versions_and_keeps_what_was_typed(as_user, people, db_session):
    mine, theirs = as_user(people["kmar"]), as_user(people["kmar2"])
    item_id = new_item(mine)
    base = {"owner_organisation": "KMAR", "visibility": "mdt", "focus_area": "3.1", "assignee_id": "", "due_date": ""}
    ok = theirs.post(f"/actions/{item_id}/edit", data={**base, "csrf_token": theirs.csrf, "title": "Titel van Kees", "version": "1"})
    assert ok.status_code == 302
    stale = mine.post(f"/actions/{item_id}/edit", data={**base, "csrf_token": mine.csrf, "title": "Titel van Karin", "version": "1"})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "Titel van Karin" in html and "Titel van Kees" in html and "(verschilt)" in html
    assert "MDT-leden (KMar, Politie, IND, OM, JenV)" in html and "<td>mdt</td>" not in html  # values in words
    assert 'name="recommendation_ids"' in html and "picker" in html  # the full recommendation picker, as on the edit page
    assert db_session.get(ActionItem, item_id).title == "Titel van Kees"
    # Resubmitting the merge form (it carries the current version) saves knowingly.
    version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    merged = mine.post(f"/actions/{item_id}/edit", data={**base, "csrf_token": mine.csrf, "title": "Titel van Karin en Kees", "version": version})
    assert merged.status_code == 302
    db_session.expire_all()
    assert db_session.get(ActionItem, item_id).title == "Titel van Karin en Kees"
    assert db_session.scalar(select(func.count()).where(AuditEvent.action == "version_conflict")) == 1


def test_stale_progress_update_keeps_the_note(as_user, people, db_session):
    client = as_user(people["kmar"])
    item_id = new_item(client)
    client.post(f"/actions/{item_id}/updates", data={"csrf_token": client.csrf, "note": "eerste", "status": "open", "progress": "5", "version": "1"})
    stale = client.post(f"/actions/{item_id}/updates", data={"csrf_token": client.csrf, "note": "mijn lange verhaal", "status": "open",
                                                            "progress": "50", "version": "1"})
    assert stale.status_code == 409
    assert "mijn lange verhaal" in stale.get_data(as_text=True)
    assert db_session.get(ActionItem, item_id).progress == 5


def test_write_without_version_is_refused(as_user, people, db_session):
    client = as_user(people["kmar"])
    item_id = new_item(client)
    response = client.post(f"/actions/{item_id}/updates", data={"csrf_token": client.csrf, "note": "x", "status": "open", "progress": "5"})
    assert response.status_code == 422
    assert count(db_session, ProgressUpdate) == 1


# -- two-key closure ------------------------------------------------------------------------

def test_two_key_closure(as_user, people, db_session):
    member, coordinator = as_user(people["kmar"]), as_user(people["coordinator"])
    item_id = new_item(member)
    no_note = member.post(f"/actions/{item_id}/close", data={"csrf_token": member.csrf, "closing_note": "", "version": "1"})
    assert no_note.status_code == 422 and db_session.get(ActionItem, item_id).status == "open"

    done = member.post(f"/actions/{item_id}/close", data={"csrf_token": member.csrf, "closing_note": "Doelen vastgesteld", "version": "1"})
    assert done.status_code == 302
    assert "Wacht op bevestiging" in member.get(f"/actions/{item_id}").get_data(as_text=True)
    assert db_session.get(ActionItem, item_id).status == "awaiting_confirmation"
    # The owner cannot turn the second key.
    assert member.post(f"/actions/{item_id}/confirm", data={"csrf_token": member.csrf, "version": "2"}).status_code == 403

    confirmed = coordinator.post(f"/actions/{item_id}/confirm", data={"csrf_token": coordinator.csrf, "version": "2"})
    assert confirmed.status_code == 302
    db_session.expire_all()
    item = db_session.get(ActionItem, item_id)
    assert (item.status, item.closure_state, item.progress) == ("done", "confirmed", 100)
    kinds = db_session.scalars(select(ProgressUpdate.kind).where(ProgressUpdate.action_item_id == item_id).order_by(ProgressUpdate.id)).all()
    assert kinds == ["update", "closure_requested", "closure_confirmed"]


def test_coordinator_sends_closure_back_with_a_reason(as_user, people, db_session):
    member, coordinator = as_user(people["kmar"]), as_user(people["coordinator"])
    item_id = new_item(member)
    member.post(f"/actions/{item_id}/close", data={"csrf_token": member.csrf, "closing_note": "Klaar", "version": "1"})
    assert coordinator.post(f"/actions/{item_id}/reject", data={"csrf_token": coordinator.csrf, "reason": "", "version": "2"}).status_code == 422
    back = coordinator.post(f"/actions/{item_id}/reject", data={"csrf_token": coordinator.csrf, "reason": "Bewijs ontbreekt", "version": "2"})
    assert back.status_code == 302
    db_session.expire_all()
    item = db_session.get(ActionItem, item_id)
    assert (item.status, item.closure_state) == ("open", "none")  # back to the status before the request
    assert "Bewijs ontbreekt" in member.get(f"/actions/{item_id}").get_data(as_text=True)


def test_cancel_needs_a_reason(as_user, people, db_session):
    client = as_user(people["kmar"])
    item_id = new_item(client)
    assert client.post(f"/actions/{item_id}/cancel", data={"csrf_token": client.csrf, "reason": " ", "version": "1"}).status_code == 422
    assert client.post(f"/actions/{item_id}/cancel", data={"csrf_token": client.csrf, "reason": "Niet meer nodig", "version": "1"}).status_code == 302
    db_session.expire_all()
    assert db_session.get(ActionItem, item_id).status == "cancelled"


def test_other_organisation_cannot_edit_an_mdt_item(as_user, people):
    owner, other = as_user(people["kmar"]), as_user(people["ind"])
    item_id = new_item(owner)
    assert other.get(f"/actions/{item_id}").status_code == 200
    assert other.get(f"/actions/{item_id}/edit").status_code == 403
    response = other.post(f"/actions/{item_id}/updates", data={"csrf_token": other.csrf, "note": "x", "status": "open", "progress": "1", "version": "1"})
    assert response.status_code == 403


# -- attachments ------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_attachment_upload_and_download(as_user, people, db_session):
    owner, other = as_user(people["kmar"]), as_user(people["ind"])
    item_id = new_item(owner, visibility="organisation")
    response = owner.post(f"/actions/{item_id}/attachments", data={"csrf_token": owner.csrf, "file": (io.BytesIO(PDF), "verslag \"q1\".pdf")},
                          content_type="multipart/form-data")
    assert response.status_code == 302
    attachment = db_session.scalars(select(Attachment)).one()
    assert attachment.content_type == "application/pdf" and attachment.storage_key not in attachment.filename
    download = owner.get(f"/actions/{item_id}/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff" and "sandbox" in download.headers["Content-Security-Policy"]
    assert other.get(f"/actions/{item_id}/attachments/{attachment.id}").status_code == 404


@pytest.mark.parametrize(("content", "name"), [(b"MZ\x90\x00 not a pdf", "rapport.pdf"), (b"<html><script>", "x.png"), (b"", "leeg.pdf")])
def test_wrong_type_uploads_are_refused(as_user, people, db_session, content, name):
    client = as_user(people["kmar"])
    item_id = new_item(client)
    response = client.post(f"/actions/{item_id}/attachments", data={"csrf_token": client.csrf, "file": (io.BytesIO(content), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert count(db_session, Attachment) == 0


def test_oversize_upload_is_413(app_with, portal_toml, tmp_path, people, login_as, db_session):
    config = tmp_path / "small.toml"
    config.write_text(portal_toml.read_text() + "\n[uploads]\nmax_mb = 1\n")
    app = app_with(config)
    client = login_as(app.test_client(), people["kmar"])
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
    item = ActionItem(title="x", owner_organisation=people["kmar"].organisation)
    db_session.add(item)
    db_session.flush()
    big = PDF + b"0" * (3 * 1024 * 1024)
    response = client.post(f"/actions/{item.id}/attachments", data={"csrf_token": csrf, "file": (io.BytesIO(big), "groot.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert count(db_session, Attachment) == 0


# -- list, filters, dashboard, search, exports ---------------------------------------------------

@pytest.fixture()
def items(people, db_session):
    kmar, pol = people["kmar"].organisation, people["pol"].organisation
    today = date.today()
    rows = [
        ActionItem(title="Kameelproject grensbewaking", owner_organisation=kmar, visibility="organisation", due_date=today - timedelta(days=3)),
        ActionItem(title="=HYPERLINK(\"http://evil\")", owner_organisation=kmar, visibility="mdt", due_date=today + timedelta(days=5)),
        ActionItem(title="Politie opleiding rechercheurs", owner_organisation=pol, visibility="mdt", status="in_progress", progress=40),
        ActionItem(title="Gedeeld met politie", owner_organisation=kmar, visibility="partners", shared_with=[pol]),
    ]
    db_session.add_all(rows)
    db_session.flush()
    db_session.add(ProgressUpdate(action_item_id=rows[2].id, recorded_at=rows[2].created_at, status="in_progress", progress=40,
                                  note="Zebrapad besproken met de opleiding"))
    db_session.add(Comment(action_item_id=rows[0].id, body="Giraffe gesignaleerd"))
    db_session.flush()
    return rows


def test_list_filters_sort_and_htmx_fragment(as_user, people, items):
    client = as_user(people["kmar"])
    page = client.get("/actions?overdue=true").get_data(as_text=True)
    assert "Kameelproject" in page and "Politie opleiding" not in page and "(te laat)" in page
    page = client.get("/actions?organisation=POL").get_data(as_text=True)
    assert "Politie opleiding" in page and "Kameelproject" not in page
    fragment = client.get("/actions?status=in_progress", headers={"HX-Request": "true", "HX-Target": "resultaten"})
    html = fragment.get_data(as_text=True)
    assert "<html" not in html and "Politie opleiding" in html and "Kameelproject" not in html
    assert client.get("/actions?sort=;drop table").status_code == 200  # unknown sort falls back to the allow-list


def test_search_keeps_each_kind_when_another_kind_floods_the_matches(as_user, people, items, db_session):
    """Candidates are the newest matches per kind (CANDIDATES), on both backends: 600 updates that mention a word do
    not push out the item whose title has it, nor a recommendation; and what is shown is still only what may be seen."""
    from portal.search.queries import CANDIDATES

    busy, hidden = items[2], items[0]  # Politie's mdt item; KMar's organisation-only item
    db_session.add_all([ProgressUpdate(action_item_id=busy.id, recorded_at=busy.created_at, status="in_progress", progress=40,
                                       note=f"Europol overleg {n}") for n in range(CANDIDATES["update"] + 100)])
    hidden.title = "Europol kameelproject"
    db_session.add(ActionItem(title="Europol-verbindingsofficier", owner_organisation=busy.owner_organisation, visibility="mdt"))
    db_session.flush()
    ind = as_user(people["ind"]).get("/search?q=Europol").get_data(as_text=True)
    assert "Europol-verbindingsofficier" in ind and "Politie opleiding rechercheurs" in ind and "LIRC en Europol" in ind
    assert "kameelproject" not in ind
    assert "Europol kameelproject" in as_user(people["kmar"]).get("/search?q=Europol").get_data(as_text=True)


def test_search_candidates_are_what_the_viewer_may_see(as_user, people, items, db_session):
    """More hidden matches than the per-kind limit (KMar-only comments) never push out a viewer's own match."""
    from portal.search.queries import CANDIDATES

    hidden, politie_item = items[0], items[2]  # KMar's organisation-only item; Politie's mdt item
    db_session.add_all([Comment(action_item_id=hidden.id, body=f"Walrusoverleg {n}") for n in range(CANDIDATES["comment"] + 5)])
    db_session.add_all([ProgressUpdate(action_item_id=hidden.id, recorded_at=hidden.created_at, status="in_progress", progress=40,
                                       note=f"Walrusoverleg {n}") for n in range(CANDIDATES["update"] + 5)])
    db_session.flush()
    db_session.add(Comment(action_item_id=politie_item.id, body="Walrusoverleg bij de Politie"))
    db_session.flush()
    db_session.add_all([Comment(action_item_id=hidden.id, body=f"Walrusoverleg later {n}") for n in range(CANDIDATES["comment"] + 5)])
    db_session.flush()
    found = as_user(people["pol"]).get("/api/v1/search?q=Walrusoverleg").get_json()["items"]
    assert [i["id"] for i in found] == [politie_item.id]
    assert hidden.id in [i["id"] for i in as_user(people["kmar"]).get("/api/v1/search?q=Walrusoverleg").get_json()["items"]]


def test_search_finds_the_viewers_match_under_a_flood_of_hidden_updates(as_user, people, items, db_session):
    """More matching updates than PostgreSQL sorts (WALK_FROM: it then walks from the newest update down), almost all
    on an item the viewer may not see, newer than the viewer's own match: the viewer's item is still found, the hidden
    one never, on both databases."""
    from portal.search.queries import WALK_FROM

    hidden, politie_item = items[0], items[2]  # KMar's organisation-only item; Politie's mdt item
    db_session.add(ProgressUpdate(action_item_id=politie_item.id, recorded_at=politie_item.created_at, status="in_progress",
                                  progress=40, note="Narwalproject bij de Politie"))
    db_session.flush()
    db_session.add_all([ProgressUpdate(action_item_id=hidden.id, recorded_at=hidden.created_at, status="in_progress", progress=40,
                                       note=f"Narwalproject {n}") for n in range(WALK_FROM + 50)])
    db_session.flush()
    found = [i["id"] for i in as_user(people["pol"]).get("/api/v1/search?q=Narwalproject").get_json()["items"]]
    assert found == [politie_item.id]
    assert hidden.id in [i["id"] for i in as_user(people["kmar"]).get("/api/v1/search?q=Narwalproject").get_json()["items"]]


@pytest.mark.parametrize(("query", "title"), [("smokkel", "Aanpak mensensmokkel in de haven"), ("fraude", "Identiteitsfraudeonderzoek starten"),
                                             ("reisdocument", "Valse reisdocumenten onderscheppen"),
                                             ("rechercheur", "Twintig rechercheurs opleiden")])
def test_search_finds_parts_of_dutch_compounds_and_word_forms(as_user, people, db_session, query, title):
    """People search for the part they remember; a whole-word match ranks first. Visibility still holds."""
    kmar = people["kmar"]
    db_session.add_all([ActionItem(title=title, owner_organisation=kmar.organisation, visibility="mdt"),
                        ActionItem(title=f"{query.capitalize()} als los woord", owner_organisation=kmar.organisation, visibility="mdt"),
                        ActionItem(title=f"Geheim: {title}", owner_organisation=kmar.organisation, visibility="organisation")])
    db_session.flush()
    found = [i["title"] for i in as_user(people["ind"]).get(f"/api/v1/search?q={query}").get_json()["items"]]
    assert title in found and f"Geheim: {title}" not in found
    assert found[0] == f"{query.capitalize()} als los woord"  # the exact word first
    assert f"Geheim: {title}" in [i["title"] for i in as_user(kmar).get(f"/api/v1/search?q={query}").get_json()["items"]]


def test_search_looks_inside_words_only_where_whole_words_leave_room(as_user, people, db_session):
    """Whole-word matches rank first, so when they fill a page the parts of words are not looked up (a word in every row
    costs a page, not every row twice); with room left, a part of a word is found after them, in items and in
    recommendations alike."""
    from models import Recommendation, Source
    from portal.search.queries import LIMIT

    kmar = people["kmar"]
    db_session.add_all([ActionItem(title=f"Walviswacht {n}", owner_organisation=kmar.organisation, visibility="mdt") for n in range(LIMIT + 5)])
    db_session.flush()
    db_session.add(ActionItem(title="Walviswachtpost inrichten", owner_organisation=kmar.organisation, visibility="mdt"))
    db_session.flush()
    body = as_user(people["ind"]).get("/api/v1/search?q=walviswacht").get_json()
    found = [i["title"] for i in body["items"]]
    assert len(found) == LIMIT and all(t.startswith("Walviswacht ") for t in found)
    # More than a page matched: the API and the page say so, and ask for a more specific word.
    assert body["more"] is True
    assert "Er zijn meer." in as_user(people["ind"]).get("/search?q=walviswacht").get_data(as_text=True)

    db_session.add_all([ActionItem(title=f"Zeehondwacht {n}", owner_organisation=kmar.organisation, visibility="mdt") for n in range(3)]
                       + [ActionItem(title="Zeehondwachtpost inrichten", owner_organisation=kmar.organisation, visibility="mdt")])
    source = db_session.scalars(select(Source)).first()
    db_session.add(Recommendation(source=source, number="99", text="Versterk de zeehondwachtdienst"))
    db_session.flush()
    body = as_user(people["ind"]).get("/api/v1/search?q=zeehondwacht").get_json()
    assert [i["title"] for i in body["items"]][-1] == "Zeehondwachtpost inrichten" and len(body["items"]) == 4
    assert body["more"] is False and "Er zijn meer." not in as_user(people["ind"]).get("/search?q=zeehondwacht").get_data(as_text=True)
    assert "Versterk de zeehondwachtdienst" in [r["text"] for r in body["recommendations"]]


def test_dashboard_counts_only_what_the_viewer_may_see(as_user, people, items):
    kmar = client_html = as_user(people["kmar"]).get("/").get_data(as_text=True)
    ind = as_user(people["ind"]).get("/").get_data(as_text=True)
    assert '<span id="aantal-acties">4</span>' in kmar and "Kameelproject" in kmar
    assert '<span id="aantal-acties">2</span>' in ind and "Kameelproject" not in ind
    assert "1 actie is te laat" in client_html and "te laat" not in ind.split("Te laat</h2>")[0].split("<main")[1]


def test_search_respects_visibility(as_user, people, items):
    kmar, ind, pol = as_user(people["kmar"]), as_user(people["ind"]), as_user(people["pol"])
    assert "Kameelproject" in kmar.get("/search?q=kameelproject").get_data(as_text=True)
    assert "Kameelproject" not in ind.get("/search?q=kameelproject").get_data(as_text=True)
    assert "0 resultaten" in ind.get("/search?q=kameelproject").get_data(as_text=True)
    # Matches in comments and updates of invisible items stay invisible too.
    assert "Kameelproject" in kmar.get("/search?q=giraffe").get_data(as_text=True)
    assert "Kameelproject" not in pol.get("/search?q=giraffe").get_data(as_text=True)
    assert "Politie opleiding" in ind.get("/search?q=zebrapad").get_data(as_text=True)
    assert pol.get("/api/v1/search?q=giraffe").get_json()["items"] == []
    assert kmar.get("/api/v1/search?q=giraffe").get_json()["items"][0]["matched_in"] == ["comment"]
    recs = ind.get("/search?q=Europol").get_data(as_text=True)
    assert "LIRC en Europol" in recs
    # Where each row matched, in words, in a fixed order.
    assert "gevonden in een reactie</li>" in kmar.get("/search?q=giraffe").get_data(as_text=True)
    assert "gevonden in de actie, een voortgangsbericht</li>" in ind.get("/search?q=opleiding").get_data(as_text=True)


def test_csv_export_is_neutralised_and_excel_friendly(as_user, people, items, db_session):
    client = as_user(people["ind"])
    response = client.get("/actions/export.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="acties.csv"'
    raw = response.data
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    titles = [r[1] for r in rows[1:]]
    assert "'=HYPERLINK(\"http://evil\")" in titles
    assert not any(t.startswith(("=", "+", "-", "@")) for r in rows[1:] for t in r)
    assert "Kameelproject grensbewaking" not in titles  # not visible to IND
    assert db_session.scalar(select(func.count()).where(AuditEvent.action == "export")) == 1


def test_xlsx_export_has_no_formulas(as_user, people, items):
    import openpyxl

    response = as_user(people["kmar"]).get("/actions/export.xlsx?organisation=KMAR")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    # Stored as text with the quote-prefix style: no visible apostrophe, never run as a formula.
    assert '=HYPERLINK("http://evil")' in values and "Politie opleiding rechercheurs" not in values
    cell = next(row[1] for row in sheet.iter_rows(min_row=2) if row[1].value == '=HYPERLINK("http://evil")')
    assert cell.data_type == "s" and cell.quotePrefix
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_xlsx_export_is_typed_and_ready_to_use(as_user, people, items):
    """Rule 14: dates as dates, numbers as numbers, widths, a filter, a frozen header and an A4 print setup."""
    import openpyxl

    response = as_user(people["kmar"]).get("/actions/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    headers = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2))
    due, changed = headers.index("Deadline"), headers.index("Laatst gewijzigd")
    assert any(r[due].is_date for r in rows) and all(r[changed].is_date for r in rows)
    assert all(isinstance(r[headers.index("Voortgang (%)")].value, int) for r in rows)
    assert sheet.auto_filter.ref and sheet.freeze_panes == "A2" and sheet.page_setup.paperSize == 9
    assert all(sheet.column_dimensions[letter].width >= 8 for letter in "ABCDEFGHIJK")
    csv = as_user(people["kmar"]).get("/actions/export.csv")
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_double_submit_of_the_create_form_makes_one_item(as_user, people, db_session):
    client = as_user(people["kmar"])
    form = client.get("/actions/new").get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', form).group(1)
    data = {"csrf_token": client.csrf, "title": "Eén keer", "visibility": "mdt", "owner_organisation": "KMAR", "submission_key": key}
    first, second = client.post("/actions/new", data=data), client.post("/actions/new", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert count(db_session, ActionItem) == 1
    assert "al aangemaakt" in client.get(second.headers["Location"]).get_data(as_text=True)


def test_closure_with_wrong_evidence_stores_nothing(as_user, people, db_session):
    client = as_user(people["kmar"])
    item_id = new_item(client)
    response = client.post(f"/actions/{item_id}/close", data={"csrf_token": client.csrf, "closing_note": "Klaar", "version": "1",
                                                             "evidence": (io.BytesIO(b"MZ not allowed"), "bewijs.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert 'id="evidence-error"' in response.get_data(as_text=True)
    db_session.expire_all()
    item = db_session.get(ActionItem, item_id)
    assert (item.status, item.closure_state) == ("open", "none") and count(db_session, Attachment) == 0
    ok = client.post(f"/actions/{item_id}/close", data={"csrf_token": client.csrf, "closing_note": "Klaar", "version": "1",
                                                       "evidence": (io.BytesIO(PDF), "bewijs.pdf")}, content_type="multipart/form-data")
    assert ok.status_code == 302
    assert db_session.scalars(select(Attachment)).one().is_evidence is True


def test_a_write_that_loses_the_race_at_the_database_is_a_conflict_not_an_error(db_session, people):
    """Both requests passed the version check; the second UPDATE ... WHERE version = 1 finds no row."""
    from sqlalchemy import text

    item, _ = services.create_item(db_session, people["kmar"], {"title": "Race"})
    db_session.flush()
    db_session.execute(text("UPDATE action_items SET version = version + 1, title = 'Eerder' WHERE id = :id"), {"id": item.id})
    with pytest.raises(VersionConflict):
        services.update_item(db_session, people["kmar"], item, 1, {"title": "Later"})
