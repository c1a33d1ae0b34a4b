"""Records management (Archiefwet): the records past their retention term written as a self-describing archive.

One folder per record: `record.json` (title, dates, organisation, classification, relations) and `record.pdf` (the
human-readable record); `manifest.json` lists every file with its SHA-256 and size. Nothing is deleted here: disposal
is a separate step that needs an admin's approval of the list (not built yet)."""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, time
from pathlib import Path

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from models import ActionItem, AgendaItem, Decision, Meeting, ProgressUpdate, Report, ReportNarrative

from .. import audit
from ..config import Records
from ..downloads import pdf
from ..i18n import AMSTERDAM, long_date
from ..meetings import exports as meeting_exports
from ..reports import exports as report_exports
from ..reports import snapshot

SCHEMA = "mdt-portaal-archief/1"


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _classification(visibility: str, shared: list[str]) -> dict:
    return {"visibility": visibility, "shared_with": shared,
            "restricted": visibility != "public", "note": "" if visibility == "public" else "Niet openbaar: alleen voor de genoemde organisaties."}



def _write(folder: Path, meta: dict, pdf: bytes, files: list[dict], root: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in (("record.json", json.dumps(meta, ensure_ascii=False, indent=2, default=str).encode()), ("record.pdf", pdf)):
        (folder / name).write_bytes(body)
        files.append({"path": str((folder / name).relative_to(root)), "sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body)})


def due_records(session: Session, before: date, rules: Records, today: date) -> dict[str, list]:
    """The records finished before `before` and past their term on `today`: closed items, approved meetings, reports."""
    def cutoff(years: int) -> datetime:
        day = min(before, _years_before(today, years))
        return datetime.combine(day, time(0), tzinfo=AMSTERDAM).astimezone(UTC)

    items = session.scalars(select(ActionItem).where(ActionItem.status.in_(("done", "cancelled")),
                                                     ActionItem.updated_at < cutoff(rules.closed_items_years)).order_by(ActionItem.id)
                            .options(joinedload(ActionItem.owner_organisation), selectinload(ActionItem.shared_with),
                                     selectinload(ActionItem.recommendations), joinedload(ActionItem.focus_area))).all()
    meetings = session.scalars(select(Meeting).where(Meeting.minutes_status == "vastgesteld",
                                                     Meeting.starts_at < cutoff(rules.meetings_years)).order_by(Meeting.starts_at)
                               .options(selectinload(Meeting.agenda_items).joinedload(AgendaItem.minutes), selectinload(Meeting.attendees),
                                        selectinload(Meeting.shared_with), joinedload(Meeting.series))).unique().all()
    reports = session.scalars(select(Report).where(Report.created_at < cutoff(rules.reports_years), Report.as_of < before)
                              .order_by(Report.as_of, Report.id)).all()
    return {"items": list(items), "meetings": list(meetings), "reports": list(reports)}


def export(session: Session, root: Path, before: date, rules: Records, today: date) -> dict:
    """Every record finished before `before` and past its term on `today`: closed items, approved meetings, frozen
    reports. Returns the manifest (also written to root/manifest.json)."""
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise ValueError(f"{root} is niet leeg; kies een lege map voor het archief")
    files: list[dict] = []
    due = due_records(session, before, rules, today)
    for item in due["items"]:
        _write(root / "acties" / str(item.id), *_item_record(session, item), files, root)
    for meeting in due["meetings"]:
        _write(root / "vergaderingen" / str(meeting.id), *_meeting_record(session, meeting), files, root)
    for report in due["reports"]:
        _write(root / "rapportages" / str(report.id), *_report_record(session, report), files, root)
    counts = {kind: len(due[kind]) for kind in ("items", "meetings", "reports")}

    manifest = {"schema": SCHEMA, "created_at": datetime.now(UTC).isoformat(timespec="seconds"), "before": before.isoformat(),
                "retention_years": vars(rules), "counts": counts, "files": files,
                "note": "Elke map is een archiefstuk: record.json (metagegevens) en record.pdf (leesbaar). Niet-openbare stukken zijn als zodanig gemarkeerd."}
    (root / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    audit.record("records.exported", session=session, entity_type="archive", before=before.isoformat(), counts=counts)
    return manifest


def _item_record(session: Session, item: ActionItem) -> tuple[dict, bytes]:
    """A closed item's metadata (its history included) and its PDF."""
    history = session.scalars(select(ProgressUpdate).where(ProgressUpdate.action_item_id == item.id).order_by(ProgressUpdate.recorded_at)).all()
    meta = {"schema": SCHEMA, "kind": "action_item", "id": item.id, "title": item.title, "organisation": item.owner_organisation.code,
            "dates": {"created": item.created_at, "finished": item.updated_at, "due": item.due_date}, "status": item.status,
            "classification": _classification(item.visibility, sorted(o.code for o in item.shared_with)),
            "relations": {"recommendations": sorted(r.id for r in item.recommendations), "meeting": item.meeting_id,
                          "focus_area": item.focus_area.code if item.focus_area else None},
            "history": [{"at": u.recorded_at, "kind": u.kind, "status": u.status, "progress": u.progress, "note": u.note} for u in history]}
    return meta, pdf(render_template("admin/archive_item.html", item=item, meta=meta, history=history, long_date=long_date))


def _meeting_record(session: Session, meeting: Meeting) -> tuple[dict, bytes]:
    """An approved meeting's metadata and its minutes as PDF (every agenda item, the restricted ones marked)."""
    decisions = session.scalars(select(Decision).where(Decision.meeting_id == meeting.id).order_by(Decision.id)).all()
    actions = session.scalars(select(ActionItem).where(ActionItem.meeting_id == meeting.id).order_by(ActionItem.id)
                              .options(joinedload(ActionItem.owner_organisation))).all()
    ctx = meeting_exports.context(meeting, None, decisions, actions, everything=True)
    meta = {"schema": SCHEMA, "kind": "meeting", "id": meeting.id, "title": meeting.title, "series": meeting.series.code,
            "organisation": meeting.owner_organisation.code if meeting.owner_organisation else None,
            "dates": {"held": meeting.starts_at, "approved": meeting.minutes_approved_at},
            "classification": {**_classification(meeting.visibility, sorted(o.code for o in meeting.shared_with)),
                               "restricted_minutes": any(a["restricted"] for a in ctx["agenda"]), "present": ctx["present"]},
            "relations": {"decisions": [d.number for d in decisions], "action_items": [a.id for a in actions]}}
    return meta, meeting_exports.to_pdf(ctx)


def _report_record(session: Session, report: Report) -> tuple[dict, bytes]:
    """A frozen report's metadata (the snapshot itself included) and its PDF with every row."""
    narratives = session.scalars(select(ReportNarrative).where(ReportNarrative.report_id == report.id)
                                 .options(joinedload(ReportNarrative.organisation), joinedload(ReportNarrative.focus_area))).all()
    rows = snapshot.all_items(report.snapshot)
    ctx = report_exports.context(report, narratives, rows, False, snapshot.ARCHIVE)
    meta = {"schema": SCHEMA, "kind": "report", "id": report.id, "title": report.title, "dates": {"as_of": report.as_of, "frozen": report.created_at},
            "classification": {"restricted": any(i["visibility"] != "public" for i in report.snapshot["items"]),
                               "note": "Intern: bevat niet-openbare rijen."},
            "relations": {"previous_report": report.previous_report_id, "framework": (report.snapshot.get("framework") or {}).get("key")},
            "snapshot": report.snapshot}
    return meta, report_exports.to_pdf(ctx)
