"""Loads the reference data (organisations, frameworks, recommendations, indicators, Parliament) idempotently.

The whole file is parsed and checked before anything is written, and the
writes happen in the caller's single transaction: a bad file stores nothing.

Reference rows are updated in place when the file changes. What users change in
the portal is never overwritten: targets, responses and commitments to Parliament
are seeded once (a reload leaves existing ones alone), a figure that was corrected
or entered in the portal keeps its value, an indicator keeps its visibility.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    ActionItem,
    AuditEvent,
    CapacityLine,
    Commitment,
    FocusArea,
    Framework,
    Indicator,
    IndicatorDefinition,
    Measurement,
    MeasurementCorrection,
    Organisation,
    ParliamentCommitment,
    Recommendation,
    RecommendationResponse,
    Source,
    Target,
    indicator_commitments,
    recommendation_focus_areas,
    recommendation_links,
)

from .reference_checks import ReferenceDataError
from .reference_file import parse

DEFAULT_PATH = Path(__file__).parent / "data" / "mdt-mensensmokkel.yaml"
__all__ = ["DEFAULT_PATH", "LoadSummary", "ReferenceDataError", "load", "parse"]  # the file's errors and parser, for callers


@dataclass
class LoadSummary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    # Where the file differs from what a coordinator corrected in the portal (kept as corrected).
    differences: list[str] = field(default_factory=list)

    def count(self, kind: str, created: bool, changed: bool) -> None:
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1
        elif changed:
            self.updated[kind] = self.updated.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _upsert(session: Session, summary: LoadSummary, kind: str, model, lookup: dict, values: dict):
    """Find by natural key, create or update in place; unchanged rows are not touched."""
    obj = session.scalars(select(model).filter_by(**lookup)).one_or_none()
    created = obj is None
    if created:
        obj = model(**lookup)
        session.add(obj)
    changed = False
    kept = not created and getattr(obj, "corrected_at", None) is not None
    for name, value in values.items():
        if created or getattr(obj, name) != value:
            if kept:
                summary.differences.append(f"{kind} {' '.join(f'{k}={v}' for k, v in lookup.items())}: {name}")
                continue
            setattr(obj, name, value)
            changed = True
    summary.count(kind, created, changed)
    return obj


def load(session: Session, path: Path = DEFAULT_PATH) -> LoadSummary:
    """Apply the reference file to the database in the caller's transaction."""
    data = parse(path)
    summary = LoadSummary()
    now = datetime.now(UTC)

    orgs = {
        o["code"]: _upsert(session, summary, "organisations", Organisation, {"code": o["code"]},
                           {"name": o["name"], "is_mdt_member": o["is_mdt_member"], "kind": o["kind"]})
        for o in data["organisations"]
    }
    session.flush()

    sources = {}
    for s in data["sources"]:
        issuer = orgs[s["issued_by"]].id if s["issued_by"] else None
        sources[s["key"]] = _upsert(session, summary, "sources", Source, {"key": s["key"]}, {
            "title": s["title"], "kind": s["kind"], "issued_on": s["issued_on"], "year": s["year"],
            "reference": s["reference"], "issuing_organisation_id": issuer, "issuer": s["issuer"], "url": s["url"], "note": s["note"],
        })
    session.flush()

    targets: list[tuple[Commitment, dict, date]] = []
    focus_areas: dict[str, FocusArea] = {}
    for index, fw in enumerate(data["frameworks"]):
        areas = _load_framework(session, summary, fw, sources, targets)
        if index == 0:
            focus_areas = areas
    session.flush()

    indicators = {}
    for i in data["indicators"]:
        indicators[i["key"]] = _load_indicator(session, summary, i, orgs, sources, focus_areas, now)
    session.flush()

    for commitment, t, valid_from in targets:
        _seed_target(session, summary, commitment, t, valid_from, orgs, indicators, now)
    session.flush()

    recs = {}
    for r in data["recommendations"]:
        recs[(r["source"], r["number"])] = _load_recommendation(session, summary, r, orgs, sources, focus_areas, now)
    session.flush()
    for r in data["recommendations"]:
        for ref in r["related"]:
            _link_recommendations(session, summary, recs[(r["source"], r["number"])].id, recs[ref].id)
    session.flush()

    _load_capacity(session, summary, data, orgs, sources)
    for p in data["parliament"]:
        _seed_parliament(session, summary, p, sources, orgs)
    session.flush()

    if summary.changed:
        session.add(AuditEvent(
            action="reference.load", entity_type="reference", at=now,
            diff={"file": path.name, "created": summary.created, "updated": summary.updated},
        ))
        session.flush()
    return summary


def _link_recommendations(session: Session, summary: LoadSummary, one: int, other: int) -> None:
    """Related recommendations, one link per pair (the lower id first)."""
    low, high = sorted((one, other))
    links = recommendation_links.c
    if low != high and session.execute(select(recommendation_links).where(links.recommendation_id == low,
                                                                          links.related_id == high)).first() is None:
        session.execute(recommendation_links.insert().values(recommendation_id=low, related_id=high))
        summary.count("recommendation_links", True, True)


def _load_capacity(session: Session, summary: LoadSummary, data: dict, orgs: dict, sources: dict) -> None:
    for b in data["budget"]:
        # A yearly budget is a capacity line in euro per year, one per organisation and source.
        _upsert(session, summary, "capacity_lines", CapacityLine, {"key": f"budget-{b['organisation'].lower()}-{b['source']}"}, {
            "organisation_id": orgs[b["organisation"]].id, "applies_to": "", "source_id": sources[b["source"]].id,
            "quantity": b["yearly_eur"], "unit": "euro per jaar", "period": "", "description": b["note"], "note": ""})
    for line in data["capacity"]:
        _upsert(session, summary, "capacity_lines", CapacityLine, {"key": line["key"]}, {
            "organisation_id": orgs[line["organisation"]].id if line["organisation"] else None, "applies_to": line["applies_to"],
            "source_id": sources[line["source"]].id, "quantity": line["quantity"], "unit": line["unit"], "period": line["period"],
            "description": line["description"], "note": line["note"]})


def _seed_parliament(session: Session, summary: LoadSummary, p: dict, sources: dict, orgs: dict) -> None:
    """A toezegging or motie is seeded once: what the register says after that is the coordinators' (only the source's
    words, when they were missing, are added)."""
    seeded = session.scalars(select(ParliamentCommitment).where(ParliamentCommitment.key == p["key"])).first()
    if seeded is not None:
        if seeded.quote is None and p["quote"]:
            seeded.quote = p["quote"]
            summary.count("parliament_commitments", False, True)
        return
    fulfilled_by = sources[p["fulfilled_by"]] if p["fulfilled_by"] else None
    session.add(ParliamentCommitment(
        key=p["key"], kind=p["kind"], kamerstuk=p["kamerstuk"], text=p["text"], made_on=p["made_on"], quote=p["quote"],
        source_id=sources[p["source"]].id if p["source"] else None, owner_organisation_id=orgs[p["owner"]].id if p["owner"] else None,
        due_label=p["due_label"], due_start=p["due_start"], due_end=p["due_end"], status=p["status"],
        closed_on=fulfilled_by.issued_on if fulfilled_by and p["status"] != "open" else None,
        fulfilled_by_source_id=fulfilled_by.id if fulfilled_by else None, fulfilled_note=p["fulfilled_note"]))
    summary.count("parliament_commitments", True, True)


def _load_framework(session: Session, summary: LoadSummary, fw: dict, sources: dict, targets: list) -> dict[str, FocusArea]:
    framework_source = sources.get(fw["source"]) if fw["source"] else None
    framework = _upsert(session, summary, "frameworks", Framework, {"key": fw["key"]}, {
        "title": fw["title"], "period_start": fw["period_start"], "period_end": fw["period_end"], "note": fw["note"],
        "source_id": framework_source.id if framework_source else None,
    })
    session.flush()
    focus_areas = {}
    for position, fa in enumerate(fw["focus_areas"], start=1):
        area = _upsert(session, summary, "focus_areas", FocusArea,
                       {"framework_id": framework.id, "code": fa["code"]},
                       {"title": fa["title"], "position": position, "note": fa["note"], "quote": fa["quote"]})
        session.flush()
        focus_areas[fa["code"]] = area
        for number, c in enumerate(fa["commitments"], start=1):
            commitment = _upsert(session, summary, "commitments", Commitment,
                                 {"focus_area_id": area.id, "position": number}, {"text": c["text"], "note": c["note"], "quote": c["quote"]})
            targets.extend((commitment, t, fw["period_start"]) for t in c["targets"])
        # Commitments dropped from the file go, unless work already hangs on them.
        stale = session.scalars(
            select(Commitment).where(
                Commitment.focus_area_id == area.id,
                Commitment.position > len(fa["commitments"]),
                Commitment.corrected_at.is_(None),  # entered or corrected in the portal: the coordinators'
                ~Commitment.id.in_(select(ActionItem.commitment_id).where(ActionItem.commitment_id.is_not(None))),
                ~Commitment.id.in_(select(Target.commitment_id)),
            )
        ).all()
        for commitment in stale:
            session.delete(commitment)
            summary.count("commitments_removed", True, True)
    return focus_areas


def _load_indicator(session: Session, summary: LoadSummary, i: dict, orgs: dict, sources: dict, focus_areas: dict,
                    now: datetime) -> Indicator:
    indicator = _upsert(session, summary, "indicators", Indicator, {"key": i["key"]}, {
        "title": i["title"], "unit": i["unit"], "definition": i["definition"], "producer": i["producer"], "quote": i["quote"],
        "owner_organisation_id": orgs[i["owner"]].id,
        "producer_organisation_id": orgs[i["producer_organisation"]].id if i["producer_organisation"] else None,
        "source_id": sources[i["source"]].id if i["source"] else None,
        "focus_area_id": focus_areas[i["focus_area"]].id if i["focus_area"] else None,
        "direction": i["direction"],
        "baseline_value": i["baseline_value"], "baseline_year": i["baseline_year"],
        "target_value": i["target_value"], "target_year": i["target_year"],
    })
    session.flush()
    for d in i["definitions"]:
        _upsert(session, summary, "indicator_definitions", IndicatorDefinition, {"indicator_id": indicator.id, "version": d["version"]},
                {"definition": d["text"], "valid_from": date(d["from"], 1, 1), "note": d["note"],
                 **({} if session.scalars(select(IndicatorDefinition.id).filter_by(indicator_id=indicator.id, version=d["version"])).first()
                    else {"recorded_at": now})})
    corrected = set(session.scalars(select(MeasurementCorrection.measurement_id).join(Measurement)
                                    .where(Measurement.indicator_id == indicator.id)))
    for year, figure in i["values"].items():
        existing = session.scalars(select(Measurement).filter_by(indicator_id=indicator.id, period=str(year))).one_or_none()
        if existing is not None and (existing.id in corrected or existing.entered_by_id is not None):
            continue  # a figure entered or corrected in the portal is the users' work
        source = sources[figure["source"]] if figure["source"] else indicator.source
        _upsert(session, summary, "measurements", Measurement,
                {"indicator_id": indicator.id, "period": str(year)},
                {"period_start": date(year, 1, 1), "period_end": date(year, 12, 31), "value": figure["value"],
                 "source_id": source.id if source else None, "note": figure["note"],
                 "recorded_at": _published(source) or (existing.recorded_at if existing else now)})
    return indicator


def _published(source: Source | None) -> datetime | None:
    """When a published figure became known: its document's date (else the end of its year). A peildatum before it does
    not count the figure; one after it does, whenever the figure was loaded."""
    if source is None:
        return None
    day = source.issued_on or (date(source.year, 12, 31) if source.year else None)
    return datetime.combine(day, time(12), tzinfo=UTC) if day else None


def _seed_target(session: Session, summary: LoadSummary, commitment: Commitment, t: dict, valid_from: date, orgs: dict,
                 indicators: dict, now: datetime) -> None:
    """Seeded once per commitment and period: later decisions are the coordinators' (new rows, with history)."""
    period = str(t["period"])
    if session.scalars(select(Target.id).where(Target.commitment_id == commitment.id, Target.period == period)).first() is not None:
        return
    indicator = indicators[t["indicator"]] if t["indicator"] else None
    session.add(Target(commitment_id=commitment.id, indicator_id=indicator.id if indicator else None,
                       organisation_id=orgs[t["organisation"]].id if t["organisation"] else None, period=period,
                       period_start=date(t["period"], 1, 1), period_end=date(t["period"], 12, 31), value=t["value"], unit=t["unit"],
                       direction=t["direction"], valid_from=valid_from, reason="Uit de referentiegegevens.", note=t["note"],
                       recorded_at=now))
    if indicator is not None and session.execute(select(indicator_commitments).where(
            indicator_commitments.c.indicator_id == indicator.id, indicator_commitments.c.commitment_id == commitment.id)).first() is None:
        session.execute(indicator_commitments.insert().values(indicator_id=indicator.id, commitment_id=commitment.id))
    summary.count("targets", True, True)


def _load_recommendation(session: Session, summary: LoadSummary, r: dict, orgs: dict, sources: dict, focus_areas: dict,
                         now: datetime) -> Recommendation:
    rec = session.scalars(select(Recommendation).filter_by(source_id=sources[r["source"]].id, number=r["number"])).one_or_none()
    responses = session.scalars(select(RecommendationResponse).where(RecommendationResponse.recommendation_id == rec.id)
                                .order_by(RecommendationResponse.id)).all() if rec else []
    seeded = bool(responses) and all(x.recorded_by_id is None for x in responses)
    values = {"text": r["text"], "kind": r["kind"], "quote": r["quote"]}
    if not responses or seeded:
        values["response"] = r["response"]["stance"]
    rec = _upsert(session, summary, "recommendations", Recommendation,
                  {"source_id": sources[r["source"]].id, "number": r["number"]}, values)
    session.flush()
    label = f"recommendations source={r['source']} number={r['number']}"
    _load_addressees(summary, rec, [orgs[r["addressee"]]] if r["addressee"] else [], label)
    _load_response(session, summary, rec, r["response"], responses, seeded, sources, now)
    _load_focus_links(session, summary, rec, {focus_areas[r["focus_area"]].id} if r["focus_area"] else set(), label)
    return rec


def _load_addressees(summary: LoadSummary, rec: Recommendation, wanted: list, label: str) -> None:
    """The file's addressee, until a coordinator corrected the recommendation (then only said when it differs)."""
    if {o.id for o in rec.addressees} == {o.id for o in wanted}:
        return
    if rec.corrected_at is None:
        rec.addressees = wanted
        summary.count("recommendation_addressees", False, True)
    else:
        summary.differences.append(f"{label}: addressees")


def _load_response(session: Session, summary: LoadSummary, rec: Recommendation, response: dict, responses: Sequence[RecommendationResponse],
                   seeded: bool, sources: dict, now: datetime) -> None:
    """The government's response from the file: added when there is none, updated while only the file ever gave one."""
    if not response["text"] and response["stance"] == "onbekend":
        return
    document = sources[response["document"]] if response.get("document") else None
    fields = {"stance": response["stance"], "text": response["text"], "responded_on": response.get("date"),
              "document_source_id": document.id if document else None}
    if not responses:
        session.add(RecommendationResponse(recommendation_id=rec.id, recorded_at=now, reason="Uit de referentiegegevens.", **fields))
        summary.count("recommendation_responses", True, True)
    elif seeded and any(getattr(responses[-1], k) != v for k, v in fields.items()):
        for k, v in fields.items():
            setattr(responses[-1], k, v)
        summary.count("recommendation_responses", False, True)


def _load_focus_links(session: Session, summary: LoadSummary, rec: Recommendation, wanted: set[int], label: str) -> None:
    """Links to focus areas: the file says which there are, until a coordinator corrected the recommendation."""
    links = recommendation_focus_areas.c
    current = set(session.scalars(select(links.focus_area_id).where(links.recommendation_id == rec.id)))
    if rec.corrected_at is not None:
        if wanted != current:
            summary.differences.append(f"{label}: focus_areas")
        return
    for area_id in wanted - current:
        session.execute(recommendation_focus_areas.insert().values(recommendation_id=rec.id, focus_area_id=area_id))
        summary.count("recommendation_focus_links", True, True)
    for area_id in current - wanted:
        session.execute(recommendation_focus_areas.delete().where(links.recommendation_id == rec.id, links.focus_area_id == area_id))
        summary.count("recommendation_focus_links_removed", True, True)
