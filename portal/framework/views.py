"""Read-only pages: the framework tree and the recommendations per source document."""
from __future__ import annotations

from collections import defaultdict
from itertools import groupby

from flask import render_template

from ..extensions import db
from . import bp, queries


@bp.get("/framework")
def overview():
    frameworks = db.session.scalars(queries.frameworks()).all()
    recs_by_area: dict[int, list] = defaultdict(list)
    for rec in db.session.scalars(queries.recommendations()).all():
        for area in rec.focus_areas:
            recs_by_area[area.id].append(rec)
    return render_template("framework/overview.html", frameworks=frameworks, recs_by_area=recs_by_area)


@bp.get("/recommendations")
def recommendations():
    recs = db.session.scalars(queries.recommendations()).all()
    groups = [(source, list(items)) for source, items in groupby(recs, key=lambda r: r.source)]
    return render_template("framework/recommendations.html", groups=groups, total=len(recs))
