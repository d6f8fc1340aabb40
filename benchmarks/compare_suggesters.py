"""Compare this tree's suggester with another tree's on the reference texts and mutated copies.

Usage: python benchmarks/compare_suggesters.py --against OLD_TREE [--mutants 3000] [--seed 1]
       python benchmarks/compare_suggesters.py --against OLD_TREE --speed [--rounds 4]

OLD_TREE is a directory holding an ``annotator`` package (a checkout, or
``git archive COMMIT annotator | tar -x -C /tmp/old``). Each tree's suggester runs in its own
process (``--worker``), over the same inputs: every reference document (the sample, the own and
held-out gold paragraphs, the shared article in ../shared/corpus), randomly mutated copies of
them (inserted currency signs, digits, dashes, quotes, "İ", "K", "ſ", number and cue words, case
swaps, deleted characters), texts of trigger words, and documents cut at arbitrary sentence
bounds. Every suggestion is compared field by field (its ``repr``); the script prints the
number of differences and exits non-zero when there is any.

``--speed`` instead times ``Suggester.suggest_document`` of the two trees alternately, each
in its own process, over bench_suggest.py's dense corpus (every reference sentence, x20, CPU
time, best of 5): on a machine whose speed drifts, old and new measured in the same minutes
give a fairer ratio than runs far apart.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Inserted at random places: what the suggester's rules react to, and characters whose case
# mapping changes their length or meaning ("İ" lowers to two code points, "K" is the Kelvin sign).
INSERTS = [
    "$", "€", "£", "¥", "US$", "USD ", " 5", "12", "1,200", "3.5", "2019", "-", "–", "—", "‐",
    "“", "”", '"', "'", "’", "İ", "K", "ſ", "ß", "ﬁ", " one ", " two ", " twenty-five ",
    " a million ", " half a dozen ", " hundred ", " billion ", " percent", "%", " said ", " says ",
    " told ", " according to ", ", saying ", " added ", " that ", " he ", " she ", " it ",
    " they ", " the ministry ", " Hamas ", " OCHA ", " WHO ", " who ", ", ", ". ", " more than ",
    " between ", " and ", " to ", " No. ", " March ", " Dr. ", " in a statement ", " on Monday",
    "\n", "\t", "\u00a0", "\u2009", "+", ":", "/", "(", ")", "**X** – ", "CAIRO (Wire) – ",
    "@", "=", "www.", "http://", "\\", "#", "_", "th", "s", "D", "²", "½", "٣", "a.m.", " p.m.",
    ":30", " GMT", " o'clock", "-year", "-old", "bn", "m", "k", " of March", " per cent", "~",
    " dollars", " euros", " pounds", " people", " families", "ly", " also", " has", ",",
]
TRIGGER_WORDS = [
    "said", "told", "according to", "he", "she", "it", "Hamas", "the ministry", "that", ",",
    "“", "”", '"', ".", "over", "more than", "between", "and", "to", "-", "$", "€", "53",
    "1,200", "12.5", "%", "percent", "billion", "bn", "five", "year", "days", "March", "2025",
    "No.", "Gate", "saying", "added", "Dr.", "Leila", "a", "the", "who", "spokesperson", "In",
    "statement", "one", "(", ")", "\n", "–", "**X**", "İ", "K", "ſ", "UNICEF", "Reuters",
]


def reference_texts(shared: Path) -> list[str]:
    """The texts of every reference document."""
    sys.path.insert(0, str(ROOT))
    from suggestion_quality import reference_sets  # beside this file

    texts = [doc.text for docs in reference_sets(ROOT, shared).values() for doc in docs]
    texts += [path.read_text("utf-8") for path in sorted((shared / "corpus").glob("*.txt"))]
    return texts


def mutate(text: str, rng: random.Random) -> str:
    """A copy of ``text`` with a few random insertions, deletions and case swaps."""
    chars = list(text)
    for _ in range(rng.randint(1, 12)):
        position = rng.randrange(len(chars) + 1)
        action = rng.random()
        if action < 0.7:
            chars[position:position] = list(rng.choice(INSERTS))
        elif action < 0.85 and position < len(chars):
            del chars[position : position + rng.randint(1, 3)]
        elif position < len(chars):
            end = min(len(chars), position + rng.randint(1, 20))
            chars[position:end] = list("".join(chars[position:end]).swapcase())
    return "".join(chars)


def trigger_text(rng: random.Random) -> str:
    """Sentences made of the words the rules look for."""
    return " ".join(rng.choice(TRIGGER_WORDS) for _ in range(rng.randint(1, 60)))


def arbitrary_bounds(text: str, rng: random.Random) -> list[tuple[int, int]]:
    """Cuts at random places instead of sentence ends."""
    cuts = sorted({0, len(text), *(rng.randrange(len(text) + 1) for _ in range(8))})
    return list(itertools.pairwise(cuts))


def build_inputs(mutants: int, seed: int, shared: Path) -> list[dict[str, object]]:
    """Every (text, sentence bounds) the two suggesters are given."""
    from annotator.text.segment import split_sentences

    rng = random.Random(seed)
    texts = reference_texts(shared)
    documents = list(texts)
    documents += [mutate(rng.choice(texts), rng) for _ in range(mutants)]
    documents += [trigger_text(rng) + ". " + trigger_text(rng) for _ in range(mutants // 3)]
    inputs: list[dict[str, object]] = [
        {"text": text, "bounds": split_sentences(text)} for text in documents
    ]
    for text in rng.sample(documents, min(len(documents), mutants // 5)):
        if text:
            inputs.append({"text": text, "bounds": arbitrary_bounds(text, rng)})
    return inputs


def run_worker(tree: Path, inputs_path: Path, output_path: Path) -> None:
    """Suggest every input with the ``annotator`` package of ``tree``; one repr per line."""
    sys.path.insert(0, str(tree))
    import annotator.suggest.suggester as module
    from annotator.scheme import KnownSource
    from annotator.suggest import Suggester

    if not Path(module.__file__).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"imported {module.__file__}, not from {tree}")
    inputs = json.loads(inputs_path.read_text("utf-8"))
    extra = [KnownSource("Gaza Health Ministry", "government", ("health ministry", "MoH")),
             KnownSource("Reuters", "media", ("Reuters news agency",))]
    suggesters = [Suggester(), Suggester(known_sources=extra)]
    with output_path.open("w", encoding="utf-8") as out:
        for number, item in enumerate(inputs):
            text = item["text"]
            bounds = [tuple(pair) for pair in item["bounds"]]
            suggester = suggesters[number % 2]
            try:
                for sentence_spans in suggester.suggest_document(text, bounds):
                    out.write(repr(sentence_spans) + "\n")
                if bounds and number % 7 == 0:
                    sentences = [text[a:b] for a, b in bounds]
                    last = suggester.suggest_sentence(sentences[-1], sentences[:-1])
                    out.write(repr(last) + "\n")
            except Exception as error:  # a crash must be the same crash in both trees
                out.write(f"error {type(error).__name__}: {error} in {text!r}\n")
            out.write("--\n")


def time_worker(tree: Path, passes: int) -> None:
    """Print sentences per CPU second of ``tree``'s suggester (best of ``passes``)."""
    sys.path.insert(0, str(tree))
    import annotator.suggest.suggester as module
    from annotator.suggest import Suggester
    from annotator.text.segment import split_sentences

    if not Path(module.__file__).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"imported {module.__file__}, not from {tree}")
    sys.path.insert(0, str(ROOT))
    from suggestion_quality import reference_sets  # beside this file

    documents = [doc.text for docs in reference_sets(ROOT, ROOT.parent / "shared").values()
                 for doc in docs] * 20
    segmented = [(text, split_sentences(text)) for text in documents]
    count = sum(len(bounds) for _, bounds in segmented)
    suggester = Suggester()
    best = float("inf")
    for _ in range(passes):
        started = time.process_time()
        for text, bounds in segmented:
            suggester.suggest_document(text, bounds)
        best = min(best, time.process_time() - started)
    print(f"{count / best:.0f}" if best else "0")


def compare_speed(other: Path, rounds: int) -> None:
    """Time this tree and ``other`` alternately and print the rates and ratios."""
    best = {"this tree": 0.0, "other": 0.0}
    for number in range(1, rounds + 1):
        rates = {}
        for name, tree in (("other", other), ("this tree", ROOT)):
            result = subprocess.run([sys.executable, __file__, "--time-worker", str(tree), "5"],
                                    check=True, capture_output=True, text=True)
            rates[name] = float(result.stdout.strip())
            best[name] = max(best[name], rates[name])
        load = os.getloadavg()[0]
        print(f"round {number}: other {rates['other']:,.0f}/s, this tree "
              f"{rates['this tree']:,.0f}/s, ratio {rates['this tree'] / rates['other']:.2f} "
              f"(load average {load:.1f})")
    print(f"best of {rounds}: other {best['other']:,.0f}/s, this tree {best['this tree']:,.0f}/s, "
          f"ratio {best['this tree'] / best['other']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="tree with the other annotator package")
    parser.add_argument("--mutants", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--speed", action="store_true", help="time both trees alternately")
    parser.add_argument("--rounds", type=int, default=4, help="with --speed: how many rounds")
    parser.add_argument("--worker", nargs=3, type=Path, metavar=("TREE", "INPUTS", "OUTPUT"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--time-worker", nargs=2, metavar=("TREE", "PASSES"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run_worker(*args.worker)
        return
    if args.time_worker:
        time_worker(Path(args.time_worker[0]), int(args.time_worker[1]))
        return
    if args.against is None or not (args.against / "annotator").is_dir():
        parser.error("--against must name a directory holding an annotator package")
    if args.speed:
        compare_speed(args.against, args.rounds)
        return
    inputs = build_inputs(args.mutants, args.seed, args.shared)
    with tempfile.TemporaryDirectory() as scratch:
        inputs_path = Path(scratch) / "inputs.json"
        inputs_path.write_text(json.dumps(inputs), "utf-8")
        outputs = []
        for number, tree in enumerate((ROOT, args.against)):
            output = Path(scratch) / f"out{number}.txt"
            subprocess.run([sys.executable, __file__, "--worker", str(tree), str(inputs_path),
                            str(output)], check=True)
            outputs.append(output.read_text("utf-8").splitlines())
    new, old = outputs
    differences = sum(a != b for a, b in zip(new, old, strict=False)) + abs(len(new) - len(old))
    spans = sum(line.count("SuggestedSpan(") for line in new)
    errors = sum(line.startswith("error ") for line in new)
    print(f"{len(inputs)} documents ({args.mutants} mutated), {len(new)} output lines, "
          f"{spans} suggested spans, {errors} documents raising the same error in both trees "
          f"(first below): {differences} differences")
    for line in new:
        if line.startswith("error "):
            print(line[:300])
            break
    if differences:
        for a, b in zip(new, old, strict=False):
            if a != b:
                print("this tree:", a[:2000], "\nother:    ", b[:2000], sep="\n")
                break
        raise SystemExit(1)


if __name__ == "__main__":
    main()
