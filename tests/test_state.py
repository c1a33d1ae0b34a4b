"""Where we stand on a recommendation as of a date (GET /recommendations/<id>/state): from the items' recorded history,
equal to a report frozen on that date, over what the caller may see; a target compared only with a figure of its own
period known on the date; the last letter to Parliament and what changed since."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import time_machine
from sqlalchemy import select

from models import Commitment, Indicator, Measurement, Source, Target
from portal.actions import services as actions
from portal.reports import services as reports


def at(text: str):
    return time_machine.travel(datetime.fromisoformat(text).replace(tzinfo=UTC), tick=False)


def test_state_as_of_dates_from_history_equals_a_frozen_report(api, db_session, make_user):
    kmar, coordinator = make_user("KMAR"), make_user("JENV", role="coordinator")
    rec = 1
    with at("2026-03-01T09:00:00"):
        a, _ = actions.create_item(db_session, kmar, {"title": "A", "visibility": "mdt", "recommendation_ids": [rec], "focus_area": "3.1",
                                                      "due_date": date(2026, 4, 1)})
        hidden, _ = actions.create_item(db_session, kmar, {"title": "Verborgen", "visibility": "organisation", "recommendation_ids": [rec]})
    with at("2026-05-01T09:00:00"):
        actions.add_update(db_session, kmar, a, a.version, "Halverwege", "in_progress", 50)
        b, _ = actions.create_item(db_session, kmar, {"title": "B", "visibility": "mdt", "recommendation_ids": [rec], "focus_area": "3.1"})
    with at("2026-06-01T09:00:00"):
        actions.request_closure(db_session, kmar, b, b.version, "klaar")
    db_session.commit()
    politie = api("POL")
    march = politie.get(f"/api/v1/recommendations/{rec}/state?as_of=2026-03-15").get_json()
    assert march["items"] == [a.id] and march["counts"]["open"] == 1 and march["late"] == 0 and march["progress"] == 0
    april = politie.get(f"/api/v1/recommendations/{rec}/state?as_of=2026-04-15").get_json()
    assert april["late"] == 1  # due 1 April, still open on 15 April
    june = politie.get(f"/api/v1/recommendations/{rec}/state?as_of=2026-06-15").get_json()
    assert june["items"] == [a.id, b.id] and hidden.id not in june["items"]
    assert (june["counts"]["in_progress"], june["counts"]["awaiting_confirmation"], june["progress"]) == (1, 1, 75)
    # The same figures as a report frozen on that date, for the same viewer.
    with at("2026-06-20T09:00:00"):
        report = reports.create_report(db_session, coordinator, "Juni", date(2026, 6, 15), date(2026, 6, 20))
    rows = [r for r in report.snapshot["items"] if rec in r["recommendation_ids"] and r["id"] in june["items"]]
    assert {r["id"]: r["status"] for r in rows} == {a.id: "in_progress", b.id: "awaiting_confirmation"}
    # KMar sees its own restricted item too; a future or malformed date is refused.
    assert hidden.id in api("KMAR").get(f"/api/v1/recommendations/{rec}/state?as_of=2026-06-15").get_json()["items"]
    assert politie.get(f"/api/v1/recommendations/{rec}/state?as_of=2999-01-01").status_code == 422
    assert politie.get(f"/api/v1/recommendations/{rec}/state?as_of=gisteren").status_code == 422
    assert politie.get("/api/v1/recommendations/999999/state").status_code == 404


def test_a_target_meets_only_a_figure_of_its_own_period_known_on_the_date(api, db_session, make_user):
    kmar, coordinator = make_user("KMAR"), make_user("JENV", role="coordinator")
    commitment = db_session.scalars(select(Commitment).order_by(Commitment.id)).first()
    indicator = Indicator(key="test-rechercheurs", title="Rechercheurs", unit="aantal", owner_organisation_id=kmar.organisation_id,
                          visibility="mdt")
    db_session.add(indicator)
    db_session.flush()
    db_session.add(Target(commitment_id=commitment.id, period="2025", period_start=date(2025, 1, 1), period_end=date(2025, 12, 31),
                          value=Decimal(8), unit="aantal", direction="at_least", indicator_id=indicator.id, valid_from=date(2023, 1, 1),
                          recorded_at=datetime(2024, 1, 1, tzinfo=UTC), set_by_id=coordinator.id))
    # A figure of another period never stands in; the 2025 figure counts only from the day it was recorded.
    db_session.add_all([Measurement(indicator_id=indicator.id, period="2010", period_start=date(2010, 1, 1), period_end=date(2010, 12, 31),
                                    value=Decimal(6), recorded_at=datetime(2011, 1, 1, tzinfo=UTC)),
                        Measurement(indicator_id=indicator.id, period="2025", period_start=date(2025, 1, 1), period_end=date(2025, 12, 31),
                                    value=Decimal(9), recorded_at=datetime(2026, 2, 10, tzinfo=UTC))])
    item, _ = actions.create_item(db_session, kmar, {"title": "Opleiden", "visibility": "mdt", "recommendation_ids": [1],
                                                      "focus_area": commitment.focus_area.code, "commitment_id": commitment.id})
    item.created_at = datetime(2025, 1, 1, tzinfo=UTC)
    db_session.commit()
    politie = api("POL")

    def target(as_of: str) -> dict:
        state = politie.get(f"/api/v1/recommendations/1/state?as_of={as_of}").get_json()
        return next(t for t in state["targets"] if t["commitment_id"] == commitment.id and t["period"] == "2025")

    assert target("2026-02-01") == {"commitment_id": commitment.id, "commitment_code": f"{commitment.focus_area.code}.{commitment.position}",
                                    "period": "2025", "value": 8.0, "direction": "at_least",
                                    "figure": None, "figure_period": None, "assessment": "geen_cijfer"}
    later = target("2026-03-01")
    assert (later["figure"], later["figure_period"], later["assessment"]) == (9.0, "2025", "gehaald")


def test_what_changed_since_the_last_letter(api, db_session, make_user):
    kmar = make_user("KMAR")
    with at("2026-01-05T09:00:00"):
        a, _ = actions.create_item(db_session, kmar, {"title": "A", "visibility": "mdt", "recommendation_ids": [2]})
    letter = Source(key="kamerbrief-test-2026", title="Voortgangsbrief", kind="kamerbrief", issued_on=date(2026, 2, 1),
                    year=2026, reference="TK 28 638, nr. 999")
    db_session.add(letter)
    with at("2026-03-01T09:00:00"):
        actions.add_update(db_session, kmar, a, a.version, "Verder", "in_progress", 30)
        b, _ = actions.create_item(db_session, kmar, {"title": "B", "visibility": "mdt", "recommendation_ids": [2]})
    db_session.commit()
    state = api("IND").get("/api/v1/recommendations/2/state?as_of=2026-03-15").get_json()
    assert state["last_letter"] == {"source_id": letter.id, "sent_on": "2026-02-01", "reference": "TK 28 638, nr. 999"}
    changes = {(c["item_id"], c["field"]): (c["before"], c["after"]) for c in state["changes_since_last_letter"]}
    assert changes[(a.id, "status")] == ("open", "in_progress") and changes[(a.id, "progress")] == (0, 30)
    assert changes[(b.id, "created")] == (None, "open")


def test_the_state_page_answers_in_one_click_and_every_number_opens_its_rows(api, client, db_session, make_user, login_as):
    import re as _re

    kmar = make_user("KMAR")
    with at("2026-03-01T09:00:00"):
        a, _ = actions.create_item(db_session, kmar, {"title": "Alfa", "visibility": "mdt", "recommendation_ids": [3], "due_date": date(2026, 4, 1)})
        b, _ = actions.create_item(db_session, kmar, {"title": "Beta", "visibility": "mdt", "recommendation_ids": [3]})
        hidden, _ = actions.create_item(db_session, kmar, {"title": "Geheim", "visibility": "organisation", "recommendation_ids": [3]})
    with at("2026-05-01T09:00:00"):
        actions.add_update(db_session, kmar, b, b.version, "Bezig", "in_progress", 40)
    db_session.commit()
    login_as(client, make_user("POL"))
    assert 'href="/recommendations/3/state"' in client.get("/recommendations/3").text  # one click from the recommendation
    page = client.get("/recommendations/3/state?as_of=2026-06-01")
    assert page.status_code == 200 and "Geheim" not in page.text
    state = api("POL").get("/api/v1/recommendations/3/state?as_of=2026-06-01").get_json()
    # Each count links to a list with exactly that many rows.
    for status, n in state["counts"].items():
        if n:
            rows = client.get(f"/recommendations/3/state?as_of=2026-06-01&status={status}").text
            assert _re.search(rf"\({n}\)</h2>", rows), status
    late = client.get("/recommendations/3/state?as_of=2026-06-01&status=late").text
    assert state["late"] == 1 and "Alfa" in late and "Beta" not in late.split('id="acties"')[1]
    assert client.get("/recommendations/3/state?as_of=2999-01-01").status_code == 422
    assert client.get("/recommendations/999999/state").status_code == 404


def test_the_coordinators_home_counts_what_waits_and_each_count_opens_exactly_its_list(client, db_session, make_user, login_as, loaded):
    import re as _re

    from models import ExpectedFigure, Indicator
    from portal.framework import parliament
    from portal.i18n import today

    kmar, coordinator = make_user("KMAR"), make_user("JENV", role="coordinator")
    item, _ = actions.create_item(db_session, kmar, {"title": "Klaar", "visibility": "mdt"})
    actions.request_closure(db_session, kmar, item, item.version, "gedaan")
    hidden, _ = actions.create_item(db_session, kmar, {"title": "Alleen voor KMar", "visibility": "organisation"})
    actions.request_closure(db_session, kmar, hidden, hidden.version, "gedaan")
    parliament.save_commitment(db_session, coordinator, {"kind": "toezegging", "text": "Verlopen termijn", "due": "medio 2022"}, today())
    parliament.save_commitment(db_session, coordinator, {"kind": "toezegging", "text": "Ver weg", "due": "eind 2030"}, today())
    restricted = Indicator(key="kmar-intern-test", title="Intern cijfer", unit="aantal", owner_organisation_id=kmar.organisation_id,
                           visibility="organisation")
    public = db_session.scalars(select(Indicator).where(Indicator.visibility == "public").order_by(Indicator.id)).first()
    db_session.add(restricted)
    db_session.flush()
    db_session.add_all([ExpectedFigure(indicator_id=restricted.id, period="2026-Q3", due_on=today()),
                        ExpectedFigure(indicator_id=public.id, period="2031", due_on=today())])
    db_session.commit()
    login_as(client, coordinator)
    home = client.get("/").text
    assert "Wat op u wacht" in home and "1 afronding wacht op bevestiging" in home  # KMar's own restricted item is not counted
    assert "Intern cijfer" not in home and "1 cijfer wordt" in home
    awaiting = client.get("/actions?status=awaiting_confirmation").text
    assert "Klaar" in awaiting and "Alleen voor KMar" not in awaiting
    due = _re.search(r"(\d+) toezegging(?:en)?(?: of| en) moties? (?:heeft|hebben)", home)
    listed = client.get("/parliament?due=soon").text
    assert int(due.group(1)) == len(_re.findall(r'href="/parliament/\d+"', listed)) and "Verlopen termijn" in listed and "Ver weg" not in listed
    login_as(client, kmar)
    assert "Wat op u wacht" not in client.get("/").text


def test_every_surface_compares_a_target_only_with_a_figure_of_its_period_known_on_the_date(api, db_session, make_user):
    from portal.framework import goals

    kmar, coordinator = make_user("KMAR"), make_user("JENV", role="coordinator")
    commitment = db_session.scalars(select(Commitment).order_by(Commitment.id)).first()
    indicator = Indicator(key="test-doel-periode", title="Onderzoeken", unit="aantal", owner_organisation_id=kmar.organisation_id, visibility="public")
    db_session.add(indicator)
    db_session.flush()
    db_session.add(Target(commitment_id=commitment.id, period="2026", period_start=date(2026, 1, 1), period_end=date(2026, 12, 31),
                          value=Decimal(8), unit="aantal", direction="at_least", indicator_id=indicator.id, valid_from=date(2023, 1, 1),
                          recorded_at=datetime(2024, 1, 1, tzinfo=UTC), set_by_id=coordinator.id))
    db_session.add_all([
        Measurement(indicator_id=indicator.id, period="2010", period_start=date(2010, 1, 1), period_end=date(2010, 12, 31), value=Decimal(6),
                    recorded_at=datetime(2011, 1, 1, tzinfo=UTC)),
        Measurement(indicator_id=indicator.id, period="2026-Q3", period_start=date(2026, 7, 1), period_end=date(2026, 9, 30), value=Decimal(5),
                    recorded_at=datetime(2026, 10, 5, tzinfo=UTC))])
    db_session.commit()
    # On 3 December: no 2026 figure yet; neither 2010 nor a quarter stands in (the commitment page, reports and XLSX use this).
    row = next(s for s in goals.standings(db_session, [commitment.id], date(2026, 12, 3), lambda i: True)[commitment.id]
               if s.target.indicator_id == indicator.id)
    assert (row.figure, row.figure_period, row.assessment) == (None, None, "geen_cijfer")
    page = api("POL").get("/indicators/test-doel-periode").get_data(as_text=True)
    assert "niet vastgelegd" not in page.split("Doel", 1)[1][:200]  # the target that uses it shows
    # A 2026 figure recorded on 5 January 2027 counts from then on, not on 31 December.
    db_session.add(Measurement(indicator_id=indicator.id, period="2026", period_start=date(2026, 1, 1), period_end=date(2026, 12, 31),
                               value=Decimal(9), recorded_at=datetime(2027, 1, 5, tzinfo=UTC)))
    db_session.commit()
    before = next(s for s in goals.standings(db_session, [commitment.id], date(2026, 12, 31), lambda i: True)[commitment.id]
                  if s.target.indicator_id == indicator.id)
    after = next(s for s in goals.standings(db_session, [commitment.id], date(2027, 1, 6), lambda i: True)[commitment.id]
                 if s.target.indicator_id == indicator.id)
    assert before.assessment == "geen_cijfer" and (after.figure, after.assessment) == (Decimal(9), "gehaald")


def test_a_commitment_has_the_same_answer(api, db_session, make_user):
    kmar = make_user("KMAR")
    commitment = db_session.scalars(select(Commitment).order_by(Commitment.id)).first()
    with at("2026-03-01T09:00:00"):
        shown, _ = actions.create_item(db_session, kmar, {"title": "Zichtbaar", "visibility": "mdt", "focus_area": commitment.focus_area.code,
                                                          "commitment_id": commitment.id, "due_date": date(2026, 4, 1)})
        hidden, _ = actions.create_item(db_session, kmar, {"title": "Eigen", "visibility": "organisation", "focus_area": commitment.focus_area.code,
                                                           "commitment_id": commitment.id})
    db_session.commit()
    answer = api("POL").get(f"/api/v1/commitments/{commitment.id}/state?as_of=2026-05-01").get_json()
    assert answer["commitment_id"] == commitment.id and shown.id in answer["items"] and hidden.id not in answer["items"]
    assert answer["late"] == 1 and sum(answer["counts"].values()) == len(answer["items"])
    assert api("POL").get("/api/v1/commitments/999999/state").status_code == 404
    assert api("POL").get(f"/api/v1/commitments/{commitment.id}/state?as_of=2999-01-01").status_code == 422
