"""The reference data file read and checked as a whole before anything is written: every problem is a file:line
message (reference_checks.py), and the result is plain data for reference.load."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from models import (
    DIRECTIONS,
    ORGANISATION_KINDS,
    PARLIAMENT_KINDS,
    PARLIAMENT_STATUSES,
    RECOMMENDATION_KINDS,
    RESPONSES,
    SOURCE_KINDS,
    TARGET_DIRECTIONS,
)

from .periods import due_range
from .reference_checks import Checker, ReferenceDataError
from .yaml_lines import LineLoader, LineMap


def _frameworks(c: Checker, top: dict, sources: dict) -> tuple[list[dict], dict[str, dict]]:
    """'framework' (one) or 'frameworks' (a list), each key once; and the focus areas per framework key ("" the first's,
    the default for references)."""
    if ("framework" in top) == ("frameworks" in top):
        c.fail(top, "file: give either 'framework' (one) or 'frameworks' (a list)")
    nodes = [top["framework"]] if "framework" in top else c.list(top, "frameworks", "frameworks")
    frameworks: list[dict] = []
    focus_areas: dict[str, dict] = {}
    for node in nodes:
        framework, areas = _framework(c, node, sources)
        if any(f["key"] == framework["key"] for f in frameworks):
            c.fail(node, f"framework: key {framework['key']} appears twice")
        frameworks.append(framework)
        focus_areas.setdefault("", areas)
        focus_areas[framework["key"]] = areas
    return frameworks, focus_areas


def _check_target_indicators(c: Checker, frameworks: list[dict], known: set[str]) -> None:
    """Every target's indicator is one the file defines."""
    for framework in frameworks:
        for area in framework["focus_areas"]:
            for commitment in area["commitments"]:
                for target in commitment["targets"]:
                    if target["indicator"] and target["indicator"] not in known:
                        c.fail(target["node"], f"target: indicator {target['indicator']!r} is not defined in this file")


def parse(path: Path) -> dict:
    """Read and check the file; returns plain validated data or raises ReferenceDataError."""
    name = str(path)
    doc = _read(path, name)
    c = Checker(name)
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
    frameworks, focus_areas = _frameworks(c, top, sources)
    indicators = _indicators(c, top, orgs, partners, sources, focus_areas[""] if frameworks else {})
    _check_target_indicators(c, frameworks, {i["key"] for i in indicators})
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
        return yaml.load(text, Loader=LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ReferenceDataError(name, mark.line + 1 if mark else None, exc.problem or str(exc)) from exc
    except yaml.YAMLError as exc:
        raise ReferenceDataError(name, None, str(exc)) from exc


def _organisations(c: Checker, top: dict) -> dict[str, dict]:
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


def _sources(c: Checker, top: dict, orgs: dict) -> dict[str, dict]:
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


def _framework(c: Checker, fw, sources: dict) -> tuple[dict, dict[str, dict]]:
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


def _commitment(c: Checker, item, area, what: str) -> dict:
    if isinstance(item, str):
        item = LineMap(text=item)
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


def _recommendations(c: Checker, top: dict, orgs: dict, sources: dict, focus_areas: dict) -> list[dict]:
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


def _indicators(c: Checker, top: dict, orgs: dict, partners: dict, sources: dict, focus_areas: dict) -> list[dict]:
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
        definitions: list[dict[str, Any]] = []
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


def _budget(c: Checker, top: dict, orgs: dict, sources: dict) -> list[dict]:
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


def _capacity(c: Checker, top: dict, orgs: dict, sources: dict) -> list[dict]:
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


def _parliament(c: Checker, top: dict, orgs: dict, sources: dict) -> list[dict]:
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
