"""The demo scenario (load-demo): believable work on the reference data, loaded through the services, never twice,
never in production."""
from __future__ import annotations

from sqlalchemy import func, select

from models import ActionItem, Meeting, Report, User
from portal import demo_content
from portal.i18n import today


def test_the_scenario_has_work_of_every_kind_and_keeps_the_rules(app, loaded, login_as):
    counts = demo_content.load(loaded, today(), {"KMAR": "http://127.0.0.1:5101", "*": "http://127.0.0.1:5107"})
    loaded.flush()
    assert counts["items"] == len(demo_content.ITEMS) >= 20 and counts["meetings"] == 3 and counts["reports"] == 2
    items = loaded.scalars(select(ActionItem)).all()
    assert {i.owner_organisation.code for i in items} >= {"KMAR", "POL", "IND", "OM", "JENV", "EMM"}
    assert {i.status for i in items} >= {"open", "in_progress", "blocked", "awaiting_confirmation", "done"}
    assert {i.visibility for i in items} >= {"organisation", "partners", "mdt", "public"}
    assert any(i.due_date < today() and i.status not in ("done", "cancelled") for i in items)  # something is late
    assert [m.minutes_status for m in loaded.scalars(select(Meeting).order_by(Meeting.starts_at))] == ["vastgesteld", "vastgesteld", "concept"]
    spring, autumn = loaded.scalars(select(Report).order_by(Report.as_of, Report.id)).all()
    assert autumn.previous_report_id == spring.id and spring.as_of < autumn.as_of
    assert len(spring.snapshot["items"]) < len(autumn.snapshot["items"])  # the history was placed in time
    # The people sign in through the development provider as themselves.
    kmar = loaded.scalars(select(User).where(User.subject == "kmar")).one()
    assert kmar.issuer == "http://127.0.0.1:5101" and loaded.scalars(select(User.issuer).where(User.subject == "bz")).one() == "http://127.0.0.1:5107"
    # What KMar restricted stays KMar's.
    secret = next(i for i in items if i.title.startswith("Casus Schiphol"))
    ind = loaded.scalars(select(User).where(User.subject == "ind")).one()
    assert login_as(app.test_client(), ind).get(f"/actions/{secret.id}").status_code == 404
    assert login_as(app.test_client(), kmar).get(f"/actions/{secret.id}").status_code == 200
    page = login_as(app.test_client(), ind).get("/").get_data(as_text=True)
    assert "U kunt 0 acties zien" not in page


def test_the_scenario_loads_once_and_never_in_production(app_with, loaded, tmp_path):
    app = app_with()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["portal", "load-demo"])
    assert first.exit_code == 0, first.output
    assert "Demo-inhoud geladen" in first.output
    items = loaded.scalar(select(func.count()).select_from(ActionItem))
    again = runner.invoke(args=["portal", "load-demo"])
    assert again.exit_code != 0 and "al acties" in again.output
    quiet = runner.invoke(args=["portal", "load-demo", "--if-empty"])
    assert quiet.exit_code == 0 and "niet geladen" in quiet.output
    assert loaded.scalar(select(func.count()).select_from(ActionItem)) == items


def test_the_scenario_refuses_production(app, monkeypatch):
    settings = app.config["PORTAL_SETTINGS"]
    monkeypatch.setattr(type(settings), "is_production", property(lambda self: True))
    result = app.test_cli_runner().invoke(args=["portal", "load-demo"])
    assert result.exit_code != 0 and "nooit in productie" in result.output
