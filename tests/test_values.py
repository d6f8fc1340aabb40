"""One Figure value: its behaviour, and that no other class carries a figure's fields."""

from __future__ import annotations

import ast
import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from annotator.review.session import annotation_view
from annotator.tui.render import figure_summary
from db.read_models import AnnotationView, ReviewRow, SpanCore, SpanVersion
from db.values import Figure, figure_columns, figure_of

REPO = Path(__file__).resolve().parents[1]
# The ORM model maps the stored columns; migrations are history. Everything else uses Figure.
EXCLUDED = {REPO / "db" / "models.py"}
COLUMN_FIELDS = {"figure_value", "figure_unit", "figure_qualifier"}
FIGURE_FIELDS = {"value", "unit", "qualifier", "value_max"}


def _class_fields() -> dict[str, set[str]]:
    """Every class in annotator/ and db/ with the names it declares in its body."""
    found: dict[str, set[str]] = {}
    for top in ("annotator", "db"):
        for path in (REPO / top).rglob("*.py"):
            if path in EXCLUDED or "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    names = {
                        item.target.id for item in node.body
                        if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
                    }
                    found[f"{path.relative_to(REPO)}:{node.name}"] = names
    return found


def test_figure_fields_live_in_one_value_class() -> None:
    classes = _class_fields()
    assert "db/values.py:Figure" in classes  # the walk sees the tree
    with_columns = sorted(name for name, fields in classes.items() if fields & COLUMN_FIELDS)
    assert with_columns == []
    # A class declaring two or more of a figure's parts is a second copy of Figure.
    copies = sorted(name for name, fields in classes.items()
                    if len(fields & FIGURE_FIELDS) >= 2)
    assert copies == ["db/values.py:Figure"]


def test_the_read_models_of_one_annotation_share_their_span_fields() -> None:
    core = {field.name for field in dataclasses.fields(SpanCore)}
    assert {"id", "label", "start", "end", "text", "figure"} <= core
    classes = _class_fields()
    for record in (AnnotationView, ReviewRow, SpanVersion):
        assert issubclass(record, SpanCore)
        declared = classes[f"db/read_models.py:{record.__name__}"]
        assert not declared & core, record  # inherited, never declared again


def test_figure_of_is_none_only_when_nothing_is_set() -> None:
    assert figure_of(None, None, None) is None
    assert figure_of(5.0, None, None) == Figure(5.0)
    assert figure_of(None, "USD", None) == Figure(None, "USD")
    assert figure_of(None, None, "over") == Figure(None, None, "over")
    assert figure_of(None, "", None) == Figure(None, "")  # an empty unit is still stored


def test_figure_columns_round_trip() -> None:
    assert figure_columns(None) == {
        "figure_value": None, "figure_unit": None, "figure_qualifier": None}
    columns = figure_columns(Figure(10.0, "crossings", "about", 15.0))
    assert columns == {"figure_value": 10.0, "figure_unit": "crossings",
                       "figure_qualifier": "about"}  # value_max lives in attrs
    assert figure_of(*columns.values()) == Figure(10.0, "crossings", "about")
    columns["figure_unit"] = "changed"
    assert figure_columns(None)["figure_unit"] is None  # each call returns its own dict


def test_figure_behaves_like_a_frozen_dataclass() -> None:
    figure = Figure(12.0, "people")
    assert figure == Figure(value=12.0, unit="people", qualifier=None, value_max=None)
    assert figure != Figure(12.0, "people", value_max=13.0)
    assert hash(figure) == hash(Figure(12.0, "people"))
    assert repr(figure) == "Figure(value=12.0, unit='people', qualifier=None, value_max=None)"
    assert dataclasses.replace(figure, qualifier="over") == Figure(12.0, "people", "over")
    with pytest.raises(dataclasses.FrozenInstanceError):
        figure.value = 1.0  # type: ignore[misc]


def test_known_means_a_value_or_a_unit() -> None:
    assert Figure(0.0).known
    assert Figure(None, "USD").known
    assert not Figure(None, None, "over").known
    assert not Figure(None, "").known


@pytest.mark.parametrize(
    ("figure", "expected"),
    [
        (None, None),
        (Figure(None, None, "over"), None),
        (Figure(160_000.0, "people", "over"), "over 160,000 people"),
        (Figure(None, "USD"), "? USD"),
        (Figure(2.5), "2.5"),
        (Figure(53e9, "USD", None, 60e9), "53,000,000,000 USD"),
    ],
)
def test_figure_summary(figure: Figure | None, expected: str | None) -> None:
    assert figure_summary(figure) == expected


def test_a_review_row_becomes_an_annotation_view_with_the_same_span() -> None:
    row = ReviewRow(
        id=7, annotator="ana", label="figure", start=3, end=9, text="over 5", status="accepted",
        source_name="Hamas", source_type="party", figure=Figure(5.0, None, "over"),
        document_id=1, document_title="doc", sentence_id=4, sentence_index=0, origin="manual",
        source_id=2, attributed_text=None, attributed_source=None, note=None, reviewed_by=None,
        reviewed_at=datetime(2026, 1, 1, tzinfo=UTC), sort_key=(1, 7),
    )
    view = annotation_view(row)
    for field in dataclasses.fields(SpanCore):
        assert getattr(view, field.name) == getattr(row, field.name), field.name
    assert (view.sentence_id, view.origin, view.source_id) == (4, "manual", 2)
