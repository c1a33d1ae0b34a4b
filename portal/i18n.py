"""Dutch first: Flask-Babel, long Dutch dates and Europe/Amsterdam times in templates."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, has_request_context, redirect, request, session
from flask_babel import Babel, get_locale, get_translations
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from models import is_late

from .access import current_viewer, public
from .markdown import render
from .security import safe_next
from .writes import transaction

LOCALES = ("nl", "en")
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


def N_(text: str) -> str:
    """Marks a message for extraction (a Babel default keyword) without translating it here."""
    return text


def select_locale() -> str:
    """Dutch first; English when the user chose it (kept on the user, or in the session before sign-in). Outside a
    request (commands, mail runs) Dutch."""
    if not has_request_context():
        return "nl"
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    chosen = session.get("locale")
    return chosen if chosen in LOCALES else "nl"


def cutoff(day: date) -> datetime:
    """The first moment after a day in Amsterdam, in UTC: what was recorded before it was known on that day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=AMSTERDAM).astimezone(UTC)


def today() -> date:
    """Today in Europe/Amsterdam, whatever the server's time zone."""
    return datetime.now(AMSTERDAM).date()




def _months(locale: str | None = None) -> tuple[str, ...]:
    """The month names of `locale`, or of the request's language when None (Dutch outside a request)."""
    if locale is None:
        locale = str(get_locale() or "nl") if has_request_context() else "nl"
    return MONTHS_EN if locale == "en" else MONTHS


def _local(value: datetime) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(AMSTERDAM)


# The page filters below write what Babel's "d MMMM y" would (19 oktober 2023 / 19 October 2023) in
# a tenth of the time: lists and histories show hundreds of dates per page.
def long_date(value: date | datetime | str | None, locale: str | None = None) -> str:
    """"19 oktober 2023" / "19 October 2023" (a datetime in Europe/Amsterdam); pages, mail and exports alike."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        value = _local(value)
    return f"{value.day} {_months(locale)[value.month - 1]} {value.year}"


def format_number_nl(value) -> str:
    """1234567.5 -> '1.234.567,5' (Dutch), integers without decimals."""
    if value is None:
        return ""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return f"{int(number):,}".replace(",", ".")
    return f"{float(number):,.2f}".rstrip("0").replace(",", "_").replace(".", ",").replace("_", ".")


def date_time(value: datetime | None, locale: str | None = None) -> str:
    """"19 oktober 2023 om 14:05" in Europe/Amsterdam ("19 October 2023 at 14:05" in English)."""
    if value is None:
        return ""
    local = _local(value)
    months = _months(locale)
    return f"{local.day} {months[local.month - 1]} {local.year} {'at' if months is MONTHS_EN else 'om'} {local:%H:%M}"


STATUS_TEXT = {"open": N_("Open"), "in_progress": N_("Bezig"), "blocked": N_("Geblokkeerd"),
               "awaiting_confirmation": N_("Wacht op bevestiging"), "done": N_("Afgerond"), "cancelled": N_("Vervallen")}
STATUS_LABELS = {key: _l(text) for key, text in STATUS_TEXT.items()}
VISIBILITY_LABELS = {
    "organisation": _l("alleen eigen organisatie"),
    "partners": _l("eigen organisatie en gekozen partners"),
    "mdt": _l("MDT-leden (KMar, Politie, IND, OM, JenV)"),
    "public": _l("alle partners, ook BZ, NLA en EMM (geschikt voor publicatie)"),
}


ROLE_LABELS = {"reader": _l("lezer"), "member": _l("lid"), "coordinator": _l("coördinator"), "admin": _l("beheerder")}


def status_label(item) -> str:
    """Status in words (never colour alone); a requested closure is its own status, awaiting_confirmation."""
    return _translations().ugettext(STATUS_TEXT[item.status])


_translations_by_locale: dict = {}


def _translations():
    """The current locale's catalogue, looked up once per locale per process. Flask-Babel's own lookup
    (context, cache, locale identifier) costs ~13 µs per string; pages translate hundreds of strings."""
    locale = get_locale()
    found = _translations_by_locale.get(locale)
    if found is None:
        found = _translations_by_locale[locale] = get_translations()
    return found


def machine_time(value) -> str:
    """A <time datetime> value valid in HTML: a date as YYYY-MM-DD, a moment in Amsterdam time to the second with its offset."""
    if isinstance(value, datetime):
        return value.astimezone(AMSTERDAM).isoformat(timespec="seconds")
    return value.isoformat()


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(is_late=is_late, status_labels=STATUS_LABELS, visibility_labels=VISIBILITY_LABELS,
                                 role_labels=ROLE_LABELS, status_label=status_label, today=today)
    app.jinja_env.filters["markdown"] = render
    app.jinja_env.filters["number"] = format_number_nl
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).parent / "translations")
    Babel(app, locale_selector=select_locale, timezone_selector=lambda: "Europe/Amsterdam")
    # The same callables Flask-Babel installs, with the per-locale lookup above.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        lambda text: _translations().ugettext(text),
                                            lambda singular, plural, n: _translations().ungettext(singular, plural, n),
                                            newstyle=True)
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "nl")
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["date_time"] = date_time
    app.jinja_env.filters["machine_time"] = machine_time


def language_blueprint():
    """POST /language: switch between Dutch and English; remembered on the user."""
    bp = Blueprint("language", __name__)

    @bp.post("/language")
    @public
    def switch():
        locale = request.form.get("locale", "nl")
        if locale in LOCALES:
            session["locale"] = locale
            viewer = current_viewer()
            if viewer is not None and viewer.locale != locale:
                with transaction():
                    viewer.locale = locale
        return redirect(safe_next(request.form.get("next")))

    return bp
