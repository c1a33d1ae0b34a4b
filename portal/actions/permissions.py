"""Who may see and change an action item: the one rule, as Python and as SQL.

Visibility: portal/visibility.py (mdt means the MDT member organisations only).
No role widens what a user may see; admins get no extra right to read content.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, select

from models import ActionItem, User, action_item_shares

from ..visibility import can_view_record, clause


def can_view(user: User | None, item: ActionItem) -> bool:
    return can_view_record(user, item)


def _shared_with(org_id: int):
    return select(action_item_shares.c.action_item_id).where(action_item_shares.c.organisation_id == org_id)


def visible_clause(user: User | None) -> ColumnElement[bool]:
    """The same rule as can_view, for WHERE clauses of every list, count, search and export."""
    return clause(user, ActionItem.visibility, ActionItem.owner_organisation_id, ActionItem.id, _shared_with)


def can_edit(user: User | None, item: ActionItem) -> bool:
    """Members edit what their organisation owns or contributes to; coordinators what they can see."""
    if not can_view(user, item) or user.role == "reader":
        return False
    if user.role == "coordinator":
        return True
    involved = {item.owner_organisation_id} | {o.id for o in item.contributing_organisations}
    return user.organisation_id in involved
