"""The deck file writer's own YAML: whatever text a card holds, the loader reads back exactly the
cards that were written, and reports each card's line where the file has it."""

from __future__ import annotations

import random
from pathlib import Path

from quizapp.decks.loader import load_deck_file
from quizapp.decks.models import BasicCard, validate_card
from quizapp.decks.yaml_reader import parse_deck
from quizapp.interop import yamlemit
from quizapp.interop.deckwriter import card_data, deck_document

AWKWARD = [
    "plain words", "yes", "No", "null", "~", "012", "1.10", "12:30", "- a list?", "key: value", "a # not a comment",
    "#hash", "[x]", "{y}", "a, b", "'single'", '"double"', "back\\slash", "tab\there", " leading", "trailing ",
    "line\nbreak", "ends with a break\n", "two breaks\n\n", "\nstarts with one", "  indented\nsecond", "a \nb",
    "x\r\ny", "bell\x07", "del\x7f", "c1\x85next", "ls\u2028ps\u2029", "bom\ufeff", "nbsp\xa0here", "emoji 😀",
    "日本語のテキスト", "Über", "&amp; <b>", "%percent", "@at", "`tick`", "!bang", "*star", "&anchor", "|pipe",
    ">fold", "?", ":", "-", "---", "...", "a: b\n  c: d", "\t", "\\u0041", "x\x00y", "=", "<<",
]


def _random_text(rng: random.Random) -> str:
    pieces = [rng.choice(AWKWARD) for _ in range(rng.randint(1, 4))]
    text = rng.choice(["", " ", "\n"]).join(pieces)
    return text if text.strip() else "x" + text


def _cards(count: int, seed: int = 7) -> list:
    rng = random.Random(seed)
    cards = []
    for i in range(count):
        tags = [rng.choice(["a", "b-c", "d_e", "yes", "x y"]) for _ in range(rng.randint(0, 3))]
        raw = {"id": f"card-{i}", "kind": "basic", "front": _random_text(rng), "back": _random_text(rng),
               "tags": list(dict.fromkeys(tags)), "source": [rng.choice(["deck.apkg", "a: b.csv", "x #1.txt"])]}
        if i % 5 == 0:
            raw = {"id": f"card-{i}", "kind": "cloze", "text": f"{_random_text(rng)} {{{{c1::{_random_text(rng)}}}}}",
                   "extra": _random_text(rng), "source": ["deck.apkg"]}
        elif i % 7 == 0:
            raw["reverse"] = True
            raw["notes"] = _random_text(rng)
        try:
            cards.append(validate_card(raw))
        except Exception:  # text the schema refuses never reaches the writer
            continue
    return cards


def test_awkward_text_comes_back_as_written():
    cards = _cards(3000)
    assert len(cards) > 2000
    pieces, lines = deck_document("odd", "Odd: a 'deck' #1", "- described\nover lines", cards, "Imported with x")
    deck, problems = parse_deck("".join(pieces).encode("utf-8"), "odd.yaml")
    assert problems == [] and deck is not None
    assert (deck.id, deck.title, deck.description) == ("odd", "Odd: a 'deck' #1", "- described\nover lines")
    assert deck.cards == cards
    assert deck.lines == lines


def test_every_single_awkward_value_round_trips():
    for text in AWKWARD:
        if not text.strip() or "\x00" in text:
            continue
        card = BasicCard(id="c", front=text, back="b " + text, tags=[], source=[text])
        pieces, _ = deck_document("d", text, "", [card])
        deck, problems = parse_deck("".join(pieces).encode("utf-8"), "d.yaml")
        assert problems == [], (text, problems)
        assert deck is not None and deck.title == text and deck.cards == [card], text


def test_basic_cards_are_written_as_the_general_writer_writes_them():
    cards = [c for c in _cards(500, seed=3) if c.kind == "basic" and not c.reverse]
    for card in cards:
        assert yamlemit.basic_card_text(card.id, card.front, card.back, card.tags, card.source) == yamlemit.card_text(
            card_data(card)
        )


def test_shipped_decks_round_trip_through_the_writer():
    for path in sorted(Path(__file__).resolve().parents[2].joinpath("decks").glob("*.yaml")):
        deck, problems = load_deck_file(path)
        assert deck is not None and problems == []
        pieces, lines = deck_document(deck.id, deck.title, deck.description, deck.cards)
        again, problems = parse_deck("".join(pieces).encode("utf-8"), path.name)
        assert problems == [] and again is not None, (path, problems[:3])
        assert again.cards == deck.cards and again.lines == lines, path
