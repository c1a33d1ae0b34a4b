"""Deny by default, and the visibility rule: every role x visibility x organisation, on every surface."""
from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from models import ActionItem

import factories

ALLOWED_PUBLIC = {"/language", "/login", "/healthz", "/readyz", "/toegankelijkheid", "/auth/login/<name>", "/auth/callback/<name>", "/auth/logout",
                  "/auth/backchannel-logout/<name>"}  # the provider calls it; a signed logout token is its proof (test_auth)


def test_only_server_to_server_views_skip_the_csrf_check(app):
    skipping = {r.rule for r in app.url_map.iter_rules() if getattr(app.view_functions[r.endpoint], "proof_in_request", False)}
    assert skipping == {"/auth/backchannel-logout/<name>"}


def test_public_endpoints_are_exactly_the_allowed_ones(app):
    from portal.access import is_public_endpoint

    with app.test_request_context():
        public = {r.rule for r in app.url_map.iter_rules() if r.endpoint != "static" and is_public_endpoint(r.endpoint)}
    assert public == ALLOWED_PUBLIC


def test_every_other_route_refuses_an_anonymous_caller(app, client):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule in ALLOWED_PUBLIC:
            continue
        path = re.sub(r"<[^>]+>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method)
            if path.startswith("/api/"):
                assert response.status_code == 401, f"{method} {rule.rule}"
                assert response.get_json()["error"]["code"] == "unauthorized"
            else:
                assert response.status_code == 302, f"{method} {rule.rule}"
                assert response.headers["Location"].startswith("/login")
            htmx = client.open(path, method=method, headers={"HX-Request": "true"})
            if not path.startswith("/api/"):
                assert htmx.status_code == 401 and htmx.headers["HX-Redirect"] == "/login"


# -- the visibility matrix ------------------------------------------------------

ROLES = ("reader", "member", "coordinator", "admin")
VISIBILITIES = ("organisation", "partners", "mdt", "public")
RELATIONS = ("owner", "shared", "other", "outside")  # the viewer's organisation vs. the item; outside = not an MDT member


def expected_visible(visibility: str, relation: str) -> bool:
    """The contract's table, written out independently of the code under test."""
    return {
        "organisation": relation == "owner",
        "partners": relation in ("owner", "shared"),
        "mdt": relation != "outside",
        "public": True,
    }[visibility]


@pytest.fixture()
def world(db_session, make_user):
    """One item per visibility, owned by KMAR and shared with POL; viewers from KMAR, POL and IND."""
    owner_user = make_user("KMAR")
    partner_user = make_user("POL")
    other_user = make_user("IND")
    outside = factories.organisation(db_session, "BZ", name="Ministerie van Buitenlandse Zaken", is_mdt_member=False)
    kmar, pol = owner_user.organisation, partner_user.organisation
    items = {visibility: factories.item(db_session, "KMAR", visibility, title=f"Actie {visibility}", shared_with=[pol])
             for visibility in VISIBILITIES}
    orgs = {"owner": kmar, "shared": pol, "other": other_user.organisation, "outside": outside}
    return items, orgs


CASES = list(itertools.product(ROLES, VISIBILITIES, RELATIONS))


@pytest.mark.parametrize(("role", "visibility", "relation"), CASES, ids=["-".join(c) for c in CASES])
def test_visibility_matrix(app, world, make_user, login_as, role, visibility, relation):
    items, orgs = world
    item = items[visibility]
    viewer = make_user(orgs[relation].code, role=role)
    client = login_as(app.test_client(), viewer)
    visible = expected_visible(visibility, relation)
    expected_count = sum(expected_visible(v, relation) for v in VISIBILITIES)

    detail = client.get(f"/actions/{item.id}")
    assert detail.status_code == (200 if visible else 404)

    listing = client.get("/actions").get_data(as_text=True)
    assert (f'href="/actions/{item.id}"' in listing) is visible
    assert re.search(rf'<p id="aantal"[^>]*>{expected_count} ', listing)

    dashboard = client.get("/").get_data(as_text=True)
    assert f'<span id="aantal-acties">{expected_count}</span>' in dashboard

    api_detail = client.get(f"/api/v1/action-items/{item.id}")
    assert api_detail.status_code == (200 if visible else 404)
    if visible:
        assert api_detail.headers["ETag"] == f'"{item.version}"'
    else:
        assert api_detail.get_json()["error"]["code"] == "not_found"
    api_list = client.get("/api/v1/action-items?per_page=100").get_json()
    assert api_list["total"] == expected_count
    assert (item.id in {i["id"] for i in api_list["items"]}) is visible


def test_not_visible_looks_exactly_like_not_existing(app, world, make_user, login_as):
    items, orgs = world
    client = login_as(app.test_client(), make_user("IND"))
    # The page's CSRF token carries a timestamp in seconds: both answers are fetched in the same (frozen) moment.
    with time_machine.travel(datetime.now(UTC), tick=False):
        hidden = client.get(f"/actions/{items['organisation'].id}")
        missing = client.get("/actions/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_data() == missing.get_data()
    api_hidden = client.get(f"/api/v1/action-items/{items['organisation'].id}")
    api_missing = client.get("/api/v1/action-items/999999")
    assert api_hidden.get_json() == api_missing.get_json()


def test_denied_access_is_audited(app, world, make_user, login_as, db_session):
    from models import AuditEvent

    items, _orgs = world
    viewer = make_user("IND")
    client = login_as(app.test_client(), viewer)
    response = client.get(f"/actions/{items['organisation'].id}")
    # The denial is recorded once the response has gone out (a server closes it after sending).
    assert not db_session.scalars(select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    response.close()
    missing = client.get("/actions/999999")
    missing.close()
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "access.denied").order_by(AuditEvent.id)).all()
    assert [(e.entity_id, e.diff["exists"]) for e in events] == [(items["organisation"].id, True), (999999, False)]
    event = events[0]
    assert (event.actor_id, event.entity_type, event.entity_id) == (viewer.id, "action_items", items["organisation"].id)
    assert event.organisation_code == "IND"


def test_can_view_and_sql_filter_agree(db_session, world, make_user):
    from portal.actions.permissions import can_view, visible_clause

    items, orgs = world
    for relation, role in itertools.product(RELATIONS, ROLES):
        viewer = make_user(orgs[relation].code, role=role)
        in_sql = set(db_session.scalars(select(ActionItem.id).where(visible_clause(viewer))).all())
        in_python = {i.id for i in items.values() if can_view(viewer, i)}
        assert in_sql == in_python


def test_only_admins_reach_user_management(app, make_user, login_as):
    for role, status in (("reader", 403), ("member", 403), ("coordinator", 403), ("admin", 200)):
        client = login_as(app.test_client(), make_user("JENV", role=role))
        assert client.get("/admin/users").status_code == status


# -- CSRF and tokens ----------------------------------------------------------------

def test_cross_site_write_without_csrf_token_is_refused(app, make_user, login_as, db_session):
    admin = make_user("JENV", role="admin")
    target = make_user("KMAR")
    client = login_as(app.test_client(), admin)
    forged = client.post(f"/admin/users/{target.id}", data={"role": "admin"})
    assert forged.status_code == 400
    api = client.post("/api/v1/tokens", json={"name": "x"})
    assert api.status_code == 400 and api.get_json()["error"]["code"] == "csrf_failed"
    db_session.refresh(target)
    assert target.role == "member"
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
    ok = client.post(f"/admin/users/{target.id}", data={"role": "coordinator", "csrf_token": csrf})
    assert ok.status_code == 302
    db_session.refresh(target)
    assert target.role == "coordinator"


def test_personal_access_token_lifecycle(app, make_user, login_as, db_session, world):
    from models import AccessToken

    items, _orgs = world
    user = make_user("IND")
    client = login_as(app.test_client(), user)
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
    created = client.post("/api/v1/tokens", json={"name": "rapportage-script"}, headers={"X-CSRFToken": csrf})
    assert created.status_code == 201
    secret = created.get_json()["token"]
    stored = db_session.scalars(select(AccessToken)).one()
    assert secret not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64
    assert "token" not in client.get("/api/v1/tokens").get_json()[0]

    bearer = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert bearer.get("/api/v1/me", headers=headers).get_json()["organisation"] == "IND"
    # The token has the user's rights only: IND cannot see KMAR's organisation-only item.
    assert bearer.get(f"/api/v1/action-items/{items['organisation'].id}", headers=headers).status_code == 404
    # No CSRF with a token, but no session either: the cookie jar stays empty.
    assert bearer.get("/api/v1/tokens", headers=headers).status_code == 200
    assert bearer.get_cookie("portal") is None
    db_session.refresh(stored)
    assert stored.last_used_at is not None

    assert client.delete(f"/api/v1/tokens/{stored.id}", headers={"X-CSRFToken": csrf}).status_code == 204
    assert bearer.get("/api/v1/me", headers=headers).status_code == 401
    # Someone else's token id is 404.
    other = login_as(app.test_client(), make_user("POL"))
    other_csrf = other.get("/api/v1/me").get_json()["csrf_token"]
    assert other.delete(f"/api/v1/tokens/{stored.id}", headers={"X-CSRFToken": other_csrf}).status_code == 404


def test_token_api_validates_input(app, make_user, login_as):
    client = login_as(app.test_client(), make_user("IND"))
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
    bad = client.post("/api/v1/tokens", json={"name": "", "expires_in_days": 9999}, headers={"X-CSRFToken": csrf})
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"name", "expires_in_days"}
    form = client.post("/api/v1/tokens", data={"name": "x"}, headers={"X-CSRFToken": csrf})
    assert form.status_code == 415


def test_api_page_size_is_capped(app, make_user, login_as):
    client = login_as(app.test_client(), make_user("IND"))
    assert client.get("/api/v1/action-items?per_page=101").status_code == 400
    assert client.get("/api/v1/action-items?per_page=100").status_code == 200
