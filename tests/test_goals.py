"""Measurable goals, the follow-up register, toezeggingen, consistent figures, frameworks and imports (issue 14)."""
from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import (
    ActionItem,
    Commitment,
    Framework,
    Indicator,
    Measurement,
    MeasurementCorrection,
    Recommendation,
    Source,
    Target,
)
from portal.errors import VersionConflict
from portal.framework import followup, goals, parliament
from portal.i18n import today
from portal.indicators import bulk
from portal.indicators import services as indicators
from portal.reports import services as reports
from portal.reports import snapshot
from portal.sheets import guess_mapping

import factories


def _post(client, url: str, data: dict | None = None, **kw):
    """A form post with the session's CSRF token, as the browser sends it."""
    token = client.get("/api/v1/me").get_json()["csrf_token"]
    return client.post(url, data={**(data or {}), "csrf_token": token}, **kw)


def _commitment(session, text: str) -> Commitment:
    return session.scalars(select(Commitment).where(Commitment.text == text)).one()


def _indicator(session, key: str) -> Indicator:
    return session.scalars(select(Indicator).where(Indicator.key == key)).one()


def _rec(session, source: str, number: int) -> Recommendation:
    return session.scalars(select(Recommendation).join(Source).where(Source.key == source, Recommendation.number == number)).one()


# -- targets -----------------------------------------------------------------------------------------------------

def test_target_in_force_as_of_a_date_and_figure_against_target(loaded, make_user):
    coordinator = make_user("JENV", role="coordinator")
    small = _commitment(loaded, "Kleinere vervolgonderzoeken (Schiphol)")
    projects = _commitment(loaded, "Projectmatige middelgrote onderzoeken mensensmokkel voortkomend uit de grensbewaking (Schiphol)")

    # The Doorlichting's targets against the measured series: 2010 ten against eight, 2011 one against eight.
    rows = {s.target.period: s for s in goals.standings(loaded, [small.id], date(2012, 12, 31), lambda i: True)[small.id]}
    assert (rows["2010"].figure, rows["2010"].assessment) == (Decimal("10"), "gehaald")
    assert (rows["2011"].figure, rows["2011"].assessment) == (Decimal("1"), "niet_gehaald")
    assert rows["2009"].assessment == "geen_cijfer"  # n.b. is not zero
    met = {s.target.period: s.assessment for s in goals.standings(loaded, [projects.id], date(2012, 12, 31), lambda i: True)[projects.id]}
    assert met == {"2009": "gehaald", "2010": "gehaald", "2011": "gehaald"}  # 4/2/3 against 4/2/2

    # A coordinator lowers the 2011 target from 1 June 2011, with a reason: before that day the old one holds.
    with pytest.raises(goals.ValidationFailed) as refused:
        goals.set_target(loaded, coordinator, small, {"period": "2011", "value": "1", "unit": "aantal", "direction": "at_least",
                                                      "indicator": "kmar-vervolgonderzoeken-afgerond", "valid_from": "2011-06-01"}, today())
    assert "reason" in refused.value.fields  # a change needs a reason
    goals.set_target(loaded, coordinator, small, {"period": "2011", "value": "1", "unit": "aantal", "direction": "at_least",
                                                  "indicator": "kmar-vervolgonderzoeken-afgerond", "valid_from": "2011-06-01",
                                                  "reason": "Capaciteit naar de vluchtelingenstroom"}, today())
    before = {t.period: t.value for t in goals.in_force(loaded, [small.id], date(2011, 5, 31))[small.id]}
    after = {t.period: t.value for t in goals.in_force(loaded, [small.id], date(2011, 6, 1))[small.id]}
    assert before["2011"] == 8 and after["2011"] == 1
    assert {s.target.period: s.assessment for s in goals.standings(loaded, [small.id], date(2012, 12, 31), lambda i: True)[small.id]}["2011"] == "gehaald"
    history = goals.history(loaded, small.id)
    assert [t.value for t in history if t.period == "2011"] == [1, 8] and history[0].set_by_id == coordinator.id


def test_report_as_of_a_date_holds_the_target_in_force_then(loaded, make_user):
    coordinator = make_user("KMAR", role="coordinator")
    fw = loaded.scalars(select(Framework).where(Framework.key == "kmar-doelstellingen-2009")).one()
    small = _commitment(loaded, "Kleinere vervolgonderzoeken (Schiphol)")
    goals.set_target(loaded, coordinator, small, {"period": "2011", "value": "1", "unit": "aantal", "direction": "at_least",
                                                  "indicator": "kmar-vervolgonderzoeken-afgerond", "valid_from": today().isoformat(),
                                                  "reason": "bijgesteld"}, today())
    frozen = snapshot.compute(loaded, coordinator, today() - timedelta(days=1), "gisteren", framework=fw)
    targets = [t for a in frozen["focus_areas"] for c in a["commitments"] if c["id"] == small.id for t in c["targets"]]
    assert {t["period"]: t["value"] for t in targets}["2011"] == 8  # yesterday the old target was in force
    assert {t["period"]: t["assessment"] for t in targets}["2011"] == "niet_gehaald"


def test_target_page_and_form(client, loaded, make_user, login_as):
    coordinator = login_as(client, make_user("JENV", role="coordinator"))
    small = _commitment(loaded, "Kleinere vervolgonderzoeken (Schiphol)")
    page = coordinator.get(f"/framework/commitments/{small.id}?as_of=2012-12-31").get_data(as_text=True)
    assert "gehaald" in page and "niet gehaald" in page and "nog geen cijfer" in page
    bad = _post(coordinator, f"/framework/commitments/{small.id}/targets", data={"period": "twintig", "value": "veel", "unit": ""})
    assert bad.status_code == 422 and "twintig" in bad.get_data(as_text=True)  # the input stays in the form
    assert loaded.scalar(select(func.count()).select_from(Target).where(Target.commitment_id == small.id)) == 3
    ok = _post(coordinator, f"/framework/commitments/{small.id}/targets", data={"period": "2012", "value": "9", "unit": "aantal",
                                                                            "direction": "at_least", "valid_from": "2012-01-01"})
    assert ok.status_code == 303
    member = login_as(client, make_user("KMAR"))
    assert _post(member, f"/framework/commitments/{small.id}/targets", data={"period": "2013", "value": "1", "unit": "aantal"}).status_code == 403


# -- figures that stay consistent -------------------------------------------------------------------------------

def test_corrected_figure_keeps_the_old_value_and_earlier_frozen_reports(loaded, make_user):
    coordinator = make_user("JENV", role="coordinator")
    victims = _indicator(loaded, "slachtoffers-comensha")
    frozen = reports.create_report(loaded, coordinator, "Voor de correctie", today(), today())
    figure = loaded.scalars(select(Measurement).where(Measurement.indicator_id == victims.id, Measurement.period == "2015")).one()
    with pytest.raises(indicators.ValidationFailed):
        indicators.correct_measurement(loaded, coordinator, victims, figure, "1300", "", figure.version)  # no reason
    with pytest.raises(VersionConflict):
        indicators.correct_measurement(loaded, coordinator, victims, figure, "1300", "herzien", figure.version + 7)
    indicators.correct_measurement(loaded, coordinator, victims, figure, "1.300", "Herziene registratie CoMensha", figure.version)
    loaded.flush()
    assert figure.value == Decimal("1.300")  # "1.300" without a comma is read as a decimal point, as the form always did
    correction = loaded.scalars(select(MeasurementCorrection).where(MeasurementCorrection.measurement_id == figure.id)).one()
    assert correction.old_value == 1321 and correction.reason == "Herziene registratie CoMensha"

    series = {p["period"]: p["value"] for i in loaded.get(type(frozen), frozen.id).snapshot["indicators"] if i["key"] == victims.key
              for p in i["series"]}
    assert series["2015"] == 1321  # the frozen report keeps the value it had
    later = reports.create_report(loaded, coordinator, "Na de correctie", today(), today())
    assert {p["period"]: p["value"] for i in later.snapshot["indicators"] if i["key"] == victims.key for p in i["series"]}["2015"] != 1321


def test_definition_change_splits_the_series(client, loaded, make_user, login_as):
    kmar = make_user("KMAR", role="member")
    hours = _indicator(loaded, "kmar-uren-migratiecriminaliteit")
    indicators.add_definition(loaded, kmar, hours, "Uren, inclusief grensbewaking", "2011", "Vanaf 2011 telt de grensbewaking mee.")
    versions = indicators.definitions(loaded, hours)
    assert [(v.version, v.valid_from.year) for v in versions] == [(1, 2011)]  # the series had no recorded definition before
    loaded.refresh(hours)
    assert indicators.breaks(versions, hours.measurements) == frozenset({"2011"})
    html = login_as(client, kmar).get(f"/indicators/{hours.key}").get_data(as_text=True)
    assert "(breuk in de reeks)" in html and ">breuk</text>" in html  # in the table and in the chart
    with pytest.raises(indicators.ValidationFailed):
        indicators.add_definition(loaded, kmar, hours, "Eerder", "2010", "")  # a new version starts after the last
    # The loaded CoMensha series has its 2015 break from the reference data.
    victims = _indicator(loaded, "slachtoffers-comensha")
    assert indicators.breaks(indicators.definitions(loaded, victims), victims.measurements) == frozenset({"2015"})


def test_restricted_indicator_is_invisible_to_other_organisations(app, client, loaded, make_user, login_as):
    emm = make_user("EMM", role="member")
    preweeg = _indicator(loaded, "emm-preweegvoorstellen")
    indicators.set_visibility(loaded, emm, preweeg, "organisation")
    coordinator = make_user("JENV", role="coordinator")
    frozen = reports.create_report(loaded, coordinator, "Met beperkte indicator", today(), today())
    loaded.flush()
    assert any(i["key"] == preweeg.key for i in frozen.snapshot["indicators"])

    outsider = login_as(app.test_client(), coordinator)
    assert outsider.get(f"/indicators/{preweeg.key}").status_code == 404
    assert preweeg.title not in outsider.get("/indicators").get_data(as_text=True)
    assert preweeg.key not in {i["key"] for i in outsider.get("/api/v1/indicators").get_json()}
    assert outsider.post(f"/api/v1/indicators/{preweeg.key}/measurements", json={"period": "2012", "value": 1},
                         headers={"X-CSRFToken": outsider.get("/api/v1/me").get_json()["csrf_token"]}).status_code == 404
    assert preweeg.title not in outsider.get(f"/reports/{frozen.id}").get_data(as_text=True)
    assert preweeg.key not in {i["key"] for i in outsider.get(f"/api/v1/reports/{frozen.id}").get_json()["summary"]["indicators"]}
    public = reports.export_report(loaded, coordinator, frozen, "xlsx", public=True)[0]
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(public))["Indicatoren"]
    assert preweeg.title not in [row[0] for row in sheet.iter_rows(values_only=True)]
    own = login_as(app.test_client(), emm)
    assert own.get(f"/indicators/{preweeg.key}").status_code == 200
    assert preweeg.title in own.get(f"/reports/{frozen.id}").get_data(as_text=True)


# -- the follow-up register -------------------------------------------------------------------------------------

def test_follow_up_timeline_built_from_real_items(client, loaded, make_user, login_as):
    from portal.actions import services as actions

    kmar, pol = make_user("KMAR"), make_user("POL")
    coordinator = make_user("JENV", role="coordinator")
    rec = _rec(loaded, "inspectie-2021", 1)
    shown, _ = actions.create_item(loaded, kmar, {"title": "Strategische doelen KMar opstellen", "recommendation_ids": [rec.id]})
    actions.add_update(loaded, kmar, shown, shown.version, "Concept besproken in de stuurploeg", "in_progress", 50)
    actions.request_closure(loaded, kmar, shown, shown.version, "Doelen vastgesteld")
    actions.confirm_closure(loaded, coordinator, shown, shown.version)
    hidden, _ = actions.create_item(loaded, pol, {"title": "Geheim politieplan", "recommendation_ids": [rec.id], "visibility": "organisation"})
    loaded.flush()
    reports.create_report(loaded, coordinator, "Kamerbrief voortgang", today(), today())

    html = login_as(client, kmar).get(f"/recommendations/{rec.id}").get_data(as_text=True)
    for text in ("Strategische doelen KMar opstellen", "Concept besproken in de stuurploeg", "Afronding gevraagd", "Afronding bevestigd",
                 "meenemen in de verdere doorontwikkeling", "Kamerbrief voortgang", "Koppel in overleg met het gezag"):
        assert text in html, text
    assert "Geheim politieplan" not in html
    items, events, more = followup.timeline(loaded, kmar, rec)
    assert not more
    assert [i.id for i in items] == [shown.id]
    assert [e.kind for e in events if e.item is not None] == ["item", "update", "update", "closure_requested", "closure_confirmed"]



def test_a_long_timeline_shows_the_newest_work_and_says_so(client, loaded, make_user, login_as, monkeypatch):
    from portal.actions import services as actions

    kmar = make_user("KMAR")
    rec = _rec(loaded, "inspectie-2021", 1)
    item, _ = actions.create_item(loaded, kmar, {"title": "Lange geschiedenis", "recommendation_ids": [rec.id]})
    for n in range(4):
        actions.add_update(loaded, kmar, item, item.version, f"Stap {n}", "in_progress", 10 * n)
    loaded.flush()
    _, whole, more = followup.timeline(loaded, kmar, rec)
    work = [e.text for e in whole if e.item is not None]  # the creation, its history entry and the four updates
    assert not more and len(work) == 6 and work[-4:] == ["Stap 0", "Stap 1", "Stap 2", "Stap 3"]
    monkeypatch.setattr(followup, "TIMELINE_WORK", 3)
    _, events, more = followup.timeline(loaded, kmar, rec)
    assert more and [e.text for e in events if e.item is not None] == ["Stap 1", "Stap 2", "Stap 3"]  # the newest three, oldest first
    # The source and the responses stay, however much work there is.
    assert [e for e in events if e.item is None] == [e for e in whole if e.item is None] != []
    html = login_as(client, kmar).get(f"/recommendations/{rec.id}").get_data(as_text=True)
    assert "het nieuwste werk aan de acties (3 gebeurtenissen)" in html and "Stap 0" not in html and "Stap 3" in html

def test_response_history_and_concurrent_edits(loaded, make_user):
    coordinator = make_user("JENV", role="coordinator")
    rec = _rec(loaded, "doorlichting-2012", 1)
    assert followup.responses(loaded, rec.id) == []
    first = followup.record_response(loaded, coordinator, rec, {"stance": "deels", "text": "Deels overgenomen", "kamerstuk": "31 516, nr. 1"}, None)
    with pytest.raises(followup.ValidationFailed):
        followup.record_response(loaded, coordinator, rec, {"stance": "overgenomen"}, first.id)  # a change needs a reason
    followup.record_response(loaded, coordinator, rec, {"stance": "overgenomen", "reason": "Nieuwe brief"}, first.id)
    with pytest.raises(followup.VersionConflict):
        followup.record_response(loaded, coordinator, rec, {"stance": "niet", "reason": "Op oude versie"}, first.id)
    assert [r.stance for r in followup.responses(loaded, rec.id)] == ["overgenomen", "deels"] and rec.response == "overgenomen"


# -- commitments to Parliament ---------------------------------------------------------------------------------

def test_toezegging_reminders_over_smtp(smtp, loaded, make_user):  # noqa: F811
    jenv = make_user("JENV", role="coordinator", email="c@jenv.example")
    make_user("KMAR", email="k@kmar.example")
    commitment = parliament.save_commitment(loaded, jenv, {"kind": "toezegging", "text": "Kamer informeren over de MDT-evaluatie",
                                                          "owner_organisation": "JENV", "due": "medio 2027", "kamerstuk": "28 638, nr. 200"},
                                            date(2027, 4, 1))
    assert (commitment.due_start, commitment.due_end) == (date(2027, 5, 1), date(2027, 8, 31))
    loaded.commit()

    def bodies():
        return [m.get_payload(decode=True).decode() for m in smtp.messages if m["To"] == "c@jenv.example"]

    parliament.remind(loaded, date(2027, 4, 1), smtp.url, "https://mdt.example")
    assert bodies() and not any("MDT-evaluatie" in b for b in bodies())  # more than two weeks ahead: only the overdue ones
    assert any("Medio 2022 de Kamer nader informeren" in b and "termijn verstreken" in b for b in bodies())
    smtp.messages.clear()
    parliament.remind(loaded, date(2027, 4, 20), smtp.url, "https://mdt.example")
    assert "k@kmar.example" not in [m["To"] for m in smtp.messages]
    message = next(b for b in bodies() if "MDT-evaluatie" in b)
    assert f"/parliament/{commitment.id}" in message and "medio 2027" in message and "termijn nadert" in message
    assert parliament.remind(loaded, date(2027, 4, 20), smtp.url, "https://mdt.example") == 0  # once a day


def test_expected_figure_reminder_goes_to_the_producer_over_smtp(smtp, loaded, make_user):  # noqa: F811
    om = make_user("OM", role="member", email="m@om.example")
    make_user("KMAR", email="k@kmar.example")
    sepots = _indicator(loaded, "om-technische-sepots-aandeel")
    indicators.expect_figure(loaded, om, sepots, "2016", date(2017, 3, 1))
    loaded.commit()
    assert indicators.remind_expected(loaded, date(2017, 2, 20), smtp.url, "https://mdt.example") == 1
    assert [m["To"] for m in smtp.messages] == ["m@om.example"]
    indicators.add_measurement(loaded, om, sepots, "2016", "25")
    loaded.commit()
    assert indicators.remind_expected(loaded, date(2017, 3, 5), smtp.url, "https://mdt.example") == 0  # delivered


def test_parliament_register_pages_api_and_concurrency(app, loaded, make_user, login_as, api):
    coordinator = api("JENV", role="coordinator")
    created = coordinator.post("/api/v1/parliament", json={"kind": "motie", "text": "Motie over meetbare doelen", "due": "eind 2027",
                                                           "owner_organisation": "JENV"}, headers=coordinator.headers)
    assert created.status_code == 201
    body = created.get_json()
    assert body["due"] == {"label": "eind 2027", "start": "2027-10-01", "end": "2027-12-31"}
    etag = created.headers["ETag"]
    one = coordinator.patch(f"/api/v1/parliament/{body['id']}", json={"status": "fulfilled"}, headers={**coordinator.headers, "If-Match": etag})
    two = coordinator.patch(f"/api/v1/parliament/{body['id']}", json={"status": "lapsed"}, headers={**coordinator.headers, "If-Match": etag})
    assert (one.status_code, two.status_code) == (200, 412) and two.get_json()["status"] == "fulfilled"
    assert coordinator.patch(f"/api/v1/parliament/{body['id']}", json={"status": "open"}, headers=coordinator.headers).status_code == 428
    bad = coordinator.post("/api/v1/parliament", json={"kind": "motie", "text": "x", "due": "ooit"}, headers=coordinator.headers)
    assert bad.status_code == 422 and "due" in bad.get_json()["error"]["fields"]
    member = api("KMAR")
    assert member.post("/api/v1/parliament", json={"kind": "motie", "text": "x"}, headers=member.headers).status_code == 403
    listed = {p["kamerstuk"]: p for p in member.get("/api/v1/parliament").get_json()}
    assert listed["34 300 VI, nr. 49"]["status"] == "open"  # the 2016 letter describes how the motie is carried out; it fulfils no motie
    html = member.get("/parliament").get_data(as_text=True)
    assert "Medio 2022 de Kamer nader informeren" in html and "(termijn verstreken)" in html


def test_linked_items_of_a_toezegging_follow_the_items_visibility(app, loaded, make_user, login_as):
    from portal.actions import services as actions

    pol, coordinator = make_user("POL"), make_user("POL", role="coordinator")
    secret, _ = actions.create_item(loaded, pol, {"title": "Vertrouwelijk politiewerk", "visibility": "organisation"})
    c = parliament.save_commitment(loaded, coordinator, {"kind": "toezegging", "text": "Toezegging met acties",
                                                        "action_item_ids": [secret.id]}, today())
    loaded.flush()
    outsider = make_user("KMAR", role="coordinator")
    with pytest.raises(parliament.ValidationFailed) as unknown:
        parliament.save_commitment(loaded, outsider, {"kind": "toezegging", "text": "x", "action_item_ids": [secret.id]}, today())
    assert "bestaan niet" in unknown.value.fields["action_item_ids"]  # an item it may not see does not exist for it
    page = login_as(app.test_client(), outsider).get(f"/parliament/{c.id}").get_data(as_text=True)
    assert "Vertrouwelijk politiewerk" not in page and str(secret.id) not in page.split("action_item_ids")[-1][:50]
    api_body = login_as(app.test_client(), outsider).get(f"/api/v1/parliament/{c.id}").get_json()
    assert api_body["action_item_ids"] == []
    # The outsider's edit keeps the link it cannot see.
    parliament.save_commitment(loaded, outsider, {"kind": "toezegging", "text": "Toezegging met acties", "action_item_ids": []}, today(),
                               c, c.version)
    assert parliament.linked_items(loaded, pol, [c.id])[c.id][0].id == secret.id
    frozen = reports.create_report(loaded, outsider, "Rapport", today(), today())
    open_ = {p["id"]: p for p in snapshot.summarise(frozen.snapshot, [], outsider)["parliament"]}
    assert open_[c.id]["action_item_ids"] == []


# -- frameworks -------------------------------------------------------------------------------------------------

def test_second_framework_selectable_and_reported(api, loaded):
    coordinator = api("JENV", role="coordinator")
    frameworks = coordinator.get("/api/v1/frameworks").get_json()
    in_force = [f for f in frameworks if f["in_force"]]
    assert [f["key"] for f in in_force] == ["beleidskader-2023"] and len(frameworks) == 2
    old = next(f for f in frameworks if f["key"] == "kmar-doelstellingen-2009")
    assert [a["code"] for a in coordinator.get(f"/api/v1/framework?framework={old['id']}").get_json()] == ["1", "2", "3"]
    assert coordinator.get("/api/v1/framework?framework=99999").status_code == 404
    html = coordinator.get(f"/framework?framework={old['id']}").get_data(as_text=True)
    assert "Geoperationaliseerde doelstellingen" in html and "gehaald" in html
    report = coordinator.post("/api/v1/reports", json={"as_of": "2026-11-30", "title": "Oude doelen", "framework_id": old["id"]},
                              headers=coordinator.headers)
    assert report.status_code == 201
    body = report.get_json()
    assert body["framework"]["key"] == "kmar-doelstellingen-2009"
    assert {a["code"] for a in body["summary"]["focus_areas"]} == {"1", "2", "3"}
    assert any(t["assessment"] == "niet_gehaald" for t in body["summary"]["targets"])
    areas = coordinator.get("/api/v1/focus-areas").get_json()
    small = next(c for a in areas for c in a["commitments"] if c["text"] == "Kleinere vervolgonderzoeken (Schiphol)")
    assert small["indicators"] == ["kmar-vervolgonderzoeken-afgerond"] and {t["period"] for t in small["targets"]} == {"2009", "2010", "2011"}


def test_new_framework_carries_commitments_over_with_a_link(client, loaded, make_user, login_as):
    coordinator = login_as(client, make_user("JENV", role="coordinator"))
    current = loaded.scalars(select(Framework).where(Framework.key == "beleidskader-2023")).one()
    carried = current.focus_areas[0].commitments[0]
    bad = _post(coordinator, "/framework/new", data={"title": "Beleidskader 2027-2030", "period_start": "2022-01-01", "period_end": "2030-12-31"})
    assert bad.status_code == 422
    ok = _post(coordinator, "/framework/new", data={"title": "Beleidskader 2027-2030", "period_start": "2027-01-01", "period_end": "2030-12-31",
                                                  "carry": [str(carried.id)]})
    assert ok.status_code == 303
    new = loaded.scalars(select(Framework).where(Framework.title == "Beleidskader 2027-2030")).one()
    copies = [c for a in new.focus_areas for c in a.commitments]
    assert [c.text for c in copies] == [carried.text]
    page = coordinator.get(f"/framework/commitments/{copies[0].id}").get_data(as_text=True)
    assert "Voortgezet uit" in page and current.title in page
    assert "Voortgezet in" in coordinator.get(f"/framework/commitments/{carried.id}").get_data(as_text=True)
    assert coordinator.get(f"/framework?framework={new.id}").status_code == 200


# -- imports ----------------------------------------------------------------------------------------------------


def test_figure_import_refuses_a_bad_sheet_whole(loaded, make_user):
    coordinator = make_user("JENV", role="coordinator")
    good = factories.xlsx([["indicator", "periode", "waarde", "bron"], ["om-instroom-mh", "2016", 240, "Monitor"],
                  ["zm-afdoeningen-mh", "2016", 190.0, "Monitor"]])
    bad = factories.xlsx([["indicator", "periode", "waarde"], ["om-instroom-mh", "2016", 240], ["bestaat-niet", "2016", 1],
                 ["zm-afdoeningen-mh", "2015", 1], ["zm-afdoeningen-mh", "twintig", "veel"]])
    before = loaded.scalar(select(func.count()).select_from(Measurement))
    lines = bulk.preview(loaded, coordinator, "cijfers.xlsx", bad)
    assert [bool(line.problems) for line in lines] == [False, True, True, True]
    with pytest.raises(bulk.ValidationFailed) as refused:
        bulk.store(loaded, coordinator, "cijfers.xlsx", bad)
    assert set(refused.value.fields) == {"regel 3", "regel 4", "regel 5"}
    assert loaded.scalar(select(func.count()).select_from(Measurement)) == before  # nothing of the good line either
    assert bulk.store(loaded, coordinator, "cijfers.xlsx", good) == 2
    csv = b"indicator;periode;waarde\nom-afhandelingen-mh;2016;300\n"
    assert bulk.store(loaded, coordinator, "cijfers.csv", csv) == 1
    with pytest.raises(bulk.ValidationFailed):
        bulk.store(loaded, coordinator, "kapot.xlsx", b"PK\x03\x04 geen excel")


def test_figure_import_page_preview_then_confirm(client, loaded, make_user, login_as):
    member = login_as(client, make_user("OM"))
    sheet = b"indicator;periode;waarde\nom-instroom-mh;2016;240\nslachtoffers-comensha;2016;1000\n"
    preview = _post(member, "/indicators/import", data={"file": (io.BytesIO(sheet), "cijfers.csv")}, content_type="multipart/form-data")
    assert preview.status_code == 422 and "U mag voor deze indicator geen cijfers invoeren." in preview.get_data(as_text=True)
    sheet = b"indicator;periode;waarde\nom-instroom-mh;2016;240\n"
    preview = _post(member, "/indicators/import", data={"file": (io.BytesIO(sheet), "cijfers.csv")}, content_type="multipart/form-data")
    assert preview.status_code == 200
    import base64
    done = _post(member, "/indicators/import", data={"confirm": "1", "filename": "cijfers.csv", "payload": base64.b64encode(sheet).decode()})
    assert done.status_code == 303
    assert loaded.scalars(select(Measurement.value).join(Indicator).where(Indicator.key == "om-instroom-mh", Measurement.period == "2016")).one() == 240


def test_action_list_import_refuses_a_bad_sheet_whole_and_finds_duplicates(client, loaded, make_user, login_as):
    from portal.actions import imports
    from portal.actions import services as actions

    coordinator = make_user("KMAR", role="coordinator")
    actions.create_item(loaded, coordinator, {"title": "Opleidingsplan opsporing"})
    pol_secret, _ = actions.create_item(loaded, make_user("POL"), {"title": "Geheime politieactie", "visibility": "organisation",
                                                                  "owner_organisation": "POL"})
    before = loaded.scalar(select(func.count()).select_from(ActionItem))
    sheet = factories.xlsx([["Actie", "Trekker", "Deadline", "Status", "Voortgang"],
                   ["Liaisonnetwerk evalueren", "Koninklijke Marechaussee", date(2027, 3, 1), "bezig", 0.4],
                   ["Opleidingsplan opsporing", "KMAR", "31-12-2027", "open", None],
                   ["Liaisonnetwerk evalueren", "KMAR", None, None, None],
                   ["Iets", "Onbekende dienst", "gisteren", "afgerond", 150]])
    header, mapping, lines = imports.preview(loaded, coordinator, "actielijst.xlsx", sheet)
    assert mapping["title"] == 0 and mapping["owner_organisation"] == 1 and mapping["due_date"] == 2
    problems = [" ".join(line.problems) for line in lines]
    assert problems[0] == "" and "staat al in het portaal" in problems[1] and "regel 2" in problems[2]
    assert "Onbekende organisatie" in problems[3] and "Datum niet herkend" in problems[3] and "twee sleutels" in problems[3]
    with pytest.raises(imports.ValidationFailed):
        imports.store(loaded, coordinator, "actielijst.xlsx", sheet, mapping)
    assert loaded.scalar(select(func.count()).select_from(ActionItem)) == before
    # A title the importer cannot see is never reported as a duplicate (that would leak it).
    secret_sheet = factories.xlsx([["Titel", "Eigenaar"], ["Geheime politieactie", "POL"]])
    _, _, lines = imports.preview(loaded, coordinator, "x.xlsx", secret_sheet)
    assert not any("staat al" in p for p in lines[0].problems)
    good = factories.xlsx([["Actie", "Trekker", "Deadline", "Status", "Voortgang"],
                  ["Liaisonnetwerk evalueren", "Koninklijke Marechaussee", date(2027, 3, 1), "bezig", 0.4]])
    mapping = guess_mapping(["Actie", "Trekker", "Deadline", "Status", "Voortgang"], imports.FIELDS)
    assert imports.store(loaded, coordinator, "actielijst.xlsx", good, mapping) == 1
    item = loaded.scalars(select(ActionItem).where(ActionItem.title == "Liaisonnetwerk evalueren")).one()
    assert (item.owner_organisation.code, item.due_date, item.status, item.progress) == ("KMAR", date(2027, 3, 1), "in_progress", 40)
    page = _post(login_as(client, coordinator), "/actions/import", data={"file": (io.BytesIO(sheet), "actielijst.xlsx")},
                                              content_type="multipart/form-data")
    assert page.status_code == 422 and "Dubbel" in page.get_data(as_text=True)
    assert pol_secret.title not in page.get_data(as_text=True)


def test_report_exports_carry_targets_toezeggingen_capacity_and_indicator_notes(app, loaded, make_user):
    import zipfile

    coordinator = make_user("JENV", role="coordinator")
    fw = loaded.scalars(select(Framework).where(Framework.key == "kmar-doelstellingen-2009")).one()
    frozen = reports.create_report(loaded, coordinator, "Oude doelen", today(), today(), framework_id=fw.id)
    with app.test_request_context():
        body, _, _ = reports.export_report(loaded, coordinator, frozen, "docx", public=False)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        text = archive.read("word/document.xml").decode()
    for needle in ("Doelen en stand", "Kleinere vervolgonderzoeken (Schiphol)", "niet gehaald", "Openstaande toezeggingen",
                   "Medio 2022 de Kamer nader informeren", "Capaciteit en budget", "liaisons",
                   "Nationaal Rapporteur", "Geoperationaliseerde doelstellingen"):
        assert needle in text, needle
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(reports.export_report(loaded, coordinator, frozen, "xlsx", public=True)[0]))
    assert {"Doelen", "Toezeggingen", "Capaciteit"} <= set(book.sheetnames)
    assert any("Medio 2022" in str(row[2]) for row in book["Toezeggingen"].iter_rows(values_only=True))


def test_api_response_and_target_writes(api, loaded):
    coordinator, member = api("JENV", role="coordinator"), api("KMAR")
    rec = _rec(loaded, "doorlichting-2012", 2)
    assert member.get(f"/api/v1/recommendations/{rec.id}").get_json()["response"]["stance"] == "onbekend"
    assert coordinator.post(f"/api/v1/recommendations/{rec.id}/response", json={"stance": "deels"}, headers=coordinator.headers).status_code == 428
    first = coordinator.post(f"/api/v1/recommendations/{rec.id}/response", json={"stance": "deels", "text": "Deels"},
                             headers={**coordinator.headers, "If-Match": '"0"'})
    assert first.status_code == 201
    stale = coordinator.post(f"/api/v1/recommendations/{rec.id}/response", json={"stance": "niet", "reason": "x"},
                             headers={**coordinator.headers, "If-Match": '"0"'})
    assert stale.status_code == 412 and stale.get_json()["current"]["stance"] == "deels"
    assert member.post(f"/api/v1/recommendations/{rec.id}/response", json={"stance": "niet"},
                       headers={**member.headers, "If-Match": first.headers["ETag"]}).status_code == 403
    got = member.get(f"/api/v1/recommendations/{rec.id}").get_json()
    assert got["response"]["stance"] == "deels" and got["related"] == []
    assert _rec(loaded, "inspectie-2021", 1).id in member.get(f"/api/v1/recommendations/{_rec(loaded, 'doorlichting-2012', 1).id}").get_json()["related"]
    small = _commitment(loaded, "Kleinere vervolgonderzoeken (Schiphol)")
    wrong = coordinator.post(f"/api/v1/commitments/{small.id}/targets", json={"period": 2012, "unit": "aantal", "direction": "at_least"},
                             headers=coordinator.headers)
    assert wrong.status_code == 422 and "period" in wrong.get_json()["error"]["fields"]
    made = coordinator.post(f"/api/v1/commitments/{small.id}/targets", json={"period": "2012", "value": 9, "unit": "aantal",
                                                                              "direction": "at_least", "valid_from": "2012-01-01"},
                            headers=coordinator.headers)
    assert made.status_code == 201 and made.get_json()["value"] == 9
    assert member.post(f"/api/v1/commitments/{small.id}/targets", json={"period": "2013", "value": 1, "unit": "aantal", "direction": "at_least"},
                       headers=member.headers).status_code == 403


def test_related_recommendations_on_the_page(client, loaded, make_user, login_as):
    """The register page links and unlinks "asks the same as" (the API twin has its own test): the form names the other
    recommendation by number, and the page shows the link afterwards."""
    from models import recommendation_links

    first, second = loaded.scalars(select(Recommendation).order_by(Recommendation.id).limit(2)).all()
    coordinator = login_as(client, make_user("JENV", role="coordinator"))
    linked = _post(coordinator, f"/recommendations/{first.id}/related", {"related": str(second.id)})
    assert linked.status_code == 303
    pair = select(recommendation_links).where(recommendation_links.c.recommendation_id == first.id,
                                              recommendation_links.c.related_id == second.id)
    assert loaded.execute(pair).first() is not None
    unlinked = _post(coordinator, f"/recommendations/{first.id}/related", {"related": str(second.id), "action": "unlink"})
    assert unlinked.status_code == 303 and loaded.execute(pair).first() is None
    assert _post(coordinator, f"/recommendations/{first.id}/related", {"related": "x"}).status_code == 303  # chosen nothing: a message


def test_the_coordinators_forms_offer_every_source_and_every_other_recommendation(client, loaded, make_user, login_as):
    """The response form's documents are every source, newest first (also one without recommendations); the related form
    offers every recommendation but this one, each named with its source (both read in one statement)."""
    import html
    import re

    from models import Source

    first = loaded.scalars(select(Recommendation).order_by(Recommendation.id)).first()
    loaded.add(Source(key="bron-zonder-aanbevelingen", title="Bron zonder aanbevelingen", year=2099, kind="rapport"))
    loaded.commit()
    coordinator = login_as(client, make_user("JENV", role="coordinator"))
    page = coordinator.get(f"/recommendations/{first.id}").get_data(as_text=True)
    documents = re.search(r'<select[^>]*name="document"[^>]*>(.*?)</select>', page, re.S).group(1)
    keys = re.findall(r'<option[^>]*value="([^"]*)"', documents)
    sources = loaded.scalars(select(Source).order_by(Source.year.desc(), Source.title, Source.id)).all()
    assert keys == ["", *(s.key for s in sources)]
    related = re.search(r'<select[^>]*name="related"[^>]*>(.*?)</select>', page, re.S).group(1)
    offered = [int(v) for v in re.findall(r'<option value="(\d+)"', related)]
    expected = loaded.scalars(select(Recommendation).where(Recommendation.id != first.id).order_by(Recommendation.id)).all()
    assert offered == [r.id for r in expected]
    assert f"{expected[0].source.title}, {expected[0].number}:" in html.unescape(related)
