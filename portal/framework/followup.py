"""The follow-up register: a recommendation's response (text, date, stance, document) with history, related
recommendations, and the timeline of what has been done, over the action items the viewer may see."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, joinedload

from models import STANCES, ActionItem, ProgressUpdate, Recommendation, RecommendationResponse, User, action_item_recommendations, recommendation_links

from .. import audit, limits, validation
from ..actions.permissions import visible_clause
from ..errors import NotAllowed, ValidationFailed, VersionConflict
from ..i18n import AMSTERDAM
from ..validation import text as clean_text
from .permissions import can_weigh

STANCE_TEXT = {"overgenomen": _l("Overgenomen"), "deels": _l("Deels overgenomen"), "niet": _l("Niet overgenomen"),
               "onbekend": _l("Nog niet bepaald")}


@dataclass(frozen=True)
class ResponseVersion:
    """The version of a recommendation's response is the id of its latest row."""

    id: int
    version: int | None


def responses(session: Session, rec_id: int) -> list[RecommendationResponse]:
    """Newest first."""
    return list(session.scalars(select(RecommendationResponse).where(RecommendationResponse.recommendation_id == rec_id)
                                .order_by(RecommendationResponse.recorded_at.desc(), RecommendationResponse.id.desc())
                                .options(joinedload(RecommendationResponse.document), joinedload(RecommendationResponse.recorded_by))))


def current_responses(session: Session, rec_ids: list[int]) -> dict[int, RecommendationResponse]:
    out: dict[int, RecommendationResponse] = {}
    for r in session.scalars(select(RecommendationResponse).where(RecommendationResponse.recommendation_id.in_(rec_ids))
                             .order_by(RecommendationResponse.recorded_at, RecommendationResponse.id)
                             .options(joinedload(RecommendationResponse.document))):
        out[r.recommendation_id] = r
    return out


def related_ids(session: Session, rec_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for a, b in session.execute(select(recommendation_links.c.recommendation_id, recommendation_links.c.related_id)
                                .where(or_(recommendation_links.c.recommendation_id.in_(rec_ids), recommendation_links.c.related_id.in_(rec_ids)))):
        out.setdefault(a, []).append(b)
        out.setdefault(b, []).append(a)
    return {k: sorted(v) for k, v in out.items()}


def record_response(session: Session, actor: User, rec: Recommendation, data: dict, base_response_id: int | None) -> RecommendationResponse:
    """A coordinator records the response as it stands now: a new row; the one it was based on must still be the latest."""
    if not can_weigh(actor):
        raise NotAllowed("only coordinators keep the follow-up register")
    history = responses(session, rec.id)
    latest = history[0] if history else None
    if (latest.id if latest else None) != base_response_id:
        audit.record("version_conflict", session=session, entity_type="recommendation", entity_id=rec.id,
                     based_on=base_response_id, current=latest.id if latest else None)
        raise VersionConflict(ResponseVersion(rec.id, latest.id if latest else None))
    fields: dict[str, str] = {}
    stance = data.get("stance")
    if stance not in STANCES:
        fields["stance"] = str(_l("Kies het standpunt."))
    text = clean_text(fields, "text", data.get("text"), _("De reactie"), limits.TEXT, required=False)
    responded_on = None
    if data.get("responded_on"):
        try:
            responded_on = date.fromisoformat(str(data["responded_on"]))
        except ValueError:
            fields["responded_on"] = str(_l("Vul een geldige datum in (JJJJ-MM-DD)."))
    document = validation.source(session, fields, "document", data.get("document"))
    document_title = clean_text(fields, "document_title", data.get("document_title"), _("De titel van het document"), limits.DOCUMENT_TITLE, required=False)
    kamerstuk = clean_text(fields, "kamerstuk", data.get("kamerstuk"), _("Het Kamerstuknummer"), limits.REFERENCE, required=False)
    url = clean_text(fields, "url", data.get("url"), _("De link"), limits.URL, required=False)
    if url and not url.startswith("https://"):
        fields["url"] = str(_l("Een link begint met https://."))
    reason = clean_text(fields, "reason", data.get("reason"), _("De reden"), limits.REASON, required=latest is not None)
    if fields:
        raise ValidationFailed(fields)
    row = RecommendationResponse(recommendation_id=rec.id, stance=stance, text=text, responded_on=responded_on,
                                 document_source_id=document.id if document else None, document_title=document_title, kamerstuk=kamerstuk,
                                 url=url, reason=reason, recorded_by_id=actor.id, recorded_at=datetime.now(UTC))
    session.add(row)
    rec.response = str(stance)
    session.flush()
    audit.record("recommendation.response_recorded", session=session, actor=actor, entity_type="recommendation", entity_id=rec.id,
                 stance=stance, before=latest.stance if latest else None, reason=reason)
    return row


def link_related(session: Session, actor: User, rec: Recommendation, other: Recommendation, linked: bool) -> None:
    """"Asks the same as": one row per pair, lower id first; linking twice or unlinking what is not linked changes nothing."""
    if not can_weigh(actor):
        raise NotAllowed("only coordinators keep the follow-up register")
    if other.id == rec.id:
        raise ValidationFailed({"related": str(_l("Een aanbeveling kan niet aan zichzelf gekoppeld worden."))})
    low, high = sorted((rec.id, other.id))
    where = (recommendation_links.c.recommendation_id == low, recommendation_links.c.related_id == high)
    exists = session.execute(select(recommendation_links).where(*where)).first() is not None
    if linked and not exists:
        session.execute(recommendation_links.insert().values(recommendation_id=low, related_id=high))
    elif not linked and exists:
        session.execute(recommendation_links.delete().where(*where))
    else:
        return
    audit.record("recommendation.related" if linked else "recommendation.unrelated", session=session, actor=actor,
                 entity_type="recommendation", entity_id=rec.id, other=other.id)


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str  # source | response | item | update | closure_requested | closure_confirmed | closure_rejected | report
    text: str
    item: ActionItem | None = None
    link: str | None = None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=AMSTERDAM)


def related(session: Session, rec_id: int) -> list[Recommendation]:
    """The recommendations linked to this one ("asks the same as"), both directions: one query."""
    other = or_(and_(recommendation_links.c.recommendation_id == rec_id, recommendation_links.c.related_id == Recommendation.id),
                and_(recommendation_links.c.related_id == rec_id, recommendation_links.c.recommendation_id == Recommendation.id))
    return list(session.scalars(select(Recommendation).join(recommendation_links, other).order_by(Recommendation.id)
                                .options(joinedload(Recommendation.source))))


# A recommendation's timeline shows the source, every response and the newest work on its action items: with
# hundreds of linked items it would otherwise list thousands of updates (each item's own page keeps all of its history).
TIMELINE_WORK = 100


def timeline(session: Session, viewer: User, rec: Recommendation,
             history: list[RecommendationResponse] | None = None) -> tuple[list[ActionItem], list[Event], bool]:
    """The recommendation's visible action items and its events, oldest first: the source and the responses, and of the
    items' creations and updates the newest TIMELINE_WORK; whether there was more work than that. Two queries (three
    without `history`), the updates' at most TIMELINE_WORK rows."""
    items = list(session.scalars(select(ActionItem).join(action_item_recommendations, action_item_recommendations.c.action_item_id == ActionItem.id)
                                 .where(action_item_recommendations.c.recommendation_id == rec.id, visible_clause(viewer))
                                 .order_by(ActionItem.id).options(joinedload(ActionItem.owner_organisation))))
    events: list[Event] = []
    if rec.source.issued_on:
        events.append(Event(_start_of(rec.source.issued_on), "source", rec.source.title))
    for r in history if history is not None else responses(session, rec.id):
        events.append(Event(_start_of(r.responded_on) if r.responded_on else r.recorded_at, "response", str(STANCE_TEXT[r.stance])))
    by_id = {i.id: i for i in items}
    work = [Event(i.created_at, "item", i.title, i) for i in items]
    for u in session.scalars(select(ProgressUpdate).where(ProgressUpdate.action_item_id.in_(list(by_id)))
                             .order_by(ProgressUpdate.recorded_at.desc(), ProgressUpdate.id.desc()).limit(TIMELINE_WORK + 1)):
        work.append(Event(u.recorded_at, u.kind if u.kind.startswith("closure") else "update", u.note, by_id[u.action_item_id]))
    newest = sorted(work, key=lambda e: e.at, reverse=True)
    return items, sorted(events + newest[:TIMELINE_WORK], key=lambda e: e.at), len(newest) > TIMELINE_WORK
