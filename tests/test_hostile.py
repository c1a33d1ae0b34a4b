"""What a hostile partner tried (issue #12), each closed: replays, owner-side fields, tokens, zip bombs,
agenda versions, limits on every route, bad input, simultaneous writes on SQLite, private downloads."""
from __future__ import annotations

import io
import re
import threading
import tracemalloc
import zipfile

import pytest
from sqlalchemy import func, select

from models import AccessToken, ActionItem, Organisation

import factories

SAFE = {"GET", "HEAD", "OPTIONS"}




org = factories.organisation
item_of = factories.item


# -- rules 3 and 4: who changes who may see, replays ---------------------------------------

def test_a_replayed_create_answers_as_a_get_would_now(api, db_session):
    pol = api("POL")
    key = {"Idempotency-Key": "replay-key-0001", **pol.headers}
    first = pol.post("/api/v1/action-items", json={"title": "Gedeelde actie"}, headers=key)
    assert first.status_code == 201
    item = db_session.get(ActionItem, first.get_json()["id"])
    item.owner_organisation, item.visibility, item.title = org(db_session, "KMAR"), "organisation", "GEHEIM-KMAR"
    db_session.flush()
    replay = pol.post("/api/v1/action-items", json={"title": "Gedeelde actie"}, headers=key)
    assert replay.status_code == 404
    assert "GEHEIM" not in replay.get_data(as_text=True) and "ETag" not in replay.headers
    # Another user's identical key is their own key: a new item, not the first one.
    other = api("POL")
    assert other.post("/api/v1/action-items", json={"title": "Eigen"}, headers={"Idempotency-Key": "replay-key-0001",
                                                                                **other.headers}).status_code == 201


def test_the_creator_must_see_what_it_creates(api, db_session):
    coordinator = api("JENV", "coordinator")
    before = db_session.scalar(select(func.count(ActionItem.id)))
    response = coordinator.post("/api/v1/action-items", json={"title": "Voor KMar alleen", "owner_organisation": "KMAR",
                                                              "visibility": "organisation"}, headers=coordinator.headers)
    assert response.status_code == 422 and "visibility" in response.get_json()["error"]["fields"]
    assert db_session.scalar(select(func.count(ActionItem.id))) == before
    allowed = coordinator.post("/api/v1/action-items", json={"title": "Voor KMar, MDT ziet het", "owner_organisation": "KMAR"},
                               headers=coordinator.headers)
    assert allowed.status_code == 201 and allowed.get_json()["owner_organisation"] == "KMAR"


def patch(client, item, body):
    return client.patch(f"/api/v1/action-items/{item.id}", json=body, headers={"If-Match": f'"{item.version}"', **client.headers})


def test_a_contributor_cannot_hand_out_edit_rights(api, db_session):
    item = item_of(db_session, contributing_organisations=[org(db_session, "POL")])
    pol = api("POL")
    refused = patch(pol, item, {"contributing_organisations": ["POL", "IND"]})
    assert refused.status_code == 422 and "contributing_organisations" in refused.get_json()["error"]["fields"]
    db_session.refresh(item)
    assert [o.code for o in item.contributing_organisations] == ["POL"]
    assert patch(pol, item, {"description": "Bijdrage van de politie"}).status_code == 200


@pytest.mark.parametrize("body", [{"visibility": "public"}, {"owner_organisation": "POL"}, {"shared_with": ["POL", "IND"]},
                                  {"contributing_organisations": ["POL"]}])
def test_a_coordinator_of_another_agency_cannot_declassify_or_take_over(api, db_session, body):
    item = item_of(db_session, visibility="partners", shared_with=[org(db_session, "POL")])
    pol = api("POL", "coordinator")
    response = patch(pol, item, body)
    assert response.status_code == 422 and set(body) <= set(response.get_json()["error"]["fields"])
    db_session.refresh(item)
    assert (item.visibility, item.owner_organisation.code) == ("partners", "KMAR")
    assert patch(pol, item, {"title": "Andere titel"}).status_code == 200


def test_only_a_coordinator_of_the_owner_changes_the_owner(api, db_session):
    item = item_of(db_session)
    assert patch(api("KMAR"), item, {"owner_organisation": "POL"}).status_code == 422
    moved = patch(api("KMAR", "coordinator"), item, {"owner_organisation": "POL"})
    assert moved.status_code == 200 and moved.get_json()["owner_organisation"] == "POL"


def test_forms_say_who_mdt_and_public_mean(api):
    page = api("KMAR").get("/actions/new").get_data(as_text=True)
    assert "MDT-leden (KMar, Politie, IND, OM, JenV)" in page and "alle partners, ook BZ, NLA en EMM" in page


# -- rule 8: tokens ----------------------------------------------------------------------------------

def test_a_token_cannot_mint_tokens_and_deactivation_revokes_for_good(app, api, db_session, make_user, login_as):
    user_client = api("IND")
    secret = user_client.post("/api/v1/tokens", json={"name": "script", "expires_in_days": 1},
                              headers=user_client.headers).get_json()["token"]
    bearer = app.test_client()
    auth = {"Authorization": f"Bearer {secret}"}
    minted = bearer.post("/api/v1/tokens", json={"name": "langer", "expires_in_days": 366}, headers=auth)
    assert minted.status_code == 403
    assert db_session.scalar(select(func.count(AccessToken.id)).where(AccessToken.user_id == user_client.user.id)) == 1

    admin = login_as(app.test_client(), make_user("JENV", role="admin"))
    csrf = admin.get("/api/v1/me").get_json()["csrf_token"]
    target = user_client.user
    assert admin.post(f"/admin/users/{target.id}", data={"csrf_token": csrf, "role": "member", "is_active": "0"}).status_code == 302
    assert bearer.get("/api/v1/me", headers=auth).status_code == 401
    assert admin.post(f"/admin/users/{target.id}", data={"csrf_token": csrf, "role": "member", "is_active": "1"}).status_code == 302
    # Reactivated, but the old token stays dead.
    assert bearer.get("/api/v1/me", headers=auth).status_code == 401
    token = db_session.scalars(select(AccessToken).where(AccessToken.user_id == target.id)).one()
    db_session.refresh(token)
    assert token.revoked_at is not None


# -- uploads: bounded decompression ------------------------------------------------------------------

def _bomb(member: str, megabytes: int, extra: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in (extra or {}).items():
            archive.writestr(name, text)
        with archive.open(member, "w", force_zip64=True) as handle:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(megabytes):
                handle.write(chunk)
    return buffer.getvalue()


@pytest.mark.parametrize(("member", "extra"), [
    ("mimetype", None),
    ("word/document.xml", {"[Content_Types].xml": "<Types/>"}),
])
def test_a_zip_bomb_is_refused_without_being_inflated(member, extra):
    from portal.actions.attachments import sniff

    data = _bomb(member, 300, extra)
    assert len(data) < 2 * 1024 * 1024
    tracemalloc.start()
    try:
        kind = sniff(data)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert kind is None
    assert peak < 8 * 1024 * 1024, f"sniffing a {len(data)} byte archive allocated {peak} bytes"


def test_a_zip_bomb_upload_is_a_clear_422(api, db_session):
    item = item_of(db_session)
    client = api("KMAR")
    response = client.post(f"/actions/{item.id}/attachments", data={
        "csrf_token": client.headers["X-CSRFToken"], "file": (io.BytesIO(_bomb("mimetype", 50)), "bom.odt")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "niet toegestaan" in response.get_data(as_text=True)


def test_attachment_downloads_are_not_stored_by_caches(app, api, db_session):
    item = item_of(db_session)
    client = api("KMAR")
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    assert client.post(f"/actions/{item.id}/attachments", data={
        "csrf_token": client.headers["X-CSRFToken"], "file": (io.BytesIO(png), "foto.png")},
        content_type="multipart/form-data").status_code == 302
    page = client.get(f"/actions/{item.id}").get_data(as_text=True)
    link = re.search(rf'href="(/actions/{item.id}/attachments/\d+)"', page).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.data == png
    assert download.headers["Cache-Control"] == "no-store"


# -- the agenda order is part of the meeting's version -------------------------------------------

def test_two_reorders_on_one_version_give_one_conflict(api, db_session):
    coordinator = api("JENV", "coordinator")
    created = coordinator.post("/api/v1/meetings", json={"series": "MDT", "title": "Volgorde", "starts_at": "2026-12-10T10:00:00+01:00",
                                                         "invited": ["KMAR", "JENV"]}, headers=coordinator.headers).get_json()
    for title in ("Eerste punt", "Tweede punt"):
        assert coordinator.post(f"/meetings/{created['id']}/agenda", data={"csrf_token": coordinator.headers["X-CSRFToken"],
                                                                           "title": title}).status_code in (302, 303)
    current = coordinator.get(f"/api/v1/meetings/{created['id']}")
    version, ids = current.headers["ETag"], [a["id"] for a in current.get_json()["agenda"]]
    review, first, second = ids
    headers = {"If-Match": version, **coordinator.headers}
    one = coordinator.patch(f"/api/v1/meetings/{created['id']}", json={"agenda": [review, second, first]}, headers=headers)
    two = coordinator.patch(f"/api/v1/meetings/{created['id']}", json={"agenda": [review, first, second]}, headers=headers)
    assert one.status_code == 200 and one.headers["ETag"] != version
    assert two.status_code == 412
    assert [a["id"] for a in coordinator.get(f"/api/v1/meetings/{created['id']}").get_json()["agenda"]] == [review, second, first]


# -- rule 9: limits on every state change and every download -------------------------------------------

def _fill(rule) -> str:
    return re.sub(r"<(?:int:)?([a-z_]+)>", lambda m: {"fmt": "csv", "name": "kmar", "code": "1.1", "key": "x"}.get(m.group(1), "1"),
                  rule.rule)


def test_every_download_route_is_marked(app):
    marked = {endpoint for endpoint, view in app.view_functions.items() if getattr(view, "is_download", False)}
    looks_like_a_file = {r.endpoint for r in app.url_map.iter_rules()
                         if r.endpoint != "static" and "GET" in r.methods and re.search(r"\.(<fmt>|ics|csv|xlsx|docx|pdf)$|/attachments/<", r.rule)}
    assert looks_like_a_file and marked == looks_like_a_file


# A state change that ends the caller's own session (so the next request is anonymous).
ENDS_OWN_SESSION = {"auth.end_all_sessions", "api.end_all_sessions"}


def test_every_state_change_and_every_download_has_its_limit(app_with, portal_toml, tmp_path, loaded, make_user, login_as):
    from portal.access import is_public_endpoint

    config = tmp_path / "limited.toml"
    config.write_text(portal_toml.read_text().replace("enabled = false", 'enabled = true\nwrite = "2/minute"\nexport = "2/minute"'))
    limited = app_with(config)
    checked = []
    for rule in limited.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        with limited.test_request_context(_fill(rule)):
            if is_public_endpoint(rule.endpoint):
                continue
        view = limited.view_functions[rule.endpoint]
        methods = sorted(rule.methods - SAFE) or (["GET"] if getattr(view, "is_download", False) else [])
        for method in methods:
            user = make_user("JENV", role="coordinator")
            client = login_as(limited.test_client(), user)
            csrf = client.get("/api/v1/me").get_json()["csrf_token"]
            statuses = []
            for _ in range(3):
                if rule.endpoint in ENDS_OWN_SESSION:  # the user signs in again each time: the limit is per user
                    client = login_as(limited.test_client(), user)
                    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
                statuses.append(client.open(_fill(rule), method=method, headers={"X-CSRFToken": csrf}, data={"csrf_token": csrf}).status_code)
            assert statuses[-1] == 429, f"{method} {rule.rule}: {statuses}"
            checked.append(rule.endpoint)
    assert len(checked) >= 35


# -- rule 10: bad input is a 4xx, never a 500 ------------------------------------------------------------

BIG = "9" * 20
QUERY_CASES = [
    "/search?q=a%00b", "/actions?q=%00", "/actions?status=open%00", "/actions?organisation=%00", "/actions?page=" + BIG,
    "/actions?recommendation=" + BIG, "/actions?assignee=" + BIG, "/actions?focus_area=%ED%A0%80", "/meetings/decisions?year=" + BIG,
    "/meetings/decisions?year=%00", "/reports/1?compare=" + BIG, "/actions/" + BIG, "/api/v1/action-items/" + BIG,
    "/api/v1/action-items?page=" + BIG, "/api/v1/action-items?per_page=" + BIG, "/api/v1/action-items?recommendation=" + BIG,
    "/api/v1/search?q=%00", "/actions/export.csv?assignee=" + BIG, "/actions/new?recommendation=" + BIG,
    "/actions/new?meeting=" + BIG + "&agenda_item=" + BIG, "/meetings?series=%00", "/indicators/%00", "/framework/%00",
    "/api/v1/recommendations/" + BIG, "/api/v1/meetings/" + BIG, "/api/v1/reports/" + BIG,
]


@pytest.mark.parametrize("path", QUERY_CASES)
def test_bad_query_input_is_a_4xx(api, path):
    response = api("JENV", "coordinator").get(path)
    assert 400 <= response.status_code < 500, f"{path}: {response.status_code}"


JSON_CASES = [
    ('{"title": "a\\u0000b"}', 400), ('{"title": "\\ud800"}', 400), ('{"title": {"x": 1}}', 422), ('{"title": ["x"]}', 422),
    ('{"title": "t", "owner_organisation": {"x": 1}}', 422), ('{"title": "t", "owner_organisation": ["KMAR"]}', 422),
    ('{"title": "t", "recommendation_ids": [99999999999999999999]}', 400), ('{"title": "t", "assignee_id": 99999999999999}', 400),
    ('{"title": "t", "assignee_id": "1"}', 422), ('{"title": "t", "focus_area": []}', 422), ('{"title": "t", "focus_area": {"a": 1}}', 422),
    ('{"title": "t", "due_date": {}}', 422), ('{"title": "t", "shared_with": [{}], "visibility": "partners"}', 422),
    ('{"title": "t", "visibility": []}', 422), ('{"title": "t", "visibility": {"a": 1}}', 422), ('{"title": "t", "description": 5}', 422),
    ('{"title": "t", "contributing_organisations": "KMAR"}', 422), ('{"\\u0000": 1}', 400), ('[1, 2]', 400), ('{"title": ', 400),
]


@pytest.mark.parametrize(("body", "status"), JSON_CASES)
def test_bad_json_is_a_4xx_and_nothing_is_stored(api, db_session, body, status):
    client = api("KMAR")
    before = db_session.scalar(select(func.count(ActionItem.id)))
    response = client.post("/api/v1/action-items", data=body, content_type="application/json", headers=client.headers)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] in ("bad_request", "validation_failed")
    assert db_session.scalar(select(func.count(ActionItem.id))) == before


MEETING_JSON_CASES = ['{"title": "t", "series": {"a": 1}}', '{"title": "t", "series": "MDT", "starts_at": 5}',
                      '{"title": "t", "series": "MDT", "starts_at": "2026-12-10T10:00:00+01:00", "invited": "KMAR"}',
                      '{"title": "t", "series": "MDT", "starts_at": "2026-12-10T10:00:00+01:00", "invited": [{"a": 1}]}',
                      '{"title": "t", "series": "MDT", "starts_at": "2026-12-10T10:00:00+01:00", "invited": ["KMAR"], "shared_with": "POL"}',
                      '{"title": "t", "series": "MDT", "starts_at": "2026-12-10T10:00:00+01:00", "invited": ["KMAR"], "chair_organisation": []}',
                      '{"title": "t", "series": "MDT", "starts_at": "2026-12-10T10:00:00+01:00", "invited": ["KMAR"], "location": {}}',
                      '{"title": "t", "series": "MDT", "starts_at": "2026-12-10T10:00:00", "invited": ["KMAR"]}']


@pytest.mark.parametrize("body", MEETING_JSON_CASES)
def test_bad_meeting_json_is_a_4xx(api, body):
    client = api("JENV", "coordinator")
    response = client.post("/api/v1/meetings", data=body, content_type="application/json", headers=client.headers)
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)


def test_bad_headers_and_form_fields_are_4xx(api, db_session):
    item = item_of(db_session)
    client = api("KMAR")
    csrf = client.headers["X-CSRFToken"]
    for headers in ({"If-Match": '"1\x00"'}, {"If-Match": '"' + BIG + '"'}):
        response = client.patch(f"/api/v1/action-items/{item.id}", json={"title": "x"}, headers={**headers, **client.headers})
        assert 400 <= response.status_code < 500
    assert client.post("/api/v1/action-items", json={"title": "x"},
                       headers={"Idempotency-Key": "abc\x00defgh", **client.headers}).status_code == 400
    for data in ({"note": "a\x00b", "version": "1", "progress": "10"}, {"note": "ok", "version": BIG, "progress": "10"},
                 {"note": "ok", "version": "1", "progress": BIG}):
        response = client.post(f"/actions/{item.id}/updates", data={"csrf_token": csrf, "status": "in_progress", **data})
        assert 400 <= response.status_code < 500, (data, response.status_code)
    db_session.refresh(item)
    assert item.version == 1 and item.progress == 0


# -- rule 12: simultaneous writes on every backend ------------------------------------------------------

def test_simultaneous_progress_updates_give_one_success_and_conflicts(databases, portal_toml):
    """Real concurrent requests on their own connections (not the test's transaction): never a 500 or a lock error."""
    import hashlib

    from alembic import command
    from sqlalchemy.orm import sessionmaker

    from models import User
    from portal import create_app, reference
    from portal.cli import alembic_config
    from portal.extensions import Database

    from conftest import make_settings

    url = databases.new()
    command.upgrade(alembic_config(url), "head")
    app = create_app(make_settings(url, portal_toml))
    engine = Database.state(app).engine
    with sessionmaker(engine, expire_on_commit=False)() as session:
        reference.load(session)
        kmar = session.scalars(select(Organisation).where(Organisation.code == "KMAR")).one()
        secrets = []
        for n in range(3):
            user = User(issuer="t", subject=f"race-{n}", name=f"R{n}", organisation=kmar, role="member")
            session.add(user)
            session.flush()
            secret = f"mdt_race_{n}_" + "x" * 20
            session.add(AccessToken(user_id=user.id, name="race", prefix=secret[:10], token_hash=hashlib.sha256(secret.encode()).hexdigest()))
            secrets.append(secret)
        item = ActionItem(title="Tegelijk", owner_organisation=kmar, visibility="mdt")
        session.add(item)
        session.commit()
        item_id = item.id
    for round_number in range(1, 6):
        barrier, statuses = threading.Barrier(len(secrets)), []

        def worker(secret, n=round_number, barrier=barrier, statuses=statuses):
            client = app.test_client()
            barrier.wait(timeout=10)
            response = client.post(f"/api/v1/action-items/{item_id}/updates", json={"note": f"ronde {n}", "progress": n * 10},
                                   headers={"Authorization": f"Bearer {secret}", "If-Match": f'"{n}"'})
            statuses.append(response.status_code)

        threads = [threading.Thread(target=worker, args=(s,)) for s in secrets]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(statuses) == [201] + [412] * (len(secrets) - 1), f"round {round_number}: {statuses}"
    engine.dispose()


def test_json_depth_is_bounded_once_at_the_edge(api):
    client = api("KMAR")

    def nested(levels):
        value = "x"
        for _ in range(levels):
            value = {"a": value}
        return value

    # {"title": ..., "description": <4 levels>} nests 5 deep: still taken (and refused for its type, 422).
    assert client.post("/api/v1/action-items", json={"title": "t", "description": nested(3)}, headers=client.headers).status_code == 422
    for levels in (4, 800):
        response = client.post("/api/v1/action-items", json={"title": "t", "description": nested(levels)}, headers=client.headers)
        assert response.status_code == 400 and "te diep genest" in response.get_json()["error"]["message"]
