"""Statements built once and reused: `@built` on a function that builds a SELECT from hashable arguments (a visibility
scope, a day, ids) keeps what it built per distinct arguments.

Building a statement and computing its key for SQLAlchemy's compiled-SQL cache costs about as much as running a small
one (1-3 ms for the tallies' roll-up); a statement object built once carries its key (SQLAlchemy memoizes it).
The rule that keeps it safe: a builder reads nothing but its arguments. It takes the viewer's scope
(portal.visibility.ViewerScope, what the rule reads), never a User, so that equal arguments mean an equal statement;
a User passed in is refused.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import lru_cache, wraps
from typing import TypeVar

from sqlalchemy import ColumnElement, Integer, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY

from models import User

T = TypeVar("T")
SIZE = 256  # per builder: scopes (organisations) x days x filters in use at once


def built(builder: Callable[..., T]) -> Callable[..., T]:
    """The builder's statement per distinct (positional) arguments."""
    cached = lru_cache(maxsize=SIZE)(builder)

    @wraps(builder)
    def statement(*args: Hashable) -> T:
        if any(isinstance(a, User) for a in args):
            raise TypeError(f"{builder.__name__}: pass the viewer's scope, not a User")
        return cached(*args)

    return statement


def among(dialect: str, column, name: str) -> ColumnElement[bool]:
    """column IN the ids given as parameter `name`. On PostgreSQL one array parameter (= ANY): one statement text
    whatever the number of ids (an expanded IN is a new text, and a new prepared statement, per count), and not
    hundreds of bound values."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(Integer)))
    return column.in_(bindparam(name, expanding=True))
