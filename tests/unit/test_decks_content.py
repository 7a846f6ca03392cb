"""The shipped decks: valid, sourced, tagged, in their own words, and enough of them."""

import re
from pathlib import Path

import pytest

from quizapp.decks.loader import load_decks

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
SOURCE_NAME = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt$")


@pytest.fixture(scope="module")
def shipped():
    return load_decks([ROOT / "decks"], base=ROOT)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def card_texts(card) -> list[str]:
    data = card.model_dump()
    out = []

    def walk(value):
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for k, v in value.items():
                if k not in ("id", "source", "tags", "kind"):
                    walk(v)

    walk(data)
    return out


def test_every_shipped_deck_loads_without_problems(shipped):
    assert shipped.problems == []
    assert len(shipped.decks) >= 5


def test_every_card_names_its_source_document_and_has_tags(shipped):
    known = {p.name for p in SEEDS.glob("*.txt")} if SEEDS.is_dir() else None
    for deck in shipped.decks:
        for card in deck.cards:
            assert card.tags, f"{card.id} has no tags"
            for source in card.source:
                assert SOURCE_NAME.match(source), f"{card.id}: source {source!r} is not a document name"
                if known is not None:
                    assert source in known, f"{card.id}: source {source!r} is not one of the documents"


def test_enough_review_cards_and_interview_prompts(shipped):
    cards = [c for d in shipped.decks for c in d.cards]
    interview = [c for c in cards if c.kind == "interview"]
    assert len(cards) - len(interview) >= 200
    assert len(interview) >= 30
    kinds = {c.kind for c in cards}
    assert kinds == {"basic", "cloze", "choice", "order", "interview"}


def test_interview_rubrics_have_four_to_eight_points_with_evidence_cues(shipped):
    for deck in shipped.decks:
        for card in deck.cards:
            if card.kind != "interview":
                continue
            assert 4 <= len(card.rubric) <= 8, f"{card.id}: {len(card.rubric)} rubric points"
            assert card.model_answer
            for point in card.rubric:
                assert point.stage in {None, "data", "model", "serving", "monitoring", "tradeoff"}
                assert point.evidence, f"{card.id}: {point.point!r} has no evidence cues"


def test_basic_answers_are_short_enough_to_say_aloud(shipped):
    backs = [c.back for d in shipped.decks for c in d.cards if c.kind == "basic"]
    assert backs
    long = [b for b in backs if len(words(b)) > 25]
    assert len(long) <= len(backs) // 10, long[:5]
    assert all(len(words(b)) <= 40 for b in backs)


def test_choice_distractors_are_distinct_from_the_answer(shipped):
    for deck in shipped.decks:
        for card in deck.cards:
            if card.kind == "choice":
                assert len(card.choices) >= 3, card.id
                others = [c for c in card.choices if c != card.answer]
                assert card.answer.strip().lower() not in {o.strip().lower() for o in others}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the source documents are not beside this checkout")
def test_no_card_repeats_ten_words_in_a_row_from_a_document(shipped):
    seed_runs = set()
    for seed in SEEDS.glob("*.txt"):
        w = words(seed.read_text(encoding="utf-8"))
        seed_runs.update(tuple(w[i : i + 10]) for i in range(len(w) - 9))
    copied = []
    for deck in shipped.decks:
        for card in deck.cards:
            for text in card_texts(card):
                w = words(text)
                if any(tuple(w[i : i + 10]) in seed_runs for i in range(len(w) - 9)):
                    copied.append((card.id, text[:80]))
    assert copied == []
