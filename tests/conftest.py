"""Test fixtures: one migrated database per run (SQLite or PostgreSQL), a rolled-back transaction per test.

Choose the backend with TEST_DATABASE=sqlite|postgresql (make test runs both).
With CI=true an unreachable PostgreSQL fails the run instead of skipping it.
"""
from __future__ import annotations

import email
import os
import uuid
from pathlib import Path

import psycopg
import pytest
from aiosmtpd.controller import Controller
from alembic import command
from sqlalchemy import event
from sqlalchemy.orm import sessionmaker

from portal import create_app
from portal.cli import alembic_config
from portal.config import load_settings
from portal.extensions import AppSession, Database

BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"


# make test runs the suite on both backends at once and sets TEST_SPLIT=1: a test marked once("sqlite") or
# once("postgresql") does not depend on the database (a browser, office software, the HTML checker, the OpenAPI fuzzer)
# and runs on the named backend only, so the two halves take about as long. Run alone, a backend runs everything.
SPLIT = os.environ.get("TEST_SPLIT", "") == "1"


def pytest_report_header(config):
    return f"database backend: {BACKEND}" + (" (tests marked once() for the other backend left out)" if SPLIT else "")


def pytest_configure(config):
    config.addinivalue_line("markers", "once(backend): independent of the database; make test runs it on that backend only")


def pytest_collection_modifyitems(config, items):
    if not SPLIT:
        return
    kept, elsewhere = [], []
    for item in items:
        mark = item.get_closest_marker("once")
        if mark is not None and mark.args[0] not in ("sqlite", "postgresql"):
            raise pytest.UsageError(f"{item.nodeid}: once() names sqlite or postgresql, not {mark.args[0]!r}")
        (elsewhere if mark is not None and mark.args[0] != BACKEND else kept).append(item)
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = kept


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


def migrated(databases: ThrowawayDatabases, with_reference: bool = True) -> str:
    """A new database at the newest revision, with the shipped reference data unless asked otherwise."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from portal import reference

    url = databases.new()
    command.upgrade(alembic_config(url), "head")
    if with_reference:
        engine = create_engine(url)
        with Session(engine) as session:
            reference.load(session)
            session.commit()
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def database_url(databases) -> str:
    """The run's database: migrated, with the shipped reference data loaded once (each test rolls back on top of it).
    A module that needs a database without reference data overrides `database_url` and `app` at module scope
    (`empty_database` below)."""
    return migrated(databases)


def empty_database():
    """(database_url, app) fixtures for a test module that needs a migrated database without reference data."""

    @pytest.fixture(scope="module")
    def database_url(databases) -> str:
        return migrated(databases, with_reference=False)

    @pytest.fixture(scope="module")
    def app(database_url, portal_toml):
        return create_app(make_settings(database_url, portal_toml))

    return database_url, app


ROOT = Path(__file__).resolve().parents[1]
IDP_NAMES = ("kmar", "politie", "ind", "om", "jenv", "partners")


def _free_port_block(size: int) -> int:
    import random
    import socket

    # Below the kernel's ephemeral range (32768-60999), so no outgoing connection takes the port between choosing and
    # binding it; each backend's suite draws from its own half, as both run at once.
    low = 20000 if BACKEND == "sqlite" else 26000
    for _ in range(50):
        base = random.randint(low, low + 6000 - size)
        try:
            sockets = []
            for port in range(base, base + size):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free ports")


def start_idp(workdir: Path, portal_url: str = "http://127.0.0.1:5000", backchannel_url: str | None = None):
    """Start devtools/idp on free loopback ports; returns (process, {name: issuer}). Back-channel logout tokens go to
    backchannel_url (default: the portal)."""
    import json
    import shutil
    import subprocess
    import time

    if shutil.which("node") is None or not (ROOT / "devtools" / "idp" / "node_modules" / "oidc-provider").exists():
        message = "node and devtools/idp/node_modules are required (make test installs them)"
        if IN_CI:
            pytest.exit(message, returncode=3)
        pytest.skip(message)
    ready = workdir / "ready.json"
    base = _free_port_block(len(IDP_NAMES))
    log_path = workdir / "idp.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            ["node", str(ROOT / "devtools" / "idp" / "server.js"), "--base-port", str(base),
             "--portal", portal_url, "--backchannel", backchannel_url or portal_url, "--ready-file", str(ready)],
            stdout=log, stderr=subprocess.STDOUT,
        )
    deadline = time.time() + 20
    while not ready.exists():
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            raise RuntimeError(f"the test OpenID provider did not start: {log_path.read_text()}")
        time.sleep(0.05)
    return proc, {entry["name"]: entry["issuer"] for entry in json.loads(ready.read_text())}


@pytest.fixture(scope="session")
def backchannel_inbox():
    """What the development provider posts to the portal's back-channel logout URL, captured on loopback for the whole
    session. The server binds port 0 before the provider starts, so no other process (the other backend's suite runs
    alongside) can take the port between choosing and binding it."""
    import threading

    from werkzeug.serving import make_server
    from werkzeug.wrappers import Request, Response

    received: list[tuple[str, str]] = []

    @Request.application
    def capture(request: Request) -> Response:
        received.append((request.path, request.get_data(as_text=True)))
        return Response(status=200)

    server = make_server("127.0.0.1", 0, capture, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.port, received
    server.shutdown()


@pytest.fixture(scope="session")
def backchannel_port(backchannel_inbox) -> int:
    """The loopback port where the development provider sends back-channel logout tokens."""
    return backchannel_inbox[0]


@pytest.fixture(scope="session")
def idp(tmp_path_factory, backchannel_port):
    """The development OpenID provider (npm oidc-provider), one issuer per organisation, on loopback."""
    proc, issuers = start_idp(tmp_path_factory.mktemp("idp"), backchannel_url=f"http://127.0.0.1:{backchannel_port}")
    yield issuers
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def hostile_idp():
    from idp_double import HostileProvider

    provider = HostileProvider()
    yield provider
    provider.stop()


def providers_toml(issuers: dict[str, str], hostile_issuer: str) -> str:
    blocks = []
    fixed = {"kmar": "KMAR", "politie": "POL", "ind": "IND", "om": "OM", "jenv": "JENV"}
    for name, issuer in issuers.items():
        lines = [f'name = "{name}"', f'label = "{name.upper()}"', f'issuer = "{issuer}"', 'client_id = "portal"',
                 'client_secret = "dev-secret-not-for-production"']
        if name in fixed:
            lines.append(f'organisation = "{fixed[name]}"')
        else:
            lines += ['organisation_claim = "organisation"',
                      'organisation_map = { "Ministerie van Buitenlandse Zaken" = "BZ", "Nederlandse Arbeidsinspectie" = "NLA", '
                      '"Expertisecentrum Mensenhandel en Mensensmokkel" = "EMM" }',
                      'default_role = "reader"']
        if name == "jenv":
            lines.append('role_claim = "roles"')
        blocks.append("[[oidc.providers]]\n" + "\n".join(lines))
    blocks.append("[[oidc.providers]]\n" + "\n".join([
        'name = "hostile"', 'label = "Hostile"', f'issuer = "{hostile_issuer}"', 'client_id = "portal"',
        'client_secret = "hostile-secret"', 'organisation = "POL"']))
    return "\n\n".join(blocks) + "\n"


# Service and view tests need no provider: the configuration names issuers on the discard port, where nothing
# answers, and nothing is fetched until someone signs in. Sign-in and browser tests use the real provider (idp_app).
STATIC_ISSUERS = {name: f"http://127.0.0.1:9/{name}" for name in IDP_NAMES}


def _write_toml(path: Path, issuers: dict[str, str], hostile_issuer: str) -> Path:
    path.write_text(providers_toml(issuers, hostile_issuer) + "\n[limits]\nenabled = false\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def portal_toml(hostile_idp, tmp_path_factory) -> Path:
    """The portal's configuration for every test that does not sign in through a real provider (no Node needed)."""
    return _write_toml(tmp_path_factory.mktemp("config") / "portal.toml", STATIC_ISSUERS, hostile_idp.issuer)


@pytest.fixture(scope="session")
def idp_toml(idp, hostile_idp, tmp_path_factory) -> Path:
    """The configuration pointing at the development OpenID provider (npm oidc-provider) on loopback."""
    return _write_toml(tmp_path_factory.mktemp("idp-config") / "portal.toml", idp, hostile_idp.issuer)


def make_settings(database_url: str, config: Path | None = None, **env):
    values = {"DATABASE_URL": database_url, "PORTAL_ENV": "test", "SECRET_KEY": "test-secret"}
    if config is not None:
        values["PORTAL_CONFIG"] = str(config)
    values.update(env)
    return load_settings(env=values)


@pytest.fixture(scope="session")
def app(database_url, portal_toml):
    return create_app(make_settings(database_url, portal_toml))


@pytest.fixture(scope="session")
def idp_app(database_url, idp_toml):
    """The app configured with the real provider, for sign-in tests (a test module overrides `app` with it)."""
    return create_app(make_settings(database_url, idp_toml))


@pytest.fixture()
def db_session(app):
    """Each test runs inside one outer transaction that is rolled back; commits become savepoints."""
    state = Database.state(app)
    connection = state.engine.connect()
    outer = connection.begin()
    original = state.factory
    state.factory = sessionmaker(bind=connection, class_=AppSession, join_transaction_mode="create_savepoint", expire_on_commit=False)
    session = state.factory()
    try:
        yield session
    finally:
        session.close()
        state.factory = original
        outer.rollback()
        connection.close()


@pytest.fixture()
def app_with(database_url, db_session):
    """app_with(config_path=None, **env): another app instance whose requests share the test's transaction."""

    def build(config: Path | None = None, **env):
        other = create_app(make_settings(database_url, config, **env))
        Database.state(other).factory = sessionmaker(
            bind=db_session.get_bind(), class_=AppSession, join_transaction_mode="create_savepoint", expire_on_commit=False)
        return other

    return build


@pytest.fixture()
def client(app, db_session):
    return app.test_client()


@pytest.fixture()
def loaded(db_session):
    """The shipped reference data (loaded once per run into the run's database, see database_url)."""
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


@pytest.fixture()
def make_user(db_session):
    """create_user(org_code, role="member", **fields) -> User, in the test's transaction."""
    from sqlalchemy import select

    from models import Organisation, User

    counter = {"n": 0}

    def create(org_code: str = "KMAR", role: str = "member", **fields):
        org = db_session.scalars(select(Organisation).where(Organisation.code == org_code)).one_or_none()
        if org is None:
            org = Organisation(code=org_code, name=f"Organisatie {org_code}", is_mdt_member=True)
            db_session.add(org)
            db_session.flush()
        counter["n"] += 1
        values = dict(issuer="https://idp.test", subject=f"user-{counter['n']}", name=f"Gebruiker {counter['n']}",
                      email=f"user{counter['n']}@{org_code.lower()}.test", organisation=org, role=role)
        values.update(fields)
        user = User(**values)
        db_session.add(user)
        db_session.flush()
        return user

    return create


@pytest.fixture()
def login_as():
    """login_as(client, user): a signed-in server-side session without the OpenID round trip."""

    def login(client, user):
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
        return client

    return login


@pytest.fixture()
def api(app, loaded, make_user, login_as):
    """api(org, role) -> a signed-in client on the reference data; .headers carry the CSRF token, .user is the user."""
    def client_for(org="KMAR", role="member"):
        user = make_user(org, role=role)
        client = login_as(app.test_client(), user)
        client.headers = {"X-CSRFToken": client.get("/api/v1/me").get_json()["csrf_token"]}
        client.user = user
        return client
    return client_for


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture()
def redis_db():
    """The tests' own Redis database (15), empty before and after each test (ids repeat: tests roll back)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.RedisError as exc:  # the suite needs Redis (README); say so plainly
        pytest.fail(f"Redis at {REDIS_URL} is needed for this test: {exc}")
    yield client
    client.flushdb()


@pytest.fixture()
def cached_app(app_with, portal_toml, redis_db):
    """An app with the shared cache in Redis, whose requests share the test's transaction."""
    return app_with(portal_toml, REDIS_URL=REDIS_URL)


@pytest.fixture()
def people(loaded, make_user):
    """The cast most tests need: two KMar members, Politie, IND, a JenV and a KMar coordinator, a KMar and a BZ reader."""
    return {
        "kmar": make_user("KMAR", name="Karin KMar"),
        "kmar2": make_user("KMAR", name="Kees KMar"),
        "pol": make_user("POL", name="Paul Politie"),
        "ind": make_user("IND", name="Ilse IND"),
        "coordinator": make_user("JENV", role="coordinator", name="Carla Coordinator"),
        "kmar_coordinator": make_user("KMAR", role="coordinator", name="Koen KMar-coördinator"),
        "reader": make_user("KMAR", role="reader", name="Rob Reader"),
        "bz": make_user("BZ", role="reader", name="Bea Buitenland"),
    }


class Inbox:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture()
def smtp():
    inbox = Inbox()
    port = _free_port_block(1)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.url = f"smtp://127.0.0.1:{port}"
    yield inbox
    controller.stop()


