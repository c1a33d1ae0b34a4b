"""Administration: users and their roles. Admins get no extra right to read content."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import ROLES, User

from .. import audit
from ..access import current_viewer
from ..actions.exports import neutralise
from ..auth.services import revoke_tokens_of
from ..downloads import attachment
from ..extensions import counts_as_download, db
from ..i18n import AMSTERDAM
from ..sessions import end_sessions_of
from . import audit_log
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


@bp.get("/audit")
def audit_page():
    """Who did what, when, to which object; repeated refusals per user over the last 7 days."""
    filters = audit_log.Filters.from_args(request.args)
    rows, total = audit_log.page(db.session, filters)
    pages = max(1, -(-total // audit_log.PER_PAGE))
    since = datetime.now(UTC) - timedelta(days=7)
    return render_template("admin/audit.html", rows=rows, total=total, filters=filters, pages=pages,
                           details=audit_log.details, denials=audit_log.denials(db.session, since))


@bp.get("/audit.csv")
@counts_as_download
def audit_csv():
    filters = audit_log.Filters.from_args(request.args)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["tijd", "gebruiker", "organisatie", "gebeurtenis", "object", "nummer", "details"])
    for event, user in audit_log.all_rows(db.session, filters):
        writer.writerow([neutralise(v) for v in (event.at.astimezone(AMSTERDAM).isoformat(timespec="seconds"), user.name if user else "",
                                                 event.organisation_code or "", event.action, event.entity_type or "",
                                                 event.entity_id if event.entity_id is not None else "", audit_log.details(event))])
    audit.record("audit.exported", actor=current_viewer(), entity_type="audit_events", filters=filters.as_args())
    db.session.commit()
    return attachment(buffer.getvalue().encode("utf-8-sig"), "text/csv", "auditlog.csv")


@bp.app_context_processor
def _admin_rights() -> dict:
    return {"can_administer": can_administer(current_viewer())}
