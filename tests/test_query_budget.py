"""Query budget: every main page and API list issues the same number of SQL statements at two data sizes, at most 10."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, func, select

from models import ActionItem, Framework, Meeting, ParliamentCommitment, ProgressUpdate, Target, User, action_item_recommendations
from portal import demo
from portal.extensions import Database
from portal.reports import services as report_services

BUDGET = 10
PAGES = [
    "/", "/actions", "/actions?status=in_progress&sort=-updated_at&organisation=KMAR", "/actions/{item}", "/meetings",
    "/meetings/{meeting}", "/meetings/decisions", "/framework", "/framework/3.1", "/recommendations", "/indicators",
    "/search?q=grenstoezicht", "/api/v1/search?q=grenstoezicht", "/reports/{report}", "/api/v1/action-items?per_page=100", "/api/v1/meetings",
    "/api/v1/recommendations", "/api/v1/meetings/{meeting}", "/api/v1/action-items/{item}/history",
    "/parliament", "/parliament/{parliament}", "/recommendations/{rec}", "/framework/commitments/{commitment}",
    "/framework?framework={old_framework}", "/indicators/{indicator}", "/api/v1/parliament", "/api/v1/focus-areas", "/api/v1/frameworks",
    "/api/v1/recommendations/{rec}/state", "/api/v1/commitments/{commitment}/state", "/parliament?due=soon",
    "/sources", "/api/v1/sources", "/recommendations/{rec}/state", "/recommendations/{rec}/state?status=late",
]
# A coordinator's start page says what waits for them (closures, toezeggingen and figures coming due, the update round).
COORDINATOR_PAGES = ["/", "/recommendations/{rec}", "/recommendations/{rec}/state", "/parliament?due=soon", "/sources", "/meetings/{meeting}", "/framework"]


def _counts(app, client, ids, pages=PAGES) -> dict[str, int]:
    engine = Database.state(app).engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        # The test's own savepoints are not the page's work.
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    result = {}
    for page in pages:
        url = page.format(**ids)
        client.get(url)  # warm-up: the session's last-seen write happens once a minute at most
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            response = client.get(url)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, url
        result[page] = len(statements)
    return result


def _world(session, items: int):
    demo.generate(session, items, seed=7)
    session.flush()
    viewer = session.scalars(select(User).where(User.subject == "demo-kmar-0")).one()
    coordinator = session.scalars(select(User).where(User.subject == "demo-jenv-0")).one()
    item = session.scalars(select(ActionItem.id).where(ActionItem.visibility == "mdt")
                           .order_by(ActionItem.id.desc())).first()
    meeting = session.scalars(select(Meeting.id).order_by(Meeting.id.desc())).first()
    report = report_services.create_report(session, coordinator, "Budget", date(2026, 1, 1), date(2026, 11, 23))
    session.commit()
    rec = session.scalars(select(action_item_recommendations.c.recommendation_id).order_by(action_item_recommendations.c.action_item_id.desc())).first()
    return viewer, {"item": item, "meeting": meeting, "report": report.id, "rec": rec,
                    "parliament": session.scalars(select(ParliamentCommitment.id).order_by(ParliamentCommitment.id)).first(),
                    "commitment": session.scalars(select(Target.commitment_id).order_by(Target.id)).first(),
                    "old_framework": session.scalars(select(Framework.id).where(Framework.key == "kmar-doelstellingen-2009")).one(),
                    "indicator": "slachtoffers-comensha"}


@pytest.mark.parametrize("sizes", [(20, 200)])
def test_statement_counts_do_not_grow_with_the_data(app, loaded, login_as, db_session, sizes):
    small, large = sizes
    viewer, ids = _world(db_session, small)
    client = login_as(app.test_client(), viewer)
    coordinator = login_as(app.test_client(), db_session.scalars(select(User).where(User.subject == "demo-jenv-0")).one())
    first = _counts(app, client, ids)
    first_coordinator = _counts(app, coordinator, ids, COORDINATOR_PAGES)
    _, more_ids = _world(db_session, large - small)
    more = {**ids, "item": more_ids["item"], "meeting": more_ids["meeting"], "report": more_ids["report"], "rec": more_ids["rec"]}
    second = _counts(app, client, more)
    second_coordinator = _counts(app, coordinator, more, COORDINATOR_PAGES)
    assert db_session.scalar(select(func.count()).select_from(ProgressUpdate)) > 1000
    assert first == second, {p: (first[p], second[p]) for p in PAGES if first[p] != second[p]}
    assert first_coordinator == second_coordinator, (first_coordinator, second_coordinator)
    over = {p: n for p, n in second.items() if n > BUDGET} | {f"{p} (coordinator)": n for p, n in second_coordinator.items() if n > BUDGET}
    assert over == {}, over


def test_probes_do_no_session_work_even_with_a_session_cookie(app, loaded, make_user, login_as):
    """/healthz answers without reading the session or the user (no SQL at all); /readyz only checks the database;
    the caller's session survives untouched."""
    client = login_as(app.test_client(), make_user("KMAR"))
    assert client.get("/").status_code == 200
    engine = Database.state(app).engine
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        health = client.get("/healthz")
        healthy = list(statements)
        statements.clear()
        ready = client.get("/readyz")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert health.get_json() == {"status": "ok"} and healthy == []
    assert ready.get_json()["database"] == "ok" and statements == ["SELECT 1"]
    assert "portal=" not in health.headers.get("Set-Cookie", "")
    assert client.get("/").status_code == 200  # still signed in
