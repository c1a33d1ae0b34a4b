"""One way to write (#25): a view or API route hands its service call to writes.transaction (api.helpers.service_call
is the same with the route's words for a refusal), which commits once, rolls back what was refused, and keeps a
conflict's audit event. What it raises is answered once: by the app's handlers for pages, by the API blueprint's
handlers as JSON. No view commits on its own."""
from __future__ import annotations

import ast
import inspect
from pathlib import Path

from sqlalchemy import select

from models import AuditEvent, ParliamentCommitment

PORTAL = Path(__file__).resolve().parents[1] / "portal"


def _view_modules(app) -> set[Path]:
    """Every module that holds a route of the app (new features are found without being listed)."""
    return {Path(inspect.getsourcefile(inspect.unwrap(view))) for view in app.view_functions.values()
            if inspect.getsourcefile(inspect.unwrap(view)) and str(PORTAL) in inspect.getsourcefile(inspect.unwrap(view))}


def _commits(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"]


def test_no_view_commits_on_its_own(app):
    modules = _view_modules(app)
    assert PORTAL / "api" / "items.py" in modules and PORTAL / "actions" / "views.py" in modules  # the scan sees the views
    found = {str(path.relative_to(PORTAL)): lines for path in sorted(modules) if (lines := _commits(path))}
    assert found == {}, f"commit through writes.transaction, not here: {found}"


def test_the_scan_finds_a_commit(tmp_path):
    """The check can fail: a view module that commits is found out."""
    view = tmp_path / "views.py"
    view.write_text("def save():\n    do()\n    db.session.commit()\n", encoding="utf-8")
    assert _commits(view) == [3]


def test_an_api_conflict_keeps_its_audit_event_and_nothing_else(api, db_session):
    coordinator = api("JENV", "coordinator")
    created = coordinator.post("/api/v1/parliament", json={"kind": "toezegging", "text": "De Kamer informeren.", "due": "eind 2027",
                                                           "owner_organisation": "JENV"}, headers=coordinator.headers)
    pid, etag = created.get_json()["id"], created.headers["ETag"]
    assert coordinator.patch(f"/api/v1/parliament/{pid}", json={"status": "fulfilled"},
                             headers={**coordinator.headers, "If-Match": etag}).status_code == 200
    stale = coordinator.patch(f"/api/v1/parliament/{pid}", json={"status": "lapsed", "text": "Overschreven"},
                              headers={**coordinator.headers, "If-Match": etag})
    assert stale.status_code == 412 and stale.get_json()["status"] == "fulfilled"
    db_session.expire_all()
    stored = db_session.get(ParliamentCommitment, pid)
    assert (stored.status, stored.text) == ("fulfilled", "De Kamer informeren.")
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "version_conflict", AuditEvent.entity_id == pid)).all()
    assert [e.entity_type for e in events] == ["parliament_commitments"]


def _own_loads(path: Path) -> list[str]:
    """Places in a module that load a record and answer 404 themselves instead of through access.get_or_404: a query
    `or abort(404)`, or a call to the denial audit that get_or_404 makes. A lookup a feature's service answers
    (a focus area in the framework in force, an item's attachment) is that service's business."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            last = node.values[-1]
            if isinstance(last, ast.Call) and ast.unparse(last.func) == "abort" and ast.unparse(last.args[:1][0] if last.args else last) == "404":
                loaded = " ".join(ast.unparse(v) for v in node.values[:-1])
                if loaded.startswith(("db.session.get(", "db.session.scalars(", "db.session.execute(", "db.session.scalar(")):
                    found.append(f"{node.lineno}: {loaded[:60]}")
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("audit_denial_later"):
            found.append(f"{node.lineno}: audit_denial_later")
    return found


def test_every_route_loads_its_record_one_way(app):
    """A route loads the record its URL names with access.get_or_404(Model, id or criterion, visible=..., options=...):
    one query under the visibility rule, the same 404 for missing and hidden, the denial audited. No own variant."""
    found = {str(path.relative_to(PORTAL)): lines for path in sorted(_view_modules(app)) if (lines := _own_loads(path))}
    assert found == {}, f"load through access.get_or_404: {found}"


def test_the_load_scan_finds_an_own_variant(tmp_path):
    view = tmp_path / "views.py"
    view.write_text("def show(rid):\n    rec = db.session.get(Recommendation, rid) or abort(404)\n"
                    "    other = providers().get(name) or abort(404)\n", encoding="utf-8")
    assert [line.split(":")[0] for line in _own_loads(view)] == ["2"]


def test_a_page_answers_each_service_exception_once_without_a_500(app_with, portal_toml):
    """What a page's service raises and no form catches is answered by the app's handlers: 403, 409, 422, each an
    error page in words, and the transaction rolled back; the API's twin answers the same exceptions as JSON."""
    from portal import errors
    from portal.writes import transaction

    app = app_with(portal_toml)  # a new app (routes are added before its first request), in the test's transaction
    raised = {"/t/forbidden": errors.NotAllowed("not yours"), "/t/invalid": errors.ValidationFailed({"title": "Te lang."}),
              "/t/locked": errors.Locked({"status": "Vastgesteld."}),
              "/t/stale": errors.VersionConflict(type("Row", (), {"id": 1, "version": 2})())}
    for path, exc in raised.items():
        def view(exc=exc):
            with transaction():
                raise exc
        view.is_public = True  # type: ignore[attr-defined]  # no sign-in needed for what is tested here
        app.add_url_rule(path, path, view)
    client = app.test_client()
    answers = {path: client.get(path) for path in raised}
    assert {path: r.status_code for path, r in answers.items()} == {"/t/forbidden": 403, "/t/invalid": 422, "/t/locked": 409,
                                                                     "/t/stale": 409}
    for response in answers.values():
        assert response.mimetype == "text/html" and b"<h1" in response.data
