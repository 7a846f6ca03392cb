"""Bury and suspend while another program holds the write lock: a message, the card stays, the key retries."""

from __future__ import annotations

import sqlite3

import pytest

from quizapp.db.store import Store
from quizapp.session import Opened, open_workspace
from quizapp.tui.app import QuizApp


@pytest.mark.parametrize(("key", "title", "column"), [("minus", "Not buried", "buried_until"),
                                                      ("at", "Not suspended", "suspended")])
async def test_bury_and_suspend_under_another_programs_lock_show_a_message(workspace, clock, key, title, column):
    first = open_workspace(workspace)
    first.store.close()
    store = Store.open(workspace.db_path, busy_timeout_ms=100)
    app = QuizApp(Opened(workspace, store, first.decks, {}), clock=clock, start="review")
    async with app.run_test(size=(80, 24)) as pilot:
        item = app.screen.item.id
        blocker = sqlite3.connect(workspace.db_path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        await pilot.press(key)
        await pilot.pause()
        assert app.screen.item.id == item  # the card stays on screen
        shown = [n for n in app._notifications if n.title == title]
        assert shown and "locked by another process" in str(shown[0].message)
        blocker.execute("ROLLBACK")
        blocker.close()
        await pilot.press(key)  # the same key again, now that the lock is gone
        await pilot.pause()
        assert app.screen.item is None or app.screen.item.id != item
    card = item.split("::")[0]
    value = store.scalar(f"SELECT {column} FROM cards WHERE id = ?", [card])
    assert value
    store.close()
