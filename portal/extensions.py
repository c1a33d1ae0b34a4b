"""Shared extension objects: the database engine and a session per app context."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


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
            cursor.close()
            # Let SQLAlchemy, not pysqlite, decide where transactions begin, so
            # savepoints and rollbacks behave as on PostgreSQL.
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            connection.exec_driver_sql("BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


@dataclass
class _DatabaseState:
    engine: Engine
    factory: sessionmaker


class Database:
    """`db.session` is one SQLAlchemy session per app context, closed on teardown."""

    def init_app(self, app: Flask, url: str) -> None:
        engine = make_engine(url)
        app.extensions["portal.db"] = _DatabaseState(engine, sessionmaker(engine, expire_on_commit=False))
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
    def _teardown(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


db = Database()


def _client_address() -> str:
    from flask import request

    return request.remote_addr or "unknown"


from flask_limiter import Limiter  # noqa: E402
from flask_login import LoginManager  # noqa: E402
from flask_wtf.csrf import CSRFProtect  # noqa: E402

limiter = Limiter(key_func=_client_address, headers_enabled=True)


def login_limit() -> str:
    return current_app.config["PORTAL_SETTINGS"].limits.login


def write_limit() -> str:
    return current_app.config["PORTAL_SETTINGS"].limits.write


def export_limit() -> str:
    return current_app.config["PORTAL_SETTINGS"].limits.export


def user_key() -> str:
    """Writes and exports are limited per signed-in user (per address before sign-in)."""
    from flask import request
    from flask_login import current_user

    if current_user and current_user.is_authenticated:
        return f"user:{current_user.get_id()}"
    return request.remote_addr or "anon"
login_manager = LoginManager()
csrf = CSRFProtect()
