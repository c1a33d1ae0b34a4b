"""Organisations kept by admins, with the effect shown before saving; a user's own sessions and tokens with "end all"."""
from __future__ import annotations

from sqlalchemy import select

from models import AccessToken, ActionItem, AuditEvent, Organisation


def _csrf(client):
    return client.get("/api/v1/me").get_json()["csrf_token"]


def test_leaving_the_mdt_shows_who_loses_what_first_and_is_audited(app, loaded, make_user, login_as):
    ind = loaded.scalars(select(Organisation).where(Organisation.code == "IND")).one()
    kmar = loaded.scalars(select(Organisation).where(Organisation.code == "KMAR")).one()
    loaded.add_all([ActionItem(title="MDT-breed", owner_organisation=kmar, visibility="mdt"),
                    ActionItem(title="Ook MDT", owner_organisation=kmar, visibility="mdt"),
                    ActionItem(title="Openbaar", owner_organisation=kmar, visibility="public")])
    ind_user = make_user("IND")
    loaded.commit()
    admin = login_as(app.test_client(), make_user("JENV", role="admin"))
    reader = login_as(app.test_client(), ind_user)
    assert "MDT-breed" in reader.get("/actions").get_data(as_text=True)

    preview = admin.post(f"/admin/organisations/{ind.id}", data={"csrf_token": _csrf(admin), "name": ind.name, "is_active": "1"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Gevolgen van deze wijziging voor IND" in html and "2 acties" in html
    loaded.refresh(ind)
    assert ind.is_mdt_member  # nothing saved before confirming
    done = admin.post(f"/admin/organisations/{ind.id}", data={"csrf_token": _csrf(admin), "name": ind.name, "is_active": "1", "confirm": "1"})
    assert done.status_code == 303
    loaded.refresh(ind)
    assert not ind.is_mdt_member
    event = loaded.scalars(select(AuditEvent).where(AuditEvent.action == "organisation.changed")).one()
    assert event.diff["before"]["mdt_member"] is True and event.diff["effect"]["items"] == 2
    assert "MDT-breed" not in reader.get("/actions").get_data(as_text=True)  # the rule follows at once
    assert "Openbaar" in reader.get("/actions").get_data(as_text=True)


def test_a_deactivated_organisation_is_signed_out_and_new_ones_are_checked(app, loaded, make_user, login_as):
    nla = loaded.scalars(select(Organisation).where(Organisation.code == "NLA")).one()
    user = make_user("NLA")
    loaded.commit()
    client = login_as(app.test_client(), user)
    assert client.get("/").status_code == 200
    admin = login_as(app.test_client(), make_user("JENV", role="admin"))
    preview = admin.post(f"/admin/organisations/{nla.id}", data={"csrf_token": _csrf(admin), "name": nla.name})
    assert "1 gebruiker wordt uitgelogd" in preview.get_data(as_text=True)
    admin.post(f"/admin/organisations/{nla.id}", data={"csrf_token": _csrf(admin), "name": nla.name, "confirm": "1"})
    assert client.get("/").status_code == 302  # the session is gone
    bad = admin.post("/admin/organisations", data={"csrf_token": _csrf(admin), "code": "k m", "name": ""})
    assert bad.status_code == 422 and "Een code is 2 tot 16" in bad.get_data(as_text=True)
    dup = admin.post("/admin/organisations", data={"csrf_token": _csrf(admin), "code": "KMAR", "name": "Nog een"})
    assert dup.status_code == 422
    new = admin.post("/admin/organisations", data={"csrf_token": _csrf(admin), "code": "CBS", "name": "Centraal Bureau voor de Statistiek",
                                                  "is_active": "1"})
    assert new.status_code == 303 and loaded.scalars(select(Organisation).where(Organisation.code == "CBS")).one().is_mdt_member is False
    member = login_as(app.test_client(), make_user("JENV", role="coordinator"))
    assert member.get("/admin/organisations").status_code == 403
    assert member.post(f"/admin/organisations/{nla.id}", data={"csrf_token": _csrf(member), "name": "x"}).status_code == 403


def test_a_user_sees_its_sessions_and_tokens_and_ends_them_all(app, loaded, make_user, login_as):
    user = make_user("KMAR")
    loaded.add(AccessToken(user_id=user.id, name="Script", prefix="mdt_abcd", token_hash="0" * 64))
    loaded.commit()
    first, second = login_as(app.test_client(), user), login_as(app.test_client(), user)
    first.get("/"), second.get("/")
    page = first.get("/account/sessions").get_data(as_text=True)
    assert page.count("<td>ja</td>") == 1 and "<td>nee</td>" in page
    ended = first.post("/account/sessions/end-all", data={"csrf_token": _csrf(first)})
    assert ended.status_code == 302 and ended.headers["Location"].endswith("/login")
    assert first.get("/").status_code == 302 and second.get("/").status_code == 302
    assert all(t.revoked_at is not None for t in loaded.scalars(select(AccessToken).where(AccessToken.user_id == user.id)))
    assert loaded.scalars(select(AuditEvent).where(AuditEvent.action == "session.ended_all")).one().diff["sessions"] >= 2


def test_admin_twins_in_the_api(api, loaded):
    admin, coordinator = api("JENV", role="admin"), api("JENV", role="coordinator")
    assert coordinator.get("/api/v1/users").status_code == 403
    users = admin.get("/api/v1/users").get_json()
    target = next(u for u in users if u["id"] == coordinator.user.id)
    changed = admin.patch(f"/api/v1/users/{target['id']}", json={"role": "member"}, headers=admin.headers)
    assert changed.status_code == 200 and changed.get_json()["role"] == "member"
    assert admin.patch(f"/api/v1/users/{target['id']}", json={"role": "koning"}, headers=admin.headers).status_code == 422
    assert admin.patch(f"/api/v1/users/{admin.user.id}", json={"role": "member"}, headers=admin.headers).status_code == 422  # not yourself
    assert admin.patch(f"/api/v1/users/{target['id']}", json={"is_active": "nee"}, headers=admin.headers).status_code == 422
    created = admin.post("/api/v1/organisations", json={"code": "CBS", "name": "Centraal Bureau voor de Statistiek", "kind": "extern"},
                         headers=admin.headers)
    assert created.status_code == 201 and created.get_json() == {"code": "CBS", "name": "Centraal Bureau voor de Statistiek",
                                                                 "mdt_member": False, "active": True, "kind": "extern"}
    refused = admin.post("/api/v1/organisations", json={"code": "CPB", "name": "CPB", "kind": "extern", "mdt_member": True}, headers=admin.headers)
    assert refused.status_code == 422 and "mdt_member" in refused.get_json()["error"]["fields"]
    leave = admin.patch("/api/v1/organisations/IND", json={"mdt_member": False}, headers=admin.headers)
    assert leave.status_code == 409 and "items" in leave.get_json()["effect"]
    loaded.refresh(loaded.scalars(select(Organisation).where(Organisation.code == "IND")).one())
    assert loaded.scalars(select(Organisation.is_mdt_member).where(Organisation.code == "IND")).one() is True
    done = admin.patch("/api/v1/organisations/IND", json={"mdt_member": False, "confirm": True}, headers=admin.headers)
    assert done.status_code == 200 and done.get_json()["mdt_member"] is False
    assert admin.patch("/api/v1/organisations/BESTAAT", json={"name": "x"}, headers=admin.headers).status_code == 404
