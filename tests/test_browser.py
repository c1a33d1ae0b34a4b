"""The portal in a real Chromium: sign in through the development provider, and axe-core on every page."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from conftest import IN_CI, ROOT, _free_port_block, make_settings, providers_toml, start_idp

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _require(condition: bool, message: str):
    if not condition:
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def live(databases, tmp_path_factory):
    """A real portal server on loopback with its own database, and a provider that redirects to it."""
    _require(Path(CHROMIUM).exists() and shutil.which(CHROMIUM), f"Chromium not found at {CHROMIUM} (make test installs it)")
    _require(AXE.exists(), "node_modules/axe-core is missing (make test installs it)")
    from alembic import command

    from models import ActionItem, Organisation
    from portal import create_app, reference
    from portal.cli import alembic_config
    from portal.extensions import db

    url = databases.new()
    command.upgrade(alembic_config(url), "head")
    port = _free_port_block(1)
    base = f"http://127.0.0.1:{port}"
    proc, issuers = start_idp(tmp_path_factory.mktemp("live-idp"), base)
    config = tmp_path_factory.mktemp("live") / "portal.toml"
    config.write_text(providers_toml(issuers, "http://127.0.0.1:9") + "\n[limits]\nenabled = false\n")
    app = create_app(make_settings(url, config, PORTAL_BASE_URL=base))
    with app.app_context():
        reference.load(db.session)
        kmar = db.session.query(Organisation).filter_by(code="KMAR").one()
        db.session.add(ActionItem(title="Strategische doelen mensensmokkel vastleggen", owner_organisation=kmar, visibility="mdt"))
        db.session.add(ActionItem(title="Vertrouwelijk onderzoek KMar", owner_organisation=kmar, visibility="organisation"))
        db.session.commit()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    # Only axe's own script is injected past the CSP; the portal's pages keep theirs.
    context = browser.new_context(bypass_csp=True, locale="nl-NL")
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x: {v['nodes'][0]['target']})" for v in result["violations"]]


def sign_in(page, base: str, provider_label: str, username: str, password: str):
    page.goto(f"{base}/login")
    page.get_by_role("link", name=f"Inloggen via {provider_label}").click()
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base}/**")


def test_login_page_is_accessible_and_keyboard_first(page, live):
    page.goto(f"{live}/login")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Naar de inhoud"
    assert axe_violations(page) == []


def test_kmar_member_signs_in_and_sees_only_what_kmar_may(page, live):
    sign_in(page, live, "KMAR", "kmar", "kmar-demo")
    assert "Ingelogd als Karin Marechaussee" in page.content()
    for path in ("/", "/framework", "/recommendations", "/actions"):
        page.goto(f"{live}{path}")
        assert page.locator("h1").count() == 1, path
        assert axe_violations(page) == [], path
    page.goto(f"{live}/actions")
    assert page.get_by_role("link", name="Vertrouwelijk onderzoek KMar").count() == 1
    page.get_by_role("link", name="Strategische doelen mensensmokkel vastleggen").click()
    assert axe_violations(page) == []


def test_jenv_coordinator_does_not_see_kmar_confidential_item(page, live):
    sign_in(page, live, "JENV", "coordinator", "coordinator-demo")
    assert "coördinator" in page.content()
    page.goto(f"{live}/actions")
    assert page.get_by_role("link", name="Strategische doelen mensensmokkel vastleggen").count() == 1
    assert page.get_by_role("link", name="Vertrouwelijk onderzoek KMar").count() == 0
    assert "1 actie" in page.locator("#aantal").inner_text()


def test_admin_page_is_accessible_and_logout_works(page, live):
    sign_in(page, live, "JENV", "admin", "admin-demo")
    page.goto(f"{live}/admin/users")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Uitloggen").click()
    # The provider asks to confirm its own logout, then sends the browser back.
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{live}/login**")
    page.goto(f"{live}/actions")
    assert page.url.startswith(f"{live}/login")
