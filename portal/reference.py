"""Loads the reference data (organisations, framework, recommendations, indicators) idempotently.

The whole file is parsed and checked before anything is written, and the
writes happen in the caller's single transaction: a bad file stores nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    DIRECTIONS,
    RESPONSES,
    SOURCE_KINDS,
    ActionItem,
    AuditEvent,
    BudgetLine,
    Commitment,
    FocusArea,
    Framework,
    Indicator,
    Measurement,
    Organisation,
    Recommendation,
    Source,
)

DEFAULT_PATH = Path(__file__).parent / "data" / "mdt-mensensmokkel.yaml"


class ReferenceDataError(Exception):
    def __init__(self, path: str, line: int | None, problem: str):
        self.path, self.line, self.problem = path, line, problem
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {problem}")


class _Map(dict):
    """A YAML mapping that remembers the line it started on."""

    line: int = 0


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Map:
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    mapping = _Map(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass
class LoadSummary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool, changed: bool) -> None:
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1
        elif changed:
            self.updated[kind] = self.updated.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


class _Checker:
    """Small typed accessors that turn every problem into file:line: message."""

    def __init__(self, path: str):
        self.path = path

    def fail(self, node, problem: str):
        raise ReferenceDataError(self.path, getattr(node, "line", None), problem)

    def mapping(self, node, what: str, allowed: set[str], required: set[str]) -> _Map:
        if not isinstance(node, dict):
            self.fail(node, f"{what}: expected a mapping")
        unknown = set(node) - allowed
        if unknown:
            self.fail(node, f"{what}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
        missing = required - set(node)
        if missing:
            self.fail(node, f"{what}: missing field(s) {', '.join(sorted(missing))}")
        return node

    def list(self, parent, key: str, what: str) -> list:
        value = parent.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(parent, f"{what}: '{key}' must be a list")
        return value

    def text(self, node, key: str, what: str, optional: bool = False, pattern: str | None = None) -> str | None:
        value = node.get(key)
        if value is None and optional:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.fail(node, f"{what}: '{key}' must be non-empty text")
        if pattern and not re.fullmatch(pattern, value):
            self.fail(node, f"{what}: '{key}' {value!r} does not match {pattern}")
        return value.strip()

    def integer(self, node, key: str, what: str, optional: bool = False, minimum: int | None = None) -> int | None:
        value = node.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(node, f"{what}: '{key}' must be a whole number")
        if minimum is not None and value < minimum:
            self.fail(node, f"{what}: '{key}' must be at least {minimum}")
        return value

    def day(self, node, key: str, what: str, optional: bool = False) -> date | None:
        value = node.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, date) or isinstance(value, datetime):
            self.fail(node, f"{what}: '{key}' must be a date (YYYY-MM-DD)")
        return value

    def number(self, node, value, what: str) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.fail(node, f"{what}: must be a number or empty")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(node, f"{what}: {value!r} is not a number")
        if not number.is_finite():
            self.fail(node, f"{what}: {value!r} is not a finite number")
        return number

    def choice(self, node, key: str, what: str, choices, optional: bool = True) -> str | None:
        value = node.get(key)
        if value is None and optional:
            return None
        if value not in choices:
            self.fail(node, f"{what}: '{key}' must be one of {', '.join(map(str, choices))}")
        return value

    def ref(self, node, key: str, what: str, known, optional: bool = False):
        value = node.get(key)
        if value is None and optional:
            return None
        if value not in known:
            self.fail(node, f"{what}: '{key}' {value!r} is not defined in this file")
        return value


def parse(path: Path) -> dict:
    """Read and check the file; returns plain validated data or raises ReferenceDataError."""
    name = str(path)
    doc = _read(path, name)
    c = _Checker(name)
    top = c.mapping(
        doc,
        "file",
        {"organisations", "sources", "framework", "recommendations", "indicators", "budget"},
        {"organisations", "sources", "framework", "recommendations", "indicators"},
    )
    orgs = _organisations(c, top)
    sources = _sources(c, top, orgs)
    framework, focus_areas = _framework(c, top)
    return {
        "organisations": list(orgs.values()),
        "sources": list(sources.values()),
        "framework": framework,
        "recommendations": _recommendations(c, top, orgs, sources, focus_areas),
        "indicators": _indicators(c, top, orgs, sources, focus_areas),
        "budget": _budget(c, top, orgs, sources),
    }


def _read(path: Path, name: str):
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReferenceDataError(name, None, f"cannot read file: {exc}") from exc
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ReferenceDataError(name, mark.line + 1 if mark else None, exc.problem or str(exc)) from exc
    except yaml.YAMLError as exc:
        raise ReferenceDataError(name, None, str(exc)) from exc


def _organisations(c: _Checker, top: dict) -> dict[str, dict]:
    orgs: dict[str, dict] = {}
    for node in c.list(top, "organisations", "organisations"):
        c.mapping(node, "organisation", {"code", "name", "mdt_member"}, {"code", "name"})
        code = c.text(node, "code", "organisation", pattern=r"[A-Z0-9]{2,16}")
        if code in orgs:
            c.fail(node, f"organisation: code {code} appears twice")
        member = node.get("mdt_member", False)
        if not isinstance(member, bool):
            c.fail(node, "organisation: 'mdt_member' must be true or false")
        orgs[code] = {"code": code, "name": c.text(node, "name", "organisation"), "is_mdt_member": member}
    return orgs


def _sources(c: _Checker, top: dict, orgs: dict) -> dict[str, dict]:
    sources: dict[str, dict] = {}
    for node in c.list(top, "sources", "sources"):
        c.mapping(node, "source", {"key", "title", "kind", "date", "year", "reference", "issued_by"}, {"key", "title", "kind"})
        key = c.text(node, "key", "source", pattern=r"[a-z0-9-]+")
        if key in sources:
            c.fail(node, f"source: key {key} appears twice")
        issued_on = c.day(node, "date", f"source {key}", optional=True)
        year = c.integer(node, "year", f"source {key}", optional=True, minimum=1900)
        if issued_on and year and issued_on.year != year:
            c.fail(node, f"source {key}: 'date' and 'year' disagree")
        sources[key] = {
            "key": key,
            "title": c.text(node, "title", f"source {key}"),
            "kind": c.choice(node, "kind", f"source {key}", SOURCE_KINDS, optional=False),
            "issued_on": issued_on,
            "year": year or (issued_on.year if issued_on else None),
            "reference": c.text(node, "reference", f"source {key}", optional=True),
            "issued_by": c.ref(node, "issued_by", f"source {key}", orgs, optional=True),
        }
    return sources


def _framework(c: _Checker, top: dict) -> tuple[dict, dict[str, dict]]:
    fw = c.mapping(top.get("framework"), "framework", {"key", "title", "period", "focus_areas"}, {"key", "title", "period", "focus_areas"})
    period = c.mapping(fw["period"], "framework period", {"start", "end"}, {"start", "end"})
    start, end = c.day(period, "start", "framework period"), c.day(period, "end", "framework period")
    if end < start:
        c.fail(period, "framework period: 'end' lies before 'start'")
    focus_areas: dict[str, dict] = {}
    for node in c.list(fw, "focus_areas", "framework"):
        c.mapping(node, "focus area", {"code", "title", "commitments"}, {"code", "title"})
        code = c.text(node, "code", "focus area", pattern=r"[0-9]+(\.[0-9]+)*")
        if code in focus_areas:
            c.fail(node, f"focus area: code {code} appears twice")
        commitments = c.list(node, "commitments", f"focus area {code}")
        for text in commitments:
            if not isinstance(text, str) or not text.strip():
                c.fail(node, f"focus area {code}: every commitment must be non-empty text")
        focus_areas[code] = {
            "code": code,
            "title": c.text(node, "title", f"focus area {code}"),
            "commitments": [t.strip() for t in commitments],
        }
    framework = {
        "key": c.text(fw, "key", "framework", pattern=r"[a-z0-9-]+"),
        "title": c.text(fw, "title", "framework"),
        "period_start": start,
        "period_end": end,
        "focus_areas": list(focus_areas.values()),
    }
    return framework, focus_areas


def _recommendations(c: _Checker, top: dict, orgs: dict, sources: dict, focus_areas: dict) -> list[dict]:
    recommendations: dict[tuple[str, int], dict] = {}
    for node in c.list(top, "recommendations", "recommendations"):
        c.mapping(node, "recommendation", {"source", "number", "addressee", "text", "response", "focus_area"}, {"source", "number", "text"})
        source = c.ref(node, "source", "recommendation", sources)
        number = c.integer(node, "number", "recommendation", minimum=1)
        if (source, number) in recommendations:
            c.fail(node, f"recommendation {source} #{number} appears twice")
        recommendations[(source, number)] = {
            "source": source,
            "number": number,
            "text": c.text(node, "text", "recommendation"),
            "addressee": c.ref(node, "addressee", "recommendation", orgs, optional=True),
            "response": c.choice(node, "response", "recommendation", RESPONSES) or "onbekend",
            "focus_area": c.ref(node, "focus_area", "recommendation", focus_areas, optional=True),
        }
    return list(recommendations.values())


def _indicators(c: _Checker, top: dict, orgs: dict, sources: dict, focus_areas: dict) -> list[dict]:
    indicators: dict[str, dict] = {}
    for node in c.list(top, "indicators", "indicators"):
        c.mapping(
            node,
            "indicator",
            {"key", "title", "unit", "owner", "source", "values", "definition", "direction",
             "baseline", "baseline_year", "target", "target_year", "focus_area"},
            {"key", "title", "unit", "owner", "values"},
        )
        key = c.text(node, "key", "indicator", pattern=r"[a-z0-9-]+")
        if key in indicators:
            c.fail(node, f"indicator: key {key} appears twice")
        values = node["values"]
        if not isinstance(values, dict):
            c.fail(node, f"indicator {key}: 'values' must be a mapping of year to figure")
        figures = {}
        for year, value in values.items():
            if not isinstance(year, int) or not 1900 <= year <= 2100:
                c.fail(node, f"indicator {key}: period {year!r} must be a year")
            figures[year] = c.number(node, value, f"indicator {key} {year}")
        indicators[key] = {
            "key": key,
            "title": c.text(node, "title", f"indicator {key}"),
            "unit": c.text(node, "unit", f"indicator {key}"),
            "owner": c.ref(node, "owner", f"indicator {key}", orgs),
            "source": c.ref(node, "source", f"indicator {key}", sources, optional=True),
            "definition": c.text(node, "definition", f"indicator {key}", optional=True) or "",
            "direction": c.choice(node, "direction", f"indicator {key}", DIRECTIONS),
            "baseline_value": c.number(node, node.get("baseline"), f"indicator {key} baseline"),
            "baseline_year": c.integer(node, "baseline_year", f"indicator {key}", optional=True),
            "target_value": c.number(node, node.get("target"), f"indicator {key} target"),
            "target_year": c.integer(node, "target_year", f"indicator {key}", optional=True),
            "focus_area": c.ref(node, "focus_area", f"indicator {key}", focus_areas, optional=True),
            "values": figures,
        }
    return list(indicators.values())


def _budget(c: _Checker, top: dict, orgs: dict, sources: dict) -> list[dict]:
    budget = []
    for node in c.list(top, "budget", "budget"):
        c.mapping(node, "budget line", {"organisation", "yearly_eur", "note", "source"}, {"organisation", "yearly_eur", "source"})
        amount = c.number(node, node.get("yearly_eur"), "budget line 'yearly_eur'")
        if amount is None or amount < 0:
            c.fail(node, "budget line: 'yearly_eur' must be a positive amount")
        budget.append({
            "organisation": c.ref(node, "organisation", "budget line", orgs),
            "source": c.ref(node, "source", "budget line", sources),
            "yearly_eur": amount,
            "note": c.text(node, "note", "budget line", optional=True) or "",
        })
    return budget


def _upsert(session: Session, summary: LoadSummary, kind: str, model, lookup: dict, values: dict):
    """Find by natural key, create or update in place; unchanged rows are not touched."""
    obj = session.scalars(select(model).filter_by(**lookup)).one_or_none()
    created = obj is None
    if created:
        obj = model(**lookup)
        session.add(obj)
    changed = False
    for name, value in values.items():
        if created or getattr(obj, name) != value:
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
                           {"name": o["name"], "is_mdt_member": o["is_mdt_member"]})
        for o in data["organisations"]
    }
    session.flush()

    sources = {}
    for s in data["sources"]:
        issuer = orgs[s["issued_by"]].id if s["issued_by"] else None
        sources[s["key"]] = _upsert(session, summary, "sources", Source, {"key": s["key"]}, {
            "title": s["title"], "kind": s["kind"], "issued_on": s["issued_on"], "year": s["year"],
            "reference": s["reference"], "issuing_organisation_id": issuer,
        })
    session.flush()

    fw = data["framework"]
    framework_source = sources.get(fw["key"])
    framework = _upsert(session, summary, "frameworks", Framework, {"key": fw["key"]}, {
        "title": fw["title"], "period_start": fw["period_start"], "period_end": fw["period_end"],
        "source_id": framework_source.id if framework_source else None,
    })
    session.flush()
    focus_areas = {}
    for position, fa in enumerate(fw["focus_areas"], start=1):
        area = _upsert(session, summary, "focus_areas", FocusArea,
                       {"framework_id": framework.id, "code": fa["code"]},
                       {"title": fa["title"], "position": position})
        session.flush()
        focus_areas[fa["code"]] = area
        for number, text in enumerate(fa["commitments"], start=1):
            _upsert(session, summary, "commitments", Commitment,
                    {"focus_area_id": area.id, "position": number}, {"text": text})
        # Commitments dropped from the file go, unless work already hangs on them.
        stale = session.scalars(
            select(Commitment).where(
                Commitment.focus_area_id == area.id,
                Commitment.position > len(fa["commitments"]),
                ~Commitment.id.in_(select(ActionItem.commitment_id).where(ActionItem.commitment_id.is_not(None))),
            )
        ).all()
        for commitment in stale:
            session.delete(commitment)
            summary.count("commitments_removed", True, True)
    session.flush()

    for r in data["recommendations"]:
        rec = _upsert(session, summary, "recommendations", Recommendation,
                      {"source_id": sources[r["source"]].id, "number": r["number"]},
                      {"text": r["text"], "response": r["response"],
                       "addressee_organisation_id": orgs[r["addressee"]].id if r["addressee"] else None})
        if r["focus_area"] and focus_areas[r["focus_area"]] not in rec.focus_areas:
            rec.focus_areas.append(focus_areas[r["focus_area"]])
            summary.count("recommendation_links", True, True)
    session.flush()

    for i in data["indicators"]:
        indicator = _upsert(session, summary, "indicators", Indicator, {"key": i["key"]}, {
            "title": i["title"], "unit": i["unit"], "definition": i["definition"],
            "owner_organisation_id": orgs[i["owner"]].id,
            "source_id": sources[i["source"]].id if i["source"] else None,
            "focus_area_id": focus_areas[i["focus_area"]].id if i["focus_area"] else None,
            "direction": i["direction"],
            "baseline_value": i["baseline_value"], "baseline_year": i["baseline_year"],
            "target_value": i["target_value"], "target_year": i["target_year"],
        })
        session.flush()
        for year, value in i["values"].items():
            existing = session.scalars(
                select(Measurement).filter_by(indicator_id=indicator.id, period=str(year))
            ).one_or_none()
            _upsert(session, summary, "measurements", Measurement,
                    {"indicator_id": indicator.id, "period": str(year)},
                    {"period_start": date(year, 1, 1), "period_end": date(year, 12, 31), "value": value,
                     "source_id": indicator.source_id,
                     "recorded_at": existing.recorded_at if existing else now})
    session.flush()

    for b in data["budget"]:
        _upsert(session, summary, "budget_lines", BudgetLine,
                {"organisation_id": orgs[b["organisation"]].id, "source_id": sources[b["source"]].id},
                {"yearly_eur": b["yearly_eur"], "note": b["note"]})
    session.flush()

    if summary.changed:
        session.add(AuditEvent(
            action="reference.load", entity_type="reference", at=now,
            diff={"file": path.name, "created": summary.created, "updated": summary.updated},
        ))
        session.flush()
    return summary
