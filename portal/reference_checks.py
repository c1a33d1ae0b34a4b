"""Reading the reference data file with its problems said as file:line: message (used by reference_file.py)."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal, NoReturn, overload


class ReferenceDataError(Exception):
    def __init__(self, path: str, line: int | None, problem: str):
        self.path, self.line, self.problem = path, line, problem
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {problem}")


class Checker:
    """Small typed accessors that turn every problem into file:line: message."""

    def __init__(self, path: str):
        self.path = path

    def fail(self, node, problem: str) -> NoReturn:
        raise ReferenceDataError(self.path, getattr(node, "line", None), problem)

    def mapping(self, node, what: str, allowed: set[str], required: set[str]) -> dict:
        """The node, a mapping with the allowed fields and the required ones (from YAML: a LineMap, which knows its line)."""
        if not isinstance(node, dict):
            self.fail(node, f"{what}: expected a mapping")
        unknown = set(node) - allowed
        if unknown:
            self.fail(node, f"{what}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
        missing = required - set(node)
        if missing:
            self.fail(node, f"{what}: missing field(s) {', '.join(sorted(missing))}")
        return node

    def list(self, parent, key: str, what: str) -> list:
        value = parent.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(parent, f"{what}: '{key}' must be a list")
        return value

    @overload
    def text(self, node, key: str, what: str, optional: Literal[False] = False, pattern: str | None = None) -> str: ...

    @overload
    def text(self, node, key: str, what: str, optional: bool, pattern: str | None = None) -> str | None: ...

    def text(self, node, key: str, what: str, optional: bool = False, pattern: str | None = None) -> str | None:
        value = node.get(key)
        if value is None and optional:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.fail(node, f"{what}: '{key}' must be non-empty text")
        if pattern and not re.fullmatch(pattern, value):
            self.fail(node, f"{what}: '{key}' {value!r} does not match {pattern}")
        return value.strip()

    @overload
    def integer(self, node, key: str, what: str, optional: Literal[False] = False, minimum: int | None = None) -> int: ...

    @overload
    def integer(self, node, key: str, what: str, optional: bool, minimum: int | None = None) -> int | None: ...

    def integer(self, node, key: str, what: str, optional: bool = False, minimum: int | None = None) -> int | None:
        value = node.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(node, f"{what}: '{key}' must be a whole number")
        if minimum is not None and value < minimum:
            self.fail(node, f"{what}: '{key}' must be at least {minimum}")
        return value

    @overload
    def day(self, node, key: str, what: str, optional: Literal[False] = False) -> date: ...

    @overload
    def day(self, node, key: str, what: str, optional: bool) -> date | None: ...

    def day(self, node, key: str, what: str, optional: bool = False) -> date | None:
        value = node.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, date) or isinstance(value, datetime):
            self.fail(node, f"{what}: '{key}' must be a date (YYYY-MM-DD)")
        return value

    def number(self, node, value, what: str) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.fail(node, f"{what}: must be a number or empty")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(node, f"{what}: {value!r} is not a number")
        if not number.is_finite():
            self.fail(node, f"{what}: {value!r} is not a finite number")
        return number

    def _one_of(self, node, key: str, known, optional: bool, problem):
        value = node.get(key)
        if value is None and optional:
            return None
        if value not in known:
            self.fail(node, problem(value))
        return value

    def choice(self, node, key: str, what: str, choices, optional: bool = True) -> str | None:
        return self._one_of(node, key, choices, optional, lambda _value: f"{what}: '{key}' must be one of {', '.join(map(str, choices))}")

    def ref(self, node, key: str, what: str, known, optional: bool = False):
        return self._one_of(node, key, known, optional, lambda value: f"{what}: '{key}' {value!r} is not defined in this file")
