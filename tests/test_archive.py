"""The archive export: a folder per record (JSON metadata + PDF), a manifest whose checksums match, restricted records
only with their classification, nothing deleted."""
from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime, timedelta

from pypdf import PdfReader
from sqlalchemy import func, select, update

from models import ActionItem, AuditEvent, Meeting, Report


def test_archive_export_round_trip(app_with, loaded, tmp_path):
    from portal import demo_content
    from portal.i18n import today

    demo_content.load(loaded, today(), {})
    long_ago = datetime(2010, 1, 1, tzinfo=UTC)
    # Put the scenario's finished work past every retention term (the export reads the dates, not the calendar).
    loaded.execute(update(ActionItem).where(ActionItem.status.in_(("done", "cancelled"))).values(updated_at=long_ago))
    shift = datetime.now(UTC) - long_ago
    for meeting in loaded.scalars(select(Meeting)):
        meeting.starts_at = meeting.starts_at - shift
        meeting.ends_at = meeting.ends_at - shift if meeting.ends_at else None
    loaded.execute(update(Report).values(created_at=long_ago))
    loaded.commit()
    before = {m: loaded.scalar(select(func.count()).select_from(m)) for m in (ActionItem, Meeting, Report)}

    app = app_with()
    target = tmp_path / "archief"
    result = app.test_cli_runner().invoke(args=["portal", "archive-export", str(target), "--before", (today() + timedelta(days=1)).isoformat()])
    assert result.exit_code == 0, result.output
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["counts"]["items"] >= 1 and manifest["counts"]["meetings"] == 2 and manifest["counts"]["reports"] == 2
    for entry in manifest["files"]:
        body = (target / entry["path"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == entry["sha256"] and len(body) == entry["bytes"], entry["path"]
        if entry["path"].endswith(".pdf"):
            assert PdfReader(io.BytesIO(body)).pages, entry["path"]  # every PDF opens
    records = [json.loads((target / e["path"]).read_text()) for e in manifest["files"] if e["path"].endswith("record.json")]
    assert {r["kind"] for r in records} == {"action_item", "meeting", "report"}
    restricted = [r for r in records if r["kind"] == "meeting" and r["classification"]["restricted_minutes"]]
    assert restricted and restricted[0]["classification"]["present"]  # who may read the restricted minutes is on record
    for record in records:
        assert "visibility" in record["classification"] or "restricted" in record["classification"]
    # Nothing was deleted, and the export is on the trail.
    assert {m: loaded.scalar(select(func.count()).select_from(m)) for m in (ActionItem, Meeting, Report)} == before
    assert loaded.scalars(select(AuditEvent).where(AuditEvent.action == "records.exported")).first() is not None
    again = app.test_cli_runner().invoke(args=["portal", "archive-export", str(target), "--before", "2026-01-01"])
    assert again.exit_code != 0 and "niet leeg" in again.output


def test_retention_is_configured_in_toml_and_checked(tmp_path):
    import pytest

    from portal.config import ConfigError, load_settings

    good = tmp_path / "good.toml"
    good.write_text("[records]\nclosed_items_years = 5\naudit_events_years = 3\n")
    settings = load_settings({"PORTAL_CONFIG": str(good)})
    assert (settings.records.closed_items_years, settings.records.audit_events_years, settings.records.meetings_years) == (5, 3, 10)
    for text in ("[records]\nforever = 1\n", "[records]\nreports_years = 0\n", "[records]\nmeetings_years = \"tien\"\n"):
        bad = tmp_path / "bad.toml"
        bad.write_text(text)
        with pytest.raises(ConfigError):
            load_settings({"PORTAL_CONFIG": str(bad)})
