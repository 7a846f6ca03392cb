"""The end of a session: its own summary (never the previous one's), and undo from it."""

from __future__ import annotations

import pytest

from quizapp.db.store import Store
from quizapp.study.study import StaleCardError, Study
from quizapp.tui.app import QuizApp
from quizapp.tui.screens.review import ReviewScreen
from quizapp.tui.screens.summary import SummaryScreen
from tests.support.tui import screen_text


async def answer_until_summary(app, pilot) -> int:
    answered = 0
    while isinstance(app.screen, ReviewScreen) and answered < 30:
        await pilot.press("space", "4")
        await pilot.pause()
        answered += 1
    return answered


async def test_enter_on_a_deck_with_nothing_due_shows_nothing_due_not_the_last_summary(opened, clock):
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert await answer_until_summary(app, pilot) == 4
        assert "Session finished" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert "Nothing is due right now" in screen_text(app)
        assert "Session finished" not in screen_text(app)


async def test_ctrl_z_on_the_summary_undoes_the_last_answer_and_shows_that_card(opened, clock):
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        await answer_until_summary(app, pilot)
        last = opened.store.scalar("SELECT card_id FROM review_log ORDER BY reviewed_at DESC, rowid DESC LIMIT 1")
        assert opened.store.log_count() == 4
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.item.id == last
        assert opened.store.log_count() == 3
        assert opened.store.card_row(last)["state"] == 0
        # Answering it again ends on the summary of the whole session, the undone answer not counted twice.
        await pilot.press("space", "4")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert "4 cards studied in 4 answers" in screen_text(app)


def test_an_answer_shown_before_another_window_answered_the_card_is_refused(opened, clock):
    here = opened.study(clock)
    elsewhere = Study(Store.open(opened.workspace.db_path), opened.decks, clock=clock)
    try:
        item = here.next_item()
        here.preview(item.id)
        elsewhere.answer(item.id, 3)
        with pytest.raises(StaleCardError, match="was answered elsewhere"):
            here.answer(item.id, 4)
        assert opened.store.log_count() == 1
        # Shown again (a fresh preview), the answer builds on the other window's.
        here.preview(item.id)
        entry = here.answer(item.id, 4)
        assert entry.state_before != 0 and opened.store.log_count() == 2
    finally:
        elsewhere.store.close()
