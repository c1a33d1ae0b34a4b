"""The framework's content kept by coordinators (sources, recommendations, commitments): created, corrected with
If-Match and a reason, retired, never deleted; members and readers refused; load-reference keeps what was corrected."""
from __future__ import annotations

import re

from sqlalchemy import select

from models import AuditEvent, Commitment, Recommendation, Source
from portal import reference


def _post(client, path, body, **headers):
    return client.post(path, json=body, headers={**client.headers, **headers})


def _patch(client, path, body, version):
    return client.patch(path, json=body, headers={**client.headers, "If-Match": f'"{version}"'})


def test_a_coordinator_enters_an_inspectie_report_with_its_recommendations(api, db_session):
    coordinator = api("JENV", "coordinator")
    created = _post(coordinator, "/api/v1/sources", {"kind": "inspectierapport", "title": "Toezicht op de grens",
                                                      "issued_on": "2026-10-01", "issuer": "Inspectie Justitie en Veiligheid"})
    assert created.status_code == 201, created.get_json()
    source = created.get_json()
    assert source["kind"] == "inspectierapport" and created.headers["ETag"] == '"1"'
    assert any(s["id"] == source["id"] for s in coordinator.get("/api/v1/sources").get_json())
    rec = _post(coordinator, "/api/v1/recommendations", {"source_id": source["id"], "number": 1, "text": "Versterk de informatiepositie.",
                                                         "addressees": ["KMAR", "POL"], "focus_areas": ["3.1"]})
    assert rec.status_code == 201, rec.get_json()
    body = rec.get_json()
    assert body["addressees"] == ["KMAR", "POL"] and body["focus_areas"] == ["3.1"] and body["kind"] == "aanbeveling"
    # Every partner reads it; the same number twice in one source is refused and nothing is stored.
    assert api("POL").get(f"/api/v1/recommendations/{body['id']}").get_json()["text"] == "Versterk de informatiepositie."
    twice = _post(coordinator, "/api/v1/recommendations", {"source_id": source["id"], "number": 1, "text": "Nog een", "addressees": []})
    assert twice.status_code == 422 and "number" in twice.get_json()["error"]["fields"]
    assert db_session.scalar(select(Recommendation.id).where(Recommendation.text == "Nog een")) is None
    # Unknown organisations, focus areas and sources: 422 per field.
    bad = _post(coordinator, "/api/v1/recommendations", {"source_id": 999999, "number": 0, "text": "", "addressees": ["XYZ"],
                                                         "focus_areas": ["9.9"], "kind": "wens"})
    assert set(bad.get_json()["error"]["fields"]) == {"source_id", "number", "text", "addressees", "focus_areas", "kind"}


def test_corrections_need_the_version_and_keep_who_changed_what_and_why(api, db_session):
    coordinator = api("JENV", "coordinator")
    source = db_session.scalars(select(Source).order_by(Source.id)).first()
    stale = _patch(coordinator, f"/api/v1/sources/{source.id}", {"title": "Nieuw"}, source.version + 5)
    assert stale.status_code == 412 and stale.get_json()["title"] == source.title
    missing = coordinator.patch(f"/api/v1/sources/{source.id}", json={"title": "Nieuw"}, headers=coordinator.headers)
    assert missing.status_code == 428
    changed = _patch(coordinator, f"/api/v1/sources/{source.id}", {"title": "Gecorrigeerde titel", "reason": "Titel uit de bron"},
                     source.version)
    assert changed.status_code == 200 and changed.get_json()["title"] == "Gecorrigeerde titel"
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "source.saved").order_by(AuditEvent.id.desc())).first()
    assert event.diff["reason"] == "Titel uit de bron" and event.diff["after"]["title"] == "Gecorrigeerde titel"
    # Retired, not deleted: still readable, marked, and offered for nothing new.
    version = changed.get_json()["version"]
    retired = _patch(coordinator, f"/api/v1/sources/{source.id}", {"retired": True, "reason": "Vervangen"}, version)
    assert retired.status_code == 200 and retired.get_json()["retired_on"] is not None
    refused = _post(coordinator, "/api/v1/recommendations", {"source_id": source.id, "number": 900, "text": "X", "addressees": []})
    assert refused.status_code == 422 and "source_id" in refused.get_json()["error"]["fields"]


def test_members_readers_and_other_roles_are_refused(api, db_session):
    source = db_session.scalars(select(Source).order_by(Source.id)).first()
    rec = db_session.scalars(select(Recommendation).order_by(Recommendation.id)).first()
    commitment = db_session.scalars(select(Commitment).order_by(Commitment.id)).first()
    for org, role in (("KMAR", "member"), ("BZ", "reader"), ("JENV", "admin")):
        client = api(org, role)
        assert _post(client, "/api/v1/sources", {"kind": "rapport", "title": "X"}).status_code == 403
        assert _patch(client, f"/api/v1/sources/{source.id}", {"title": "X"}, source.version).status_code == 403
        assert _post(client, "/api/v1/recommendations", {"source_id": source.id, "number": 800, "text": "X", "addressees": []}).status_code == 403
        assert _patch(client, f"/api/v1/recommendations/{rec.id}", {"text": "X"}, rec.version).status_code == 403
        assert _post(client, "/api/v1/focus-areas/3.1/commitments", {"text": "X"}).status_code == 403
        assert _patch(client, f"/api/v1/commitments/{commitment.id}", {"text": "X"}, commitment.version).status_code == 403
    db_session.expire_all()
    assert db_session.get(Source, source.id).title != "X" and db_session.get(Recommendation, rec.id).text != "X"


def test_commitments_are_added_as_the_focus_areas_next_and_corrected(api, db_session):
    coordinator = api("JENV", "coordinator")
    created = _post(coordinator, "/api/v1/focus-areas/3.6/commitments", {"text": "EMM en IND leveren cijfers aan."})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    count = len(db_session.scalars(select(Commitment).where(Commitment.focus_area_id == db_session.get(Commitment, body["id"]).focus_area_id)).all())
    assert body["code"] == f"3.6.{count}" and body["position"] == count
    wrong = _post(coordinator, "/api/v1/focus-areas/3.6/commitments", {"text": "X", "code": "3.1.1"})
    assert wrong.status_code == 422 and "code" in wrong.get_json()["error"]["fields"]
    assert _post(coordinator, "/api/v1/focus-areas/9.9/commitments", {"text": "X"}).status_code == 404
    fixed = _patch(coordinator, f"/api/v1/commitments/{body['id']}", {"text": "EMM en IND leveren elk kwartaal cijfers aan."}, body["version"])
    assert fixed.status_code == 200 and fixed.get_json()["version"] == body["version"] + 1
    areas = coordinator.get("/api/v1/focus-areas").get_json()
    listed = next(c for a in areas for c in a["commitments"] if c["id"] == body["id"])
    assert listed["text"] == "EMM en IND leveren elk kwartaal cijfers aan."


def test_load_reference_keeps_what_a_coordinator_corrected_and_says_what_differs(api, db_session):
    coordinator = api("JENV", "coordinator")
    rec = db_session.scalars(select(Recommendation).order_by(Recommendation.id)).first()
    original = rec.text
    assert _patch(coordinator, f"/api/v1/recommendations/{rec.id}", {"text": "Gecorrigeerd naar de bron", "addressees": ["POL"]},
                  rec.version).status_code == 200
    db_session.expire_all()  # the command reads afresh
    summary = reference.load(db_session)
    db_session.flush()
    db_session.expire_all()
    again = db_session.get(Recommendation, rec.id)
    assert again.text == "Gecorrigeerd naar de bron" and [o.code for o in again.addressees] == ["POL"]
    assert any(d.endswith(": text") for d in summary.differences) and any(d.endswith(": addressees") for d in summary.differences)
    assert original != again.text


def test_a_coordinator_adds_two_quarterly_indicators_with_a_responsible_person(api, db_session, make_user, app):
    from datetime import date

    from models import ExpectedFigure, Indicator
    from portal.indicators import services as indicators

    coordinator = api("JENV", "coordinator")
    emm_person = make_user("IND", role="member")
    for key, owner, responsible in (("emm-voorwegingen", "IND", emm_person.id), ("ind-signalen-mensensmokkel", "IND", None)):
        created = _post(coordinator, "/api/v1/indicators", {"key": key, "title": f"Cijfer {key}", "unit": "aantal", "owner_organisation": owner,
                                                            "visibility": "mdt", "focus_area": "3.6", "frequency_months": 3,
                                                            "responsible_user_id": responsible})
        assert created.status_code == 201, created.get_json()
        assert created.get_json()["frequency_months"] == 3 and created.get_json()["focus_area"] == "3.6"
    indicator = db_session.scalars(select(Indicator).where(Indicator.key == "emm-voorwegingen")).one()
    # The running quarter's figure is expected a month after the quarter ends.
    expected = db_session.scalars(select(ExpectedFigure).where(ExpectedFigure.indicator_id == indicator.id)).all()
    assert len(expected) == 1 and expected[0].period.endswith(("Q1", "Q2", "Q3", "Q4"))
    with app.app_context():
        row = indicators.schedule(db_session, indicator, date(2027, 2, 1))
    assert row.period == "2027-Q1" and row.due_on == date(2027, 5, 1)
    # Refused: a duplicate key, an unknown frequency, a responsible person of another organisation; members create nothing.
    bad = _post(coordinator, "/api/v1/indicators", {"key": "emm-voorwegingen", "title": "X", "unit": "aantal", "owner_organisation": "IND",
                                                    "visibility": "mdt", "frequency_months": 2, "responsible_user_id": coordinator.user.id})
    assert set(bad.get_json()["error"]["fields"]) == {"key", "frequency_months", "responsible_user_id"}
    member = api("KMAR", "member")
    assert _post(member, "/api/v1/indicators", {"key": "kmar-x", "title": "X", "unit": "aantal", "owner_organisation": "KMAR",
                                                 "visibility": "mdt"}).status_code == 403
    # Whoever creates it must see it afterwards.
    hidden = _post(coordinator, "/api/v1/indicators", {"key": "ind-verborgen", "title": "X", "unit": "aantal", "owner_organisation": "IND",
                                                       "visibility": "organisation"})
    assert hidden.status_code == 422 and "visibility" in hidden.get_json()["error"]["fields"]


def test_another_agencys_coordinator_describes_an_indicator_but_never_restricts_it(api, db_session):
    coordinator_ind = api("IND", "coordinator")
    created = _post(coordinator_ind, "/api/v1/indicators", {"key": "ind-test", "title": "Aanvragen", "unit": "aantal",
                                                            "owner_organisation": "IND", "visibility": "mdt"})
    assert created.status_code == 201
    other = api("POL", "coordinator")
    only_visibility = other.patch("/api/v1/indicators/ind-test", json={"visibility": "public"}, headers=other.headers)
    assert only_visibility.status_code == 403
    mixed = other.patch("/api/v1/indicators/ind-test", json={"title": "Aanvragen (gecorrigeerd)", "visibility": "public"}, headers=other.headers)
    assert mixed.status_code == 422 and set(mixed.get_json()["error"]["fields"]) == {"visibility"}
    owner_change = other.patch("/api/v1/indicators/ind-test", json={"owner_organisation": "POL"}, headers=other.headers)
    assert owner_change.status_code == 403
    described = other.patch("/api/v1/indicators/ind-test", json={"title": "Aanvragen (gecorrigeerd)"},
                            headers={**other.headers, "If-Match": f'"{created.get_json()["version"]}"'})
    assert described.status_code == 200 and described.get_json()["visibility"] == "mdt"
    stale = other.patch("/api/v1/indicators/ind-test", json={"title": "Nog eens"}, headers={**other.headers, "If-Match": '"1"'})
    assert stale.status_code == 412 and stale.get_json()["title"] == "Aanvragen (gecorrigeerd)"
    own = coordinator_ind.patch("/api/v1/indicators/ind-test", json={"visibility": "public"}, headers=coordinator_ind.headers)
    assert own.status_code == 200 and own.get_json()["visibility"] == "public"


def test_a_coordinator_enters_a_report_and_its_recommendations_on_the_pages(app, client, loaded, make_user, login_as, db_session):
    login_as(client, make_user("JENV", role="coordinator"))
    assert client.get("/sources").status_code == 200
    new = client.get("/sources/new")
    assert new.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', new.text).group(1)
    made = client.post("/sources", data={"csrf_token": token, "kind": "inspectierapport", "title": "Nieuw rapport", "issued_on": "2026-10-01"})
    assert made.status_code == 303, made.text[:3000]
    location = made.headers["Location"]
    assert client.get(location).status_code == 200
    sid = int(location.rsplit("/", 1)[1])
    added = client.post(f"/sources/{sid}/recommendations", data={"csrf_token": token, "number": "1", "kind": "aanbeveling", "text": "Doe iets",
                                                                 "addressees": ["KMAR", "POL"], "focus_areas": ["3.1"]})
    assert added.status_code == 303, added.text[:5000]
    rec = db_session.scalars(select(Recommendation).where(Recommendation.source_id == sid)).one()
    assert [o.code for o in rec.addressees] == ["KMAR", "POL"] and [a.code for a in rec.focus_areas] == ["3.1"]
    assert client.get(f"/recommendations/{rec.id}/edit").status_code == 200
    corrected = client.post(f"/recommendations/{rec.id}/edit", data={"csrf_token": token, "version": str(rec.version), "number": "2",
                                                                     "kind": "maatregel", "text": "Doe iets anders", "addressees": ["IND"]})
    assert corrected.status_code == 303, corrected.text[:3000]
    refused = client.post(f"/sources/{sid}", data={"csrf_token": token, "version": "1", "kind": "inspectierapport", "title": "", "issued_on": "x"})
    assert refused.status_code == 422 and "Vul de titel in" in refused.text
    shown = client.get(f"/recommendations/{rec.id}").text
    assert "Doe iets anders" in shown and "Maatregel 2" in shown
    login_as(client, make_user("KMAR"))
    assert client.get("/sources/new").status_code == 403
    assert client.get("/sources").status_code == 200


def test_a_coordinator_adds_an_indicator_with_a_quarterly_cycle_on_the_pages(client, loaded, make_user, login_as, db_session):
    from models import ExpectedFigure, Indicator

    coordinator = make_user("JENV", role="coordinator")
    person = make_user("IND", role="member")
    login_as(client, coordinator)
    new = client.get("/indicators/new")
    assert new.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', new.text).group(1)
    form = {"csrf_token": token, "key": "emm-voorwegingen", "title": "Voorwegingen EMM", "unit": "aantal", "owner_organisation": "IND",
            "visibility": "mdt", "focus_area": "3.6", "frequency_months": "3", "responsible_user_id": str(person.id)}
    made = client.post("/indicators/new", data=form)
    assert made.status_code == 303, made.text[:3000]
    indicator = db_session.scalars(select(Indicator).where(Indicator.key == "emm-voorwegingen")).one()
    assert indicator.frequency_months == 3 and indicator.responsible_user_id == person.id
    assert db_session.scalars(select(ExpectedFigure).where(ExpectedFigure.indicator_id == indicator.id)).first() is not None
    page = client.get("/indicators/emm-voorwegingen").text
    assert "elk kwartaal" in page and person.name in page
    again = client.post("/indicators/new", data={**form, "frequency_months": "7"})
    assert again.status_code == 422 and "Er is al een indicator met deze sleutel." in again.text
    # Another organisation's coordinator describes it; the form sends who may see it unchanged, so that is kept.
    edit = client.post("/indicators/emm-voorwegingen/edit", data={**form, "title": "Voorwegingen EMM (per kwartaal)",
                                                                   "version": str(indicator.version)})
    assert edit.status_code == 303, edit.text[:3000]
    db_session.expire_all()
    assert db_session.get(Indicator, indicator.id).title == "Voorwegingen EMM (per kwartaal)"
    widened = client.post("/indicators/emm-voorwegingen/edit", data={**form, "visibility": "public",
                                                                      "version": str(db_session.get(Indicator, indicator.id).version)})
    assert widened.status_code == 422
    login_as(client, make_user("KMAR"))
    assert client.get("/indicators/new").status_code == 403


def test_a_coordinator_adds_and_corrects_a_commitment_on_the_pages(client, loaded, make_user, login_as, db_session):
    login_as(client, make_user("JENV", role="coordinator"))
    page = client.get("/framework/3.6")
    assert page.status_code == 200 and "Afspraak toevoegen" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    added = client.post("/framework/3.6/commitments", data={"csrf_token": token, "text": "Cijfers van EMM en IND per kwartaal"})
    assert added.status_code == 303
    commitment_id = int(added.headers["Location"].rsplit("/", 1)[1])
    shown = client.get(f"/framework/commitments/{commitment_id}")
    assert shown.status_code == 200 and "Afspraak corrigeren" in shown.text
    version = db_session.get(Commitment, commitment_id).version
    empty = client.post(f"/framework/commitments/{commitment_id}", data={"csrf_token": token, "version": str(version), "text": ""})
    assert empty.status_code == 422
    fixed = client.post(f"/framework/commitments/{commitment_id}", data={"csrf_token": token, "version": str(version),
                                                                         "text": "Cijfers van EMM en IND, elk kwartaal", "reason": "Tekst uit de bron"})
    assert fixed.status_code == 303
    stale = client.post(f"/framework/commitments/{commitment_id}", data={"csrf_token": token, "version": str(version), "text": "Oud"})
    assert stale.status_code == 409 and "Iemand anders" in stale.text
    login_as(client, make_user("POL"))
    assert client.post("/framework/3.6/commitments", data={"csrf_token": token, "text": "X"}).status_code in (400, 403)


def test_a_target_names_the_document_that_set_it(api, db_session):
    coordinator = api("JENV", "coordinator")
    commitment = db_session.scalars(select(Commitment).order_by(Commitment.id)).first()
    letter = _post(coordinator, "/api/v1/sources", {"kind": "kamerbrief", "title": "Prioriteitenbrief 2026", "issued_on": "2026-01-15"}).get_json()
    set_ = _post(coordinator, f"/api/v1/commitments/{commitment.id}/targets", {"period": "2026", "value": 12, "unit": "onderzoeken",
                                                                             "direction": "at_least", "source": letter["key"]})
    assert set_.status_code == 201 and set_.get_json()["source"] == letter["key"]
    assert "Prioriteitenbrief 2026" in api("POL").get(f"/framework/commitments/{commitment.id}").get_data(as_text=True)
    unknown = _post(coordinator, f"/api/v1/commitments/{commitment.id}/targets", {"period": "2027", "value": 1, "unit": "x", "source": "nope"})
    assert unknown.status_code == 422 and "source" in unknown.get_json()["error"]["fields"]


def test_a_figure_carries_a_breakdown_that_adds_up_or_says_why_not(api, db_session):
    coordinator = api("JENV", "coordinator")
    assert _post(coordinator, "/api/v1/indicators", {"key": "slachtoffers-herkomst", "title": "Slachtoffers naar herkomst", "unit": "aantal",
                                                     "owner_organisation": "JENV", "visibility": "public"}).status_code == 201
    url = "/api/v1/indicators/slachtoffers-herkomst/measurements"
    # The Doorlichting's "2007 270 446 716": Dutch and non-Dutch add up to the total.
    added = _post(coordinator, url, {"period": "2007", "value": 716, "breakdown": [{"category": "Nederlands", "value": 270},
                                                                                {"category": "Niet-Nederlands", "value": 446}]})
    assert added.status_code == 201, added.get_json()
    figure = next(m for m in added.get_json()["measurements"] if m["period"] == "2007")
    assert figure["breakdown"] == [{"category": "Nederlands", "value": 270}, {"category": "Niet-Nederlands", "value": 446}]
    # Parts that do not add up need a reason; with it they are kept as given.
    wrong = _post(coordinator, url, {"period": "2008", "value": 826, "breakdown": [{"category": "Nederlands", "value": 300}]})
    assert wrong.status_code == 422 and "breakdown_note" in wrong.get_json()["error"]["fields"]
    explained = _post(coordinator, url, {"period": "2008", "value": 826, "breakdown": [{"category": "Nederlands", "value": 300}],
                                         "breakdown_note": "Van de overige slachtoffers is de herkomst niet geregistreerd."})
    assert explained.status_code == 201
    twice = _post(coordinator, url, {"period": "2009", "value": 2, "breakdown": [{"category": "A", "value": 1}, {"category": "a", "value": 1}]})
    assert twice.status_code == 422 and "breakdown" in twice.get_json()["error"]["fields"]
    page = api("POL").get("/indicators/slachtoffers-herkomst").get_data(as_text=True)
    assert "Verdeling:" in page and "Niet-Nederlands 446" in page


def test_extern_organisations_issue_produce_and_are_addressed_but_never_take_part(api, db_session, client, login_as, make_user):
    """The Inspectie, the Nationaal Rapporteur, Defensie...: named as issuer, producer or addressee; never an owner, a share,
    an invitee, an indicator's owner or a target's organisation, never in those choices, and nobody signs in as one."""
    import pytest as _pytest

    from portal.auth.oidc import LoginError
    from portal.auth.services import resolve_organisation
    from portal.config import OIDCProvider

    coordinator = api("JENV", "coordinator")
    codes = {o["code"]: o["kind"] for o in coordinator.get("/api/v1/organisations").get_json()}
    assert {codes[c] for c in ("INSPJENV", "NRM", "COMENSHA", "DEF", "RECHTSPRAAK", "TK")} == {"extern"} and codes["KMAR"] == "partner"
    source = _post(coordinator, "/api/v1/sources", {"kind": "inspectierapport", "title": "Grenstoezicht", "issued_by": "INSPJENV"})
    assert source.status_code == 201 and source.get_json()["issued_by"] == "INSPJENV"
    rec = _post(coordinator, "/api/v1/recommendations", {"source_id": source.get_json()["id"], "number": 1, "text": "Bereid militairen voor.",
                                                         "addressees": ["DEF"]})
    assert rec.status_code == 201 and rec.get_json()["addressees"] == ["DEF"]
    indicator = _post(coordinator, "/api/v1/indicators", {"key": "nrm-slachtoffers", "title": "Slachtoffers", "unit": "aantal",
                                                          "owner_organisation": "JENV", "producer_organisation": "NRM", "visibility": "public"})
    assert indicator.status_code == 201 and indicator.get_json()["producer_organisation"] == "NRM"
    # Never a participant, on any path.
    owned = _post(coordinator, "/api/v1/indicators", {"key": "nrm-eigen", "title": "X", "unit": "aantal", "owner_organisation": "NRM"})
    assert owned.status_code == 422 and "owner_organisation" in owned.get_json()["error"]["fields"]
    for field, value in (("owner_organisation", "NRM"), ("shared_with", ["DEF"]), ("contributing_organisations", ["TK"])):
        item = _post(coordinator, "/api/v1/action-items", {"title": "Actie", "due_date": "2026-12-31", field: value})
        assert item.status_code == 422 and field in item.get_json()["error"]["fields"], (field, item.get_json())
    meeting = _post(coordinator, "/api/v1/meetings", {"series": "MDT", "title": "Overleg", "starts_at": "2026-12-20T10:00:00+01:00",
                                                       "invited": ["KMAR", "INSPJENV"], "visibility": "mdt"})
    assert meeting.status_code == 422 and "invited" in meeting.get_json()["error"]["fields"]
    page = login_as(client, make_user("JENV", role="coordinator")).get("/actions/new").get_data(as_text=True)
    assert 'value="KMAR"' in page and 'value="NRM"' not in page and 'value="DEF"' not in page
    provider = OIDCProvider(name="nrm", label="NRM", issuer="https://idp.nrm.test", client_id="p", client_secret="s", organisation="NRM")
    with _pytest.raises(LoginError):
        resolve_organisation(db_session, provider, {"sub": "x"})


def test_the_pages_show_the_sources_own_words(app, loaded, make_user, login_as):
    """A coordinator sees, beside a recommendation, a commitment, a focus area, an indicator and a toezegging, the words
    of the document it rests on (the quote the data carries, stored by load-reference)."""
    import html

    from models import FocusArea, Indicator, ParliamentCommitment

    client = login_as(app.test_client(), make_user("JENV", role="coordinator"))
    rec = loaded.scalars(select(Recommendation).join(Recommendation.source).where(Source.key == "inspectie-2021", Recommendation.number == 1)).one()
    area = loaded.scalars(select(FocusArea).where(FocusArea.code == "3.1")).one()
    commitment = area.commitments[0]
    indicator = loaded.scalars(select(Indicator).where(Indicator.key == "slachtoffers-comensha")).one()
    promise = loaded.scalars(select(ParliamentCommitment).where(ParliamentCommitment.key == "toezegging-beleidskader-2022")).one()
    for url, quote in ((f"/recommendations/{rec.id}", rec.quote), (f"/framework/commitments/{commitment.id}", commitment.quote),
                       (f"/framework/{area.code}", area.quote), (f"/indicators/{indicator.key}", indicator.quote),
                       (f"/parliament/{promise.id}", promise.quote)):
        assert quote, url
        page = html.unescape(client.get(url).get_data(as_text=True))
        assert quote in page and "Zo staat het in de bron" in page, url
