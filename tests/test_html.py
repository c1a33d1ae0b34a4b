"""Valid HTML on every page: the Nu Html Checker (npm vnu-jar, on Debian's Java) reads every GET page of the portal, with
the demo scenario in it, as a coordinator and as a member; it reports no error. htmx is written as data-hx-* attributes."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from models import ActionItem, Indicator, Meeting, ParliamentCommitment, Recommendation, Report, User

from conftest import IN_CI, ROOT

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.mark.once("sqlite")  # the markup does not depend on the database
def test_every_page_is_valid_html(app, loaded, login_as, db_session, tmp_path):
    if shutil.which("java") is None or not VNU.exists():
        message = "java and node_modules/vnu-jar are needed for the HTML check (make test installs them)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from portal import demo_content
    from portal.i18n import today

    demo_content.load(db_session, today(), {})
    db_session.flush()
    values = {"item_id": str(db_session.scalars(select(ActionItem.id).order_by(ActionItem.id)).first()),
              "meeting_id": str(db_session.scalars(select(Meeting.id).order_by(Meeting.id)).first()),
              "report_id": str(db_session.scalars(select(Report.id).order_by(Report.id.desc())).first()),
              "rec_id": str(db_session.scalars(select(Recommendation.id).order_by(Recommendation.id)).first()),
              "pid": str(db_session.scalars(select(ParliamentCommitment.id).order_by(ParliamentCommitment.id)).first()),
              "key": "slachtoffers-comensha", "code": "3.1", "commitment_id": "1"}
    assert db_session.scalars(select(Indicator).where(Indicator.key == values["key"])).one()
    pages: list[Path] = []
    for subject in ("coordinator", "kmar"):
        user = db_session.scalars(select(User).where(User.subject == subject)).one()
        client = login_as(app.test_client(), user)
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static", "/auth/")) or any(a not in values for a in rule.arguments):
                continue
            url = re.sub(r"<(?:[a-z]+:)?(\w+)>", lambda m: values[m.group(1)], rule.rule)
            response = client.get(url)
            if response.status_code == 200 and response.mimetype == "text/html" and not url.endswith(("/rows", "/export.html")):
                page = tmp_path / f"{subject}{url.replace('/', '_')}.html"
                page.write_bytes(response.data)
                pages.append(page)
    assert len(pages) > 40
    checked = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, pages)],
                             capture_output=True, text=True, timeout=600)
    messages = json.loads(checked.stderr or checked.stdout or '{"messages": []}')["messages"]
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}" for m in messages if m.get("type") == "error"]
    assert errors == [], "\n".join(errors[:40])
