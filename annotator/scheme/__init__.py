"""The project's annotation scheme: labels, source types, reporting cues and known sources."""

from annotator.scheme.definition import (
    KnownSource,
    Scheme,
    SchemeError,
    SourceType,
    default_scheme,
    load_scheme,
)

__all__ = ["KnownSource", "Scheme", "SchemeError", "SourceType", "default_scheme", "load_scheme"]
