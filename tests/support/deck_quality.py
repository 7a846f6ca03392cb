"""Measures of a deck's quality as learning material, shared by the tests and ``python -m bench decks``.

Each function takes the loaded cards and returns what it found, so a test can assert on it and a
writer can print it while editing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import snowballstemmer

from quizapp.decks.models import CLOZE_RE

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"

_STEM = snowballstemmer.stemmer("english")
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOPWORDS = set(
    """a an the and or but of to in on at by for with from into onto as is are was were be been being it its
    this that these those which who whom what when where why how than then so such not no do does did done
    has have had having can could would should will shall may might must there their they them he she his her
    we our you your i me my one two also only more most very about over under after before between during
    while each every any all some other same just up out off if else like""".split()
)

SOURCE_NAMING = re.compile(
    r"according to|\bsources?\b|\bdocuments?\b|\bthe (?:article|page|text|summary|film|documentary|write-?up)\b|\d{3}_[0-9a-f]{4}",
    re.IGNORECASE,
)
"""A question that asks what a document says rather than about PyTorch or ML engineering."""

UNDERSTANDING = re.compile(
    r"^\s*(?:why|how)\b"
    r"|\bwhy\b"
    r"|\bhow (?:does|do|did|would|can|could|should|is|are|was|were|much|many)\b"
    r"|\bwhen (?:would|should|do|does|is|are|might)\b"
    r"|\bwhat (?:breaks|goes wrong|happens|would|do you|does it cost|did it cost|changes|is the cost|is the trade|trade)"
    r"|\bwhich\b.*\b(?:choose|pick|reach for|would you|should you)\b"
    r"|\b(?:you|your team|your model|your job|your cluster|your service)\b"
    r"|\bwhat (?:problem|limitation|risk|cost|advantage|benefit)\b"
    r"|\bwhat is (?:lost|gained)\b|\binstead of\b|\brather than\b|\bcompared (?:to|with)\b|\bversus\b|\bvs\.?\b",
    re.IGNORECASE,
)
"""Wording of a question that asks why, how, when to choose, what breaks, or sets a scenario."""


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def stems(text: str) -> list[str]:
    return _STEM.stemWords(words(text))


def content_stems(text: str) -> set[str]:
    return {s for w, s in zip(words(text), stems(text)) if w not in STOPWORDS and len(w) > 1}


def all_cards(decks) -> list:
    return [card for deck in decks.decks for card in deck.cards]


def review_cards(cards: Iterable) -> list:
    return [c for c in cards if c.kind != "interview"]


def question(card) -> str:
    """What a card asks, as the learner reads it before the answer."""
    if card.kind == "basic":
        return card.front
    if card.kind == "cloze":
        return CLOZE_RE.sub("___", card.text)
    if card.kind == "choice":
        return card.question
    return card.prompt


def answer(card) -> str:
    if card.kind == "basic":
        return card.back
    if card.kind == "cloze":
        return " ".join(m.group(2) for m in CLOZE_RE.finditer(card.text)) + " " + card.extra
    if card.kind == "choice":
        return card.answer + " " + card.explanation
    if card.kind == "order":
        return " ".join(card.items)
    return " ".join(card.model_answer)


def texts(card) -> Iterator[tuple[str, str]]:
    """(field, text) for every piece of prose on a card, notes included."""

    def walk(name: str, value) -> Iterator[tuple[str, str]]:
        if isinstance(value, str):
            yield name, value
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from walk(f"{name}[{i}]", v)
        elif isinstance(value, dict):
            for k, v in value.items():
                if k not in ("id", "source", "tags", "kind", "stage", "evidence", "terms"):
                    yield from walk(f"{name}.{k}" if name else k, v)

    yield from walk("", card.model_dump())


def seed_texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


def seed_sentences() -> list[str]:
    out = []
    for text in seed_texts().values():
        for line in text.splitlines():
            out += [s for s in re.split(r"(?<=[.!?])\s+", line) if len(words(s)) >= 8]
    return out


def cards_naming_a_source(cards: Iterable) -> list[str]:
    return [c.id for c in review_cards(cards) if SOURCE_NAMING.search(question(c))]


def understanding_cards(cards: Iterable) -> list[str]:
    return [c.id for c in review_cards(cards) if UNDERSTANDING.search(question(c))]


def copied_runs(cards: Iterable, run: int = 8) -> list[tuple[str, str, str]]:
    """(card id, field, the copied words) for every run of ``run`` words a card shares with a source."""
    seed_runs = set()
    for text in seed_texts().values():
        w = words(text)
        seed_runs.update(tuple(w[i : i + run]) for i in range(len(w) - run + 1))
    found = []
    for card in cards:
        for name, text in texts(card):
            w = words(text)
            for i in range(len(w) - run + 1):
                if tuple(w[i : i + run]) in seed_runs:
                    found.append((card.id, name, " ".join(w[i : i + run])))
                    break
    return found


def reworded_sentences(cards: Iterable, threshold: float = 0.75) -> list[tuple[str, str, str]]:
    """(card id, field, source sentence) where a card's sentence is a source sentence with a few
    words swapped: most of its content words, in the same order, come from one source sentence."""
    from difflib import SequenceMatcher

    sources = []
    for sentence in seed_sentences():
        s = [x for x in stems(sentence) if x not in STOPWORDS]
        if len(s) >= 6:
            sources.append((sentence, s, set(s)))
    found = []
    for card in cards:
        for name, text in texts(card):
            for piece in re.split(r"(?<=[.!?;])\s+", text):
                mine = [x for x in stems(piece) if x not in STOPWORDS]
                if len(mine) < 6:
                    continue
                mine_set = set(mine)
                for sentence, theirs, theirs_set in sources:
                    if len(mine_set & theirs_set) < 0.6 * len(mine_set):
                        continue
                    if SequenceMatcher(None, mine, theirs, autojunk=False).ratio() >= threshold:
                        found.append((card.id, name, sentence))
                        break
    return found


def near_duplicates(cards: Iterable, threshold: float = 0.5) -> list[tuple[str, str, float]]:
    """Pairs of review cards whose question and answer share most of their content words."""
    bags = [(c.id, content_stems(question(c) + " " + answer(c))) for c in review_cards(cards) if c.kind != "order"]
    found = []
    for i, (a, sa) in enumerate(bags):
        if len(sa) < 4:
            continue
        for b, sb in bags[i + 1 :]:
            if len(sb) < 4:
                continue
            jaccard = len(sa & sb) / len(sa | sb)
            if jaccard >= threshold:
                found.append((a, b, round(jaccard, 2)))
    return found


COVERAGE_IGNORED = {
    # Page furniture of the saved web pages, not facts.
    "knowledge", "graphsettings", "updated", "february", "march", "pm", "am", "source", "look", "hard",
    "year", "about", "main", "system", "design", "space", "related", "chapters", "read", "more",
    "game", "overview", "thinking", "featuring", "hands-on", "however", "yes", "td", "tb", "advances",
    "affiliation", "description", "innovations", "articles", "edition", "stories", "whether",
    "a0000", "a90e2", "ee4c2c", "chintalayann", "lecunmeta",
    # Section headings and an author's biography line.
    "abstraction", "bridges", "maturation", "purpose", "timeline", "bay",
}


def source_terms() -> dict[str, set[str]]:
    """The names and years each source mentions: capitalised words inside sentences, words with
    capitals or digits inside them (``ATen``, ``torch.compile``'s ``torch``), and years."""
    out: dict[str, set[str]] = {}
    for name, text in seed_texts().items():
        found = set(re.findall(r"\b(?:19[89]\d|20[0-3]\d)\b", text))
        for line in re.split(r"\n|[:.!?|]\s+|\s[-–—]\s", text):
            tokens = re.findall(r"[A-Za-z][A-Za-z0-9]*(?:[.\-][A-Za-z0-9]+)*", line)
            for i, tok in enumerate(tokens):
                if i == 0:
                    continue
                if tok[0].isupper() or any(ch.isdigit() for ch in tok):
                    found.add(tok)
        out[name] = {t for t in found if t.lower() not in COVERAGE_IGNORED and t.lower() not in STOPWORDS}
    return out


def uncovered_terms(cards: Iterable) -> dict[str, list[str]]:
    """For each source, the names and years it mentions that no card mentions."""
    corpus = " ".join(text for card in cards for _, text in texts(card)).lower()
    corpus_words = set(re.findall(r"[a-z0-9]+(?:[.\-][a-z0-9]+)*", corpus)) | set(words(corpus))
    missing = {}
    for name, terms in source_terms().items():
        gone = sorted(t for t in terms if t.lower() not in corpus_words and t.lower() not in corpus)
        if gone:
            missing[name] = gone
    return missing


def report(paths: list[Path] | None = None) -> None:
    """Print every measure over the shipped decks (``python -m tests.support.deck_quality``)."""
    from collections import Counter

    from quizapp.decks.loader import load_decks

    decks = load_decks([ROOT / "decks"], base=ROOT)
    for problem in decks.problems:
        print("PROBLEM", problem)
    cards = all_cards(decks)
    review = review_cards(cards)
    for deck in decks.decks:
        print(f"{deck.id:24} {len(deck.cards):4} {dict(Counter(c.kind for c in deck.cards))}")
    print(f"cards {len(cards)}, review cards {len(review)}")
    naming = cards_naming_a_source(cards)
    print(f"questions naming a source: {len(naming)} ({len(naming) / max(1, len(review)):.1%}, at most 5%): {naming}")
    why = understanding_cards(cards)
    print(f"why/how/when/scenario questions: {len(why)} ({len(why) / max(1, len(review)):.1%}, at least 30%)")
    for card_id, name, run in copied_runs(cards):
        print(f"COPIED 8+ words  {card_id} {name}: {run!r}")
    for card_id, name, sentence in reworded_sentences(cards):
        print(f"REWORDED SOURCE  {card_id} {name}: {sentence[:100]!r}")
    for a, b, j in near_duplicates(cards):
        print(f"NEAR DUPLICATE   {a} ~ {b} ({j})")
    for source, terms in uncovered_terms(cards).items():
        print(f"NOT ON ANY CARD  {source}: {', '.join(terms)}")


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    report()
