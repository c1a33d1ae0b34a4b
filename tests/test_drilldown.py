"""Every figure is one click from the rows behind it (issue #11): each linked count on the framework page, the
dashboard and a report opens a list of exactly that many rows, for a viewer who may not see everything."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from models import FocusArea
from portal.actions import services as actions
from portal.i18n import today
from portal.reports import services as reports

from factories import current_areas

FIGURE = re.compile(r'<a class="utrecht-link figure-link" href="([^"]+)">(\d+)<span')
COUNT = re.compile(r'<p id="aantal"[^>]*>(\d+) ')


def _world(session, make_user):
    areas = current_areas(session)[:3]
    kmar, ind, coordinator = make_user("KMAR"), make_user("IND"), make_user("JENV", role="coordinator")
    plan = [(kmar, "mdt", 0, -3), (kmar, "organisation", 0, -3), (kmar, "mdt", 1, 5), (ind, "mdt", 1, -1), (ind, "organisation", 2, 0),
            (kmar, "public", 2, None), (ind, "mdt", 0, 10), (kmar, "mdt", 2, -10)]
    made = []
    for n, (owner, visibility, area, due) in enumerate(plan):
        item, _ = actions.create_item(session, owner, {"title": f"Actie {n}", "visibility": visibility, "focus_area": areas[area].code,
                                                       "due_date": today() + timedelta(days=due) if due is not None else None})
        made.append(item)
    actions.add_update(session, kmar, made[2], made[2].version, "Bezig", "in_progress", 40)
    actions.add_update(session, ind, made[3], made[3].version, "Vast", "blocked", 10)
    actions.request_closure(session, kmar, made[0], made[0].version, "Klaar")
    actions.request_closure(session, kmar, made[7], made[7].version, "Klaar")
    actions.confirm_closure(session, coordinator, made[7], made[7].version)
    actions.cancel_item(session, ind, made[6], made[6].version, "Niet nodig")
    report = reports.create_report(session, coordinator, "Peiling", today(), today())
    session.commit()
    return ind, report


def test_every_linked_figure_opens_exactly_its_rows(app, loaded, make_user, login_as):
    viewer, report = _world(loaded, make_user)
    client = login_as(app.test_client(), viewer)
    checked = nonzero = 0
    for page in ("/framework", "/", f"/reports/{report.id}", *[f"/framework/{a.code}" for a in loaded.scalars(select(FocusArea))]):
        body = client.get(page).get_data(as_text=True)
        for href, figure in FIGURE.findall(body):
            listed = client.get(href.replace("&amp;", "&")).get_data(as_text=True)
            match = COUNT.search(listed)
            assert match, f"{href} (from {page}) shows no count"
            assert int(match.group(1)) == int(figure), f"{page}: {figure} links to {href} with {match.group(1)} rows"
            checked += 1
            nonzero += int(figure) > 0
    assert checked > 40 and nonzero >= 10
