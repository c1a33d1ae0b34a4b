"""Sign-in against the real development OpenID provider, and hostile providers that answer wrongly."""
from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from models import AuditEvent, ServerSession, User

from conftest import REDIS_URL

PORTAL = "http://127.0.0.1:5000"


@pytest.fixture(scope="session")
def app(idp_app):
    """Sign-in is tested against the real provider on loopback."""
    return idp_app


def idp_login(client, provider: str, username: str, password: str, next_path: str | None = None):
    """Walk the whole authorization code flow: portal -> provider login page -> portal callback."""
    return idp_sign_in(client, provider, username, password, next_path)[0]


def idp_sign_in(client, provider: str, username: str, password: str, next_path: str | None = None):
    """The same; also returns the browser at the provider (its cookies hold the provider's session)."""
    query = f"?next={next_path}" if next_path else ""
    start = client.get(f"/auth/login/{provider}{query}")
    assert start.status_code == 302, start.get_data(as_text=True)
    browser = requests.Session()
    page = browser.get(start.headers["Location"], timeout=10)
    assert page.status_code == 200 and "Demo-accounts" in page.text
    action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
    response = browser.post(urljoin(page.url, action), data={"username": username, "password": password},
                            allow_redirects=False, timeout=10)
    for _ in range(10):
        location = response.headers.get("Location", "")
        if location.startswith(PORTAL):
            return client.get(location[len(PORTAL):]), browser
        assert response.status_code in (302, 303), response.text
        response = browser.get(urljoin(response.url, location), allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back to the portal")


def users(session) -> int:
    return session.scalar(select(func.count()).select_from(User))


def signed_in_sessions(session) -> int:
    return session.scalar(select(func.count()).select_from(ServerSession).where(ServerSession.user_id.is_not(None)))


def last_audit(session, action: str) -> AuditEvent:
    return session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())).first()


# -- the real provider ------------------------------------------------------------

@pytest.mark.parametrize(
    ("provider", "username", "organisation", "role"),
    [
        ("kmar", "kmar", "KMAR", "member"),
        ("politie", "politie", "POL", "member"),
        ("ind", "ind", "IND", "member"),
        ("om", "om", "OM", "member"),
        ("jenv", "jenv", "JENV", "member"),
        ("jenv", "coordinator", "JENV", "coordinator"),
        ("jenv", "admin", "JENV", "admin"),
        ("partners", "bz", "BZ", "reader"),
        ("partners", "emm", "EMM", "reader"),
    ],
)
def test_full_login_per_organisation(client, loaded, idp, provider, username, organisation, role):
    response = idp_login(client, provider, username, f"{username}-demo", next_path="/framework")
    assert response.status_code == 302
    assert response.headers["Location"] == "/framework"
    user = loaded.scalars(select(User)).one()
    assert (user.issuer, user.subject) == (idp[provider], username)
    assert user.organisation.code == organisation
    assert user.role == role
    assert user.email.endswith(".example") and user.name
    me = client.get("/api/v1/me").get_json()
    assert me["organisation"] == organisation and me["role"] == role and me["csrf_token"]
    assert client.get("/framework").status_code == 200
    event = last_audit(loaded, "login.success")
    assert event.actor_id == user.id and event.diff["provider"] == provider and event.diff["user_created"] is True


def test_second_login_reuses_the_account_and_renews_the_session(client, loaded, idp):
    idp_login(client, "kmar", "kmar", "kmar-demo")
    first_cookie = client.get_cookie("portal").value
    idp_login(client, "kmar", "kmar", "kmar-demo")
    assert users(loaded) == 1
    assert client.get_cookie("portal").value != first_cookie
    # The old cookie is worthless now.
    client.set_cookie("portal", first_cookie)
    assert client.get("/framework").status_code == 302


def test_session_id_before_login_is_worthless_after(client, loaded, idp):
    client.get("/login")  # an anonymous session with a CSRF token
    before = client.get_cookie("portal").value
    idp_login(client, "politie", "politie", "politie-demo")
    after = client.get_cookie("portal").value
    assert before != after
    client.set_cookie("portal", before)
    assert client.get("/").status_code == 302


def test_unknown_organisation_is_refused_and_nothing_stored(client, loaded, idp):
    response = idp_login(client, "partners", "onbekend", "onbekend-demo")
    assert response.status_code == 400
    assert "Uw organisatie kon niet worden vastgesteld" in response.get_data(as_text=True)
    assert users(loaded) == 0 and signed_in_sessions(loaded) == 0
    assert last_audit(loaded, "login.failure").diff["reason"] == "organisation_unknown"


def test_logout_ends_the_session_and_logs_out_at_the_provider(client, loaded, idp):
    idp_login(client, "kmar", "kmar", "kmar-demo")
    cookie = client.get_cookie("portal").value
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
    response = client.post("/auth/logout", data={"csrf_token": csrf})
    assert response.status_code == 302
    end_session = urlsplit(response.headers["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}" == idp["kmar"]
    assert parse_qs(end_session.query)["post_logout_redirect_uri"] == [f"{PORTAL}/login"]
    assert signed_in_sessions(loaded) == 0
    client.set_cookie("portal", cookie)
    assert client.get("/").status_code == 302
    assert last_audit(loaded, "logout") is not None


def test_logout_without_csrf_token_is_refused(client, loaded, idp):
    idp_login(client, "kmar", "kmar", "kmar-demo")
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/framework").status_code == 200


def test_authorization_request_uses_pkce_state_and_nonce(client, idp):
    response = client.get("/auth/login/kmar")
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 43 and len(query["nonce"][0]) >= 43  # 32 random bytes each
    assert query["redirect_uri"] == [f"{PORTAL}/auth/callback/kmar"]
    assert "openid" in query["scope"][0].split()


def test_many_unfinished_logins_do_not_break_login(client, loaded, idp):
    for _ in range(30):
        client.get("/auth/login/kmar")
    assert idp_login(client, "kmar", "kmar", "kmar-demo").status_code == 302
    assert users(loaded) == 1


def test_deactivated_user_loses_sessions_at_next_request(client, loaded, idp, make_user, login_as, app):
    idp_login(client, "ind", "ind", "ind-demo")
    user = loaded.scalars(select(User)).one()
    admin_client = app.test_client()
    login_as(admin_client, make_user("JENV", role="admin"))
    csrf = admin_client.get("/api/v1/me").get_json()["csrf_token"]
    response = admin_client.post(f"/admin/users/{user.id}", data={"csrf_token": csrf, "role": "member", "is_active": "0"})
    assert response.status_code == 302
    assert client.get("/framework").status_code == 302
    again = idp_login(client, "ind", "ind", "ind-demo")
    assert again.status_code == 400 and "uitgeschakeld" in again.get_data(as_text=True)


def test_provider_down_gives_a_clean_error(app, client, loaded):
    from portal.auth.oidc import ProviderClient
    from portal.config import OIDCProvider

    clients = app.extensions["portal.oidc"]
    clients["down"] = ProviderClient(
        OIDCProvider(name="down", label="Onbereikbaar", issuer="http://127.0.0.1:9", client_id="portal",
                     client_secret="x", organisation="KMAR"), f"{PORTAL}/auth/callback/down")
    try:
        response = client.get("/auth/login/down")
    finally:
        del clients["down"]
    assert response.status_code == 503
    assert "niet bereikbaar" in response.get_data(as_text=True)
    assert last_audit(loaded, "login.failure").diff["reason"] == "discovery_unreachable"


# -- hostile provider ----------------------------------------------------------------

def start_hostile(client, next_path: str = "/framework"):
    response = client.get(f"/auth/login/hostile?next={next_path}")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    return query["state"][0], query["nonce"][0]


def assert_refused(loaded, response, reason: str):
    assert response.status_code == 400, response.get_data(as_text=True)
    body = response.get_data(as_text=True)
    assert "Inloggen niet gelukt" in body
    assert users(loaded) == 0
    assert signed_in_sessions(loaded) == 0
    assert last_audit(loaded, "login.failure").diff["reason"] == reason


def test_hostile_valid_token_is_accepted(client, loaded, hostile_idp):
    """The control case: the double's well-formed answer does log in, so refusals below mean something."""
    state, nonce = start_hostile(client)
    hostile_idp.answer(hostile_idp.sign(hostile_idp.claims(nonce)))
    response = client.get(f"/auth/callback/hostile?code=c1&state={state}")
    assert response.status_code == 302 and response.headers["Location"] == "/framework"
    assert users(loaded) == 1
    request = hostile_idp.token_requests[-1]
    assert request["form"]["code_verifier"] and request["authorization"].startswith("Basic ")


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("bad_signature", "id_token_signature"),
        ("alg_none", "id_token_alg_refused"),
        ("hs256_public_key", "id_token_alg_refused"),
        ("unknown_kid", "unknown_kid"),
        ("wrong_issuer", "id_token_issuer"),
        ("wrong_audience", "id_token_audience"),
        ("wrong_audience_azp_us", "id_token_audience"),
        ("azp_other", "id_token_azp"),
        ("expired", "id_token_expired"),
        ("future", "id_token_issued_in_future"),
        ("nonce_missing", "id_token_nonce"),
        ("nonce_mismatch", "id_token_nonce"),
        ("no_id_token", "no_id_token"),
    ],
)
def test_hostile_token_is_refused(client, loaded, hostile_idp, case, reason):
    state, nonce = start_hostile(client)
    h = hostile_idp
    now = int(time.time())
    tokens = {
        "bad_signature": lambda: h.sign(h.claims(nonce), key=h.other_key),
        "alg_none": lambda: h.unsigned(h.claims(nonce)),
        "hs256_public_key": lambda: h.hs256_with_public_key(h.claims(nonce)),
        "unknown_kid": lambda: h.sign(h.claims(nonce), key=h.other_key, kid="k-unknown"),
        "wrong_issuer": lambda: h.sign(h.claims(nonce, iss="https://evil.example")),
        "wrong_audience": lambda: h.sign(h.claims(nonce, aud="someone-else")),
        "wrong_audience_azp_us": lambda: h.sign(h.claims(nonce, aud=["someone-else"], azp="portal")),
        "azp_other": lambda: h.sign(h.claims(nonce, aud=["portal", "other"], azp="other")),
        "expired": lambda: h.sign(h.claims(nonce, exp=now - 120, iat=now - 600)),
        "future": lambda: h.sign(h.claims(nonce, iat=now + 600, exp=now + 900)),
        "nonce_missing": lambda: h.sign(h.claims(nonce, nonce=None)),
        "nonce_mismatch": lambda: h.sign(h.claims("another-nonce")),
        "no_id_token": lambda: None,
    }
    h.answer(tokens[case]())
    response = client.get(f"/auth/callback/hostile?code=c1&state={state}")
    assert_refused(loaded, response, reason)


def test_unknown_kid_refetches_keys_once_then_refuses(client, loaded, hostile_idp, app):
    app.extensions["portal.oidc"]["hostile"]._last_refetch = 0.0
    before = hostile_idp.jwks_hits
    for _ in range(2):
        state, nonce = start_hostile(client)
        hostile_idp.answer(hostile_idp.sign(hostile_idp.claims(nonce), key=hostile_idp.other_key, kid="rotated"))
        assert_refused(loaded, client.get(f"/auth/callback/hostile?code=c1&state={state}"), "unknown_kid")
    assert hostile_idp.jwks_hits - before == 1


def test_state_mismatch_is_refused(client, loaded, hostile_idp):
    _state, nonce = start_hostile(client)
    hostile_idp.answer(hostile_idp.sign(hostile_idp.claims(nonce)))
    assert_refused(loaded, client.get("/auth/callback/hostile?code=c1&state=forged"), "state_mismatch")


def test_state_from_another_browser_is_refused(client, loaded, hostile_idp, app):
    state, nonce = start_hostile(app.test_client())
    hostile_idp.answer(hostile_idp.sign(hostile_idp.claims(nonce)))
    assert_refused(loaded, client.get(f"/auth/callback/hostile?code=c1&state={state}"), "state_mismatch")


def test_code_replay_is_refused(client, loaded, hostile_idp):
    state, nonce = start_hostile(client)
    hostile_idp.answer(hostile_idp.sign(hostile_idp.claims(nonce)))
    assert client.get(f"/auth/callback/hostile?code=c1&state={state}").status_code == 302
    client.post("/auth/logout", data={"csrf_token": client.get("/api/v1/me").get_json()["csrf_token"]})
    assert signed_in_sessions(loaded) == 0
    # Same callback URL again: the state was used up ...
    replay = client.get(f"/auth/callback/hostile?code=c1&state={state}")
    assert replay.status_code == 400
    assert last_audit(loaded, "login.failure").diff["reason"] == "state_mismatch"
    # ... and with a fresh state the provider refuses the spent code.
    state2, _ = start_hostile(client)
    replay = client.get(f"/auth/callback/hostile?code=c1&state={state2}")
    assert replay.status_code == 400
    assert last_audit(loaded, "login.failure").diff["reason"] == "token_error"
    assert signed_in_sessions(loaded) == 0 and users(loaded) == 1


def test_error_description_with_markup_is_not_shown(client, loaded, hostile_idp):
    state, _ = start_hostile(client)
    response = client.get(f"/auth/callback/hostile?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C/script%3E%0AFAKE&state={state}")
    assert_refused(loaded, response, "provider_error")
    body = response.get_data(as_text=True)
    assert "<script>alert(1)" not in body and "alert(1)" not in body
    stored = last_audit(loaded, "login.failure").diff["error_description"]
    assert "\n" not in stored and "\\x0a" in stored


def test_iss_parameter_from_another_provider_is_refused(client, loaded, hostile_idp, idp):
    state, nonce = start_hostile(client)
    hostile_idp.answer(hostile_idp.sign(hostile_idp.claims(nonce)))
    response = client.get(f"/auth/callback/hostile?code=c1&state={state}&iss={idp['kmar']}")
    assert_refused(loaded, response, "iss_parameter_mismatch")


def test_state_for_one_provider_is_refused_at_another(client, loaded, hostile_idp):
    state, nonce = start_hostile(client)
    hostile_idp.answer(hostile_idp.sign(hostile_idp.claims(nonce)))
    response = client.get(f"/auth/callback/kmar?code=c1&state={state}")
    assert_refused(loaded, response, "state_mismatch")


def test_userinfo_with_another_subject_is_refused(client, loaded, hostile_idp):
    state, nonce = start_hostile(client)
    hostile_idp.userinfo = {"sub": "somebody-else", "name": "X", "email": "x@hostile.test"}
    try:
        hostile_idp.answer(hostile_idp.sign(hostile_idp.claims(nonce, name=None, email=None)))
        response = client.get(f"/auth/callback/hostile?code=c1&state={state}")
    finally:
        hostile_idp.userinfo = {}
    assert_refused(loaded, response, "userinfo_sub_mismatch")


def test_discovery_naming_another_issuer_is_refused(app, client, loaded, hostile_idp):
    provider = app.extensions["portal.oidc"]["hostile"]
    provider._metadata = None
    hostile_idp.discovery_issuer = "https://evil.example"
    try:
        response = client.get("/auth/login/hostile")
    finally:
        hostile_idp.discovery_issuer = None
        provider._metadata = None
    assert response.status_code == 503
    assert last_audit(loaded, "login.failure").diff["reason"] == "discovery_issuer_mismatch"


@pytest.mark.parametrize("target", ["//evil.example/x", "/\\evil.example", "https://evil.example/", "javascript:alert(1)", "/%0d%0aSet-Cookie:x"])
def test_next_outside_the_site_lands_on_start(client, loaded, hostile_idp, target):
    from urllib.parse import quote

    response = client.get(f"/auth/login/hostile?next={quote(target, safe='')}")
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    hostile_idp.answer(hostile_idp.sign(hostile_idp.claims(query["nonce"][0])))
    done = client.get(f"/auth/callback/hostile?code=c1&state={query['state'][0]}")
    assert done.status_code == 302
    assert done.headers["Location"] in ("/", "/%0d%0aSet-Cookie:x")
    assert "evil" not in done.headers["Location"]


# -- back-channel logout (OpenID Connect Back-Channel Logout 1.0) -------------------

@pytest.fixture()
def backchannel(backchannel_inbox):
    """The tokens the provider posted during this test (the test then delivers them through the test client: the live
    server could not see the test's uncommitted transaction)."""
    received = backchannel_inbox[1]
    received.clear()
    return received


def deliver(client, received: tuple[str, str]):
    path, body = received
    return client.post(path, data=body, content_type="application/x-www-form-urlencoded")


def sign_out_at_provider(browser, issuer: str) -> None:
    """The user signs out at the provider itself (its end-session page, "yes, sign me out")."""
    page = browser.get(f"{issuer}/session/end", timeout=10)
    assert page.status_code == 200, page.text
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text).group(1)
    action = re.search(r'<form[^>]+action="([^"]+)"', page.text).group(1)
    done = browser.post(urljoin(page.url, action), data={"xsrf": xsrf, "logout": "yes"}, allow_redirects=False, timeout=10)
    assert done.status_code in (200, 302, 303), done.text


def test_provider_logout_ends_that_portal_session_only(app, client, loaded, idp, backchannel):
    from flask.testing import FlaskClient

    _, browser = idp_sign_in(client, "kmar", "kmar", "kmar-demo")
    other: FlaskClient = app.test_client()
    idp_sign_in(other, "kmar", "kmar", "kmar-demo")  # the same person in a second browser: its own provider session
    assert client.get("/api/v1/me").status_code == 200 and other.get("/api/v1/me").status_code == 200
    assert signed_in_sessions(loaded) == 2

    sign_out_at_provider(browser, idp["kmar"])

    assert len(backchannel) == 1 and backchannel[0][0] == "/auth/backchannel-logout/kmar"
    response = deliver(app.test_client(), backchannel[0])
    assert response.status_code == 200, response.get_data(as_text=True) and response.headers["Cache-Control"] == "no-store"
    assert signed_in_sessions(loaded) == 1
    assert client.get("/api/v1/me").status_code == 401
    assert other.get("/api/v1/me").status_code == 200
    event = last_audit(loaded, "logout.backchannel")
    assert event.diff["provider"] == "kmar" and event.diff["sessions"] == 1


def test_replayed_logout_token_does_not_end_a_new_sign_in(app, client, loaded, idp, backchannel):
    _, browser = idp_sign_in(client, "ind", "ind", "ind-demo")
    sign_out_at_provider(browser, idp["ind"])
    assert deliver(app.test_client(), backchannel[0]).status_code == 200
    assert client.get("/api/v1/me").status_code == 401
    idp_sign_in(client, "ind", "ind", "ind-demo")
    assert client.get("/api/v1/me").status_code == 200
    assert deliver(app.test_client(), backchannel[0]).status_code == 400  # the same token once more: a replay, refused
    assert client.get("/api/v1/me").status_code == 200  # the new sign-in has another provider session


def _logout_claims(h, **overrides) -> dict:
    now = int(time.time())
    claims = {"iss": h.issuer, "aud": "portal", "iat": now, "jti": f"j{now}", "sub": "hostile-user",
              "events": {"http://schemas.openid.net/event/backchannel-logout": {}}}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def test_hostile_logout_token_sub_only_ends_every_session_of_the_user(client, loaded, hostile_idp):
    h = hostile_idp
    state, nonce = start_hostile(client)
    h.answer(h.sign(h.claims(nonce)))
    assert client.get(f"/auth/callback/hostile?code=c1&state={state}").status_code == 302
    assert client.get("/api/v1/me").status_code == 200
    response = client.post("/auth/backchannel-logout/hostile", data={"logout_token": h.sign(_logout_claims(h))})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("unsigned", "logout_token_alg_refused"),
        ("other_key", "logout_token_signature"),
        ("issuer", "logout_token_issuer"),
        ("audience", "logout_token_audience"),
        ("old", "logout_token_iat"),
        ("no_jti", "logout_token_jti"),
        ("no_event", "logout_token_event"),
        ("nonce", "logout_token_nonce"),
        ("no_subject", "logout_token_subject"),
        ("sub_not_text", "logout_token_subject"),
        ("sid_not_text", "logout_token_subject"),
        ("iat_nan", "logout_token_iat"),
        ("iat_text", "logout_token_iat"),
        ("garbage", "logout_token_malformed"),
    ],
)
def test_hostile_logout_token_is_refused_and_ends_nothing(client, loaded, hostile_idp, case, reason):
    h = hostile_idp
    state, nonce = start_hostile(client)
    h.answer(h.sign(h.claims(nonce)))
    assert client.get(f"/auth/callback/hostile?code=c1&state={state}").status_code == 302
    claims = {
        "issuer": _logout_claims(h, iss="https://evil.example"), "audience": _logout_claims(h, aud="someone-else"),
        "old": _logout_claims(h, iat=int(time.time()) - 3600), "no_jti": _logout_claims(h, jti=None),
        "no_event": _logout_claims(h, events={"other": {}}), "nonce": _logout_claims(h, nonce="n"),
        "no_subject": _logout_claims(h, sub=None), "sub_not_text": _logout_claims(h, sub=12345),
        "sid_not_text": _logout_claims(h, sid={"a": 1}), "iat_nan": _logout_claims(h, iat=float("nan")),
        "iat_text": _logout_claims(h, iat="1764000000"),
    }.get(case, _logout_claims(h))
    token = {"unsigned": h.unsigned(claims), "other_key": h.sign(claims, key=h.other_key), "garbage": "not.a.token"}.get(case) or h.sign(claims)
    response = client.post("/auth/backchannel-logout/hostile", data={"logout_token": token})
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_request"
    assert client.get("/api/v1/me").status_code == 200
    assert last_audit(loaded, "logout.backchannel_refused").diff["reason"] == reason


def test_a_replayed_logout_token_is_refused_and_a_later_sign_in_survives_any_token(client, loaded, hostile_idp):
    """The jti is remembered for the token's lifetime; a session begun after a token's iat never ends by it."""
    h = hostile_idp

    def sign_in():
        state, nonce = start_hostile(client)
        h.answer(h.sign(h.claims(nonce)))
        assert client.get(f"/auth/callback/hostile?code=c1&state={state}").status_code == 302
        assert client.get("/api/v1/me").status_code == 200

    sign_in()
    token = h.sign(_logout_claims(h, jti="replay-me"))
    assert client.post("/auth/backchannel-logout/hostile", data={"logout_token": token}).status_code == 200
    assert client.get("/api/v1/me").status_code == 401
    sign_in()
    replay = client.post("/auth/backchannel-logout/hostile", data={"logout_token": token})
    assert replay.status_code == 400 and last_audit(loaded, "logout.backchannel_refused").diff["reason"] == "logout_token_replayed"
    assert client.get("/api/v1/me").status_code == 200
    # A fresh token issued before this sign-in (but still valid) ends nothing begun after it.
    earlier = h.sign(_logout_claims(h, jti="issued-earlier", iat=int(time.time()) - 30))
    assert client.post("/auth/backchannel-logout/hostile", data={"logout_token": earlier}).status_code == 200
    assert client.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("store_kind", ["database", "redis"])
def test_ending_sessions_by_provider_session_and_start_time_on_both_stores(app, loaded, make_user, redis_db, store_kind):
    from datetime import UTC, datetime, timedelta

    from portal.sessions import DatabaseStore, RedisStore, end_sessions_of

    user = make_user("KMAR")
    store = DatabaseStore() if store_kind == "database" else RedisStore(REDIS_URL)
    context = app.app_context()
    context.push()
    now = datetime.now(UTC)
    sessions = {"a": ("sid-1", now - timedelta(minutes=5)), "b": ("sid-1", now + timedelta(minutes=5)), "c": ("sid-2", now - timedelta(minutes=5))}
    for key, (sid, created) in sessions.items():
        store.save(key, {"_user_id": str(user.id), "oidc_sid": sid}, created, now + timedelta(hours=1), touch_only=False)
    saved = app.extensions["portal.session_store"]
    app.extensions["portal.session_store"] = store
    try:
        assert end_sessions_of(app, user.id, "sid-1", now) == 1  # a only: b began after the token, c is another sid
        assert store.load("a") is None and store.load("b") is not None and store.load("c") is not None
        assert end_sessions_of(app, user.id) == 2
        assert store.load("b") is None and store.load("c") is None
    finally:
        app.extensions["portal.session_store"] = saved
        context.pop()
