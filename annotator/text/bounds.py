"""What a stored name, title or value may hold: the same on SQLite and PostgreSQL.

SQLite stores any string and any float; PostgreSQL refuses NUL characters in text,
strings longer than a ``VARCHAR(n)`` column and (in ``jsonb``) NaN. So that a value is
accepted or refused the same way on both engines, and refused where the user typed or
imported it (in one line naming the field) rather than deep in a transaction, every
boundary (import, the forms of the screens, command-line options) checks with these
functions. The lengths are read from the columns themselves (db/models.py), so there
is one owner of each limit, and the rule itself is db/portable.py's (which ``copy`` and
``merge`` apply to rows already stored).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from typing import Any

from db.models import Annotation, Annotator, Source, SourceAlias
from db.portable import string_problem

# Column lengths (characters), from the schema.
ANNOTATOR_MAX = Annotator.__table__.c.name.type.length
SOURCE_NAME_MAX = Source.__table__.c.name.type.length
SOURCE_TYPE_MAX = Source.__table__.c.source_type.type.length
ALIAS_MAX = SourceAlias.__table__.c.alias.type.length
UNIT_MAX = Annotation.__table__.c.figure_unit.type.length
QUALIFIER_MAX = Annotation.__table__.c.figure_qualifier.type.length
# Ids (and sentence numbers) are INTEGER columns: 32-bit on PostgreSQL, which refuses a
# larger number in a query ("integer out of range"), while the sqlite3 driver cannot send
# one past 2**63 - 1 (OverflowError). No row can have a larger id on either engine, so a
# larger number is refused the same way on both before any query.
ID_MAX = 2**31 - 1
# JSON in imported files: deeper nesting than this is no document's metadata, and the
# decoder (and every later json.dumps) would run out of stack on ~1,000 levels.
JSON_DEPTH_MAX = 64
# Python refuses to convert longer integer literals (sys.int_info.str_digits_check_threshold
# aside, the default limit is 4,300 digits); such a number could be stored but never read back.
INT_DIGITS_MAX = sys.get_int_max_str_digits() or 4300


class BoundsError(ValueError):
    """A value no database column can hold the same way on both engines; one line."""


def check_string(value: str, what: str, limit: int | None = None) -> str:
    """``value`` when both engines store it unchanged; raises :class:`BoundsError` naming
    ``what`` otherwise: a NUL character, an unpaired surrogate, more than ``limit`` characters.
    """
    problem = string_problem(value, limit)
    if problem is not None:
        raise BoundsError(f"{what} {problem}")
    return value


def check_optional(value: str | None, what: str, limit: int | None = None) -> str | None:
    """:func:`check_string` for a value that may be missing."""
    return None if value is None else check_string(value, what, limit)


def check_name(value: str, what: str = "annotator name") -> str:
    """An annotator name as given on the command line or in a file (at most 200 characters)."""
    return check_string(value, what, ANNOTATOR_MAX)


def finite_number(value: Any, what: str) -> float:
    """``value`` as the float a figure stores: a finite int or float, else :class:`BoundsError`.

    An integer past the float range (``10**400``) would be stored as Infinity by SQLite
    and refused by PostgreSQL; NaN and Infinity are not JSON and cannot be exported.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BoundsError(f"{what} must be a number")
    try:
        number = float(value)
    except OverflowError:
        raise BoundsError(f"{what} is too large ({len(str(abs(value))):,} digits; a figure "
                          f"holds at most about {sys.float_info.max:.3g})") from None
    if math.isnan(number):
        raise BoundsError(f"{what} must be a number, not NaN")
    if math.isinf(number):
        raise BoundsError(f"{what} is out of range (a figure holds at most about "
                          f"{sys.float_info.max:.3g})")
    return number


# --- JSON read from a file --------------------------------------------------------------


class _Unusable:
    """Stands, in a decoded JSON value, for a number no engine or exporter can keep."""

    __slots__ = ("why",)

    def __init__(self, why: str) -> None:
        self.why = why


def _constant(name: str) -> _Unusable:  # NaN, Infinity, -Infinity
    return _Unusable(f"{name} is not a number JSON allows")


def _float(text: str) -> float | _Unusable:
    number = float(text)
    return number if math.isfinite(number) else _Unusable(f"{text} is out of range")


def _int(text: str) -> int | _Unusable:
    digits = len(text.lstrip("-"))
    if digits > INT_DIGITS_MAX:
        return _Unusable(f"an integer of {digits:,} digits (at most {INT_DIGITS_MAX:,})")
    return int(text)


JSON_HOOKS: dict[str, Any] = {"parse_constant": _constant, "parse_float": _float,
                              "parse_int": _int}
"""Keyword arguments for :func:`json.loads` that mark, instead of keeping, NaN, Infinity,
floats out of range and integers too long to read back; :func:`json_problem` finds them."""


def _walk(value: Any, path: str, depth: int) -> Iterator[tuple[str, Any, int]]:
    stack = [(path, value, depth)]
    while stack:
        where, item, level = stack.pop()
        yield where, item, level
        if isinstance(item, dict):
            for key, child in reversed(item.items()):
                stack.append((f"{where}.{key}" if where else str(key), child, level + 1))
                if isinstance(key, str):
                    stack.append((f"{where}.{key} (the key)" if where else f"{key} (the key)",
                                  key, level))  # a key is as deep as its object
        elif isinstance(item, list):
            for index, child in reversed(list(enumerate(item, start=1))):
                stack.append((f"{where}[{index}]", child, level + 1))


def json_problem(value: Any, *, skip: frozenset[str] = frozenset()) -> str | None:
    """The first thing in decoded JSON ``value`` that cannot be stored the same on both
    engines and written back as valid JSON, as ``"FIELD: what"``; ``None`` when all is well.

    Checks nesting depth, the numbers :data:`JSON_HOOKS` marked, and NUL characters and
    unpaired surrogates in every string and key, except at the paths in ``skip`` (the
    document text, which reports its own offsets).
    """
    for where, item, level in _walk(value, "", 0):
        if level > JSON_DEPTH_MAX:
            return f"{where}: nested more than {JSON_DEPTH_MAX} levels deep"
        if isinstance(item, _Unusable):
            return f"{where}: {item.why}"
        if isinstance(item, str) and where not in skip:
            try:
                check_string(item, where)
            except BoundsError as error:
                return str(error)
    return None
