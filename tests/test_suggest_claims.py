"""Claim suggestions: the content clause governed by a cue, linked to its source span."""

from __future__ import annotations

import pytest

from annotator.suggest import SuggestedSpan, Suggester

SUGGESTER = Suggester()


def claims(sentence: str, *previous: str) -> list[tuple[str, str]]:
    """(claim text, its source's text) pairs."""
    spans = SUGGESTER.suggest_sentence(sentence, previous)
    pairs = []
    for span in spans:
        if span.label == "claim":
            assert span.attributed_to is not None
            source = spans[span.attributed_to]
            assert source.label == "source"
            pairs.append((span.text, source.text))
    return pairs


@pytest.mark.parametrize(
    ("sentence", "claim", "source"),
    [
        ("Hamas said in a statement that it had received the proposal and was studying it.",
         "it had received the proposal and was studying it", "Hamas"),
        ("The ministry said between 10 and 15 crossings could reopen three weeks after a deal.",
         "between 10 and 15 crossings could reopen three weeks after a deal", "The ministry"),
        ("Omar Hassan told reporters that delegations had worked through the night.",
         "delegations had worked through the night", "Omar Hassan"),
        ("A senior Qatari official told Reuters that the two sides had narrowed their "
         "differences.", "the two sides had narrowed their differences",
         "A senior Qatari official"),
        ("Hamas confirmed on Saturday that mediation efforts are progressing.",
         "mediation efforts are progressing", "Hamas"),
        ("Egypt's President wrote on X that the crossing would stay open 24 hours a day.",
         "the crossing would stay open 24 hours a day", "Egypt's President"),
    ],
)
def test_clause_after_the_cue_starts_after_that(sentence: str, claim: str, source: str) -> None:
    assert claims(sentence) == [(claim, source)]


@pytest.mark.parametrize(
    ("sentence", "claim", "source"),
    [
        ("“Signs of a workable compromise are emerging,” Hassan remarked.",
         "Signs of a workable compromise are emerging", "Hassan"),
        ("CAIRO (Sample Wire) – Mediators have agreed on the outline of a second phase, "
         "Egypt's foreign ministry said in a statement on Tuesday.",
         "Mediators have agreed on the outline of a second phase", "Egypt's foreign ministry"),
        ("More than 1,200 aid workers have been killed since the war began, the statement said.",
         "More than 1,200 aid workers have been killed since the war began", "the statement"),
        ("“There was no warning,” said Umm Khaled, a mother of five.",
         "There was no warning", "Umm Khaled, a mother of five"),
        ("Unemployment rose to 32 percent in 2024, according to the statistics bureau.",
         "Unemployment rose to 32 percent in 2024", "the statistics bureau"),
    ],
)
def test_claim_before_the_cue(sentence: str, claim: str, source: str) -> None:
    assert claims(sentence) == [(claim, source)]


def test_claim_after_according_to() -> None:
    assert claims("According to a World Bank report, repairs would take about two years.") == [
        ("repairs would take about two years", "a World Bank report")]
    assert claims("Israel waged a war that, according to rights groups, amounted to genocide.") == [
        ("amounted to genocide", "rights groups")]


def test_a_quote_inside_the_claim_keeps_its_marks() -> None:
    sentence = ("In a statement, Hamas spokesperson Abdul Latif Al-Qanoua underscored “positive "
                "indicators” suggesting movement in this direction.")
    assert claims(sentence) == [("“positive indicators” suggesting movement in this direction",
                                 "Hamas spokesperson Abdul Latif Al-Qanoua")]


def test_participle_claims_take_the_subject_or_the_earlier_source() -> None:
    assert claims("Palestinian officials rejected the number, saying most of the dead were "
                  "civilians.") == [("most of the dead were civilians", "Palestinian officials")]
    assert claims("“This is a war on children,” Elder told CNN, adding that thousands more were "
                  "missing.") == [("This is a war on children", "Elder"),
                                  ("thousands more were missing", "Elder")]


def test_one_source_span_serves_two_claims() -> None:
    spans = SUGGESTER.suggest_sentence(
        "“This is a war on children,” Elder told CNN, adding that thousands more were missing.")
    assert [span.label for span in spans] == ["source", "claim", "claim"]
    assert {span.attributed_to for span in spans if span.label == "claim"} == {0}


def test_pronoun_claims_carry_the_resolved_source() -> None:
    previous = ("Egyptian foreign ministry spokesperson Omar Hassan told reporters that talks "
                "went on.",)
    spans = SUGGESTER.suggest_sentence("The convoys would carry fuel for 42 days, he stressed.",
                                       previous)
    (claim,) = [span for span in spans if span.label == "claim"]
    assert claim.text == "The convoys would carry fuel for 42 days"
    assert claim.resolved_source == "Omar Hassan"
    assert claim.attrs["cue"] == "stressed"


def test_a_named_source_leaves_resolved_source_empty() -> None:
    spans = SUGGESTER.suggest_sentence("Hamas said that talks were progressing.")
    (claim,) = [span for span in spans if span.label == "claim"]
    assert claim.resolved_source is None


@pytest.mark.parametrize(
    "sentence",
    [
        "The first phase of the ceasefire, which lasted 42 days, concluded in early March.",
        "Israel has thus far refused to proceed to the second phase.",
        "Hamas denied the claims.",
        "The offensive resulted in over 160,000 Palestinian casualties.",
        "Economists had expected a fall of nearly half a percentage point.",
        "Hamas said.",  # a source without a content clause
    ],
)
def test_no_claim_without_a_governed_clause(sentence: str) -> None:
    assert claims(sentence) == []


def test_figures_inside_a_claim_are_suggested_too() -> None:
    spans: list[SuggestedSpan] = SUGGESTER.suggest_sentence(
        "The Israeli military said it had inspected nearly 1,900 tonnes of goods last week.")
    labels = [(span.label, span.text) for span in spans]
    assert labels == [
        ("source", "The Israeli military"),
        ("claim", "it had inspected nearly 1,900 tonnes of goods last week"),
        ("figure", "nearly 1,900 tonnes"),
    ]
