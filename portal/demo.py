"""Synthetic, reproducible demo data on top of the reference data (generate-demo).

Bulk inserts with SQLAlchemy Core; the same seed gives the same data set.
"""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from models import (
    ActionItem,
    AgendaItem,
    Attendee,
    Comment,
    Commitment,
    Decision,
    FocusArea,
    Indicator,
    Measurement,
    Meeting,
    MeetingSeries,
    Minutes,
    Organisation,
    ProgressUpdate,
    Recommendation,
    User,
    action_item_recommendations,
    action_item_shares,
)

VERBS = ("Afstemmen", "Opstellen", "Uitvoeren", "Evalueren", "Versterken", "Borgen", "Inventariseren", "Organiseren")
TOPICS = ("informatie-uitwisseling", "opsporingscapaciteit", "grenstoezicht", "financieel onderzoek", "voorlichting in herkomstlanden",
          "samenwerking met Europol", "opleiding rechercheurs", "analysecapaciteit", "ketenstatistieken", "partnerlanden")
STATUSES = ("open", "in_progress", "in_progress", "blocked", "done", "cancelled")
VISIBILITIES = ("mdt", "mdt", "mdt", "public", "partners", "organisation")
BATCH = 5000


def _batches(session: Session, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(table), rows[start:start + BATCH])


def generate(session: Session, items: int, seed: int = 1) -> dict[str, int]:
    rng = random.Random(seed)
    orgs = session.scalars(select(Organisation).where(Organisation.taking_part()).order_by(Organisation.code)).all()
    if not orgs:
        raise ValueError("load the reference data first (flask portal load-reference)")
    areas = session.scalars(select(FocusArea).order_by(FocusArea.position)).all()
    commitments = {a.id: [c.id for c in session.scalars(select(Commitment).where(Commitment.focus_area_id == a.id))] for a in areas}
    recs = list(session.scalars(select(Recommendation.id)))
    start_id = (session.scalar(select(func.max(ActionItem.id))) or 0) + 1
    now = datetime.now(UTC)
    people, by_org = _people(session, orgs)
    meetings, meeting_start, counts = _meetings(session, rng, orgs, items, now)
    counts |= _items(session, rng, orgs, areas, commitments, recs, people, by_org, items, start_id, meetings, meeting_start, now)
    counts["measurements"] = _measurements(session, rng, now)
    if session.get_bind().dialect.name == "postgresql":
        # Explicit ids were inserted: move the sequences past them.
        for table in ("action_items", "meetings", "agenda_items"):
            session.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
    # Fresh statistics, so the planner sees the new sizes at once (autovacuum would take minutes).
    session.execute(text("ANALYZE"))
    return counts


def _people(session: Session, orgs) -> tuple[list, dict[int, list[int]]]:
    # Demo people: two members per organisation and a JenV coordinator (issuer "demo", never a real provider).
    users = []
    existing = {u.subject for u in session.scalars(select(User).where(User.issuer == "demo"))}
    for org in orgs:
        for n in range(2):
            subject = f"demo-{org.code.lower()}-{n}"
            if subject not in existing:
                users.append({"issuer": "demo", "subject": subject, "name": f"Demo {org.code} {n + 1}", "email": f"{subject}@demo.invalid",
                              "organisation_id": org.id, "role": "coordinator" if org.code == "JENV" and n == 0 else "member",
                              "locale": "nl", "is_active": True})
    if users:
        _batches(session, User.__table__, users)
    people = session.execute(select(User.id, User.organisation_id).where(User.issuer == "demo")).all()
    by_org: dict[int, list[int]] = {}
    for uid, org_id in people:
        by_org.setdefault(org_id, []).append(uid)
    return list(people), by_org


def _meetings(session: Session, rng: random.Random, orgs, items: int, now: datetime) -> tuple[int, int, dict[str, int]]:
    series = session.scalars(select(MeetingSeries).where(MeetingSeries.code == "MDT")).one()
    meeting_rows, agenda_rows, attendee_rows, minutes_rows, decision_rows = [], [], [], [], []
    meetings = max(items // 10, 1)
    meeting_start = (session.scalar(select(func.max(Meeting.id))) or 0) + 1
    agenda_start = (session.scalar(select(func.max(AgendaItem.id))) or 0) + 1
    decision_seq: dict[int, int] = {}
    for year, in session.execute(select(Decision.year).where(Decision.series_id == series.id).distinct()):
        decision_seq[year] = session.scalar(select(func.max(Decision.sequence)).where(Decision.series_id == series.id, Decision.year == year)) or 0
    jenv = next(o for o in orgs if o.code == "JENV")
    for m in range(meetings):
        meeting_id = meeting_start + m
        when = now - timedelta(days=14 * (meetings - m))
        meeting_rows.append({"id": meeting_id, "series_id": series.id, "title": f"MDT-overleg {when:%d-%m-%Y}", "starts_at": when,
                             "owner_organisation_id": jenv.id, "chair_organisation_id": jenv.id, "visibility": "mdt",
                             "minutes_status": "vastgesteld" if m < meetings - 1 else "concept", "version": 1, "is_online": m % 3 == 0,
                             "created_at": when, "updated_at": when})
        for org in orgs[:5]:
            attendee_rows.append({"meeting_id": meeting_id, "organisation_id": org.id, "attendance": rng.choice(("present", "present", "excused"))})
        for position in range(1, 5):
            agenda_id = agenda_start + m * 4 + position - 1
            agenda_rows.append({"id": agenda_id, "meeting_id": meeting_id, "position": position, "is_action_review": position == 1,
                                "title": "Actielijst vorige vergadering" if position == 1 else f"{rng.choice(VERBS)} {rng.choice(TOPICS)}"})
            minutes_rows.append({"agenda_item_id": agenda_id, "body": f"Besproken: {rng.choice(TOPICS)}.", "is_restricted": position == 4,
                                 "version": 1, "created_at": when, "updated_at": when})
        year = when.year
        decision_seq[year] = decision_seq.get(year, 0) + 1
        decision_rows.append({"series_id": series.id, "meeting_id": meeting_id, "agenda_item_id": agenda_start + m * 4 + 1, "year": year,
                              "sequence": decision_seq[year], "number": f"MDT-{year}-{decision_seq[year]:02d}",
                              "text": f"Het MDT besluit tot {rng.choice(TOPICS)}.", "created_at": when, "updated_at": when})
    for table, rows in ((Meeting.__table__, meeting_rows), (Attendee.__table__, attendee_rows), (AgendaItem.__table__, agenda_rows),
                        (Minutes.__table__, minutes_rows), (Decision.__table__, decision_rows)):
        _batches(session, table, rows)
    return meetings, meeting_start, {"meetings": len(meeting_rows), "decisions": len(decision_rows)}


def _items(session: Session, rng: random.Random, orgs, areas, commitments, recs, people, by_org, items: int, start_id: int,
           meetings: int, meeting_start: int, now: datetime) -> dict[str, int]:
    item_rows, update_rows, comment_rows, rec_links, shares = [], [], [], [], []
    for i in range(items):
        item_id = start_id + i
        org = rng.choice(orgs)
        area = rng.choice(areas)
        status = rng.choice(STATUSES)
        created = now - timedelta(days=rng.randint(30, 900))
        due = (created + timedelta(days=rng.randint(30, 500))).date()
        visibility = rng.choice(VISIBILITIES)
        progress = 100 if status == "done" else rng.randint(0, 90)
        author = rng.choice(by_org.get(org.id) or [people[0][0]])
        row = {"id": item_id, "title": f"{rng.choice(VERBS)} {rng.choice(TOPICS)} ({org.code} {i + 1})",
               "description": f"Actie binnen speerpunt {area.code}.", "focus_area_id": area.id,
               "commitment_id": rng.choice(commitments[area.id]) if commitments[area.id] and rng.random() < 0.6 else None,
               "meeting_id": meeting_start + (i % meetings) if rng.random() < 0.3 else None,
               "owner_organisation_id": org.id, "created_by_id": author, "due_date": due, "status": status, "progress": progress,
               "visibility": visibility, "version": 1, "created_at": created, "updated_at": created}
        item_rows.append({**row, **_closing(status)})
        if visibility == "partners":
            shares.append({"action_item_id": item_id, "organisation_id": rng.choice([o.id for o in orgs if o.id != org.id])})
        for rec in rng.sample(recs, k=rng.randint(0, 2)):
            rec_links.append({"action_item_id": item_id, "recommendation_id": rec})
        update_rows += _updates(rng, row, now)
        if rng.random() < 0.5:
            comment_rows.append({"action_item_id": item_id, "author_id": author, "body": f"Opmerking over {rng.choice(TOPICS)}.",
                                 "version": 1, "created_at": created, "updated_at": created})
    for table, rows in ((ActionItem.__table__, item_rows), (action_item_shares, shares), (action_item_recommendations, rec_links),
                        (ProgressUpdate.__table__, update_rows), (Comment.__table__, comment_rows)):
        _batches(session, table, rows)
    return {"items": len(item_rows), "updates": len(update_rows), "comments": len(comment_rows)}


def _closing(status: str) -> dict:
    return {"closure_state": "confirmed" if status == "done" else "none", "closing_note": "Afgerond." if status == "done" else None,
            "cancel_reason": "Niet meer nodig." if status == "cancelled" else None}


def _updates(rng: random.Random, item: dict, now: datetime) -> list[dict]:
    """Five to fifteen updates (ten on average) spread from the item's creation to now, ending in its status."""
    count = rng.randint(5, 15)
    created, status = item["created_at"], item["status"]
    return [{"action_item_id": item["id"], "author_id": item["created_by_id"], "recorded_at": created + (now - created) * (n + 1) / (count + 1),
             "kind": "update", "note": f"Voortgang {n + 1}: {rng.choice(TOPICS)}.", "status": status if n == count - 1 else "in_progress",
             "progress": item["progress"] * (n + 1) // count, "due_date": item["due_date"]} for n in range(count)]


def _measurements(session: Session, rng: random.Random, now: datetime) -> int:
    measurement_rows = []
    for indicator in session.scalars(select(Indicator)):
        for quarter in range(1, 5):
            period = f"2025-Q{quarter}"
            if session.scalar(select(func.count()).select_from(Measurement).where(Measurement.indicator_id == indicator.id, Measurement.period == period)):
                continue
            first = 3 * quarter - 2
            end = date(2025, first + 2, 28) + timedelta(days=4)
            measurement_rows.append({"indicator_id": indicator.id, "period": period, "period_start": date(2025, first, 1),
                                     "period_end": end.replace(day=1) - timedelta(days=1), "value": rng.randint(10, 500),
                                     "source_text": "Synthetische demodata", "recorded_at": now})
    _batches(session, Measurement.__table__, measurement_rows)
    return len(measurement_rows)
