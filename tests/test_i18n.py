"""Dutch first, English switchable and remembered per user; dates written out in the chosen language."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from models import ActionItem

pytestmark = pytest.mark.once("sqlite")  # independent of the database: make test runs it on one backend (conftest)

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


def test_every_page_in_english_shows_no_dutch_catalogue_text(app, loaded, make_user, login_as, db_session):
    """Every GET page (ids filled in from the demo scenario), rendered in English, holds no msgid of the catalogue
    whose English text differs: a Dutch text left on a page is a text that skipped the catalogue."""
    import html
    import re

    from portal import demo_content
    from portal.i18n import today

    demo_content.load(db_session, today(), {})
    db_session.flush()
    catalogue = read_po(PO.open("rb"))
    # A label that is also a word of the (Dutch, untranslated) reference data, such as the document kind
    # "Beleidsdoorlichting" in the title of the Beleidsdoorlichting itself, is data on the page, not a skipped text.
    data = (Path(__file__).resolve().parent.parent / "portal" / "data" / "mdt-mensensmokkel.yaml").read_text(encoding="utf-8")
    dutch = sorted({m.id for m in catalogue if m.id and not m.pluralizable and m.string and m.string != m.id and len(m.id) >= 14
                    and m.id not in data}, key=len)
    coordinator = db_session.scalars(__import__("sqlalchemy").select(__import__("models").User).where(
        __import__("models").User.subject == "coordinator")).one()
    coordinator.locale = "en"
    db_session.flush()
    client = login_as(app.test_client(), coordinator)
    from sqlalchemy import select

    from models import Indicator, Meeting, ParliamentCommitment, Recommendation, Report
    values = {"item_id": str(db_session.scalars(select(ActionItem.id).order_by(ActionItem.id)).first()),
              "meeting_id": str(db_session.scalars(select(Meeting.id).order_by(Meeting.id)).first()),
              "report_id": str(db_session.scalars(select(Report.id).order_by(Report.id.desc())).first()),
              "rec_id": str(db_session.scalars(select(Recommendation.id).order_by(Recommendation.id)).first()),
              "pid": str(db_session.scalars(select(ParliamentCommitment.id).order_by(ParliamentCommitment.id)).first()),
              "key": db_session.scalars(select(Indicator.key).where(Indicator.key == "slachtoffers-comensha")).one(),
              "code": "3.1", "commitment_id": "1"}
    found: dict[str, list[str]] = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static", "/auth/")) or rule.endpoint == "static":
            continue
        if any(arg not in values for arg in rule.arguments):
            continue
        url = re.sub(r"<(?:[a-z]+:)?(\w+)>", lambda m: values[m.group(1)], rule.rule)
        response = client.get(url)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        page = html.unescape(response.get_data(as_text=True))
        left = [m for m in dutch if m in page]
        if left:
            found[url] = left
    assert found == {}, found


# Dutch documents by design (annexes and minutes for the record), whatever the reader's language.
DUTCH_DOCUMENTS = {"reports/export.html", "meetings/export.html", "meetings/export_compiled.html", "meetings/_minutes.html", "admin/archive_item.html"}


def test_templates_hold_no_text_outside_the_catalogue():
    """Every visible text and label in a template goes through _() or ngettext(): what is left after removing the
    Jinja expressions and the tags may only be punctuation, numbers, units and addresses."""
    import re

    root = Path(__file__).resolve().parents[1] / "templates"
    loose = {}
    for path in sorted(root.rglob("*.html")):
        name = str(path.relative_to(root))
        if name in DUTCH_DOCUMENTS:
            continue
        source = path.read_text(encoding="utf-8")
        source = re.sub(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", " ", source, flags=re.S)
        source = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", source, flags=re.S)
        attributes = re.findall(r'(?:aria-label|title|alt|placeholder)="([^"]*)"', source)
        text = re.sub(r"<[^>]+>", " ", source)
        words = [t for t in re.split(r"\s{2,}|\n", text) + attributes
                 if re.search(r"[A-Za-zÀ-ÿ]{3,}", t) and not re.fullmatch(r"\s*[\w.-]+@[\w.-]+\s*\.?\s*|\s*kB\s*,?\s*", t)]
        words = [w.strip() for w in words if w.strip() not in ("English", "Nederlands")]  # each language names itself
        if words:
            loose[name] = words
    assert loose == {}, loose


def test_service_messages_follow_the_users_language(app, loaded, make_user, login_as, db_session):
    """Validation messages from the services (pages and API alike) come in the reader's language."""
    user = make_user("KMAR", locale="en")
    client = login_as(app.test_client(), user)
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
    refused = client.post("/api/v1/action-items", json={"title": "", "due_date": "1999-01-01"}, headers={"X-CSRFToken": csrf})
    assert refused.status_code == 422
    fields = refused.get_json()["error"]["fields"]
    assert fields["title"] == "Enter the title."
    user.locale = "nl"
    db_session.flush()
    dutch = login_as(app.test_client(), user)
    csrf = dutch.get("/api/v1/me").get_json()["csrf_token"]
    assert dutch.post("/api/v1/action-items", json={"title": ""}, headers={"X-CSRFToken": csrf}).get_json()["error"]["fields"]["title"] == "Vul de titel in."


def test_refused_input_and_csrf_messages_follow_the_users_language(app, loaded, make_user, login_as, db_session):
    """What the input check refuses before any view (bad JSON, control characters) and a missing CSRF token are said in
    the reader's language too, in the API and on pages."""
    user = make_user("KMAR", locale="en")
    client = login_as(app.test_client(), user)
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
    broken = client.post("/api/v1/action-items", data="{", content_type="application/json", headers={"X-CSRFToken": csrf})
    assert broken.status_code == 400 and broken.get_json()["error"]["message"] == "The content is not valid JSON."
    control = client.get("/api/v1/action-items?q=a%00b")
    assert control.status_code == 400 and control.get_json()["error"]["message"].startswith("The request contains characters")
    no_token = client.post("/api/v1/action-items", json={"title": "x"})
    assert no_token.status_code == 400 and no_token.get_json()["error"]["message"].startswith("The security code (CSRF)")
    typed = client.post("/api/v1/action-items", json={"title": 5}, headers={"X-CSRFToken": csrf}).get_json()["error"]
    assert typed["message"] == "Check the fields." and typed["fields"]["title"] == "Give text."
    stale = client.patch("/api/v1/action-items/1", json={"title": "x"}, headers={"X-CSRFToken": csrf})
    assert stale.status_code in (404, 428) and "Niet" not in stale.get_json()["error"]["message"]
    forbidden = client.post("/api/v1/frameworks", json={"title": "x"}, headers={"X-CSRFToken": csrf}).get_json()["error"]
    assert forbidden["code"] == "forbidden" and forbidden["message"] == "Only coordinators add a policy framework."
    user.locale = "nl"
    db_session.flush()
    dutch = login_as(app.test_client(), user)
    assert dutch.get("/api/v1/action-items?q=a%00b").get_json()["error"]["message"].startswith("Er staan tekens in de aanvraag")
