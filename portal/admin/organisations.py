"""Organisations kept by admins: name, code, MDT membership, active. Before a change that takes access away is saved,
the admin sees what it does (who loses what); every change is audited with its effect."""
from __future__ import annotations

import re

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import ORGANISATION_KINDS, ActionItem, Meeting, Organisation, User, action_item_shares, meeting_shares

from .. import audit, limits
from ..errors import ValidationFailed
from ..sessions import end_sessions_of


def effect(session: Session, org: Organisation, mdt_member: bool, active: bool) -> dict:
    """What the change would do: users signed out, and the MDT-only items and meetings of other organisations its users
    would no longer see (those not shared with it by name)."""
    users = session.scalar(select(func.count()).select_from(User).where(User.organisation_id == org.id, User.is_active.is_(True))) or 0
    out = {"users": users, "items": 0, "meetings": 0, "signed_out": users if (org.is_active and not active) else 0}
    if org.is_mdt_member and not mdt_member:
        out["items"] = session.scalar(select(func.count()).select_from(ActionItem).where(
            ActionItem.visibility == "mdt", ActionItem.owner_organisation_id != org.id,
            ~ActionItem.id.in_(select(action_item_shares.c.action_item_id).where(action_item_shares.c.organisation_id == org.id))
        )) or 0
        out["meetings"] = session.scalar(select(func.count()).select_from(Meeting).where(
            Meeting.visibility == "mdt", Meeting.owner_organisation_id != org.id,
            ~Meeting.id.in_(select(meeting_shares.c.meeting_id).where(meeting_shares.c.organisation_id == org.id))
        )) or 0
    return out


def takes_access_away(org: Organisation, mdt_member: bool, active: bool) -> bool:
    return (org.is_mdt_member and not mdt_member) or (org.is_active and not active)


def save(session: Session, actor: User, org: Organisation | None, data: dict, app: Flask | None = None) -> tuple[Organisation, dict]:
    """Create (org None; code, name, kind) or change (name, MDT membership, active). Returns the organisation and the effect.
    Deactivating ends the sessions of the organisation's users (`app`: whose session store). An extern organisation
    (an issuer or producer that never signs in) is never an MDT member; its kind is chosen once, at creation."""
    fields: dict[str, str] = {}
    name = (data.get("name") or "").strip()
    if not name or len(name) > limits.NAME:
        fields["name"] = str(_l("Vul een naam in van hoogstens %(max)d tekens.", max=limits.NAME))
    mdt_member, active = bool(data.get("mdt_member")), bool(data.get("is_active", True))
    kind = org.kind if org is not None else (data.get("kind") or "partner")
    if kind not in ORGANISATION_KINDS:
        fields["kind"] = str(_l("Kies partner of extern."))
    elif kind == "extern" and mdt_member:
        fields["mdt_member"] = str(_l("Een externe organisatie is geen lid van het MDT."))
    code = _new_code(session, fields, data) if org is None else org.code
    if fields:
        raise ValidationFailed(fields)
    if org is None:
        org = Organisation(code=code, name=name, is_mdt_member=mdt_member, is_active=active, kind=kind)
        session.add(org)
        session.flush()
        audit.record("organisation.created", session=session, actor=actor, entity_type="organisation", entity_id=org.id,
                     code=org.code, name=name, mdt_member=mdt_member, active=active, kind=kind)
        return org, {"users": 0, "items": 0, "meetings": 0, "signed_out": 0}
    return org, _change(session, actor, org, name, mdt_member, active, app)


def _new_code(session: Session, fields: dict[str, str], data: dict) -> str:
    code = (data.get("code") or "").strip().upper()
    if not re.fullmatch(r"[A-Z0-9]{2,16}", code):
        fields["code"] = str(_l("Een code is 2 tot 16 hoofdletters of cijfers, bijvoorbeeld KMAR."))
    elif session.scalars(select(Organisation.id).where(Organisation.code == code)).first() is not None:
        fields["code"] = str(_l("Deze code bestaat al."))
    return code


def _change(session: Session, actor: User, org: Organisation, name: str, mdt_member: bool, active: bool, app: Flask | None) -> dict:
    """Name, MDT membership and active, audited with their effect; deactivating ends the users' sessions."""
    consequence = effect(session, org, mdt_member, active)
    before = {"name": org.name, "mdt_member": org.is_mdt_member, "active": org.is_active}
    org.name, org.is_mdt_member, org.is_active = name, mdt_member, active
    session.flush()
    audit.record("organisation.changed", session=session, actor=actor, entity_type="organisation", entity_id=org.id, code=org.code,
                 before=before, after={"name": name, "mdt_member": mdt_member, "active": active}, effect=consequence)
    if consequence["signed_out"] and app is not None:
        for user_id in session.scalars(select(User.id).where(User.organisation_id == org.id)):
            end_sessions_of(app, user_id)
    return consequence
