"""Versioned writes, shared by every feature: a write names the version it was based on, and a stale one is a conflict,
recorded in the audit trail the same way wherever it happens."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import gettext as _
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import audit
from .errors import VersionConflict, VersionMissing
from .extensions import db

# The audit trail names records in the singular, as the rest of the trail does (action_item 12, meeting 3).
_ENTITY = {"action_items": "action_item", "meetings": "meeting", "comments": "comment"}


def _entity(record) -> str:
    table = type(record).__tablename__
    return _ENTITY.get(table, table)


def check_version(session: Session, item, base_version: int | None, conflict=VersionConflict) -> None:
    """A stale base version is a conflict (audited: the caller commits to keep the event); a missing one asks for a reload."""
    if base_version is None:
        raise VersionMissing({"version": _("De versie ontbreekt; laad de pagina opnieuw.")})
    if base_version != item.version:
        audit.record("version_conflict", session=session, entity_type=_entity(item), entity_id=item.id,
                     based_on=base_version, current=item.version)
        raise conflict(item)


def save(session: Session, item, conflict=VersionConflict) -> None:
    """Flush a versioned write. When another transaction committed first, the UPDATE ... WHERE version
    matches no row (StaleDataError): roll back, record the conflict, and report it like a stale form."""
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        audit.record("version_conflict", session=session, entity_type=_entity(item),
                     entity_id=item.id, detected="at write")
        raise conflict(item) from None


@contextmanager
def transaction() -> Iterator[None]:
    """The one write boundary of a request, for pages, htmx forms and API routes alike: the service call inside is
    committed once; a version conflict keeps its audit event (committed: the service wrote nothing else before it found
    the conflict); anything else raised is rolled back. Every exception goes on to the app's handlers, which answer a
    page or the API (portal/security.py for pages, api/helpers.py for the API); a form that re-renders with its
    messages catches ValidationFailed or VersionConflict itself."""
    try:
        yield
        db.session.commit()
    except VersionConflict:
        db.session.commit()
        raise
    except BaseException:
        db.session.rollback()
        raise
