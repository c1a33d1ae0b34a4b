"""Liveness and readiness probes (public, JSON)."""
from flask import Blueprint, jsonify
from sqlalchemy import text

from ..access import public
from ..extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
@public
def readyz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means not ready
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
