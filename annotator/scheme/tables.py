"""The active annotation scheme as Rich tables for `annotator labels`."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table

from annotator.scheme.definition import Scheme
from annotator.text.visible import verbatim


def scheme_renderables(scheme: Scheme) -> list[RenderableType]:
    """Heading, labels, source types, cue counts and known sources; text is never markup."""
    labels = Table("label", "description", title="Labels", title_justify="left")
    for key, description in scheme.labels:
        labels.add_row(verbatim(key), verbatim(description))
    types = Table("source type", "description", title="Source types", title_justify="left")
    for item in scheme.source_types:
        types.add_row(verbatim(item.key), verbatim(item.description))
    cues = verbatim(
        f"reporting cues: {len(scheme.cue_verbs) + len(scheme.weak_cue_verbs)} verbs, "
        f"{len(scheme.according_phrases)} 'according to' phrases, "
        f"{len(scheme.participle_cues)} participles"
    )
    known = Table("known source", "type", "aliases", title="Known sources", title_justify="left")
    for source in scheme.known_sources:
        known.add_row(verbatim(source.name), verbatim(source.source_type or ""),
                      verbatim(", ".join(source.aliases)))
    heading = verbatim(f"scheme version {scheme.version} ({scheme.origin})")
    return [heading, labels, types, cues, known]
