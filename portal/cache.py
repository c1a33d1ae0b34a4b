"""Derived figures cached in Redis, shared by every process, invalidated per visibility scope.

Each cached value's key holds the *generations* of the data its viewer's scope can see: one for
everything (`all`), one for what the MDT members see (`mdt`, member scopes only) and one per
organisation. A committed ORM change bumps only what it can change, worked out from the record's
visibility before and after the change: a public record bumps `all`, an `mdt` record `mdt` and its
owner, a `partners` record its owner and the organisations it is shared with, an organisation-only
record its owner. So a KMar-only edit leaves IND's cached pages as they are. Changes to the shared
structure (focus areas, commitments, recommendations, organisations) bump `all`. Values are JSON.
The roll-ups and totals are read from the tallies (portal/actions/tallies.py), which cost what the answer holds; their
answers are cached like any other value, so that a miss is cheap and a hit cheaper.
Without REDIS_URL, or while Redis fails, nothing is cached: every read computes.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context
from redis import Redis, RedisError
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.session import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from models import ActionItem, Commitment, FocusArea, Meeting, Organisation, ProgressUpdate, Recommendation, User

from .extensions import AppSession
from .visibility import ViewerScope

log = logging.getLogger(__name__)
GENERATION_KEY = "portal:generation:all"  # bumped by a change everybody can see (and by bump() without scopes)
MDT_KEY = "portal:generation:mdt"
ORG_KEY = "portal:generation:org:{}"
TTL_SECONDS = 600
ALL, MDT = "all", "mdt"
Scope = str | int  # ALL, MDT or an organisation id


def _scope_keys(scope: ViewerScope | None) -> list[str]:
    """The generation keys a viewer's scope depends on: everything's, its organisation's and, for a member, the MDT's
    (no viewer: everything's only)."""
    if not isinstance(scope, ViewerScope) or scope.organisation_id is None:
        return [GENERATION_KEY]
    keys = [GENERATION_KEY, ORG_KEY.format(scope.organisation_id)]
    return keys + [MDT_KEY] if scope.mdt_member else keys


class Cache:
    def __init__(self, url: str | None):
        self.redis = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) if url else None

    @property
    def _redis(self) -> Redis:
        """Redis, for the methods that run only after the `self.redis is None` answer (no Redis: nothing cached)."""
        assert self.redis is not None
        return self.redis

    def generation(self, scope: ViewerScope | None = None) -> str:
        """The generations a scope's cached values depend on, as one key part (one MGET)."""
        return ".".join(str(int(v or 0)) for v in self._redis.mget(_scope_keys(scope)))

    def bump(self, scopes: set[Scope] | None = None) -> None:
        """After a commit: the scopes whose views it may have changed (None: everything)."""
        if self.redis is None:
            return
        keys = [GENERATION_KEY] if not scopes or ALL in scopes else \
            [MDT_KEY if s == MDT else ORG_KEY.format(s) for s in sorted(scopes, key=str)]
        try:
            pipe = self.redis.pipeline(transaction=False)
            for key in keys:
                pipe.incr(key)
            pipe.execute()
        except RedisError:  # a cache must not break a write that has been committed
            log.exception("cache generation bump failed; cached values expire within %s s", TTL_SECONDS)

    def get_or_compute(self, name: str, parts: tuple, compute: Callable[[], Any], *, scope: ViewerScope | None = None,
                       versioned: bool = True, ttl: int = TTL_SECONDS) -> Any:
        """The cached value under name and parts for a viewer's `scope`, or compute() stored for the next reader.

        Without a scope the value is invalidated only by changes everybody can see (`all`): give the scope whenever
        the value depends on what a viewer may see. `versioned=False` is for data that never changes (frozen reports).
        """
        if self.redis is None:
            return compute()
        try:
            generation = self.generation(scope) if versioned else "frozen"
            key = f"portal:cache:{name}:{generation}:{scope or '-'}:" + ":".join(str(p) for p in parts)
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


USER_KEY = "portal:user:{}"
USER_EPOCH_KEY = "portal:user-epoch:{}"
USERS_EPOCH_KEY = "portal:user-epoch:all"  # bumped when an organisation changes (every user's snapshot holds one)
USER_TTL = 300
USER_COLUMNS = ("id", "issuer", "subject", "name", "email", "organisation_id", "role", "locale", "is_active")
ORGANISATION_COLUMNS = ("id", "code", "name", "is_mdt_member", "is_active")


def signed_in_user(session: Session, user_id: int) -> User | None:
    """The signed-in user and its organisation for this request: from the snapshot in Redis when there is one (no database
    round trip: the objects join the session as if loaded), else from the database, snapshotting it for the next request.

    A committed change to a user or an organisation bumps an epoch (below); a snapshot counts only while it carries the
    current epochs, read in the same round trip. The epochs are read *before* the database, so a snapshot written from
    a read that raced a change is stale at once: a role change or a deactivation holds from the next request on."""
    store = cache().redis if has_app_context() and "portal.cache" in current_app.extensions else None
    epochs = None
    if store is not None:
        try:
            raw, own, everyone = store.mget([USER_KEY.format(user_id), USER_EPOCH_KEY.format(user_id), USERS_EPOCH_KEY])
            epochs = [int(own or 0), int(everyone or 0)]
        except RedisError:
            raw = None
        if raw is not None:
            data = json.loads(raw)
            if data.pop("epochs") == epochs:
                organisation = Organisation(**data.pop("organisation"))
                snapshot_user = User(**data, organisation=organisation)
                make_transient_to_detached(organisation)
                make_transient_to_detached(snapshot_user)
                return session.merge(snapshot_user, load=False)
    user = session.get(User, user_id, options=[joinedload(User.organisation)])
    if user is not None and epochs is not None and store is not None:
        snapshot = {c: getattr(user, c) for c in USER_COLUMNS}
        snapshot["organisation"] = {c: getattr(user.organisation, c) for c in ORGANISATION_COLUMNS}
        snapshot["epochs"] = epochs
        try:
            store.set(USER_KEY.format(user_id), json.dumps(snapshot), ex=USER_TTL)
        except RedisError:
            log.exception("user snapshot write failed")
    return user


def _forget_users(user_ids: set[int | None]) -> None:
    """Make the snapshots of these users stale (None: every user's, after an organisation changed)."""
    store = cache().redis
    if store is None:
        return
    try:
        pipe = store.pipeline(transaction=False)
        for user_id in user_ids:
            pipe.incr(USERS_EPOCH_KEY if user_id is None else USER_EPOCH_KEY.format(user_id))
        pipe.execute()
    except RedisError:  # nothing to do but log: the snapshots expire within USER_TTL
        log.exception("user snapshot invalidation failed")


def cache() -> Cache:
    return current_app.extensions["portal.cache"]


def init_app(app: Flask, url: str | None) -> None:
    app.extensions["portal.cache"] = Cache(url)
    if not event.contains(AppSession, "after_commit", _bump):
        event.listen(AppSession, "after_flush", _mark)
        event.listen(AppSession, "after_commit", _bump)


def _watched() -> tuple[type, ...]:
    return ActionItem, ProgressUpdate, FocusArea, Organisation, Commitment, Recommendation, Meeting


def _ids(history_values) -> set[int]:
    return {o.id if hasattr(o, "id") else o for o in history_values if o is not None}


def _record_scopes(record) -> set[Scope]:
    """Who could see this item or meeting before the change and who can after: the scopes to bump."""
    state = inspect(record)
    scopes: set[Scope] = set()
    vis = state.attrs.visibility.history
    owners = state.attrs.owner_organisation_id.history
    owner_objs = state.attrs.owner_organisation.history
    shares = state.attrs.shared_with.history
    owner_ids = _ids([*owners.added, *owners.unchanged, *owners.deleted]) | _ids([*owner_objs.added, *owner_objs.unchanged, *owner_objs.deleted])
    if record.owner_organisation_id is not None:
        owner_ids.add(record.owner_organisation_id)
    scopes |= owner_ids
    for visibility in {*vis.added, *vis.unchanged, *vis.deleted, record.visibility}:
        if visibility == "public":
            scopes.add(ALL)
        elif visibility == "mdt":
            scopes.add(MDT)
        elif visibility == "partners":
            scopes |= _ids([*shares.added, *shares.unchanged, *shares.deleted])
    if not owner_ids:
        scopes.add(ALL)  # not known who owns it: everyone
    return scopes


def _scopes_of(session: Session, obj) -> set[Scope]:
    if isinstance(obj, (ActionItem, Meeting)):
        return _record_scopes(obj)
    if isinstance(obj, ProgressUpdate):
        item = session.identity_map.get(identity_key(ActionItem, obj.action_item_id)) if obj.action_item_id else None
        return _record_scopes(item) if item is not None else {ALL}
    return {ALL}  # the shared structure: focus areas, commitments, recommendations, organisations


def _mark(session: Session, _context) -> None:
    people: set[int | None] = {o.id for o in (*session.new, *session.dirty, *session.deleted) if isinstance(o, User)}
    if any(isinstance(o, Organisation) for o in (*session.dirty, *session.deleted)):
        people.add(None)
    if people:
        session.info.setdefault("portal.users", set()).update(people)
    watched = _watched()
    changed = [o for o in (*session.new, *session.deleted) if isinstance(o, watched)]
    # A dirty object counts when its own columns changed; a collection filled through a backref (a new item in an
    # organisation's or a focus area's list) is the other object's change. Items and meetings: their shares count too.
    changed += [o for o in session.dirty if isinstance(o, watched)
                and session.is_modified(o, include_collections=isinstance(o, (ActionItem, Meeting)))]
    if changed:
        scopes = session.info.setdefault("portal.bump", set())
        for obj in changed:
            scopes |= _scopes_of(session, obj)


def _bump(session: Session) -> None:
    people = session.info.pop("portal.users", None)
    if people and has_app_context() and "portal.cache" in current_app.extensions:
        _forget_users(people)
    scopes = session.info.pop("portal.bump", None)
    if scopes and has_app_context() and "portal.cache" in current_app.extensions:
        cache().bump(scopes)
