"""Suggestions measured on PolNeAR, a human-annotated corpus of real news (issue 16).

Usage: python benchmarks/bench_suggest_polnear.py --polnear PATH [--split dev|train]
       [--errors N]

PATH is a checkout (or extract) of github.com/networkdynamics/PolNeAR: the directory holding
``data/`` (or ``data/`` itself). Only ``data/train`` and ``data/dev`` are ever read; ``data/test``
is held out, as the corpus asks, and this script refuses it. When PATH is not given or does not
exist the script prints one line and exits 0: the corpus is not part of this repository (its
articles belong to their publishers), and nothing from it is copied here.

Gold: the brat standoff ``.ann`` files: Source, Cue and Content text spans joined into an
attribution by an ``Attribution`` (or ``Attribution-no-source``) event. An article annotated
by several annotators is scored against one of them (the first file in name order).

Matching, per document, in document offsets (sentence offsets plus the sentence start): a
suggested span matches a gold span it overlaps, one to one, greedily by the largest overlap.
Sources: every suggested source span against every gold Source. Contents: suggested claims
against gold Contents. Pairs: a suggested (claim, its source) against a gold attribution with
a source; the pair matches when both spans overlap, greedily by the summed overlap. Cues:
the ``cue_start``/``cue_end`` the suggester puts into a source's and a claim's ``attrs``.

Beside the suggester, in the same run: a said/says/told baseline (the cue, the words from the
clause start to it as the source, the rest as the content; or "CONTENT, X said."). The error
classes that remain are counted on the unmatched gold attributions and the unmatched
suggestions.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from suggestion_quality import Score  # noqa: E402  (beside this file: the same P/R/F1)

from annotator.suggest import Suggester  # noqa: E402
from annotator.text.segment import split_sentences  # noqa: E402

Fragments = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class GoldAttribution:
    """One brat attribution event: its Source (when it has one), Cue and Content fragments."""

    source: Fragments | None
    cue: Fragments | None
    content: Fragments | None


@dataclass(frozen=True)
class Article:
    name: str
    text: str
    gold: tuple[GoldAttribution, ...]


@dataclass
class Prediction:
    """Spans over one document (document offsets)."""

    sources: list[Fragments] = field(default_factory=list)
    contents: list[Fragments] = field(default_factory=list)
    pairs: list[tuple[Fragments, Fragments]] = field(default_factory=list)  # (content, source)
    cues: list[Fragments] = field(default_factory=list)


class CorpusError(Exception):
    """A PolNeAR file that cannot be read as brat standoff."""


def _fragments(offsets: str, where: str) -> Fragments:
    try:
        pieces = tuple(
            (int(start), int(end))
            for start, end in (part.split() for part in offsets.split(";"))
        )
    except ValueError as error:
        raise CorpusError(f"{where}: bad offsets {offsets!r}") from error
    return pieces


def load_ann(path: Path, text: str) -> tuple[GoldAttribution, ...]:
    """The attributions of one .ann file."""
    spans: dict[str, tuple[str, Fragments]] = {}
    events: list[dict[str, str]] = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        where = f"{path}:{number}"
        columns = line.split("\t")
        if line.startswith("T") and len(columns) >= 2:
            kind, _, offsets = columns[1].partition(" ")
            fragments = _fragments(offsets, where)
            if any(not 0 <= a <= b <= len(text) for a, b in fragments):
                raise CorpusError(f"{where}: offsets {offsets!r} outside the text")
            spans[columns[0]] = (kind, fragments)
        elif line.startswith("E") and len(columns) >= 2:
            roles = dict(part.split(":", 1) for part in columns[1].split() if ":" in part)
            events.append(roles)
    gold = []
    for roles in events:
        if "Attribution" not in roles and "Attribution-no-source" not in roles:
            continue

        def role(name: str, roles: dict[str, str] = roles) -> Fragments | None:
            found = spans.get(roles.get(name, ""))
            return found[1] if found else None

        gold.append(GoldAttribution(role("Source"), role("Cue"), role("Content")))
    return tuple(gold)


def load_split(polnear: Path, split: str) -> list[Article]:
    """Every article of ``split`` with the attributions of its first annotation file."""
    if split not in ("train", "dev"):
        raise CorpusError(f"split {split!r}: only train and dev are read (test is held out)")
    data = polnear / "data" if (polnear / "data").is_dir() else polnear
    texts = data / split / "text"
    annotations = data / split / "attributions"
    if not texts.is_dir() or not annotations.is_dir():
        raise CorpusError(f"{data / split}: no text/ and attributions/ directories")
    by_article: dict[str, Path] = {}
    for ann in sorted(annotations.glob("*.ann")):
        article = re.sub(r"_[0-9a-f]{4}$", "", ann.stem)
        by_article.setdefault(article, ann)
    articles = []
    for name, ann in sorted(by_article.items()):
        text_file = texts / f"{name}.txt"
        if not text_file.is_file():
            continue
        text = text_file.read_text("utf-8")
        articles.append(Article(name, text, load_ann(ann, text)))
    return articles


# --- engines -------------------------------------------------------------------------------


def suggester_engine() -> Callable[[str], Prediction]:
    suggester = Suggester()

    def predict(text: str) -> Prediction:
        sentences = split_sentences(text)
        result = Prediction()
        cues: set[tuple[int, int]] = set()
        for (offset, _), spans in zip(
            sentences, suggester.suggest_document(text, sentences), strict=True
        ):
            for span in spans:
                if span.label == "source":
                    result.sources.append(((offset + span.start, offset + span.end),))
                elif span.label == "claim":
                    content = ((offset + span.start, offset + span.end),)
                    result.contents.append(content)
                    if span.attributed_to is not None:
                        source = spans[span.attributed_to]
                        result.pairs.append(
                            (content, ((offset + source.start, offset + source.end),))
                        )
                else:
                    continue
                if "cue_start" in span.attrs:
                    cues.add((offset + span.attrs["cue_start"], offset + span.attrs["cue_end"]))
        result.cues = [(cue,) for cue in sorted(cues)]
        return result

    return predict


_BASELINE_CUE = re.compile(r"\b(?:said|says|told)\b")
_CLAUSE_BREAK = re.compile(r"[,;:“”\"]")


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def baseline_predict(text: str) -> Prediction:
    """said/says/told: "X said (that) CONTENT" or "CONTENT, X said." in each sentence."""
    result = Prediction()
    for sentence_start, sentence_end in split_sentences(text):
        sentence = text[sentence_start:sentence_end]
        found = _BASELINE_CUE.search(sentence)
        if found is None:
            continue
        before = sentence[: found.start()]
        breaks = [m.end() for m in _CLAUSE_BREAK.finditer(before)]
        source_from = breaks[-1] if breaks else 0
        source = _strip(sentence, source_from, found.start())
        if source[0] == source[1]:
            continue
        if breaks and not sentence[found.end() :].strip(" .\"”'"):
            content = _strip(sentence, 0, source_from)
        else:
            after = found.end()
            if sentence.startswith(" that ", after):
                after += 5
            content = _strip(sentence, after, len(sentence))
        cue = ((sentence_start + found.start(), sentence_start + found.end()),)
        source_span = ((sentence_start + source[0], sentence_start + source[1]),)
        result.sources.append(source_span)
        result.cues.append(cue)
        if content[1] - content[0] > 3:
            content_span = ((sentence_start + content[0], sentence_start + content[1]),)
            result.contents.append(content_span)
            result.pairs.append((content_span, source_span))
    return result


# --- matching ------------------------------------------------------------------------------


def overlap(a: Fragments, b: Fragments) -> int:
    """Characters shared by two fragment lists."""
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def greedy(weights: Iterable[tuple[int, int, int]]) -> dict[int, int]:
    """One-to-one {predicted: gold} from (weight, predicted, gold), largest weight first."""
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for _, i, j in sorted(weights, key=lambda item: (-item[0], item[1], item[2])):
        if i not in pairs and j not in taken:
            pairs[i] = j
            taken.add(j)
    return pairs


def match_spans(predicted: Sequence[Fragments], gold: Sequence[Fragments]) -> dict[int, int]:
    weights = []
    for i, guess in enumerate(predicted):
        for j, truth in enumerate(gold):
            shared = overlap(guess, truth)
            if shared:
                weights.append((shared, i, j))
    return greedy(weights)


def match_pairs(
    predicted: Sequence[tuple[Fragments, Fragments]],
    gold: Sequence[tuple[Fragments, Fragments]],
) -> dict[int, int]:
    weights = []
    for i, (content, source) in enumerate(predicted):
        for j, (gold_content, gold_source) in enumerate(gold):
            a, b = overlap(content, gold_content), overlap(source, gold_source)
            if a and b:
                weights.append((a + b, i, j))
    return greedy(weights)


KINDS = ("source", "content", "pair", "cue")


def gold_lists(article: Article) -> dict[str, list]:  # type: ignore[type-arg]
    gold = article.gold
    return {
        "source": [a.source for a in gold if a.source],
        "content": [a.content for a in gold if a.content],
        "pair": [(a.content, a.source) for a in gold if a.content and a.source],
        "cue": [a.cue for a in gold if a.cue],
    }


def evaluate(
    articles: Sequence[Article], predict: Callable[[str], Prediction]
) -> tuple[dict[str, Score], list[tuple[Article, Prediction]], float]:
    # matched, predicted, gold, summed over the articles
    totals = {kind: [0, 0, 0] for kind in KINDS}

    def add(kind: str, matched: int, predicted: int, gold: int) -> None:
        for position, count in enumerate((matched, predicted, gold)):
            totals[kind][position] += count

    results = []
    started = time.process_time()
    predictions = [predict(article.text) for article in articles]
    elapsed = time.process_time() - started
    for article, prediction in zip(articles, predictions, strict=True):
        gold = gold_lists(article)
        lists = {
            "source": prediction.sources,
            "content": prediction.contents,
            "cue": prediction.cues,
        }
        for kind, predicted in lists.items():
            matched = match_spans(predicted, gold[kind])
            add(kind, len(matched), len(predicted), len(gold[kind]))
        matched = match_pairs(prediction.pairs, gold["pair"])
        add("pair", len(matched), len(prediction.pairs), len(gold["pair"]))
        results.append((article, prediction))
    return {kind: Score(*totals[kind]) for kind in KINDS}, results, elapsed


# --- error classes -------------------------------------------------------------------------


def _text(article: Article, fragments: Fragments) -> str:
    return " ".join(article.text[a:b] for a, b in fragments)


def _known_cues(suggester: Suggester) -> re.Pattern[str]:
    """Any whole cue phrase of the suggester's lexicon (verbs, "according to", participles)."""
    cues = suggester.cues
    phrases = {*cues.all_verbs, *suggester.scheme.according_phrases,
               *suggester.scheme.participle_cues}
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b")


def error_classes(
    results: Sequence[tuple[Article, Prediction]], known: re.Pattern[str]
) -> Counter[str]:
    """Why gold attributions were missed and suggestions were wrong, counted."""
    classes: Counter[str] = Counter()
    for article, prediction in results:
        gold = [a for a in article.gold if a.content and a.source]
        pairs = [(a.content, a.source) for a in gold]
        matched = match_pairs(prediction.pairs, pairs)
        found = set(matched.values())
        for j, attribution in enumerate(gold):
            if j in found:
                continue
            assert attribution.content and attribution.source
            cue_text = _text(article, attribution.cue).lower() if attribution.cue else ""
            content_hit = [
                i for i, (content, _) in enumerate(prediction.pairs)
                if overlap(content, attribution.content)
            ]
            source_hit = any(overlap(s, attribution.source) for s in prediction.sources)
            if not re.search("[a-z]", cue_text):
                classes["missed: cue is punctuation or none (colon, quote alone)"] += 1
            elif not known.search(cue_text):
                classes["missed: cue outside the lexicon"] += 1
            elif content_hit and not source_hit:
                classes["missed: content found, source wrong or missing"] += 1
            elif content_hit:
                classes["missed: content found, linked to another source"] += 1
            elif source_hit:
                classes["missed: source found, content wrong or missing"] += 1
            elif attribution.content[0][0] > attribution.source[0][0] and any(
                article.text.count("\n", attribution.source[0][0], attribution.content[-1][1])
                for _ in (0,)
            ):
                classes["missed: content in another paragraph"] += 1
            else:
                classes["missed: known cue, nothing suggested"] += 1
        for i, (content, source) in enumerate(prediction.pairs):
            if i in matched:
                continue
            if not any(overlap(content, a.content) for a in article.gold if a.content):
                classes["wrong: content where gold has no attribution"] += 1
            elif not any(overlap(source, a.source) for a in article.gold if a.source):
                classes["wrong: source where gold has none (listener, adverb, object)"] += 1
            else:
                classes["wrong: content and source of different attributions"] += 1
    return classes


def _row(name: str, counts: dict[str, Score]) -> str:
    cells = []
    for kind in KINDS:
        c = counts[kind]
        cells.append(f"{c.precision:.2f} / {c.recall:.2f} / **{c.f1:.2f}**")
    return f"| {name} | " + " | ".join(cells) + " |"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polnear", type=Path, help="PolNeAR checkout (holding data/)")
    parser.add_argument("--split", default="dev", choices=("train", "dev"))
    parser.add_argument("--errors", type=int, default=0,
                        help="print this many examples of missed gold pairs")
    args = parser.parse_args(argv)
    if args.polnear is None or not args.polnear.exists():
        print("PolNeAR not available (pass --polnear PATH): skipped")
        return 0
    try:
        articles = load_split(args.polnear, args.split)
    except (CorpusError, OSError, UnicodeDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    gold_count = {kind: sum(len(gold_lists(a)[kind]) for a in articles) for kind in KINDS}
    print(f"PolNeAR {args.split}: {len(articles)} articles, "
          + ", ".join(f"{gold_count[k]} gold {k}s" for k in KINDS)
          + "; overlap match, one to one (greedy by largest overlap)")
    print()
    print("| engine | source P / R / F1 | content P / R / F1 | (content, source) pair "
          "P / R / F1 | cue P / R / F1 |")
    print("|---|---|---|---|---|")
    suggest = suggester_engine()
    counts, results, elapsed = evaluate(articles, suggest)
    base_counts, _, _ = evaluate(articles, baseline_predict)
    print(_row("Suggester", counts))
    print(_row("baseline: said/says/told", base_counts))
    sentences = sum(len(split_sentences(a.text)) for a in articles)
    print()
    print(f"{sentences} sentences, segmentation and suggestion {elapsed:.1f} s CPU")
    print()
    classes = error_classes(results, _known_cues(Suggester()))
    print("| error class (Suggester, pairs) | count |")
    print("|---|---:|")
    for name, count in sorted(classes.items(), key=lambda item: (-item[1], item[0])):
        print(f"| {name} | {count} |")
    if args.errors:
        _print_misses(results, args.errors)
    return 0


def _print_misses(results: Sequence[tuple[Article, Prediction]], limit: int) -> None:
    """Examples for development (never copied into the repository)."""
    shown = 0
    for article, prediction in results:
        gold = [a for a in article.gold if a.content and a.source]
        matched = set(match_pairs(prediction.pairs, [(a.content, a.source) for a in gold])
                      .values())
        for j, attribution in enumerate(gold):
            if j in matched or shown >= limit:
                continue
            shown += 1
            assert attribution.source and attribution.content
            print(f"--- S: {_text(article, attribution.source)!r} "
                  f"C: {_text(article, attribution.cue) if attribution.cue else None!r}")
            print(f"    T: {_text(article, attribution.content)[:160]!r}")


if __name__ == "__main__":
    sys.exit(main())
