"""Classifying annotators' spans in a sentence: agreed, partial, only-one, conflicting (pure)."""

from __future__ import annotations

from itertools import count

from hypothesis import given
from hypothesis import strategies as st

from annotator.review.adjudication_session import edges_for
from annotator.review.versions import (
    AGREED,
    CONFLICTING,
    KINDS,
    ONLY_ONE,
    PARTIAL,
    agreed_to_take,
    classify,
    count_kinds,
    row_key,
)
from db.adjudication import core_offsets
from db.read_models import SpanVersion
from db.values import figure_of

_ids = count(1)


def version(annotator: str, label: str, start: int, end: int, *, source: str | None = None,
            value: float | None = None, unit: str | None = None, text: str | None = None,
            linked: tuple[tuple[int, int], ...] = (), status: str = "accepted",
            decision: str | None = None) -> SpanVersion:
    """A version; a claim's ``source`` is the canonical source it is attributed to."""
    is_claim = label == "claim"
    return SpanVersion(
        id=next(_ids), annotator=annotator, label=label, start=start, end=end,
        text="x" * (end - start) if text is None else text, status=status,
        source_name=None if is_claim else source, source_type=None,
        figure=figure_of(value, unit, None),
        attribution=(f"source:{source}" if source else "none") if is_claim else None,
        attribution_text=(source or "not attributed") if is_claim else None,
        linked=linked, linked_text=tuple(f"#{start}" for start, _end in linked),
        decision=decision,
    )


def kinds(groups) -> list[tuple[int, int, str]]:
    return [(group.start, group.end, group.kind) for group in groups]


def test_same_span_same_label_is_agreed() -> None:
    groups = classify([version("a", "claim", 0, 5), version("b", "claim", 0, 5)], ("a", "b"))
    assert kinds(groups) == [(0, 5, AGREED)]
    assert [v.annotator for v in groups[0].versions] == ["a", "b"]


def test_one_annotator_only() -> None:
    groups = classify([version("a", "claim", 0, 5), version("b", "claim", 0, 6)], ("a", "b"))
    # Offsets differing by a character other than punctuation are different spans.
    assert kinds(groups) == [(0, 5, ONLY_ONE), (0, 6, ONLY_ONE)]


def test_spans_differing_only_in_edge_punctuation_and_quotes_are_one_row() -> None:
    # “Hamas said,” and Hamas said: one row, a disagreement on the span's edges.
    plain = version("a", "claim", 1, 11, text="Hamas said")
    quoted = version("b", "claim", 0, 13, text="“Hamas said,”")
    typewriter = version("c", "claim", 0, 12, text="'Hamas said'")
    groups = classify([plain, quoted, typewriter], ("a", "b", "c"))
    assert kinds(groups) == [(1, 11, CONFLICTING)]
    assert groups[0].text == "Hamas said"
    assert groups[0].differences() == ("span",)
    described = groups[0].described_differences()[0]
    assert described.values == (("«Hamas said»", ("a",)), ("«“Hamas said,”»", ("b",)),
                                 ("«'Hamas said'»", ("c",)))
    # Only punctuation and spaces are stripped: a word more is another span.
    longer = version("b", "claim", 1, 16, text="Hamas said on")
    assert len(classify([plain, longer], ("a", "b"))) == 2


def test_claims_attributed_to_different_sources_conflict_and_say_how() -> None:
    hamas = version("a", "claim", 0, 5, source="Hamas")
    army = version("b", "claim", 0, 5, source="Israeli army")
    groups = classify([hamas, army], ("a", "b"))
    assert kinds(groups) == [(0, 5, CONFLICTING)]
    assert groups[0].differences() == ("source",)
    assert groups[0].described_differences()[0].values == (
        ("Hamas", ("a",)), ("Israeli army", ("b",)))
    assert agreed_to_take(groups) == []
    # Attributed or not: a conflict too; the same source on both sides agrees.
    assert classify([hamas, version("b", "claim", 0, 5)], ("a", "b"))[0].kind == CONFLICTING
    same = classify([hamas, version("b", "claim", 0, 5, source="Hamas")], ("a", "b"))
    assert same[0].kind == AGREED and agreed_to_take(same) == [hamas]


def test_claims_with_different_supporting_figures_conflict() -> None:
    groups = classify([version("a", "claim", 0, 5, linked=((20, 25),)),
                       version("b", "claim", 0, 5)], ("a", "b"))
    assert groups[0].kind == CONFLICTING and groups[0].differences() == ("links",)
    figures = classify([version("a", "figure", 0, 5, value=3, linked=((20, 25),)),
                        version("b", "figure", 0, 5, value=3, linked=((20, 25),))], ("a", "b"))
    assert figures[0].kind == AGREED


def test_different_label_conflicts() -> None:
    groups = classify([version("a", "claim", 0, 5), version("b", "figure", 0, 5)], ("a", "b"))
    assert kinds(groups) == [(0, 5, CONFLICTING)]
    assert groups[0].differences() == ("label",)
    assert groups[0].labels == ("claim", "figure")


def test_different_source_conflicts() -> None:
    groups = classify([version("a", "source", 0, 5, source="Hamas"),
                       version("b", "source", 0, 5, source="Egypt")], ("a", "b"))
    assert kinds(groups) == [(0, 5, CONFLICTING)]
    assert groups[0].differences() == ("source",)


def test_different_figure_value_conflicts() -> None:
    groups = classify([version("a", "figure", 0, 5, value=160000, unit="people"),
                       version("b", "figure", 0, 5, value=16000, unit="people")], ("a", "b"))
    assert groups[0].kind == CONFLICTING
    assert groups[0].differences() == ("figure",)


def test_two_labels_by_one_annotator_are_compared_label_by_label() -> None:
    groups = classify([version("a", "claim", 0, 5), version("a", "figure", 0, 5),
                       version("b", "figure", 0, 5)], ("a", "b"))
    assert [(g.versions[0].label, g.kind) for g in groups] == [
        ("claim", ONLY_ONE), ("figure", AGREED)]


def test_partial_agreement_with_three_annotators() -> None:
    groups = classify([version("a", "claim", 0, 5), version("b", "claim", 0, 5)],
                      ("a", "b", "c"))
    assert kinds(groups) == [(0, 5, PARTIAL)]


def test_other_annotators_are_ignored_and_groups_come_in_text_order() -> None:
    groups = classify([version("z", "claim", 0, 3), version("b", "claim", 9, 12),
                       version("a", "claim", 2, 4)], ("a", "b"))
    assert kinds(groups) == [(2, 4, ONLY_ONE), (9, 12, ONLY_ONE)]


def test_gold_marks_what_was_taken_and_agreed_to_take_skips_it() -> None:
    a, b = version("a", "claim", 0, 5), version("b", "claim", 0, 5)
    other_a, other_b = version("a", "figure", 7, 9), version("b", "figure", 7, 9)
    gold = version("gold", "claim", 0, 5)
    groups = classify([a, b, other_a, other_b], ("a", "b"), [gold])
    assert groups[0].in_gold(a) and groups[0].settled
    assert not groups[1].settled
    assert agreed_to_take(groups) == [other_a]
    # Gold with another source than every version is not a taken version.
    stale = version("gold", "claim", 0, 5, source="Someone")
    assert not classify([a, b], ("a", "b"), [stale])[0].settled


def test_rejecting_both_or_an_edited_gold_span_decides_the_row() -> None:
    a = version("a", "claim", 0, 5, source="Hamas")
    b = version("b", "claim", 0, 5, source="Israeli army")
    undecided = classify([a, b], ("a", "b"))[0]
    assert not undecided.settled and not undecided.rejected
    neither = version("gold", "claim", 0, 5, status="rejected", decision="none")
    group = classify([a, b], ("a", "b"), [neither])[0]
    assert group.rejected and group.settled and not group.in_gold(a)
    edited = version("gold", "claim", 0, 5, source="Fatah", decision="edited")
    group = classify([a, b], ("a", "b"), [edited])[0]
    assert group.edited and group.settled and not group.rejected
    # An agreed row decided as "neither" is not taken again by the bulk take.
    agreed = [a, version("b", "claim", 0, 5, source="Hamas")]
    assert agreed_to_take(classify(agreed, ("a", "b"), [neither])) == []


def test_count_kinds_reports_every_kind() -> None:
    groups = classify([version("a", "claim", 0, 5), version("b", "claim", 0, 5),
                       version("a", "source", 6, 8)], ("a", "b"))
    assert count_kinds(groups) == {CONFLICTING: 0, ONLY_ONE: 1, PARTIAL: 0, AGREED: 1}


SENTENCE = "“Hamas,” he said: 'it is over.'"

spans = st.builds(
    lambda who, label, start, length, source: version(
        who, label, start, start + length, source=source,
        text=SENTENCE[start:start + length]),
    st.sampled_from(("a", "b", "c")), st.sampled_from(("claim", "source", "figure")),
    st.integers(0, 12), st.integers(1, 8), st.sampled_from((None, "Hamas")),
)


@given(st.lists(spans, max_size=12))
def test_every_version_lands_in_exactly_one_group_of_a_fitting_kind(versions) -> None:
    # One annotator cannot store two spans with the same label and offsets.
    unique = {(v.annotator, v.label, v.start, v.end): v for v in versions}
    versions = list(unique.values())
    groups = classify(versions, ("a", "b", "c"))
    placed = [v.id for group in groups for v in group.versions]
    assert sorted(placed) == sorted(v.id for v in versions)
    for group in groups:
        assert group.kind in KINDS
        assert all(row_key(v) == (group.start, group.end) for v in group.versions)
        who = [v.annotator for v in group.versions]
        assert len(who) == len(set(who))  # one version per annotator in a group
        if group.kind == ONLY_ONE:
            assert len(who) == 1
        elif group.kind == AGREED:
            assert sorted(who) == ["a", "b", "c"]
        if group.kind in (AGREED, PARTIAL):
            assert not group.differences()
        if group.kind == CONFLICTING:
            assert group.differences()


@given(st.text(alphabet="ab “”\"'«».,;:!?()- \n", min_size=1, max_size=12),
       st.integers(0, 50))
def test_core_offsets_strip_only_edge_punctuation_and_are_stable(text: str, start: int) -> None:
    core_start, core_end = core_offsets(text, start, start + len(text))
    assert start <= core_start < core_end <= start + len(text)
    core = text[core_start - start:core_end - start]
    if core != text:  # something was stripped: only punctuation and spaces
        stripped = text[:core_start - start] + text[core_end - start:]
        assert all(c.isspace() or not c.isalnum() for c in stripped)
        assert core[0] in "ab" and core[-1] in "ab"
    assert core_offsets(core, core_start, core_end) == (core_start, core_end)


@given(st.sampled_from(("Hamas", "said", "“Hamas,”", "Hamas,” he", " over. ")),
       st.integers(0, 20), st.integers(1, 10))
def test_edges_for_finds_the_text_in_the_sentence(text: str, start: int, length: int) -> None:
    sentence = "“Hamas,” he said: Hamas is over. Hamas said so."
    near = version("a", "source", start, start + length, text=sentence[start:start + length])
    found_start, found_end = edges_for(sentence, near, text)
    assert sentence[found_start:found_end] == text.strip()
