"""Minutes as DOCX (python-docx) and PDF (WeasyPrint, PDF/UA): besluitenlijst + actielijst; an .ics invitation."""
from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from docx import Document
from flask import render_template
from icalendar import Calendar, Event

from models import ActionItem, Decision, Meeting, User

from .. import markdown, word
from ..downloads import document_safe, pdf
from ..i18n import AMSTERDAM, STATUS_TEXT, date_time, long_date
from .permissions import can_read_minutes

AUTHOR = "Multidisciplinair Team Mensensmokkel"  # the documents' author when no organisation asked for them
RESTRICTED = "Vertrouwelijk: alleen voor de organisaties die bij dit agendapunt aanwezig waren. Niet doorsturen."
CONFIDENTIAL = ("Vertrouwelijk: dit verslag bevat notulen die alleen bestemd zijn voor de organisaties die aanwezig waren. "
                "Niet doorsturen.")


def context(meeting: Meeting, viewer: User | None, decisions: Sequence[Decision], actions: Sequence[ActionItem], everything: bool = False) -> dict:
    """What this viewer may receive. Restricted minutes the viewer may not read are left out as if they did not
    exist (rule 5); those it may read are marked Vertrouwelijk, and so is the document. `everything` is the archive's
    copy (records management): all minutes, the restricted ones marked."""
    agenda = [_agenda_item(item, item.minutes if item.minutes and (everything or can_read_minutes(viewer, meeting, item.minutes)) else None)
              for item in meeting.agenda_items]
    return document_safe({
        "title": meeting.title, "series": meeting.series.title, "when": date_time(meeting.starts_at.astimezone(AMSTERDAM), "nl"),
        "author": viewer.organisation.name if viewer is not None else AUTHOR,
        "status": "vastgesteld" if meeting.minutes_status == "vastgesteld" else "concept",
        "generated": date_time(datetime.now(UTC).astimezone(AMSTERDAM), "nl"),
        "present": _attending(meeting, "present"), "excused": _attending(meeting, "excused"),
        "agenda": agenda,
        "confidential": any(a["restricted"] for a in agenda),
        "decisions": [{"number": d.number, "text": d.text} for d in decisions],
        "actions": [{"id": a.id, "title": a.title, "owner": a.owner_organisation.code,
                     "due": long_date(a.due_date, "nl") if a.due_date else "geen", "status": STATUS_TEXT[a.status]} for a in actions],
    })


def _agenda_item(item, minutes) -> dict:
    """An agenda item with the minutes the reader receives (None: left out)."""
    if minutes is None:
        return {"position": item.position, "title": item.title, "minutes": "", "minutes_html": "", "restricted": False, "errata": []}
    return {"position": item.position, "title": item.title, "minutes": minutes.body, "minutes_html": markdown.render(minutes.body),
            "restricted": bool(minutes.is_restricted), "errata": [e.body for e in minutes.errata]}


def _attending(meeting: Meeting, attendance: str) -> list[str]:
    return sorted({a.organisation.code for a in meeting.attendees if a.attendance == attendance})


def to_docx(ctx: dict) -> bytes:
    doc = Document()
    word.style_document(doc, f"Notulen {ctx['title']}", f"Notulen {ctx['series']}, {ctx['when']}", ctx.get("author") or AUTHOR)
    if ctx["confidential"]:
        doc.sections[0].header.paragraphs[0].text = "VERTROUWELIJK"
    _add_meeting(doc, ctx, 0)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def to_docx_compiled(title: str, period: str, contexts: list[dict]) -> bytes:
    """The minutes of a period as one document, meeting after meeting."""
    doc = Document()
    author = next((c["author"] for c in contexts if c.get("author")), AUTHOR)
    word.style_document(doc, title, f"Notulen, {period}", author)
    doc.add_heading(title, level=0)
    if any(c["confidential"] for c in contexts):
        doc.sections[0].header.paragraphs[0].text = "VERTROUWELIJK"
        doc.add_paragraph().add_run(CONFIDENTIAL).bold = True
    doc.add_paragraph(f"{period}. {len(contexts)} vergadering(en).")
    for ctx in contexts:
        doc.add_page_break()
        _add_meeting(doc, ctx, 1)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _add_meeting(doc, ctx: dict, level: int) -> None:
    doc.add_heading(f"Notulen: {ctx['title']}", level=level)
    if ctx["confidential"] and level == 0:
        doc.add_paragraph().add_run(CONFIDENTIAL).bold = True
    doc.add_paragraph(f"{ctx['series']}, {ctx['when']}. Status: {ctx['status']}. Gemaakt op {ctx['generated']}.")
    doc.add_paragraph(f"Aanwezig: {', '.join(ctx['present']) or 'niet vastgelegd'}. Afgemeld: {', '.join(ctx['excused']) or 'niemand'}.")
    doc.add_heading("Verslag per agendapunt", level=level + 1)
    for item in ctx["agenda"]:
        doc.add_heading(f"{item['position']}. {item['title']}", level=level + 2)
        if item["restricted"]:
            doc.add_paragraph().add_run(RESTRICTED).bold = True
        if item["minutes"]:
            markdown.add_to_docx(doc, item["minutes"], heading_level=level + 3)
        else:
            doc.add_paragraph("Geen notulen.")
        for erratum in item["errata"]:
            doc.add_paragraph(f"Erratum: {erratum}")
    doc.add_heading("Besluitenlijst", level=level + 1)
    _table(doc, ("Nummer", "Besluit"), [(d["number"], d["text"]) for d in ctx["decisions"]], [3.5, 13.5], "Geen besluiten.")
    doc.add_heading("Actielijst", level=level + 1)
    _table(doc, ("Actie", "Eigenaar", "Deadline", "Status"), [(a["title"], a["owner"], a["due"], a["status"]) for a in ctx["actions"]],
           [7.6, 2.1, 3.3, 3.0], "Geen acties.")


def _table(doc, headers: tuple[str, ...], rows: list[tuple], widths_cm: list[float], empty: str) -> None:
    """A table in the document style, or a sentence when there are no rows (as the PDF says it)."""
    if not rows:
        doc.add_paragraph(empty)
        return
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    word.finish_table(table, widths_cm)



def to_pdf(ctx: dict) -> bytes:
    return pdf(render_template("meetings/export.html", confidential_text=CONFIDENTIAL, restricted_text=RESTRICTED, ctx=ctx))


def to_pdf_compiled(title: str, period: str, contexts: list[dict]) -> bytes:
    now = datetime.now(UTC).astimezone(AMSTERDAM)
    return pdf(render_template("meetings/export_compiled.html", confidential_text=CONFIDENTIAL, restricted_text=RESTRICTED, title=title,
                                period=period, meetings=contexts, confidential=any(c["confidential"] for c in contexts),
                                generated=date_time(now, "nl")))


def to_ics(meeting: Meeting, base_url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//MDT-portaal mensensmokkel//NL")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@mdt-portaal")
    event.add("summary", document_safe(meeting.title))
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at or meeting.starts_at + timedelta(hours=2))
    event.add("dtstamp", datetime.now(UTC))
    event.add("location", "Online" if meeting.is_online else document_safe(meeting.location or ""))
    event.add("description", f"{document_safe(meeting.series.title)}. Agenda en stukken: {base_url}/meetings/{meeting.id}")
    event.add("url", f"{base_url}/meetings/{meeting.id}")
    calendar.add_component(event)
    return calendar.to_ical()
