"""Test fixtures: one migrated database per run (SQLite or PostgreSQL), a rolled-back transaction per test.

Choose the backend with TEST_DATABASE=sqlite|postgresql (make test runs both).
With CI=true an unreachable PostgreSQL fails the run instead of skipping it.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
import pytest
from alembic import command
from sqlalchemy import event
from sqlalchemy.orm import sessionmaker

from portal import create_app
from portal.cli import alembic_config
from portal.config import load_settings
from portal.extensions import Database, make_engine

BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_report_header(config):
    return f"database backend: {BACKEND}"


class ThrowawayDatabases:
    """Creates databases for this run and drops them all at the end."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.created: list[str] = []

    def new(self) -> str:
        name = f"portal_test_{uuid.uuid4().hex[:12]}"
        if BACKEND == "sqlite":
            return f"sqlite:///{self.tmp / (name + '.db')}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        return f"{base}/{name}"

    def drop_all(self) -> None:
        if not self.created:
            return
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    if BACKEND not in ("sqlite", "postgresql"):
        pytest.exit(f"TEST_DATABASE must be sqlite or postgresql, not {BACKEND!r}", returncode=2)
    if BACKEND == "postgresql":
        try:
            psycopg.connect(PG_ADMIN_URL, connect_timeout=5).close()
        except psycopg.OperationalError as exc:
            if IN_CI:
                pytest.exit(f"PostgreSQL is required in CI and not reachable: {exc}", returncode=3)
            pytest.skip(f"PostgreSQL not reachable: {exc}")
    registry = ThrowawayDatabases(tmp_path_factory.mktemp("db"))
    yield registry
    registry.drop_all()


@pytest.fixture(scope="session")
def database_url(databases) -> str:
    url = databases.new()
    command.upgrade(alembic_config(url), "head")
    return url


@pytest.fixture(scope="session")
def app(database_url):
    settings = load_settings(env={"DATABASE_URL": database_url, "PORTAL_ENV": "test", "SECRET_KEY": "test-secret"})
    return create_app(settings)


@pytest.fixture()
def db_session(app):
    """Each test runs inside one outer transaction that is rolled back; commits become savepoints."""
    state = Database.state(app)
    connection = state.engine.connect()
    outer = connection.begin()
    original = state.factory
    state.factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    session = state.factory()
    try:
        yield session
    finally:
        session.close()
        state.factory = original
        outer.rollback()
        connection.close()


@pytest.fixture()
def client(app, db_session):
    return app.test_client()


@pytest.fixture()
def loaded(db_session):
    """The shipped reference data, loaded inside the test's transaction."""
    from portal import reference

    reference.load(db_session)
    db_session.flush()
    return db_session


@pytest.fixture()
def count_statements(app):
    """Counts SQL statements sent during a block: with count_statements() as n: ...; n.value"""
    from contextlib import contextmanager

    @contextmanager
    def counter():
        box = type("Count", (), {"value": 0})()

        def before(*_args, **_kwargs):
            box.value += 1

        engine = Database.state(app).engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield box
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counter
