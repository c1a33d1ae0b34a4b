"""Loads the reference data (organisations, frameworks, recommendations, indicators, Parliament) idempotently.

The whole file is parsed and checked before anything is written, and the
writes happen in the caller's single transaction: a bad file stores nothing.

Reference rows are updated in place when the file changes. What users change in
the portal is never overwritten: targets, responses and commitments to Parliament
are seeded once (a reload leaves existing ones alone), a figure that was corrected
or entered in the portal keeps its value, an indicator keeps its visibility.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    DIRECTIONS,
    ORGANISATION_KINDS,
    PARLIAMENT_KINDS,
    PARLIAMENT_STATUSES,
    RECOMMENDATION_KINDS,
    RESPONSES,
    SOURCE_KINDS,
    TARGET_DIRECTIONS,
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

from .periods import due_range

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
        {"organisations", "sources", "framework", "frameworks", "recommendations", "indicators", "budget", "capacity", "parliament"},
        {"organisations", "sources", "recommendations", "indicators"},
    )
    orgs = _organisations(c, top)
    sources = _sources(c, top, orgs)
    # Only partners own, report or are responsible; extern organisations issue, produce or are addressed.
    partners = {code: o for code, o in orgs.items() if o["kind"] == "partner"}
    if ("framework" in top) == ("frameworks" in top):
        c.fail(top, "file: give either 'framework' (one) or 'frameworks' (a list)")
    nodes = [top["framework"]] if "framework" in top else c.list(top, "frameworks", "frameworks")
    frameworks, focus_areas = [], {}
    for node in nodes:
        framework, areas = _framework(c, node, sources)
        if any(f["key"] == framework["key"] for f in frameworks):
            c.fail(node, f"framework: key {framework['key']} appears twice")
        frameworks.append(framework)
        focus_areas.setdefault("", areas)  # the first framework's codes are the default for references
        focus_areas[framework["key"]] = areas
    indicators = _indicators(c, top, orgs, partners, sources, focus_areas[""] if frameworks else {})
    known_indicators = {i["key"] for i in indicators}
    for framework in frameworks:
        for area in framework["focus_areas"]:
            for commitment in area["commitments"]:
                for target in commitment["targets"]:
                    if target["indicator"] and target["indicator"] not in known_indicators:
                        c.fail(target["node"], f"target: indicator {target['indicator']!r} is not defined in this file")
    return {
        "organisations": list(orgs.values()),
        "sources": list(sources.values()),
        "frameworks": frameworks,
        "recommendations": _recommendations(c, top, orgs, sources, focus_areas[""] if frameworks else {}),
        "indicators": indicators,
        "budget": _budget(c, top, partners, sources),
        "capacity": _capacity(c, top, partners, sources),
        "parliament": _parliament(c, top, partners, sources),
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
        c.mapping(node, "organisation", {"code", "name", "mdt_member", "kind"}, {"code", "name"})
        code = c.text(node, "code", "organisation", pattern=r"[A-Z0-9]{2,16}")
        if code in orgs:
            c.fail(node, f"organisation: code {code} appears twice")
        member = node.get("mdt_member", False)
        if not isinstance(member, bool):
            c.fail(node, "organisation: 'mdt_member' must be true or false")
        kind = c.choice(node, "kind", f"organisation {code}", ORGANISATION_KINDS) or "partner"
        if kind == "extern" and member:
            c.fail(node, f"organisation {code}: an extern organisation is no MDT member")
        orgs[code] = {"code": code, "name": c.text(node, "name", "organisation"), "is_mdt_member": member, "kind": kind}
    return orgs


def _sources(c: _Checker, top: dict, orgs: dict) -> dict[str, dict]:
    sources: dict[str, dict] = {}
    for node in c.list(top, "sources", "sources"):
        c.mapping(node, "source", {"key", "title", "kind", "date", "year", "reference", "issued_by", "issuer", "url", "note"},
                  {"key", "title", "kind"})
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
            "issuer": c.text(node, "issuer", f"source {key}", optional=True),
            "url": c.text(node, "url", f"source {key}", optional=True, pattern=r"https://\S+"),
            "note": c.text(node, "note", f"source {key}", optional=True),
        }
    return sources


def _framework(c: _Checker, fw, sources: dict) -> tuple[dict, dict[str, dict]]:
    c.mapping(fw, "framework", {"key", "title", "period", "period_note", "note", "source", "focus_areas"}, {"key", "title", "period", "focus_areas"})
    key = c.text(fw, "key", "framework", pattern=r"[a-z0-9-]+")
    period = c.mapping(fw["period"], "framework period", {"start", "end"}, {"start", "end"})
    start, end = c.day(period, "start", "framework period"), c.day(period, "end", "framework period")
    if end < start:
        c.fail(period, "framework period: 'end' lies before 'start'")
    focus_areas: dict[str, dict] = {}
    for node in c.list(fw, "focus_areas", "framework"):
        c.mapping(node, "focus area", {"code", "title", "note", "commitments", "quote"}, {"code", "title"})
        code = c.text(node, "code", "focus area", pattern=r"[0-9]+(\.[0-9]+)*")
        if code in focus_areas:
            c.fail(node, f"focus area: code {code} appears twice")
        focus_areas[code] = {
            "code": code,
            "title": c.text(node, "title", f"focus area {code}"),
            "note": c.text(node, "note", f"focus area {code}", optional=True),
            "quote": c.text(node, "quote", f"focus area {code}", optional=True),
            "commitments": [_commitment(c, item, node, f"focus area {code}") for item in c.list(node, "commitments", f"focus area {code}")],
        }
    framework = {
        "key": key,
        "title": c.text(fw, "title", "framework"),
        "period_start": start,
        "period_end": end,
        # Default: the source with the framework's key (the shipped file's first framework).
        "source": c.ref(fw, "source", f"framework {key}", sources, optional=True) or (key if key in sources else None),
        "focus_areas": list(focus_areas.values()),
        # What the sources leave open, shown with the framework: the assumed period first.
        "note": " ".join(filter(None, (c.text(fw, "period_note", "framework", optional=True), c.text(fw, "note", "framework", optional=True))))
        or None,
    }
    return framework, focus_areas


def _commitment(c: _Checker, item, area, what: str) -> dict:
    if isinstance(item, str):
        item = _Map(text=item)
        item.line = area.line
    c.mapping(item, "commitment", {"text", "note", "targets", "quote"}, {"text"})
    targets = []
    if item.get("targets") is not None:
        node = c.mapping(item["targets"], f"{what} targets", {"organisation", "unit", "direction", "values", "indicator", "note"},
                         {"unit", "direction", "values"})
        if not isinstance(node["values"], dict):
            c.fail(node, f"{what} targets: 'values' must be a mapping of year to value")
        for year, value in node["values"].items():
            if not isinstance(year, int) or not 1900 <= year <= 2100:
                c.fail(node, f"{what} targets: period {year!r} must be a year")
            number = c.number(node, value, f"{what} target {year}")
            if number is None:
                c.fail(node, f"{what} target {year}: a target needs a value")
            targets.append({"node": node, "period": year, "value": number, "unit": c.text(node, "unit", f"{what} targets"),
                            "direction": c.choice(node, "direction", f"{what} targets", TARGET_DIRECTIONS, optional=False),
                            "organisation": node.get("organisation"), "indicator": node.get("indicator"),
                            "note": c.text(node, "note", f"{what} targets", optional=True) or ""})
    return {"text": c.text(item, "text", what), "note": c.text(item, "note", what, optional=True), "targets": targets,
            "quote": c.text(item, "quote", what, optional=True)}


def _recommendations(c: _Checker, top: dict, orgs: dict, sources: dict, focus_areas: dict) -> list[dict]:
    recommendations: dict[tuple[str, int], dict] = {}
    for node in c.list(top, "recommendations", "recommendations"):
        c.mapping(node, "recommendation", {"source", "number", "kind", "addressee", "text", "response", "focus_area", "related", "quote"},
                  {"source", "number", "text"})
        source = c.ref(node, "source", "recommendation", sources)
        number = c.integer(node, "number", "recommendation", minimum=1)
        if (source, number) in recommendations:
            c.fail(node, f"recommendation {source} #{number} appears twice")
        response = node.get("response")
        if isinstance(response, str) or response is None:
            response = {"stance": c.choice(node, "response", "recommendation", RESPONSES) or "onbekend", "text": "", "document": None}
        else:
            c.mapping(response, "response", {"stance", "text", "date", "document"}, {"stance"})
            response = {"stance": c.choice(response, "stance", "response", RESPONSES, optional=False),
                        "text": c.text(response, "text", "response", optional=True) or "",
                        "date": c.day(response, "date", "response", optional=True),
                        "document": c.ref(response, "document", "response", sources, optional=True)}
        related = []
        for ref in c.list(node, "related", "recommendation"):
            c.mapping(ref, "related recommendation", {"source", "number"}, {"source", "number"})
            related.append((c.ref(ref, "source", "related recommendation", sources), c.integer(ref, "number", "related recommendation", minimum=1)))
        recommendations[(source, number)] = {
            "source": source,
            "number": number,
            "kind": c.choice(node, "kind", "recommendation", RECOMMENDATION_KINDS) or "aanbeveling",
            "text": c.text(node, "text", "recommendation"),
            "addressee": c.ref(node, "addressee", "recommendation", orgs, optional=True),
            "quote": c.text(node, "quote", "recommendation", optional=True),
            "response": response,
            "focus_area": c.ref(node, "focus_area", "recommendation", focus_areas, optional=True),
            "related": related,
            "node": node,
        }
    for rec in recommendations.values():
        for ref in rec["related"]:
            if ref not in recommendations:
                c.fail(rec["node"], f"recommendation {rec['source']} #{rec['number']}: related {ref[0]} #{ref[1]} is not defined in this file")
    return list(recommendations.values())


def _indicators(c: _Checker, top: dict, orgs: dict, partners: dict, sources: dict, focus_areas: dict) -> list[dict]:
    indicators: dict[str, dict] = {}
    for node in c.list(top, "indicators", "indicators"):
        c.mapping(
            node,
            "indicator",
            {"key", "title", "unit", "owner", "producer", "producer_organisation", "source", "values", "quote", "definition", "definitions", "direction",
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
            if isinstance(value, dict):
                c.mapping(value, f"indicator {key} {year}", {"value", "source", "note", "quote"}, {"value"})
                figures[year] = {"value": c.number(value, value.get("value"), f"indicator {key} {year}"),
                                 "source": c.ref(value, "source", f"indicator {key} {year}", sources, optional=True),
                                 "note": c.text(value, "note", f"indicator {key} {year}", optional=True),
                                 "quote": c.text(value, "quote", f"indicator {key} {year}", optional=True)}
            else:
                figures[year] = {"value": c.number(node, value, f"indicator {key} {year}"), "source": None, "note": None, "quote": None}
        definitions = []
        for version, d in enumerate(c.list(node, "definitions", f"indicator {key}"), start=1):
            c.mapping(d, f"indicator {key} definition", {"from", "text", "note"}, {"from", "text"})
            year = c.integer(d, "from", f"indicator {key} definition", minimum=1900)
            if definitions and year <= definitions[-1]["from"]:
                c.fail(d, f"indicator {key}: definitions must follow each other in time")
            definitions.append({"version": version, "from": year, "text": c.text(d, "text", f"indicator {key} definition"),
                                "note": c.text(d, "note", f"indicator {key} definition", optional=True) or ""})
        indicators[key] = {
            "key": key,
            "title": c.text(node, "title", f"indicator {key}"),
            "unit": c.text(node, "unit", f"indicator {key}"),
            "owner": c.ref(node, "owner", f"indicator {key}", partners),
            "producer": c.text(node, "producer", f"indicator {key}", optional=True),
            "producer_organisation": c.ref(node, "producer_organisation", f"indicator {key}", orgs, optional=True),
            "quote": c.text(node, "quote", f"indicator {key}", optional=True),
            "source": c.ref(node, "source", f"indicator {key}", sources, optional=True),
            "definition": c.text(node, "definition", f"indicator {key}", optional=True) or (definitions[-1]["text"] if definitions else ""),
            "definitions": definitions,
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
        c.mapping(node, "budget line", {"organisation", "yearly_eur", "note", "source", "quote"}, {"organisation", "yearly_eur", "source"})
        amount = c.number(node, node.get("yearly_eur"), "budget line 'yearly_eur'")
        if amount is None or amount < 0:
            c.fail(node, "budget line: 'yearly_eur' must be a positive amount")
        budget.append({
            "organisation": c.ref(node, "organisation", "budget line", orgs),
            "source": c.ref(node, "source", "budget line", sources),
            "yearly_eur": amount,
            "note": c.text(node, "note", "budget line", optional=True) or "",
            "quote": c.text(node, "quote", "budget line", optional=True),
        })
    return budget


def _capacity(c: _Checker, top: dict, orgs: dict, sources: dict) -> list[dict]:
    lines = {}
    for node in c.list(top, "capacity", "capacity"):
        c.mapping(node, "capacity line", {"key", "organisation", "applies_to", "source", "quantity", "unit", "period", "description", "note",
                                                   "quote"},
                  {"key", "source", "unit", "description"})
        key = c.text(node, "key", "capacity line", pattern=r"[a-z0-9-]+")
        if key in lines:
            c.fail(node, f"capacity line: key {key} appears twice")
        lines[key] = {
            "key": key, "organisation": c.ref(node, "organisation", "capacity line", orgs, optional=True),
            "applies_to": c.text(node, "applies_to", "capacity line", optional=True) or "",
            "source": c.ref(node, "source", "capacity line", sources),
            "quantity": c.number(node, node.get("quantity"), f"capacity line {key} quantity"),
            "unit": c.text(node, "unit", "capacity line"), "period": c.text(node, "period", "capacity line", optional=True) or "",
            "description": c.text(node, "description", "capacity line"), "note": c.text(node, "note", "capacity line", optional=True) or "",
            "quote": c.text(node, "quote", "capacity line", optional=True),
        }
    return list(lines.values())


def _parliament(c: _Checker, top: dict, orgs: dict, sources: dict) -> list[dict]:
    commitments = {}
    for node in c.list(top, "parliament", "parliament"):
        c.mapping(node, "parliament", {"key", "kind", "kamerstuk", "date", "source", "owner", "due", "text", "status", "fulfilled_by",
                                       "fulfilled_note", "quote"}, {"key", "kind", "text"})
        key = c.text(node, "key", "parliament", pattern=r"[a-z0-9-]+")
        if key in commitments:
            c.fail(node, f"parliament: key {key} appears twice")
        due = c.text(node, "due", f"parliament {key}", optional=True) or ""
        try:
            due_start, due_end = due_range(due) if due else (None, None)
        except ValueError as exc:
            c.fail(node, f"parliament {key}: 'due' {exc}")
        commitments[key] = {
            "key": key, "kind": c.choice(node, "kind", f"parliament {key}", PARLIAMENT_KINDS, optional=False),
            "kamerstuk": c.text(node, "kamerstuk", f"parliament {key}", optional=True) or "",
            "made_on": c.day(node, "date", f"parliament {key}", optional=True),
            "source": c.ref(node, "source", f"parliament {key}", sources, optional=True),
            "owner": c.ref(node, "owner", f"parliament {key}", orgs, optional=True),
            "due_label": due, "due_start": due_start, "due_end": due_end,
            "text": c.text(node, "text", f"parliament {key}"),
            "status": c.choice(node, "status", f"parliament {key}", PARLIAMENT_STATUSES) or "open",
            "fulfilled_by": c.ref(node, "fulfilled_by", f"parliament {key}", sources, optional=True),
            "fulfilled_note": c.text(node, "fulfilled_note", f"parliament {key}", optional=True) or "",
            "quote": c.text(node, "quote", f"parliament {key}", optional=True),
        }
    return list(commitments.values())


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
            low, high = sorted((recs[(r["source"], r["number"])].id, recs[ref].id))
            if low != high and session.execute(select(recommendation_links).where(
                    recommendation_links.c.recommendation_id == low, recommendation_links.c.related_id == high)).first() is None:
                session.execute(recommendation_links.insert().values(recommendation_id=low, related_id=high))
                summary.count("recommendation_links", True, True)
    session.flush()

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
    for p in data["parliament"]:
        if session.scalars(select(ParliamentCommitment.id).where(ParliamentCommitment.key == p["key"])).first() is None:
            session.add(ParliamentCommitment(
                key=p["key"], kind=p["kind"], kamerstuk=p["kamerstuk"], text=p["text"], made_on=p["made_on"],
                source_id=sources[p["source"]].id if p["source"] else None,
                owner_organisation_id=orgs[p["owner"]].id if p["owner"] else None,
                due_label=p["due_label"], due_start=p["due_start"], due_end=p["due_end"], status=p["status"],
                closed_on=sources[p["fulfilled_by"]].issued_on if p["fulfilled_by"] and p["status"] != "open" else None,
                fulfilled_by_source_id=sources[p["fulfilled_by"]].id if p["fulfilled_by"] else None, fulfilled_note=p["fulfilled_note"]))
            summary.count("parliament_commitments", True, True)
    session.flush()

    if summary.changed:
        session.add(AuditEvent(
            action="reference.load", entity_type="reference", at=now,
            diff={"file": path.name, "created": summary.created, "updated": summary.updated},
        ))
        session.flush()
    return summary


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
                       {"title": fa["title"], "position": position, "note": fa["note"]})
        session.flush()
        focus_areas[fa["code"]] = area
        for number, c in enumerate(fa["commitments"], start=1):
            commitment = _upsert(session, summary, "commitments", Commitment,
                                 {"focus_area_id": area.id, "position": number}, {"text": c["text"], "note": c["note"]})
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
        "title": i["title"], "unit": i["unit"], "definition": i["definition"], "producer": i["producer"],
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
    values = {"text": r["text"], "kind": r["kind"]}
    if not responses or seeded:
        values["response"] = r["response"]["stance"]
    rec = _upsert(session, summary, "recommendations", Recommendation,
                  {"source_id": sources[r["source"]].id, "number": r["number"]}, values)
    session.flush()
    wanted_addressees = [orgs[r["addressee"]]] if r["addressee"] else []
    if rec.corrected_at is None and {o.id for o in rec.addressees} != {o.id for o in wanted_addressees}:
        rec.addressees = wanted_addressees
        summary.count("recommendation_addressees", False, True)
    elif rec.corrected_at is not None and {o.id for o in rec.addressees} != {o.id for o in wanted_addressees}:
        summary.differences.append(f"recommendations source={r['source']} number={r['number']}: addressees")
    response = r["response"]
    document = sources[response["document"]] if response.get("document") else None
    fields = {"stance": response["stance"], "text": response["text"], "responded_on": response.get("date"),
              "document_source_id": document.id if document else None}
    if response["text"] or response["stance"] != "onbekend":
        if not responses:
            session.add(RecommendationResponse(recommendation_id=rec.id, recorded_at=now, reason="Uit de referentiegegevens.", **fields))
            summary.count("recommendation_responses", True, True)
        elif seeded and any(getattr(responses[-1], k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(responses[-1], k, v)
            summary.count("recommendation_responses", False, True)
    # Links to focus areas: the file says which there are, until a coordinator corrected the recommendation.
    wanted = {focus_areas[r["focus_area"]].id} if r["focus_area"] else set()
    current = set(session.scalars(select(recommendation_focus_areas.c.focus_area_id)
                                  .where(recommendation_focus_areas.c.recommendation_id == rec.id)))
    if rec.corrected_at is not None:
        if wanted != current:
            summary.differences.append(f"recommendations source={r['source']} number={r['number']}: focus_areas")
        return rec
    for area_id in wanted - current:
        session.execute(recommendation_focus_areas.insert().values(recommendation_id=rec.id, focus_area_id=area_id))
        summary.count("recommendation_focus_links", True, True)
    for area_id in current - wanted:
        session.execute(recommendation_focus_areas.delete().where(recommendation_focus_areas.c.recommendation_id == rec.id,
                                                                  recommendation_focus_areas.c.focus_area_id == area_id))
        summary.count("recommendation_focus_links_removed", True, True)
    return rec
