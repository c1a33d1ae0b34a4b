"""Due and overdue reminders: one e-mail per person, each item at most once a day per person."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from models import UPDATE_STATUSES, ActionItem, ReminderLog, User, is_late

from .. import mail
from ..i18n import long_date
from .permissions import can_view

WINDOW_DAYS = 7


def _recipients(session: Session, item: ActionItem) -> list[User]:
    if item.assignee is not None and item.assignee.is_active:
        return [item.assignee]
    return list(session.scalars(select(User).where(User.organisation_id == item.owner_organisation_id,
                                                   User.is_active.is_(True), User.role.in_(("member", "coordinator")),
                                                   User.email.is_not(None))))


def send_reminders(session: Session, today: date, smtp_url: str | None, base_url: str) -> dict[str, int]:
    items = session.scalars(
        select(ActionItem).where(ActionItem.status.in_(UPDATE_STATUSES), ActionItem.due_date.is_not(None),
                                 ActionItem.due_date <= today + timedelta(days=WINDOW_DAYS))
        .order_by(ActionItem.due_date, ActionItem.id)
        .options(selectinload(ActionItem.assignee), selectinload(ActionItem.shared_with))
    ).all()
    per_user: dict[int, tuple[User, list[ActionItem]]] = {}
    for item in items:
        for user in _recipients(session, item):
            if not user.email or not can_view(user, item):
                continue
            # The unique (item, user, day) row is the once-a-day guarantee, also across processes.
            try:
                with session.begin_nested():
                    session.add(ReminderLog(action_item_id=item.id, user_id=user.id, sent_on=today))
            except IntegrityError:
                continue
            per_user.setdefault(user.id, (user, []))[1].append(item)
    session.commit()
    sent = 0
    for user, user_items in per_user.values():
        lines = [f"Beste {user.name},", "", "Deze acties in het MDT-portaal vragen uw aandacht:", ""]
        for item in user_items:
            state = "te laat" if is_late(item.due_date, item.status, today) else "deadline nadert"
            lines.append(f"- {item.title} ({state}: {long_date(item.due_date, 'nl')})")
            lines.append(f"  {base_url}/actions/{item.id}")
        lines += ["", "Werk de voortgang bij in het portaal, of pas de deadline aan als die niet meer klopt.", "",
                  "Met vriendelijke groet,", "MDT-portaal mensensmokkel"]
        overdue = sum(1 for i in user_items if is_late(i.due_date, i.status, today))
        subject = f"MDT-portaal: {len(user_items)} {'actie vraagt' if len(user_items) == 1 else 'acties vragen'} uw aandacht"
        if overdue:
            subject += f" ({overdue} te laat)"
        mail.send(smtp_url, user.email or "", subject, "\n".join(lines))
        sent += 1
    return {"emails": sent, "items": sum(len(v[1]) for v in per_user.values())}
