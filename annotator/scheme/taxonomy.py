"""The label scheme: annotation labels and the taxonomy of source types.

Both come from the scheme file (``annotator/scheme/scheme.toml``, see
``annotator/scheme/definition.py``), so the source picker, exports and the suggester share one
list.
"""

from __future__ import annotations

from annotator.scheme.definition import LABEL_KEYS, Scheme, default_scheme

LABELS = LABEL_KEYS


def source_types(scheme: Scheme | None = None) -> tuple[tuple[str, str], ...]:
    """(key, description) pairs of ``scheme`` (the default scheme when None), in display order."""
    active = scheme or default_scheme()
    return tuple((item.key, item.description) for item in active.source_types)


# (key, description): keys are what is stored and exported.
SOURCE_TYPES: tuple[tuple[str, str], ...] = source_types()
