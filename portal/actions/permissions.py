"""Who may see and change an action item: the one rule, as Python and as SQL.

Visibility: portal/visibility.py (mdt means the MDT member organisations only).
No role widens what a user may see; admins get no extra right to read content.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, select

from models import ActionItem, User, action_item_shares

from ..visibility import ViewerScope, can_view_record, clause


def can_view(user: User | None, item: ActionItem) -> bool:
    return can_view_record(user, item)


def _shared_with(org_id: int):
    return select(action_item_shares.c.action_item_id).where(action_item_shares.c.organisation_id == org_id)


def visible_clause(user: User | ViewerScope | None, per_row: bool = False) -> ColumnElement[bool]:
    """The same rule as can_view, for WHERE clauses of every list, count, search and export (per_row: see visibility.clause)."""
    return clause(user, ActionItem.visibility, ActionItem.owner_organisation_id, ActionItem.id, _shared_with, per_row)


def can_edit(user: User | None, item: ActionItem) -> bool:
    """Members edit what their organisation owns or contributes to; coordinators what they can see."""
    if user is None or not can_view(user, item) or user.role == "reader":
        return False
    if user.role == "coordinator":
        return True
    involved = {item.owner_organisation_id} | {o.id for o in item.contributing_organisations}
    return user.organisation_id in involved


def can_create(user: User | None) -> bool:
    """Members and coordinators create items (members for their own organisation, see services)."""
    return user is not None and user.is_active and user.role != "reader"


def can_choose_owner(user: User | None) -> bool:
    """Coordinators may create an item for another organisation (as long as they can still see it)."""
    return user is not None and user.is_active and user.role == "coordinator"


def can_comment(user: User | None, item: ActionItem) -> bool:
    return can_create(user) and can_view(user, item)


def is_owner_side(user: User | None, item: ActionItem) -> bool:
    """Closing and cancelling belong to the owner organisation (and coordinators)."""
    return user is not None and can_edit(user, item) and (user.role == "coordinator" or user.organisation_id == item.owner_organisation_id)


def can_request_closure(user: User | None, item: ActionItem) -> bool:
    """The first key (contract): the owner organisation only, its members and coordinators."""
    return user is not None and can_edit(user, item) and user.organisation_id == item.owner_organisation_id


def can_confirm(user: User | None, item: ActionItem, requester_id: int | None) -> bool:
    """The second key: a coordinator who may see the item and did not request the closure (four eyes)."""
    return user is not None and can_review_closure(user, item) and item.closure_state == "requested" and requester_id != user.id


def can_review_closure(user: User | None, item: ActionItem) -> bool:
    """Confirming or sending back a closure: coordinators who may see the item."""
    return user is not None and user.role == "coordinator" and can_view(user, item)
