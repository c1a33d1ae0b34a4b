"""Checks that every feature's services share: free text within bounds, with one Dutch message per problem."""
from __future__ import annotations


def text(fields: dict[str, str], name: str, value, label: str, maximum: int, required: bool = True) -> str:
    """The stripped text, or "" with a message in `fields[name]`. `label` is the subject: "De titel"."""
    cleaned = (value or "").strip() if isinstance(value, str) or value is None else None
    if cleaned is None:
        fields[name] = f"{label} moet tekst zijn."
        return ""
    if required and not cleaned:
        fields[name] = f"Vul {label[0].lower()}{label[1:]} in."
    elif len(cleaned) > maximum:
        fields[name] = f"{label} mag hoogstens {maximum} tekens lang zijn (nu {len(cleaned)})."
    return cleaned
