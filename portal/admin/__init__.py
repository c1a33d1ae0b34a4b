"""Administration: users and their roles. Admins get no extra right to read content."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import ROLES, User

from .. import audit
from ..access import current_viewer
from ..auth.services import revoke_tokens_of
from ..extensions import db
from ..sessions import end_sessions_of
from .permissions import can_administer, may_change

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _admins_only():
    viewer = current_viewer()
    if viewer is not None and not can_administer(viewer):
        abort(403)


@bp.get("/users")
def users():
    rows = db.session.scalars(select(User).options(selectinload(User.organisation)).order_by(User.name)).all()
    return render_template("admin/users.html", users=rows, roles=ROLES)


@bp.post("/users/<int:user_id>")
def update_user(user_id: int):
    actor = current_viewer()
    user = db.session.get(User, user_id) or abort(404)
    role = request.form.get("role", user.role)
    active = request.form.get("is_active", "1" if user.is_active else "0") == "1"
    if role not in ROLES:
        abort(400)
    if not may_change(actor, user, role, active):
        flash("U kunt uw eigen beheerdersrechten niet intrekken.", "error")
        return redirect(url_for("admin.users"))
    changes = {}
    if role != user.role:
        changes["role"] = [user.role, role]
        user.role = role
    if active != user.is_active:
        changes["is_active"] = [user.is_active, active]
        user.is_active = active
    if changes:
        audit.record("user.changed", actor=actor, entity_type="user", entity_id=user.id, **changes)
        if not active:
            end_sessions_of(current_app, user.id)
            revoked = revoke_tokens_of(db.session, user)
            if revoked:
                audit.record("token.revoked", actor=actor, entity_type="user", entity_id=user.id, count=revoked,
                             reason="deactivated")
        db.session.commit()
        flash(f"Gegevens van {user.name} zijn opgeslagen.", "success")
    return redirect(url_for("admin.users"))


@bp.app_context_processor
def _admin_rights() -> dict:
    return {"can_administer": can_administer(current_viewer())}
