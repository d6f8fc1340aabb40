"""What the attribute dialogs need from whoever edits: a Workspace or a ReviewSession.

The source picker and the figure form serve the annotation screen (an annotator
editing their own spans) and the review screen (a reviewer editing anyone's);
both facades offer these methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from db.read_models import SourceChoice

if TYPE_CHECKING:
    from annotator.scheme.definition import Scheme


class FigureEditor(Protocol):
    """Stores a figure's normalized value, unit and qualifier."""

    def set_figure(
        self, annotation_id: int, value: float | None, unit: str | None, qualifier: str | None
    ) -> None: ...


class SourceEditor(Protocol):
    """Searches the canonical source registry and maps a span to a source; each choice of
    the picker is one call and one transaction (registering and mapping together);
    ``scheme`` gives the source types and known sources a new source may take."""

    scheme: Scheme

    def find_sources(self, query: str, limit: int = 20) -> list[SourceChoice]: ...

    def set_source(self, annotation_id: int, source_id: int | None) -> None: ...

    def pick_source_with_alias(
        self, annotation_id: int, source_id: int, alias: str | None
    ) -> None: ...

    def create_and_set_source(
        self, annotation_id: int, name: str, source_type: str | None,
        aliases: tuple[str, ...] = (),
    ) -> int: ...
