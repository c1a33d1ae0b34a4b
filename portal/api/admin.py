"""Admin twins of the admin pages: users and roles, organisations (with the effect of a change that takes access away)."""
from __future__ import annotations

from flask import current_app, jsonify
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from models import DisposalList, Organisation, User

from ..access import get_or_404, signed_in
from ..admin import accounts as user_service
from ..admin import organisations as organisation_service
from ..admin.permissions import can_administer
from ..extensions import db
from ..records import disposal
from . import bp
from .bodies_content import OrganisationChange, OrganisationCreate, UserChange
from .helpers import body_of, service_call
from .schemas import ApiError


def _admin():
    viewer = signed_in()
    if not can_administer(viewer):
        raise ApiError(403, "forbidden", _("Alleen beheerders."))
    return viewer


def _user_json(u: User) -> dict:
    return {"id": u.id, "name": u.name, "email": u.email, "organisation": u.organisation.code, "role": u.role, "is_active": u.is_active}


@bp.get("/users")
def list_users():
    _admin()
    return jsonify([_user_json(u) for u in db.session.scalars(select(User).options(joinedload(User.organisation)).order_by(User.name))])


@bp.patch("/users/<int:user_id>")
def change_user(user_id: int):
    actor = _admin()
    user = get_or_404(User, user_id)
    body = body_of(UserChange)
    with service_call(_("Alleen beheerders.")):
        user_service.change(db.session, current_app, actor, user, body.get("role", user.role), body.get("is_active", user.is_active))
    return jsonify(_user_json(user))


def _org_json(o: Organisation) -> dict:
    return {"code": o.code, "name": o.name, "mdt_member": o.is_mdt_member, "active": o.is_active, "kind": o.kind}


@bp.post("/organisations")
def create_organisation():
    actor = _admin()
    body = body_of(OrganisationCreate)
    with service_call(_("Alleen beheerders.")):
        org, _effect = organisation_service.save(db.session, actor, None, {"code": body.get("code"), "name": body.get("name"),
                                                                          "mdt_member": body.get("mdt_member", False),
                                                                          "is_active": body.get("active", True), "kind": body.get("kind")})
    return jsonify(_org_json(org)), 201


@bp.patch("/organisations/<code>")
def change_organisation(code: str):
    """A change that takes access away needs `"confirm": true`; without it the answer is 409 with the effect."""
    actor = _admin()
    org = get_or_404(Organisation, Organisation.code == code)
    body = body_of(OrganisationChange)
    mdt_member, active = body.get("mdt_member", org.is_mdt_member), body.get("active", org.is_active)
    if organisation_service.takes_access_away(org, mdt_member, active) and not body.get("confirm"):
        effect = organisation_service.effect(db.session, org, mdt_member, active)
        response = jsonify({"error": {"code": "confirm_required", "message": _("Deze wijziging neemt toegang weg; stuur confirm: true."),
                                      "fields": {}}, "effect": effect})
        response.status_code = 409
        return response
    with service_call(_("Alleen beheerders.")):
        org, effect = organisation_service.save(db.session, actor, org, {"name": body.get("name", org.name), "mdt_member": mdt_member,
                                                                          "is_active": active}, current_app)
    return jsonify({**_org_json(org), "effect": effect})


def _list_json(d: DisposalList) -> dict:
    """What a disposal list holds: kind, number and date of each record, never its content."""
    return {"id": d.id, "status": d.status, "before": d.before.isoformat(),
            "records": [{"kind": r["kind"], "id": r["id"], "finished": r["finished"]} for r in d.records]}


@bp.get("/disposal-lists")
def list_disposal_lists():
    _admin()
    return jsonify([_list_json(d) for d in db.session.scalars(select(DisposalList).order_by(DisposalList.id.desc()))])


@bp.post("/disposal-lists/<int:list_id>/approve")
def approve_disposal_list(list_id: int):
    """An admin approves a proposed list; only then may `flask portal dispose <id>` carry it out. 409 when not proposed."""
    actor = _admin()
    proposal = get_or_404(DisposalList, list_id)
    try:
        with service_call(_("Alleen beheerders.")):
            disposal.approve(db.session, actor, proposal)
    except disposal.NotApproved:
        raise ApiError(409, "conflict", _("Deze lijst is al goedgekeurd of uitgevoerd.")) from None
    return jsonify(_list_json(proposal))
