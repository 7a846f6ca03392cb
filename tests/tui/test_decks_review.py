"""Every shipped deck opens in the review screen and takes an answer."""

from pathlib import Path

import pytest

from quizapp.decks.loader import load_decks
from quizapp.session import open_workspace
from quizapp.tui.app import QuizApp
from quizapp.tui.screens.review import ReviewScreen
from quizapp.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
REVIEW_DECKS = [
    d.id for d in load_decks([ROOT / "decks"]).decks if any(c.kind != "interview" for c in d.cards)
]


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    return Workspace(home, ((ROOT / "decks").resolve(),), "test")


def test_there_are_review_decks():
    assert len(REVIEW_DECKS) >= 8


@pytest.mark.parametrize("deck_id", REVIEW_DECKS)
async def test_each_shipped_deck_can_be_reviewed(shipped, deck_id, clock):
    opened = open_workspace(shipped)
    try:
        app = QuizApp(opened, start="review", deck=deck_id, clock=clock)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)
            item = app.screen.item
            assert item is not None and item.deck_id == deck_id
            await pilot.press("space", "3")
            await pilot.pause()
        rows = opened.store.query("SELECT card_id FROM review_log WHERE card_id = ?", [item.id])
        assert len(rows) == 1
    finally:
        opened.store.close()
