"""Reading the review filter dialog's fields (pure)."""

from __future__ import annotations

import pytest

from annotator.review.filter import FilterFields, filter_fields, parse_filter
from db.filters import AnnotationFilter
from db.read_models import ReviewQuery


def test_fields_become_a_query() -> None:
    query = parse_filter(FilterFields(
        annotators=" ana, bob ,ana,", labels="Claim, figure", statuses="suggested",
        documents="3, 12", text="  160,000 ", reviewed="NO", sort="Label"))
    assert query == ReviewQuery(
        AnnotationFilter(("ana", "bob"), ("claim", "figure"), ("suggested",), (3, 12)),
        text="160,000", reviewed="no", sort="label")


def test_empty_fields_mean_everything() -> None:
    assert parse_filter(FilterFields(reviewed="", sort="")) == ReviewQuery()


@pytest.mark.parametrize(("fields", "message"), [
    (FilterFields(labels="claim, quote"), "unknown label 'quote'"),
    (FilterFields(statuses="done"), "unknown status 'done'"),
    (FilterFields(documents="3, x"), "document ids are numbers, not 'x'"),
    (FilterFields(reviewed="maybe"), "reviewed is one of any, yes, no"),
    (FilterFields(sort="size"), "sort is one of position"),
])
def test_wrong_fields_are_named(fields: FilterFields, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_filter(fields)


def test_a_query_round_trips_through_the_fields() -> None:
    query = ReviewQuery(AnnotationFilter(("ana",), ("source",), ("rejected", "accepted"), (7,)),
                        text="Hamas", reviewed="yes", sort="newest")
    assert parse_filter(filter_fields(query)) == query
    assert query.describe() == ("annotator=ana label=source status=rejected,accepted "
                                "document=7 text~'Hamas' reviewed=yes · sorted by newest")
