"""The reference data loader: counts, idempotence, in-place updates and refusal of bad files."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import (
    AuditEvent,
    Commitment,
    FocusArea,
    Indicator,
    Measurement,
    Organisation,
    Recommendation,
    Source,
)
from portal import reference

SHIPPED = reference.DEFAULT_PATH
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "mdt-mensensmokkel.yaml"


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def table_counts(session) -> dict[str, int]:
    return {m.__name__: count(session, m) for m in (Organisation, Source, FocusArea, Commitment, Recommendation, Indicator, Measurement)}


def test_shipped_copy_matches_shared_reference_data():
    if not SHARED.exists():
        pytest.skip("../shared is not next to this checkout")
    assert SHIPPED.read_bytes() == SHARED.read_bytes()


def test_load_gives_the_documented_counts(db_session):
    reference.load(db_session)
    counts = table_counts(db_session)
    assert counts["Organisation"] == 8
    assert counts["Source"] == 4
    assert counts["FocusArea"] == 7
    assert counts["Recommendation"] == 22
    assert counts["Indicator"] == 15
    # Every commitment of every focus area, in order.
    area = db_session.scalars(select(FocusArea).where(FocusArea.code == "3.6")).one()
    assert [c.position for c in area.commitments] == [1, 2, 3, 4, 5, 6]
    assert area.commitments[0].text.startswith("Dashboard mensensmokkel")
    caribbean = db_session.scalars(select(FocusArea).where(FocusArea.code == "4")).one()
    assert caribbean.commitments == []
    assert counts["Commitment"] == 5 + 5 + 1 + 2 + 4 + 6


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
    assert rec.addressee.code == "JENV"
    assert [a.code for a in rec.focus_areas] == ["3.1"]
    unknown = db_session.scalars(
        select(Recommendation).join(Source).where(Source.key == "kamerbrief-2016", Recommendation.number == 2)
    ).one()
    assert unknown.response == "onbekend"
    assert unknown.addressee.code == "EMM"


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
    text = text.replace("{2009: 154574, 2010: 142954, 2011: 127714}", "{2009: 154574, 2010: 142954, 2011: 127715}")
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
        ("number: 3, addressee: POL", "number: 2, addressee: POL", "number: 2, addressee: POL", "appears twice"),
        ("values: {2015: 217}", "values: {2015: veel}", "2015: veel", "is not a number"),
        ("start: 2023-01-01, end: 2026-12-31", "start: 2023-01-01, end: 2022-12-31", "end: 2022-12-31", "lies before"),
        ("response: overgenomen", "response: misschien", "response: misschien", "'response' must be one of"),
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
    path = _broken(tmp_path, "owner: OM,", "owner: ZZ,")
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
