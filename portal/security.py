"""Security headers on every response, errors included, and generic error pages."""
from __future__ import annotations

import secrets

from flask import Flask, g, render_template, request
from werkzeug.exceptions import HTTPException


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _headers(response):
    nonce = csp_nonce()
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if request.endpoint not in (None, "static"):
        response.headers.setdefault("Cache-Control", "no-store")
    from flask import current_app

    if current_app.config["PORTAL_SETTINGS"].is_production:
        response.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    return response


def _error(exc: Exception):
    code = exc.code if isinstance(exc, HTTPException) and exc.code else 500
    if request.path.startswith("/api/"):
        from flask import jsonify

        name = exc.name.lower().replace(" ", "_") if isinstance(exc, HTTPException) else "internal_error"
        return jsonify(error={"code": name, "message": "Er ging iets mis." if code == 500 else exc.name, "fields": {}}), code
    return render_template("errors/error.html", code=code), code


def init_app(app: Flask) -> None:
    app.after_request(_headers)
    app.register_error_handler(HTTPException, _error)
    app.register_error_handler(Exception, _error)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
