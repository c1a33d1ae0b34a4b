"""Shared extension objects: the database engine and a session per app context."""
from __future__ import annotations

import contextlib
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 30000
OPTIMIZE_EVERY = 3600  # seconds between PRAGMA optimize runs per SQLite connection


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):
            # SQLite ignores foreign keys unless asked, per connection.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # Readers never wait for a writer, and a writer waits (busy timeout) instead of failing.
            if parsed.database and parsed.database != ":memory:":
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.close()
            # Let SQLAlchemy, not pysqlite, decide where transactions begin, so
            # savepoints and rollbacks behave as on PostgreSQL.
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "checkin")
        def _sqlite_statistics(dbapi_connection, record):
            # SQLite keeps no planner statistics by itself; without them a focus area's list sorts the area's items
            # instead of walking the due-date index. SQLite's advice for long-lived connections: PRAGMA optimize now and then (it
            # analyses, within a bounded sample, only what the connection's queries used and could gain from).
            last = record.info.get("portal.optimized")
            if dbapi_connection is None or (last is not None and time.monotonic() < last + OPTIMIZE_EVERY):
                return
            try:  # never wait for a writer here: busy now, the next check-in tries again
                dbapi_connection.execute("PRAGMA busy_timeout=0")
                dbapi_connection.execute("PRAGMA analysis_limit=1000")
                dbapi_connection.execute("PRAGMA optimize")
                record.info["portal.optimized"] = time.monotonic()
            except sqlite3.Error:
                pass
            finally:
                with contextlib.suppress(sqlite3.Error):
                    dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            # Rule 12: a transaction that may write takes the write lock when it starts, so two
            # simultaneous writes queue and the second sees the first's version (409/412), where a
            # deferred BEGIN would fail with "database is locked" when it upgrades to a writer.
            connection.exec_driver_sql("BEGIN" if _reads_only() else "BEGIN IMMEDIATE")

        return _noting_writes(engine)
    return _noting_writes(create_engine(url, pool_pre_ping=True))


WROTE = "portal.wrote"  # in a connection's info: a statement other than a SELECT ran in its current transaction


def _noting_writes(engine: Engine) -> Engine:
    """Marks a connection whose transaction ran anything but a SELECT (or SQLite's BEGIN), until that transaction ends
    (Database._teardown)."""
    def note(conn, _cursor, statement: str, *_args) -> None:
        if not statement.lstrip()[:6].upper().startswith(("SELECT", "BEGIN")):
            conn.info[WROTE] = True

    def ended(conn) -> None:
        conn.info.pop(WROTE, None)

    event.listen(engine, "before_cursor_execute", note)
    event.listen(engine, "commit", ended)
    event.listen(engine, "rollback", ended)
    return engine


def _reads_only() -> bool:
    """True inside a GET/HEAD/OPTIONS request: those transactions start deferred (shared)."""
    return has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")


class AppSession(Session):
    """The portal's database sessions (every `db.session`): the cache listens to their flushes and commits
    (portal/cache.py), not to every SQLAlchemy session in the process."""


@dataclass
class _DatabaseState:
    engine: Engine
    factory: sessionmaker


class Database:
    """`db.session` is one SQLAlchemy session per app context, closed on teardown."""

    def init_app(self, app: Flask, url: str) -> None:
        engine = make_engine(url)
        app.extensions["portal.db"] = _DatabaseState(engine, sessionmaker(engine, class_=AppSession, expire_on_commit=False))
        app.teardown_appcontext(self._teardown)

    @staticmethod
    def state(app: Flask | None = None) -> _DatabaseState:
        return (app or current_app).extensions["portal.db"]

    @property
    def engine(self) -> Engine:
        return self.state().engine

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = self.state().factory()
        return g.db_session

    @staticmethod
    def _teardown(exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is None:
            return
        if exc is None and session.in_transaction() and not (session.new or session.dirty or session.deleted):
            if not session.connection().info.get(WROTE):
                # A transaction that only read ends with COMMIT (there is nothing to keep) rather than ROLLBACK: psycopg
                # forgets its prepared statements at every ROLLBACK, and PostgreSQL would plan a page's statements anew on
                # every request. Anything else (an error, a change not committed) is rolled back by close().
                with contextlib.suppress(SQLAlchemyError):  # nothing to keep: close() cleans up after a failed commit
                    session.commit()
        session.close()


db = Database()


def _client_address() -> str:
    return request.remote_addr or "unknown"


from flask_limiter import ApplicationLimit, Limiter  # noqa: E402
from flask_login import LoginManager  # noqa: E402
from flask_wtf.csrf import CSRFProtect  # noqa: E402

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def login_limit() -> str:
    return current_app.config["PORTAL_SETTINGS"].limits.login


def write_limit() -> str:
    return current_app.config["PORTAL_SETTINGS"].limits.write


def export_limit() -> str:
    return current_app.config["PORTAL_SETTINGS"].limits.export


def user_key() -> str:
    """Writes and exports are limited per signed-in user (per address before sign-in)."""
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.get_id()}"
    return request.remote_addr or "anon"


def counts_as_download(view):
    """Mark a view as a download (export, minutes, attachment, invitation): it counts against `export`."""
    view.is_download = True
    return view


def is_download() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "is_download", False))


def _not_a_write() -> bool:
    return request.method in SAFE_METHODS


def _not_a_download() -> bool:
    return not is_download()


# Rule 9 in one place: every state change (pages, htmx and API alike) shares the user's `write`
# budget, every download the `export` budget, without a decorator a new route could forget.
# Sign-in routes add the per-address `login` limit on top (auth/views.py).
limiter = Limiter(key_func=_client_address, headers_enabled=True, application_limits=[
    ApplicationLimit(write_limit, key_function=user_key, scope="write", exempt_when=_not_a_write),
    ApplicationLimit(export_limit, key_function=user_key, scope="export", exempt_when=_not_a_download),
])
login_manager = LoginManager()
csrf = CSRFProtect()


def sign_in_limit(view):
    """The per-address `login` limit of the sign-in routes, on top of the application limits."""
    limited = limiter.shared_limit(login_limit, scope="auth")(view)
    limited.has_own_limit = True
    return limited


@limiter.request_filter
def _nothing_to_count() -> bool:
    """A read that is no download and no sign-in step counts against no limit: the limiter is skipped outright
    (it would otherwise resolve and evaluate every limit to exempt it, a third of a probe's time)."""
    if request.method not in SAFE_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not (getattr(view, "is_download", False) or getattr(view, "has_own_limit", False))
