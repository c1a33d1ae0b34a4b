"""How far a recommendation is implemented, and the words for it and for the cabinet's response (Dutch documents)."""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

# Lazy: pages show them in the reader's language, documents (made under the Dutch locale) in Dutch.
RESPONSE_TEXT = {"overgenomen": _l("Overgenomen"), "deels": _l("Deels overgenomen"), "niet": _l("Niet overgenomen"),
                 "onbekend": _l("Niet vermeld")}
STATE_TEXT = {"geen_acties": _l("Nog geen acties"), "gepland": _l("Gepland"), "in_uitvoering": _l("In uitvoering"),
              "uitgevoerd": _l("Uitgevoerd"), "vervallen": _l("Vervallen")}


def recommendation_state(statuses: Mapping[str, int]) -> str:
    """The state of a recommendation from how many of its items have each status."""
    counted = {s: n for s, n in statuses.items() if n}
    if not counted:
        return "geen_acties"
    active = {s for s in counted if s != "cancelled"}
    if not active:
        return "vervallen"
    if active == {"done"}:
        return "uitgevoerd"
    if active & {"in_progress", "blocked", "awaiting_confirmation", "done"}:
        return "in_uitvoering"
    return "gepland"
