"""Dutch first: Flask-Babel, long Dutch dates and Europe/Amsterdam times in templates."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import Babel, format_date, format_datetime


def _long_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "d MMMM y")
    return format_date(value, "d MMMM y")


def _date_time(value: datetime | None) -> str:
    return "" if value is None else format_datetime(value, "d MMMM y 'om' HH:mm")


STATUS_LABELS = {"open": "Open", "in_progress": "Bezig", "blocked": "Geblokkeerd", "done": "Afgerond", "cancelled": "Vervallen"}
VISIBILITY_LABELS = {
    "organisation": "alleen eigen organisatie",
    "partners": "eigen organisatie en gekozen partners",
    "mdt": "alle MDT-partners",
    "public": "iedereen (ook publicatie)",
}


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(status_labels=STATUS_LABELS, visibility_labels=VISIBILITY_LABELS)
    Babel(app, locale_selector=lambda: "nl", timezone_selector=lambda: "Europe/Amsterdam")
    app.jinja_env.filters["long_date"] = _long_date
    app.jinja_env.filters["date_time"] = _date_time
