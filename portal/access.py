"""Deny-by-default gate: every endpoint needs a signed-in user unless marked @public.

Also loads the user from a personal access token (API, no CSRF) and checks
CSRF on every other state-changing request.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from flask import abort, after_this_request, current_app, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from models import AccessToken, User

from . import audit
from .cache import signed_in_user
from .extensions import csrf, db, login_manager
from .inputs import bounded_int

F = TypeVar("F", bound=Callable)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def public(view: F) -> F:
    """Mark a view as reachable without signing in."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def server_to_server(view: F) -> F:
    """A public view called by another server (not a browser) whose request carries its own signed proof: no session,
    so no CSRF token; the view must verify the proof itself."""
    view.is_public = True  # type: ignore[attr-defined]
    view.proof_in_request = True  # type: ignore[attr-defined]
    return view


def is_public_endpoint(endpoint: str | None) -> bool:
    if endpoint is None:
        return True  # no such route: the 404 page is generic and shows nothing
    if endpoint == "static" or endpoint.endswith(".static"):
        return True
    view = current_app.view_functions.get(endpoint)
    return bool(getattr(view, "is_public", False))


def current_viewer() -> User | None:
    """The signed-in user (session or token), or None."""
    if current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def signed_in() -> User:
    """The user of a view behind the gate (every view but the @public ones), where there always is one; 401 otherwise."""
    viewer = current_viewer()
    if viewer is None:
        abort(401)
    return viewer


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    found = bounded_int(user_id)
    user = signed_in_user(db.session, found) if found is not None else None
    # A deactivated user's sessions stop working at their next request.
    return user if user is not None and user.is_active else None


@login_manager.request_loader
def _load_user_from_token(req) -> User | None:
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not req.path.startswith("/api/"):
        return None
    now = datetime.now(UTC)
    token = db.session.scalars(
        select(AccessToken).where(AccessToken.token_hash == hash_token(header[7:].strip()))
        .options(joinedload(AccessToken.user).joinedload(User.organisation))
    ).one_or_none()
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    g.token_auth = True
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
        db.session.commit()
    return token.user


def _unauthorized():
    if request.path.startswith("/api/"):
        response = jsonify(error={"code": "unauthorized", "message": _("Inloggen vereist."), "fields": {}})
        response.status_code = 401
        return response
    if request.headers.get("HX-Request") == "true":
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = url_for("auth.login_page")
        return response
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login_page", next=target))


def gate():
    """before_request: login first, then CSRF for every state change not made with a token."""
    endpoint_public = is_public_endpoint(request.endpoint)
    if not endpoint_public and current_viewer() is None:
        return _unauthorized()
    if request.routing_exception is not None:
        _honest_routing()
        return None  # rule 13: an unknown path is 404 and a method the route lacks 405, with a token as with a session
    if request.method not in SAFE_METHODS and not g.get("token_auth") and not _proof_in_request(request.endpoint):
        csrf.protect()
    return None


def _honest_routing() -> None:
    """405 only where the path exists for another method. Werkzeug answers 405 for a path whose converter refused its
    value (an id beyond any column) when the rule has other methods, while the same path is 404 for those methods."""
    exc = request.routing_exception
    if not isinstance(exc, MethodNotAllowed) or not exc.valid_methods:
        return
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        adapter.match(method=next(iter(m for m in exc.valid_methods if m not in ("HEAD", "OPTIONS")), "GET"))
    except NotFound:
        request.routing_exception = NotFound()
    except HTTPException:
        pass


def _proof_in_request(endpoint: str | None) -> bool:
    return bool(endpoint and getattr(current_app.view_functions.get(endpoint), "proof_in_request", False))


def get_or_404(model, ident, visible: Callable[[User | None], ColumnElement[bool]] | None = None, options=()):
    """The one way a route loads its record: by id (or by a criterion such as `Indicator.key == key`), under the
    model's visibility clause for the viewer when it has one (`visible`; None: every signed-in user may see it).
    Absent and not-allowed do the same work (one query) and give the same 404, so existence does not leak through the
    answer or the clock. A denial of a restricted kind is audited after the response has been sent."""
    criterion = ident if isinstance(ident, ColumnElement) else model.id == ident
    clauses = [criterion] if visible is None else [criterion, visible(current_viewer())]
    obj = db.session.scalars(select(model).where(*clauses).options(*options)).unique().one_or_none()
    if obj is None:
        if visible is not None:
            audit_denial_later(model, ident)
        abort(404)
    return obj


def audit_denial_later(model, ident) -> None:
    """When the response is closed, off the request thread: record that this user was refused the object (by id, or
    by a criterion such as a key). Missing and hidden ones are recorded alike (with `exists`), so both cost the same
    work, after the response as well as in it: the clock does not tell them apart, and repeated misses are a probing
    signal too."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app behind the proxy, for the thread
    viewer = current_viewer()
    actor_id = viewer.id if viewer else None
    path = request.path

    def record() -> None:
        with app.app_context():
            found = db.session.scalar(select(model.id).where(ident if isinstance(ident, ColumnElement) else model.id == ident))
            actor = db.session.get(User, actor_id) if actor_id else None
            audit.record("access.denied", actor=actor, entity_type=model.__tablename__, entity_id=found if found is not None else
                         (ident if not isinstance(ident, ColumnElement) else None), path=path, exists=found is not None)
            db.session.commit()

    @after_this_request
    def _attach(response):
        response.call_on_close(lambda: audit.later.submit(app, record))
        return response
