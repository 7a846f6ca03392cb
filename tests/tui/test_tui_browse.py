"""The card browser driven by keys: search, sort, suspend, bury, forget, edit in $EDITOR; and the
keys dialog (? / F1) and q backing out."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

from textual.widgets import DataTable, Input, Static

from quizapp.session import open_workspace
from quizapp.tui.app import QuizApp
from quizapp.tui.dialogs.confirm import ConfirmDialog
from quizapp.tui.dialogs.keys import KeysDialog
from quizapp.tui.screens.browse import BrowseScreen
from quizapp.tui.screens.home import HomeScreen
from quizapp.workspace import Workspace
from tests.support.decks import SMALL_DECK, write_deck


def table_ids(app) -> list[str]:
    table = app.screen.query_one(DataTable)
    return [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]


def detail(app) -> str:
    return str(app.screen.query_one("#browse-detail", Static).render())


async def open_browser(pilot, query: str = "") -> None:
    await pilot.press("b")
    await pilot.pause()
    assert isinstance(pilot.app.screen, BrowseScreen)
    if query:
        await pilot.press("slash", *query, "enter")
        await pilot.pause()


async def test_home_b_opens_the_browser_and_the_search_filters_the_table(opened, clock):
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_browser(pilot)
        assert len(table_ids(app)) == 7  # every item of the small deck
        await pilot.press("slash", *"is:new -tag:compiler", "enter")
        await pilot.pause()
        assert table_ids(app) == ["s-basic", "s-cloze", "s-cloze::c2", "s-choice", "s-interview"]
        assert "5 of 7 cards" in str(app.screen.query_one("#browse-status", Static).render())
        # Typed letters went into the search box, not to the screen's keys (f is forget, e is edit).
        assert app.screen.query_one(Input).value == "is:new -tag:compiler"
        assert opened.store.log_count() == 0
        await pilot.press("slash", "ctrl+u", *"is:bogus")
        await pilot.pause()
        assert "unknown search 'is:bogus'" in str(app.screen.query_one("#browse-status", Static).render())


async def test_the_side_panel_shows_the_highlighted_cards_text_and_history(opened, clock):
    study = opened.study(clock)
    study.answer("s-choice", 3, 1000)
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_browser(pilot, "s-choice")
        text = detail(app)
        assert "Which came first?" in text and "Torch" in text
        assert "History" in text and "review    Good" in text


async def test_sorting_by_a_column_and_reversing(opened, clock):
    study = opened.study(clock)
    study.answer("s-choice", 1, 1000)  # one lapse-free learning card, due in a minute
    study.answer("s-basic", 4, 1000)  # a review card due in days
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_browser(pilot, "-is:new")
        assert table_ids(app) == ["s-choice", "s-basic"]  # by due, soonest first
        await pilot.press("S")  # reversed
        assert table_ids(app) == ["s-basic", "s-choice"]
        await pilot.click("#browse-table", offset=(40, 0))  # a column heading: sorts by it
        await pilot.pause()
        assert "sorted by State" in str(app.screen.query_one("#browse-status", Static).render())


async def test_suspend_bury_and_forget_from_the_browser(opened, clock):
    study = opened.study(clock)
    study.answer("s-basic", 4, 1000)
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_browser(pilot, "s-basic")
        await pilot.press("at")
        await pilot.pause()
        assert opened.store.card_row("s-basic")["suspended"] == 1
        await pilot.press("at")
        assert opened.store.card_row("s-basic")["suspended"] == 0
        await pilot.press("minus")
        assert opened.store.card_row("s-basic")["buried_until"] == study.today().isoformat()
        await pilot.press("minus")
        assert opened.store.card_row("s-basic")["buried_until"] is None
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # changed its mind: nothing happens
        assert opened.store.card_state("s-basic").state == 2
        await pilot.press("f", "y")
        await pilot.pause()
        assert opened.store.card_state("s-basic").state == 0
        assert [e.mode for e in opened.store.log_for("s-basic")] == ["review", "forget"]
        assert "reset to new" in detail(app)


def fake_editor(folder: Path) -> Path:
    """An editor that records how it was called and edits the card on the line it was given."""
    script = folder / "fake-editor"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys, pathlib\n"
        "line, path = int(sys.argv[1].lstrip('+')), pathlib.Path(sys.argv[2])\n"
        "pathlib.Path(path.parent.parent / 'editor-called').write_text(f'{line} {path}')\n"
        "text = path.read_text().replace('Which came first?', 'Which came first, really?')\n"
        "path.write_text(text)\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


async def test_e_edits_the_card_in_the_editor_and_reloads_the_deck(opened, clock, tmp_path, monkeypatch):
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(fake_editor(tmp_path)))
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_browser(pilot, "s-choice")
        await pilot.press("e")
        await pilot.pause()
        line, path = (tmp_path / "editor-called").read_text().split(" ", 1)
        assert Path(path) == opened.workspace.deck_dirs[0] / "small.yaml"
        assert Path(path).read_text().splitlines()[int(line) - 1].strip() == "- id: s-choice"
        assert "Which came first, really?" in detail(app)
        assert app.study.items["s-choice"].card.question == "Which came first, really?"


async def test_editing_a_bundled_deck_copies_it_into_the_workspace_first(tmp_path, clock, monkeypatch):
    bundled = tmp_path / "bundled"
    write_deck(bundled, "small.yaml", SMALL_DECK)
    home = tmp_path / "ws"
    opened = open_workspace(Workspace(home, (bundled,), "test"))
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(fake_editor(tmp_path)))
    app = QuizApp(opened, clock=clock)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await open_browser(pilot, "s-choice")
            await pilot.press("e")
            await pilot.pause()
            messages = " ".join(str(n.message) for n in app._notifications)
            assert "bundled deck: copied to" in messages
            assert "Which came first, really?" in (home / "decks" / "small.yaml").read_text()
            assert "Which came first?" in (bundled / "small.yaml").read_text()  # the bundled file untouched
            assert app.study.items["s-choice"].card.question == "Which came first, really?"
    finally:
        opened.store.close()


async def test_question_mark_and_f1_show_the_screens_keys(opened, clock):
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, KeysDialog)
        keys = dict(app.screen.keys)
        assert keys["b"] == "Browse" and keys["r"] == "Review all"
        await pilot.press("escape")
        await open_browser(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, KeysDialog)
        assert dict(app.screen.keys)["f"] == "Forget"
        await pilot.press("f1")
        assert isinstance(app.screen, BrowseScreen)
        # In the search box, ? is text.
        await pilot.press("slash", "question_mark")
        assert app.screen.query_one(Input).value == "?"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_q_backs_out_of_the_browser_and_quits_from_home(opened, clock):
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_browser(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
