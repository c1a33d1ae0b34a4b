"""Checks that every feature's services share: free text within bounds, with one Dutch message per problem."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Organisation, Source, User


def text(fields: dict[str, str], name: str, value, label: str, maximum: int, required: bool = True) -> str:
    """The stripped text, or "" with a message in `fields[name]`. `label` is the subject: "De titel"."""
    cleaned = (value or "").strip() if isinstance(value, str) or value is None else None
    if cleaned is None:
        fields[name] = _("%(label)s moet tekst zijn.", label=label)
        return ""
    if required and not cleaned:
        fields[name] = _("Vul %(label)s in.", label=label[0].lower() + label[1:])
    elif len(cleaned) > maximum:
        fields[name] = _("%(label)s mag hoogstens %(max)d tekens lang zijn (nu %(now)d).", label=label, max=maximum, now=len(cleaned))
    return cleaned


def organisation(session: Session, fields: dict[str, str], name: str, value, partner: bool = True) -> Organisation | None:
    """The organisation a field names by its code ("" or None: none), else None with a message in `fields[name]`. An owner
    or participant must be a partner; an issuer, a producer or an addressee may be extern (partner=False)."""
    if value in (None, ""):
        return None
    found = session.scalars(select(Organisation).where(
        Organisation.code == value, *([Organisation.kind == "partner"] if partner else []))).first() if isinstance(value, str) else None
    if found is None:
        fields[name] = _("Deze organisatie bestaat niet.")
    return found


def source(session: Session, fields: dict[str, str], name: str, key) -> Source | None:
    """The document a field names by its key ("" or None: none), else None with a message in `fields[name]`."""
    if key in (None, ""):
        return None
    found = session.scalars(select(Source).where(Source.key == str(key))).first()
    if found is None:
        fields[name] = _("Dit document is niet bekend.")
    return found


def day(fields: dict[str, str], name: str, value, latest: date | None = None) -> date | None:
    """A date from a form or JSON (a date or "JJJJ-MM-DD"); empty is None; anything else None with a message in `fields[name]`.
    With `latest` (today, for what already happened) a later date is kept but refused with a message."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        parsed = value
    else:
        try:
            parsed = date.fromisoformat(str(value))
        except ValueError:
            fields[name] = _("Vul een geldige datum in (JJJJ-MM-DD).")
            return None
    if latest is not None and parsed > latest:
        fields[name] = _("Deze datum ligt in de toekomst.")
    return parsed


@dataclass
class Cleaning:
    """One create or edit being checked: the input, what is already clean, and the messages so far."""

    session: Session
    actor: User
    data: dict
    item: Any  # the record being edited, None on a create
    out: dict = field(default_factory=dict)
    fields: dict = field(default_factory=dict)
    _orgs: dict | None = None

    def orgs(self) -> dict[str, Organisation]:
        if self._orgs is None:
            self._orgs = {o.code: o for o in self.session.scalars(select(Organisation).where(Organisation.taking_part()))}
        return self._orgs

    def current(self, name: str):
        """The value after this edit: the cleaned one when given, else the item's."""
        return self.out[name] if name in self.out else (getattr(self.item, name) if self.item is not None else None)


def run_cleaners(c: Cleaning, table: Iterable[tuple[str, Callable[[Cleaning], None], bool]]) -> Cleaning:
    """Table-driven validation: each (input field, cleaner, also on a create without it) in order."""
    for name, cleaner, on_create in table:
        if name in c.data or (on_create and c.item is None):
            cleaner(c)
    return c
