"""The TUI driven by keys, as a user would: home screen, a whole review session, undo, bury, suspend."""

from textual.widgets import DataTable, Static

from quizapp.tui.app import QuizApp
from quizapp.tui.screens.review import ReviewScreen
from quizapp.tui.screens.summary import SummaryScreen


def screen_text(app) -> str:
    """Everything the current screen shows, as plain text."""
    return "\n".join(str(w.render()) for w in app.screen.query(Static) if w.display)


async def test_home_lists_decks_with_counts(opened, clock):
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        row = [str(c) for c in table.get_row_at(0)]
        # New: one a card, as review gives them; cards: every side and deletion, the interview prompt too.
        assert row == ["Small deck", "4", "0", "0", "0", "7"]
        assert "4 new" in screen_text(app)


async def test_a_whole_review_session_leaves_one_log_row_per_answer(opened, clock):
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        answers = 0
        while isinstance(app.screen, ReviewScreen) and answers < 50:
            assert not app.screen.query_one("#answer").display
            await pilot.press("space")
            assert app.screen.query_one("#answer").display
            await pilot.press("4")  # Easy: graduates straight away
            answers += 1
            await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        # Six items; the second side of the reversed card and the second cloze wait for tomorrow.
        assert "4 cards studied in 4 answers (4 new)" in screen_text(app)
    rows = opened.store.query("SELECT card_id, rating, mode FROM review_log")
    assert len(rows) == answers == 4
    assert {r["rating"] for r in rows} == {4} and {r["mode"] for r in rows} == {"review"}
    assert opened.store.scalar("SELECT COUNT(*) FROM cards WHERE state = 2") == 4


async def test_rating_keys_do_nothing_before_the_answer_is_shown(opened, clock):
    app = QuizApp(opened, clock=clock, start="review")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("3", "1", "4")
        assert opened.store.log_count() == 0


async def test_rating_buttons_show_fsrs_intervals(opened, clock):
    app = QuizApp(opened, clock=clock, start="review")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space")
        labels = [str(app.screen.query_one(f"#rate-{r}").label) for r in (1, 2, 3, 4)]
        assert labels[0].startswith("Again  1m") and labels[2].startswith("Good  10m")
        assert labels[3].startswith("Easy") and labels[3].split()[1].endswith("d")


async def test_markup_in_cards_is_shown_literally_and_runs_nothing(opened, clock):
    app = QuizApp(opened, clock=clock, start="review")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        # s-basic is the first new card
        assert "What does [bold]x[0][/] print?" in screen_text(app)
        await pilot.press("space")
        assert "list[int] and [@click=app.quit]z[/]" in screen_text(app)
        await pilot.click("#answer")
        await pilot.pause()
        assert app.is_running


async def test_ctrl_z_undoes_several_answers(opened, clock):
    app = QuizApp(opened, clock=clock, start="review")
    async with app.run_test(size=(120, 40)) as pilot:
        first = app.screen.item.id
        await pilot.press("space", "3")
        await pilot.press("space", "3")
        assert opened.store.log_count() == 2
        await pilot.press("ctrl+z")
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert opened.store.log_count() == 0
        assert app.screen.item.id == first
        assert opened.store.scalar("SELECT COUNT(*) FROM cards WHERE state != 0") == 0


async def test_bury_and_suspend_keys(opened, clock):
    app = QuizApp(opened, clock=clock, start="review")
    async with app.run_test(size=(120, 40)) as pilot:
        first = app.screen.item.id
        await pilot.press("minus")
        second = app.screen.item.id
        await pilot.press("at")
        await pilot.pause()
        row1, row2 = opened.store.card_row(first), opened.store.card_row(second)
        assert row1["buried_until"] is not None and row1["suspended"] == 0
        assert row2["suspended"] == 1
        assert app.screen.item.id not in (first, second)


async def test_review_of_one_deck_from_the_home_screen(opened, clock):
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and app.screen.deck == "small"


async def test_escape_goes_home_and_counts_update(opened, clock):
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r", "space", "4", "escape")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert [str(c) for c in table.get_row_at(0)][1] == "3"


async def test_a_locked_database_is_a_message_and_the_answer_can_be_given_again(workspace, clock):
    import sqlite3

    from quizapp.db.store import Store
    from quizapp.session import Opened, open_workspace

    first = open_workspace(workspace)
    first.store.close()
    store = Store.open(workspace.db_path, busy_timeout_ms=100)
    opened = Opened(workspace, store, first.decks, {})
    app = QuizApp(opened, clock=clock, start="review")
    async with app.run_test(size=(120, 40)) as pilot:
        item = app.screen.item.id
        blocker = sqlite3.connect(workspace.db_path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        await pilot.press("space", "3")
        await pilot.pause()
        assert app.screen.item.id == item and app.screen.revealed
        assert any("locked by another process" in str(n.message) for n in app._notifications)
        blocker.execute("ROLLBACK")
        blocker.close()
        await pilot.press("3")
        await pilot.pause()
    assert [r["card_id"] for r in store.query("SELECT card_id FROM review_log")] == [item]
    store.close()


async def test_command_palette_offers_review_of_a_deck(opened, clock):
    from textual.command import CommandPalette

    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Review deck: Small")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and app.screen.deck == "small"


async def test_space_on_the_answer_side_means_good_and_the_footer_says_so(opened, clock):
    app = QuizApp(opened, clock=clock, start="review")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        keys = {b.binding.key for b in app.screen.active_bindings.values() if b.enabled and b.binding.show}
        assert "space" in keys and "3" not in keys
        await pilot.press("space")
        await pilot.pause()
        keys = {b.binding.key for b in app.screen.active_bindings.values() if b.enabled and b.binding.show}
        assert "space" not in keys and "3" in keys
        await pilot.press("space")
        await pilot.pause()
    assert [r["rating"] for r in opened.store.query("SELECT rating FROM review_log")] == [3]


async def test_started_straight_into_review_escape_leads_to_the_home_screen(opened, clock):
    from quizapp.tui.screens.home import HomeScreen

    app = QuizApp(opened, clock=clock, start="review")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one(DataTable).row_count == 1
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
