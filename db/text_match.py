"""Case-insensitive substring and prefix matching that treats user text literally."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func

ESCAPE = "\\"


def _literal(text: str) -> str:
    # %, _ and the escape character itself would otherwise act as LIKE wildcards.
    return (text.lower().replace(ESCAPE, ESCAPE * 2)
            .replace("%", ESCAPE + "%").replace("_", ESCAPE + "_"))


def contains(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    """``column`` contains ``text``, ignoring case."""
    return func.lower(column).like(f"%{_literal(text)}%", escape=ESCAPE)


def starts_with(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    """``column`` starts with ``text``, ignoring case."""
    return func.lower(column).like(f"{_literal(text)}%", escape=ESCAPE)
