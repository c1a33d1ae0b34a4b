"""Login page, the authorization redirect, the callback and logout."""
from __future__ import annotations

import time
from dataclasses import asdict
from datetime import UTC, datetime

from flask import abort, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from models import AccessToken, User

from .. import audit
from ..access import public, server_to_server
from ..extensions import db, sign_in_limit
from ..security import safe_next
from ..sessions import current_session_id, end_sessions_of, sessions_of
from ..writes import transaction
from . import bp, services
from .oidc import LoginError, Pending, ProviderClient, ProviderUnavailable

MAX_PENDING = 5
PENDING_TTL = 600


def providers() -> dict[str, ProviderClient]:
    return current_app.extensions["portal.oidc"]


LOGGED_OUT_COOKIE = "portal_uitgelogd"


@bp.get("/login")
@public
def login_page():
    configured = current_app.config["PORTAL_SETTINGS"].providers
    # After a logout through the provider (RP-initiated logout) the provider sends the browser back to /login; a
    # short-lived cookie set by the logout says so, since the registered redirect URI carries no parameters.
    logged_out = request.args.get("uitgelogd") == "1" or request.cookies.get(LOGGED_OUT_COOKIE) == "1"
    response = current_app.make_response(render_template("auth/login.html", providers=configured, next=safe_next(request.args.get("next")),
                                                         logged_out=logged_out))
    if request.cookies.get(LOGGED_OUT_COOKIE):
        response.delete_cookie(LOGGED_OUT_COOKIE, path="/login")
    return response


@bp.get("/auth/login/<name>")
@public
@sign_in_limit
def start(name: str):
    client = providers().get(name) or abort(404)
    pending = Pending.start(name, safe_next(request.args.get("next")))
    try:
        url = client.authorization_url(pending)
    except LoginError as exc:
        audit.record_now("login.failure", provider=name, reason=exc.reason)
        return _failure_page(client, exc, status=503)
    # Pending logins live in the server-side session; only the newest few are kept,
    # so many unfinished logins in one browser never block a new one.
    pendings = {k: v for k, v in session.get("oidc_pending", {}).items() if time.time() - v["created"] < PENDING_TTL}
    pendings = dict(sorted(pendings.items(), key=lambda kv: kv[1]["created"])[-(MAX_PENDING - 1):])
    pendings[pending.state] = asdict(pending)
    session["oidc_pending"] = pendings
    return redirect(url)


def _failure_page(client: ProviderClient, exc: LoginError, status: int = 400):
    if isinstance(exc, ProviderUnavailable):
        message = _("De inlogdienst van %(provider)s is nu niet bereikbaar. Probeer het over een paar minuten opnieuw.", provider=client.config.label)
    else:
        message = exc.user_message or _("Inloggen is niet gelukt. Probeer het opnieuw. Lukt het weer niet? Neem dan contact op met de beheerder.")
    return render_template("auth/failed.html", message=message, provider=client.config), status


@bp.get("/auth/callback/<name>")
@public
@sign_in_limit
def callback(name: str):
    client = providers().get(name) or abort(404)
    pendings = dict(session.get("oidc_pending", {}))
    raw = pendings.pop(request.args.get("state", ""), None)
    if pendings != session.get("oidc_pending", {}):
        session["oidc_pending"] = pendings
    try:
        pending, code = _checked_response(client, name, raw)
        token = client.exchange(code, pending)
        claims = client.verify_id_token(token["id_token"], pending.nonce)
        if not (claims.get("email") and claims.get("name")):
            claims = {**client.userinfo(token.get("access_token", ""), claims["sub"]), **claims}
        organisation = services.resolve_organisation(db.session, client.config, claims)
        user, created = services.upsert_user(db.session, client.config, claims, organisation)
        if not user.is_active:
            raise LoginError("user_inactive", _("Uw account is uitgeschakeld. Neem contact op met de beheerder."))
    except LoginError as exc:
        audit.record_now("login.failure", provider=name, reason=exc.reason,
                         error=request.args.get("error"), error_description=request.args.get("error_description"))
        return _failure_page(client, exc, status=503 if isinstance(exc, ProviderUnavailable) else 400)

    session.clear()
    session.regenerate()  # type: ignore[attr-defined]  # the portal's server-side session (portal/sessions.py)
    login_user(user)
    session["login_provider"] = name
    if isinstance(claims.get("sid"), str):
        session["oidc_sid"] = claims["sid"]  # the provider's session: a back-channel logout may name it
    with transaction():
        audit.record("login.success", actor=user, entity_type="user", entity_id=user.id, provider=name,
                     user_created=created)
    return redirect(pending.next)


def _checked_response(client, name: str, raw: dict | None) -> tuple[Pending, str]:
    """The authorization response (RFC 9207 issuer included) for the pending sign-in its state names: (pending, code),
    or LoginError."""
    if request.args.get("error"):
        # error_description is attacker-controlled text: logged encoded, never shown.
        raise LoginError("provider_error")
    if raw is None or raw["provider"] != name or time.time() - raw["created"] > PENDING_TTL:
        raise LoginError("state_mismatch")
    issuer_param = request.args.get("iss")
    if issuer_param is not None and issuer_param != client.config.issuer:
        raise LoginError("iss_parameter_mismatch")
    if issuer_param is None and client.metadata().get("authorization_response_iss_parameter_supported"):
        raise LoginError("iss_parameter_missing")
    code = request.args.get("code")
    if not code:
        raise LoginError("code_missing")
    return Pending(**raw), code


@bp.post("/auth/logout")
@public
@sign_in_limit
def logout():
    provider_name = session.get("login_provider")
    if current_user.is_authenticated:
        with transaction():
            audit.record("logout", actor=current_user._get_current_object(), entity_type="user", entity_id=current_user.id)
    logout_user()
    session.end()
    base = current_app.config["PORTAL_SETTINGS"].base_url
    client = providers().get(provider_name or "")
    end_session = client.end_session_url(f"{base}/login") if client else None
    response = redirect(end_session or url_for("auth.login_page"))
    response.set_cookie(LOGGED_OUT_COOKIE, "1", max_age=600, path="/login", httponly=True, samesite="Lax",
                        secure=current_app.config["PORTAL_SETTINGS"].is_production)
    return response


@bp.post("/auth/backchannel-logout/<name>")
@server_to_server  # the provider calls it; the signed logout token is the proof
@sign_in_limit
def backchannel_logout(name: str):
    """OpenID Connect Back-Channel Logout 1.0: the provider ends the user's portal sessions (those of its session `sid`,
    or all of the user's when it names only `sub`). Only sessions begun before the token was issued end."""
    client = providers().get(name) or abort(404)
    try:
        claims = client.verify_logout_token(request.form.get("logout_token", ""))
        services.remember_logout_token(db.session, client.config.issuer, claims)
    except LoginError as exc:
        audit.record_now("logout.backchannel_refused", provider=name, reason=exc.reason)
        return jsonify(error="invalid_request", error_description=exc.reason), 400
    query = select(User).where(User.issuer == client.config.issuer)
    if claims.get("sub"):
        query = query.where(User.subject == claims["sub"])  # else: sid alone, looked up among this provider's users
    # Never a session begun after the token was issued: a token (replayed or late) cannot end a newer sign-in. `iat` is
    # in whole seconds, so a session begun within that second counts as begun before it.
    started_before = datetime.fromtimestamp(int(claims["iat"]) + 1, UTC)
    with transaction():
        for user in db.session.scalars(query):
            ended = end_sessions_of(current_app, user.id, claims.get("sid"), started_before)
            if ended or claims.get("sub"):
                audit.record("logout.backchannel", actor=user, entity_type="user", entity_id=user.id, provider=name, sessions=ended)
    return jsonify({})  # Cache-Control: no-store, as every answer (portal/security.py)


@bp.get("/account/sessions")
def account_sessions():
    """Your active sessions and personal access tokens, with "end all"."""
    user = current_user._get_current_object()
    tokens = db.session.scalars(select(AccessToken).where(AccessToken.user_id == user.id).order_by(AccessToken.created_at.desc())).all()
    return render_template("auth/sessions.html", sessions=sessions_of(current_app, user.id), current=current_session_id(), tokens=tokens,
                           labels={p.name: p.label for p in current_app.config["PORTAL_SETTINGS"].providers}, now=datetime.now(UTC))


@bp.post("/account/sessions/end-all")
def end_all_sessions():
    """Every session of this user ends (this one too) and every token is revoked for good."""
    services.end_everything(db.session, current_app, current_user._get_current_object())
    logout_user()
    session.end()
    response = redirect(url_for("auth.login_page"))
    response.set_cookie(LOGGED_OUT_COOKIE, "1", max_age=600, path="/login", httponly=True, samesite="Lax",
                        secure=current_app.config["PORTAL_SETTINGS"].is_production)
    return response
