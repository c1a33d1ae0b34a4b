"""Contract rule 3 for every record that has an audience: which fields decide who may see it, which organisation
decides them, and which of its roles may. Every write path (page, API, import, "prepare next") asks `check` before it
changes one of these fields; no service carries its own `if`.

Two answers from the one rule: `check` for an edit that touches an audience field among others (422, a message on the
field, so the form keeps what was typed), `require` for an operation that is nothing but an audience change, such as
recording attendance or writing a narrative (403: the user may see the record, not do this)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from models import ActionItem, Indicator, Meeting, ReportNarrative, User

from .errors import NotAllowed, ValidationFailed


@dataclass(frozen=True)
class Rule:
    fields: frozenset[str]
    decider: Callable[[object], int | None]  # the id of the organisation that decides the audience
    roles: frozenset[str]
    message: object  # a lazy Dutch message, shown per refused field


def meeting_decider(meeting: Meeting) -> int | None:
    """The secretariat: the chair organisation, without a chair the organisation that created the meeting."""
    return meeting.chair_organisation_id or meeting.owner_organisation_id


_WRITERS = frozenset({"member", "coordinator"})

RULES: dict[type, Rule] = {
    ActionItem: Rule(frozenset({"visibility", "shared_with", "contributing_organisations"}),
                     lambda item: item.owner_organisation_id, _WRITERS,  # type: ignore[attr-defined]
                     _l("Alleen de eigenaar-organisatie bepaalt wie de actie mag zien en wie eraan bijdraagt.")),
    Meeting: Rule(frozenset({"visibility", "shared_with", "invited", "attendance", "chair_organisation"}),
                  meeting_decider, frozenset({"coordinator"}),  # type: ignore[arg-type]
                  _l("Alleen de coördinatoren van de voorzittende organisatie bepalen wie er is uitgenodigd, wie aanwezig "
                     "was en wie de vergadering mag zien.")),
    ReportNarrative: Rule(frozenset({"text", "visibility"}), lambda n: n.organisation_id, _WRITERS,  # type: ignore[attr-defined]
                          _l("Alleen de eigen organisatie schrijft haar toelichting en bepaalt of die openbaar wordt.")),
    Indicator: Rule(frozenset({"visibility", "owner_organisation"}), lambda i: i.owner_organisation_id, _WRITERS,  # type: ignore[attr-defined]
                    _l("Alleen de eigenaar-organisatie bepaalt wie de indicator mag zien en wie hem beheert.")),
}


def may_decide(actor: User | None, record: object) -> bool:
    """May this user change who sees this record (any of its audience fields)?"""
    rule = RULES[type(record)]
    return (actor is not None and actor.is_active and actor.role in rule.roles
            and actor.organisation_id == rule.decider(record))


def check(actor: User | None, record: object, changed: Iterable[str]) -> None:
    """Refuse (422, a message per field) a change to any audience field by anyone but the deciding organisation."""
    rule = RULES[type(record)]
    touched = sorted(set(changed) & rule.fields)
    if touched and not may_decide(actor, record):
        raise ValidationFailed({name: str(rule.message) for name in touched})


def require(actor: User | None, record: object) -> None:
    """Refuse (403) an operation that only changes who may see the record, by anyone but the deciding organisation."""
    if not may_decide(actor, record):
        raise NotAllowed(str(RULES[type(record)].message))
