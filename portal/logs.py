"""Structured JSON request logs with a request id (also returned as X-Request-ID)."""
from __future__ import annotations

import json
import logging
import secrets
import sys
import time

from flask import Flask, g, request, session

log = logging.getLogger("portal.request")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        body = record.msg if isinstance(record.msg, dict) else {"message": record.getMessage()}
        return json.dumps({"at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname.lower(),
                           "logger": record.name, **body}, default=str)


class StdoutHandler(logging.StreamHandler):
    """Writes to whatever sys.stdout is at the moment (gunicorn, tests capturing output)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout
        super().emit(record)


def _user_id() -> str | None:
    """Who made the request, without loading anyone the request itself did not load: the user when the request used it,
    else the id the session names (a probe or a public page loads no user for its log line)."""
    user = g.get("_login_user")  # Flask-Login's per-request user, once something asked for it
    if user is not None:
        return user.get_id() if user.is_authenticated else None
    return session.get("_user_id") if session else None


def request_id(incoming: str) -> str | None:
    """A proxy's request id when it looks like one (never arbitrary text echoed into logs and headers)."""
    return incoming if 8 <= len(incoming) <= 64 and incoming.replace("-", "").isalnum() else None


def init_app(app: Flask) -> None:
    if not log.handlers:
        handler = StdoutHandler()
        handler.setFormatter(JsonFormatter())
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False

    @app.before_request
    def _start():
        g.request_id = request_id(request.headers.get("X-Request-ID", "")) or secrets.token_hex(8)
        g.request_started = time.perf_counter()

    @app.after_request
    def _log(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if request.endpoint == "static":
            return response
        log.info({
            "request_id": g.get("request_id"), "method": request.method,
            "path": request.path,  # never the query string: it may carry an authorization code
            "endpoint": request.endpoint, "status": response.status_code,
            "ms": round((time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000, 1),
            "user": _user_id(),
        })
        return response
