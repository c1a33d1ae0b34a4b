"""Rule 14 in the Word files: A4, the portal's font in every style, the organisation as author, tables whose header row
repeats and whose rows never split, an empty list said in words, and a summary whose columns add up."""
from __future__ import annotations

import io
import re

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm

from portal.actions import services as actions
from portal.i18n import long_date, today
from portal.meetings import services as meetings
from portal.reports import services as reports
from portal.word import FONT

from factories import local


def _check_finished(data: bytes, author: str) -> Document:
    doc = Document(io.BytesIO(data))
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert doc.core_properties.author == author and doc.core_properties.author != "python-docx"
    assert doc.core_properties.title and doc.core_properties.language == "nl-NL"
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert {fonts.get(qn(slot)) for slot in ("w:ascii", "w:hAnsi", "w:cs")} == {FONT}
    assert doc.settings.element.find(qn("w:autoHyphenation")) is not None
    for table in doc.tables:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
        widths = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert len(set(widths)) > 1 and abs(sum(widths) - Cm(17).twips) < 30  # fitted to content, filling the text width
    return doc


def test_report_and_minutes_are_finished_documents(app, db_session, make_user, login_as, loaded):
    kmar, coordinator = make_user("KMAR"), make_user("JENV", role="coordinator")
    for title, status in (("Open actie", None), ("Wacht", "awaiting"), ("Vervallen actie", "cancel")):
        item, _ = actions.create_item(db_session, kmar, {"title": title, "focus_area": "3.1", "visibility": "mdt"})
        if status == "awaiting":
            actions.request_closure(db_session, kmar, item, item.version, "klaar")
        elif status == "cancel":
            actions.cancel_item(db_session, kmar, item, item.version, "niet meer nodig")
    report = reports.create_report(db_session, coordinator, "Voortgangsbrief", today(), today())
    meeting = meetings.create_meeting(db_session, coordinator, {"series": "MDT", "title": "Overleg", "starts_at": local(2026, 11, 5),
                                                                "invited": ["KMAR", "JENV"], "visibility": "mdt"})
    db_session.commit()
    client = login_as(app.test_client(), coordinator)
    doc = _check_finished(client.get(f"/reports/{report.id}/export.docx").data, coordinator.organisation.name)
    summary = doc.tables[0]
    headers = [c.text.replace("\u00ad", "") for c in summary.rows[0].cells]
    assert headers[:2] == ["Speerpunt", "Acties"] and "Wacht op bevestiging" in headers and "Vervallen" in headers
    assert any(c.text == "3" for c in summary.rows[1].cells[1:2])  # 3.1 holds the three actions
    for row in summary.rows[1:]:
        cells = [c.text for c in row.cells]
        assert int(cells[1]) == sum(int(v) for v in cells[2:-1]), cells  # every status counted once; "te laat" across them
    minutes = _check_finished(client.get(f"/meetings/{meeting.id}/minutes.docx").data, coordinator.organisation.name)
    texts = [p.text for p in minutes.paragraphs]
    assert "Geen besluiten." in texts and "Geen acties." in texts


def _struct_alts(node, seen=None) -> list[str]:
    """Alternative texts of the Figure elements in a tagged PDF's structure tree."""
    seen = seen if seen is not None else set()
    node = node.get_object() if hasattr(node, "get_object") else node
    if id(node) in seen or len(seen) > 20000:
        return []
    seen.add(id(node))
    found = []
    if isinstance(node, dict):
        if node.get("/S") == "/Figure" and "/Alt" in node:
            found.append(str(node["/Alt"]))
        kids = node.get("/K")
        if kids is not None:
            found += _struct_alts(kids, seen)
    elif isinstance(node, list):
        for kid in node:
            found += _struct_alts(kid, seen)
    return found


def test_the_report_pdf_is_a4_in_the_portal_font_with_a_described_chart(app, db_session, make_user, login_as, loaded):
    from pypdf import PdfReader

    kmar, coordinator = make_user("KMAR"), make_user("JENV", role="coordinator")
    actions.create_item(db_session, kmar, {"title": "Open actie", "focus_area": "3.1", "visibility": "mdt"})
    report = reports.create_report(db_session, coordinator, "Voortgangsbrief", today(), today())
    db_session.commit()
    data = login_as(app.test_client(), coordinator).get(f"/reports/{report.id}/export.pdf").data
    reader = PdfReader(io.BytesIO(data))
    assert all((round(float(p.mediabox.width)), round(float(p.mediabox.height))) == (595, 842) for p in reader.pages)
    fonts = set()
    for page in reader.pages:
        resources = page["/Resources"].get_object()
        for font in resources.get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("Fira-Sans" in f for f in fonts) and not any("Serif" in f for f in fonts), fonts
    alts = _struct_alts(reader.trailer["/Root"]["/StructTreeRoot"])
    assert any(alt.startswith("Acties per speerpunt naar status. 3.1:") for alt in alts), alts
    text = reader.pages[1].extract_text()
    assert f"Voortgangsbrief · peildatum {long_date(today(), 'nl')}" in text and "Vervallen" in text


def _office_pdf(tmp_path, name: str, data: bytes) -> bytes:
    """The file as a recipient's office software lays it out: LibreOffice headless, converted to PDF."""
    import shutil
    import subprocess

    from conftest import IN_CI

    soffice = shutil.which("soffice")
    if soffice is None:
        message = "LibreOffice (soffice) is needed for the round trip (make test installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    source = tmp_path / name
    source.write_bytes(data)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    return (tmp_path / (source.stem + ".pdf")).read_bytes()


@pytest.mark.once("sqlite")  # how office software lays out a file does not depend on the database
def test_documents_open_in_office_software_as_sent(app, db_session, make_user, login_as, loaded, tmp_path):
    """Rule 14 as a recipient sees it: every Word and Excel file opens in LibreOffice on A4, the annex in Word runs to
    at most one and a half times the pages of the PDF, and its summary table keeps every word of a focus area whole."""
    from pypdf import PdfReader

    kmar, coordinator = make_user("KMAR"), make_user("JENV", role="coordinator")
    for n in range(12):
        actions.create_item(db_session, kmar, {"title": f"Actie {n} met een wat langere titel over mensensmokkel", "focus_area": "3.1",
                                               "visibility": "mdt"})
    report = reports.create_report(db_session, coordinator, "Voortgangsbrief", today(), today())
    meeting = meetings.create_meeting(db_session, coordinator, {"series": "MDT", "title": "Overleg", "starts_at": local(2026, 11, 5),
                                                                "invited": ["KMAR", "JENV"], "visibility": "mdt"})
    db_session.commit()
    client = login_as(app.test_client(), coordinator)
    pdf_pages = len(PdfReader(io.BytesIO(client.get(f"/reports/{report.id}/export.pdf").data)).pages)
    for url, name in ((f"/reports/{report.id}/export.docx", "annex.docx"), (f"/meetings/{meeting.id}/minutes.docx", "minutes.docx"),
                      (f"/reports/{report.id}/export.xlsx", "annex.xlsx"), ("/actions/export.xlsx", "actions.xlsx"),
                      ("/meetings/series/MDT/minutes.docx?from=2026-11-01&to=2026-11-30", "compiled.docx")):
        reader = PdfReader(io.BytesIO(_office_pdf(tmp_path, name, client.get(url).data)))
        sizes = {tuple(sorted((round(float(p.mediabox.width)), round(float(p.mediabox.height))))) for p in reader.pages}
        assert sizes == {(595, 842)}, (name, sizes)  # A4, portrait or landscape
        if name == "annex.docx":
            assert len(reader.pages) <= 1.5 * pdf_pages, (len(reader.pages), pdf_pages)
            text = "\n".join(page.extract_text() for page in reader.pages)
            shown = set(text.split("Speerpunt", 1)[1].split(" acties: ", 1)[0].split())  # the summary table's words
            areas = " ".join(row.cells[0].text for row in Document(io.BytesIO(client.get(url).data)).tables[0].rows[1:])
            assert "bewustwordingscampagnes" in areas
            assert set(areas.split()) <= shown, set(areas.split()) - shown  # no word broken across two lines


def test_one_set_of_figures_in_every_format(app, db_session, make_user, login_as, loaded):
    """The summary per focus area is the same in the page's figures, the Word annex, the PDF and the Excel file, and
    every total equals the sum of its statuses."""
    import openpyxl
    from pypdf import PdfReader

    kmar, pol, coordinator = make_user("KMAR"), make_user("POL"), make_user("JENV", role="coordinator")
    for owner, title, area, step in ((kmar, "A", "3.1", None), (kmar, "B", "3.1", "awaiting"), (pol, "C", "3.2", "cancel"),
                                     (pol, "D", "3.2", None), (kmar, "E", "3.4", "awaiting")):
        item, _ = actions.create_item(db_session, owner, {"title": title, "focus_area": area, "visibility": "mdt"})
        if step == "awaiting":
            actions.request_closure(db_session, owner, item, item.version, "klaar")
        elif step == "cancel":
            actions.cancel_item(db_session, owner, item, item.version, "niet nodig")
    report = reports.create_report(db_session, coordinator, "Voortgangsbrief", today(), today())
    db_session.commit()
    client = login_as(app.test_client(), coordinator)
    statuses = ("done", "awaiting_confirmation", "in_progress", "open", "blocked", "cancelled")
    with app.test_request_context():
        areas = reports.view_for(db_session, report, None, coordinator)["summary"]["focus_areas"]
    expected = {a["code"]: [a["total"], *(a["counts"][s] for s in statuses)] for a in areas}
    assert expected["3.1"][:3] == [2, 0, 1] and expected["3.2"][0] == 2
    for code, (total, *parts) in expected.items():
        assert total == sum(parts), code
    # Word: Speerpunt, Acties, then the statuses in the same order, then Te laat.
    doc = Document(io.BytesIO(client.get(f"/reports/{report.id}/export.docx").data))
    word = {row.cells[0].text.split()[0]: [int(c.text) for c in row.cells[1:8]] for row in doc.tables[0].rows[1:]}
    assert word == expected
    # Excel: the sheet Speerpunten.
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/reports/{report.id}/export.xlsx").data))["Speerpunten"]
    excel = {row[0]: [int(v) for v in row[2:9]] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert excel == expected
    # PDF: each focus area's row of the summary table as text.
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(client.get(f"/reports/{report.id}/export.pdf").data)).pages)
    table = text.split("Geblokkeerd Vervallen", 1)[1]  # the summary table, from its header on
    for code, figures in expected.items():
        row = table.split(f"\n{code} ", 1)[1]
        numbers = [int(n) for n in re.findall(r"(?<![\d.])\d+(?![\d.])", row)[:7]]
        assert numbers == figures, (code, numbers, figures)
