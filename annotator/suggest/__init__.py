"""Suggested claim, source and figure spans for a sentence in its document (no Textual, no db)."""

from annotator.suggest.model import KnownSource, SuggestedSpan
from annotator.suggest.scheme import Scheme, SchemeError, SourceType, default_scheme, load_scheme
from annotator.suggest.suggester import Suggester

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
