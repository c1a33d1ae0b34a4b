"""Who may change the framework's weights. Its roll-ups count what the viewer may see (actions.permissions)."""
from __future__ import annotations

from models import User


def can_weigh(user: User | None) -> bool:
    return user is not None and user.is_active and user.role == "coordinator"
