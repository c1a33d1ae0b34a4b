"""Deny-by-default gate: every endpoint needs a signed-in user unless marked @public.

Also loads the user from a personal access token (API, no CSRF) and checks
CSRF on every other state-changing request.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Callable, TypeVar

from flask import abort, current_app, g, jsonify, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from models import AccessToken, User

from .extensions import csrf, db, login_manager

F = TypeVar("F", bound=Callable)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def public(view: F) -> F:
    """Mark a view as reachable without signing in."""
    view.is_public = True  # type: ignore[attr-defined]
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


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id), options=[joinedload(User.organisation)]) if user_id.isdigit() else None
    # A deactivated user's sessions stop working at their next request.
    return user if user is not None and user.is_active else None


@login_manager.request_loader
def _load_user_from_token(req) -> User | None:
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not req.path.startswith("/api/"):
        return None
    now = datetime.now(timezone.utc)
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
        response = jsonify(error={"code": "unauthorized", "message": "Inloggen vereist.", "fields": {}})
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
    if request.method not in SAFE_METHODS and not g.get("token_auth"):
        csrf.protect()
    return None


def get_or_404(model, ident, check: Callable | None = None, options=()):
    """Load one object; absent and not-allowed look the same (404)."""
    obj = db.session.get(model, ident, options=list(options))
    if obj is None:
        abort(404)
    if check is not None and not check(current_viewer(), obj):
        from . import audit

        audit.record_now("access.denied", actor=current_viewer(), entity_type=model.__tablename__,
                         entity_id=obj.id, check=check.__name__, path=request.path)
        abort(404)
    return obj
