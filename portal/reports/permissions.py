"""Who may make reports, write and approve their narratives, and run update rounds. What a report shows is the
visibility rule on its frozen rows (reports.services.visible_rows); these are the rights to act."""
from __future__ import annotations

from typing import TypeGuard

from models import User


def _active(user: User | None) -> TypeGuard[User]:
    return user is not None and user.is_active


def can_manage_reports(user: User | None) -> bool:
    """Create reports, approve narratives, open and close update rounds: coordinators."""
    return _active(user) and user.role == "coordinator"


def can_write_narrative(user: User | None) -> bool:
    """Members and coordinators write their own organisation's texts (whose text it is: portal.audience)."""
    return _active(user) and user.role in ("member", "coordinator")


def edits_keep_approval(user: User | None) -> bool:
    """A coordinator's edit keeps a narrative approved; anyone else's sends it back to draft."""
    return can_manage_reports(user)


def sees_round_banner(user: User | None) -> TypeGuard[User]:
    return _active(user) and user.role != "reader"
