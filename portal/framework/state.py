"""How far a recommendation is implemented, and the words for it and for the cabinet's response (Dutch documents)."""
from __future__ import annotations

RESPONSE_TEXT = {"overgenomen": "Overgenomen", "deels": "Deels overgenomen", "niet": "Niet overgenomen", "onbekend": "Niet vermeld"}
STATE_TEXT = {"geen_acties": "Nog geen acties", "gepland": "Gepland", "in_uitvoering": "In uitvoering",
              "uitgevoerd": "Uitgevoerd", "vervallen": "Vervallen"}


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
