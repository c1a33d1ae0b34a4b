"""Who may see an indicator (restricted like an item), enter or correct its figures, and restrict it."""
from __future__ import annotations

from models import Indicator, User

from .. import audience
from ..visibility import can_view_indicator


def can_view(user: User | None, indicator: Indicator) -> bool:
    return can_view_indicator(user, indicator)


def can_enter(user: User | None, indicator: Indicator) -> bool:
    """Coordinators who can see it, and members of the producing organisation."""
    if user is None or not user.is_active or not can_view(user, indicator):
        return False
    return user.role == "coordinator" or (user.role == "member" and user.organisation_id == indicator.owner_organisation_id)


def can_restrict(user: User | None, indicator: Indicator) -> bool:
    """Who may see an indicator is the owner organisation's choice (contract rule 3, portal.audience)."""
    return audience.may_decide(user, indicator)


def can_import(user: User | None) -> bool:
    """Bulk imports: coordinators and members (each line is checked with can_enter)."""
    return user is not None and user.is_active and user.role in ("member", "coordinator")
