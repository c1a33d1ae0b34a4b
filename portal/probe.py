"""The liveness probe answered before Flask (#29): a load balancer asks GET /healthz every few seconds, and the answer
needs none of the request machinery (session, user, language, rate limiter, input checks). It keeps what every answer
has: the security headers of portal/security.py, an X-Request-ID and the JSON log line of portal/logs.py (path only,
never the query). Any other method or path goes on to the app; /readyz (which asks the database) stays a Flask route."""
from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable

from flask import Flask

from .logs import log, request_id
from .security import static_headers

PATH = "/healthz"
BODY = b'{"status":"ok"}\n'


class Probe:
    def __init__(self, app: Flask, wsgi_app: Callable):
        self.wsgi_app = wsgi_app
        # Built once per process: the headers every probe answer carries.
        self.headers = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY))),
                        *static_headers(app).items()]

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if environ.get("PATH_INFO") != PATH or method not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        rid = request_id(environ.get("HTTP_X_REQUEST_ID", "")) or secrets.token_hex(8)
        start_response("200 OK", [*self.headers, ("X-Request-ID", rid)])
        log.info({"request_id": rid, "method": method, "path": PATH, "endpoint": "health.healthz", "status": 200,
                  "ms": round((time.perf_counter() - started) * 1000, 1), "user": None})
        return [] if method == "HEAD" else [BODY]


def init_app(app: Flask) -> None:
    app.wsgi_app = Probe(app, app.wsgi_app)  # type: ignore[method-assign]
