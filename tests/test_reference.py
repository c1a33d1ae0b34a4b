"""The reference data loader: counts, idempotence, in-place updates and refusal of bad files."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import (
    AuditEvent,
    Commitment,
    FocusArea,
    Framework,
    Indicator,
    Measurement,
    Organisation,
    Recommendation,
    Source,
)
from portal import reference

from conftest import empty_database

# These tests create organisations and load the reference data themselves.
database_url, app = empty_database()

SHIPPED = reference.DEFAULT_PATH
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "mdt-mensensmokkel.yaml"


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def table_counts(session) -> dict[str, int]:
    return {m.__name__: count(session, m) for m in (Organisation, Source, FocusArea, Commitment, Recommendation, Indicator, Measurement)}


def test_shipped_copy_keeps_every_organisation_and_source_of_the_shared_data():
    """The shipped copy is the shared data corrected per fidelity-review.md: nothing of the shared data's
    organisations, sources and indicators is lost, only corrected or added to."""
    if not SHARED.exists():
        pytest.skip("../shared is not next to this checkout")
    shared, shipped = reference.parse(SHARED), reference.parse(SHIPPED)
    assert {o["code"] for o in shared["organisations"]} == {o["code"] for o in shipped["organisations"] if o["kind"] == "partner"}
    assert {s["key"] for s in shared["sources"]} <= {s["key"] for s in shipped["sources"]}
    assert {i["key"] for i in shared["indicators"]} <= {i["key"] for i in shipped["indicators"]}


def test_load_gives_the_documented_counts(db_session):
    reference.load(db_session)
    counts = table_counts(db_session)
    assert counts["Organisation"] == 8 + 6  # the partners, and the extern issuers and producers the sources name
    assert counts["Source"] == 4
    assert counts["FocusArea"] == 6 + 3  # Caribisch Nederland is only announced (its number and content are on missing pages)
    assert counts["Recommendation"] == 22
    assert counts["Indicator"] == 15 + 6
    # Every commitment of every focus area, in order.
    area = db_session.scalars(select(FocusArea).join(Framework).where(Framework.key == "beleidskader-2023", FocusArea.code == "3.6")).one()
    assert [c.position for c in area.commitments] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert area.commitments[0].text.startswith("Dashboard mensensmokkel")
    framework = db_session.scalars(select(Framework).where(Framework.key == "beleidskader-2023")).one()
    assert "Caribisch Nederland" in framework.note and "aangenomen" in framework.note  # announced only; the period is assumed
    assert counts["Commitment"] == (5 + 6 + 1 + 2 + 4 + 8) + (6 + 5 + 4)


def test_every_published_figure_is_stored_and_not_available_stays_empty(db_session):
    reference.load(db_session)
    raw = reference.parse(SHIPPED)
    expected = sum(len(i["values"]) for i in raw["indicators"])
    assert count(db_session, Measurement) == expected
    gap = db_session.scalars(
        select(Measurement).join(Indicator).where(Indicator.key == "kmar-vervolgonderzoeken-afgerond", Measurement.period == "2009")
    ).one()
    assert gap.value is None
    hours = db_session.scalars(
        select(Measurement).join(Indicator).where(Indicator.key == "kmar-uren-migratiecriminaliteit", Measurement.period == "2011")
    ).one()
    assert hours.value == Decimal("127714")


def test_recommendation_details_are_loaded(db_session):
    reference.load(db_session)
    rec = db_session.scalars(
        select(Recommendation).join(Source).where(Source.key == "inspectie-2021", Recommendation.number == 11)
    ).one()
    assert rec.response == "overgenomen"
    assert [o.code for o in rec.addressees] == ["JENV"]
    # No source links recommendation 11 to a focus area (fidelity review, 4).
    assert rec.focus_areas == []
    measure = db_session.scalars(
        select(Recommendation).join(Source).where(Source.key == "kamerbrief-2016", Recommendation.number == 2)
    ).one()
    assert measure.response == "onbekend"
    assert measure.kind == "maatregel"
    assert [o.code for o in measure.addressees] == ["EMM"]


def test_loading_twice_changes_nothing(db_session):
    reference.load(db_session)
    before = table_counts(db_session)
    audits = count(db_session, AuditEvent)
    summary = reference.load(db_session)
    assert not summary.changed
    assert table_counts(db_session) == before
    assert count(db_session, AuditEvent) == audits


def test_changed_file_updates_in_place(db_session, tmp_path):
    reference.load(db_session)
    before = table_counts(db_session)
    text = SHIPPED.read_text(encoding="utf-8")
    text = text.replace("values: {2009: 154574, 2010: 142954, 2011: 127714}", "values: {2009: 154574, 2010: 142954, 2011: 127715}")
    text = text.replace("name: Politie,", "name: Nationale Politie,")
    changed = tmp_path / "changed.yaml"
    changed.write_text(text, encoding="utf-8")

    summary = reference.load(db_session, changed)

    assert summary.updated == {"organisations": 1, "measurements": 1}
    assert summary.created == {}
    assert table_counts(db_session) == before
    assert db_session.scalars(select(Organisation.name).where(Organisation.code == "POL")).one() == "Nationale Politie"


def _broken(tmp_path, old: str, new: str) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text, "the test's edit must apply to the shipped file"
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


@pytest.mark.parametrize(
    ("old", "new", "needle", "problem"),
    [
        ("{code: IND,  name:", "{code: IND,  nme:", "code: IND", "unknown field(s) nme"),
        ("addressee: EMM,", "addressee: XYZ,", "addressee: XYZ", "'addressee' 'XYZ' is not defined"),
        ("number: 3, kind: maatregel, addressee: POL", "number: 2, kind: maatregel, addressee: POL", "number: 2, kind: maatregel, addressee: POL",
         "appears twice"),
        ("values: {2015: 217}", "values: {2015: veel}", "key: om-instroom-mh", "is not a number"),
        ("start: 2023-01-01, end: 2026-12-31", "start: 2023-01-01, end: 2022-12-31", "end: 2022-12-31", "lies before"),
        ("{stance: overgenomen,", "{stance: misschien,", "stance: misschien", "'stance' must be one of"),
        ("due: medio 2022", "due: ooit 2022", "key: toezegging-beleidskader-2022", "'due'"),
        ("indicator: kmar-vervolgonderzoeken-afgerond", "indicator: bestaat-niet", "values: {2009: 8, 2010: 8, 2011: 8}", "is not defined"),
        ("    year: 2016\n", "    year: 2015\n", "key: kamerbrief-2016", "disagree"),
    ],
)
def test_bad_file_is_refused_with_line_and_nothing_stored(db_session, tmp_path, old, new, needle, problem):
    path = _broken(tmp_path, old, new)
    with pytest.raises(reference.ReferenceDataError) as info:
        reference.load(db_session, path)
    assert problem in str(info.value)
    assert info.value.line == _line_of(path, needle)
    assert str(info.value).startswith(f"{path}:{info.value.line}: ")
    assert count(db_session, Organisation) == 0


def test_yaml_syntax_error_reports_the_line(db_session, tmp_path):
    path = _broken(tmp_path, "  - {code: OM,   name: Openbaar Ministerie, mdt_member: true}", "  - {code: OM,   name: [Openbaar")
    with pytest.raises(reference.ReferenceDataError) as info:
        reference.load(db_session, path)
    assert info.value.line is not None and info.value.line >= _line_of(path, "code: OM")
    assert count(db_session, Organisation) == 0


def test_duplicate_key_is_refused(db_session, tmp_path):
    path = _broken(tmp_path, "  - key: inspectie-2021\n", "  - key: inspectie-2021\n    key: inspectie-2022\n")
    with pytest.raises(reference.ReferenceDataError) as info:
        reference.load(db_session, path)
    assert "duplicate key 'key'" in str(info.value)
    assert info.value.line == _line_of(path, "key: inspectie-2022")


def test_cli_refuses_bad_file_and_stores_nothing(app, db_session, tmp_path):
    path = _broken(tmp_path, "owner: OM\n", "owner: ZZ\n")
    result = app.test_cli_runner().invoke(args=["portal", "load-reference", str(path)])
    assert result.exit_code != 0
    assert f"{path}:" in result.output and "niets opgeslagen" in result.output
    assert count(db_session, Organisation) == 0


def test_cli_loads_and_then_reports_nothing_to_do(app, db_session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["portal", "load-reference"])
    assert first.exit_code == 0, first.output
    assert "nieuw: recommendations 22" in first.output
    second = runner.invoke(args=["portal", "load-reference"])
    assert second.exit_code == 0
    assert "niets gewijzigd" in second.output
    assert count(db_session, Recommendation) == 22


# -- what fidelity-review.md lists, read back from the database -------------------------------------------------

def _series(session, key: str) -> dict[str, Decimal | None]:
    return dict(session.execute(select(Measurement.period, Measurement.value).join(Indicator).where(Indicator.key == key)).all())


def test_corrected_reference_data_holds_what_the_review_lists(db_session):
    from models import CapacityLine, IndicatorDefinition, ParliamentCommitment, RecommendationResponse, Target, recommendation_links

    reference.load(db_session)
    doorlichting = db_session.scalars(select(Source).where(Source.key == "doorlichting-2012")).one()
    assert doorlichting.issuer == "Ministerie van Defensie" and doorlichting.issued_by == "DEF"  # 5: an extern organisation
    assert "afgeleid" in db_session.scalars(select(Source.note).where(Source.key == "inspectie-2021")).one()  # 6
    assert db_session.scalars(select(FocusArea).where(FocusArea.code == "4")).first() is None  # 2: no number the source lacks
    notes = dict(db_session.execute(select(FocusArea.code, FocusArea.note).join(Framework).where(Framework.key == "beleidskader-2023")).all())
    assert all(notes[code].startswith("Tekst onvolledig in de bron") for code in ("3.1", "3.2", "3.3", "3.5", "3.6"))
    letter = db_session.scalars(select(Source).where(Source.key == "kamerbrief-2016")).one()
    assert letter.reference is None and letter.issuer == "Minister van Veiligheid en Justitie" and "nr. 144" in letter.note
    assert db_session.scalars(select(ParliamentCommitment.status).where(ParliamentCommitment.kamerstuk == "34 300 VI, nr. 49")).one() == "open"
    rec6 = db_session.scalars(select(Recommendation).where(Recommendation.source_id == db_session.scalars(
        select(Source.id).where(Source.key == "doorlichting-2012")).one(), Recommendation.number == 6)).one()
    assert [o.code for o in rec6.addressees] == ["DEF"] and "uitzendgebieden" in rec6.text  # Defensie, an extern organisation
    upstream = db_session.scalars(select(Commitment).where(Commitment.text.like("%upstream%"))).one()
    assert "Plaats onzeker" in upstream.note  # 3
    producers = dict(db_session.execute(select(Indicator.key, Indicator.producer)).all())
    assert producers["slachtoffers-comensha"].startswith("Nationaal Rapporteur")  # 7
    assert producers["zm-afdoeningen-mh"].startswith("Rechtspraak")
    assert all(producers.values()), "every indicator names its producer"
    rec7 = db_session.scalars(select(Recommendation).join(Source).where(Source.key == "doorlichting-2012", Recommendation.number == 7)).one()
    assert "waar mogelijk" in rec7.text and "verruim" not in rec7.text  # 9

    # 10: responses for the Inspectie's recommendations 1-11, with the condition attached to 11
    responses = {n: t for n, t in db_session.execute(
        select(Recommendation.number, RecommendationResponse.text).join(RecommendationResponse)
        .join(Source, Source.id == Recommendation.source_id).where(Source.key == "inspectie-2021"))}
    assert sorted(responses) == list(range(1, 12))
    assert "meenemen in de verdere doorontwikkeling" in responses[1]
    assert "LIRC" in responses[8] and "zeven jaar" in responses[5] and "zeven jaar" in responses[7]
    assert "Defensie en Justitie en Veiligheid" in responses[10]
    assert "integrale ketenbenadering" in responses[11]
    rec11 = db_session.scalars(select(Recommendation).join(Source).where(Source.key == "inspectie-2021", Recommendation.number == 11)).one()
    assert "de KMar concrete en meetbare doelstellingen" in rec11.text
    assert db_session.execute(select(func.count()).select_from(recommendation_links)).scalar() == 1

    # 11: the Doorlichting's targets, per year
    targets = {(c.text, t.period): t.value for t, c in db_session.execute(select(Target, Commitment).join(Commitment))}
    assert targets[("Kleinere vervolgonderzoeken (Schiphol)", "2010")] == 8
    assert targets[("Préweegvoorstellen voor opsporingsonderzoeken (via EMM)", "2011")] == 25
    assert targets[("Opsporingsonderzoeken (niet Schiphol)", "2009")] == 14

    # 12: the missing series
    assert _series(db_session, "emm-preweegvoorstellen") == {"2009": 54, "2010": 73, "2011": 84}
    victims = _series(db_session, "slachtoffers-comensha")
    assert [victims[str(y)] for y in range(2007, 2012)] == [716, 826, 909, 993, 1222] and victims["2014"] == 1561
    assert _series(db_session, "asielaanvragen-afgehandeld")["2008"] == 13400
    assert _series(db_session, "oostgrens-meldingen-mh")["2010"] == 40
    assert _series(db_session, "om-technische-sepots-aandeel") == {"2015": 30}
    assert _series(db_session, "zm-vrijspraken-aandeel") == {"2015": 30}
    assert _series(db_session, "kmar-meldingen-slachtoffers-verandering") == {"2015": -46}

    # 13, 14: capacity and the budget's exclusion
    capacity = dict(db_session.execute(select(CapacityLine.key, CapacityLine.quantity)).all())
    assert capacity["kmar-liaisons"] == 12 and capacity["liaisonnetwerk-totaal"] == 35 and capacity["sluisteam-schiphol"] == 26
    assert capacity["extra-middelen-2017"] == 1000000 and capacity["structurele-middelen-2018"] == 2000000
    assert capacity["gecertificeerde-rechercheurs"] == 5
    budget = db_session.scalars(select(CapacityLine).where(CapacityLine.key == "budget-kmar-doorlichting-2012")).one()
    assert budget.quantity == 12700000 and "niet begrepen" in budget.description

    # 15, 16: caveats and the break in the series
    definitions = {i.key: i.definition for i in db_session.scalars(select(Indicator))}
    assert "zeer indicatief" in definitions["kmar-projectonderzoeken-ms"]
    assert "andere achtergrond" in definitions["mtv-incidenten-documenten"]
    mtv_2011 = db_session.scalars(select(Measurement.note).join(Indicator).where(Indicator.key == "mtv-incidenten-ms-mh",
                                                                                 Measurement.period == "2011")).one()
    assert "juridische basis" in mtv_2011
    versions = db_session.scalars(select(IndicatorDefinition).join(Indicator).where(Indicator.key == "slachtoffers-comensha")
                                  .order_by(IndicatorDefinition.version)).all()
    assert [(v.version, v.valid_from.year) for v in versions] == [(1, 2007), (2, 2015)] and "geringste" in versions[1].note

    # 17: the missing commitments
    texts = " ".join(db_session.scalars(select(Commitment.text)))
    assert "sociale media" in texts and "Frontex en Europol" in texts and "Synergie tussen mensensmokkel- en mensenhandelzaken" in texts

    # 19: toezeggingen and moties
    parliament = {p.key: p for p in db_session.scalars(select(ParliamentCommitment))}
    assert parliament["motie-voordewind-2015"].kamerstuk == "34 300 VI, nr. 49"
    assert parliament["toezegging-motie-segers"].kamerstuk == "30 176 en 28 638, nr. 34"
    assert parliament["toezegging-ao-2016-04-26"].status == "fulfilled"
    medio = parliament["toezegging-beleidskader-2022"]
    assert (medio.due_label, medio.due_start.isoformat(), medio.due_end.isoformat()) == ("medio 2022", "2022-05-01", "2022-08-31")
    assert parliament["toezegging-slachtoffers-2017"].due_start.isoformat() == "2017-01-01"


def test_reload_changes_no_user_work(db_session, tmp_path):
    """A reload (even of a changed file) leaves targets, responses, Parliament records and corrected figures as users left them."""
    from datetime import UTC, date, datetime

    from models import MeasurementCorrection, ParliamentCommitment, RecommendationResponse, Target

    reference.load(db_session)
    hours = db_session.scalars(select(Measurement).join(Indicator).where(Indicator.key == "kmar-uren-migratiecriminaliteit",
                                                                         Measurement.period == "2011")).one()
    db_session.add(MeasurementCorrection(measurement_id=hours.id, old_value=hours.value, new_value=Decimal("127000"), reason="herzien",
                                         corrected_at=datetime.now(UTC)))
    hours.value = Decimal("127000")
    toezegging = db_session.scalars(select(ParliamentCommitment).where(ParliamentCommitment.key == "toezegging-beleidskader-2022")).one()
    toezegging.status = "fulfilled"
    target = db_session.scalars(select(Target).where(Target.period == "2011", Target.value == 25)).one()
    db_session.add(Target(commitment_id=target.commitment_id, period="2011", period_start=target.period_start, period_end=target.period_end,
                          value=Decimal("30"), unit=target.unit, direction=target.direction, valid_from=date(2011, 6, 1), reason="bijgesteld",
                          recorded_at=datetime.now(UTC)))
    rec = db_session.scalars(select(Recommendation).join(Source).where(Source.key == "inspectie-2021", Recommendation.number == 10)).one()
    user_id = _a_user(db_session)
    db_session.add(RecommendationResponse(recommendation_id=rec.id, stance="deels", text="nieuw standpunt", recorded_by_id=user_id,
                                          recorded_at=datetime.now(UTC)))
    rec.response = "deels"
    db_session.flush()

    text = SHIPPED.read_text(encoding="utf-8").replace("2011: 127714}", "2011: 127999}")
    changed = tmp_path / "changed.yaml"
    changed.write_text(text, encoding="utf-8")
    reference.load(db_session, changed)
    db_session.expire_all()

    assert db_session.get(Measurement, hours.id).value == Decimal("127000")
    assert db_session.get(ParliamentCommitment, toezegging.id).status == "fulfilled"
    assert db_session.scalar(select(func.count()).select_from(Target).where(Target.commitment_id == target.commitment_id,
                                                                             Target.period == "2011")) == 2
    assert db_session.get(Recommendation, rec.id).response == "deels"


def _a_user(session) -> int:
    from models import User

    org = session.scalars(select(Organisation).where(Organisation.code == "JENV")).one()
    user = User(issuer="https://idp.example", subject="coord", name="C", email="c@example.nl", organisation_id=org.id, role="coordinator")
    session.add(user)
    session.flush()
    return user.id


SEEDS = Path(__file__).parent / "data" / "seeds"


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _facts(data: dict):
    """(what, the fact, the key of the document it comes from) for every fact the reference data states."""
    for fw in data["frameworks"]:
        for area in fw["focus_areas"]:
            yield f"focus area {area['code']}", area, fw["source"]
            for commitment in area["commitments"]:
                yield f"commitment {area['code']}: {commitment['text']}", commitment, fw["source"]
    for rec in data["recommendations"]:
        yield f"recommendation {rec['source']} {rec['number']}", rec, rec["source"]
    for indicator in data["indicators"]:
        yield f"indicator {indicator['key']}", indicator, indicator["source"]
        for year, figure in indicator["values"].items():  # a figure from another document quotes that one
            if figure["source"] and figure["source"] != indicator["source"]:
                yield f"indicator {indicator['key']} {year}", figure, figure["source"]
    for line in data["budget"]:
        yield f"budget {line['organisation']}", line, line["source"]
    for line in data["capacity"]:
        yield f"capacity {line['key']}", line, line["source"]
    for p in data["parliament"]:  # a motie or a toezegging made in the Kamer is sourced by its Kamerstuk
        yield f"parliament {p['key']}", p, p["source"] or (p["kamerstuk"] and "*")


def _documents() -> dict[str, str]:
    documents: dict[str, str] = {}
    for path in SEEDS.glob("*.txt"):
        key = path.name.split(".")[0]
        documents[key] = documents.get(key, "") + " " + _words(path.read_text(encoding="utf-8"))
    return documents


def _unfounded(data: dict, documents: dict[str, str]) -> tuple[list, list, list]:
    """(facts without a source, facts without a quote, quotes not found word for word in their document)."""
    facts = list(_facts(data))
    assert len(facts) > 90
    everything = " ".join(documents.values())
    unsourced = [what for what, _fact, source in facts if not source]
    unquoted = [what for what, fact, _source in facts if not fact.get("quote")]
    not_found = [what for what, fact, source in facts if fact.get("quote") and source
                 and _words(fact["quote"]) not in (everything if source == "*" else documents.get(source, ""))]
    return unsourced, unquoted, not_found


def test_every_reference_fact_quotes_its_source_word_for_word():
    """Every fact the shipped data states (focus areas, commitments and their targets, recommendations, figures, budget,
    capacity, the register) names its source and quotes it; the quote is found, word for word, in that document."""
    assert _unfounded(reference.parse(SHIPPED), _documents()) == ([], [], [])


def test_a_quote_that_is_not_in_its_source_is_found_out(tmp_path):
    """The check can fail: a quote changed by one word, or quoted from another document, is found out."""
    text = SHIPPED.read_text(encoding="utf-8").replace("Ik zal uw Kamer medio 2022 nader informeren", "Ik zal uw Kamer eind 2022 nader informeren")
    changed = tmp_path / "data.yaml"
    changed.write_text(text, encoding="utf-8")
    assert _unfounded(reference.parse(changed), _documents())[2] == ["parliament toezegging-beleidskader-2022"]
    documents = _documents()
    documents["doorlichting-2012"], documents["inspectie-2021"] = documents["inspectie-2021"], documents["doorlichting-2012"]
    assert "recommendation inspectie-2021 1" in _unfounded(reference.parse(SHIPPED), documents)[2]

