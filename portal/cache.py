"""Derived figures cached in Redis, shared by every process, invalidated by a data generation.

Each cached value's key holds the current *generation* of the data. Any committed ORM
change to an action item, a progress update, a meeting, a focus area, a commitment, a
recommendation or an organisation bumps the generation (one INCR), so the next read
computes afresh; old keys expire on their own. Values are JSON. Without REDIS_URL, or
while Redis fails, nothing is cached: every read computes.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context
from redis import Redis, RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

from models import ActionItem, Commitment, FocusArea, Meeting, Organisation, ProgressUpdate, Recommendation

log = logging.getLogger(__name__)
GENERATION_KEY = "portal:generation:actions"
TTL_SECONDS = 600


class Cache:
    def __init__(self, url: str | None):
        self.redis = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) if url else None

    def generation(self) -> int:
        return int(self.redis.get(GENERATION_KEY) or 0)

    def bump(self) -> None:
        if self.redis is not None:
            try:
                self.redis.incr(GENERATION_KEY)
            except RedisError:  # a cache must not break a write that has been committed
                log.exception("cache generation bump failed; cached values expire within %s s", TTL_SECONDS)

    def get_or_compute(self, name: str, parts: tuple, compute: Callable[[], Any], *,
                       versioned: bool = True, ttl: int = TTL_SECONDS) -> Any:
        """The cached value under name and parts, or compute() stored for the next reader.

        `versioned=False` is for values of data that never changes (frozen reports).
        """
        if self.redis is None:
            return compute()
        try:
            key = f"portal:cache:{name}:{self.generation() if versioned else 'frozen'}:" + ":".join(str(p) for p in parts)
            raw = self.redis.get(key)
        except RedisError:  # Redis down: compute, as without a cache
            log.exception("cache read failed")
            return compute()
        if raw is not None:
            return json.loads(raw)
        value = compute()
        encoded = json.dumps(value)
        try:
            self.redis.set(key, encoded, ex=ttl)
        except RedisError:
            log.exception("cache write failed")
        return value


def cache() -> Cache:
    return current_app.extensions["portal.cache"]


def init_app(app: Flask, url: str | None) -> None:
    app.extensions["portal.cache"] = Cache(url)
    if not event.contains(Session, "after_commit", _bump):
        event.listen(Session, "after_flush", _mark)
        event.listen(Session, "after_commit", _bump)


def _watched() -> tuple[type, ...]:
    return ActionItem, ProgressUpdate, FocusArea, Organisation, Commitment, Recommendation, Meeting


def _mark(session: Session, _context) -> None:
    watched = _watched()
    if any(isinstance(o, watched) for o in (*session.new, *session.dirty, *session.deleted)):
        session.info["portal.bump"] = True


def _bump(session: Session) -> None:
    if session.info.pop("portal.bump", False) and has_app_context() and "portal.cache" in current_app.extensions:
        cache().bump()

