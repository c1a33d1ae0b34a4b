"""Update rounds: who is asked, the overview per organisation, and the mails."""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from models import UPDATE_STATUSES, ActionItem, Organisation, ProgressUpdate, UpdateRound, User

from .. import mail
from ..actions.permissions import visible_clause
from ..i18n import long_date
from ..statements import built

log = logging.getLogger("portal.rounds")


def opened_at(update_round: UpdateRound) -> datetime:
    """The moment the round was opened: work recorded before it does not count as a response."""
    return update_round.created_at


def current(session: Session, today: date) -> UpdateRound | None:
    return session.scalars(_current(today)).first()


@built
def _current(today: date) -> Select:
    return select(UpdateRound).where(UpdateRound.closed_at.is_(None), UpdateRound.deadline >= today).order_by(UpdateRound.deadline)


def overview(session: Session, viewer: User, update_round: UpdateRound) -> list[dict]:
    """Per organisation: open items and how many of them were updated since the round opened (viewer-visible only)."""
    since = opened_at(update_round)
    updated = select(ProgressUpdate.action_item_id).where(ProgressUpdate.recorded_at >= since)
    rows = session.execute(
        select(Organisation.code, Organisation.name, func.count(ActionItem.id),
               func.count(ActionItem.id).filter(ActionItem.id.in_(updated)))
        .join(ActionItem, ActionItem.owner_organisation_id == Organisation.id)
        .where(visible_clause(viewer), ActionItem.status.in_(UPDATE_STATUSES) | ActionItem.id.in_(updated))
        .group_by(Organisation.code, Organisation.name).order_by(Organisation.code)
    ).all()
    return [{"code": code, "name": name, "items": total, "updated": done,
             "share": round(100 * done / total) if total else None} for code, name, total, done in rows]


def _people_with_open_items(session: Session) -> list[tuple[User, int]]:
    counts: dict[int, int] = {org: n for org, n in session.execute(select(ActionItem.owner_organisation_id, func.count())
                              .where(ActionItem.status.in_(UPDATE_STATUSES)).group_by(ActionItem.owner_organisation_id))}
    users = session.scalars(select(User).where(User.is_active.is_(True), User.email.is_not(None),
                                               User.role.in_(("member", "coordinator")),
                                               User.organisation_id.in_(counts))).all()
    return [(u, counts[u.organisation_id]) for u in users]


def _send_all(smtp_url: str | None, recipients, subject: str, body_for) -> int:
    sent = 0
    for user, n in recipients:
        try:
            mail.send(smtp_url, user.email, subject, body_for(user, n))
            sent += 1
        except Exception:  # noqa: BLE001 - one bad address must not stop the round
            log.exception("round mail to user %s failed", user.id)
    return sent


def announce(session: Session, update_round: UpdateRound, smtp_url: str | None, base_url: str) -> int:
    def body(user, n):
        return (f"Beste {user.name},\n\n{update_round.title}\n\n{update_round.message}\n\n"
                f"Uw organisatie heeft {n} open {'actie' if n == 1 else 'acties'} in het MDT-portaal. "
                f"Werk de voortgang graag bij vóór {long_date(update_round.deadline, 'nl')}:\n{base_url}/actions?organisation={user.organisation.code}\n\n"
                "Met vriendelijke groet,\nMDT-portaal mensensmokkel")
    return _send_all(smtp_url, _people_with_open_items(session), f"Actualisatieronde: {update_round.title}", body)


def remind(session: Session, today: date, smtp_url: str | None, base_url: str) -> int:
    """Within three days of the deadline, once a day: remind organisations that still have open items."""
    update_round = current(session, today)
    if update_round is None or update_round.deadline - today > timedelta(days=3) or update_round.reminded_on == today:
        return 0
    update_round.reminded_on = today
    session.commit()

    def body(user, n):
        return (f"Beste {user.name},\n\nHerinnering: {update_round.title}. De uiterste datum is "
                f"{long_date(update_round.deadline, 'nl')}. Uw organisatie heeft {n} open "
                f"{'actie' if n == 1 else 'acties'}.\n{base_url}/actions?organisation={user.organisation.code}\n\n"
                "Met vriendelijke groet,\nMDT-portaal mensensmokkel")
    return _send_all(smtp_url, _people_with_open_items(session), f"Herinnering actualisatieronde: {update_round.title}", body)


def banner_for(session: Session, viewer: User, update_round: UpdateRound | None) -> dict | None:
    """The open round and how many of the viewer's organisation's items still wait for an update (None: no banner)."""
    if update_round is None:
        return None
    open_items = session.scalar(select(func.count()).select_from(ActionItem).where(
        ActionItem.owner_organisation_id == viewer.organisation_id, ActionItem.status.in_(UPDATE_STATUSES)))
    return {"round": update_round, "open_items": open_items} if open_items else None
