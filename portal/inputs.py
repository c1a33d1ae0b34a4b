"""Rule 10 at the edge: bad bytes and out-of-range numbers are a 400 before any view or query sees them.

Checked for every request: the path, the query string, form fields (names and values) and JSON bodies:
- control characters, lone surrogates and U+FFFE/U+FFFF (no database or document can hold all of them);
- integers beyond what an id or counter column holds (PostgreSQL `integer`), in the places that
  carry numbers: every query parameter except the free-text search `q`, the numeric form fields, and
  JSON keys that name ids; path segments are bounded by the `int` converter (beyond it: 404);
- JSON nested deeper than the API takes.
Views still validate meaning (a well-formed id that does not exist is their 404 or 422).
"""
from __future__ import annotations

import re
from typing import NoReturn
from urllib.parse import unquote_to_bytes

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

INT_MAX = 2**31 - 1          # PostgreSQL integer, the type of every id and counter column
JSON_INT_MAX = 2**53         # beyond it a JSON number is not exact in most clients
MAX_DEPTH = 5
FREE_TEXT_ARGS = frozenset({"q"})
NUMERIC_FORM_FIELDS = frozenset({"version", "agenda_item_id", "meeting_id", "assignee_id", "commitment_id", "previous_report_id",
                                 "recommendation_ids", "user_id", "duration_minutes", "progress"})
# Control characters (all of U+0000-U+001F but tab, newline and carriage return), lone surrogates and the two
# non-characters XML cannot hold: no document could carry them (rule 10). DOCUMENT_UNSAFE is the same set for writers.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
DOCUMENT_UNSAFE = _BAD_CHARS
REFUSED = _l("Er staan tekens in de aanvraag die niet zijn toegestaan (zoals een NUL-teken of een ander stuurteken).")
_DIGITS = re.compile(r"[+-]?\d+")


class BoundedInt(IntegerConverter):
    """`<int:...>` in every route: at most INT_MAX, so an id no column can hold is simply not found."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def bounded_int(raw: object, digits: int = 9) -> int | None:
    """A whole number a person or a link gave as text (an id, a version, a page), or None when it is not one (not text,
    not ASCII digits) or longer than `digits` (so it always fits the database's integer)."""
    return int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= digits else None


def _bad_text(value: str) -> bool:
    return bool(_BAD_CHARS.search(value))


def _too_big(value: str) -> bool:
    return bool(_DIGITS.fullmatch(value.strip())) and abs(int(value)) > INT_MAX


class BadInput(BadRequest):
    """400 with a message for the user (the API returns it as error.message)."""


def _refuse(message) -> NoReturn:
    """400 with the message in the request's language (a lazy string, read when the error is answered)."""
    raise BadInput(description=message)


def _check_pairs(pairs, numeric) -> None:
    for name, value in pairs:
        if _bad_text(name) or (isinstance(value, str) and _bad_text(value)):
            _refuse(REFUSED)
        if isinstance(value, str) and numeric(name) and _too_big(value):
            _refuse(_l("Het getal in '%(name)s' is te groot.", name=name))


def _id_key(key: str | None) -> bool:
    return key is not None and (key == "id" or key.endswith("_id") or key.endswith("_ids") or key == "agenda")


def json_depth(value, level: int = 1, limit: int = MAX_DEPTH) -> int:
    """How deep a parsed JSON value nests (a scalar at the top is 1, {"a": 1} is 2); stops counting just past `limit`."""
    if level > limit or not isinstance(value, dict | list):
        return level
    children = value.values() if isinstance(value, dict) else value
    return max([json_depth(v, level + 1, limit) for v in children] or [level])


def _check_json(value, key: str | None = None) -> None:
    """Every string and number in a JSON value (whose depth is already bounded)."""
    if isinstance(value, str):
        if _bad_text(value):
            _refuse(REFUSED)
    elif isinstance(value, bool) or value is None or isinstance(value, float):
        return
    elif isinstance(value, int):
        if abs(value) > (INT_MAX if _id_key(key) else JSON_INT_MAX):
            _refuse(_l("Het getal in '%(name)s' is te groot.", name=key))
    elif isinstance(value, dict):
        for k, v in value.items():
            if _bad_text(k):
                _refuse(REFUSED)
            _check_json(v, k)
    elif isinstance(value, list):
        for v in value:
            _check_json(v, key)


def check_request() -> None:
    """before_request: refuse what no view should have to handle."""
    try:
        unquote_to_bytes(request.query_string).decode("utf-8")
    except UnicodeDecodeError:
        _refuse(_l("Het adres bevat tekens die geen geldige UTF-8 zijn."))
    _check_pairs(request.args.items(multi=True), lambda name: name not in FREE_TEXT_ARGS)
    _check_pairs((request.view_args or {}).items(), lambda _name: False)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        _check_body()
    for name, value in request.headers.items():
        if _bad_text(name) or _bad_text(value):
            _refuse(_l("Een header bevat tekens die niet zijn toegestaan."))


def _check_body() -> None:
    """A form's names, values and file names, or a JSON body's syntax, depth and text."""
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        names = [*request.form.keys(), *request.files.keys()]
        if not all(isinstance(name, str) for name in names):
            _refuse(_l("De inhoud van het formulier is niet goed opgebouwd."))  # e.g. a multipart part named `a\`
        _check_pairs(request.form.items(multi=True), lambda name: name in NUMERIC_FORM_FIELDS)
        for name, upload in request.files.items(multi=True):
            if _bad_text(name) or _bad_text(upload.filename or ""):
                _refuse(_l("De bestandsnaam bevat tekens die niet zijn toegestaan."))
    elif request.is_json:
        body = request.get_json(silent=True)
        if body is None and request.get_data(cache=True):
            _refuse(_l("De inhoud is geen geldige JSON."))
        if json_depth(body) > MAX_DEPTH:
            _refuse(_l("Het JSON-object is te diep genest (hoogstens %(max)d).", max=MAX_DEPTH))
        _check_json(body)


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: the bounded `int` converter applies to every route."""
    app.url_map.converters["int"] = BoundedInt
