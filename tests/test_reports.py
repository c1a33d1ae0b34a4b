"""Reports as of a peildatum: history-based, frozen, compared, exported; indicators; update rounds."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from models import Indicator, Measurement, Report, ReportNarrative
from portal.actions import services as actions
from portal.reports import services, snapshot
from portal.reports.docx_template import FastTemplate


def at(text: str):
    """Travel to an Amsterdam-unaware UTC moment, ticking, for writes that stamp 'now'."""
    return time_machine.travel(datetime.fromisoformat(text).replace(tzinfo=UTC), tick=False)


@pytest.fixture()
def cast(loaded, make_user):
    return {"kmar": make_user("KMAR"), "ind": make_user("IND"), "coordinator": make_user("JENV", role="coordinator")}


def _history(session, cast):
    kmar = cast["kmar"]
    with at("2026-01-10T09:00:00"):
        item, _ = actions.create_item(session, kmar, {"title": "Strategische doelen KMar", "focus_area": "3.1", "due_date": date(2026, 5, 1)})
    with at("2026-03-05T10:00:00"):
        actions.add_update(session, kmar, item, item.version, "Gestart", "in_progress", 40)
    with at("2026-04-30T21:30:00"):  # 23:30 in Amsterdam: still 30 April there
        actions.add_update(session, kmar, item, item.version, "Bijna klaar", "in_progress", 80)
    with at("2026-06-01T08:00:00"):
        actions.request_closure(session, kmar, item, item.version, "Doelen vastgesteld")
    with at("2026-06-02T08:00:00"):
        actions.confirm_closure(session, cast["coordinator"], item, item.version)
    with at("2026-05-15T08:00:00"):
        late, _ = actions.create_item(session, kmar, {"title": "Later begonnen", "focus_area": "3.2"})
    session.flush()
    return item, late


def report(session, cast, as_of, title="Rapportage"):
    return services.create_report(session, cast["coordinator"], title, as_of, date(2026, 11, 23))


def row(rep, item_id):
    return next((r for r in rep.snapshot["items"] if r["id"] == item_id), None)


def test_state_as_of_three_dates(db_session, cast):
    item, late = _history(db_session, cast)
    january, april, july = (report(db_session, cast, d) for d in (date(2026, 1, 31), date(2026, 4, 30), date(2026, 7, 1)))
    assert (row(january, item.id)["status"], row(january, item.id)["progress"]) == ("open", 0)
    assert (row(april, item.id)["status"], row(april, item.id)["progress"]) == ("in_progress", 80)
    assert row(april, item.id)["overdue"] is False
    assert (row(july, item.id)["status"], row(july, item.id)["progress"], row(july, item.id)["closure"]) == ("done", 100, "confirmed")
    assert row(january, late.id) is None and row(april, late.id) is None and row(july, late.id)["status"] == "open"
    one_day_earlier = report(db_session, cast, date(2026, 4, 29))
    assert row(one_day_earlier, item.id)["progress"] == 40


def test_overdue_as_of_the_peildatum(db_session, cast):
    item, _ = _history(db_session, cast)
    may = report(db_session, cast, date(2026, 5, 20))
    assert row(may, item.id)["overdue"] is True  # due 1 May, not closed until June


def test_indicator_figures_up_to_the_peildatum_and_gaps_stay_gaps(db_session, cast):
    indicator = db_session.scalars(select(Indicator).where(Indicator.key == "kmar-vervolgonderzoeken-afgerond")).one()
    db_session.add(Measurement(indicator_id=indicator.id, period="2026-Q1", period_start=date(2026, 1, 1), period_end=date(2026, 3, 31),
                               value=7, recorded_at=datetime(2026, 4, 10, tzinfo=UTC)))  # known before 1 May, not before 1 February
    db_session.flush()
    feb, may = report(db_session, cast, date(2026, 2, 1)), report(db_session, cast, date(2026, 5, 1))

    def series(rep):
        return next(i for i in rep.snapshot["indicators"] if i["key"] == indicator.key)["series"]

    assert [p["period"] for p in series(feb)] == ["2009", "2010", "2011"]
    assert series(feb)[0]["value"] is None  # published as not available: a gap, never zero
    assert {k: series(may)[-1][k] for k in ("period", "period_end", "value")} == {"period": "2026-Q1", "period_end": "2026-03-31", "value": 7}
    latest = next(i for i in snapshot.summarise(may.snapshot, [])["indicators"] if i["key"] == indicator.key)["latest"]
    assert latest["value"] == 7


def test_frozen_report_never_changes(app, db_session, cast, login_as):
    item, _ = _history(db_session, cast)
    frozen = report(db_session, cast, date(2026, 7, 1))
    db_session.commit()
    before = dict(frozen.snapshot)
    client = login_as(app.test_client(), cast["coordinator"])
    first = _docx_text(client.get(f"/reports/{frozen.id}/export.docx").data)
    item.title = "Later hernoemd"
    with at("2026-11-20T08:00:00"):
        late, _ = actions.create_item(db_session, cast["kmar"], {"title": "Na de rapportage", "focus_area": "3.1"})
    db_session.commit()
    db_session.expire_all()
    again = db_session.get(Report, frozen.id)
    assert again.snapshot == before
    second = _docx_text(client.get(f"/reports/{frozen.id}/export.docx").data)
    strip = lambda text: [line for line in text if not line.startswith("Gemaakt op")]  # noqa: E731
    assert strip(first) == strip(second)
    assert "Strategische doelen KMar" in "\n".join(second) and "Later hernoemd" not in "\n".join(second)


def test_changes_since_the_previous_report(db_session, cast):
    item, late = _history(db_session, cast)
    april = report(db_session, cast, date(2026, 4, 30))
    with at("2026-06-10T08:00:00"):
        actions.update_item(db_session, cast["kmar"], late, late.version, {"due_date": date(2026, 12, 1)})
    with at("2026-06-11T08:00:00"):
        actions.update_item(db_session, cast["kmar"], late, late.version, {"due_date": date(2027, 3, 1)})
    july = report(db_session, cast, date(2026, 7, 1))
    changes = snapshot.diff(april.snapshot, july.snapshot, cast["kmar"], frozenset())
    by_area = {a["code"]: a for a in changes["focus_areas"]}
    assert [i["id"] for i in by_area["3.1"]["closed"]] == [item.id]
    assert [i["id"] for i in by_area["3.2"]["added"]] == [late.id]
    august = report(db_session, cast, date(2026, 8, 1))
    with at("2026-08-05T08:00:00"):
        actions.update_item(db_session, cast["kmar"], late, late.version, {"due_date": date(2027, 6, 1)})
    september = report(db_session, cast, date(2026, 9, 1))
    slipped = snapshot.diff(august.snapshot, september.snapshot, cast["kmar"], frozenset())
    assert [(i["before_due"], i["due_date"]) for a in slipped["focus_areas"] for i in a["slipped"]] == [("2027-03-01", "2027-06-01")]


def test_report_shows_each_viewer_only_what_they_may_see(app, db_session, cast, login_as):
    with at("2026-02-01T08:00:00"):
        secret, _ = actions.create_item(db_session, cast["kmar"], {"title": "Vertrouwelijk KMar-onderzoek", "visibility": "organisation", "focus_area": "3.2"})
        shared, _ = actions.create_item(db_session, cast["kmar"], {"title": "Gedeelde actie", "visibility": "mdt", "focus_area": "3.2"})
    kmar_coordinator = db_session.get(type(cast["coordinator"]), cast["coordinator"].id)
    kmar_coordinator.organisation = cast["kmar"].organisation  # a KMar coordinator can see the secret item
    rep = report(db_session, cast, date(2026, 3, 1))
    db_session.commit()
    assert row(rep, secret.id) is not None
    ind = login_as(app.test_client(), cast["ind"])
    page = ind.get(f"/reports/{rep.id}").get_data(as_text=True)
    assert "Vertrouwelijk KMar-onderzoek" not in page
    api = ind.get(f"/api/v1/reports/{rep.id}").get_json()
    assert {i["id"] for i in api["items"]} == {shared.id} and api["summary"]["total"] == 1
    docx = "\n".join(_docx_text(ind.get(f"/reports/{rep.id}/export.docx").data))
    assert "Vertrouwelijk KMar-onderzoek" not in docx


def _docx_text(data: bytes) -> list[str]:
    from docx import Document

    doc = Document(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for r in table.rows:
            lines.append(" | ".join(c.text for c in r.cells))
    return lines


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_exports_open_and_publication_carries_no_restricted_text(app, db_session, cast, login_as):
    with at("2026-02-01T08:00:00"):
        actions.create_item(db_session, cast["kmar"], {"title": "GEHEIM-MARKER-4711 intern", "visibility": "mdt", "focus_area": "3.1"})
        actions.create_item(db_session, cast["kmar"], {"title": "Openbare voorlichtingscampagne", "visibility": "public", "focus_area": "3.4"})
    rep = report(db_session, cast, date(2026, 3, 1), title="Voortgangsbrief voorjaar 2026")
    services.save_narrative(db_session, cast["kmar"], rep, "3.1", "NARRATIEF-MARKER-0815 niet openbaar", "mdt")
    public_text = services.save_narrative(db_session, cast["kmar"], rep, "3.4", "Campagne gestart in twee landen", "public")
    for n in db_session.scalars(select(ReportNarrative)):
        services.approve_narrative(db_session, cast["coordinator"], n)
    db_session.commit()
    client = login_as(app.test_client(), cast["coordinator"])

    internal = "\n".join(_docx_text(client.get(f"/reports/{rep.id}/export.docx").data))
    assert "GEHEIM-MARKER-4711" in internal and "NARRATIEF-MARKER-0815" in internal
    public = client.get(f"/reports/{rep.id}/export.docx?audience=public")
    assert public.headers["Content-Disposition"].endswith('-openbaar.docx"')
    public_lines = _docx_text(public.data)
    public_docx = "\n".join(public_lines)
    assert "GEHEIM-MARKER-4711" not in public_docx and "NARRATIEF-MARKER-0815" not in public_docx
    assert "Openbare voorlichtingscampagne" in public_docx and public_text.text in public_docx
    assert "Peildatum: 1 maart 2026" in public_docx
    # The structure a Kamerbrief annex needs: the headings and the tables.
    from docx import Document

    doc = Document(io.BytesIO(public.data))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert {"Samenvatting", "Aanbevelingen en maatregelen", "Indicatoren"} <= set(headings)
    assert "3.1 Versterking integrale aanpak mensensmokkel" in headings
    assert len(doc.tables) >= 3

    pdf = client.get(f"/reports/{rep.id}/export.pdf?audience=public")
    assert pdf.data.startswith(b"%PDF")
    text = _pdf_text(pdf.data)
    assert "Peildatum: 1 maart 2026" in text and "Openbare voorlichtingscampagne" in text
    assert "GEHEIM-MARKER-4711" not in text and "NARRATIEF-MARKER-0815" not in text
    assert "GEHEIM-MARKER-4711" in _pdf_text(client.get(f"/reports/{rep.id}/export.pdf").data)

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/reports/{rep.id}/export.xlsx?audience=public").data))
    assert {"Rapportage", "Speerpunten", "Acties", "Organisaties", "Aanbevelingen", "Indicatoren", "Toelichtingen"} <= set(book.sheetnames)
    cells = "\n".join(str(c.value) for ws in book for r in ws.iter_rows() for c in r if c.value is not None)
    assert "GEHEIM-MARKER-4711" not in cells and "Openbare voorlichtingscampagne" in cells


@pytest.mark.parametrize(
    ("as_of", "field", "message"),
    [("2099-01-01", "as_of", "toekomst"), ("2022-12-31", "as_of", "start van het beleidskader"), ("", "as_of", "geldige peildatum")],
)
def test_bad_peildatum_is_refused(app, db_session, cast, login_as, as_of, field, message):
    client = login_as(app.test_client(), cast["coordinator"])
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
    response = client.post("/reports", data={"csrf_token": csrf, "title": "Test", "as_of": as_of})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    api = client.post("/api/v1/reports", json={"title": "Test", "as_of": as_of or None}, headers={"X-CSRFToken": csrf})
    assert api.status_code == 422 and field in api.get_json()["error"]["fields"]
    assert db_session.scalar(select(func.count()).select_from(Report)) == 0


def test_only_coordinators_create_reports(app, db_session, cast, login_as):
    client = login_as(app.test_client(), cast["kmar"])
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
    assert client.post("/reports", data={"csrf_token": csrf, "title": "x", "as_of": "2026-01-01"}).status_code == 403
    assert client.post("/api/v1/reports", json={"title": "x", "as_of": "2026-01-01"}, headers={"X-CSRFToken": csrf}).status_code == 403
    coordinator = login_as(app.test_client(), cast["coordinator"])
    csrf = coordinator.get("/api/v1/me").get_json()["csrf_token"]
    created = coordinator.post("/api/v1/reports", json={"title": "Via API", "as_of": "2026-01-01"}, headers={"X-CSRFToken": csrf})
    assert created.status_code == 201 and created.headers["Location"].endswith(f"/reports/{created.get_json()['id']}")


# -- indicators ----------------------------------------------------------------------------

def test_csv_import_is_all_or_nothing_with_a_preview(app, db_session, cast, login_as):
    client = login_as(app.test_client(), cast["coordinator"])
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
    url = "/indicators/om-instroom-mh/import"
    bad = "periode;waarde;bron;toelichting\n2016;230;OM jaarbericht;\n2017;veel;;\n2017;240;;\n2018-Q5;1;;\n2014;200;;\n"
    preview = client.post(url, data={"csrf_token": csrf, "content": bad})
    from html import unescape

    html = unescape(preview.get_data(as_text=True))
    assert preview.status_code == 422
    assert "'veel' is geen getal" in html and "staat ook op regel 3" in html and "Gebruik een jaar" in html
    assert "In orde" in html  # the good row is shown as good, but nothing is stored
    before = db_session.scalar(select(func.count()).select_from(Measurement))
    forced = client.post(url, data={"csrf_token": csrf, "content": bad, "confirm": "1"})
    assert forced.status_code == 422
    assert db_session.scalar(select(func.count()).select_from(Measurement)) == before

    good = "2016;230;OM jaarbericht;\n2017;1.240,5;;schatting\n2018;;;niet beschikbaar\n"
    ok = client.post(url, data={"csrf_token": csrf, "content": good})
    assert ok.status_code == 200 and "3 regels importeren" in ok.get_data(as_text=True)
    done = client.post(url, data={"csrf_token": csrf, "content": good, "confirm": "1"})
    assert done.status_code == 302
    values = dict(db_session.execute(select(Measurement.period, Measurement.value).join(Indicator)
                                     .where(Indicator.key == "om-instroom-mh")).all())
    assert float(values["2017"]) == 1240.5 and values["2018"] is None and float(values["2016"]) == 230


def test_measurement_form_and_api(app, db_session, cast, login_as, make_user):
    client = login_as(app.test_client(), cast["coordinator"])
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
    page = client.get("/indicators/kmar-uren-migratiecriminaliteit").get_data(as_text=True)
    assert "154.574" in page and "<svg" in page and "<figcaption>" in page
    dup = client.post("/indicators/kmar-uren-migratiecriminaliteit/measurements", data={"csrf_token": csrf, "period": "2011", "value": "1"})
    assert dup.status_code == 422 and "al een cijfer" in dup.get_data(as_text=True)
    api = client.post("/api/v1/indicators/kmar-uren-migratiecriminaliteit/measurements", json={"period": "2012", "value": 120000},
                      headers={"X-CSRFToken": csrf})
    assert api.status_code == 201 and api.get_json()["measurements"][-1] == {"period": "2012", "value": 120000, "source": None, "note": None,
                                                                             "breakdown": [], "breakdown_note": None}
    outsider = login_as(app.test_client(), make_user("POL"))
    other_csrf = outsider.get("/api/v1/me").get_json()["csrf_token"]
    assert outsider.post("/api/v1/indicators/kmar-uren-migratiecriminaliteit/measurements", json={"period": "2013", "value": 1},
                         headers={"X-CSRFToken": other_csrf}).status_code == 403
    listed = outsider.get("/api/v1/indicators").get_json()
    gap = next(i for i in listed if i["key"] == "kmar-vervolgonderzoeken-afgerond")["measurements"][0]
    assert gap == {"period": "2009", "value": None, "source": "doorlichting-2012", "note": None, "breakdown": [], "breakdown_note": None}


# -- framework roll-up -----------------------------------------------------------------------

def test_framework_rollup_weights_and_recommendation_state(app, db_session, cast, login_as):
    from models import Commitment, FocusArea, Recommendation

    area = db_session.scalars(select(FocusArea).where(FocusArea.code == "3.1")).one()
    c1, c2 = area.commitments[0], area.commitments[1]
    rec = db_session.scalars(select(Recommendation).order_by(Recommendation.id)).first()
    a, _ = actions.create_item(db_session, cast["kmar"], {"title": "A", "focus_area": "3.1", "commitment_id": c1.id, "recommendation_ids": [rec.id]})
    b, _ = actions.create_item(db_session, cast["kmar"], {"title": "B", "focus_area": "3.1", "commitment_id": c2.id})
    actions.request_closure(db_session, cast["kmar"], a, a.version, "klaar")
    db_session.commit()
    client = login_as(app.test_client(), cast["coordinator"])
    assert "Gewogen aandeel afgerond: 0%" in client.get("/framework/3.1").get_data(as_text=True)  # rule 1
    actions.confirm_closure(db_session, cast["coordinator"], a, a.version)
    db_session.commit()
    page = client.get("/framework/3.1").get_data(as_text=True)
    assert "Gewogen aandeel afgerond: 50%" in page
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
    weights = {f"weight-{c.id}": "1" for c in area.commitments}
    weights[f"weight-{c1.id}"] = "3"
    assert client.post("/framework/3.1/weights", data={"csrf_token": csrf, **weights}).status_code == 302
    assert "Gewogen aandeel afgerond: 75%" in client.get("/framework/3.1").get_data(as_text=True)
    bad = client.post("/framework/3.1/weights", data={"csrf_token": csrf, **{**weights, f"weight-{c2.id}": "-1"}}, follow_redirects=True)
    assert "Geen gewichten opgeslagen" in bad.get_data(as_text=True)
    db_session.expire_all()
    assert float(db_session.get(Commitment, c2.id).weight) == 1.0
    recs = client.get("/recommendations").get_data(as_text=True)
    assert "Uitgevoerd (1)" in recs  # the recommendation's only item is done
    member = login_as(app.test_client(), cast["kmar"])
    member_csrf = member.get("/api/v1/me").get_json()["csrf_token"]
    assert member.post("/framework/3.1/weights", data={"csrf_token": member_csrf, **weights}).status_code == 403


# -- update rounds ---------------------------------------------------------------------------

def test_update_round_mail_banner_and_overview(app_with, db_session, cast, login_as):
    from aiosmtpd.controller import Controller

    from conftest import _free_port_block

    class Inbox:
        messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    inbox, port = Inbox(), _free_port_block(1)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = app_with(SMTP_URL=f"smtp://127.0.0.1:{port}")
        actions.create_item(db_session, cast["kmar"], {"title": "Open KMar-actie", "focus_area": "3.1"})
        other, _ = actions.create_item(db_session, cast["kmar"], {"title": "Tweede KMar-actie", "focus_area": "3.1"})
        db_session.commit()
        coordinator = login_as(app.test_client(), cast["coordinator"])
        csrf = coordinator.get("/api/v1/me").get_json()["csrf_token"]
        past = coordinator.post("/reports/rounds", data={"csrf_token": csrf, "title": "Ronde", "deadline": "2000-01-01"})
        assert past.status_code == 422
        opened = coordinator.post("/reports/rounds", data={"csrf_token": csrf, "title": "Graag actualiseren", "message": "Voor de brief",
                                                           "deadline": "2099-01-15"})
        assert opened.status_code == 302
        assert [m.rcpt_tos for m in inbox.messages] == [[cast["kmar"].email]]  # only organisations with open items
        member = login_as(app.test_client(), cast["kmar"])
        assert "Actualisatieronde: Graag actualiseren" in member.get("/").get_data(as_text=True)
        assert "Actualisatieronde" not in login_as(app.test_client(), cast["ind"]).get("/").get_data(as_text=True)
        member_csrf = member.get("/api/v1/me").get_json()["csrf_token"]
        member.post(f"/actions/{other.id}/updates", data={"csrf_token": member_csrf, "note": "Bijgewerkt", "status": "in_progress",
                                                         "progress": "10", "version": str(other.version)})
        overview = coordinator.get(opened.headers["Location"]).get_data(as_text=True)
        assert "<td>2</td><td>1</td><td>50%</td>" in overview  # two open items, one updated since the round opened
    finally:
        controller.stop()


def test_only_its_own_organisation_edits_a_narrative_and_who_wrote_what_is_kept(app, db_session, cast, login_as):
    """Rule 3: a narrative's text and visibility belong to its organisation; a coordinator elsewhere may approve it,
    which widens nothing. Edits name the version they were based on."""
    from models import AuditEvent

    rep = report(db_session, cast, date(2026, 3, 1))
    narrative = services.save_narrative(db_session, cast["kmar"], rep, "3.1", "Tekst van KMar", "mdt")
    db_session.commit()

    def post(user, **data):
        client = login_as(app.test_client(), user)
        csrf = client.get("/api/v1/me").get_json()["csrf_token"]
        return client.post(f"/reports/{rep.id}/narratives", data={"csrf_token": csrf, "focus_area": "3.1", **data})

    # Another organisation's coordinator cannot re-save it as public, not even naming KMar: the page writes JenV's own text.
    assert post(cast["coordinator"], organisation="KMAR", visibility="public", text="Openbaar gemaakt", version=str(narrative.version)).status_code == 302
    db_session.refresh(narrative)
    assert (narrative.text, narrative.visibility, narrative.organisation.code) == ("Tekst van KMar", "mdt", "KMAR")
    # KMar edits its own text, based on the version it read; a stale version is a conflict, nothing overwritten.
    assert post(cast["kmar"], visibility="mdt", text="Tekst van KMar, ingekort", version=str(narrative.version)).status_code == 302
    db_session.refresh(narrative)
    assert narrative.text == "Tekst van KMar, ingekort" and narrative.author_id == cast["kmar"].id
    assert post(cast["kmar"], visibility="public", text="Oud", version=str(narrative.version - 1)).status_code == 409
    assert post(cast["kmar"], visibility="public", text="Zonder versie").status_code == 422
    db_session.refresh(narrative)
    assert (narrative.text, narrative.visibility) == ("Tekst van KMar, ingekort", "mdt")
    events = [e for e in db_session.scalars(select(AuditEvent).where(AuditEvent.action == "report.narrative_saved").order_by(AuditEvent.id))
              if e.diff["narrative_id"] == narrative.id]
    assert [e.actor_id for e in events] == [cast["kmar"].id, cast["kmar"].id]
    assert events[-1].diff["before"]["text"] == "Tekst van KMar"
    # A member cannot write in another organisation's name either.
    post(cast["ind"], organisation="KMAR", visibility="mdt", text="Namens KMar?", version=str(narrative.version))
    db_session.refresh(narrative)
    assert narrative.text == "Tekst van KMar, ingekort"
    # The JenV coordinator approves: the status changes, who may read it does not.
    client = login_as(app.test_client(), cast["coordinator"])
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
    assert client.post(f"/reports/{rep.id}/narratives/{narrative.id}/approve",
                       data={"csrf_token": csrf, "version": str(narrative.version)}).status_code == 302
    db_session.refresh(narrative)
    assert (narrative.status, narrative.visibility) == ("approved", "mdt")


def test_round_reminders_near_the_deadline_once_a_day(db_session, cast, monkeypatch):
    from portal import mail
    from portal.reports import rounds

    sent = []
    monkeypatch.setattr(mail, "send", lambda url, to, subject, body: sent.append((to, subject)))
    actions.create_item(db_session, cast["kmar"], {"title": "Open", "focus_area": "3.1"})
    update_round = services.open_round(db_session, cast["coordinator"], "Ronde", "", date(2026, 12, 10), date(2026, 12, 1))
    db_session.flush()
    assert rounds.remind(db_session, date(2026, 12, 1), None, "https://x") == 0  # nine days ahead: no reminder yet
    assert rounds.remind(db_session, date(2026, 12, 7), None, "https://x") == 1
    assert rounds.remind(db_session, date(2026, 12, 7), None, "https://x") == 0  # once a day
    assert rounds.remind(db_session, date(2026, 12, 8), None, "https://x") == 1
    assert sent[0][0] == cast["kmar"].email and "Herinnering" in sent[0][1]
    services.close_round(db_session, cast["coordinator"], update_round)
    assert rounds.remind(db_session, date(2026, 12, 9), None, "https://x") == 0


def _document_xml(cls, template, ctx) -> bytes:
    import zipfile

    doc = cls(str(template))
    doc.render(ctx, autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return zipfile.ZipFile(out).read("word/document.xml")


def test_docx_shortcuts_write_what_docxtpl_writes(tmp_path, app, db_session, cast):
    """The export skips two docxtpl steps (see reports/FastTemplate); the document must not change."""
    from docx import Document
    from docxtpl import DocxTemplate

    from portal.reports import exports

    source = Document()
    for tag in ("{{ plain }}", "{{ lines }}", "{{ tabbed }}", "{{ plain }} en {{ lines }}"):
        source.add_paragraph(tag)
    path = tmp_path / "t.docx"
    source.save(path)
    ctx = {"plain": "Geen bijzonderheden", "lines": "Eerste regel\nTweede regel", "tabbed": "Kolom\tkolom"}
    ours, theirs = _document_xml(FastTemplate, path, ctx), _document_xml(DocxTemplate, path, ctx)
    assert ours == theirs
    assert ours.count(b"<w:br/>") == 2 and b"<w:tab/>" in ours

    # The real report template, with rows in every table and a narrative over two lines.
    with at("2026-02-01T08:00:00"):
        actions.create_item(db_session, cast["kmar"], {"title": "Grenscontrole & <analyse>", "visibility": "mdt", "focus_area": "3.1"})
        actions.create_item(db_session, cast["kmar"], {"title": "Voorlichting", "visibility": "public", "focus_area": "3.4"})
    rep = report(db_session, cast, date(2026, 3, 1), title="Voortgangsbrief")
    narrative = services.save_narrative(db_session, cast["kmar"], rep, "3.1", "Eerste alinea.\nTweede regel.", "mdt")
    services.approve_narrative(db_session, cast["coordinator"], narrative)
    db_session.commit()
    with app.test_request_context("/"):
        ctx = exports.context(rep, [narrative], services.visible_rows(db_session, rep, cast["coordinator"]), public=False)
    ours, theirs = _document_xml(FastTemplate, exports.TEMPLATE, ctx), _document_xml(DocxTemplate, exports.TEMPLATE, ctx)
    assert ours == theirs
    assert b"Grenscontrole &amp; &lt;analyse&gt;" in ours and b"<w:br/>" in ours


def test_the_docx_override_refuses_another_docxtpl_version(monkeypatch):
    """FastTemplate overrides docxtpl internals: under another docxtpl version the portal does not start."""
    import importlib
    import importlib.metadata

    import portal.reports.docx_template as module

    monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.99.0" if name == "docxtpl" else "1")
    with pytest.raises(RuntimeError, match="docxtpl 0.20.2"):
        importlib.reload(module)
    monkeypatch.undo()
    importlib.reload(module)
    assert module.WRITTEN_FOR == importlib.metadata.version("docxtpl")
