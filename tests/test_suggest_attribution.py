"""Source suggestions: reporting cues, the source span they govern, names, types, pronouns."""

from __future__ import annotations

import pytest

from annotator.scheme import KnownSource
from annotator.suggest import SuggestedSpan, Suggester
from annotator.text.segment import split_sentences

SUGGESTER = Suggester()


def sources(sentence: str, *previous: str, suggester: Suggester = SUGGESTER) -> list[SuggestedSpan]:
    spans = suggester.suggest_sentence(sentence, previous)
    return [span for span in spans if span.label == "source"]


def source_texts(sentence: str, *previous: str) -> list[str]:
    return [span.text for span in sources(sentence, *previous)]


@pytest.mark.parametrize(
    ("sentence", "source"),
    [
        ("Hamas said in a statement that it had received the proposal.", "Hamas"),
        ("Egypt's foreign ministry announced that a committee would meet.",
         "Egypt's foreign ministry"),
        ("The U.N. humanitarian office (OCHA) confirmed that 300 trucks had entered Gaza.",
         "The U.N. humanitarian office (OCHA)"),
        ("Egyptian foreign ministry spokesperson Omar Hassan told reporters that talks went on.",
         "Egyptian foreign ministry spokesperson Omar Hassan"),
        ("In a statement, Hamas spokesperson Abdul Latif Al-Qanoua underscored “positive "
         "indicators” suggesting movement.", "Hamas spokesperson Abdul Latif Al-Qanoua"),
        ("On Friday, Egypt officially announced the arrival of a delegation.", "Egypt"),
        ("The emergency Arab summit, convened in Cairo on Tuesday, underscored the need for "
         "a truce.", "The emergency Arab summit"),
        ("European Commission President Ursula von der Leyen was quoted as saying that the bloc "
         "would pay.", "European Commission President Ursula von der Leyen"),
        ("Witnesses say the convoy was hit near the hospital.", "Witnesses"),
    ],
)
def test_source_before_the_cue(sentence: str, source: str) -> None:
    assert source_texts(sentence) == [source]


@pytest.mark.parametrize(
    ("sentence", "source"),
    [
        ("“Signs of a workable compromise are emerging,” Hassan remarked.", "Hassan"),
        ("Deliveries so far meet 40 percent of daily needs, the office added.", "the office"),
        ("Of the aid pledged, most came from the EU, a Western diplomat who spoke on condition "
         "of anonymity said.", "a Western diplomat who spoke on condition of anonymity"),
        ("Fourteen members voted in favour, the U.N. said.", "the U.N."),
        ("“There was no warning,” said Umm Khaled, a mother of five who fled Beit Lahia.",
         "Umm Khaled, a mother of five who fled Beit Lahia"),
        ("“We are running out of fuel,” ministry spokesman Ashraf al-Qudra told reporters.",
         "ministry spokesman Ashraf al-Qudra"),
        ("Traffic has fallen by 60% since May, data from the Egyptian Red Crescent show.",
         "data from the Egyptian Red Crescent"),
    ],
)
def test_source_after_the_quote_or_claim(sentence: str, source: str) -> None:
    assert source_texts(sentence) == [source]


@pytest.mark.parametrize(
    ("sentence", "source"),
    [
        ("Dr. Leila Haddad, a development economist based in Amman, said the pledges fall short.",
         "Dr. Leila Haddad, a development economist based in Amman"),
        ("A military spokesman, Lt. Col. Avi Cohen, said the operation would last weeks.",
         "A military spokesman, Lt. Col. Avi Cohen"),
        ("Ahmed Nasser, 34, said his family had moved seven times.", "Ahmed Nasser, 34"),
        ("A Commission official, speaking on condition of anonymity, said the money would go "
         "to salaries.", "A Commission official"),
    ],
)
def test_role_phrases_and_appositives(sentence: str, source: str) -> None:
    assert source_texts(sentence) == [source]


@pytest.mark.parametrize(
    ("sentence", "source"),
    [
        ("According to a World Bank report, repairs would take about two years.",
         "a World Bank report"),
        ("Unemployment rose to 32 percent, according to the statistics bureau.",
         "the statistics bureau"),
        ("Israel waged a war that, according to international human rights organizations, "
         "amounted to genocide.", "international human rights organizations"),
    ],
)
def test_according_to(sentence: str, source: str) -> None:
    assert source_texts(sentence) == [source]


@pytest.mark.parametrize(
    "sentence",
    [
        "Earlier efforts to open a lasting aid corridor stalled because of disputes.",
        "Hamas denied the claims.",  # a weak cue without a content clause
        "Israel added five crossings to the list.",  # "added" as an ordinary verb
        "The first phase of the ceasefire, which lasted 42 days, concluded in early March.",
        "The summit further endorsed an ambitious five-year plan.",
        "Donors made the pledges at a conference in Cairo.",
    ],
)
def test_no_attribution_without_a_reporting_construction(sentence: str) -> None:
    assert sources(sentence) == []


def test_pronoun_resolves_to_the_nearest_earlier_person() -> None:
    previous = (
        "Egypt's foreign ministry said talks would resume.",
        "Egyptian foreign ministry spokesperson Omar Hassan told reporters that talks went on.",
    )
    (he,) = sources("The convoys would carry fuel for 42 days, he stressed.", *previous)
    assert he.text == "he"
    assert he.source_name == "Omar Hassan"
    assert he.source_type == "government"
    assert "resolved" in he.reason


def test_pronoun_it_skips_people_and_takes_the_organisation() -> None:
    previous = (
        "The Israeli military said it had inspected the goods.",
        "Dr. Leila Haddad said the pledges fall short.",
    )
    (it,) = sources("It said the crossings would stay open.", *previous)
    assert it.source_name == "Israeli military"


def test_pronoun_without_an_earlier_source_keeps_the_pronoun() -> None:
    (he,) = sources("The convoys would carry fuel, he stressed.")
    assert (he.source_name, he.source_type) == ("he", None)


def test_definite_descriptions_and_surnames_refer_back() -> None:
    previous = ("International rights groups said 12,000 families were homeless.",)
    (groups,) = sources("In a joint statement, the groups said 18 clinics had closed.", *previous)
    assert groups.source_name == "International rights groups"
    assert groups.source_type == "ngo"
    previous = ("Egyptian foreign ministry spokesperson Omar Hassan told reporters that "
                "talks went on.",)
    (hassan,) = sources("“A compromise is emerging,” Hassan remarked.", *previous)
    assert hassan.source_name == "Omar Hassan"


def test_known_sources_from_the_scheme_match_aliases_anywhere_in_the_span() -> None:
    (ocha,) = sources("The U.N. humanitarian office (OCHA) confirmed that trucks entered.")
    assert ocha.source_name == "UN Office for the Coordination of Humanitarian Affairs"
    assert ocha.source_type == "intergovernmental"
    assert "known source alias" in ocha.reason


def test_registry_sources_passed_in_are_matched_by_alias() -> None:
    registry = [KnownSource("Palestinian Central Bureau of Statistics", "government", ("PCBS",))]
    suggester = Suggester(known_sources=registry)
    (found,) = sources("PCBS said unemployment rose to 32 percent.", suggester=suggester)
    assert (found.source_name, found.source_type) == (
        "Palestinian Central Bureau of Statistics", "government")


def test_a_person_with_a_known_organisation_is_named_as_the_person() -> None:
    (found,) = sources("Hamas spokesperson Abdul Latif Al-Qanoua said talks were going well.")
    assert found.source_name == "Abdul Latif Al-Qanoua"
    assert found.source_type == "party_or_armed_group"


@pytest.mark.parametrize(
    ("sentence", "source_type"),
    [
        ("A Western diplomat who spoke on condition of anonymity said the plan failed.",
         "anonymous"),
        ("According to a World Bank report, repairs would take two years.", "document"),
        ("Dr. Leila Haddad, a development economist, said the pledges fall short.", "expert"),
        ("The Israeli army said its troops destroyed tunnels.", "military"),
        ("International rights groups said families were homeless.", "ngo"),
        ("Al Jazeera's correspondent said talks would resume.", "media"),
        ("Witnesses say the convoy was hit.", "witness"),
        ("Egypt's State Information Service confirmed that talks went on.", "government"),
    ],
)
def test_source_types_proposed_from_keywords(sentence: str, source_type: str) -> None:
    (found,) = sources(sentence)
    assert found.source_type == source_type


def test_document_pronouns_follow_the_document_order() -> None:
    text = (
        "Egyptian foreign ministry spokesperson Omar Hassan told reporters that talks went on. "
        "The Israeli military said it had inspected the goods. "
        "Supplies would last 42 days, he stressed."
    )
    sentences = split_sentences(text)
    per_sentence = SUGGESTER.suggest_document(text, sentences)
    assert len(per_sentence) == len(sentences) == 3
    (he,) = [span for span in per_sentence[2] if span.label == "source"]
    assert he.source_name == "Omar Hassan"
    for (start, end), spans in zip(sentences, per_sentence, strict=True):
        for span in spans:
            assert text[start:end][span.start : span.end] == span.text


def test_known_sources_are_suggested_anywhere_in_a_sentence_with_an_attribution() -> None:
    spans = sources("In Geneva, UNRWA staff listened as the minister said aid would rise.")
    mention = next(span for span in spans if span.text == "UNRWA")
    assert (mention.source_name, mention.source_type) == ("UNRWA", "intergovernmental")
    assert mention.reason == "known source alias 'UNRWA'"
    assert [span.text for span in spans] == ["the minister", "UNRWA"]


@pytest.mark.parametrize(
    "sentence",
    [
        "UNRWA staff listened to the minister.",  # no reporting cue in the sentence
        "Reaffirming Hamas’ readiness, he stressed the need for talks.",  # possessive
        "A senior official told Reuters that talks went on.",  # who was told
        "Egypt said the talks with Hamas would resume.",  # inside the claim
    ],
)
def test_known_source_mentions_that_are_not_speakers(sentence: str) -> None:
    assert all(span.reason.startswith(("source span", "pronoun", "'"))
               or "reporting cue" in span.reason for span in sources(sentence))


@pytest.mark.parametrize(
    ("sentence", "source"),
    [
        ("Hamas has repeatedly said that it wants a deal.", "Hamas"),
        ("The victim's family said that he was unarmed.", "The victim's family"),
        ("The government of Italy said that it would send aid.", "The government of Italy"),
    ],
)
def test_adverbs_and_auxiliaries_before_the_cue_are_not_part_of_the_source(
    sentence: str, source: str
) -> None:
    assert source_texts(sentence) == [source]


def test_inverted_source_keeps_its_relative_clause() -> None:
    sentence = ("“The needs are enormous,” said Jan Egeland, who heads the Norwegian Refugee "
                "Council.")
    assert source_texts(sentence) == ["Jan Egeland, who heads the Norwegian Refugee Council"]


def test_passive_cited_as_saying() -> None:
    assert source_texts("The envoy was cited as saying that a deal was close.") == ["The envoy"]


@pytest.mark.parametrize("space", ["\xa0", "\u2009", "\u3000"])
def test_a_cue_after_only_unusual_spaces_suggests_no_source_and_does_not_fail(space: str) -> None:
    spans = Suggester().suggest_sentence(f"Officials,{space}said the ministry.")
    assert all(span.label != "source" or span.text.strip() for span in spans)
