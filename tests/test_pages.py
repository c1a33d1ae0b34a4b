"""The read-only pages show the reference data in Dutch, with safe headers."""
from __future__ import annotations

import re

import pytest

from portal import create_app, reference
from portal.config import load_settings


@pytest.fixture()
def member(client, loaded, make_user, login_as):
    return login_as(client, make_user("KMAR"))


def test_framework_page_shows_all_focus_areas(client, member):
    response = client.get("/framework")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="nl">' in html
    data = reference.parse(reference.DEFAULT_PATH)
    for area in data["frameworks"][0]["focus_areas"]:
        assert f'id="speerpunt-{area["code"]}"' in html
        assert area["title"] in html
    assert "19 oktober 2023" in html  # the letter's date, written out in Dutch
    # No source links Doorlichting recommendation 5 to 3.5 (fidelity review, 4): the page no longer claims it.
    section = html.split('id="speerpunt-3.5"', 1)[1].split("<section", 1)[0]
    assert "Intensiveer de internationale samenwerking" not in section
    assert "2023–2026" in html  # the letter gives years only


def test_recommendations_page_lists_all_22(client, member):
    html = client.get("/recommendations").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td>\d+</td>", html)
    assert len(rows) == 22
    assert "22 aanbevelingen uit 4 documenten" not in html  # only 3 sources carry recommendations
    assert "22 aanbevelingen uit 3 documenten" in html
    assert "29 november 2016" in html
    assert "Overgenomen" in html


def test_security_headers_on_pages_and_errors(client, member):
    for path in ("/framework", "/bestaat-niet"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp and "base-uri 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"]
    missing = client.get("/bestaat-niet")
    assert missing.status_code == 404
    assert "Pagina niet gevonden" in missing.get_data(as_text=True)


def test_health_endpoints(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json()["database"] == "ok"


@pytest.fixture()
def production_client(database_url, db_session):
    settings = load_settings(env={
        "DATABASE_URL": database_url, "PORTAL_ENV": "production",
        "SECRET_KEY": "x" * 40, "PORTAL_BASE_URL": "https://mdt.example",
    })
    return create_app(settings).test_client()


@pytest.mark.parametrize("path", ["/", "/framework", "/recommendations"])
def test_pages_are_closed_in_production_without_sign_in(production_client, path):
    response = production_client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    htmx = production_client.get(path, headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"] == "/login"
    hsts = production_client.get("/healthz").headers["Strict-Transport-Security"]
    assert "max-age=" in hsts


def test_ids_are_unique_and_times_are_valid_html(app, db_session, loaded, make_user, login_as):
    """An item awaiting confirmation shows both the cancel and the send-back form to a coordinator of its owner: each
    label and hint points at its own field. <time datetime> values have no microseconds."""
    from html.parser import HTMLParser

    from portal.actions import services as actions

    member, coordinator = make_user("KMAR"), make_user("KMAR", role="coordinator")
    item, _ = actions.create_item(db_session, member, {"title": "Bijna klaar", "visibility": "mdt", "recommendation_ids": [1]})
    actions.request_closure(db_session, member, item, item.version, "klaar")
    db_session.commit()

    class Ids(HTMLParser):
        def __init__(self):
            super().__init__()
            self.ids, self.times = [], []

        def handle_starttag(self, tag, attrs):
            values = dict(attrs)
            if "id" in values:
                self.ids.append(values["id"])
            if tag == "time":
                self.times.append(values.get("datetime", ""))

    client = login_as(app.test_client(), coordinator)
    for path in (f"/actions/{item.id}", "/", "/recommendations/1", "/framework"):
        parser = Ids()
        parser.feed(client.get(path).get_data(as_text=True))
        duplicates = {i for i in parser.ids if parser.ids.count(i) > 1}
        assert duplicates == set(), (path, duplicates)
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d[+-]\d\d:\d\d)?", t) for t in parser.times), (path, parser.times)
    page = client.get(f"/actions/{item.id}").get_data(as_text=True)
    assert 'for="reject-reason"' in page and 'aria-describedby="reject-reason-hint"' in page and 'for="reason"' in page


def test_focus_area_choices_keep_each_framework_together(client, member, loaded):
    """The framework in force first, in its own order; the other framework's areas after it, never interleaved."""
    from sqlalchemy import select

    from models import FocusArea, Framework
    from portal.focus_areas import ordered

    frameworks = loaded.scalars(select(Framework)).all()
    assert len(frameworks) >= 2
    html = client.get("/actions/new").get_data(as_text=True)
    select_html = html.split('name="focus_area"', 1)[1].split("</select>", 1)[0]
    shown = [v for v in re.findall(r'<option[^>]*value="([^"]*)"', select_html) if v]
    expected = [a.code for a in ordered(loaded)]
    assert shown == expected
    owners = [loaded.scalars(select(FocusArea.framework_id).where(FocusArea.code == c)).first() for c in shown]
    changes = sum(1 for a, b in zip(owners, owners[1:], strict=False) if a != b)
    assert changes == len({*owners}) - 1  # each framework's areas in one run
    assert shown[0] == "3.1"
