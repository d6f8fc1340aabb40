"""Attribution patterns of real news (issue 16), on sentences written for these tests.

Each sentence paraphrases a construction that the suggester missed or got wrong on the
PolNeAR corpus (see benchmarks/bench_suggest_polnear.py); none is taken from the corpus.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.suggest import Suggester
from annotator.text.segment import split_sentences

SUGGESTER = Suggester()


def pairs(sentence: str) -> list[tuple[str, str]]:
    """(claim, its source) for every claim of the sentence."""
    spans = SUGGESTER.suggest_sentence(sentence)
    return [
        (span.text, spans[span.attributed_to].text)
        for span in spans
        if span.label == "claim" and span.attributed_to is not None
    ]


def source_texts(sentence: str) -> list[str]:
    return [s.text for s in SUGGESTER.suggest_sentence(sentence) if s.label == "source"]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # Typewriter double quotes.
        ("''We will not back down,'' the senator said.",
         [("We will not back down", "the senator")]),
        ("''Voters told us no,'' the senator said.", [("Voters told us no", "the senator")]),
        # A cue word inside the quote yields to the cue after it.
        ("“The mayor said no to everyone,” the councilwoman said.",
         [("The mayor said no to everyone", "the councilwoman")]),
        # "said NAME, role" without an article.
        ("“The numbers do not lie,” said Marta Olsen, spokeswoman for the harbour authority.",
         [("The numbers do not lie", "Marta Olsen")]),
        # A verbless quote is not the speaker.
        ("“Not me,” said the treasurer.", [("Not me", "the treasurer")]),
        # The quote, not the phrase after the cue.
        ("“We are ready,” the governor said in Tampa, Fla.", [("We are ready", "the governor")]),
        ("“He is unfit for office,” Lopez said of the mayor.",
         [("He is unfit for office", "Lopez")]),
        ("“We have no plan,” Garcia said to cheers from some 4,000 supporters.",
         [("We have no plan", "Garcia")]),
        ("“Prices will fall,” Anna Berg, director of the port authority, said in an interview.",
         [("Prices will fall", "Anna Berg, director of the port authority")]),
        # Elided subjects and adverbs between commas.
        ("The minister did not apologize, but said the policy would stay.",
         [("the policy would stay", "The minister")]),
        ("Ortega, meanwhile, says the vote was fair.", [("the vote was fair", "Ortega")]),
        ("Lena Park, who chaired the panel, once said, “Nobody reads the footnotes.”",
         [("Nobody reads the footnotes", "Lena Park")]),
        # Coordinated verbs: two claims, one source.
        ("The senator blasted the governor and said the cuts would hurt schools.",
         [("the governor", "The senator"), ("the cuts would hurt schools", "The senator")]),
        # Cues from the training data's lexicon.
        ("The union criticized the decision to close the plant.",
         [("the decision to close the plant", "The union")]),
        ("The council member accused the developer of hiding the cost, saying the plans were "
         "incomplete.",
         [("the developer of hiding the cost", "The council member"),
          ("the plans were incomplete", "The council member")]),
        # "according to X, who ...": the claim stands before.
        ("The bridge was unsafe, according to Paul Brandt, who inspected it in May.",
         [("The bridge was unsafe", "Paul Brandt")]),
        # A relative pronoun stands for the source.
        ("The mayor invited Ruth Adler, a historian who often criticizes the city council.",
         [("the city council", "who")]),
        # "As X reported, CLAIM" and a weak cue with a clause but no "that".
        ("As the Gazette reported, the council had met twice in secret.",
         [("the council had met twice in secret", "the Gazette")]),
        ("The Gazette reports the council was told of the plan in May.",
         [("the council was told of the plan in May", "The Gazette")]),
        # An inserted place phrase and its appositive are no source.
        ("The senator, during a visit to Dayton, Ohio, said the plant would stay open.",
         [("the plant would stay open", "The senator")]),
        ("Lund, facing a strike in Malmo, a port city, said the docks would reopen.",
         [("the docks would reopen", "Lund")]),
        # "CLAIM, X said, an appositive": the claim before.
        ("Rail traffic would resume within a week, Moreno said, a timetable that surprised "
         "the unions.", [("Rail traffic would resume within a week", "Moreno")]),
        # ", citing X": the subject's.
        ("The governor defended the budget, citing the rise in tax revenue.",
         [("the budget", "The governor"), ("the rise in tax revenue", "The governor")]),
        # A title quoted inside the clause is no claim.
        ("Later on ''Morning Talk,'' Senator Ida Lund questioned the figures.",
         [("the figures", "Senator Ida Lund")]),
        # The outer attribution at the sentence end holds the inner one.
        ("The campaign said the rally would go ahead on Saturday, the station reported.",
         [("The campaign said the rally would go ahead on Saturday", "the station")]),
        ("Turnout rose among voters who listed themselves as students, according to a "
         "county analysis.",
         [("Turnout rose among voters who listed themselves as students",
           "a county analysis")]),
        # A parenthetical cue: the longer side is the claim.
        ("Over the years, she said, the letters have kept them close.",
         [("the letters have kept them close", "she")]),
        # An opening adverb and an inserted phrase before the speaker.
        ("Then, in a statement issued in his name, Nilsson said he trusted his staff.",
         [("he trusted his staff", "Nilsson")]),
        # No source joined across a quotation mark.
        ("“And I am not being paid!” Lovell declared, a point he likes to make.",
         [("And I am not being paid", "Lovell")]),
        # A subordinate clause's own subject; a quoted phrase between commas is no source.
        ("Although he told the panel that he had resigned, he kept his office.",
         [("he had resigned, he kept his office", "he")]),
        ("Mr. Holt, citing ''the mood of the town,'' said the vote could be close.",
         [("the vote could be close", "Mr. Holt")]),
        # A colon as the cue.
        ("TURNOUT IN OHIO - Mara Lind:  “At long last the count has started.”",
         [("At long last the count has started", "Mara Lind")]),
        # A long role before a name, after a quote.
        ("“It was a mistake,” said former Ohio Gov. and party chairman Ed Rendell.",
         [("It was a mistake", "former Ohio Gov. and party chairman Ed Rendell")]),
    ],
)
def test_real_news_patterns(sentence: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "The plan was announced on Monday by the council.",  # passive
        "The so-called reform passed.",  # a hyphenated word
        "When asked about the delay, the office was closed.",
        "“They think we gave up.”",  # a cue inside a quote, nothing outside
        "If companies want to leave, they can.",
        "The schedule: 9 a.m. talks, 11 a.m. lunch.",
    ],
)
def test_no_attribution(sentence: str) -> None:
    assert [s for s in SUGGESTER.suggest_sentence(sentence) if s.label != "figure"] == []


def _document(text: str) -> list[list[tuple[str, str]]]:
    return [
        [(s.label, s.text) for s in spans if s.label != "figure"]
        for spans in SUGGESTER.suggest_document(text, split_sentences(text))
    ]


def test_a_quote_across_sentences_keeps_its_cue_words_to_itself() -> None:
    # Alone, "They think we gave up." is a belief attribution; inside a quotation opened in
    # the sentence before, it is the coach's words.
    assert _document("They think we gave up.") == [
        [("source", "They"), ("claim", "we gave up")]]
    assert _document("“We ran out of time. They think we gave up. It hurts,” the coach said.") == [
        [], [], [("source", "the coach"), ("claim", "It hurts")]]
    # A paragraph break ends an unclosed quotation.
    assert _document("“We ran out of time.\nThey think we gave up.")[1] == [
        ("source", "They"), ("claim", "we gave up")]


def test_the_sentence_after_said_colon_is_the_content() -> None:
    text = "The mayor said:\n“We will rebuild the pier. It will take a year.”"
    sentences = split_sentences(text)
    per_sentence = SUGGESTER.suggest_document(text, sentences)
    source = [s for s in per_sentence[0] if s.label == "source"]
    assert [s.text for s in source] == ["The mayor"]
    claims = [s for s in per_sentence[1] if s.label == "claim"]
    assert [c.text for c in claims] == ["We will rebuild the pier"]
    assert claims[0].resolved_source == source[0].source_name
    assert claims[0].attrs == {"cue": "said"}  # the cue's offsets are the sentence before's
    # Without the colon the next sentence is not announced.
    text = "The mayor said so.\n“We will rebuild the pier.”"
    assert [s.label for s in SUGGESTER.suggest_document(text, split_sentences(text))[1]] == []


def test_the_listener_is_not_the_source() -> None:
    assert source_texts("“We will win this,” the mayor told NBC.") == ["the mayor"]
    assert source_texts("The candidate, 58, told Channel Four that he would stay.") == [
        "The candidate, 58"]


def test_a_role_and_a_name_before_a_weak_verb_are_no_inverted_claim() -> None:
    # Not "CLAIM, rejected X": the words before the cue are a role and a name.
    assert pairs("A spokesman for the port office, David Lund, rejected the report.") == []


@pytest.mark.parametrize(
    "sentence",
    [
        "“The mayor said no,” the councilwoman said in Tampa.",
        "''It is over,'' said Ana Ruiz, a nurse, adding that the ward had closed.",
        "The senator blasted the governor and said the cuts would hurt schools.",
        "Ortega, meanwhile, says the vote was fair.",
    ],
)
def test_cue_offsets_point_at_the_cue(sentence: str) -> None:
    spans = [s for s in SUGGESTER.suggest_sentence(sentence) if s.label != "figure"]
    assert spans
    for span in spans:
        start, end = span.attrs["cue_start"], span.attrs["cue_end"]
        assert sentence[start:end] == span.attrs["cue"]
        assert sentence[span.start : span.end] == span.text


_WORDS = st.sampled_from(
    ["''", "``", "“", "”", '"', "said", "says", "told", "blasted", "and", "but", "meanwhile",
     ",", ".", "the", "mayor", "Ana", "Ruiz", "we", "win", "according", "to", "who", "saying"]
)


@given(st.lists(_WORDS, max_size=30))
def test_offsets_hold_on_any_mix_of_quotes_and_cues(words: list[str]) -> None:
    sentence = " ".join(words)
    for span in SUGGESTER.suggest_sentence(sentence):
        assert sentence[span.start : span.end] == span.text
        if "cue_start" in span.attrs:
            assert sentence[span.attrs["cue_start"] : span.attrs["cue_end"]] == span.attrs["cue"]


# --- the PolNeAR benchmark, on a corpus written here in its layout --------------------------

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))


def _write_corpus(root: Path) -> None:
    text = "“The pier will reopen in June,” said Ina Holm, a harbour official.\n"
    quote = text.index("The pier")
    quote_end = text.index(",”")
    cue = text.index("said")
    source = text.index("Ina Holm")
    for split in ("train", "dev"):
        (root / "data" / split / "text").mkdir(parents=True)
        (root / "data" / split / "attributions").mkdir(parents=True)
        (root / "data" / split / "text" / "pier.txt").write_text(text, "utf-8")
        (root / "data" / split / "attributions" / "pier_ab12.ann").write_text(
            f"T1\tSource {source} {source + 8}\tIna Holm\n"
            f"T2\tCue {cue} {cue + 4}\tsaid\n"
            f"T3\tContent {quote} {quote_end}\t{text[quote:quote_end]}\n"
            f"T4\tAttribution {cue} {cue + 4}\tsaid\n"
            "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n",
            "utf-8",
        )


def test_polnear_benchmark_scores_a_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import bench_suggest_polnear as bench

    _write_corpus(tmp_path)
    articles = bench.load_split(tmp_path, "dev")
    assert len(articles) == 1 and len(articles[0].gold) == 1
    counts, _, _ = bench.evaluate(articles, bench.suggester_engine())
    assert {kind: (c.matched, c.predicted, c.reference) for kind, c in counts.items()} == {
        kind: (1, 1, 1) for kind in bench.KINDS
    }
    assert bench.main(["--polnear", str(tmp_path), "--split", "train"]) == 0
    assert "| Suggester | 1.00 / 1.00 / **1.00**" in capsys.readouterr().out


def test_polnear_benchmark_skips_without_the_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import bench_suggest_polnear as bench

    assert bench.main([]) == 0
    assert bench.main(["--polnear", str(tmp_path / "absent")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and all("skipped" in line for line in out)


def test_polnear_benchmark_never_reads_the_test_split(tmp_path: Path) -> None:
    import bench_suggest_polnear as bench

    _write_corpus(tmp_path)
    with pytest.raises(bench.CorpusError):
        bench.load_split(tmp_path, "test")
    with pytest.raises(SystemExit):
        bench.main(["--polnear", str(tmp_path), "--split", "test"])


def test_polnear_benchmark_names_a_bad_offset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import bench_suggest_polnear as bench

    _write_corpus(tmp_path)
    ann = tmp_path / "data" / "dev" / "attributions" / "pier_ab12.ann"
    ann.write_text("T1\tSource 5 x\tIna\n", "utf-8")
    assert bench.main(["--polnear", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "pier_ab12.ann:1" in error and "'5 x'" in error
