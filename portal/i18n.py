"""Dutch first: Flask-Babel, long Dutch dates and Europe/Amsterdam times in templates."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import Babel, format_date, format_datetime


def today() -> date:
    """Today in Europe/Amsterdam, whatever the server's time zone."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/Amsterdam")).date()


def _long_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "d MMMM y")
    return format_date(value, "d MMMM y")


MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december")


def format_long_date(value: date) -> str:
    """"19 oktober 2023" without a request (e-mail, exports)."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _date_time(value: datetime | None) -> str:
    return "" if value is None else format_datetime(value, "d MMMM y 'om' HH:mm")


STATUS_LABELS = {"open": "Open", "in_progress": "Bezig", "blocked": "Geblokkeerd", "done": "Afgerond", "cancelled": "Vervallen"}
VISIBILITY_LABELS = {
    "organisation": "alleen eigen organisatie",
    "partners": "eigen organisatie en gekozen partners",
    "mdt": "alle MDT-partners",
    "public": "iedereen (ook publicatie)",
}


ROLE_LABELS = {"reader": "lezer", "member": "lid", "coordinator": "coördinator", "admin": "beheerder"}


def status_label(item) -> str:
    """Status in words, with the two-key closure state (never colour alone)."""
    if item.status == "done" and item.closure_state == "requested":
        return "Afgerond, wacht op bevestiging"
    return STATUS_LABELS[item.status]


def init_app(app: Flask) -> None:
    from .markdown import render

    app.jinja_env.globals.update(status_labels=STATUS_LABELS, visibility_labels=VISIBILITY_LABELS,
                                 role_labels=ROLE_LABELS, status_label=status_label, today=today)
    app.jinja_env.filters["markdown"] = render
    Babel(app, locale_selector=lambda: "nl", timezone_selector=lambda: "Europe/Amsterdam")
    app.jinja_env.filters["long_date"] = _long_date
    app.jinja_env.filters["date_time"] = _date_time
