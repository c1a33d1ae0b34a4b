"""The roll-ups count exactly the items their viewer may see: random items of every visibility, owner, share, status,
focus area and recommendation, and each viewer's figures compared with a count written out here with can_view.

The roll-ups are SQL aggregates shaped for their indexes (ix_action_items_rollup, the per-recommendation CTE); this
is what keeps a faster plan honest on both backends."""
from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from models import FINISHED, STATUSES, ActionItem, Recommendation
from portal.actions import queries
from portal.actions.permissions import can_view
from portal.dashboard import queries as dashboard
from portal.framework import rollup
from portal.i18n import today

import factories
from factories import current_areas


def _world(session, make_user, seed: int):
    rng = random.Random(seed)
    viewers = [make_user(code) for code in ("KMAR", "POL", "IND", "JENV")]
    outside = factories.organisation(session, "BZ", name="Ministerie van Buitenlandse Zaken", is_mdt_member=False)
    viewers.append(make_user("BZ"))
    orgs = [v.organisation for v in viewers[:4]] + [outside]
    areas = current_areas(session)
    recs = session.scalars(select(Recommendation).order_by(Recommendation.id).limit(12)).all()
    for n in range(60):
        owner = rng.choice(orgs)
        visibility = rng.choice(("organisation", "partners", "mdt", "public"))
        item = factories.item(session, owner.code, visibility, title=f"Actie {n}", status=rng.choice(STATUSES),
                              progress=rng.randrange(0, 101), focus_area=rng.choice([*areas, None]),
                              due_date=today() + timedelta(days=rng.randrange(-30, 30)) if rng.random() < 0.8 else None,
                              shared_with=rng.sample([o for o in orgs if o is not owner], rng.randrange(0, 3)))
        item.recommendations = rng.sample(recs, rng.randrange(0, 3))
    session.flush()
    return viewers, session.scalars(select(ActionItem)).all()


def test_each_viewer_counts_exactly_what_it_may_see(app, loaded, make_user):
    for seed in (1, 2):
        viewers, items = _world(loaded, make_user, seed)
        assert any(i.visibility == "partners" and i.shared_with for i in items)
        for viewer in viewers:
            with app.test_request_context():
                _check(loaded, viewer, items)
        for item in items:
            loaded.delete(item)
        loaded.flush()


def _check(loaded, viewer, items) -> None:
    """One viewer's figures on every roll-up against a count over the items it may see."""
    seen = [i for i in items if can_view(viewer, i)]
    late = [i for i in seen if i.due_date and i.due_date < today() and i.status not in FINISHED]

    summary = rollup.summary(loaded, viewer, today())
    assert summary["total"] == len(seen), viewer.organisation.code
    assert summary["counts"] == {s: sum(i.status == s for i in seen) for s in STATUSES}
    assert summary["overdue"] == len(late)
    per_area = Counter(i.focus_area_id for i in seen)
    assert {a: v["total"] for a, v in summary["areas"].items()} == dict(per_area)

    per_rec = Counter(r.id for i in seen for r in i.recommendations)
    states = {r["id"]: r["items"] for r in rollup.recommendations(loaded, viewer)}
    assert {k: v for k, v in states.items() if v} == dict(per_rec)

    board = dashboard.dashboard(viewer, today())
    assert board["total"] == len(seen) and board["overdue_count"] == len(late)
    _items, listed = queries.page_of(viewer, queries.Filters(), 1, 10)
    assert listed == len(seen)


def _data(item, **change) -> dict:
    data = {"title": item.title, "description": item.description or "", "visibility": item.visibility,
            "owner_organisation": item.owner_organisation.code, "focus_area": item.focus_area.code if item.focus_area else "",
            "due_date": item.due_date, "shared_with": [o.code for o in item.shared_with]}
    return {**data, **change}


def test_cached_parts_follow_every_write(cached_app, loaded, make_user, redis_db):
    """With Redis the roll-ups and totals are cached in one part per owner organisation. Random writes through the
    services by members of every organisation — new items, visibility and share changes, progress, cancellations —
    each committed; after each, every viewer's figures equal the count over what it may see. And a write recounts
    only the writer's part: an organisation-only item of one owner leaves the other owners' parts as they were."""
    from portal.actions import services

    rng = random.Random(3)
    viewers, _items = _world(loaded, make_user, 5)
    writers = [v for v in viewers if v.organisation.is_mdt_member]
    areas = [a.code for a in current_areas(loaded)]
    with cached_app.app_context():
        loaded.commit()

    def check_all() -> None:
        loaded.expire_all()
        items = loaded.scalars(select(ActionItem)).all()
        for viewer in viewers:
            with cached_app.test_request_context():
                _check(loaded, viewer, items)

    check_all()
    for step in range(24):
        actor = rng.choice(writers)
        own = [i for i in loaded.scalars(select(ActionItem).where(ActionItem.owner_organisation_id == actor.organisation_id,
                                                                  ActionItem.status.in_(("open", "in_progress"))))]
        others = [o.code for o in (v.organisation for v in viewers) if o.id != actor.organisation_id]
        with cached_app.app_context():
            kind = rng.choice(("create", "visibility", "progress", "cancel")) if own else "create"
            item = rng.choice(own) if own else None
            if kind == "create":
                services.create_item(loaded, actor, {"title": f"Nieuw {step}", "visibility": rng.choice(("organisation", "partners", "mdt", "public")),
                                                     "owner_organisation": actor.organisation.code, "focus_area": rng.choice(areas),
                                                     "due_date": today() + timedelta(days=rng.randrange(-10, 10)),
                                                     "shared_with": rng.sample(others, 2)})
            elif kind == "visibility":
                services.update_item(loaded, actor, item, item.version, _data(item, visibility=rng.choice(("organisation", "partners", "mdt", "public")),
                                                                            shared_with=rng.sample(others, rng.randrange(0, 3))))
            elif kind == "progress":
                services.add_update(loaded, actor, item, item.version, f"Stap {step}", "in_progress", rng.randrange(1, 99))
            else:
                services.cancel_item(loaded, actor, item, item.version, "Niet meer nodig")
            loaded.commit()
        check_all()

    def parts() -> set[bytes]:
        return set(redis_db.scan_iter("portal:cache:rollup:*"))

    kmar, pol = viewers[0], viewers[1]
    before = parts()
    with cached_app.app_context():
        services.create_item(loaded, kmar, {"title": "Alleen KMar", "visibility": "organisation", "owner_organisation": "KMAR",
                                            "focus_area": areas[0], "due_date": None})
        loaded.commit()
    with cached_app.test_request_context():
        rollup.summary(loaded, pol, today())
    new = parts() - before
    assert new and all(key.endswith(f":owner{kmar.organisation_id}".encode()) for key in new), new


def test_a_new_organisations_items_count_at_once(cached_app, loaded, make_user):
    """The parts are per organisation, and a process keeps the list of organisations: a new one (which bumps `all`)
    is read again before the next count, so its items are in every total from the first request on."""
    from portal.actions import services

    viewer = make_user("KMAR")
    with cached_app.app_context():
        loaded.commit()
    with cached_app.test_request_context():
        before = rollup.summary(loaded, viewer, today())["total"]
    newcomer = make_user("NIEUW")  # not in the reference data
    with cached_app.app_context():
        loaded.commit()
        services.create_item(loaded, newcomer, {"title": "Van de nieuwe partner", "visibility": "public", "owner_organisation": "NIEUW",
                                                "focus_area": current_areas(loaded)[0].code, "due_date": None})
        loaded.commit()
    with cached_app.test_request_context():
        assert rollup.summary(loaded, viewer, today())["total"] == before + 1
