"""Figure suggestions: what counts as a figure, its span, value, unit and qualifier."""

from __future__ import annotations

import pytest

from annotator.suggest import SuggestedSpan, Suggester

SUGGESTER = Suggester()


def figures(sentence: str) -> list[SuggestedSpan]:
    return [span for span in SUGGESTER.suggest_sentence(sentence) if span.label == "figure"]


def figure_texts(sentence: str) -> list[str]:
    return [span.text for span in figures(sentence)]


@pytest.mark.parametrize(
    ("sentence", "text", "value", "unit"),
    [
        ("The summit endorsed a $53 billion plan.", "$53 billion", 53e9, "USD"),
        ("Of that, €1.2bn came from Brussels.", "€1.2bn", 1.2e9, "EUR"),
        ("They set aside 53 billion dollars for fuel.", "53 billion dollars", 53e9, "USD"),
        ("London pledged £60 million this year.", "£60 million", 60e6, "GBP"),
        ("It costs US$5 million.", "US$5 million", 5e6, "USD"),
        ("Prices rose 300 per cent.", "300 per cent", 300, "percent"),
        ("Turnout was 12.5% in the north.", "12.5%", 12.5, "percent"),
        ("Deliveries meet 40 percent of needs.", "40 percent", 40, "percent"),
        ("The first phase lasted 42 days.", "42 days", 42, "day"),
        ("It announced a five-year plan.", "five-year", 5, "year"),
        ("It was a 10-day operation.", "10-day", 10, "day"),
        ("Repairs would take about two years.", "about two years", 2, "year"),
        ("Crossings could reopen in three weeks.", "three weeks", 3, "week"),
        ("The war caused over 160,000 Palestinian casualties.",
         "over 160,000 Palestinian casualties", 160000, "casualties"),
        ("Gaza is home to 2.3 million people.", "2.3 million people", 2.3e6, "people"),
        ("It covers 365 square kilometres.", "365 square kilometres", 365, "kilometres"),
        ("Fourteen members voted in favour.", "Fourteen members", 14, "members"),
    ],
)
def test_figure_span_value_and_unit(sentence: str, text: str, value: float, unit: str) -> None:
    (found,) = figures(sentence)
    assert found.text == text
    assert found.figure is not None
    assert found.figure.value == pytest.approx(value)
    assert found.figure.unit == unit


@pytest.mark.parametrize(
    ("sentence", "text", "qualifier"),
    [
        ("Rights groups said over 12,000 families were homeless.", "over 12,000 families", "over"),
        ("The count showed more than 14,000 people missing.", "more than 14,000 people",
         "more than"),
        ("It inspected nearly 1,900 tonnes of goods.", "nearly 1,900 tonnes", "nearly"),
        ("Repairs would take about two years.", "about two years", "about"),
        ("At least 18 clinics had closed.", "At least 18 clinics", "at least"),
        ("Troops destroyed up to 40 tunnel shafts.", "up to 40 tunnel shafts", "up to"),
        ("It hosts an estimated 400 families.", "an estimated 400 families", "estimated"),
    ],
)
def test_qualifier_is_part_of_the_span(sentence: str, text: str, qualifier: str) -> None:
    (found,) = figures(sentence)
    assert found.figure is not None
    assert (found.text, found.figure.qualifier) == (text, qualifier)


def test_emphasis_is_not_a_qualifier_in_the_span() -> None:
    (found,) = figures("The pledges would cover only 12.5% of the cost.")
    assert found.text == "12.5%"


@pytest.mark.parametrize(
    ("sentence", "text", "low", "high"),
    [
        ("Between 10 and 15 crossings could reopen.", "Between 10 and 15 crossings", 10, 15),
        ("It said 10 to 15 crossings could reopen.", "10 to 15 crossings", 10, 15),
        ("It said 10-15 crossings could reopen.", "10-15 crossings", 10, 15),
        ("It said 10–15 per cent were displaced.", "10–15 per cent", 10, 15),
        ("It would take 15 to 20 years.", "15 to 20 years", 15, 20),
        ("It would last another two to three weeks.", "two to three weeks", 2, 3),
        ("Some 150,000 to 200,000 workers lost jobs.", "Some 150,000 to 200,000 workers",
         150000, 200000),
    ],
)
def test_ranges_keep_both_ends(sentence: str, text: str, low: float, high: float) -> None:
    (found,) = figures(sentence)
    assert found.text == text
    assert found.figure is not None
    assert (found.figure.value, found.figure.value_max) == (low, high)


def test_from_without_a_high_end_is_not_part_of_the_span() -> None:
    sentence = "Imports fell to 1.2 million litres from 4 million litres, and from 10 to 15 trucks."
    assert figure_texts(sentence) == ["1.2 million litres", "4 million litres",
                                      "from 10 to 15 trucks"]


def test_a_counted_noun_stops_before_of_and_verbs() -> None:
    assert figure_texts("It inspected 1,900 tonnes of goods last week.") == ["1,900 tonnes"]
    assert figure_texts("Officials said 300 trucks had entered.") == ["300 trucks"]
    assert figure_texts("Police said 5 protesters arrested were freed.") == ["5 protesters"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Donors met in Cairo on March 3, 2025.",  # date and year
        "The war began on 7 October 2023.",  # day before the month
        "Egypt has not hosted such a meeting since 2014.",  # year
        "The vote took place at 10:30 a.m. on Tuesday.",  # time
        "The flight landed at 3 pm.",  # time
        "Mediators agreed on a second phase of aid deliveries.",  # ordinal word
        "The 12th round of talks ended in the 1990s style.",  # ordinal and decade digits
        "Trucks passed through Gate No. 2 at the crossing.",  # number in a name
        "The council adopted Resolution 2728.",  # number in a name
        "F-16 jets and COVID-19 patients were mentioned, as was the G7.",  # codes
        "Shortlink: https://example.org/?p=61211",  # URL
        "The two sides narrowed their differences.",  # a reference, not a quantity
        "One driver said only one truck came back.",  # "one" as a determiner
        "Dozens of families slept in the street.",  # vague quantity
    ],
)
def test_not_figures(sentence: str) -> None:
    assert figures(sentence) == []


def test_one_is_a_figure_only_as_an_amount_of_time() -> None:
    assert figure_texts("The truce held for one year.") == ["one year"]


def test_figures_in_the_shared_article_style_sentence() -> None:
    sentence = (
        "The summit further endorsed an ambitious five-year, $53 billion reconstruction "
        "initiative aimed at rebuilding Gaza."
    )
    assert figure_texts(sentence) == ["five-year", "$53 billion"]


def test_reason_names_the_kind_of_figure() -> None:
    reasons = [span.reason for span in figures("Over 300 trucks carried $5 million in aid.")]
    assert reasons == ["number with qualifier 'over'", "money"]
