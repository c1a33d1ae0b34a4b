"""Security headers on every response, errors included, and generic error pages."""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import Conflict, Forbidden, HTTPException, NotFound, UnprocessableEntity

from . import errors
from .extensions import db
from .inputs import BadInput


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _form_targets(app: Flask) -> str:
    """Logout is a form whose answer redirects to the provider's end_session_endpoint: allow those origins."""
    origins = sorted({f"{u.scheme}://{u.netloc}" for u in (urlsplit(p.issuer) for p in app.config["PORTAL_SETTINGS"].providers)})
    return " ".join(["'self'", *origins])


def static_headers(app: Flask) -> dict[str, str]:
    """The headers of an answer without a page script (JSON, a probe, a file), the same for the whole process."""
    headers = {"Content-Security-Policy": f"default-src 'self'; script-src 'self'; {app.extensions['portal.csp']}",
               "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY",
               # Rule 11: private means private, downloads included (send_file would say "no-cache").
               "Cache-Control": "no-store"}
    if app.config["PORTAL_SETTINGS"].is_production:
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    return headers


def _headers(response):
    # The nonce only when a template asked for one (a JSON answer or a probe has no script to allow);
    # the rest of the policy is the same for every response of this process, built once.
    nonce = g.get("csp_nonce")
    for key, value in current_app.extensions["portal.headers"].items():
        if key == "Content-Security-Policy":
            response.headers.setdefault(key, f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; {current_app.extensions['portal.csp']}"
                                        if nonce else value)
        elif key != "Cache-Control" or request.endpoint not in (None, "static"):
            response.headers[key] = value
    return response


# The answer's message in words, in the reader's language (Dutch first), for the statuses the portal gives.
HTTP_MESSAGES = {
    400: _l("Het verzoek klopt niet."), 401: _l("Inloggen vereist."), 403: _l("U mag dit niet doen."),
    404: _l("Niet gevonden."), 405: _l("Dit adres kan deze methode niet aan."), 409: _l("Dit botst met de huidige stand."),
    412: _l("Het record is intussen gewijzigd."), 413: _l("Het verzoek is te groot."),
    415: _l("Dit soort inhoud wordt hier niet aangenomen."), 422: _l("Controleer de velden."),
    428: _l("Stuur de header If-Match met de versie waarop uw wijziging is gebaseerd."),
    429: _l("Te veel verzoeken. Probeer het over een minuut opnieuw."),
}


def _error(exc: Exception):
    db.session.rollback()
    code = exc.code if isinstance(exc, HTTPException) and exc.code else 500
    if code == 500:
        current_app.logger.exception("unhandled error", exc_info=exc)
    if isinstance(exc, CSRFError):
        name, message = "csrf_failed", str(_l("De beveiligingscode (CSRF) ontbreekt of klopt niet. Laad de pagina opnieuw."))
    elif isinstance(exc, BadInput):
        name, message = "bad_request", str(exc.description)
    elif isinstance(exc, HTTPException):
        name, message = exc.name.lower().replace(" ", "_"), str(HTTP_MESSAGES.get(code, exc.name))
    else:
        name, message = "internal_error", str(_l("Er ging iets mis."))
    if request.path.startswith("/api/"):
        response = jsonify(error={"code": name, "message": message, "fields": {}})
    else:
        response = current_app.make_response((render_template("errors/error.html", code=code, csrf_failed=isinstance(exc, CSRFError)), code))
    response.status_code = code
    if isinstance(exc, HTTPException):
        for key, value in exc.get_headers():
            if key.lower() not in ("content-type", "content-length"):
                response.headers[key] = value
    return response


def init_app(app: Flask) -> None:
    app.extensions["portal.csp"] = ("style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                                    f"form-action {_form_targets(app)}")
    app.extensions["portal.headers"] = static_headers(app)
    app.after_request(_headers)
    app.register_error_handler(HTTPException, _error)
    app.register_error_handler(Exception, _error)
    # The service exceptions, answered once for every page and htmx form (the API's own handlers answer them as JSON,
    # api/helpers.py). A form that re-renders with its messages catches ValidationFailed or VersionConflict itself.
    app.register_error_handler(errors.NotFound, lambda _exc: _error(NotFound()))
    app.register_error_handler(errors.NotAllowed, lambda _exc: _error(Forbidden()))
    app.register_error_handler(errors.VersionConflict, lambda _exc: _error(Conflict()))
    app.register_error_handler(errors.Locked, lambda _exc: _error(Conflict()))
    app.register_error_handler(errors.ValidationFailed, lambda _exc: _error(UnprocessableEntity()))
    app.jinja_env.globals["csp_nonce"] = csp_nonce


def safe_next(value: str | None) -> str:
    """Only a relative path on this site; anything else lands on the start page."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value
