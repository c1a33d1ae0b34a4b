"""The portal in a real Chromium: sign in through the development provider, and axe-core on every page."""
from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from conftest import IN_CI, ROOT, _free_port_block, make_settings, providers_toml, start_idp

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# Independent of the database: make test runs these on PostgreSQL, and the ones marked for SQLite there (conftest).
pytestmark = pytest.mark.once("postgresql")


def _require(condition: bool, message: str):
    if not condition:
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def live(databases, tmp_path_factory):
    """A real portal server on loopback with its own database, and a provider that redirects to it."""
    yield from _live(databases, tmp_path_factory, demo=False)


@pytest.fixture(scope="module")
def live_demo(databases, tmp_path_factory):
    """The same, with the demo scenario in it (make run's first run): pages full of believable work."""
    yield from _live(databases, tmp_path_factory, demo=True)


def _live(databases, tmp_path_factory, demo: bool):
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
        db.session.commit()
        if demo:
            from portal import demo_content
            from portal.i18n import today

            settings = app.config["PORTAL_SETTINGS"]
            issuers = {p.organisation: p.issuer for p in settings.providers if p.organisation}
            issuers["*"] = next((p.issuer for p in settings.providers if p.organisation_claim), "")
            demo_content.load(db.session, today(), issuers)
            db.session.commit()
    with app.app_context():
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
    """A page under the portal's real CSP; axe arrives as an init script, which CSP does not govern."""
    context = browser.new_context(locale="nl-NL")
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and page.csp_errors.append(msg.text))
    yield page
    assert page.csp_errors == [], "the page broke its own Content-Security-Policy"
    context.close()


def axe_violations(page) -> list[str]:
    """axe-core on the page as it stands once loaded: a click that navigates returns when the new page commits, before its
    document exists, and axe on that moment reads a null document."""
    page.wait_for_load_state("load")
    result = page.evaluate("async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x: {v['nodes'][0]['target']})" for v in result["violations"]]


def sign_in(page, base: str, provider_label: str, username: str, password: str):
    page.goto(f"{base}/login")
    page.get_by_role("link", name=f"Inloggen via {provider_label}").click()
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base}/**")


@pytest.mark.once("sqlite")
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
    expect(page.locator("h1")).to_have_text("Strategische doelen mensensmokkel vastleggen")
    assert axe_violations(page) == []


def test_jenv_coordinator_does_not_see_kmar_confidential_item(page, live):
    sign_in(page, live, "JENV", "coordinator", "coordinator-demo")
    assert "coördinator" in page.content()
    page.goto(f"{live}/actions")
    assert page.get_by_role("link", name="Strategische doelen mensensmokkel vastleggen").count() == 1
    assert page.get_by_role("link", name="Vertrouwelijk onderzoek KMar").count() == 0
    assert "1 actie" in page.locator("#aantal").inner_text()


@pytest.mark.once("sqlite")
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


def test_member_creates_item_posts_update_with_htmx_and_sees_history(page, live):
    sign_in(page, live, "KMAR", "kmar", "kmar-demo")
    page.goto(f"{live}/actions/new")
    assert axe_violations(page) == []
    # A form error first: the error summary and the field messages must be accessible too.
    page.get_by_role("button", name="Actie aanmaken").click()
    expect(page.locator("#foutmeldingen")).to_be_visible()
    assert "Titel: Dit veld is verplicht." in page.locator("#foutmeldingen").inner_text()
    assert axe_violations(page) == []

    page.get_by_label("Titel").fill("Opleidingsprogramma opsporing herzien")
    page.get_by_label("Deadline").fill("2026-12-15")
    page.get_by_role("button", name="Actie aanmaken").click()
    page.wait_for_url(f"{live}/actions/*")
    assert "De actie is aangemaakt." in page.content()
    assert axe_violations(page) == []
    detail_url = page.url

    page.get_by_label("Wat is er gebeurd?").fill("Eerste **bijeenkomst** met de opleiding gehouden")
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_label("Voortgang in procenten").fill("25")
    with page.expect_response(lambda r: r.request.method == "POST" and "/updates" in r.url) as posted:
        page.get_by_role("button", name="Voortgang opslaan").click()
    assert posted.value.status == 200
    assert page.url == detail_url  # swapped in place by htmx, no page load
    history = page.locator("ol.history")
    history.get_by_text("bijeenkomst").wait_for()
    assert "25%" in history.inner_text()
    # The message is next to the form and has the focus; the page did not jump to the top or the bottom.
    message = page.locator("section[aria-labelledby='kop-voortgang'] .update-message")
    message.wait_for()
    assert message.inner_text().strip() == "Uw voortgangsbericht is opgeslagen."
    assert page.evaluate("document.activeElement.classList.contains('update-message')")
    box = message.bounding_box()
    assert 0 <= box["y"] <= page.viewport_size["height"]
    assert axe_violations(page) == []

    page.goto(f"{live}/actions")
    assert page.get_by_role("link", name="Opleidingsprogramma opsporing herzien").count() == 1
    assert axe_violations(page) == []
    page.goto(f"{live}/")
    assert axe_violations(page) == []


def test_list_filters_update_the_table_in_place(page, live):
    sign_in(page, live, "KMAR", "kmar", "kmar-demo")
    page.goto(f"{live}/actions")
    with page.expect_response(lambda r: "/actions?" in r.url and r.request.headers.get("hx-request") == "true"):
        page.get_by_label("Status").select_option("done")
    # Web-first assertions: they poll from Playwright's own world, where the page's CSP (no eval) does not apply.
    expect(page.locator("#aantal")).to_have_text(re.compile(r"^0 acties"))
    page.wait_for_url("**/actions?*status=done*")  # the filter is in the URL: shareable, back button works
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"status=done"))


def test_coordinator_pages_for_framework_indicators_and_reports_are_accessible(page, live):
    sign_in(page, live, "JENV", "coordinator", "coordinator-demo")
    for path in ("/framework", "/framework/3.1", "/indicators", "/indicators/kmar-vervolgonderzoeken-afgerond", "/reports", "/reports/rounds"):
        page.goto(f"{live}{path}")
        assert page.locator("h1").count() == 1, path
        assert axe_violations(page) == [], path
    # A report through the UI: create it, see it, compare and download.
    page.goto(f"{live}/reports")
    page.get_by_label("Titel").fill("Voortgangsbrief najaar")
    page.get_by_label("Peildatum").fill("2026-06-30")
    page.get_by_role("button", name="Rapportage maken").click()
    page.wait_for_url(f"{live}/reports/*")
    assert "De rapportage is gemaakt en vastgelegd." in page.content()
    assert axe_violations(page) == []
    report_url = page.url
    # A figure opens the frozen rows behind it; that page is accessible too.
    page.locator("a.figure-link").first.click()
    page.wait_for_url(f"{live}/reports/*/rows*")
    assert page.locator("h1").inner_text() == "Acties achter de cijfers"
    assert axe_violations(page) == []
    page.goto(report_url)
    with page.expect_download() as download:
        page.get_by_role("link", name="intern").first.click()
    assert download.value.suggested_filename == "rapportage-2026-06-30.docx"
    # A form error on the indicator import is accessible too.
    page.goto(f"{live}/indicators/om-instroom-mh")
    page.get_by_label("Of plak de regels hier").fill("2017;veel;;")
    page.get_by_role("button", name="Controleren").click()
    expect(page.get_by_text("geen getal").first).to_be_visible()  # waits for the answer's page to load
    assert axe_violations(page) == []


def test_goal_follow_up_and_import_pages_are_accessible(page, live):
    sign_in(page, live, "JENV", "coordinator", "coordinator-demo")
    visited = []
    for path, link in (("/parliament", "Medio 2022 de Kamer nader informeren"), ("/recommendations", "Koppel in overleg met het gezag"),
                       ("/framework", "Dashboard mensensmokkel van het EMM verder ontwikkelen")):
        page.goto(f"{live}{path}")
        assert axe_violations(page) == [], path
        with page.expect_navigation():
            page.get_by_role("link", name=link).first.click()
        assert page.locator("h1").count() == 1, page.url
        assert axe_violations(page) == [], page.url
        visited.append(page.url)
    # A target form with errors keeps the input and stays accessible.
    page.get_by_label("Periode").fill("twintig")
    page.get_by_role("button", name="Doel vastleggen").click()
    expect(page.locator("#foutmeldingen")).to_have_count(1)
    assert axe_violations(page) == []
    page.goto(f"{live}/framework")
    page.get_by_label("Beleidskader").select_option(label="Geoperationaliseerde doelstellingen bestrijding mensensmokkel en mensenhandel KMar 2009-2011")
    page.get_by_role("button", name="Tonen").click()
    page.wait_for_url("**framework=*")
    assert "gehaald" in page.content() and axe_violations(page) == []
    for path in ("/framework/new", "/indicators/import", "/actions/import", "/parliament/new",
                 "/indicators/slachtoffers-comensha"):
        page.goto(f"{live}{path}")
        assert page.locator("h1").count() == 1, path
        assert axe_violations(page) == [], path
    assert "(breuk in de reeks)" in page.content()
    page.get_by_role("link", name="Corrigeren 2015").click()
    page.wait_for_url("**/correct")
    page.get_by_role("button", name="Correctie opslaan").click()
    expect(page.locator("#foutmeldingen")).to_have_count(1)
    assert axe_violations(page) == []


def test_meeting_pages_are_accessible_and_work_without_javascript_tricks(page, live):
    sign_in(page, live, "JENV", "coordinator", "coordinator-demo")
    page.goto(f"{live}/meetings")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Nieuwe vergadering").click()
    page.wait_for_url(f"{live}/meetings/new")
    assert axe_violations(page) == []
    page.get_by_label("Titel").fill("MDT-overleg januari")
    page.get_by_label("Datum").fill("2027-01-14")
    page.get_by_label("Begintijd").fill("10:00")
    page.get_by_role("button", name="Vergadering aanmaken").click()
    page.wait_for_url(f"{live}/meetings/*")
    for point in ("Casus uit de praktijk", "Rondvraag"):
        page.get_by_label("Agendapunt").fill(point)
        with page.expect_navigation():
            page.get_by_role("button", name="Agendapunt toevoegen").click()
    page.get_by_role("button", name="Omhoog Rondvraag").click()
    # Web-first assertions: they wait for the page the move redirects to (reading at once may catch the page in between).
    titles = page.locator("ol.agenda > li h3")
    expect(titles.nth(1)).to_have_text(re.compile(r"^Rondvraag"))
    expect(titles.nth(2)).to_have_text(re.compile(r"^Casus uit de praktijk"))
    rondvraag = page.locator("ol.agenda > li", has_text="Rondvraag")
    rondvraag.locator("summary", has_text="Notulen schrijven").click()
    page.get_by_label("Notulen bij Rondvraag").fill("Geen vragen.")
    rondvraag.get_by_role("button", name="Notulen opslaan").click()
    expect(page.get_by_text("De notulen zijn opgeslagen.")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(f"{live}/meetings/decisions")
    assert axe_violations(page) == []


PHONE_PAGES = ("/", "/actions", "/actions/new", "/actions/import", "/meetings", "/meetings/decisions", "/framework", "/framework/3.1",
               "/recommendations", "/parliament", "/indicators", "/indicators/slachtoffers-comensha", "/reports", "/reports/rounds",
               "/search?q=doelen", "/framework/new", "/indicators/import", "/sources", "/sources/new", "/indicators/new",
               "/recommendations/1/state", "/recommendations/1/edit", "/parliament?due=soon", "/framework/commitments/1", "/sources/1",
               "/indicators/slachtoffers-comensha/edit")


BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('main td, main th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/[^\\s\\-\\/\u00ad]+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken.slice(0, 8);
}"""


@pytest.mark.once("sqlite")
@pytest.mark.parametrize("width", [360, 390, 1280])
def test_every_page_reads_well_at_every_width(browser, live_demo, width):
    """No page scrolls sideways (tables scroll in their own box, the header wraps), and no table cell breaks a word."""
    context = browser.new_context(locale="nl-NL", viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        sign_in(page, live_demo, "JENV", "coordinator", "coordinator-demo")
        paths = list(PHONE_PAGES)
        for listing, selector in (("/actions", "table a[href^='/actions/']"), ("/meetings", "a[href^='/meetings/'][href$='']"),
                                  ("/reports", "a[href^='/reports/']"), ("/parliament", "table a[href^='/parliament/']"),
                                  ("/recommendations", "table a[href^='/recommendations/']")):
            page.goto(f"{live_demo}{listing}")
            hrefs = [h for h in page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
                     if h.rsplit("/", 1)[-1].split("?")[0].isdigit()]
            paths += hrefs[:1]
        too_wide, broken = {}, {}
        for path in paths:
            page.goto(f"{live_demo}{path}")
            scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if scroll > inner:
                too_wide[path] = scroll
            if words := page.evaluate(BROKEN_WORDS):
                broken[path] = words
            if os.environ.get("SCREENSHOTS"):
                page.screenshot(path=f"{os.environ['SCREENSHOTS']}/{width}{path.replace('/', '_').replace('?', '_')}.png", full_page=True)
        assert too_wide == {}, too_wide
        assert broken == {}, broken
        assert len(paths) >= len(PHONE_PAGES) + 4  # the detail pages were found and measured too
    finally:
        context.close()


def _tab_to(page, selector: str, limit: int = 300) -> None:
    """Press Tab until the element matching `selector` has the focus (the keyboard's way there, in focus order)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            outline = page.evaluate("() => { const s = getComputedStyle(document.activeElement); "
                                    "return Math.max(parseFloat(s.outlineWidth) || 0, s.boxShadow !== 'none' ? 2 : 0); }")
            assert outline >= 2, f"{selector} has no visible focus"
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} is not reachable with the keyboard")


@pytest.mark.once("sqlite")
def test_keyboard_only_update_report_done_write_minutes_and_prepare_the_next_meeting(browser, live_demo):
    context = browser.new_context(locale="nl-NL")
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    try:
        sign_in(page, live_demo, "KMAR", "kmar", "kmar-demo")
        page.goto(f"{live_demo}/actions?q=Voortgangsrapportage")
        page.get_by_role("link", name="Voortgangsrapportage derdelijns onderzoeken per kwartaal").click()
        page.wait_for_load_state()
        # Post a progress update with the keyboard alone; the message takes the focus next to the form.
        _tab_to(page, "textarea#note")
        page.keyboard.type("Tweede kwartaalrapportage opgeleverd.")
        _tab_to(page, "input#progress")
        page.keyboard.press("Control+A")
        page.keyboard.type("75")
        _tab_to(page, "section[aria-labelledby='kop-voortgang'] button[type='submit']")
        page.keyboard.press("Enter")
        page.locator(".update-message").wait_for()
        assert page.evaluate("document.activeElement.classList.contains('update-message')")
        assert axe_violations(page) == []
        # Report it done (the first key), keyboard only.
        _tab_to(page, "textarea#closing_note")
        page.keyboard.type("Rapportage loopt nu elk kwartaal.")
        _tab_to(page, "section[aria-labelledby='kop-afronden'] button[type='submit']")
        page.keyboard.press("Enter")
        page.get_by_text("Wacht op bevestiging").first.wait_for()
        assert axe_violations(page) == []

        coordinator = context.new_page()
        sign_in(coordinator, live_demo, "JENV", "coordinator", "coordinator-demo")
        coordinator.goto(f"{live_demo}/meetings")
        coordinator.get_by_role("link", name="MDT-overleg november").click()
        coordinator.wait_for_load_state()
        # Write minutes for a point, keyboard only: open "Notulen schrijven", type, save.
        _tab_to(coordinator, "details:has(textarea[id^='minutes-']) > summary")
        coordinator.keyboard.press("Enter")
        _tab_to(coordinator, "textarea[id^='minutes-']")
        coordinator.keyboard.type("Besproken: de campagne loopt; evaluatie in het voorjaar.")
        _tab_to(coordinator, "form:has(textarea[id^='minutes-']) button[type='submit']")
        with coordinator.expect_navigation():
            coordinator.keyboard.press("Enter")
        coordinator.get_by_text("Besproken: de campagne loopt").first.wait_for()
        assert axe_violations(coordinator) == []
        # The next meeting in two steps: to the button, Enter.
        _tab_to(coordinator, "section[aria-labelledby='volgende'] button[type='submit']")
        with coordinator.expect_navigation():
            coordinator.keyboard.press("Enter")
        coordinator.get_by_text("De volgende vergadering is voorbereid").wait_for()
        assert coordinator.get_by_text("Voortgang van de speerpunten").count() >= 1
        assert axe_violations(coordinator) == []
    finally:
        context.close()
