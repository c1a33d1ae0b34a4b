"""The dashboard cache in Redis: shared, invalidated by every committed write, never across organisations."""
from __future__ import annotations

import re
from datetime import date

import pytest

from portal.cache import MDT_KEY, Cache
from portal.i18n import today


def dashboard(app, login_as, user) -> str:
    response = login_as(app.test_client(), user).get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def total(html: str) -> int:
    return int(re.search(r'id="aantal-acties">(\d+)<', html).group(1))


def create(app, session, actor, **fields):
    """A write as a request makes it: committed inside the app (whose cache the commit invalidates)."""
    from portal.actions import services

    data = {"title": "Dashboardtest", "description": "", "visibility": "mdt", "owner_organisation": "KMAR",
            "focus_area": "3.1", "due_date": date(2027, 1, 31)}
    data.update(fields)
    with app.app_context():
        item, _ = services.create_item(session, actor, data)
        session.commit()
    return item


def test_hit_serves_the_same_page_with_fewer_statements(cached_app, people, db_session, login_as, count_statements, redis_db):
    create(cached_app, db_session, people["kmar"], title="Grensoverschrijdend onderzoek Schiphol")
    with count_statements() as miss:
        first = dashboard(cached_app, login_as, people["kmar"])
    assert redis_db.keys("portal:cache:dashboard:*"), "a miss stores the summary"
    with count_statements() as hit:
        second = dashboard(cached_app, login_as, people["kmar"])
    assert hit.value < miss.value
    strip = re.compile(r'(nonce|value|content)="[^"]*"|"X-CSRFToken": "[^"]*"')  # per session and request
    assert strip.sub("", first) == strip.sub("", second)
    assert "Grensoverschrijdend onderzoek Schiphol" in second


def test_every_committed_write_shows_at_once(cached_app, people, db_session, login_as, redis_db):
    from portal.actions import services

    before = total(dashboard(cached_app, login_as, people["kmar"]))
    generation = int(redis_db.get(MDT_KEY) or 0)
    item = create(cached_app, db_session, people["kmar"], title="Nieuwe actie na het cachen")
    assert int(redis_db.get(MDT_KEY)) > generation  # an mdt item: the MDT members' generation
    page = dashboard(cached_app, login_as, people["kmar"])
    assert total(page) == before + 1 and "Nieuwe actie na het cachen" in page

    services.update_item(db_session, people["kmar"], item, item.version, {
        "title": "Hernoemde actie", "description": "", "visibility": "mdt", "owner_organisation": "KMAR",
        "focus_area": "3.1", "due_date": date(2027, 1, 31)})
    with cached_app.app_context():
        db_session.commit()
    page = dashboard(cached_app, login_as, people["kmar"])
    assert "Hernoemde actie" in page and "Nieuwe actie na het cachen" not in page


def test_a_rolled_back_change_is_not_shown(cached_app, people, login_as):
    from models import ActionItem
    from portal.extensions import db

    dashboard(cached_app, login_as, people["kmar"])
    with cached_app.app_context():  # a request whose write fails: its own session, rolled back
        db.session.add(ActionItem(title="Nooit opgeslagen", owner_organisation_id=people["kmar"].organisation_id,
                                  visibility="mdt", status="open"))
        db.session.flush()
        db.session.rollback()
    assert "Nooit opgeslagen" not in dashboard(cached_app, login_as, people["kmar"])


def test_restricted_item_never_reaches_another_organisations_cached_dashboard(cached_app, people, db_session, login_as):
    # IND's dashboard is cached first, then KMAR adds an item restricted to KMAR.
    ind_before = total(dashboard(cached_app, login_as, people["ind"]))
    create(cached_app, db_session, people["kmar"], title="Alleen voor KMAR zichtbaar", visibility="organisation")
    kmar = dashboard(cached_app, login_as, people["kmar"])
    ind = dashboard(cached_app, login_as, people["ind"])
    ind_again = dashboard(cached_app, login_as, people["ind"])  # now a hit
    assert "Alleen voor KMAR zichtbaar" in kmar
    assert "Alleen voor KMAR zichtbaar" not in ind and "Alleen voor KMAR zichtbaar" not in ind_again
    assert total(ind) == total(ind_again) == ind_before


def test_unreachable_redis_computes_instead():
    calls = []
    value = Cache("redis://127.0.0.1:1/0").get_or_compute("x", (1,), lambda: calls.append(1) or {"n": 1})
    assert (value, calls) == ({"n": 1}, [1])
    Cache("redis://127.0.0.1:1/0").bump()  # logged, not raised


def test_list_totals_follow_writes_and_filters(cached_app, people, db_session, login_as):
    client = login_as(cached_app.test_client(), people["ind"])

    def total_of(query: str) -> int:
        return client.get(f"/api/v1/action-items?per_page=1&{query}").get_json()["total"]

    all_before, kmar_before, open_before = total_of(""), total_of("organisation=KMAR"), total_of("status=open")
    assert total_of("") == all_before  # now from the cache
    create(cached_app, db_session, people["kmar"], title="Gedeeld met iedereen")
    create(cached_app, db_session, people["kmar"], title="Alleen KMAR", visibility="organisation")
    assert total_of("") == all_before + 1
    assert total_of("organisation=KMAR") == kmar_before + 1
    assert total_of("status=open") == open_before + 1
    assert total_of("status=done") == 0


def test_report_view_is_shared_through_redis_and_kept_per_organisation(cached_app, people, db_session, make_user, redis_db):
    from portal.reports import services as reports

    coordinator = make_user("KMAR", role="coordinator")  # a report holds what its author may see
    create(cached_app, db_session, people["kmar"], title="Vertrouwelijk KMAR", visibility="organisation")
    with cached_app.app_context():
        report = reports.create_report(db_session, coordinator, "Peiling", today(), today())  # Amsterdam's today
        db_session.commit()

        def total(view):
            return sum(area["total"] for area in view["summary"]["focus_areas"])

        kmar, ind = reports.view_for(db_session, report, None, people["kmar"]), reports.view_for(db_session, report, None, people["ind"])
        assert total(kmar) == total(ind) + 1
        assert len(redis_db.keys("portal:cache:report-view:frozen:*")) == 2
        reports._views.clear()  # another process: only Redis has it
        assert reports.view_for(db_session, report, None, people["ind"]) == ind
        assert reports.view_for(db_session, report, None, people["kmar"]) == kmar


def test_framework_rollup_follows_weights_and_closures(cached_app, people, db_session, make_user, login_as):
    from sqlalchemy import select

    from models import FocusArea
    from portal.actions import services

    coordinator = make_user("JENV", role="coordinator")
    area = db_session.scalars(select(FocusArea).where(FocusArea.code == "3.1")).one()
    c1, c2 = area.commitments[0], area.commitments[1]
    with cached_app.app_context():
        a, _ = services.create_item(db_session, people["kmar"], {"title": "A", "focus_area": "3.1", "commitment_id": c1.id})
        services.create_item(db_session, people["kmar"], {"title": "B", "focus_area": "3.1", "commitment_id": c2.id})
        db_session.commit()
    client = login_as(cached_app.test_client(), coordinator)
    assert "Gewogen aandeel afgerond: 0%" in client.get("/framework/3.1").get_data(as_text=True)
    with cached_app.app_context():
        services.request_closure(db_session, people["kmar"], a, a.version, "klaar")
        db_session.commit()
    # Rule 1: a requested closure is not done until the second key.
    assert "Gewogen aandeel afgerond: 0%" in client.get("/framework/3.1").get_data(as_text=True)
    with cached_app.app_context():
        services.confirm_closure(db_session, coordinator, a, a.version)
        db_session.commit()
    assert "Gewogen aandeel afgerond: 50%" in client.get("/framework/3.1").get_data(as_text=True)
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
    weights = {f"weight-{c.id}": "1" for c in area.commitments} | {f"weight-{c1.id}": "3"}
    assert client.post("/framework/3.1/weights", data={"csrf_token": csrf, **weights}).status_code == 302
    assert "Gewogen aandeel afgerond: 75%" in client.get("/framework/3.1").get_data(as_text=True)


def test_carried_over_list_shows_the_latest_update_after_caching(cached_app, people, db_session, make_user, login_as):
    from datetime import datetime

    from portal.actions import services
    from portal.i18n import AMSTERDAM
    from portal.meetings import services as meetings

    coordinator = make_user("JENV", role="coordinator")

    def meeting(when):
        return meetings.create_meeting(db_session, coordinator, {"series": "MDT", "title": "MDT-overleg", "starts_at": when,
                                                                 "invited": ["KMAR", "IND", "JENV"], "visibility": "mdt"})

    with cached_app.app_context():
        january = meeting(datetime(2026, 1, 15, 10, tzinfo=AMSTERDAM))
        item, _ = services.create_item(db_session, people["kmar"], {"title": "Open uit januari", "meeting_id": january.id})
        february = meeting(datetime(2026, 2, 12, 10, tzinfo=AMSTERDAM))
        db_session.commit()
    client = login_as(cached_app.test_client(), people["ind"])

    def review() -> str:
        page = client.get(f"/meetings/{february.id}").get_data(as_text=True)
        return page.split("Actielijst vorige vergadering", 1)[1].split("</table>", 1)[0]

    assert "Open uit januari" in review() and "Actie aangemaakt." in review()  # the second is a hit
    with cached_app.app_context():
        services.add_update(db_session, people["kmar"], item, item.version, "Eerste verhoor gepland", "in_progress", 40)
        db_session.commit()
    assert "Eerste verhoor gepland" in review() and "(40%)" in review()
    with cached_app.app_context():
        services.cancel_item(db_session, people["kmar"], item, item.version, "Niet meer nodig")
        db_session.commit()
    assert "Open uit januari" not in review()


ORGS = ("KMAR", "POL", "IND", "OM", "JENV", "BZ", "NLA")


def _scope_generations(app, users) -> dict[str, str]:
    from portal.cache import cache
    from portal.visibility import scope

    with app.app_context():
        return {code: cache().generation(scope(user)) for code, user in users.items()}


@pytest.mark.parametrize("writer", ["KMAR", "POL", "IND", "OM", "JENV"])
def test_a_write_invalidates_exactly_the_scopes_that_can_see_it(cached_app, loaded, db_session, make_user, login_as, writer):
    """Every organisation's dashboard is cached; a write as `writer` in each visibility must show at once for everyone who
    may see it, and leave the cached pages of everyone else untouched (their generation does not move)."""
    from portal.visibility import allows

    users = {code: make_user(code, name=f"Lid {code}") for code in ORGS}
    with cached_app.app_context():
        db_session.commit()  # the reference data and the users: a change of the shared structure, before we look
    totals = {code: total(dashboard(cached_app, login_as, u)) for code, u in users.items()}
    owner = users[writer].organisation
    for visibility, shared in (("organisation", []), ("partners", ["BZ"] if writer != "BZ" else ["POL"]), ("mdt", []), ("public", [])):
        before = _scope_generations(cached_app, users)
        item = create(cached_app, db_session, users[writer], title=f"{visibility} van {writer}", visibility=visibility,
                      owner_organisation=writer, shared_with=shared)
        after = _scope_generations(cached_app, users)
        for code, user in users.items():
            sees = allows(user, visibility, owner.id, [users[s].organisation_id for s in shared])
            assert (after[code] != before[code]) == sees, f"{visibility} by {writer}: {code} generation moved={after[code] != before[code]}"
            totals[code] += sees
            page = dashboard(cached_app, login_as, user)
            assert total(page) == totals[code], f"{visibility} by {writer}: {code}"
        assert item.id


def test_narrowing_an_items_visibility_invalidates_who_could_see_it_before(cached_app, loaded, db_session, make_user, login_as):
    from portal.actions import services

    users = {code: make_user(code) for code in ORGS}
    with cached_app.app_context():
        db_session.commit()
    item = create(cached_app, db_session, users["KMAR"], title="Eerst voor het MDT", visibility="mdt")
    seen = {code: total(dashboard(cached_app, login_as, u)) for code, u in users.items()}
    before = _scope_generations(cached_app, users)
    services.update_item(db_session, users["KMAR"], item, item.version, {
        "title": "Nu alleen KMar", "description": "", "visibility": "organisation", "owner_organisation": "KMAR",
        "focus_area": "3.1", "due_date": date(2027, 1, 31)})
    with cached_app.app_context():
        db_session.commit()
    after = _scope_generations(cached_app, users)
    assert {c for c in ORGS if after[c] != before[c]} == {"KMAR", "POL", "IND", "OM", "JENV"}  # BZ and NLA never saw it
    for code in ("POL", "IND", "OM", "JENV"):
        assert total(dashboard(cached_app, login_as, users[code])) == seen[code] - 1
    assert total(dashboard(cached_app, login_as, users["KMAR"])) == seen["KMAR"]


def test_shared_structure_changes_invalidate_everyone(cached_app, loaded, db_session, make_user):
    from models import FocusArea

    users = {code: make_user(code) for code in ORGS}
    with cached_app.app_context():
        db_session.commit()
    before = _scope_generations(cached_app, users)
    area = db_session.query(FocusArea).first()
    area.title = area.title + " (herzien)"
    with cached_app.app_context():
        db_session.commit()
    after = _scope_generations(cached_app, users)
    assert all(after[c] != before[c] for c in ORGS)


# -- the signed-in user from Redis ----------------------------------------------------------------------------------

def test_signed_in_user_comes_from_redis_after_the_first_request(cached_app, loaded, db_session, make_user, login_as, redis_db):
    from sqlalchemy import event

    user = make_user("IND")
    with cached_app.app_context():
        db_session.commit()
    client = login_as(cached_app.test_client(), user)
    db_session.expunge_all()  # the test's session shares the requests' identity map: make a load need the database
    for key in redis_db.keys("portal:user:*"):
        redis_db.delete(key)  # signing in (login_as) already made a snapshot: start without one
    engine = db_session.get_bind().engine  # the requests of app_with's apps run on the test's connection
    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        if "FROM users" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get("/api/v1/me").get_json()["organisation"] == "IND"
        first = len(seen)
        me = client.get("/api/v1/me").get_json()
        assert me["organisation"] == "IND" and me["id"] == user.id
        assert first >= 1 and len(seen) == first  # the second request loaded no user row
        assert redis_db.get(f"portal:user:{me['id']}") is not None
        db_session.expunge_all()
        assert client.get("/").status_code == 200  # a page with the snapshot user works (relationships, visibility)
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def test_a_role_change_and_a_deactivation_hold_from_the_next_request(cached_app, loaded, db_session, make_user, login_as, redis_db):
    from portal.admin import accounts

    admin, user = make_user("JENV", role="admin"), make_user("POL", role="member")
    with cached_app.app_context():
        db_session.commit()
    client = login_as(cached_app.test_client(), user)
    assert client.get("/api/v1/me").get_json()["role"] == "member"
    assert client.get("/api/v1/me").get_json()["role"] == "member"  # now from the snapshot
    with cached_app.app_context():
        accounts.change(db_session, cached_app, admin, user, "coordinator", True)
        db_session.commit()
    assert client.get("/api/v1/me").get_json()["role"] == "coordinator"
    with cached_app.app_context():
        accounts.change(db_session, cached_app, admin, user, "coordinator", False)
        db_session.commit()
    assert client.get("/api/v1/me").status_code == 401


def test_a_snapshot_from_a_read_that_raced_a_change_is_not_used(cached_app, loaded, db_session, make_user, login_as, redis_db):
    """A snapshot carries the epochs read before the database: one written after a change bumped them never counts."""
    import json

    from portal.cache import USER_EPOCH_KEY, USER_KEY, USERS_EPOCH_KEY

    user = make_user("OM", role="reader")
    with cached_app.app_context():
        db_session.commit()
    client = login_as(cached_app.test_client(), user)
    client.get("/api/v1/me")
    snapshot = json.loads(redis_db.get(USER_KEY.format(user.id)))
    redis_db.incr(USER_EPOCH_KEY.format(user.id))  # a change committed meanwhile
    redis_db.set(USER_KEY.format(user.id), json.dumps({**snapshot, "role": "admin"}))  # the racing read writes late
    assert client.get("/api/v1/me").get_json()["role"] == "reader"
    redis_db.incr(USERS_EPOCH_KEY)  # an organisation changed: every snapshot is stale
    redis_db.set(USER_KEY.format(user.id), json.dumps({**json.loads(redis_db.get(USER_KEY.format(user.id))), "role": "admin"}))
    assert client.get("/api/v1/me").get_json()["role"] == "reader"


def test_an_organisation_leaving_the_mdt_shows_in_its_users_next_request(cached_app, loaded, db_session, make_user, login_as, redis_db):
    from models import ActionItem, Organisation

    user = make_user("OM")
    kmar = db_session.query(Organisation).filter_by(code="KMAR").one()
    db_session.add(ActionItem(title="Alleen voor het MDT", owner_organisation=kmar, visibility="mdt"))
    with cached_app.app_context():
        db_session.commit()
    client = login_as(cached_app.test_client(), user)
    assert client.get("/api/v1/action-items").get_json()["total"] == 1
    assert client.get("/api/v1/action-items").get_json()["total"] == 1
    om = db_session.query(Organisation).filter_by(code="OM").one()
    om.is_mdt_member = False
    with cached_app.app_context():
        db_session.commit()
    assert client.get("/api/v1/action-items").get_json()["total"] == 0


def test_the_cache_listens_to_the_portals_sessions_only(app):
    """Registered on the app's session class (#25): every `db.session` bumps the generations its commit can change, a
    SQLAlchemy session the portal did not make (a script, a migration) is not watched."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from portal import cache as cache_module
    from portal.extensions import AppSession, db

    with app.app_context():
        assert isinstance(db.session, AppSession)
    assert event.contains(AppSession, "after_commit", cache_module._bump)
    assert event.contains(AppSession, "after_flush", cache_module._mark)
    assert not event.contains(Session, "after_commit", cache_module._bump)
