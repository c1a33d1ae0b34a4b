"""Dutch first, English switchable and remembered per user; dates written out in the chosen language."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from models import ActionItem

PO = Path(__file__).resolve().parents[1] / "portal" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def test_every_message_has_an_english_text_and_the_compiled_catalogue_matches():
    catalogue = read_po(PO.open("rb"))

    def texts(message):  # plural messages carry a tuple of ids and one text per plural form
        return tuple(message.string) if message.pluralizable else (message.string,)

    untranslated = [m.id for m in catalogue if m.id and not all(texts(m))]
    assert untranslated == []
    assert not [m.id for m in catalogue if m.id and m.fuzzy]
    compiled = read_mo(PO.with_suffix(".mo").open("rb"))
    as_key = lambda m: tuple(m.id) if m.pluralizable else m.id  # noqa: E731
    assert {as_key(m): texts(m) for m in catalogue if m.id} == {as_key(m): texts(m) for m in compiled if m.id}


def test_dutch_by_default_english_on_request_and_remembered(app, loaded, make_user, login_as, db_session):
    user = make_user("KMAR")
    db_session.add(ActionItem(title="Actie", owner_organisation=user.organisation, due_date=date(2023, 10, 19)))
    db_session.flush()
    client = login_as(app.test_client(), user)
    page = client.get("/actions").get_data(as_text=True)
    assert '<html lang="nl">' in page and "19 oktober 2023" in page and ">Nieuwe actie<" in page
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
    switched = client.post("/language", data={"csrf_token": csrf, "locale": "en", "next": "/actions"})
    assert switched.status_code == 302 and switched.headers["Location"] == "/actions"
    db_session.refresh(user)
    assert user.locale == "en"
    page = client.get("/actions").get_data(as_text=True)
    assert '<html lang="en">' in page and "19 October 2023" in page and ">New action<" in page and "Nederlands" in page
    # Remembered on the user: a new session in another browser is English too.
    other = login_as(app.test_client(), user)
    assert ">New action<" in other.get("/actions").get_data(as_text=True)


def test_language_switch_refuses_unknown_locales_and_foreign_redirects(app, loaded, make_user, login_as, db_session):
    user = make_user("KMAR")
    client = login_as(app.test_client(), user)
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
    response = client.post("/language", data={"csrf_token": csrf, "locale": "xx", "next": "//evil.example"})
    assert response.headers["Location"] == "/"
    db_session.refresh(user)
    assert user.locale == "nl"
