"""Suggested claim, source and figure spans for a sentence in its document (no Textual, no db).

Names are imported on first use, so that reading the scheme (the source picker does) does not
compile the suggester's patterns.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotator.suggest.model import KnownSource, SuggestedSpan
    from annotator.suggest.scheme import (
        Scheme,
        SchemeError,
        SourceType,
        default_scheme,
        load_scheme,
    )
    from annotator.suggest.suggester import Suggester

_HOMES = {
    "KnownSource": "annotator.suggest.model",
    "SuggestedSpan": "annotator.suggest.model",
    "Scheme": "annotator.suggest.scheme",
    "SchemeError": "annotator.suggest.scheme",
    "SourceType": "annotator.suggest.scheme",
    "default_scheme": "annotator.suggest.scheme",
    "load_scheme": "annotator.suggest.scheme",
    "Suggester": "annotator.suggest.suggester",
}

__all__ = [
    "KnownSource",
    "Scheme",
    "SchemeError",
    "SourceType",
    "SuggestedSpan",
    "Suggester",
    "default_scheme",
    "load_scheme",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(home), name)
