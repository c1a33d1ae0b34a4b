"""The roll-ups count exactly the items their viewer may see: random items of every visibility, owner, share, status,
focus area and recommendation, and each viewer's figures compared with a count written out here with can_view.

The roll-ups are SQL aggregates shaped for their indexes (ix_action_items_rollup, the per-recommendation CTE); this
is what keeps a faster plan honest on both backends."""
from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import FINISHED, OPEN_STATUSES, STATUSES, ActionItem, ProgressUpdate, Recommendation
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
        area = rng.choice([*areas, None])
        # Due dates from last year to next year's January: late counts cross the years, months and days they are kept in.
        item = factories.item(session, owner.code, visibility, title=f"Actie {n}", status=rng.choice(STATUSES),
                              progress=rng.randrange(0, 101), focus_area=area,
                              commitment=rng.choice([None, *area.commitments]) if area is not None else None,
                              due_date=today() + timedelta(days=rng.randrange(-400, 60)) if rng.random() < 0.8 else None,
                              shared_with=rng.sample([o for o in orgs if o is not owner], rng.randrange(0, 3)))
        item.recommendations = rng.sample(recs, rng.randrange(0, 3))
        session.flush()
        for _ in range(rng.randrange(0, 3)):  # updates at random moments: the start page's newest 8 it may see
            session.add(ProgressUpdate(action_item_id=item.id, recorded_at=datetime.now(UTC) - timedelta(minutes=rng.randrange(0, 5000)),
                                       note=f"Stap {n}", status=item.status, progress=item.progress))
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
    for area_id, figures in summary["areas"].items():  # the commitments' weights
        weighed = [(float(i.commitment.weight) if i.commitment else 1.0, i) for i in seen if i.focus_area_id == area_id and i.status != "cancelled"]
        weight = sum(w for w, _i in weighed)
        assert figures["average_progress"] == (round(sum(w * i.progress for w, i in weighed) / weight) if weight else None)
        assert figures["share_done"] == (round(100 * sum(w for w, i in weighed if i.status == "done") / weight) if weight else None)

    for area_id in list(per_area)[:3]:  # an area's page: the late items first, each part by due date, cut at the limit
        in_area = [i for i in seen if i.focus_area_id == area_id]
        expected = sorted(in_area, key=lambda i: (i not in late, i.due_date is None, i.due_date or date.min, i.id))[:7]
        assert [i.id for i in rollup.area_items(loaded, viewer, area_id, today(), limit=7)] == [i.id for i in expected]

    per_rec = Counter(r.id for i in seen for r in i.recommendations)
    states = {r["id"]: r["items"] for r in rollup.recommendations(loaded, viewer)}
    assert {k: v for k, v in states.items() if v} == dict(per_rec)

    board = dashboard.dashboard(viewer, today())
    assert board["total"] == len(seen) and board["overdue_count"] == len(late)
    # The lists' statement is built once per scope and reused: each viewer's lists are exactly its own, in order.
    def first(chosen, n=10):
        return [i.id for i in sorted(chosen, key=lambda i: (i.due_date is None, i.due_date or date.min, i.id))[:n]]

    unfinished = [i for i in seen if i.status in OPEN_STATUSES]
    assert [i.id for i in board["mine"]] == first(i for i in unfinished if i.owner_organisation_id == viewer.organisation_id)
    assert [i.id for i in board["overdue"]] == first(late)
    assert [i.id for i in board["soon"]] == first(i for i in unfinished if i.due_date and today() <= i.due_date <= today() + timedelta(days=14))
    updates = loaded.scalars(select(ProgressUpdate).where(ProgressUpdate.action_item_id.in_([i.id for i in seen]))
                             .order_by(ProgressUpdate.recorded_at.desc(), ProgressUpdate.id.desc()).limit(8)).all()
    assert [u.id for u, _title in board["recent"]] == [u.id for u in updates]
    _items, listed = queries.page_of(viewer, queries.Filters(), 1, 10)
    assert listed == len(seen)
    # The lists' totals: from the tallies where they hold the filters, else counted; the same either way.
    for filters, expected in ((queries.Filters(status=queries.UNFINISHED, overdue=True), late),
                              (queries.Filters(overdue=True, organisation="KMAR"), [i for i in late if i.owner_organisation.code == "KMAR"]),
                              (queries.Filters(status="blocked", overdue=True), [i for i in late if i.status == "blocked"]),
                              (queries.Filters(status="done"), [i for i in seen if i.status == "done"])):
        assert queries.page_of(viewer, filters, 1, 10)[1] == len(expected), filters


def _data(item, **change) -> dict:
    data = {"title": item.title, "description": item.description or "", "visibility": item.visibility,
            "owner_organisation": item.owner_organisation.code, "focus_area": item.focus_area.code if item.focus_area else "",
            "due_date": item.due_date, "shared_with": [o.code for o in item.shared_with]}
    return {**data, **change}


def test_tallies_follow_every_write(cached_app, loaded, make_user):
    """The tallies are kept by triggers. Random writes through the services by members of every organisation — new
    items with shares and recommendations, changes of visibility, shares, focus area, due date and recommendations,
    progress, closures, cancellations, deletions, and changes of a commitment's weight — each committed; after each, every viewer's figures equal the count
    over what it may see, and a recount over the items finds no difference. With the shared cache: the figures read
    from the tallies are cached per visibility scope, and every write invalidates what it changed."""
    from portal.actions import services, tallies

    rng = random.Random(3)
    viewers, _items = _world(loaded, make_user, 5)
    writers = [v for v in viewers if v.organisation.is_mdt_member]
    areas = [a.code for a in current_areas(loaded)]
    recs = [r.id for r in loaded.scalars(select(Recommendation).order_by(Recommendation.id).limit(8))]
    with cached_app.app_context():
        loaded.commit()

    def check_all() -> None:
        loaded.expire_all()
        assert tallies.recount(loaded) == []
        items = loaded.scalars(select(ActionItem)).all()
        for viewer in viewers:
            with cached_app.test_request_context():
                _check(loaded, viewer, items)

    check_all()
    kinds = ("create", "visibility", "move", "progress", "closure", "cancel", "delete", "weight")
    commitments = [c for a in current_areas(loaded) for c in a.commitments]
    for step in range(40):
        actor = rng.choice(writers)
        own = list(loaded.scalars(select(ActionItem).where(ActionItem.owner_organisation_id == actor.organisation_id,
                                                            ActionItem.status.in_(("open", "in_progress")))))
        others = [o.code for o in (v.organisation for v in viewers) if o.id != actor.organisation_id]
        with cached_app.app_context():
            kind = rng.choice(kinds) if own else "create"
            item = rng.choice(own) if own else None
            if kind == "create":
                services.create_item(loaded, actor, {"title": f"Nieuw {step}", "visibility": rng.choice(("organisation", "partners", "mdt", "public")),
                                                     "owner_organisation": actor.organisation.code, "focus_area": rng.choice(areas),
                                                     "due_date": today() + timedelta(days=rng.randrange(-10, 10)),
                                                     "shared_with": rng.sample(others, 2), "recommendation_ids": rng.sample(recs, 2)})
            elif kind == "visibility":
                services.update_item(loaded, actor, item, item.version, _data(item, visibility=rng.choice(("organisation", "partners", "mdt", "public")),
                                                                            shared_with=rng.sample(others, rng.randrange(1, 3))))
            elif kind == "move":
                services.update_item(loaded, actor, item, item.version, _data(
                    item, focus_area=rng.choice(["", *areas]), due_date=rng.choice([None, today() + timedelta(days=rng.randrange(-20, 20))]),
                    recommendation_ids=rng.sample(recs, rng.randrange(0, 3)), shared_with=[o.code for o in item.shared_with] or rng.sample(others, 1)))
            elif kind == "progress":
                services.add_update(loaded, actor, item, item.version, f"Stap {step}", rng.choice(("in_progress", "blocked")), rng.randrange(1, 99))
            elif kind == "closure":
                services.request_closure(loaded, actor, item, item.version, "Klaar")
            elif kind == "cancel":
                services.cancel_item(loaded, actor, item, item.version, "Niet meer nodig")
            elif kind == "weight":
                rng.choice(commitments).weight = Decimal(rng.randrange(1, 40)) / 4
            else:
                loaded.delete(item)
            loaded.commit()
        check_all()


def test_recount_finds_and_repairs_a_planted_difference(app, loaded, make_user):
    """A tally changed behind the triggers' back is found by `recount-tallies` (exit 1, the row named), and --repair
    makes the tallies equal to the count again."""
    from sqlalchemy import update

    from models import item_tallies
    from portal.actions import tallies

    _world(loaded, make_user, 7)
    loaded.commit()
    assert tallies.recount(loaded) == []
    row = loaded.execute(select(item_tallies).where(item_tallies.c.n > 0).limit(1)).one()
    loaded.execute(update(item_tallies).where(*(c == row._mapping[c.name] for c in item_tallies.c if c.primary_key)).values(n=row.n + 2))
    loaded.commit()

    runner = app.test_cli_runner()
    found = runner.invoke(args=["portal", "recount-tallies"])
    assert found.exit_code == 1, found.output
    assert f"item_tallies ({row.owner_organisation_id}, '{row.visibility}'" in found.output
    assert f"opgeslagen {row.n + 2}, {row.progress}, " in found.output and f"geteld {row.n}, {row.progress}, " in found.output

    repaired = runner.invoke(args=["portal", "recount-tallies", "--repair"])
    assert repaired.exit_code == 0 and "1 verschil(len) hersteld" in repaired.output, repaired.output
    loaded.expire_all()
    assert tallies.recount(loaded) == []
    assert runner.invoke(args=["portal", "recount-tallies"]).exit_code == 0


def test_a_new_organisations_items_count_at_once(cached_app, loaded, make_user):
    """An organisation that did not exist when the tallies were filled: its items are in every total at once."""
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


def test_repair_empties_a_tally_that_should_hold_nothing(app, loaded):
    """Without an item linked to a recommendation, a stray row in recommendation_tallies is found and repaired to none."""
    from sqlalchemy import delete, insert

    from models import action_item_recommendations, recommendation_tallies
    from portal.actions import tallies

    loaded.execute(delete(action_item_recommendations))
    loaded.execute(insert(recommendation_tallies).values(recommendation_id=1, owner_organisation_id=1, visibility="mdt", status="open",
                                                         audience_id=0, n=3))
    assert [d.table for d in tallies.recount(loaded)] == ["recommendation_tallies"]
    assert [d.table for d in tallies.recount(loaded, repair=True)] == ["recommendation_tallies"]
    assert tallies.recount(loaded) == []
    assert loaded.scalar(select(func.count()).select_from(recommendation_tallies).where(recommendation_tallies.c.n != 0)) == 0


def test_a_statement_built_once_is_built_per_scope_and_never_from_a_user(app, loaded, make_user):
    from portal.actions.tallies import _counts_statement
    from portal.visibility import scope

    kmar, ind = make_user("KMAR"), make_user("IND")
    with app.test_request_context():
        day = today()
        assert _counts_statement(scope(kmar), day, None) is _counts_statement(scope(make_user("KMAR")), day, None)
        assert _counts_statement(scope(kmar), day, None) is not _counts_statement(scope(ind), day, None)
        with pytest.raises(TypeError):
            _counts_statement(kmar, day, None)
