"""The audit trail for admins: every event, filtered and paged, as a page and as CSV. Admins read *that* something
happened to which object, never the content: for events about content only the names of the fields in the event are
shown, not their values (the same rule as everywhere: an admin has no extra right to read content)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from models import AuditEvent, User

from ..i18n import AMSTERDAM
from ..inputs import bounded_int

PER_PAGE = 50
# Events about these objects carry content (titles, texts, figures): values are never shown to admins.
CONTENT_ENTITIES = frozenset({"action_item", "actions", "action_items", "comment", "comments", "meeting", "meetings", "meeting_series",
                              "report", "reports", "indicator", "indicators", "recommendation", "recommendations", "parliament_commitment",
                              "commitment", "focus_area", "framework", "update_round", "attachments", "minutes", "decisions"})
# Values safe to show on events about accounts and sign-in (no content in them).
ACCOUNT_KEYS = frozenset({"role", "is_active", "provider", "user_created", "count", "reason", "ip", "path", "method", "name", "scope"})


# Each event in words (the code stays in the CSV and the filter); an unknown code is shown as it is.
EVENT_WORDS = {
    "access.denied": _l("Toegang geweigerd"), "action.attachment_uploaded": _l("Bijlage bij actie toegevoegd"),
    "action.cancelled": _l("Actie vervallen"), "action.closure_confirmed": _l("Afronding van actie bevestigd"),
    "action.closure_rejected": _l("Actie teruggestuurd"), "action.closure_requested": _l("Actie gemeld als afgerond"),
    "action.commented": _l("Reactie bij actie"), "action.created": _l("Actie toegevoegd"), "action.progress": _l("Voortgang van actie bijgewerkt"),
    "action.updated": _l("Actie gewijzigd"), "audit.exported": _l("Auditlog gedownload"), "export": _l("Actielijst gedownload"),
    "framework.created": _l("Beleidskader toegevoegd"), "framework.target_set": _l("Doel vastgelegd"),
    "framework.weights_changed": _l("Gewichten van speerpunt gewijzigd"), "indicator.definition_changed": _l("Definitie van indicator gewijzigd"),
    "indicator.figure_expected": _l("Verwacht cijfer gepland"), "indicator.measurement_added": _l("Cijfer toegevoegd"),
    "indicator.measurement_corrected": _l("Cijfer gecorrigeerd"), "indicator.visibility_changed": _l("Zichtbaarheid van indicator gewijzigd"),
    "login.failure": _l("Inloggen mislukt"), "login.success": _l("Ingelogd"), "logout": _l("Uitgelogd"),
    "logout.backchannel": _l("Uitgelogd door de inlogdienst"), "logout.backchannel_refused": _l("Uitlogbericht van inlogdienst geweigerd"),
    "meeting.agenda_added": _l("Agendapunt toegevoegd"), "meeting.attendance": _l("Aanwezigheid vastgelegd"),
    "meeting.created": _l("Vergadering aangemaakt"), "meeting.decision_added": _l("Besluit vastgelegd"),
    "meeting.erratum_added": _l("Erratum toegevoegd"), "meeting.exported": _l("Notulen gedownload"),
    "meeting.minutes_approved": _l("Notulen vastgesteld"), "meeting.minutes_saved": _l("Notulen opgeslagen"),
    "meeting.prepared_from": _l("Volgende vergadering voorbereid"), "meeting.series_created": _l("Vergaderreeks toegevoegd"),
    "meeting.series_exported": _l("Verslagen van een reeks gedownload"), "meeting.standard_agenda_changed": _l("Vaste agenda gewijzigd"),
    "meeting.updated": _l("Vergadering gewijzigd"), "organisation.changed": _l("Organisatie gewijzigd"),
    "organisation.created": _l("Organisatie toegevoegd"), "parliament.saved": _l("Toezegging of motie vastgelegd"),
    "recommendation.related": _l("Aanbevelingen aan elkaar gekoppeld"), "recommendation.response_recorded": _l("Reactie op aanbeveling vastgelegd"),
    "records.disposal_approved": _l("Vernietigingslijst goedgekeurd"), "records.disposal_proposed": _l("Vernietigingslijst voorgesteld"),
    "records.disposed": _l("Records vernietigd"), "records.exported": _l("Archief gemaakt"), "report.created": _l("Rapportage gemaakt"),
    "report.exported": _l("Rapportage gedownload"), "report.narrative_approved": _l("Toelichting goedgekeurd"),
    "report.narrative_saved": _l("Toelichting opgeslagen"), "round.closed": _l("Actualisatieronde gesloten"),
    "round.opened": _l("Actualisatieronde geopend"), "session.ended_all": _l("Alle sessies beëindigd"),
    "token.created": _l("Toegangssleutel gemaakt"), "token.revoked": _l("Toegangssleutel ingetrokken"),
    "user.changed": _l("Gebruiker gewijzigd"), "version_conflict": _l("Bewerkingsconflict"),
}


def event_words(action: str) -> str:
    words = EVENT_WORDS.get(action)
    return str(words) if words is not None else action


@dataclass(frozen=True)
class Filters:
    actor: int | None = None
    organisation: str | None = None
    action: str | None = None
    entity_type: str | None = None
    entity_id: int | None = None
    start: date | None = None
    end: date | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args) -> Filters:
        def number(name):
            raw = args.get(name, "")
            return bounded_int(raw)

        def day(name):
            try:
                return date.fromisoformat(args.get(name, ""))
            except ValueError:
                return None

        text = {k: (args.get(k) or "").strip()[:64] or None for k in ("organisation", "action", "entity_type")}
        return cls(actor=number("actor"), organisation=text["organisation"], action=text["action"], entity_type=text["entity_type"],
                   entity_id=number("entity_id"), start=day("from"), end=day("to"), page=max(1, min(number("page") or 1, 10000)))

    def as_args(self, **override) -> dict:
        values = {"actor": self.actor, "organisation": self.organisation, "action": self.action, "entity_type": self.entity_type,
                  "entity_id": self.entity_id, "from": self.start.isoformat() if self.start else None,
                  "to": self.end.isoformat() if self.end else None, **override}
        return {k: v for k, v in values.items() if v not in (None, "")}


def _where(stmt: Select, f: Filters) -> Select:
    if f.actor is not None:
        stmt = stmt.where(AuditEvent.actor_id == f.actor)
    if f.organisation:
        stmt = stmt.where(AuditEvent.organisation_code == f.organisation.upper())
    if f.action:
        # "meeting." finds every meeting event; "access.denied" exactly that one.
        stmt = stmt.where(AuditEvent.action.startswith(f.action, autoescape=True))
    if f.entity_type:
        stmt = stmt.where(AuditEvent.entity_type == f.entity_type)
    if f.entity_id is not None:
        stmt = stmt.where(AuditEvent.entity_id == f.entity_id)
    if f.start:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(f.start, time(0), tzinfo=AMSTERDAM))
    if f.end:
        stmt = stmt.where(AuditEvent.at < datetime.combine(f.end + timedelta(days=1), time(0), tzinfo=AMSTERDAM))
    return stmt


def details(event: AuditEvent) -> str:
    """What an admin may read of an event: account events in full (their values are no content), content events
    only by the names of the fields involved."""
    diff = event.diff or {}
    if event.entity_type in CONTENT_ENTITIES or event.action.startswith(("action.", "meeting.", "report.", "indicator.", "framework.",
                                                                          "parliament.", "recommendation.", "round.")):
        names = sorted(k for k in diff if k != "ip")
        return ", ".join(names)
    return "; ".join(f"{k}: {diff[k]}" for k in sorted(diff) if k in ACCOUNT_KEYS)


def page(session: Session, f: Filters) -> tuple[list[tuple[AuditEvent, User | None]], int]:
    """One page of events, newest first, with their actors; and the total: two queries."""
    total = session.scalar(_where(select(func.count()).select_from(AuditEvent), f)) or 0
    rows = session.execute(_where(select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id), f)
                           .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).offset((f.page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    return [(e, u) for e, u in rows], total


def all_rows(session: Session, f: Filters, limit: int = 100000):
    return session.execute(_where(select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id), f)
                           .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)).all()


def denials(session: Session, since: datetime, minimum: int = 3) -> list[dict]:
    """Repeated refusals per user since a moment: the signal of someone probing (many ids, missing and hidden alike)."""
    rows = session.execute(select(AuditEvent.actor_id, User.name, AuditEvent.organisation_code, func.count(),
                                  func.count(func.distinct(AuditEvent.entity_id)), func.min(AuditEvent.at), func.max(AuditEvent.at))
                           .outerjoin(User, User.id == AuditEvent.actor_id)
                           .where(AuditEvent.action == "access.denied", AuditEvent.at >= since)
                           .group_by(AuditEvent.actor_id, User.name, AuditEvent.organisation_code)
                           .having(func.count() >= minimum).order_by(func.count().desc())).all()
    return [{"actor_id": a, "name": n, "organisation": o, "count": c, "objects": d, "first": first, "last": last}
            for a, n, o, c, d, first, last in rows]


def users(session: Session) -> list[User]:
    """Everyone who can appear in the trail, by name, for the filter."""
    return list(session.scalars(select(User).options(joinedload(User.organisation)).order_by(User.name)))
