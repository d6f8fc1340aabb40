"""The label scheme: annotation labels and the taxonomy of source types.

Both come from the scheme in effect (``annotator/scheme/scheme.toml`` or the project's file,
see ``annotator/scheme/definition.py``), which the sessions receive from the CLI, so the
source picker, exports and the suggester share one list. Nothing here is frozen at import:
a project scheme's types reach the picker.
"""

from __future__ import annotations

from annotator.scheme.definition import LABEL_KEYS, Scheme

LABELS = LABEL_KEYS


def source_types(scheme: Scheme) -> tuple[tuple[str, str], ...]:
    """(key, description) pairs of ``scheme``'s source types, in display order; keys are what
    is stored and exported."""
    return tuple((item.key, item.description) for item in scheme.source_types)
