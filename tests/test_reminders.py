"""Reminder e-mails through a real SMTP server on loopback (aiosmtpd)."""
from __future__ import annotations

from datetime import date, timedelta

from models import ActionItem


def test_reminders_reach_the_right_people_once_a_day(app_with, smtp, loaded, make_user, db_session):
    from portal.actions.reminders import send_reminders

    assignee = make_user("KMAR", name="Karin Uitvoerder", email="karin@kmar.example")
    colleague = make_user("POL", name="Piet Politie", email="piet@pol.example")
    make_user("POL", role="reader", name="Lea Lezer", email="lea@pol.example")
    today = date(2026, 11, 23)
    kmar, pol = assignee.organisation, colleague.organisation
    db_session.add_all([
        ActionItem(title="Te late actie", owner_organisation=kmar, assignee=assignee, due_date=today - timedelta(days=2)),
        ActionItem(title="Bijna verlopen", owner_organisation=pol, due_date=today + timedelta(days=6)),
        ActionItem(title="Nog ver weg", owner_organisation=pol, due_date=today + timedelta(days=30)),
        ActionItem(title="Al afgerond", owner_organisation=kmar, assignee=assignee, status="done", due_date=today - timedelta(days=1)),
    ])
    db_session.flush()

    result = send_reminders(db_session, today, smtp.url, "https://mdt.example")
    assert result == {"emails": 2, "items": 2}
    by_to = {m["To"]: m for m in smtp.messages}
    assert set(by_to) == {"karin@kmar.example", "piet@pol.example"}  # readers get no work reminders
    karin = by_to["karin@kmar.example"].get_payload(decode=True).decode()
    assert "Te late actie (te laat: 21 november 2026)" in karin and "https://mdt.example/actions/" in karin
    assert "Al afgerond" not in karin and "Bijna verlopen" not in karin
    assert "(1 te laat)" in by_to["karin@kmar.example"]["Subject"]
    piet = by_to["piet@pol.example"].get_payload(decode=True).decode()
    assert "Bijna verlopen (deadline nadert: 29 november 2026)" in piet and "Nog ver weg" not in piet

    again = send_reminders(db_session, today, smtp.url, "https://mdt.example")
    assert again == {"emails": 0, "items": 0} and len(smtp.messages) == 2
    tomorrow = send_reminders(db_session, today + timedelta(days=1), smtp.url, "https://mdt.example")
    assert tomorrow["emails"] == 2


def test_send_reminders_command(app_with, smtp, loaded, make_user, db_session):
    user = make_user("KMAR", email="k@kmar.example")
    db_session.add(ActionItem(title="Morgen klaar", owner_organisation=user.organisation, assignee=user, due_date=date.today()))
    db_session.flush()
    app = app_with(SMTP_URL=smtp.url)
    result = app.test_cli_runner().invoke(args=["portal", "send-reminders"])
    assert result.exit_code == 0, result.output
    assert "1 e-mail(s) over 1 actie(s) verstuurd." in result.output
    assert smtp.messages[0]["To"] == "k@kmar.example"


def test_send_reminders_without_smtp_says_nothing_was_sent(app_with, loaded, make_user, db_session, caplog):
    user = make_user("KMAR", email="k@kmar.example")
    db_session.add(ActionItem(title="Morgen klaar", owner_organisation=user.organisation, assignee=user, due_date=date.today()))
    db_session.flush()
    with caplog.at_level("INFO", logger="portal.mail"):
        result = app_with().test_cli_runner().invoke(args=["portal", "send-reminders"])
    assert result.exit_code == 0, result.output
    assert "1 e-mail(s) over 1 actie(s) NIET verstuurd (SMTP_URL is niet ingesteld" in result.output
    assert any("k@kmar.example" in r.getMessage() and "Morgen klaar" in r.getMessage() for r in caplog.records)
