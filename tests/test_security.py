"""Sessions (timeouts, cookies, Redis), rate limits, headers and error pages."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, update

from models import AuditEvent, ServerSession

from conftest import REDIS_URL


def _age_session(db_session, **delta):
    row = db_session.scalars(select(ServerSession)).one()
    db_session.execute(update(ServerSession).where(ServerSession.id == row.id).values(
        last_seen_at=row.last_seen_at - timedelta(**delta.get("idle", {})),
        created_at=row.created_at - timedelta(**delta.get("age", {})),
    ))


@pytest.fixture()
def signed_in(app, loaded, make_user, login_as):
    client = login_as(app.test_client(), make_user("KMAR"))
    assert client.get("/framework").status_code == 200
    return client


def test_idle_timeout_ends_the_session(signed_in, db_session):
    _age_session(db_session, idle={"minutes": 29})
    assert signed_in.get("/framework").status_code == 200
    _age_session(db_session, idle={"minutes": 31})
    assert signed_in.get("/framework").status_code == 302


def test_absolute_timeout_ends_an_active_session(signed_in, db_session):
    _age_session(db_session, age={"hours": 9, "minutes": 50})
    assert signed_in.get("/framework").status_code == 200
    _age_session(db_session, age={"minutes": 20})
    assert signed_in.get("/framework").status_code == 302


def test_cookie_holds_only_an_id_and_the_database_only_its_hash(signed_in, db_session):
    cookie = signed_in.get_cookie("portal")
    assert cookie.http_only and cookie.same_site == "Lax"
    row = db_session.scalars(select(ServerSession)).one()
    assert row.id != cookie.value and len(row.id) == 64
    assert row.user_id is not None


def test_production_cookie_is_secure_and_host_prefixed(app_with):
    app = app_with(PORTAL_ENV="production", SECRET_KEY="p" * 40, PORTAL_BASE_URL="https://mdt.example")
    response = app.test_client().get("/login", base_url="https://mdt.example")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-portal=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_login_is_rate_limited(app_with, portal_toml, tmp_path):
    config = tmp_path / "limited.toml"
    config.write_text(portal_toml.read_text().replace("enabled = false", 'enabled = true\nlogin = "3/minute"'))
    app = app_with(config)
    client = app.test_client()
    statuses = [client.get("/auth/login/hostile").status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    refused = client.get("/auth/callback/hostile?code=x&state=y")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Te veel verzoeken" in refused.get_data(as_text=True)
    # Another client address has its own budget.
    other = client.get("/auth/login/hostile", environ_base={"REMOTE_ADDR": "127.0.0.9"})
    assert other.status_code == 302


def test_host_header_cannot_change_the_redirect_uri(client):
    response = client.get("/auth/login/hostile", headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
    redirect_uri = parse_qs(urlsplit(response.headers["Location"]).query)["redirect_uri"][0]
    assert redirect_uri == "http://127.0.0.1:5000/auth/callback/hostile"


def test_errors_show_a_generic_dutch_page(signed_in, monkeypatch):
    from portal.framework import views

    def boom():
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views.rollup, "summary", lambda *a, **k: boom())
    response = signed_in.get("/framework")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Er ging iets mis" in body and "secret internals" not in body and "Traceback" not in body
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_confidential_pages_are_not_cached(signed_in):
    assert signed_in.get("/framework").headers["Cache-Control"] == "no-store"


def test_grant_role_command(app, db_session, make_user):
    user = make_user("JENV", email="eerste.beheerder@jenv.example")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["portal", "grant-role", "Eerste.Beheerder@jenv.example", "admin"])
    assert result.exit_code == 0, result.output
    db_session.refresh(user)
    assert user.role == "admin"
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "user.role_changed")).one()
    assert event.diff["role"] == ["member", "admin"]
    missing = runner.invoke(args=["portal", "grant-role", "niemand@example.nl", "admin"])
    assert missing.exit_code != 0 and "Geen gebruiker" in missing.output
    wrong = runner.invoke(args=["portal", "grant-role", "eerste.beheerder@jenv.example", "god"])
    assert wrong.exit_code != 0


def test_redis_sessions_survive_across_app_instances_and_are_revoked(redis_db, app_with, portal_toml, db_session,
                                                                      make_user, login_as):
    first, second = app_with(portal_toml, REDIS_URL=REDIS_URL), app_with(portal_toml, REDIS_URL=REDIS_URL)
    user = make_user("KMAR")
    client = login_as(first.test_client(), user)
    assert client.get("/framework").status_code == 200
    assert db_session.scalars(select(ServerSession)).all() == []  # nothing in the database
    cookie = client.get_cookie("portal").value

    # A second process with the same Redis accepts the same session.
    other = second.test_client()
    other.set_cookie("portal", cookie)
    assert other.get("/framework").status_code == 200

    store = first.extensions["portal.session_store"]
    assert store.count_for_user(user.id) == 1
    store.delete_for_user(user.id)
    assert other.get("/framework").status_code == 302


def test_backup_command_makes_a_usable_copy(app_with, database_url, tmp_path, db_session):
    import sqlite3
    import subprocess

    from conftest import BACKEND

    db_session.commit()
    target = tmp_path / ("portal.db" if BACKEND == "sqlite" else "portal.dump")
    result = app_with().test_cli_runner().invoke(args=["portal", "backup", str(target)])
    assert result.exit_code == 0, result.output
    if BACKEND == "sqlite":
        copy = sqlite3.connect(target)
        tables = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        copy.close()
        assert {"action_items", "audit_events", "alembic_version"} <= tables
    else:
        assert target.read_bytes().startswith(b"PGDMP")
        listing = subprocess.run(["pg_restore", "--list", str(target)], capture_output=True, text=True, check=True).stdout
        assert "TABLE public action_items" in listing and "TRIGGER public audit_events audit_events_append_only" in listing


def test_request_log_is_json_with_a_request_id(client, capsys):
    import json

    response = client.get("/healthz?code=SECRET-CODE", headers={"X-Request-ID": "abc12345-proxy"})
    assert response.headers["X-Request-ID"] == "abc12345-proxy"
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    entry = next(e for e in lines if e.get("path") == "/healthz")
    assert entry["request_id"] == "abc12345-proxy" and entry["status"] == 200 and "SECRET-CODE" not in json.dumps(entry)
    assert client.get("/healthz", headers={"X-Request-ID": "bad id <script>"}).headers["X-Request-ID"] != "bad id <script>"


def test_request_log_names_the_signed_in_user(app, loaded, make_user, login_as, capsys):
    import json

    user = make_user("IND")
    client = login_as(app.test_client(), user)
    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/toegankelijkheid").status_code == 200  # a public page: the user is not loaded, the log still says who
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [e["user"] for e in lines if e.get("path") in ("/api/v1/me", "/toegankelijkheid")] == [str(user.id), str(user.id)]


def test_the_probe_answers_before_the_request_machinery(app_with, portal_toml):
    """GET /healthz is answered before Flask (portal/probe.py): no hook, session, user or rate limiter runs, and the answer
    still carries the security headers and a request id. Other methods go on to the app."""
    from flask import request

    app = app_with(portal_toml)
    seen: list[str] = []
    app.before_request(lambda: seen.append(request.path))
    client = app.test_client()
    answer = client.get("/healthz", headers={"X-Request-ID": "probe-1234"})
    assert (answer.status_code, answer.get_json(), seen) == (200, {"status": "ok"}, [])
    assert answer.headers["X-Request-ID"] == "probe-1234" and answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Frame-Options"] == "DENY" and "default-src 'self'" in answer.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in answer.headers
    head = client.head("/healthz")
    assert (head.status_code, head.data) == (200, b"")
    assert client.post("/healthz").status_code in (400, 405) and seen == ["/healthz"]


def test_numbers_in_other_digits_are_no_numbers_and_no_error(app, loaded, make_user, login_as):
    """'²' and Arabic-Indic digits pass str.isdigit() but are no id: one shared reader (inputs.bounded_int) refuses them."""
    from portal.inputs import bounded_int

    assert [bounded_int(v) for v in ("12", "²", "١٢", "1234567890", "", None)] == [12, None, None, None, None, None]
    client = login_as(app.test_client(), make_user("JENV", role="coordinator"))
    for url in ("/framework?framework=²", "/admin/audit?user=١٢", "/actions?recommendation=²", "/actions?assignee=²",
                "/api/v1/action-items?assignee=²", "/api/v1/framework?framework=²"):
        assert client.get(url).status_code < 500, url
    refused = client.get("/api/v1/action-items?recommendation=²")
    assert refused.status_code == 400 and "recommendation" in refused.get_json()["error"]["fields"]
