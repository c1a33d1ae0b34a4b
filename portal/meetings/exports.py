"""Minutes as DOCX (python-docx) and PDF (WeasyPrint, PDF/UA): besluitenlijst + actielijst; an .ics invitation."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

from docx import Document
from flask import render_template
from icalendar import Calendar, Event

from models import ActionItem, Decision, Meeting, User

from ..i18n import format_long_date
from .permissions import can_read_minutes
from .services import AMSTERDAM

RESTRICTED = "Vertrouwelijk: deze notulen zijn alleen voor de organisaties die aanwezig waren."


def context(meeting: Meeting, viewer: User, decisions: list[Decision], actions: list[ActionItem]) -> dict:
    local = meeting.starts_at.astimezone(AMSTERDAM)
    agenda = []
    for item in meeting.agenda_items:
        readable = can_read_minutes(viewer, meeting, item.minutes)
        agenda.append({"position": item.position, "title": item.title,
                       "minutes": (item.minutes.body if item.minutes else "") if readable else RESTRICTED,
                       "errata": [e.body for e in item.minutes.errata] if item.minutes and readable else []})
    now = datetime.now(timezone.utc).astimezone(AMSTERDAM)
    return {
        "title": meeting.title, "series": meeting.series.title, "when": f"{format_long_date(local.date())} om {local:%H:%M}",
        "status": "vastgesteld" if meeting.minutes_status == "vastgesteld" else "concept",
        "generated": f"{format_long_date(now.date())} om {now:%H:%M}",
        "present": sorted({a.organisation.code for a in meeting.attendees if a.attendance == "present"}),
        "excused": sorted({a.organisation.code for a in meeting.attendees if a.attendance == "excused"}),
        "agenda": agenda,
        "decisions": [{"number": d.number, "text": d.text} for d in decisions],
        "actions": [{"id": a.id, "title": a.title, "owner": a.owner_organisation.code,
                     "due": format_long_date(a.due_date) if a.due_date else "geen", "status": a.status} for a in actions],
    }


def to_docx(ctx: dict) -> bytes:
    doc = Document()
    doc.core_properties.title = f"Notulen {ctx['title']}"
    doc.core_properties.language = "nl-NL"
    doc.add_heading(f"Notulen: {ctx['title']}", level=0)
    doc.add_paragraph(f"{ctx['series']}, {ctx['when']}. Status: {ctx['status']}. Gemaakt op {ctx['generated']}.")
    doc.add_paragraph(f"Aanwezig: {', '.join(ctx['present']) or 'niet vastgelegd'}. Afgemeld: {', '.join(ctx['excused']) or 'niemand'}.")
    doc.add_heading("Verslag per agendapunt", level=1)
    for item in ctx["agenda"]:
        doc.add_heading(f"{item['position']}. {item['title']}", level=2)
        doc.add_paragraph(item["minutes"] or "Geen notulen.")
        for erratum in item["errata"]:
            doc.add_paragraph(f"Erratum: {erratum}")
    doc.add_heading("Besluitenlijst", level=1)
    table = doc.add_table(rows=1, cols=2)
    table.style = "Light Grid Accent 1"
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Nummer", "Besluit"
    for d in ctx["decisions"]:
        row = table.add_row().cells
        row[0].text, row[1].text = d["number"], d["text"]
    doc.add_heading("Actielijst", level=1)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, ("Actie", "Eigenaar", "Deadline", "Status")):
        cell.text = text
    for a in ctx["actions"]:
        for cell, text in zip(table.add_row().cells, (a["title"], a["owner"], a["due"], a["status"])):
            cell.text = text
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def to_pdf(ctx: dict) -> bytes:
    import weasyprint

    static = Path(__file__).resolve().parents[2] / "static"
    html = render_template("meetings/export.html", **ctx)
    return weasyprint.HTML(string=html, base_url=str(static) + "/").write_pdf(pdf_variant="pdf/ua-1")


def to_ics(meeting: Meeting, base_url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//MDT-portaal mensensmokkel//NL")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@mdt-portaal")
    event.add("summary", meeting.title)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at or meeting.starts_at + timedelta(hours=2))
    event.add("dtstamp", datetime.now(timezone.utc))
    event.add("location", "Online" if meeting.is_online else (meeting.location or ""))
    event.add("description", f"{meeting.series.title}. Agenda en stukken: {base_url}/meetings/{meeting.id}")
    event.add("url", f"{base_url}/meetings/{meeting.id}")
    calendar.add_component(event)
    return calendar.to_ical()
