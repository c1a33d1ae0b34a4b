"""Audit trail: one structured event per security-relevant action, never a token or secret."""
from __future__ import annotations

import json
import logging
import queue
import re
import threading

from flask import has_request_context, request

from models import AuditEvent, User

from .extensions import db

log = logging.getLogger("portal.audit")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def _clean(value):
    """Encode control characters so an attacker's text cannot forge log lines."""
    if isinstance(value, str):
        return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)[:500]
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def record(action: str, *, actor: User | None = None, entity_type: str | None = None,
           entity_id: int | None = None, session=None, **details) -> AuditEvent:
    """Add an audit event to the caller's transaction (the request's session unless one is given)."""
    diff = _clean(details)
    if has_request_context():
        diff.setdefault("ip", request.remote_addr)
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        organisation_code=actor.organisation.code if actor is not None else None,
        entity_type=entity_type,
        entity_id=entity_id,
        diff=diff,
    )
    (session if session is not None else db.session).add(event)
    log.info(json.dumps({"audit": action, "actor": event.actor_id, "entity": entity_type, "id": entity_id, **diff}, default=str))
    return event


def record_now(action: str, **kwargs) -> None:
    """Record and commit on its own, for events that must survive a refused request."""
    db.session.rollback()
    record(action, **kwargs)
    db.session.commit()


class _LaterWriter:
    """Audit events written off the request thread (one daemon thread per process), so the cost of
    recording a refusal never shows in the timing of any response, this one or the next on the
    same connection. Outside production and development (tests) the write runs inline."""

    def __init__(self):
        self.queue: queue.Queue = queue.Queue(maxsize=10000)
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def submit(self, app, job) -> None:
        if app.config["PORTAL_SETTINGS"].env == "test":
            job()
            return
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
                self.thread.start()
        try:
            self.queue.put_nowait(job)
        except queue.Full:  # never block a request; log what could not be queued
            log.warning("audit queue full: an access.denied event was only logged")

    def _run(self) -> None:
        while True:
            job = self.queue.get()
            try:
                job()
            except Exception:  # noqa: BLE001 - a failed audit write is logged, never raised into a request
                log.exception("audit write failed")
            finally:
                self.queue.task_done()


later = _LaterWriter()
