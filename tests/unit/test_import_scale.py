"""Large imports: a deck file an import writes loads at any size a collection has (up to a bound),
while a hand-written deck file keeps the 5 MB limit."""

from __future__ import annotations

from quizapp.decks.loader import MAX_DECK_BYTES, load_deck_file

DECK = "id: big\ntitle: Big\ncards:\n  - {id: big-1, kind: basic, front: q, back: a, source: big.apkg}\n"


def _big(path, head: str) -> None:
    padding = ("#" + "x" * 99 + "\n") * (MAX_DECK_BYTES // 100 + 1000)
    path.write_text(head + DECK + padding, encoding="utf-8")


def test_a_large_imported_deck_file_loads(tmp_path):
    path = tmp_path / "big.yaml"
    _big(path, "# Imported with `quizapp import` from big.apkg.\n")
    assert path.stat().st_size > MAX_DECK_BYTES
    deck, problems = load_deck_file(path)
    assert problems == [] and deck is not None and len(deck.cards) == 1


def test_a_large_hand_written_deck_file_is_still_refused(tmp_path):
    path = tmp_path / "big.yaml"
    _big(path, "# my notes\n")
    deck, problems = load_deck_file(path)
    assert deck is None and "limited to 5 MB" in problems[0]
