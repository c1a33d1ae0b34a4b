"""The audit log for admins: who did what, when, to which object, without the content an admin may not read."""
from __future__ import annotations

from sqlalchemy import select

from models import AuditEvent


def test_admin_reads_who_did_what_without_the_content(app, loaded, make_user, login_as):
    from portal.actions import services as actions

    kmar = make_user("KMAR")
    secret, _ = actions.create_item(loaded, kmar, {"title": "GEHEIM-TITEL-KMAR", "description": "GEHEIME-OMSCHRIJVING", "visibility": "organisation"})
    actions.add_update(loaded, kmar, secret, secret.version, "GEHEIME-VOORTGANG", "in_progress", 20)
    loaded.commit()
    prober = make_user("POL", name="Peter Prober")
    probing = login_as(app.test_client(), prober)
    for item_id in (secret.id, secret.id + 1000, secret.id + 2000):
        response = probing.get(f"/actions/{item_id}")
        assert response.status_code == 404
        response.close()  # the refusal is recorded once the response has gone out
    admin = login_as(app.test_client(), make_user("JENV", role="admin"))

    page = admin.get("/admin/audit").get_data(as_text=True)
    assert "action.created" in page and f"action_item {secret.id}" in page
    assert "Actie toegevoegd" in page and "Toegang geweigerd" in page  # events in words, the code beside them
    # The user filter lists people by name.
    assert f'<option value="{prober.id}">Peter Prober (POL)</option>' in page
    for content in ("GEHEIM-TITEL-KMAR", "GEHEIME-OMSCHRIJVING", "GEHEIME-VOORTGANG"):
        assert content not in page
    denials = page.split('id="weigeringen"', 1)[1].split('id="zoeken"', 1)[0]
    assert "Peter Prober" in denials and ">3<" in denials and ">3</td>" in denials
    csv = admin.get("/admin/audit.csv").get_data(as_text=True)
    assert "access.denied" in csv and "GEHEIM-TITEL-KMAR" not in csv and "GEHEIME-VOORTGANG" not in csv
    # Filters: per organisation, per kind of event, per object.
    only_pol = admin.get("/admin/audit?organisation=POL&action=access.").get_data(as_text=True)
    assert "access.denied" in only_pol and "action.created" not in only_pol
    per_object = admin.get(f"/admin/audit?entity_type=action_item&entity_id={secret.id}").get_data(as_text=True)
    assert "action.created" in per_object and "action.progress" in per_object
    assert "exists" not in per_object.split("<tbody>", 2)[-1] or "true" not in per_object.split("<tbody>", 2)[-1]
    # The export itself is on the trail.
    assert loaded.scalars(select(AuditEvent).where(AuditEvent.action == "audit.exported")).first() is not None


def test_only_admins_read_the_audit_log(app, loaded, make_user, login_as):
    for role in ("coordinator", "member", "reader"):
        client = login_as(app.test_client(), make_user("JENV", role=role))
        assert client.get("/admin/audit").status_code == 403
        assert client.get("/admin/audit.csv").status_code == 403


def test_account_events_show_their_values_and_bad_filters_are_ignored(app, loaded, make_user, login_as):
    admin_user = make_user("JENV", role="admin")
    target = make_user("KMAR")
    admin = login_as(app.test_client(), admin_user)
    csrf = admin.get("/api/v1/me").get_json()["csrf_token"]
    admin.post(f"/admin/users/{target.id}", data={"csrf_token": csrf, "role": "coordinator"})
    page = admin.get("/admin/audit?action=user.").get_data(as_text=True)
    assert "user.changed" in page and "role: [&#39;member&#39;, &#39;coordinator&#39;]" in page
    assert admin.get("/admin/audit?page=-1&actor=abc&from=gisteren&entity_id=12x").status_code == 200
    assert admin.get("/admin/audit?entity_id=99999999999").status_code == 400  # beyond an integer: refused at the edge
