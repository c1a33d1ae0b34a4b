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
