"""The card browser on a large collection: the table holds a page of rows at most (filling a
DataTable costs about 0.4 ms a row), the screen no more than that page, and the status line says how
many the search found."""

import gc
import threading

from textual.widgets import DataTable, Input, Static

from quizapp.session import open_workspace
from quizapp.study.search import CardIndex, CardRow
from quizapp.tui.app import QuizApp
from quizapp.tui.screens.browse import BrowseScreen
from quizapp.tui.widgets.table import SteppedTable
from quizapp.workspace import Workspace
from tests.support.history import write_generated_decks
from tests.support.tui import wait_until


async def test_a_search_finding_hundreds_of_cards_fills_one_page_of_rows(tmp_path, clock):
    write_generated_decks(tmp_path / "decks", {"gen-a": 450})
    opened = open_workspace(Workspace(tmp_path, (tmp_path / "decks",), "test"))
    try:
        app = QuizApp(opened, clock=clock)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("b")
            await pilot.pause()
            assert isinstance(app.screen, BrowseScreen)
            table = app.screen.query_one(SteppedTable)
            await wait_until(pilot, lambda: not table.filling)
            assert table.row_count == 200
            status = str(app.screen.query_one("#browse-status", Static).render())
            assert "450 of 450 cards" in status and "the first 200 shown" in status
            # The cards are searched in SQLite: the screen holds the rows it shows, not one per card.
            gc.collect()
            assert sum(isinstance(o, CardRow) for o in gc.get_objects()) == 200
    finally:
        opened.store.close()


async def test_a_large_collection_is_read_and_searched_off_the_ui_thread(opened, clock, monkeypatch):
    from quizapp.tui.screens import browse

    # Treat the small deck as a large collection, and hold reading and searching until released.
    monkeypatch.setattr(browse, "IN_WORKER_FROM", 0, raising=False)
    reading, searching = threading.Event(), threading.Event()
    real_read, real_find = CardIndex.read.__func__, CardIndex.find
    monkeypatch.setattr(CardIndex, "read", classmethod(lambda *a, **k: (reading.wait(2), real_read(*a, **k))[1]))
    monkeypatch.setattr(CardIndex, "find", lambda *a, **k: (searching.wait(2), real_find(*a, **k))[1])
    searching.set()
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("b")
        await pilot.pause()
        # The screen is up and says what it is doing while the cards are read.
        assert isinstance(app.screen, BrowseScreen)
        assert "Reading 7 cards" in str(app.screen.query_one("#browse-status", Static).render())
        assert app.screen.query_one(DataTable).row_count == 0
        reading.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one(DataTable).row_count == 7
        searching.clear()
        await pilot.press("slash", *"is:new -tag:compiler")
        await pilot.pause()
        # Typing goes on while the search runs; the table changes when it is done.
        assert app.screen.query_one(Input).value == "is:new -tag:compiler"
        assert app.screen.query_one(DataTable).row_count == 7
        searching.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one(DataTable).row_count == 5
        assert "5 of 7 cards" in str(app.screen.query_one("#browse-status", Static).render())
