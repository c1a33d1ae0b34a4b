"""The leak crawler: restricted markers never reach another organisation, on any surface.

KMar plants a unique marker in an organisation-only item (title, description, update, comment, attachment
name), in an organisation-only meeting (title, agenda, minutes, decision), in restricted minutes of a shared
meeting where only KMar was present (and a decision taken under them), and in a report frozen while the item was restricted. Then every outside
organisation and role visits every GET route in app.url_map (ids filled in with the planted objects) and every
link reachable from the pages, htmx fragments, JSON and exports; the marker never appears. New routes are
crawled without anyone having to list them.
"""
from __future__ import annotations

import io
import re
import secrets
import zipfile
from collections import deque
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from models import Indicator, Organisation, ParliamentCommitment, Recommendation
from portal import audience
from portal.i18n import today

from factories import current_areas

MARKER = "LEKTEST" + secrets.token_hex(6).upper()
MDT_MARKER = "MDTLEK" + secrets.token_hex(6).upper()  # in an MDT-only narrative: never for BZ, NLA or EMM
FORMATS = ("csv", "xlsx", "docx", "pdf", "ics")
MAX_PAGES = 400
MAX_PER_ENDPOINT = 12
SKIP = re.compile(r"^/(auth/|static/|login|language)")
LINK = re.compile(r'(?:href|data-hx-get|hx-get|action|src)="(/[^"#]*)"')
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture()
def planted(app, loaded, make_user):
    from portal.actions import services as actions
    from portal.actions.attachments import store
    from portal.meetings import record as meeting_record
    from portal.meetings import services as meetings
    from portal.reports import services as reports

    session = loaded
    kmar_member = make_user("KMAR")
    kmar_coordinator = make_user("KMAR", role="coordinator")
    jenv_coordinator = make_user("JENV", role="coordinator")
    area = current_areas(session)[0]

    item, _ = actions.create_item(session, kmar_member, {
        "title": f"{MARKER} titel", "description": f"{MARKER} omschrijving", "visibility": "organisation",
        "focus_area": area.code, "due_date": today() - timedelta(days=3),
        "recommendation_ids": [session.scalars(select(Recommendation.id).order_by(Recommendation.id)).first()]})
    actions.add_update(session, kmar_member, item, item.version, f"{MARKER} voortgang", "in_progress", 40)
    actions.add_comment(session, kmar_member, item, f"{MARKER} reactie")
    attachment = store(session, kmar_member, item, f"{MARKER}.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 32,
                       Path(app.instance_path) / "attachments", 1024 * 1024)

    secret_meeting = meetings.create_meeting(session, kmar_coordinator, {
        "series": "MDT", "title": f"{MARKER} vergadering", "starts_at": datetime(2026, 3, 2, 10, tzinfo=AMSTERDAM),
        "invited": ["KMAR"], "visibility": "organisation"})
    secret_point = meetings.add_agenda_item(session, kmar_coordinator, secret_meeting, f"{MARKER} agendapunt")
    meeting_record.save_minutes(session, kmar_coordinator, secret_meeting, secret_point.id, None, f"{MARKER} notulen", False)
    meeting_record.add_decision(session, kmar_coordinator, secret_meeting, secret_point.id, f"{MARKER} besluit")

    shared_meeting = meetings.create_meeting(session, jenv_coordinator, {
        "series": "MDT", "title": "Gedeeld MDT-overleg", "starts_at": datetime(2026, 3, 9, 10, tzinfo=AMSTERDAM),
        "invited": ["KMAR", "IND", "JENV"], "visibility": "mdt"})
    kmar_attendee = next(a for a in shared_meeting.attendees if a.organisation.code == "KMAR")
    meetings.set_attendance(session, jenv_coordinator, shared_meeting, kmar_attendee.id, "present")
    point = meetings.add_agenda_item(session, jenv_coordinator, shared_meeting, "Casusoverleg")
    meeting_record.save_minutes(session, kmar_member, shared_meeting, point.id, None, f"{MARKER} vertrouwelijke notulen", True)
    meeting_record.add_decision(session, kmar_member, shared_meeting, point.id, f"{MARKER} besluit onder vertrouwelijke notulen")

    # A KMar-only indicator (its title, a figure's note, a definition), measuring a commitment's target; a toezegging
    # linked to the KMar-only item (the follow-up surfaces: commitment page, recommendation page, register, API).
    from models import Commitment, Measurement, Organisation
    from portal.framework import goals, parliament
    from portal.indicators import services as indicator_services

    kmar = session.scalars(select(Organisation).where(Organisation.code == "KMAR")).one()
    secret_indicator = Indicator(key="kmar-geheim", title=f"{MARKER} indicator", unit="aantal", owner_organisation_id=kmar.id,
                                 visibility="organisation", producer=f"{MARKER} producent")
    session.add(secret_indicator)
    session.flush()
    session.add(Measurement(indicator_id=secret_indicator.id, period="2025", period_start=date(2025, 1, 1), period_end=date(2025, 12, 31),
                            value=7, note=f"{MARKER} cijfernoot", recorded_at=datetime.now(AMSTERDAM)))
    session.flush()
    indicator_services.add_definition(session, kmar_coordinator, secret_indicator, f"{MARKER} definitie", "2026", f"{MARKER} breuk")
    commitment = area.commitments[0] if area.commitments else session.scalars(select(Commitment)).first()
    goals.set_target(session, kmar_coordinator, commitment, {"period": "2026", "value": "5", "unit": "aantal", "direction": "at_least",
                                                           "indicator": secret_indicator.key, "reason": f"{MARKER} reden"}, today())
    parliament.save_commitment(session, kmar_coordinator, {"kind": "toezegging", "text": "Openbare toezegging", "action_item_ids": [item.id]},
                               today())

    report = reports.create_report(session, kmar_coordinator, "Voortgang", today(), today())  # made by KMar: it holds the row
    narrative = reports.save_narrative(session, kmar_member, report, area.code, f"{MDT_MARKER} toelichting", "mdt")
    reports.approve_narrative(session, jenv_coordinator, narrative)
    session.flush()
    assert any(MARKER in row["title"] for row in report.snapshot["items"])  # the report surface really holds the marker
    assert any(MARKER in i["title"] for i in report.snapshot["indicators"])
    return {"item": item, "attachment": attachment, "meeting": secret_meeting, "agenda_item": secret_point, "narrative": narrative,
            "shared_meeting": shared_meeting, "report": report, "area": area, "commitment": commitment,
            "indicator": session.scalars(select(Indicator).order_by(Indicator.key)).first(), "secret_indicator": secret_indicator,
            "rec_id": session.scalars(select(Recommendation.id).order_by(Recommendation.id)).first(),
            "parliament": session.scalars(select(ParliamentCommitment).where(ParliamentCommitment.text == "Openbare toezegging")).one(),
            "measurement": session.scalars(select(Measurement).where(Measurement.indicator_id == secret_indicator.id)).one()}


def _values_for(planted: dict) -> dict[str, list[str]]:
    return {
        "item_id": [str(planted["item"].id)], "attachment_id": [str(planted["attachment"].id)],
        "meeting_id": [str(planted["meeting"].id), str(planted["shared_meeting"].id)],
        "agenda_item_id": [str(planted["agenda_item"].id)], "report_id": [str(planted["report"].id)],
        "narrative_id": [str(planted["narrative"].id)], "round_id": ["1"], "token_id": ["1"], "user_id": ["1"], "rec_id": [str(planted["rec_id"])],
        "code": [planted["area"].code, "MDT"], "key": [planted["indicator"].key if planted["indicator"] else "x", planted["secret_indicator"].key],
        "commitment_id": [str(planted["commitment"].id)], "pid": [str(planted["parliament"].id)],
        "measurement_id": [str(planted["measurement"].id)],
        "fmt": list(FORMATS),
    }


def seed_urls(app, planted) -> list[str]:
    """Every GET route, with each placeholder filled in with the planted objects."""
    values = _values_for(planted)
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or SKIP.match(rule.rule) or rule.endpoint == "static":
            continue
        paths = [rule.rule]
        for name in rule.arguments:
            paths = [re.sub(rf"<(?:[a-z]+:)?{name}>", value, p) for p in paths for value in values.get(name, ["1"])]
        urls += paths
    # The minutes of a period compiled into one document: a form on the series page, so its URL is seeded here.
    urls += [f"/meetings/series/MDT/minutes.{fmt}?from=2026-01-01&to=2026-12-31" for fmt in ("docx", "pdf")]
    # Lists behind a count (the state page's rows per status, the register's due list) and the letter filled in.
    rec = planted["rec_id"]
    urls += [f"/recommendations/{rec}/state?status={s}" for s in ("late", "open", "in_progress", "awaiting_confirmation")]
    urls += ["/parliament?due=soon", f"/reports/{planted['report'].id}/letter.docx?kenmerk=x&onderwerp=y"]
    return sorted(set(urls))


def text_of(response) -> str:
    """What a person could read in the response: zipped Office files unpacked, PDFs as text."""
    data = response.get_data()
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    if data.startswith(b"%PDF"):
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return data.decode("utf-8", "replace")


def crawl(client, seeds: list[str], endpoint_of, markers: tuple[str, ...] = (MARKER,)) -> dict[str, int]:
    seen: dict[str, int] = {}
    per_endpoint: dict[str, int] = {}
    queue = deque(seeds)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft().replace("&amp;", "&")
        if url in seen or SKIP.match(url):
            continue
        endpoint = endpoint_of(url)
        if endpoint is None or per_endpoint.get(endpoint, 0) >= MAX_PER_ENDPOINT:
            continue
        per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
        response = client.get(url)
        seen[url] = response.status_code
        assert response.status_code < 500, f"{url}: {response.status_code}"
        body = text_of(response)
        for marker in markers:
            assert marker not in body, f"the marker leaked at {url}"
            assert marker not in str(response.headers), f"the marker leaked in the headers of {url}"
        if response.mimetype in ("text/html", "application/json"):
            queue.extend(LINK.findall(body))
            queue.extend(re.findall(r'"(/(?:api/v1|actions|meetings|reports)/[^"\s]*)"', body))
    return seen


OUTSIDERS = [("POL", "member"), ("IND", "coordinator"), ("JENV", "coordinator"), ("JENV", "admin"), ("OM", "reader"),
             ("BZ", "reader"), ("EMM", "reader"), ("NLA", "member")]


# Each backend crawls as half of the outsiders under make test (members, coordinators and readers on both; conftest's
# once()); a backend run alone crawls as all of them.
@pytest.mark.parametrize(("org_code", "role"), [pytest.param(o, r, id=f"{o}-{r}", marks=pytest.mark.once(("sqlite", "postgresql")[n % 2]))
                                                for n, (o, r) in enumerate(OUTSIDERS)])
def test_no_restricted_marker_reaches_another_organisation(app, planted, make_user, login_as, org_code, role):
    viewer = make_user(org_code, role=role)
    client = login_as(app.test_client(), viewer)
    adapter = app.url_map.bind("localhost")

    def endpoint_of(url: str) -> str | None:
        try:
            return adapter.match(url.split("?")[0], method="GET")[0]
        except Exception:  # noqa: BLE001 - not a route, or not a GET route
            return None

    _try_to_change_who_sees(client, viewer, planted)
    markers = (MARKER,) if viewer.organisation.is_mdt_member else (MARKER, MDT_MARKER)
    seen = crawl(client, seed_urls(app, planted), endpoint_of, markers)
    # The crawl really went places: item, meeting, report pages and the exports were all fetched.
    visited = {endpoint_of(url) for url in seen}
    assert {"actions.detail", "actions.list", "meetings.detail", "reports.detail", "reports.export", "actions.export",
            "meetings.decisions", "search.results", "api.list_action_items", "api.get_report"} <= visited
    assert len(seen) > 60


def _try_to_change_who_sees(client, viewer, planted) -> None:
    """Before crawling, the outsider tries what would widen its view (rule 3): marking itself present at the meeting
    whose restricted minutes hold the marker, inviting itself, re-saving KMar's narrative as public. All refused."""
    meeting, report, narrative = planted["shared_meeting"], planted["report"], planted["narrative"]
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
    headers = {"X-CSRFToken": csrf, "If-Match": f'"{meeting.version}"'}
    code = viewer.organisation.code
    if not audience.may_decide(viewer, meeting):  # the secretariat itself (JenV, which created it) records attendance by right
        client.put(f"/api/v1/meetings/{meeting.id}/attendance", json={code: "present"}, headers=headers)
        client.patch(f"/api/v1/meetings/{meeting.id}", json={"invited": ["KMAR", "IND", "JENV", code], "visibility": "public"},
                     headers=headers)
        for attendee in meeting.attendees:
            client.post(f"/meetings/{meeting.id}/attendance", data={"csrf_token": csrf, f"attendance-{attendee.id}": "present"})
    client.post(f"/api/v1/reports/{report.id}/narratives", json={"focus_area": planted["area"].code, "text": "Overschreven",
                                                                  "visibility": "public", "organisation": "KMAR"},
                headers={"X-CSRFToken": csrf, "If-Match": f'"{narrative.version}"'})
    client.post(f"/reports/{report.id}/narratives", data={"csrf_token": csrf, "focus_area": planted["area"].code, "visibility": "public",
                                                          "text": "Overschreven", "organisation": "KMAR", "version": str(narrative.version)})
    attendance = {a.organisation.code: a.attendance for a in meeting.attendees}
    assert attendance.get(code) in (None, "invited") and meeting.visibility == "mdt", attendance
    assert (narrative.text.startswith(MDT_MARKER), narrative.visibility) == (True, "mdt")


def test_the_crawler_finds_a_planted_marker_where_it_may_be_seen(app, planted, make_user, login_as):
    """The same crawl as KMar itself finds the marker: the test can fail."""
    client = login_as(app.test_client(), make_user("KMAR"))
    adapter = app.url_map.bind("localhost")

    def endpoint_of(url):
        try:
            return adapter.match(url.split("?")[0], method="GET")[0]
        except Exception:  # noqa: BLE001
            return None

    with pytest.raises(AssertionError, match="the marker leaked"):
        crawl(client, seed_urls(app, planted), endpoint_of)


def test_non_members_come_from_the_reference_data(loaded):
    outside = {o.code for o in loaded.scalars(select(Organisation).where(Organisation.is_mdt_member.is_(False)))}
    assert {"BZ", "NLA", "EMM"} <= outside
