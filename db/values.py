"""Value objects shared by every layer: one :class:`Figure`, not a copy of its fields per record.

They live in ``db/`` because ``db/`` imports nothing above it, so the persistence layer's
records, the figure parser, the suggester and the screens can all use the same class.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Figure", "figure_columns", "figure_of"]


@dataclass(frozen=True)
class Figure:
    """A figure span's normalized number, unit and qualifier.

    ``value`` is ``None`` when an annotator gave a unit or qualifier but no number.
    ``value_max`` is the high end of a range ("10-15 crossings"); a stored annotation keeps it
    in its ``attrs``, so records read from the database carry it only where they read those.
    """

    value: float | None
    unit: str | None = None
    qualifier: str | None = None
    value_max: float | None = None

    def __init__(
        self,
        value: float | None,
        unit: str | None = None,
        qualifier: str | None = None,
        value_max: float | None = None,
    ) -> None:
        # One dictionary assignment instead of the frozen dataclass's four object.__setattr__
        # calls: the suggester builds a figure for every number it finds.
        object.__setattr__(
            self,
            "__dict__",
            {"value": value, "unit": unit, "qualifier": qualifier, "value_max": value_max},
        )

    @property
    def known(self) -> bool:
        """Whether it says anything worth showing: a value or a unit."""
        return self.value is not None or bool(self.unit)


def figure_of(
    value: float | None, unit: str | None, qualifier: str | None
) -> Figure | None:
    """The figure of three stored columns; ``None`` when all three are unset (no figure)."""
    if value is None and unit is None and qualifier is None:
        return None
    return Figure(value, unit, qualifier)


_NO_FIGURE: dict[str, float | str | None] = {
    "figure_value": None, "figure_unit": None, "figure_qualifier": None,
}


def figure_columns(figure: Figure | None) -> dict[str, float | str | None]:
    """The annotation columns that store ``figure`` (all unset for no figure), for a write.

    ``value_max`` has no column: it is kept in the annotation's ``attrs``.
    """
    if figure is None:
        return dict(_NO_FIGURE)
    return {"figure_value": figure.value, "figure_unit": figure.unit,
            "figure_qualifier": figure.qualifier}
