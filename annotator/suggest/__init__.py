"""Suggested claim, source and figure spans for a sentence in its document (no Textual, no db).

Names are imported on first use, so that importing the package does not compile the suggester's
patterns.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotator.suggest.model import SuggestedSpan
    from annotator.suggest.suggester import Suggester

_HOMES = {
    "SuggestedSpan": "annotator.suggest.model",
    "Suggester": "annotator.suggest.suggester",
}

__all__ = ["SuggestedSpan", "Suggester"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(home), name)
