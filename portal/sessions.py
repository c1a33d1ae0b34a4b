"""Server-side sessions: the cookie holds only a random id; data lives in Redis or the database.

A session can be revoked (logout, deactivation), is renewed at login, and
ends after an idle and an absolute timeout.
"""
from __future__ import annotations

import copy
import hashlib
import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from flask import Flask, Request, Response, g
from flask import session as flask_session
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import CallbackDict

from models import ServerSession, User

from .extensions import db

Match = Callable[[dict, datetime], bool]  # (session data, created at) -> end this one?


def _now() -> datetime:
    return datetime.now(UTC)


# Liveness and readiness probes: answered without opening the caller's session (#16: the floor does no session work).
PROBES = frozenset({"/healthz", "/readyz"})


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class PortalSession(CallbackDict, SessionMixin):
    def __init__(self, initial=None, token: str | None = None, created_at: datetime | None = None):
        def on_update(_self):
            _self.modified = True

        super().__init__(initial or {}, on_update)
        self.token = token
        self.created_at = created_at or _now()
        self.last_seen: datetime | None = None  # when the store last saw it (a loaded session)
        self.modified = False
        self.renew = False
        self.ended = False

    @property
    def new(self) -> bool:  # type: ignore[override]
        return self.token is None

    def regenerate(self) -> None:
        """Give the session a new id (at login): an id known before login is worthless after."""
        self.renew = True
        self.modified = True

    def end(self) -> None:
        """Remove the session server-side and expire the cookie (logout)."""
        self.clear()
        self.ended = True
        self.modified = True


class DatabaseStore:
    def load(self, key: str):
        # The user and its organisation in the same statement, held for the request (the identity map holds objects
        # weakly): the user loader then finds them there and runs no statement of its own. The data as a copy: a flash
        # appended in place must not change the row's loaded value too, or save() would find nothing changed.
        row = db.session.get(ServerSession, key, options=[joinedload(ServerSession.user).joinedload(User.organisation)])
        g.session_user = row.user if row is not None else None
        return None if row is None else (copy.deepcopy(row.data), row.created_at, row.last_seen_at)

    def save(self, key: str, data: dict, created_at: datetime, expires_at: datetime, touch_only: bool) -> None:
        # A fresh transaction: on SQLite a write late in a long read transaction could meet a newer
        # snapshot and fail where it should wait for the lock.
        db.session.rollback()
        row = db.session.get(ServerSession, key)
        now = _now()
        if row is None:
            row = ServerSession(id=key, created_at=created_at)
            db.session.add(row)
        if not touch_only:
            row.data = data
        row.user_id = _user_id(data)
        row.last_seen_at = now
        row.expires_at = expires_at
        db.session.commit()

    def delete(self, key: str) -> None:
        db.session.execute(delete(ServerSession).where(ServerSession.id == key))
        db.session.commit()

    def delete_for_user(self, user_id: int, match: Match | None = None) -> int:
        if match is None:
            result: Any = db.session.execute(delete(ServerSession).where(ServerSession.user_id == user_id))
            return result.rowcount
        rows = db.session.execute(select(ServerSession.id, ServerSession.data, ServerSession.created_at)
                                  .where(ServerSession.user_id == user_id)).all()
        ids = [r.id for r in rows if match(r.data or {}, _aware(r.created_at))]
        if ids:
            db.session.execute(delete(ServerSession).where(ServerSession.id.in_(ids)))
        return len(ids)

    def count_for_user(self, user_id: int) -> int:
        return len(db.session.scalars(select(ServerSession.id).where(ServerSession.user_id == user_id)).all())

    def list_for_user(self, user_id: int) -> list[dict]:
        rows = db.session.scalars(select(ServerSession).where(ServerSession.user_id == user_id, ServerSession.expires_at > _now())
                                  .order_by(ServerSession.last_seen_at.desc())).all()
        return [{"id": r.id, "created_at": r.created_at, "last_seen_at": r.last_seen_at, "provider": (r.data or {}).get("login_provider")}
                for r in rows]

    def purge_expired(self) -> None:
        db.session.execute(delete(ServerSession).where(ServerSession.expires_at < _now()))


class RedisStore:
    prefix = "portal:session:"

    def __init__(self, url: str):
        self.redis: Any = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)  # bytes in, bytes out (redis-py types both)

    def load(self, key: str):
        raw = self.redis.get(self.prefix + key)
        if raw is None:
            return None
        record = json.loads(raw)
        return (record["data"], datetime.fromisoformat(record["created_at"]), datetime.fromisoformat(record["last_seen_at"]))

    def save(self, key: str, data: dict, created_at: datetime, expires_at: datetime, touch_only: bool) -> None:
        record = {"data": data, "created_at": created_at.isoformat(), "last_seen_at": _now().isoformat()}
        ttl = max(1, int((expires_at - _now()).total_seconds()))
        pipe = self.redis.pipeline()
        pipe.set(self.prefix + key, json.dumps(record), ex=ttl)
        user_id = _user_id(data)
        if user_id is not None:
            pipe.sadd(f"portal:user-sessions:{user_id}", key)
        pipe.execute()

    def delete(self, key: str) -> None:
        self.redis.delete(self.prefix + key)

    def delete_for_user(self, user_id: int, match: Match | None = None) -> int:
        index = f"portal:user-sessions:{user_id}"
        keys = [k.decode() for k in self.redis.smembers(index)]
        if match is None:
            ended = sum(1 for k in keys if self.redis.exists(self.prefix + k))
            if keys:
                self.redis.delete(*[self.prefix + k for k in keys])
            self.redis.delete(index)
            return ended
        chosen = []
        for key in keys:
            raw = self.redis.get(self.prefix + key)
            record = json.loads(raw) if raw is not None else None
            if record is None or match(record.get("data") or {}, datetime.fromisoformat(record["created_at"])):
                chosen.append(key)
        if chosen:
            self.redis.delete(*[self.prefix + k for k in chosen])
            self.redis.srem(index, *chosen)
        return len(chosen)

    def count_for_user(self, user_id: int) -> int:
        index = f"portal:user-sessions:{user_id}"
        return sum(1 for k in self.redis.smembers(index) if self.redis.exists(self.prefix + k.decode()))

    def list_for_user(self, user_id: int) -> list[dict]:
        out = []
        for key in (k.decode() for k in self.redis.smembers(f"portal:user-sessions:{user_id}")):
            raw = self.redis.get(self.prefix + key)
            if raw is None:
                continue
            record = json.loads(raw)
            out.append({"id": key, "created_at": datetime.fromisoformat(record["created_at"]),
                        "last_seen_at": datetime.fromisoformat(record["last_seen_at"]),
                        "provider": (record.get("data") or {}).get("login_provider")})
        return sorted(out, key=lambda r: r["last_seen_at"], reverse=True)

    def purge_expired(self) -> None:
        """Redis expires keys itself."""


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite hands back naive UTC


def _user_id(data: dict) -> int | None:
    value = data.get("_user_id")
    return int(value) if value is not None else None


class ServerSideSessionInterface(SessionInterface):
    # Touch last-seen at most once a minute: fewer writes, idle timeout stays exact enough.
    touch_interval = timedelta(seconds=60)

    def __init__(self, store, idle: timedelta, absolute: timedelta):
        self.store = store
        self.idle = idle
        self.absolute = absolute

    def open_session(self, app: Flask, request: Request) -> PortalSession:
        if request.path in PROBES:
            return PortalSession()  # a probe needs no session: no store read, no user load, the cookie untouched
        token = request.cookies.get(self.get_cookie_name(app))
        if not token or len(token) > 128:
            return PortalSession()
        record = self.store.load(_hash(token))
        if record is None:
            return PortalSession()
        data, created_at, last_seen = record
        now = _now()
        if now - last_seen > self.idle or now - created_at > self.absolute:
            self.store.delete(_hash(token))
            return PortalSession()
        session = PortalSession(data, token=token, created_at=created_at)
        session.last_seen = last_seen
        return session

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if g.get("token_auth"):
            return  # API calls with a personal access token never get a session
        assert isinstance(session, PortalSession)  # what open_session gives
        name = self.get_cookie_name(app)
        cookie: dict[str, Any] = dict(
            domain=self.get_cookie_domain(app), path=self.get_cookie_path(app),
            secure=self.get_cookie_secure(app), httponly=True, samesite=self.get_cookie_samesite(app),
        )
        if session.ended or (not session and session.modified):
            self._end(session, response, name, cookie)
            return
        if not session:
            return
        now = _now()
        if session.renew:  # a new id after sign-in: the old one is gone
            if session.token:
                self.store.delete(_hash(session.token))
            session.token, session.created_at = None, now
        touch_due = session.token is not None and now - (session.last_seen or now) >= self.touch_interval
        if not (session.modified or session.token is None or touch_due):
            return
        if session.token is None:
            session.token = secrets.token_urlsafe(32)
        expires_at = min(now + self.idle, session.created_at + self.absolute)
        self.store.save(_hash(session.token), dict(session), session.created_at, expires_at,
                        touch_only=not session.modified)
        # A session cookie (no Expires): it dies with the browser; the server enforces the timeouts.
        response.set_cookie(name, session.token, **cookie)
        response.vary.add("Cookie")

    def _end(self, session: PortalSession, response: Response, name: str, cookie: dict) -> None:
        """An ended or emptied session: its record removed, its cookie expired."""
        if session.token:
            self.store.delete(_hash(session.token))
        if session.token or session.ended:
            response.delete_cookie(name, **{k: cookie[k] for k in ("domain", "path", "secure", "httponly", "samesite")})


def init_app(app: Flask) -> None:
    settings = app.config["PORTAL_SETTINGS"]
    store = RedisStore(settings.redis_url) if settings.redis_url else DatabaseStore()
    app.session_interface = ServerSideSessionInterface(
        store,
        idle=timedelta(minutes=settings.session.idle_minutes),
        absolute=timedelta(hours=settings.session.absolute_hours),
    )
    app.extensions["portal.session_store"] = store


def end_sessions_of(app: Flask, user_id: int, provider_sid: str | None = None, started_before: datetime | None = None) -> int:
    """End the user's sessions; with provider_sid only the one(s) signed in through that provider session, with
    started_before only those that began by then (a replayed logout token never ends a later sign-in). Returns how many."""
    if provider_sid is None and started_before is None:
        return app.extensions["portal.session_store"].delete_for_user(user_id)

    def match(data: dict, created_at: datetime) -> bool:
        return ((provider_sid is None or data.get("oidc_sid") == provider_sid)
                and (started_before is None or created_at <= started_before))
    return app.extensions["portal.session_store"].delete_for_user(user_id, match)


def sessions_of(app: Flask, user_id: int) -> list[dict]:
    """The user's active sessions (id = the hash of the cookie value), newest first."""
    return app.extensions["portal.session_store"].list_for_user(user_id)


def current_session_id() -> str | None:
    token = getattr(flask_session, "token", None)
    return _hash(token) if token else None
