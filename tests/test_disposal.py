"""Disposal: only what an admin approved, recorded in the audit trail; refused without approval."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from models import ActionItem, AuditEvent, DisposalList, Meeting, Report
from portal.actions.permissions import visible_clause


def test_disposal_is_refused_without_approval_and_carried_out_after(cached_app, loaded, make_user, login_as):
    from portal import demo_content
    from portal.i18n import today

    demo_content.load(loaded, today(), {})
    long_ago = datetime(2010, 1, 1, tzinfo=UTC)
    loaded.execute(update(ActionItem).where(ActionItem.status.in_(("done", "cancelled"))).values(updated_at=long_ago))
    loaded.execute(update(Report).values(created_at=long_ago))
    loaded.commit()
    closed = loaded.scalar(select(func.count()).select_from(ActionItem).where(ActionItem.status.in_(("done", "cancelled"))))
    open_items = loaded.scalar(select(func.count()).select_from(ActionItem)) - closed
    app = cached_app  # with the shared cache: the disposal must empty what it held
    runner = app.test_cli_runner()
    proposed = runner.invoke(args=["portal", "disposal-propose", "--before", (today() + timedelta(days=1)).isoformat()])
    assert proposed.exit_code == 0, proposed.output
    proposal = loaded.scalars(select(DisposalList)).one()
    assert {r["kind"] for r in proposal.records} == {"action_item", "report"} and proposal.status == "proposed"

    refused = runner.invoke(args=["portal", "dispose", str(proposal.id)])
    assert refused.exit_code != 0 and "niet goedgekeurd" in refused.output
    assert loaded.scalar(select(func.count()).select_from(ActionItem)) == open_items + closed  # nothing deleted

    coordinator = login_as(app.test_client(), make_user("JENV", role="coordinator"))
    assert coordinator.get("/admin/records").status_code == 403
    admin_user = make_user("JENV", role="admin")
    admin = login_as(app.test_client(), admin_user)
    page = admin.get("/admin/records").get_data(as_text=True)
    assert f"Lijst {proposal.id}" in page and "action_item" in page
    for item in loaded.scalars(select(ActionItem).where(ActionItem.status == "done")):
        assert item.title not in page  # the admin approves a list, not content
    csrf = admin.get("/api/v1/me").get_json()["csrf_token"]
    assert admin.post(f"/admin/records/{proposal.id}/approve", data={"csrf_token": csrf}).status_code == 303
    listed = admin.get("/api/v1/action-items").get_json()["total"]  # cached now
    done = runner.invoke(args=["portal", "dispose", str(proposal.id)])
    assert done.exit_code == 0, done.output
    loaded.expire_all()
    assert loaded.scalar(select(func.count()).select_from(ActionItem)) == open_items
    visible_now = loaded.scalar(select(func.count()).select_from(ActionItem).where(visible_clause(admin_user)))
    assert visible_now < listed and admin.get("/api/v1/action-items").get_json()["total"] == visible_now
    # The bulk delete went past the ORM; the tallies' triggers saw every row of it (the list total above reads them).
    from portal.actions import tallies

    assert tallies.recount(loaded) == []
    assert loaded.scalar(select(func.count()).select_from(Report)) == 0
    assert loaded.scalar(select(func.count()).select_from(Meeting)) == 3  # not past their term: kept
    actions = [e.action for e in loaded.scalars(select(AuditEvent).where(AuditEvent.action.startswith("records.")).order_by(AuditEvent.id))]
    assert actions == ["records.disposal_proposed", "records.disposal_approved", "records.disposed"]
    again = runner.invoke(args=["portal", "dispose", str(proposal.id)])
    assert again.exit_code != 0  # an executed list is not carried out twice
