"""Who may enter measured figures for an indicator: coordinators, and members of the producing organisation."""
from __future__ import annotations

from models import Indicator, User


def can_enter(user: User | None, indicator: Indicator) -> bool:
    if user is None or not user.is_active:
        return False
    return user.role == "coordinator" or (user.role == "member" and user.organisation_id == indicator.owner_organisation_id)
