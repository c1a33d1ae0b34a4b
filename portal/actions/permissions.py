"""Who may see and change an action item: the one rule, as Python and as SQL.

Visibility (contract): organisation -> owner organisation only; partners ->
owner + shared_with; mdt and public -> every signed-in user. No role widens
what a user may see; admins get no extra right to read content.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select

from models import ActionItem, User, action_item_shares

OPEN_TO_ALL = ("mdt", "public")


def can_view(user: User | None, item: ActionItem) -> bool:
    if user is None or not user.is_active:
        return False
    if item.visibility in OPEN_TO_ALL:
        return True
    if item.owner_organisation_id == user.organisation_id:
        return True
    if item.visibility == "partners":
        return any(org.id == user.organisation_id for org in item.shared_with)
    return False


def visible_clause(user: User | None) -> ColumnElement[bool]:
    """The same rule as can_view, for WHERE clauses of every list, count, search and export."""
    if user is None or not user.is_active:
        return false()
    shared_with_me = select(action_item_shares.c.action_item_id).where(
        action_item_shares.c.organisation_id == user.organisation_id
    )
    return or_(
        ActionItem.visibility.in_(OPEN_TO_ALL),
        ActionItem.owner_organisation_id == user.organisation_id,
        and_(ActionItem.visibility == "partners", ActionItem.id.in_(shared_with_me)),
    )


def can_edit(user: User | None, item: ActionItem) -> bool:
    """Members edit what their organisation owns or contributes to; coordinators what they can see."""
    if not can_view(user, item) or user.role == "reader":
        return False
    if user.role == "coordinator":
        return True
    involved = {item.owner_organisation_id} | {o.id for o in item.contributing_organisations}
    return user.organisation_id in involved
