"""Administration: users and their roles. Admins get no extra right to read content."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import ROLES, Organisation, User

from .. import audit
from ..access import current_viewer, get_or_404, signed_in
from ..actions.exports import neutralise
from ..downloads import attachment, document_safe
from ..errors import ValidationFailed
from ..extensions import counts_as_download, db
from ..i18n import AMSTERDAM
from ..writes import transaction
from . import accounts as users_service
from . import audit_log, organisations
from .permissions import can_administer

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
    user = get_or_404(User, user_id)
    role = request.form.get("role", user.role)
    active = request.form.get("is_active", "1" if user.is_active else "0") == "1"
    if role not in ROLES:
        abort(400)
    try:
        with transaction():
            changes = users_service.change(db.session, current_app, signed_in(), user, role, active)
    except ValidationFailed as exc:
        for message in exc.fields.values():
            flash(message, "error")
        return redirect(url_for("admin.users"))
    if changes:
        flash(_("Gegevens van %(name)s zijn opgeslagen.", name=user.name), "success")
    return redirect(url_for("admin.users"))


@bp.get("/audit")
def audit_page():
    """Who did what, when, to which object; repeated refusals per user over the last 7 days."""
    filters = audit_log.Filters.from_args(request.args)
    rows, total = audit_log.page(db.session, filters)
    pages = max(1, -(-total // audit_log.PER_PAGE))
    since = datetime.now(UTC) - timedelta(days=7)
    return render_template("admin/audit.html", rows=rows, total=total, filters=filters, pages=pages, details=audit_log.details,
                           event_words=audit_log.event_words, users=audit_log.users(db.session),
                           denials=audit_log.denials(db.session, since))


@bp.get("/audit.csv")
@counts_as_download
def audit_csv():
    filters = audit_log.Filters.from_args(request.args)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["tijd", "gebruiker", "organisatie", "gebeurtenis", "object", "nummer", "details"])
    for event, user in audit_log.all_rows(db.session, filters):
        writer.writerow([neutralise(document_safe(v)) for v in (event.at.astimezone(AMSTERDAM).isoformat(timespec="seconds"), user.name if user else "",
                                                 event.organisation_code or "", event.action, event.entity_type or "",
                                                 event.entity_id if event.entity_id is not None else "", audit_log.details(event))])
    with transaction():
        audit.record("audit.exported", actor=signed_in(), entity_type="audit_events", filters=filters.as_args())
    return attachment(buffer.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8", "auditlog.csv")


@bp.get("/organisations")
def organisations_page():
    rows = db.session.scalars(select(Organisation).order_by(Organisation.code)).all()
    return render_template("admin/organisations.html", organisations=rows, preview=None, errors={}, values={})


@bp.post("/organisations")
@bp.post("/organisations/<int:org_id>")
def save_organisation(org_id: int | None = None):
    """A change that takes access away is shown with its effect first and saved only when confirmed."""
    actor = signed_in()
    org = (get_or_404(Organisation, org_id)) if org_id is not None else None
    values: dict = request.form.to_dict()
    mdt_member, active = bool(values.get("mdt_member")), bool(values.get("is_active"))
    values["is_active"] = active
    rows = db.session.scalars(select(Organisation).order_by(Organisation.code)).all()
    if org is not None and organisations.takes_access_away(org, mdt_member, active) and values.get("confirm") != "1":
        preview = {"org": org, "effect": organisations.effect(db.session, org, mdt_member, active), "form": values}
        return render_template("admin/organisations.html", organisations=rows, preview=preview, errors={}, values={})
    try:
        with transaction():
            saved, _consequence = organisations.save(db.session, actor, org, values, current_app)
    except ValidationFailed as exc:
        return render_template("admin/organisations.html", organisations=rows, preview=None, errors=exc.fields, values=values), 422
    flash(_("De organisatie %(code)s is opgeslagen.", code=saved.code), "success")
    return redirect(url_for("admin.organisations_page")), 303


@bp.app_context_processor
def _admin_rights() -> dict:
    return {"can_administer": can_administer(current_viewer())}
