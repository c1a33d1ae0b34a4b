"""Role and status changes of users, the same for the admin page and the API: audited; a deactivation ends the user's
sessions and revokes its tokens for good; an admin never takes away their own admin rights."""
from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from models import ROLES, User

from .. import audit
from ..auth.services import revoke_tokens_of
from ..errors import NotAllowed, ValidationFailed
from ..sessions import end_sessions_of
from .permissions import can_administer, may_change


def change(session: Session, app: Flask, actor: User, user: User, role: str, active: bool) -> dict:
    if not can_administer(actor):
        raise NotAllowed("admins only")
    if role not in ROLES:
        raise ValidationFailed({"role": _("Kies een bestaande rol.")})
    if not may_change(actor, user, role, active):
        raise ValidationFailed({"role": _("U kunt uw eigen beheerdersrechten niet intrekken.")})
    changes: dict[str, list] = {}
    if role != user.role:
        changes["role"] = [user.role, role]
        user.role = role
    if active != user.is_active:
        changes["is_active"] = [user.is_active, active]
        user.is_active = active
    if changes:
        audit.record("user.changed", session=session, actor=actor, entity_type="user", entity_id=user.id, **changes)
        if not active:
            end_sessions_of(app, user.id)
            revoked = revoke_tokens_of(session, user)
            if revoked:
                audit.record("token.revoked", session=session, actor=actor, entity_type="user", entity_id=user.id, count=revoked,
                             reason="deactivated")
    return changes
