"""The letter to Parliament closes the loop: POST /reports/<id>/sent registers it as a source, the toezeggingen it
answers become fulfilled or partly fulfilled with the letter named, a report is sent once, the next report compares
with it; the register keeps changed terms with their reason."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models import ParliamentCommitment, Report, Source
from portal.framework import parliament
from portal.i18n import today
from portal.reports import services as reports


def _report(db_session, coordinator, as_of=date(2026, 6, 30)) -> Report:
    report = reports.create_report(db_session, coordinator, "Voortgangsbrief", as_of, date(2026, 12, 3))
    db_session.commit()
    return report


def test_sending_a_report_registers_the_letter_and_answers_the_toezeggingen(api, db_session, make_user):
    coordinator = api("JENV", "coordinator")
    report = _report(db_session, coordinator.user)
    whole = parliament.save_commitment(db_session, coordinator.user, {"kind": "toezegging", "text": "Informeren over de pilot",
                                                                      "due": "medio 2022"}, date(2026, 12, 3))
    part = parliament.save_commitment(db_session, coordinator.user, {"kind": "toezegging", "text": "Jaarlijks rapporteren"}, date(2026, 12, 3))
    db_session.commit()
    assert parliament.is_overdue(whole, date(2026, 12, 3))
    body = {"sent_on": "2026-07-10", "reference": "2026-0000123456", "kamerstuk": "28 638, nr. 250",
            "answers": [{"parliament_id": whole.id, "status": "fulfilled"}, {"parliament_id": part.id, "status": "partly_fulfilled"}]}
    # Members and readers are refused, and nothing is stored.
    for org, role in (("KMAR", "member"), ("BZ", "reader")):
        client = api(org, role)
        assert client.post(f"/api/v1/reports/{report.id}/sent", json=body, headers=client.headers).status_code == 403
    sent = coordinator.post(f"/api/v1/reports/{report.id}/sent", json=body, headers=coordinator.headers)
    assert sent.status_code == 201, sent.get_json()
    letter = db_session.get(Source, sent.get_json()["source_id"])
    assert (letter.kind, letter.issued_on, letter.reference, letter.kamerstuk) == ("kamerbrief", date(2026, 7, 10), "2026-0000123456", "28 638, nr. 250")
    got = coordinator.get(f"/api/v1/parliament/{whole.id}").get_json()
    assert got["status"] == "fulfilled" and got["closed_on"] == "2026-07-10"
    assert got["answered_by"][0]["source_id"] == letter.id and got["answered_by"][0]["status"] == "fulfilled"
    partly = coordinator.get(f"/api/v1/parliament/{part.id}").get_json()
    assert partly["status"] == "partly_fulfilled" and partly["closed_on"] is None
    db_session.expire_all()
    assert not parliament.is_overdue(db_session.get(ParliamentCommitment, whole.id), date(2026, 12, 3))  # no longer "termijn verstreken"
    # Once: a second send is 409 and registers nothing more.
    again = coordinator.post(f"/api/v1/reports/{report.id}/sent", json={**body, "answers": []}, headers=coordinator.headers)
    assert again.status_code == 409
    assert len(db_session.scalars(select(Source).where(Source.kind == "kamerbrief", Source.reference == "2026-0000123456")).all()) == 1
    # The state API names it as the last letter, and the next report compares with this one by default.
    assert coordinator.get("/api/v1/recommendations/1/state?as_of=2026-08-01").get_json()["last_letter"]["source_id"] == letter.id
    later = reports.create_report(db_session, coordinator.user, "Najaar", date(2026, 11, 30), date(2026, 12, 3))
    assert later.previous_report_id == report.id


def test_a_send_with_bad_input_stores_nothing(api, db_session):
    coordinator = api("JENV", "coordinator")
    report = _report(db_session, coordinator.user)
    closed = parliament.save_commitment(db_session, coordinator.user, {"kind": "motie", "text": "Motie", "status": "fulfilled"}, date(2026, 12, 3))
    db_session.commit()
    cases = [({"sent_on": "2026-06-01", "reference": "x"}, "sent_on"),  # before the peildatum
             ({"sent_on": "2999-01-01", "reference": "x"}, "sent_on"),
             ({"sent_on": "2026-07-01", "reference": ""}, "reference"),
             ({"sent_on": "2026-07-01", "reference": "x", "answers": [{"parliament_id": 999999, "status": "fulfilled"}]}, "answers"),
             ({"sent_on": "2026-07-01", "reference": "x", "answers": [{"parliament_id": closed.id, "status": "fulfilled"}]}, "answers"),
             ({"sent_on": "2026-07-01", "reference": "x", "answers": [{"parliament_id": closed.id, "status": "done"}]}, "answers")]
    for body, field in cases:
        response = coordinator.post(f"/api/v1/reports/{report.id}/sent", json=body, headers=coordinator.headers)
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"], (body, response.get_json())
    db_session.expire_all()
    assert db_session.get(Report, report.id).sent_source_id is None
    assert coordinator.post("/api/v1/reports/999999/sent", json={"sent_on": "2026-07-01", "reference": "x"},
                            headers=coordinator.headers).status_code == 404


def test_a_changed_term_is_kept_with_its_reason(api, db_session):
    coordinator = api("JENV", "coordinator")
    made = coordinator.post("/api/v1/parliament", json={"kind": "toezegging", "text": "Nader informeren", "due": "medio 2022",
                                                        "made_in": "Commissiedebat Vreemdelingen- en asielbeleid", "member": "Kamerlid Voordewind"},
                            headers=coordinator.headers)
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["made_in"] == "Commissiedebat Vreemdelingen- en asielbeleid" and body["member"] == "Kamerlid Voordewind"
    changed = coordinator.patch(f"/api/v1/parliament/{body['id']}", json={"due": "eind 2026", "due_reason": "Wacht op de evaluatie"},
                                headers={**coordinator.headers, "If-Match": f'"{body["version"]}"'})
    assert changed.status_code == 200, changed.get_json()
    history = changed.get_json()["due_history"]
    assert len(history) == 1 and history[0]["due"] == "medio 2022" and history[0]["reason"] == "Wacht op de evaluatie"
    assert changed.get_json()["due"]["label"] == "eind 2026"


def test_the_covering_letter_has_the_parts_of_a_kamerbrief(api, db_session):
    import io

    from docx import Document

    coordinator = api("JENV", "coordinator")
    report = _report(db_session, coordinator.user)
    response = coordinator.get(f"/api/v1/reports/{report.id}/letter.docx?kenmerk=2026-123&onderwerp=Voortgang%20mensensmokkel"
                               "&mede_namens=de%20Minister%20van%20Buitenlandse%20Zaken&naam=A.%20de%20Vries")
    assert response.status_code == 200 and 'kamerbrief-2026-06-30.docx' in response.headers["Content-Disposition"]
    doc = Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    facts = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert text.startswith("Ministerie van Justitie en Veiligheid") and "Aan de Voorzitter van de Tweede Kamer" in text
    assert facts["Ons kenmerk"] == "2026-123" and facts["Onderwerp"] == "Voortgang mensensmokkel" and "30 juni 2026" in facts["Bijlage(n)"]
    assert "mede namens de Minister van Buitenlandse Zaken" in text and "De Staatssecretaris van Justitie en Veiligheid," in text
    assert "A. de Vries" in text and doc.core_properties.language == "nl-NL"
    assert api("KMAR", "member").get(f"/api/v1/reports/{report.id}/letter.docx").status_code == 403


def test_every_format_of_the_annex_says_what_changed_and_prints_measures_as_measures(api, db_session):
    import io

    from docx import Document
    from openpyxl import load_workbook

    from portal.actions import services as actions

    coordinator = api("JENV", "coordinator")
    kmar = coordinator.user
    first = _report(db_session, kmar, date(2026, 6, 30))
    item, _ = actions.create_item(db_session, kmar, {"title": "Nieuwe openbare actie", "visibility": "public"})
    db_session.commit()
    # As of today: the item made today counts (a fixed date stops counting it once the calendar passes that date).
    second = reports.create_report(db_session, kmar, "Najaar", today(), today(), first.id)
    db_session.commit()
    docx = Document(io.BytesIO(coordinator.get(f"/api/v1/reports/{second.id}/export.docx").data))
    text = "\n".join(p.text for p in docx.paragraphs)
    assert "Wat veranderde sinds de vorige rapportage" in text and "Sinds de vorige rapportage (peildatum 30 juni 2026)" in text
    assert any("Nieuwe openbare actie" in cell.text for table in docx.tables for row in table.rows for cell in row.cells)
    assert any("Maatregel" in cell.text for table in docx.tables for row in table.rows for cell in row.cells)
    book = load_workbook(io.BytesIO(coordinator.get(f"/api/v1/reports/{second.id}/export.xlsx").data))
    assert [row[1] for row in book["Sinds vorige"].iter_rows(min_row=2, values_only=True)].count("Nieuwe openbare actie") == 1
    kinds = {row[1] for row in book["Aanbevelingen"].iter_rows(min_row=2, values_only=True)}
    assert kinds == {"Aanbeveling", "Maatregel"}
    pdf = coordinator.get(f"/api/v1/reports/{second.id}/export.pdf?audience=public")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_the_report_page_sends_the_letter(client, db_session, loaded, make_user, login_as):
    import re

    coordinator = make_user("JENV", role="coordinator")
    report = _report(db_session, coordinator)
    open_one = parliament.save_commitment(db_session, coordinator, {"kind": "toezegging", "text": "Informeren"}, date(2026, 12, 3))
    db_session.commit()
    login_as(client, coordinator)
    page = client.get(f"/reports/{report.id}")
    assert "Begeleidende brief aan de Kamer" in page.text and f'id="answer-{open_one.id}"' in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    done = client.post(f"/reports/{report.id}/sent", data={"csrf_token": token, "sent_on": "2026-07-01", "reference": "2026-77",
                                                           "answer": [str(open_one.id)], f"status-{open_one.id}": "partly_fulfilled"})
    assert done.status_code == 303
    db_session.expire_all()
    assert db_session.get(ParliamentCommitment, open_one.id).status == "partly_fulfilled"
    assert "Verstuurd op 1 juli 2026" in client.get(f"/reports/{report.id}").text
