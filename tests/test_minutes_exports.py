"""Minutes exports a coordinator can send as they are (issue #11): Markdown rendered in DOCX and PDF, Dutch statuses,
restricted minutes marked Vertrouwelijk for those who receive them and absent without a trace for the others."""
from __future__ import annotations

import io

from docx import Document
from pypdf import PdfReader

from portal.actions import services as actions
from portal.meetings import services
from test_meetings import agenda_point, cast, local, meeting  # noqa: F401 - fixtures

MARKDOWN = "# Kop van het verslag\n\n**vet** en *schuin* gezegd.\n\n- eerste punt\n- tweede punt\n\n1. stap een\n2. stap twee\n\n" \
           "Zie [de brief](https://www.rijksoverheid.nl/brief)."


def _docx(client, meeting_id):
    return Document(io.BytesIO(client.get(f"/meetings/{meeting_id}/minutes.docx").data))


def _pdf(client, meeting_id):
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(client.get(f"/meetings/{meeting_id}/minutes.pdf").data)).pages)


def test_markdown_and_dutch_statuses_in_both_exports(app, db_session, cast, login_as):
    m = meeting(db_session, cast, local(2026, 5, 4))
    point = agenda_point(db_session, cast, m)
    services.save_minutes(db_session, cast["kmar"], m, point.id, None, MARKDOWN, False)
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
    services.save_minutes(db_session, cast["kmar"], m, point.id, None, "Besproken: **KAMEEL-dossier**.", True)
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
