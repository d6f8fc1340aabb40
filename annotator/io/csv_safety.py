"""Neutralizing spreadsheet formulas in CSV cells (CSV injection)."""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralize(cell: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would run as a formula; plain numbers stay."""
    if cell.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell
