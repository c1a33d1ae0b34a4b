"""Rule 7 from the log of visibility changes (issue 29): a frozen report checks today's rule only for the items whose
visibility, owner or shares changed since it was frozen, so the log must hold every such change on both backends, and
a frozen row of an item taken away from a reader disappears for that reader however it was taken away."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, insert, select, update

from models import ActionItem, Organisation, Report, action_item_shares, utcnow, visibility_changes
from portal.actions import services as actions
from portal.i18n import today
from portal.reports import services as reports
from portal.reports import snapshot

from factories import current_areas


def _logged(session, item_id: int) -> int:
    return session.scalar(select(func.count()).select_from(visibility_changes).where(visibility_changes.c.action_item_id == item_id))


def _org(session, code: str) -> int:
    return session.scalars(select(Organisation.id).where(Organisation.code == code)).one()


def test_the_triggers_log_what_can_hide_an_item_and_nothing_else(loaded, people):
    item, _ = actions.create_item(loaded, people["kmar"], {"title": "Logboek", "visibility": "partners", "shared_with": ["IND"]})
    loaded.flush()
    assert _logged(loaded, item.id) == 0  # a new item and its new share hide nothing

    loaded.execute(update(ActionItem).where(ActionItem.id == item.id).values(title="Anders", progress=40, status="in_progress"))
    loaded.execute(insert(action_item_shares).values(action_item_id=item.id, organisation_id=_org(loaded, "POL")))
    assert _logged(loaded, item.id) == 0  # a title, progress, status or a share added widen nothing

    steps = [update(ActionItem).where(ActionItem.id == item.id).values(visibility="organisation"),
             update(ActionItem).where(ActionItem.id == item.id).values(visibility="organisation"),  # no change: not logged
             update(ActionItem).where(ActionItem.id == item.id).values(owner_organisation_id=_org(loaded, "POL")),
             delete(action_item_shares).where(action_item_shares.c.action_item_id == item.id, action_item_shares.c.organisation_id == _org(loaded, "IND"))]
    counts = []
    for step in steps:
        loaded.execute(step)
        counts.append(_logged(loaded, item.id))
    assert counts == [1, 1, 2, 3]


def test_hidden_ids_read_the_changes_since_a_day_before_the_freeze(loaded, people):
    item, _ = actions.create_item(loaded, people["kmar"], {"title": "Later beperkt", "visibility": "mdt"})
    loaded.flush()
    actions.update_item(loaded, people["kmar"], item, item.version, {"visibility": "organisation"})
    loaded.flush()
    now = utcnow()
    assert item.id in snapshot.hidden_ids(loaded, people["ind"], now)
    assert item.id in snapshot.hidden_ids(loaded, people["ind"], now + snapshot.CHANGE_MARGIN - timedelta(minutes=1))
    # A report frozen well after the change froze the item as it is now: its own frozen row decides.
    assert item.id not in snapshot.hidden_ids(loaded, people["ind"], now + snapshot.CHANGE_MARGIN + timedelta(minutes=1))
    assert item.id not in snapshot.hidden_ids(loaded, people["kmar"], now)  # the owner still sees it


def test_a_share_taken_away_after_the_freeze_hides_the_frozen_row(app, loaded, people, login_as):
    area = current_areas(loaded)[0]
    item, _ = actions.create_item(loaded, people["kmar"], {"title": "DEEL-WEG dossier", "focus_area": area.code, "visibility": "partners",
                                                           "shared_with": ["IND", "JENV"]})
    # Frozen by a JenV coordinator, whom it is shared with too: a report holds what its author may see.
    report = reports.create_report(loaded, people["coordinator"], "Met deel", today(), today())
    loaded.commit()
    ind = login_as(app.test_client(), people["ind"])
    paths = (f"/api/v1/reports/{report.id}", f"/reports/{report.id}/rows", f"/reports/{report.id}/rows?focus_area={area.code}")
    assert all("DEEL-WEG" in ind.get(path).get_data(as_text=True) for path in paths)  # frozen while shared with IND

    actions.update_item(loaded, people["kmar"], item, item.version, {"shared_with": ["JENV"]})
    loaded.commit()
    for path in paths:
        assert "DEEL-WEG" not in ind.get(path).get_data(as_text=True), path
    kmar = login_as(app.test_client(), people["kmar"])
    assert "DEEL-WEG" in kmar.get(f"/api/v1/reports/{report.id}").get_data(as_text=True)


def test_a_recommendations_page_counts_a_reports_rows_from_the_rows_written_with_it(app, loaded, people, login_as):
    """The recommendation page's "In rapportages" reads the rows written with each report, never its snapshot: for every
    viewer the same rows as the snapshot under rule 7, also after a share is taken away; a report without rows for the
    recommendation still lists it; a disposed report's rows go with it."""
    from models import Recommendation, report_recommendation_rows

    rec = loaded.scalars(select(Recommendation).order_by(Recommendation.id)).first()
    shared, _ = actions.create_item(loaded, people["kmar"], {"title": "Gedeeld", "visibility": "partners", "shared_with": ["IND", "JENV"],
                                                             "recommendation_ids": [rec.id]})
    for visibility in ("mdt", "public"):
        actions.create_item(loaded, people["kmar"], {"title": visibility, "visibility": visibility, "recommendation_ids": [rec.id]})
    report = reports.create_report(loaded, people["coordinator"], "Met aanbeveling", today(), today())
    loaded.commit()

    def counts() -> dict[str, tuple[int, int]]:
        """Per viewer: the rows counted for the page, and the snapshot's rows under rule 7 linked to the recommendation."""
        out = {}
        for name in ("kmar", "ind", "pol", "bz"):
            [(found, rows)] = [(r, rows) for r, rows in reports.reports_with_recommendation(loaded, people[name], rec.id) if r.id == report.id]
            frozen = [i for i in reports.visible_rows(loaded, found, people[name]) if rec.id in i["recommendation_ids"]]
            out[name] = (len(rows), len(frozen))
        return out

    assert counts() == {"kmar": (3, 3), "ind": (3, 3), "pol": (2, 2), "bz": (1, 1)}
    page = login_as(app.test_client(), people["pol"]).get(f"/recommendations/{rec.id}").get_data(as_text=True)
    assert "Met aanbeveling" in page and "2 acties" in page

    actions.update_item(loaded, people["kmar"], shared, shared.version, {"shared_with": ["JENV"]})
    loaded.commit()
    assert counts() == {"kmar": (3, 3), "ind": (2, 2), "pol": (2, 2), "bz": (1, 1)}

    other = loaded.scalars(select(Recommendation).where(Recommendation.id != rec.id).order_by(Recommendation.id)).first()
    assert [r.id for r, rows in reports.reports_with_recommendation(loaded, people["kmar"], other.id) if not rows] == [report.id]
    loaded.execute(delete(Report).where(Report.id == report.id))
    assert loaded.scalar(select(func.count()).select_from(report_recommendation_rows)) == 0
