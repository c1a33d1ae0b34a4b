"""Deny-by-default gate: every endpoint needs a signed-in user unless marked @public."""
from __future__ import annotations

from typing import Callable, TypeVar

from flask import abort, current_app, jsonify, redirect, request, url_for
from sqlalchemy import select

from .extensions import db

F = TypeVar("F", bound=Callable)


def public(view: F) -> F:
    """Mark a view as reachable without signing in."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def is_public_endpoint(endpoint: str | None) -> bool:
    if endpoint is None:
        return True  # 404s and the like: nothing to protect, the error page is generic
    if endpoint == "static" or endpoint.endswith(".static"):
        return True
    view = current_app.view_functions.get(endpoint)
    return bool(getattr(view, "is_public", False))


def current_viewer():
    """The signed-in user, or None. Sign-in lands in a later change; until then nobody."""
    return None


def gate():
    """before_request: refuse anonymous callers everywhere but on @public endpoints."""
    if is_public_endpoint(request.endpoint):
        return None
    if current_viewer() is not None:
        return None
    # Until sign-in exists, the read-only pages are open in development only.
    if current_app.config["PORTAL_SETTINGS"].env != "production" and request.method == "GET":
        return None
    if request.path.startswith("/api/"):
        response = jsonify(error={"code": "unauthorized", "message": "Inloggen vereist.", "fields": {}})
        response.status_code = 401
        return response
    if request.headers.get("HX-Request") == "true":
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = url_for("auth.login_page")
        return response
    return redirect(url_for("auth.login_page", next=request.full_path.rstrip("?")))


def get_or_404(model, ident, check: Callable | None = None):
    """Load one object; absent and not-allowed look the same (404)."""
    obj = db.session.get(model, ident)
    if obj is None or (check is not None and not check(current_viewer(), obj)):
        abort(404)
    return obj


def scalars(stmt):
    return db.session.scalars(stmt).all()


__all__ = ["public", "gate", "get_or_404", "current_viewer", "scalars", "select"]
