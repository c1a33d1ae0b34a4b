"""API endpoints. Anything the caller may not see is 404, never 403."""
from __future__ import annotations

import secrets
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from flask import abort, g, jsonify, request, url_for
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from models import AccessToken, ActionItem, AuditEvent, Meeting, Organisation

from .. import audit
from ..access import audit_denial_later, current_viewer, get_or_404, hash_token
from ..actions import queries as action_queries
from ..actions import services
from ..actions.permissions import visible_clause
from ..errors import Locked, NotAllowed, ValidationFailed, VersionConflict, VersionMissing
from ..extensions import counts_as_download, db
from . import bp
from .openapi import document
from .schemas import ITEM_TYPES, MEETING_TYPES, ApiError, api_error, check_types, item_json, token_json

MAX_PER_PAGE = 100
MAX_DEPTH = 5


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return api_error(exc.status, exc.code, exc.message, exc.fields)


@bp.errorhandler(VersionConflict)
def _stale(exc: VersionConflict):
    """412 with the current item, so the client can merge; the conflict's audit event is kept."""
    db.session.commit()
    db.session.refresh(exc.item)
    return _item_response(exc.item, 412)


@contextmanager
def service_call(forbidden: str):
    """One service call in one transaction: 403 when not allowed, 422 with the fields when invalid."""
    try:
        yield
        db.session.commit()
    except NotAllowed:
        db.session.rollback()
        raise ApiError(403, "forbidden", forbidden) from None
    except Locked as exc:
        db.session.rollback()
        raise ApiError(409, "locked", "Dit verslag is vastgesteld en verandert niet meer.", exc.fields) from None
    except VersionMissing:
        db.session.rollback()
        raise ApiError(428, "precondition_required", IF_MATCH_MISSING) from None
    except ValidationFailed as exc:
        db.session.rollback()
        raise ApiError(422, "validation_failed", "Controleer de velden.", exc.fields) from None


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


@bp.get("/me")
def me():
    user = current_viewer()
    return jsonify(id=user.id, name=user.name, email=user.email, organisation=user.organisation.code,
                   role=user.role, csrf_token=generate_csrf())


@bp.get("/organisations")
def organisations():
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.code)).all()
    return jsonify([{"code": o.code, "name": o.name, "mdt_member": o.is_mdt_member} for o in orgs])


@bp.get("/tokens")
def list_tokens():
    tokens = db.session.scalars(
        select(AccessToken).where(AccessToken.user_id == current_viewer().id, AccessToken.revoked_at.is_(None))
        .order_by(AccessToken.id)
    ).all()
    return jsonify([token_json(t) for t in tokens])


@bp.post("/tokens")
def create_token():
    if g.get("token_auth"):
        # Rule 8: a token cannot mint tokens (which would outlive it); sign in to make one.
        return api_error(403, "forbidden", "Een toegangstoken kan geen nieuwe tokens maken. Log in om een token te maken.")
    if not request.is_json:
        return api_error(415, "unsupported_media_type", "Stuur JSON (Content-Type: application/json).")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return api_error(400, "bad_request", "De inhoud is geen geldig JSON-object.")
    name = body.get("name")
    days = body.get("expires_in_days", 90)
    fields = {}
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 100:
        fields["name"] = "Geef een naam van 1 tot 100 tekens."
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 366:
        fields["expires_in_days"] = "Kies een geldigheid van 1 tot 366 dagen."
    if fields:
        return api_error(422, "validation_failed", "Controleer de velden.", fields)
    user = current_viewer()
    secret = "mdt_" + secrets.token_urlsafe(32)
    token = AccessToken(user_id=user.id, name=name.strip(), prefix=secret[:10], token_hash=hash_token(secret),
                        expires_at=datetime.now(UTC) + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    audit.record("token.created", actor=user, entity_type="access_token", entity_id=token.id, name=token.name)
    db.session.commit()
    # The secret is shown this once; only its hash is stored.
    response = jsonify({**token_json(token), "token": secret})
    response.status_code = 201
    response.headers["Location"] = url_for("api.list_tokens") + f"/{token.id}"
    return response


@bp.delete("/tokens/<int:token_id>")
def revoke_token(token_id: int):
    user = current_viewer()
    token = db.session.get(AccessToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        abort(404)
    token.revoked_at = datetime.now(UTC)
    audit.record("token.revoked", actor=user, entity_type="access_token", entity_id=token.id)
    db.session.commit()
    return "", 204


def _json_body() -> dict:
    """The request's JSON object, bounded in depth; anything else is a clean 4xx."""
    if not request.is_json:
        abort(415)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "De inhoud is geen geldig JSON-object.")
    if _depth(body) > MAX_DEPTH:
        raise ApiError(400, "bad_request", f"Het JSON-object is te diep genest (hoogstens {MAX_DEPTH}).")
    return body


def _depth(value, level: int = 1) -> int:
    if isinstance(value, dict):
        return max([_depth(v, level + 1) for v in value.values()] or [level])
    if isinstance(value, list):
        return max([_depth(v, level + 1) for v in value] or [level])
    return level


IF_MATCH_MISSING = "Stuur de header If-Match met de versie (ETag) waarop uw wijziging is gebaseerd."


def _if_match(required: bool = True) -> int | None:
    """The version a write is based on (action items and meetings alike): 428 without, 400 when malformed.
    With required=False a missing header is None, for the service to decide (after it has checked visibility)."""
    header = request.headers.get("If-Match")
    if not header:
        if not required:
            return None
        raise ApiError(428, "precondition_required", IF_MATCH_MISSING)
    value = header.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise ApiError(400, "bad_request", "If-Match moet een versie zijn, bijvoorbeeld \"3\".")
    return int(value)


def _item_response(item: ActionItem, status: int = 200):
    response = jsonify(item_json(item))
    response.status_code = status
    response.headers["ETag"] = f'"{item.version}"'
    return response


ITEM_FIELDS = {"title", "description", "recommendation_ids", "focus_area", "owner_organisation",
               "contributing_organisations", "assignee_id", "due_date", "visibility", "shared_with"}
READ_ONLY = {"id", "version", "created_at", "updated_at", "status", "progress", "meeting_id"}


def _refuse_unknown(body: dict, allowed: set[str], read_only: set[str] = frozenset()) -> None:
    """422 naming every field the endpoint does not take (read-only fields say so)."""
    unknown = set(body) - allowed
    if unknown:
        fields = {k: ("Dit veld kan niet worden gewijzigd." if k in read_only else "Onbekend veld.") for k in sorted(unknown)}
        raise ApiError(422, "validation_failed", "Controleer de velden.", fields)


def _item_data(body: dict) -> dict:
    _refuse_unknown(body, ITEM_FIELDS, READ_ONLY)
    check_types(body, ITEM_TYPES)
    data = dict(body)
    if "due_date" in data and data["due_date"] is not None:
        try:
            data["due_date"] = date.fromisoformat(data["due_date"]) if isinstance(data["due_date"], str) else object()
        except ValueError:
            data["due_date"] = object()  # the service reports it as an invalid date
    return data


@bp.get("/action-items")
def list_action_items():
    viewer = current_viewer()
    page = request.args.get("page", 1, type=int) or 1
    per_page = request.args.get("per_page", 25, type=int) or 25
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        return api_error(400, "bad_request", f"page moet >= 1 zijn en per_page tussen 1 en {MAX_PER_PAGE}.")
    filters = action_queries.Filters.from_args(request.args)
    if filters.errors:
        return api_error(400, "bad_request", "Controleer de filters.", filters.errors)
    items, total = action_queries.page_of(viewer, filters, page, per_page, full=True)
    return jsonify(items=[item_json(i) for i in items], total=total, page=page, per_page=per_page)


@bp.post("/action-items")
def create_action_item():
    viewer = current_viewer()
    data = _item_data(_json_body())
    key = request.headers.get("Idempotency-Key")
    with service_call("U mag geen acties aanmaken."):
        item, created = services.create_item(db.session, viewer, data, key)
    response = _item_response(item, 201 if created else 200)
    response.headers["Location"] = url_for("api.get_action_item", item_id=item.id)
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.get("/action-items/<int:item_id>")
def get_action_item(item_id: int):
    return _item_response(get_or_404(ActionItem, item_id, visible=visible_clause))


@bp.patch("/action-items/<int:item_id>")
def patch_action_item(item_id: int):
    viewer = current_viewer()
    item = get_or_404(ActionItem, item_id, visible=visible_clause)
    base = _if_match()
    data = _item_data(_json_body())
    with service_call("U mag deze actie niet wijzigen."):
        services.update_item(db.session, viewer, item, base, data)
    return _item_response(item)


@bp.post("/action-items/<int:item_id>/updates")
def post_update(item_id: int):
    viewer = current_viewer()
    item = get_or_404(ActionItem, item_id, visible=visible_clause)
    base = _if_match()
    body = _json_body()
    _refuse_unknown(body, {"note", "status", "progress"})
    with service_call("U mag deze actie niet bijwerken."):
        entry = services.add_update(db.session, viewer, item, base, body.get("note"), body.get("status"), body.get("progress"))
    response = _item_response(item, 201)
    response.headers["Location"] = url_for("api.item_history", item_id=item.id) + f"#{entry.id}"
    return response


@bp.get("/action-items/<int:item_id>/history")
def item_history(item_id: int):
    item = get_or_404(ActionItem, item_id, visible=visible_clause)
    updates = db.session.scalars(action_queries.history(item)).all()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "action_item", AuditEvent.entity_id == item.id)
                                .order_by(AuditEvent.at, AuditEvent.id)).all()
    return jsonify(
        updates=[{"id": u.id, "recorded_at": u.recorded_at.isoformat(), "author_id": u.author_id, "kind": u.kind,
                  "note": u.note, "status": u.status, "progress": u.progress,
                  "due_date": u.due_date.isoformat() if u.due_date else None} for u in reversed(updates)],
        events=[{"id": e.id, "at": e.at.isoformat(), "actor_id": e.actor_id, "organisation": e.organisation_code,
                 "action": e.action, "diff": {k: v for k, v in e.diff.items() if k != "ip"}} for e in events],
    )


def _linked_items(rec_ids) -> dict[int, list[int]]:
    """Visible action items per recommendation, in one query."""
    from models import action_item_recommendations as link

    rows = db.session.execute(
        select(link.c.recommendation_id, link.c.action_item_id)
        .join(ActionItem, ActionItem.id == link.c.action_item_id)
        .where(link.c.recommendation_id.in_(rec_ids), visible_clause(current_viewer()))
    ).all()
    linked: dict[int, list[int]] = {}
    for rec_id, item_id in rows:
        linked.setdefault(rec_id, []).append(item_id)
    return linked


def _rec_json(rec, linked: dict[int, list[int]]) -> dict:
    return {"id": rec.id, "number": rec.number, "text": rec.text, "response": rec.response,
            "source": {"key": rec.source.key, "title": rec.source.title, "year": rec.source.year},
            "addressee": rec.addressee.code if rec.addressee else None,
            "focus_areas": [a.code for a in rec.focus_areas], "action_item_ids": sorted(linked.get(rec.id, []))}


@bp.get("/recommendations")
def list_recommendations():
    from ..framework import queries as fq

    recs = db.session.scalars(fq.recommendations()).all()
    linked = _linked_items([r.id for r in recs])
    return jsonify([_rec_json(r, linked) for r in recs])


@bp.get("/recommendations/<int:rec_id>")
def get_recommendation(rec_id: int):
    from models import Recommendation

    rec = db.session.get(Recommendation, rec_id) or abort(404)
    return jsonify(_rec_json(rec, _linked_items([rec.id])))


@bp.get("/focus-areas")
def focus_areas():
    from ..framework import queries as fq

    out = []
    for framework in db.session.scalars(fq.frameworks()).all():
        for area in framework.focus_areas:
            out.append({"code": area.code, "title": area.title, "framework": framework.key,
                        "commitments": [{"id": c.id, "position": c.position, "text": c.text} for c in area.commitments]})
    return jsonify(out)


@bp.get("/search")
def api_search():
    from ..search.queries import search

    q = request.args.get("q", "").strip()[:200]
    if not q:
        raise ApiError(400, "bad_request", "Geef een zoekterm mee met ?q=.")
    found = search(current_viewer(), q)
    return jsonify(items=[{**item_json(i), "matched_in": sorted(found.reasons[i.id])} for i in found.items],
                   recommendations=[{"id": r.id, "source": r.source.key, "number": r.number, "text": r.text}
                                    for r in found.recommendations],
                   minutes=[{"meeting_id": m.id, "agenda_item_id": a.id, "title": a.title} for a, m in found.minutes])


# -- indicators and reports -------------------------------------------------------------

def _indicator_json(indicator) -> dict:
    def num(v):
        return None if v is None else (int(v) if v == v.to_integral_value() else float(v))
    return {"key": indicator.key, "title": indicator.title, "unit": indicator.unit, "owner": indicator.owner_organisation.code,
            "direction": indicator.direction, "baseline": num(indicator.baseline_value), "baseline_year": indicator.baseline_year,
            "target": num(indicator.target_value), "target_year": indicator.target_year,
            "measurements": [{"period": m.period, "value": num(m.value), "source": m.source_text or (m.source.key if m.source else None),
                              "note": m.note} for m in indicator.measurements]}


@bp.get("/indicators")
def list_indicators():
    from sqlalchemy.orm import selectinload

    from models import Indicator, Measurement

    indicators = db.session.scalars(select(Indicator).order_by(Indicator.key).options(
        selectinload(Indicator.owner_organisation), selectinload(Indicator.measurements).selectinload(Measurement.source))).all()
    return jsonify([_indicator_json(i) for i in indicators])


@bp.post("/indicators/<key>/measurements")
def add_measurement(key: str):
    from models import Indicator

    from ..indicators import services as indicator_services

    indicator = db.session.scalars(select(Indicator).where(Indicator.key == key)).one_or_none() or abort(404)
    body = _json_body()
    _refuse_unknown(body, {"period", "value", "source", "note"})
    value = body.get("value")
    if isinstance(value, bool) or not (value is None or isinstance(value, (int, float, str))):
        raise ApiError(422, "validation_failed", "Controleer de velden.", {"value": "Geef een getal, of null voor niet beschikbaar."})
    text = "" if value is None else (str(value).replace(".", ",") if isinstance(value, float) else str(value))
    with service_call("U mag voor deze indicator geen cijfers invoeren."):
        indicator_services.add_measurement(db.session, current_viewer(), indicator, str(body.get("period") or ""), text,
                                           str(body.get("source") or ""), str(body.get("note") or ""))
    db.session.refresh(indicator)
    response = jsonify(_indicator_json(indicator))
    response.status_code = 201
    return response


def _report_json(report, full: bool) -> dict:
    from ..reports import services as report_services
    from ..reports import snapshot as snap

    out = {"id": report.id, "title": report.title, "as_of": report.as_of.isoformat(), "created_at": report.created_at.isoformat(),
           "created_by": report.created_by_id, "previous_report_id": report.previous_report_id}
    if full:
        rows = report_services.visible_rows(db.session, report, current_viewer())
        summary = snap.summarise(report.snapshot, rows)
        out["summary"] = {"total": summary["total"], "counts": summary["counts"], "overdue": summary["overdue"],
                          "focus_areas": [{k: v for k, v in a.items() if k != "items"} for a in summary["focus_areas"]],
                          "organisations": summary["organisations"],
                          "recommendations": [{"id": r["id"], "state": r["state"], "item_ids": r["item_ids"]} for r in summary["recommendations"]],
                          "indicators": [{"key": i["key"], "latest": i["latest"], "previous": i["previous"]} for i in summary["indicators"]]}
        out["items"] = [{k: v for k, v in r.items() if k not in ("shared_with", "commitment_weight")} for r in rows]
    return out


@bp.get("/reports")
def list_reports():
    from models import Report

    return jsonify([_report_json(r, False) for r in db.session.scalars(select(Report).order_by(Report.as_of.desc(), Report.id.desc()))])


@bp.post("/reports")
def create_report():
    from ..i18n import today
    from ..reports import services as report_services

    body = _json_body()
    _refuse_unknown(body, {"as_of", "title", "previous_report_id"})
    try:
        as_of = date.fromisoformat(body["as_of"]) if isinstance(body.get("as_of"), str) else None
    except ValueError:
        as_of = None
    previous = body.get("previous_report_id")
    if previous is not None and (not isinstance(previous, int) or isinstance(previous, bool)):
        raise ApiError(422, "validation_failed", "Controleer de velden.", {"previous_report_id": "Geef het nummer van een rapportage."})
    with service_call("Alleen coördinatoren maken rapportages."):
        report = report_services.create_report(db.session, current_viewer(), body.get("title") or "", as_of, today(), previous)
    report_services.warm_view(db.session, report, current_viewer())  # ready before the author opens it
    response = jsonify(_report_json(report, True))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_report", report_id=report.id)
    return response


@bp.get("/reports/<int:report_id>")
def get_report(report_id: int):
    from models import Report

    report = db.session.get(Report, report_id) or abort(404)
    return jsonify(_report_json(report, True))


@bp.get("/reports/<int:report_id>/export.<fmt>")
@counts_as_download
def export_report(report_id: int, fmt: str):
    from models import Report

    from ..downloads import attachment
    from ..reports import exports as report_exports
    from ..reports import services as report_services

    report = db.session.get(Report, report_id) or abort(404)
    if fmt not in report_exports.FORMATS:
        abort(404)
    body, mimetype, name = report_services.export_report(db.session, current_viewer(), report, fmt, request.args.get("audience") == "public")
    db.session.commit()
    return attachment(body, mimetype, name)


# -- meetings ---------------------------------------------------------------------------------

MEETING_FIELDS = {"series", "title", "starts_at", "ends_at", "location", "is_online", "chair_organisation", "visibility",
                  "shared_with", "invited", "agenda"}


def _meeting_json(meeting) -> dict:
    from ..meetings.permissions import can_read_minutes
    from ..meetings.queries import decisions

    viewer = current_viewer()

    def minutes(item):
        if item.minutes is None or not can_read_minutes(viewer, meeting, item.minutes):
            return None  # rule 5: restricted minutes do not exist for an organisation that was not present
        return {"body": item.minutes.body, "is_restricted": item.minutes.is_restricted, "version": item.minutes.version,
                "errata": [{"at": e.created_at.isoformat(), "body": e.body} for e in item.minutes.errata]}

    return {
        "id": meeting.id, "series": meeting.series.code, "title": meeting.title, "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat() if meeting.ends_at else None, "location": meeting.location,
        "is_online": meeting.is_online, "chair_organisation": meeting.chair_organisation.code if meeting.chair_organisation else None,
        "visibility": meeting.visibility, "shared_with": sorted(o.code for o in meeting.shared_with),
        "minutes_status": meeting.minutes_status, "version": meeting.version,
        "attendees": [{"id": a.id, "organisation": a.organisation.code, "user_id": a.user_id, "name": a.name,
                       "attendance": a.attendance} for a in meeting.attendees],
        "agenda": [{"id": a.id, "position": a.position, "title": a.title, "presenter": a.presenter,
                    "duration_minutes": a.duration_minutes, "is_action_review": a.is_action_review, "minutes": minutes(a)}
                   for a in meeting.agenda_items],
        "decisions": [{"number": d.number, "text": d.text, "agenda_item_id": d.agenda_item_id}
                      for d in db.session.scalars(decisions(viewer, meeting_id=meeting.id))],
    }


def _meeting_data(body: dict) -> dict:
    _refuse_unknown(body, MEETING_FIELDS)
    check_types(body, MEETING_TYPES)
    data = {k: v for k, v in body.items() if k != "agenda"}
    for key in ("starts_at", "ends_at"):
        if key in data and data[key] is not None:
            try:
                data[key] = datetime.fromisoformat(data[key]) if isinstance(data[key], str) else None
            except ValueError:
                data[key] = None
    return data


def _meeting_response(meeting, status: int = 200):
    response = jsonify(_meeting_json(meeting))
    response.status_code = status
    response.headers["ETag"] = f'"{meeting.version}"'
    return response


def _load_meeting(meeting_id: int):
    from ..meetings import queries as meeting_queries

    meeting = meeting_queries.load(db.session, meeting_id, current_viewer())
    if meeting is None:
        audit_denial_later(Meeting, meeting_id)
        abort(404)
    return meeting


@bp.get("/meetings")
def list_meetings():
    from ..meetings import queries as meeting_queries

    meetings = db.session.scalars(meeting_queries.visible_meetings(current_viewer()).limit(200)).all()
    return jsonify([{"id": m.id, "series": m.series.code, "title": m.title, "starts_at": m.starts_at.isoformat(),
                     "minutes_status": m.minutes_status} for m in meetings])


@bp.post("/meetings")
def create_meeting():
    from ..meetings import services as meeting_services

    data = _meeting_data(_json_body())
    with service_call("Alleen coördinatoren bereiden vergaderingen voor."):
        meeting = meeting_services.create_meeting(db.session, current_viewer(), data)
    response = _meeting_response(_load_meeting(meeting.id), 201)
    response.headers["Location"] = url_for("api.get_meeting", meeting_id=meeting.id)
    return response


@bp.get("/meetings/<int:meeting_id>")
def get_meeting(meeting_id: int):
    return _meeting_response(_load_meeting(meeting_id))


@bp.patch("/meetings/<int:meeting_id>")
def patch_meeting(meeting_id: int):
    from ..meetings import services as meeting_services

    meeting = _load_meeting(meeting_id)
    base = _if_match()
    body = _json_body()
    data = _meeting_data(body)
    try:
        with service_call("Alleen coördinatoren wijzigen vergaderingen."):
            meeting_services.change_meeting(db.session, current_viewer(), meeting, base, data, body.get("agenda"))
    except meeting_services.MeetingVersionConflict:
        db.session.commit()  # keeps the conflict's audit event
        return _meeting_response(_load_meeting(meeting_id), 412)
    db.session.expire_all()
    return _meeting_response(_load_meeting(meeting_id))
