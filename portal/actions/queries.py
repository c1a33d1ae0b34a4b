"""Reads of action items, always filtered by what the viewer may see."""
from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from models import ActionItem, User

from .permissions import visible_clause


def visible_items(user: User | None) -> Select:
    return (
        select(ActionItem)
        .where(visible_clause(user))
        .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)
        .options(
            selectinload(ActionItem.owner_organisation),
            selectinload(ActionItem.recommendations),
            selectinload(ActionItem.shared_with),
            selectinload(ActionItem.contributing_organisations),
            selectinload(ActionItem.focus_area),
        )
    )


def count_visible(user: User | None) -> Select:
    return select(func.count()).select_from(ActionItem).where(visible_clause(user))
