"""Rule 10 on text: control characters are refused at the edge, whatever is already stored never stops a document from
being made, a malformed multipart body is a 400, and a spreadsheet costs what is in it, not what it claims."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
from sqlalchemy import select, update

from models import ActionItem, Decision, Meeting, Minutes, Organisation, ReportNarrative
from portal import sheets
from portal.actions import services as actions
from portal.meetings import record as meeting_record
from portal.meetings import services as meetings
from portal.reports import services as reports

from factories import local, xlsx

PASTED = "Regel een\x0bregel twee\x01 en \ufffe einde"  # Word's soft line break, a control character, a non-character


@pytest.mark.parametrize("char", ["\x0b", "\x01", "\x1f", "\x0c", "\ufffe"])
def test_control_characters_are_refused_at_the_edge(api, db_session, char):
    kmar = api("KMAR")
    before = db_session.scalar(select(ActionItem.id).order_by(ActionItem.id.desc()).limit(1))
    answer = kmar.post("/api/v1/action-items", json={"title": f"Titel{char}met teken"}, headers=kmar.headers)
    assert answer.status_code == 400 and "niet zijn toegestaan" in answer.get_json()["error"]["message"]
    page = kmar.post("/actions/new", data={"csrf_token": kmar.headers["X-CSRFToken"], "title": f"Titel{char}"})
    assert page.status_code == 400
    assert kmar.get(f"/api/v1/action-items?q=a{char}b").status_code == 400
    assert kmar.get("/api/v1/me", headers={"X-Note": f"a{char}b"}).status_code == 400
    assert db_session.scalar(select(ActionItem.id).order_by(ActionItem.id.desc()).limit(1)) == before
    # Tab, newline and carriage return stay allowed.
    made = kmar.post("/api/v1/action-items", json={"title": "Titel", "description": "Regel\teen\r\nregel twee"}, headers=kmar.headers)
    assert made.status_code == 201 and made.get_json()["description"] == "Regel\teen\r\nregel twee"


@pytest.mark.parametrize("path", ["/login", "/api/v1/action-items", "/auth/logout"])
def test_a_multipart_part_without_a_readable_name_is_a_400(api, path):
    body = b'--XX\r\nContent-Disposition: form-data; name="a\\"\r\n\r\nv\r\n--XX--\r\n'
    for client in (api("KMAR"), api("KMAR").__class__(api("KMAR").application)):
        answer = client.post(path, data=body, headers={"Content-Type": "multipart/form-data; boundary=XX"})
        assert answer.status_code == 400, (path, answer.status_code)


def test_stored_control_characters_never_stop_a_document(app, db_session, make_user, login_as, loaded):
    """Text stored before the edge refused it (or written around it) is dropped by every writer, never a 500."""
    kmar, coordinator = make_user("KMAR"), make_user("JENV", role="coordinator")
    item, _ = actions.create_item(db_session, kmar, {"title": "Schoon", "visibility": "mdt", "focus_area": "3.1",
                                                     "due_date": date(2026, 10, 1)})
    meeting = meetings.create_meeting(db_session, coordinator, {"series": "MDT", "title": "Overleg", "starts_at": local(2026, 11, 5),
                                                                "invited": ["KMAR", "JENV"], "visibility": "mdt"})
    point = meetings.add_agenda_item(db_session, coordinator, meeting, "Punt")
    meeting_record.save_minutes(db_session, coordinator, meeting, point.id, None, "Notulen", False)
    meeting_record.add_decision(db_session, coordinator, meeting, point.id, "Besluit")
    item.meeting_id = meeting.id
    db_session.flush()
    for model, column in ((ActionItem, ActionItem.title), (Meeting, Meeting.title), (Minutes, Minutes.body), (Decision, Decision.text)):
        db_session.execute(update(model).values({column.key: PASTED}))
    report = reports.create_report(db_session, coordinator, "Rapportage\x0b2026", date(2026, 11, 30), date(2026, 12, 1))
    narrative = reports.save_narrative(db_session, kmar, report, "3.1", "Toelichting", "mdt")
    db_session.execute(update(ReportNarrative).where(ReportNarrative.id == narrative.id).values(text=PASTED, status="approved"))
    db_session.commit()
    client = login_as(app.test_client(), coordinator)
    urls = [f"/reports/{report.id}/export.{fmt}" for fmt in ("docx", "pdf", "xlsx")]
    urls += [f"/meetings/{meeting.id}/minutes.{fmt}" for fmt in ("docx", "pdf")] + [f"/meetings/{meeting.id}/invite.ics"]
    urls += [f"/meetings/series/MDT/minutes.{fmt}?from=2026-11-01&to=2026-11-30" for fmt in ("docx", "pdf")]
    urls += ["/actions/export.csv", "/actions/export.xlsx"]
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 200, url
        if url.endswith(("docx", "xlsx")) or ".docx?" in url:
            with zipfile.ZipFile(io.BytesIO(answer.data)) as archive:
                xml = "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml"))
            assert "Regel een" in xml and not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe]", xml), url
        elif url.endswith(("csv", "ics")):
            assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", answer.data.decode("utf-8")), url


def test_the_cleaning_migration_removes_stored_control_characters(databases):
    """Upgrade across the migration with dirty text in place: it comes out clean, line breaks kept."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from portal.cli import alembic_config

    url = databases.new()
    config = alembic_config(url)
    command.upgrade(config, "b4c5d6e7f8a9")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisations (code, name, is_mdt_member, is_active) VALUES ('ZZ', :name, false, true)"), {"name": PASTED})
    command.upgrade(config, "head")
    with engine.connect() as conn:
        name = conn.execute(select(Organisation.name).where(Organisation.code == "ZZ")).scalar_one()
    engine.dispose()
    assert name == "Regel een\nregel twee en  einde"


def _claiming(raw: bytes, dimension: str | None) -> bytes:
    """The same workbook whose first sheet claims another size (or none)."""
    source, out = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                replacement = f'<dimension ref="{dimension}"/>' if dimension else ""
                body = re.sub(rb"<dimension ref=\"[^\"]+\"/>", replacement.encode(), body)
            target.writestr(info, body)
    return out.getvalue()


def test_a_sheet_that_claims_more_than_an_import_takes_is_refused_before_reading(app):
    raw = _claiming(xlsx([["Titel", "Eigenaar"], ["Actie", "KMAR"]]), "A1:XFD2100")
    with app.test_request_context(), pytest.raises(sheets.SheetError, match="te groot"):
        sheets.read("acties.xlsx", raw)


def test_reading_stops_at_the_limits_whatever_the_file_says(app):
    """Without a dimension the sheet claims nothing; a cell far to the right is not padded up to."""
    rows = [["Titel", "Eigenaar"], ["Actie", "KMAR"]]
    raw = xlsx(rows)
    sheet_xml = zipfile.ZipFile(io.BytesIO(raw)).read("xl/worksheets/sheet1.xml")
    far = re.sub(rb"(<c r=\"B2\"[^>]*>.*?</c>)", rb'\1<c r="XFD2" t="inlineStr"><is><t>ver weg</t></is></c>', sheet_xml)
    source, out = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = far if info.filename == "xl/worksheets/sheet1.xml" else source.read(info.filename)
            target.writestr(info, re.sub(rb"<dimension ref=\"[^\"]+\"/>", b"", body) if info.filename.endswith("sheet1.xml") else body)
    with app.test_request_context():
        read = sheets.read("acties.xlsx", out.getvalue())
    assert read[0][:2] == ["Titel", "Eigenaar"] and read[1][:2] == ["Actie", "KMAR"]
    assert all(len(row) <= sheets.MAX_COLUMNS for row in read)


def test_imported_cells_lose_control_characters(app):
    with app.test_request_context():
        read = sheets.read("acties.csv", b"Titel;Eigenaar\nEen\x0btwee\x01;KMAR\n")
    assert read[1] == ["Een\ntwee", "KMAR"]
