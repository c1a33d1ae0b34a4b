"""How far a recommendation is implemented, and the words for it and for the cabinet's response (Dutch documents)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Lazy: pages show them in the reader's language, documents (made under the Dutch locale) in Dutch.
RESPONSE_TEXT = {"overgenomen": _l("Overgenomen"), "deels": _l("Deels overgenomen"), "niet": _l("Niet overgenomen"),
                 "onbekend": _l("Niet vermeld")}
STATE_TEXT = {"geen_acties": _l("Nog geen acties"), "gepland": _l("Gepland"), "in_uitvoering": _l("In uitvoering"),
              "uitgevoerd": _l("Uitgevoerd"), "vervallen": _l("Vervallen")}


def recommendation_state(statuses: list[str]) -> str:
    if not statuses:
        return "geen_acties"
    active = [s for s in statuses if s != "cancelled"]
    if not active:
        return "vervallen"
    if all(s == "done" for s in active):
        return "uitgevoerd"
    if any(s in ("in_progress", "blocked", "awaiting_confirmation", "done") for s in active):
        return "in_uitvoering"
    return "gepland"
