"""Writes for reports (frozen snapshots), agency narratives and update rounds."""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, insert, select
from sqlalchemy.orm import Session, selectinload

from models import Report, ReportNarrative, UpdateRound, User, report_recommendation_rows, report_recommendations, utcnow

from .. import audience, audit, focus_areas, limits, validation
from ..cache import cache
from ..errors import NotAllowed, NotFound, ValidationFailed, VersionMissing
from ..framework import queries as framework_queries
from ..validation import text as clean_text
from ..visibility import allows
from ..visibility import scope as visibility_scope
from ..writes import check_version, save
from . import exports, letter, letters, snapshot
from .permissions import can_manage_reports, can_write_narrative, edits_keep_approval


def _check_as_of(fields: dict[str, str], as_of: date | None, today: date, framework) -> None:
    if as_of is None:
        fields["as_of"] = _("Vul een geldige peildatum in.")
    elif as_of > today:
        fields["as_of"] = _("De peildatum ligt in de toekomst. Kies vandaag of een eerdere datum.")
    elif framework and as_of < framework.period_start:
        fields["as_of"] = _("De peildatum ligt vóór de start van het beleidskader (%(start)s).", start=framework.period_start.isoformat())


def _previous(session: Session, fields: dict[str, str], previous_report_id: int | None, as_of: date | None) -> Report | None:
    """The report to compare with: the one asked for, else what changed since the last letter that was sent."""
    if previous_report_id is None:
        return letters.last_sent(session, as_of) if as_of is not None else None
    previous = session.get(Report, previous_report_id) if previous_report_id else None
    if previous_report_id and previous is None:
        fields["previous_report_id"] = _("Die eerdere rapportage bestaat niet.")
    return previous


def create_report(session: Session, author: User, title: str, as_of: date | None, today: date,
                  previous_report_id: int | None = None, framework_id: int | None = None) -> Report:
    if not can_manage_reports(author):
        raise NotAllowed("only coordinators create reports")
    fields: dict[str, str] = {}
    title = clean_text(fields, "title", title, _("De titel"), limits.TITLE)
    # The framework asked for, else the one in force today (the one the framework page shows).
    framework = framework_queries.in_force(session, today, framework_id)
    if framework_id is not None and framework is None:
        fields["framework"] = _("Dat beleidskader bestaat niet.")
    _check_as_of(fields, as_of, today, framework)
    previous = _previous(session, fields, previous_report_id, as_of)
    if fields or as_of is None:
        raise ValidationFailed(fields or {"as_of": _("Vul een geldige peildatum in.")})
    report = Report(title=title, as_of=as_of, created_by_id=author.id, previous_report_id=previous.id if previous else None,
                    snapshot=snapshot.compute(session, author, as_of, title, framework=framework))
    session.add(report)
    session.flush()
    frozen, linked = _recommendation_rows(report.id, report.snapshot)
    for table, rows in ((report_recommendations, frozen), (report_recommendation_rows, linked)):
        if rows:  # (an empty list would insert one row of defaults)
            session.execute(insert(table), rows)
    audit.record("report.created", session=session, actor=author, entity_type="report", entity_id=report.id, as_of=as_of.isoformat(),
                 items=len(report.snapshot["items"]))
    return report


def save_narrative(session: Session, actor: User, report: Report, focus_area_code: str, text: str,
                   visibility: str, organisation_code: str | None = None, base_version: int | None = None) -> ReportNarrative:
    """An organisation's text per focus area, written by that organisation only (rule 3); a change to an existing text
    names the version it was based on (If-Match), so a save never silently overwrites another save or an approval."""
    code = organisation_code or actor.organisation.code
    if not can_write_narrative(actor):
        raise NotAllowed("readers do not write narratives")
    fields: dict[str, str] = {}
    text = clean_text(fields, "text", text, _("De toelichting"), limits.TEXT)
    if visibility not in ("mdt", "public"):
        fields["visibility"] = _("Kies of de tekst openbaar mag worden.")
    area = focus_areas.by_code(session, focus_area_code)
    org = validation.organisation(session, fields, "organisation", code)
    if area is None:
        fields["focus_area"] = _("Kies een bestaand speerpunt.")
    if fields or area is None or org is None:
        raise ValidationFailed(fields)
    narrative = session.scalars(select(ReportNarrative).where(
        ReportNarrative.report_id == report.id, ReportNarrative.focus_area_id == area.id,
        ReportNarrative.organisation_id == org.id)).one_or_none()
    audience.require(actor, narrative or ReportNarrative(organisation_id=org.id))
    before = None
    if narrative is None:
        narrative = ReportNarrative(report_id=report.id, focus_area_id=area.id, organisation_id=org.id, author_id=actor.id,
                                    text=text, visibility=visibility)
        session.add(narrative)
        session.flush()
    else:
        if base_version is None:
            raise VersionMissing({"text": _("Uw organisatie heeft al een toelichting bij dit speerpunt. Pas die aan bij "
                                            "de toelichtingen hierboven.")})
        check_version(session, narrative, base_version)
        before = {"text": narrative.text, "visibility": narrative.visibility, "status": narrative.status}
        narrative.text, narrative.visibility = text, visibility
        if not edits_keep_approval(actor):
            narrative.status, narrative.approved_by_id, narrative.approved_at = "draft", None, None
        save(session, narrative)
    audit.record("report.narrative_saved", session=session, actor=actor, entity_type="report", entity_id=report.id, narrative_id=narrative.id,
                 focus_area=focus_area_code, organisation=code, before=before, after={"text": text, "visibility": visibility})
    return narrative


def approve_narrative(session: Session, actor: User, narrative: ReportNarrative, base_version: int | None = None) -> None:
    """A coordinator of any organisation approves; approval changes the status only, never who may read the text."""
    if not can_manage_reports(actor):
        raise NotAllowed("only coordinators approve")
    if base_version is not None:
        check_version(session, narrative, base_version)
    narrative.status, narrative.approved_by_id, narrative.approved_at = "approved", actor.id, utcnow()
    save(session, narrative)
    audit.record("report.narrative_approved", session=session, actor=actor, entity_type="report", entity_id=narrative.report_id,
                 narrative_id=narrative.id)


def readable_narrative(session: Session, report_id: int, narrative_id: int, viewer: User) -> ReportNarrative:
    """One narrative of a report that the viewer may read; missing and unreadable are both NotFound."""
    narrative = session.get(ReportNarrative, narrative_id)
    if narrative is None or narrative.report_id != report_id or not _readable(viewer, narrative):
        raise NotFound("narrative")
    return narrative


def open_round(session: Session, actor: User, title: str, message: str, deadline: date | None, today: date) -> UpdateRound:
    if not can_manage_reports(actor):
        raise NotAllowed("only coordinators open rounds")
    fields: dict[str, str] = {}
    title = clean_text(fields, "title", title, _("De titel"), limits.TITLE)
    if deadline is None:
        fields["deadline"] = _("Vul een geldige uiterste datum in.")
    elif deadline < today:
        fields["deadline"] = _("De uiterste datum ligt in het verleden.")
    clean_text(fields, "message", message, _("Het bericht"), limits.TEXT, required=False)
    if fields or deadline is None:
        raise ValidationFailed(fields)
    update_round = UpdateRound(title=title, message=(message or "").strip(), opened_on=today, deadline=deadline,
                               created_by_id=actor.id)
    session.add(update_round)
    session.flush()
    audit.record("round.opened", session=session, actor=actor, entity_type="update_round", entity_id=update_round.id, deadline=deadline.isoformat())
    return update_round


def close_round(session: Session, actor: User, update_round: UpdateRound) -> None:
    if not can_manage_reports(actor):
        raise NotAllowed("only coordinators close rounds")
    update_round.closed_at = utcnow()
    audit.record("round.closed", session=session, actor=actor, entity_type="update_round", entity_id=update_round.id)


_views: OrderedDict = OrderedDict()
VIEW_CACHE_SIZE = 64


def hidden_now(session: Session, viewer: User, *reports: Report) -> frozenset[int]:
    """Ids of the items this viewer may not see today among those changed since the earliest of these reports was
    frozen (rule 7): what a frozen row of any of them needs beside its own frozen visibility."""
    return snapshot.hidden_ids(session, viewer, min(r.created_at for r in reports)) if reports else frozenset()


def visible_rows(session: Session, report: Report, viewer: User) -> list[dict]:
    """The frozen rows this viewer may see: allowed when frozen and allowed today (rule 7)."""
    return snapshot.visible_items(report.snapshot, viewer, hidden_now(session, viewer, report))


def public_rows(session: Session, report: Report) -> list[dict]:
    """The rows of the publication variant: public when frozen and public today; no viewer in it at all."""
    return snapshot.public_items(report.snapshot, snapshot.public_ids(session, snapshot.max_item_id(report.snapshot)))


def view_for(session: Session, report: Report, other: Report | None, viewer: User) -> dict:
    """What one organisation sees of a frozen report (and its diff with another), for the report page.

    The frozen rows never change, but what the viewer may see of them also follows today's visibility
    (rule 7), so the key holds a digest of the ids changed since and hidden from the viewer today: in the
    process, and in Redis for every process; a change of visibility that hides one of them gives a new key.
    """
    hidden = hidden_now(session, viewer, report, *([other] if other else []))
    digest = hashlib.sha256(",".join(map(str, sorted(hidden))).encode()).hexdigest()[:24]
    # created_at too: an id reused after a restore (or a rolled-back test) must not hit an old entry.
    key = (report.id, report.created_at.timestamp(), other.id if other else None,
           other.created_at.timestamp() if other else None, visibility_scope(viewer), digest)
    if key in _views:
        _views.move_to_end(key)
        return _views[key]
    view = cache().get_or_compute("report-view", key, lambda: _compute_view(report, other, viewer, hidden),
                                  versioned=False, ttl=7 * 24 * 3600)
    _views[key] = view
    if len(_views) > VIEW_CACHE_SIZE:
        _views.popitem(last=False)
    return view


def warm_view(session: Session, report: Report, viewer: User) -> None:
    """Compute the author's view of a new report (with its comparison) so the first page view is quick."""
    other = session.get(Report, report.previous_report_id) if report.previous_report_id else None
    view_for(session, report, other, viewer)


def _compute_view(report: Report, other: Report | None, viewer: User, hidden: frozenset[int]) -> dict:
    data = report.snapshot
    summary = snapshot.summarise(data, snapshot.visible_items(data, viewer, hidden), viewer)
    for area in summary["focus_areas"]:
        area.pop("items", None)  # the page shows counts; keep the cache small
    summary.pop("without_focus_area", None)
    return {"summary": summary, "focus_areas": [[a["code"], a["title"]] for a in data["focus_areas"]],
            "changes": snapshot.diff(other.snapshot, data, viewer, hidden) if other else None}


def readable_narratives(session: Session, report: Report, viewer: User) -> list[ReportNarrative]:
    """The report's narratives the viewer may read: "mdt" texts only for MDT members (and their own organisation)."""
    rows = session.scalars(select(ReportNarrative).where(ReportNarrative.report_id == report.id)
                           .options(selectinload(ReportNarrative.organisation), selectinload(ReportNarrative.focus_area),
                                    selectinload(ReportNarrative.author)).order_by(ReportNarrative.id)).all()
    return [n for n in rows if _readable(viewer, n)]


def _readable(viewer: User, narrative: ReportNarrative) -> bool:
    """"mdt" texts only for MDT members (and their own organisation); "public" for everyone."""
    return allows(viewer, narrative.visibility, narrative.organisation_id, ())


def export_report(session: Session, viewer: User, report: Report, fmt: str, public: bool) -> tuple[bytes, str, str]:
    """(body, mimetype, file name) of a report export; recorded in the audit trail. The publication variant is computed
    over the public rows alone (rule 7), the internal one over what the viewer may see."""
    rows = public_rows(session, report) if public else visible_rows(session, report, viewer)
    with force_locale("nl"):  # the exports are Dutch documents (annexes to letters to Parliament), whatever the page language
        previous = session.get(Report, report.previous_report_id) if report.previous_report_id else None
        ctx = exports.context(report, readable_narratives(session, report, viewer), rows, public, None if public else viewer, previous)
        ctx["author"] = viewer.organisation.name  # the organisation that sends it, in every variant
        body = {"docx": exports.to_docx, "pdf": exports.to_pdf, "xlsx": exports.to_xlsx}[fmt](ctx)
    audit.record("report.exported", session=session, actor=viewer, entity_type="report", entity_id=report.id, format=fmt,
                 audience="public" if public else "internal")
    return body, exports.FORMATS[fmt], f"rapportage-{report.as_of.isoformat()}{'-openbaar' if public else ''}.{fmt}"


def export_letter(session: Session, viewer: User, report: Report, fields: dict[str, str], today: date) -> tuple[bytes, str, str]:
    """The covering Kamerbrief of the report (coordinators): its figures are the publication variant's, as the annex it covers."""
    if not can_manage_reports(viewer):
        raise NotAllowed("only coordinators draft the letter to Parliament")
    previous = session.get(Report, report.previous_report_id) if report.previous_report_id else None
    with force_locale("nl"):
        ctx = exports.context(report, [], public_rows(session, report), True, None, previous)
        body = letter.to_docx(ctx, fields, today)
    audit.record("report.letter_exported", session=session, actor=viewer, entity_type="report", entity_id=report.id)
    return body, exports.FORMATS["docx"], f"kamerbrief-{report.as_of.isoformat()}.docx"


def _recommendation_rows(report_id: int, frozen_data: dict) -> tuple[list[dict], list[dict]]:
    """models.report_recommendations' and report_recommendation_rows' rows for a frozen snapshot (see there)."""
    frozen = [{"report_id": report_id, "recommendation_id": r["id"]} for r in frozen_data.get("recommendations", [])]
    linked = [{"report_id": report_id, "recommendation_id": rec_id, "item_id": i["id"], "owner": i["owner"], "visibility": i["visibility"],
               "shared_with": i["shared_with"]} for i in frozen_data.get("items", []) for rec_id in i.get("recommendation_ids", [])]
    return frozen, linked


def reports_with_recommendation(session: Session, viewer: User, rec_id: int) -> list[tuple[Report, list[dict]]]:
    """The frozen reports in which the recommendation appears for this viewer, with the rows linked to it that the viewer
    may see (rule 7): a report whose only linked rows are hidden from the viewer still lists the recommendation, rows none.
    Read from the rows written with each report (models.report_recommendation_rows), never from the snapshots: one
    statement besides the changes since the earliest freeze, whatever the number and size of the reports."""
    t = report_recommendation_rows.c
    linked: dict[Report, list[dict]] = {}
    for report, item_id, owner, visibility, shared_with in session.execute(
            select(Report, t.item_id, t.owner, t.visibility, t.shared_with)
            .join(report_recommendations, report_recommendations.c.report_id == Report.id)
            .outerjoin(report_recommendation_rows, and_(t.report_id == Report.id, t.recommendation_id == rec_id))
            .where(report_recommendations.c.recommendation_id == rec_id).order_by(Report.as_of, Report.id, t.item_id)):
        rows = linked.setdefault(report, [])
        if item_id is not None:  # (a report without rows for the recommendation: one row of NULLs)
            rows.append({"id": item_id, "owner": owner, "visibility": visibility, "shared_with": shared_with})
    reports = list(linked)
    hidden = hidden_now(session, viewer, *reports)
    return [(report, [r for r in linked[report] if snapshot.sees_frozen(viewer, r, hidden)]) for report in reports]
