"""Administration: users and roles. Admins get no extra right to read content (that is the visibility rule)."""
from __future__ import annotations

from models import User


def can_administer(user: User | None) -> bool:
    return user is not None and user.is_active and user.role == "admin"


def may_change(actor: User, target: User, role: str, active: bool) -> bool:
    """An admin never takes away their own admin rights (someone must be left to undo a mistake)."""
    return not (target.id == actor.id and (role != "admin" or not active))
