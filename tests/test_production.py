"""Two gunicorn instances, no shared memory, PostgreSQL + Redis: they must behave as one portal."""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from conftest import BACKEND, IN_CI, ROOT, _free_port_block

REDIS_URL = os.environ.get("TEST_REDIS_URL_PRODUCTION", "redis://127.0.0.1:6379/14")

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="production mode is PostgreSQL + Redis")


@pytest.fixture(scope="module")
def cluster(databases, idp, tmp_path_factory):
    import redis
    from alembic import command
    from sqlalchemy import select
    from sqlalchemy.orm import sessionmaker

    from models import AccessToken, ActionItem, Organisation, User
    from portal import reference
    from portal.cli import alembic_config
    from portal.extensions import make_engine

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"Redis is required in CI: {exc}")
        pytest.skip(f"Redis not reachable: {exc}")
    url = databases.new()
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    tokens = {}
    with sessionmaker(engine)() as session:
        reference.load(session)
        kmar = session.scalars(select(Organisation).where(Organisation.code == "KMAR")).one()
        for name in ("a", "b"):
            user = User(issuer="https://idp.test", subject=f"prod-{name}", name=f"Gebruiker {name}", organisation=kmar, role="member")
            session.add(user)
            session.flush()
            secret = secrets.token_urlsafe(24)
            session.add(AccessToken(user_id=user.id, name="test", prefix=secret[:8], token_hash=hashlib.sha256(secret.encode()).hexdigest()))
            tokens[name] = (user.id, secret)
        item = ActionItem(title="Gedeelde actie", owner_organisation=kmar, visibility="mdt")
        session.add(item)
        session.commit()
        item_id = item.id
    engine.dispose()

    config = tmp_path_factory.mktemp("prod") / "portal.toml"
    issuer = idp["kmar"]
    config.write_text(f'[[oidc.providers]]\nname = "kmar"\nlabel = "KMar"\nissuer = "{issuer}"\nclient_id = "portal"\n'
                      f'client_secret = "dev-secret-not-for-production"\norganisation = "KMAR"\n\n'
                      '[limits]\nenabled = true\nlogin = "4/minute"\nwrite = "1000/minute"\nexport = "100/minute"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(DATABASE_URL=url, REDIS_URL=REDIS_URL, PORTAL_ENV="production", SECRET_KEY="s" * 48,
               PORTAL_BASE_URL="https://mdt.example", PORTAL_CONFIG=str(config))
    ports = [_free_port_block(1), _free_port_block(1)]
    while ports[0] == ports[1]:
        ports[1] = _free_port_block(1)
    logdir = tmp_path_factory.mktemp("gunicorn")
    procs = [subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
                               "--bind", f"127.0.0.1:{port}", "--workers", "2", "wsgi:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(logdir / f"{port}.log", "w"))
             for port in ports]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    deadline = time.time() + 30
    for base, proc in zip(bases, procs, strict=False):
        while True:
            try:
                if requests.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.time() > deadline:
                logs = "\n".join(p.read_text()[-2000:] for p in logdir.iterdir())
                raise RuntimeError(f"gunicorn did not start: {logs}")
            time.sleep(0.2)
    yield {"bases": bases, "tokens": tokens, "item_id": item_id}
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=20)


def _redis_session(user_id: int) -> str:
    """A signed-in session as the portal stores it in Redis (what a login on either instance writes)."""
    import redis

    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC).isoformat()
    client = redis.Redis.from_url(REDIS_URL)
    key = hashlib.sha256(token.encode()).hexdigest()
    client.set(f"portal:session:{key}", json.dumps({"data": {"_user_id": str(user_id)}, "created_at": now, "last_seen_at": now}), ex=600)
    client.sadd(f"portal:user-sessions:{user_id}", key)
    return token


def test_a_session_is_valid_on_both_instances_and_revoked_on_both(cluster):
    user_id, _ = cluster["tokens"]["a"]
    cookie = {"Cookie": f"__Host-portal={_redis_session(user_id)}"}
    for base in cluster["bases"]:
        me = requests.get(f"{base}/api/v1/me", headers=cookie, timeout=5)
        assert me.status_code == 200 and me.json()["id"] == user_id
        assert me.headers["Strict-Transport-Security"].startswith("max-age=")
    from portal.sessions import RedisStore

    RedisStore(REDIS_URL).delete_for_user(user_id)
    for base in cluster["bases"]:
        assert requests.get(f"{base}/api/v1/me", headers=cookie, timeout=5).status_code == 401


def test_the_login_rate_limit_counts_across_both_instances(cluster):
    a, b = cluster["bases"]
    statuses = [requests.get(f"{base}/auth/login/kmar", allow_redirects=False, timeout=10).status_code for base in (a, b, a, b)]
    assert statuses == [302, 302, 302, 302]
    refused = requests.get(f"{a}/auth/login/kmar", allow_redirects=False, timeout=10)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert requests.get(f"{b}/auth/login/kmar", allow_redirects=False, timeout=10).status_code == 429


def test_concurrent_edits_on_two_instances_never_lose_an_update(cluster):
    url = "{base}/api/v1/action-items/" + str(cluster["item_id"])
    results = {}
    barrier = threading.Barrier(2)

    def edit(name, base):
        _, secret = cluster["tokens"][name]
        barrier.wait(timeout=10)
        results[name] = requests.patch(url.format(base=base), json={"title": f"Titel van {name}"},
                                       headers={"Authorization": f"Bearer {secret}", "If-Match": '"1"'}, timeout=10)

    threads = [threading.Thread(target=edit, args=(name, base)) for name, base in zip(("a", "b"), cluster["bases"], strict=False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    codes = sorted(r.status_code for r in results.values())
    assert codes == [200, 412]
    winner = next(name for name, r in results.items() if r.status_code == 200)
    loser = next(r for r in results.values() if r.status_code == 412)
    assert loser.json()["title"] == f"Titel van {winner}" and loser.json()["version"] == 2
    _, secret = cluster["tokens"]["a"]
    final = requests.get(url.format(base=cluster["bases"][1]), headers={"Authorization": f"Bearer {secret}"}, timeout=5).json()
    assert final["title"] == f"Titel van {winner}" and final["version"] == 2


def test_the_shared_cache_shows_a_write_on_one_instance_at_once_on_the_other(cluster):
    import re

    a, b = cluster["bases"]
    user_id, secret = cluster["tokens"]["a"]
    bearer = {"Authorization": f"Bearer {secret}"}
    cookie = {"Cookie": f"__Host-portal={_redis_session(user_id)}"}

    def totals(base):
        listed = requests.get(f"{base}/api/v1/action-items?per_page=1", headers=bearer, timeout=5).json()["total"]
        page = requests.get(f"{base}/", headers=cookie, timeout=5).text
        return listed, int(re.search(r'id="aantal-acties">(\d+)<', page).group(1))

    before = totals(a)
    assert totals(b) == before  # both instances now read the cached figures
    created = requests.post(f"{b}/api/v1/action-items", json={"title": "Nieuw via instantie B"}, headers=bearer, timeout=10)
    assert created.status_code == 201
    assert totals(a) == (before[0] + 1, before[1] + 1)
    assert "Nieuw via instantie B" in requests.get(f"{a}/", headers=cookie, timeout=5).text
