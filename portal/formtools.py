"""Helpers shared by the form views."""
from __future__ import annotations

from flask import request
from flask_babel import LazyString, format_number, gettext
from wtforms import SelectMultipleField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from .inputs import bounded_int


class CheckboxList(SelectMultipleField):
    """A choice of several as a list of checkboxes (the forms macro renders it as a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def apply_errors(form, fields: dict[str, str]) -> dict[str, str]:
    """Attach service errors to the form's fields; return the ones without a field (for the error summary)."""
    rest = {}
    for name, message in fields.items():
        target = getattr(form, name, None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*(target.errors or ()), message]
        else:
            rest[name] = message
    return rest


def form_version() -> int | None:
    """The record version a page form was based on (hidden field `version`), or None when it sent none."""
    return bounded_int(request.form.get("version", ""))


def ids_prefixed(form, prefix: str):
    """The same form with its element ids prefixed (names unchanged), for a second form of one class on a page: ids
    stay unique, so every label and hint points at its own field."""
    for field in form:
        field.id = f"{prefix}-{field.id}"
        field.label.field_id = field.id
    return form


def at_most(limit: int) -> Length:
    """A form field's length check for a limit of portal/limits.py, the message in the reader's language."""
    return Length(max=limit, message=LazyString(lambda: gettext("Hoogstens %(max)s tekens.", max=format_number(limit))))
