"""What search may return: the same rules as every other surface, as SQL (items, their updates and comments by the
item's visibility; minutes only where the viewer may read them)."""
from __future__ import annotations

from models import User

from ..actions.permissions import visible_clause as items_clause
from ..meetings.permissions import restricted_minutes_clause as minutes_clause

__all__ = ["can_search", "items_clause", "minutes_clause"]


def can_search(user: User | None) -> bool:
    return user is not None and user.is_active
