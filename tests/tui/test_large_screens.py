"""Screens over large collections stay responsive: long tables fill a step per refresh, and the home
screen counts a large collection in a worker, then writes only the cells that changed."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from quizapp.session import open_workspace
from quizapp.tui.app import QuizApp
from quizapp.tui.screens import home
from quizapp.tui.screens.home import HomeScreen
from quizapp.tui.screens.review import ReviewScreen
from quizapp.tui.widgets.table import STEP, SteppedTable
from quizapp.workspace import Workspace
from tests.support.history import write_generated_decks
from tests.support.tui import wait_until


class TableApp(App):
    def compose(self) -> ComposeResult:
        table = SteppedTable()
        table.add_column("n", key="n")
        yield table


def keys(table: SteppedTable) -> list[str]:
    return [table.coordinate_to_cell_key((i, 0)).row_key.value or "" for i in range(table.row_count)]


async def test_a_long_table_shows_its_first_rows_at_once_and_the_rest_a_step_per_refresh():
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(SteppedTable)
        done: list[int] = []
        table.show_rows([(f"a{n}", [Text(str(n))]) for n in range(3 * STEP + 7)], then=lambda: done.append(table.row_count))
        assert table.row_count == STEP and table.filling and not done
        await wait_until(pilot, lambda: not table.filling)
        assert keys(table) == [f"a{n}" for n in range(3 * STEP + 7)]
        assert done == [3 * STEP + 7]  # told once, when the last row was in


async def test_rows_given_while_a_table_fills_replace_the_unfinished_ones():
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(SteppedTable)
        table.show_rows([(f"a{n}", [Text(str(n))]) for n in range(4 * STEP)])
        table.show_rows([(f"b{n}", [Text(str(n))]) for n in range(STEP + 3)])
        await wait_until(pilot, lambda: not table.filling)
        await pilot.pause(0.1)  # any step of the first rows still to come would have come by now
        assert keys(table) == [f"b{n}" for n in range(STEP + 3)]


def home_rows(screen: HomeScreen) -> list[tuple[str, ...]]:
    table = screen.query_one(SteppedTable)
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


def counted_rows(app: QuizApp) -> list[tuple[str, ...]]:
    """What the home table must say: every deck with cards, counted on the spot."""
    return [(c.title, str(c.new), str(c.learning), str(c.due), str(c.learned), str(c.total))
            for c in app.study.deck_counts() if c.total]


async def test_home_counts_a_large_collection_in_a_worker_and_keeps_the_cursor_on_its_deck(tmp_path, clock, monkeypatch):
    monkeypatch.setattr(home, "IN_WORKER_FROM", 0)  # the small collection counts as a large one
    write_generated_decks(tmp_path / "decks", {"gen-a": 12, "gen-b": 12, "gen-c": 12})
    opened = open_workspace(Workspace(tmp_path, (tmp_path / "decks",), "test"))
    try:
        app = QuizApp(opened, clock=clock)
        async with app.run_test(size=(120, 36)) as pilot:
            screen = app.screen
            assert isinstance(screen, HomeScreen)
            await wait_until(pilot, lambda: screen.counted)
            assert home_rows(screen) == counted_rows(app)
            assert "Today:" in str(screen.query_one("#totals").render())
            assert home_rows(screen)[1][1:3] == ("12", "0")  # gen-b: 12 new cards, none learning

            await pilot.press("down")
            assert screen.highlighted_deck() == "gen-b"
            await pilot.press("enter")  # study gen-b: answer one new card Good
            await wait_until(pilot, lambda: isinstance(app.screen, ReviewScreen))
            await pilot.press("space", "3")
            await pilot.pause()
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is screen and screen.counted)

            assert home_rows(screen) == counted_rows(app)
            assert home_rows(screen)[1][1:3] == ("11", "1")  # a new card fewer, one learning
            assert screen.highlighted_deck() == "gen-b"
    finally:
        opened.store.close()
