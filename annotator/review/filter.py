"""Reading the review filter the user typed: comma-separated names, labels, statuses, ids."""

from __future__ import annotations

from dataclasses import dataclass

from annotator.text.bounds import ID_MAX, check_string
from db.filters import AnnotationFilter
from db.models import LABELS, STATUSES
from db.read_models import REVIEW_SORTS, REVIEWED_CHOICES, ReviewQuery


@dataclass(frozen=True)
class FilterFields:
    """The filter dialog's fields as typed."""

    annotators: str = ""
    labels: str = ""
    statuses: str = ""
    documents: str = ""
    text: str = ""
    reviewed: str = "any"
    sort: str = "position"


def _short(item: str) -> str:
    return item if len(item) <= 40 else item[:40] + "…"


def _items(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item.strip() for item in text.split(",") if item.strip()))


def _choices(text: str, allowed: tuple[str, ...], what: str) -> tuple[str, ...]:
    items = tuple(item.lower() for item in _items(text))
    unknown = [item for item in items if item not in allowed]
    if unknown:
        raise ValueError(f"unknown {what} {unknown[0]!r}; expected {', '.join(allowed)}")
    return items


def parse_filter(fields: FilterFields) -> ReviewQuery:
    """The query the fields describe; ``ValueError`` names the first field that is wrong."""
    documents: list[int] = []
    for item in _items(fields.documents):
        if not (item.isascii() and item.isdigit()):
            raise ValueError(f"document ids are numbers, not {_short(item)!r}")
        if len(item) > len(str(ID_MAX)) or not 1 <= int(item) <= ID_MAX:
            raise ValueError(f"no document can have id {_short(item)} (ids are 1 to {ID_MAX})")
        documents.append(int(item))
    reviewed = fields.reviewed.strip().lower() or "any"
    if reviewed not in REVIEWED_CHOICES:
        raise ValueError(f"reviewed is one of {', '.join(REVIEWED_CHOICES)}, not {reviewed!r}")
    sort = fields.sort.strip().lower() or "position"
    if sort not in REVIEW_SORTS:
        raise ValueError(f"sort is one of {', '.join(REVIEW_SORTS)}, not {sort!r}")
    annotators = _items(fields.annotators)
    for name in annotators:  # PostgreSQL refuses a NUL even in a query: refused here on both
        check_string(name, "an annotator name")
    text = check_string(fields.text.strip(), "the text")
    selection = AnnotationFilter(
        annotators=annotators,
        labels=_choices(fields.labels, LABELS, "label"),
        statuses=_choices(fields.statuses, STATUSES, "status"),
        document_ids=tuple(documents),
    )
    return ReviewQuery(selection=selection, text=text, reviewed=reviewed,
                       sort=sort)


def filter_fields(query: ReviewQuery) -> FilterFields:
    """The fields that show ``query`` (the dialog opens with them)."""
    chosen = query.selection
    return FilterFields(
        annotators=", ".join(chosen.annotators), labels=", ".join(chosen.labels),
        statuses=", ".join(chosen.statuses),
        documents=", ".join(map(str, chosen.document_ids)), text=query.text,
        reviewed=query.reviewed, sort=query.sort,
    )
