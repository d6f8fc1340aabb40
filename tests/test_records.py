"""frozen_record: the suggester's records keep every frozen dataclass behaviour."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from annotator.suggest.frozen_record import frozen_record
from annotator.suggest.model import SuggestedSpan
from db.values import Figure


@frozen_record
class _Example:
    name: str
    count: int = 3
    tags: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class _Reference:
    name: str
    count: int = 3
    tags: list[str] = dataclasses.field(default_factory=list)


def test_signature_and_defaults_match_a_frozen_dataclass() -> None:
    assert list(inspect.signature(_Example).parameters) == ["name", "count", "tags"]
    assert _Example("a") == _Example(name="a", count=3, tags=[])
    assert repr(_Example("a", 5)) == "_Example(name='a', count=5, tags=[])"
    assert _Example("a").tags is not _Example("a").tags  # a fresh list each time


def test_frozen_hashable_and_replaceable() -> None:
    record = _Example("a", 5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.count = 6  # type: ignore[misc]
    assert hash(_Example("a", 5, ())) == hash(_Example("a", 5, ()))  # type: ignore[arg-type]
    assert dataclasses.replace(record, count=7) == _Example("a", 7)
    assert dataclasses.asdict(record) == dataclasses.asdict(_Reference("a", 5))


def test_missing_argument_fails_like_a_dataclass() -> None:
    with pytest.raises(TypeError):
        _Example()  # type: ignore[call-arg]


def test_unsupported_classes_are_refused() -> None:
    with pytest.raises(TypeError):

        @frozen_record
        class _WithPostInit:
            name: str

            def __post_init__(self) -> None:
                pass


def test_suggested_span_and_parsed_figure_keep_their_fields() -> None:
    span = SuggestedSpan("figure", 0, 2, "12", "number", figure=Figure(12.0))
    assert span.attrs == {} and span.attributed_to is None
    assert dataclasses.replace(span, end=1).end == 1
    figure = Figure(12.0, "people", None)
    assert figure == Figure(value=12.0, unit="people", qualifier=None, value_max=None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        figure.value = 1.0  # type: ignore[misc]
