"""The Textual application: home, review, quiz and interview screens over the core's ``Study``."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterable
from datetime import datetime

from textual import on, work
from textual.app import App, SystemCommand
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.screen import Screen

from quizapp.db.backup import PERIODIC_SECONDS
from quizapp.db.records import utcnow
from quizapp.errors import QuizappError
from quizapp.session import Opened
from quizapp.tui.collector import collector_paused
from quizapp.tui.executor import FreshContextExecutor
from quizapp.tui.messages import BackupFailed, ParametersSaved
from quizapp.tui.release import release_closed
from quizapp.tui.widgets.literal import markup_literal

START_BACKUP_DELAY = 3.0
"""Seconds after start before the first backup."""
DIVERTED_CHECK_SECONDS = 1.0
"""How often the app looks whether writes were diverted to a side file (a replaced database file)."""
KEEP_CARDS_DELAY = 2.0
"""Seconds after start (or after the decks are read again) before every deck's cards are read and
frozen (``keep_cards``), so that the first screen is drawn first."""


class QuizApp(App[int]):
    """quizapp's TUI. ``start`` picks the first screen: ``home``, ``review``, ``quiz`` (options ``tags``,
    ``count``) or ``interview`` (option ``card``)."""

    CSS_PATH = "app.tcss"
    TITLE = "quizapp"
    ENABLE_COMMAND_PALETTE = True
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-normal"), (170, "-wide")]
    """Classes every screen gets by the terminal's width, for app.tcss."""
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, show=False),
        Binding("question_mark,f1", "help_keys", "Keys", id="app.keys", show=False),
    ]

    def __init__(
        self,
        opened: Opened,
        start: str = "home",
        deck: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        **options,
    ):
        super().__init__()
        self.opened = opened
        """The workspace's store and decks."""
        self.study = opened.study(clock)
        """The session all screens share: queue, answers, undo."""
        self.start = start
        self.start_deck = deck
        self.options = options
        self._diverted_told: str | None = None

    def on_load(self) -> None:
        asyncio.get_running_loop().set_default_executor(FreshContextExecutor(thread_name_prefix="quizapp-worker"))

    def on_mount(self) -> None:
        # Opened straight into another screen, the home screen is built only when the user goes back.
        if self.start == "home":
            from quizapp.tui.screens.home import HomeScreen

            self.push_screen(HomeScreen())
        if self.opened.store.path is not None:
            # One soon after start keeps the last session's end (skipped when nothing changed), then
            # every few minutes; the first waits so that it does not slow the first card down.
            self.set_timer(START_BACKUP_DELAY, self.backup_in_background)
            self.set_interval(PERIODIC_SECONDS, self.backup_in_background)
            self.set_interval(DIVERTED_CHECK_SECONDS, self.warn_if_diverted)
        stale = self.opened.store.stale_log_message()
        if stale is not None:
            self.notify(stale, title="Progress file replaced", severity="warning", timeout=30, markup=False)
        self.set_timer(KEEP_CARDS_DELAY, self.keep_cards)
        if self.start == "review":
            self.action_review(self.start_deck)
        elif self.start == "quiz":
            self.action_quiz(self.start_deck, self.options.get("tags"), self.options.get("count"))
        elif self.start == "interview":
            self.action_interview(self.options.get("card"))
        elif self.start == "custom":
            from quizapp.tui.screens.review import ReviewScreen

            self.push_screen(ReviewScreen(focus=self.options["focus"]["focus"]))

    def warn_if_diverted(self) -> None:
        """Tell the user, and keep telling, once the database file was replaced or deleted under the
        app and answers go to a side file (``Store._divert``)."""
        message = self.opened.store.diverted_message()
        if message is not None and message != self._diverted_told:
            self._diverted_told = message
            self.notify(message, title="Progress file replaced", severity="error", timeout=60, markup=False)

    @work(thread=True, exclusive=True, group="cards", exit_on_error=False)
    def keep_cards(self) -> None:
        """Read every deck's cards (the deck cache gives them on first use) and freeze what the app
        holds so far: the cards live as long as the decks, and Python's full garbage collection no
        longer walks them. That walk holds the interpreter, so it stalls the event loop whichever
        thread starts it: 0.5-1.5 s at 100k cards before they were frozen (bench/README.md). The
        collector is paused while they are read, or the growing cards set off full collections of
        0.05-0.2 s each on the way."""
        with collector_paused():
            for deck in self.opened.decks.decks:
                deck.cards  # reading them unpickles them
            gc.freeze()

    @work(thread=True, exclusive=True, group="backup", exit_on_error=False)
    def backup_in_background(self) -> None:
        """Back up the progress database with SQLite's backup API, on its own connection, off the UI thread."""
        from quizapp.db.backup import take_backup

        if self.opened.store.path is None:
            return
        try:
            take_backup(self.opened.store.path, "periodic", backups_dir=self.opened.workspace.backups_dir)
        except QuizappError as exc:
            self.post_message(BackupFailed(str(exc)))

    @on(BackupFailed)
    def backup_failed(self, message: BackupFailed) -> None:
        self.notify(message.reason, title="Backup not made", severity="warning", markup=False)

    @on(ParametersSaved)
    def use_parameters(self, message: ParametersSaved) -> None:
        self.study.use_settings(message.settings)

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Save an SVG of the screen: into ~/Downloads when there is one, else the workspace (or the
        current folder), and say where."""
        from quizapp.tui.screenshot import screenshot_folder

        folder = path or str(screenshot_folder(self.opened.workspace.home))
        try:
            saved = self.save_screenshot(filename, path=folder)
        except OSError as exc:
            self.notify(f"Screenshot not saved: {exc}", severity="error", markup=False)
            return
        self.notify(f"Screenshot saved to {saved}", title="Screenshot", markup=False)

    def action_review(self, deck: str | None = None) -> None:
        """Study the cards due today, of every deck or of one."""
        from quizapp.tui.screens.review import ReviewScreen

        self.push_screen(ReviewScreen(deck))

    def action_quiz(self, deck: str | None = None, tags: list[str] | None = None, count: int | None = None) -> None:
        """A quiz round over every deck, one deck, or cards with the given tags."""
        from quizapp.modes.quiz import DEFAULT_QUESTIONS
        from quizapp.tui.screens.quiz import QuizScreen

        self.push_screen(QuizScreen([deck] if deck else None, tags or None, count or DEFAULT_QUESTIONS))

    def action_interview(self, card: str | None = None) -> None:
        """A mock interview: the prompt chooser (due prompts first), or straight to one prompt."""
        from quizapp.tui.screens.interview import InterviewPickScreen, InterviewScreen

        item = self.study.items.get(card) if card else None
        self.push_screen(InterviewScreen(item) if item is not None else InterviewPickScreen())

    def action_settings(self) -> None:
        """The study settings."""
        from quizapp.tui.screens.settings import SettingsScreen

        self.push_screen(SettingsScreen())

    def action_custom_study(self) -> None:
        """Custom study: extra new cards today, review ahead, or cram a tag or deck."""
        from quizapp.tui.dialogs.custom_study import CustomStudyDialog, start_custom_study

        self.push_screen(CustomStudyDialog(), lambda choice: start_custom_study(self, choice))

    def action_dashboard(self) -> None:
        """The progress dashboard."""
        from quizapp.tui.screens.dashboard import DashboardScreen

        self.push_screen(DashboardScreen())

    def action_browse(self, query: str = "") -> None:
        """The card browser: search, sort, suspend, bury, forget, edit."""
        from quizapp.tui.screens.browse import BrowseScreen

        self.push_screen(BrowseScreen(query))

    def action_help_keys(self) -> None:
        """Show the current screen's keys."""
        from quizapp.tui.dialogs.keys import KeysDialog, screen_keys

        if isinstance(self.screen, KeysDialog):
            return
        self.push_screen(KeysDialog(self.screen.sub_title or type(self.screen).__name__, screen_keys(self.screen)))

    def reload_decks(self) -> None:
        """Read the deck files again (one was edited) and start the session over them."""
        from quizapp.session import reload_decks

        reload_decks(self.opened)
        self.study = self.opened.study(self.study.clock)
        # The old cards were frozen: let a collection free them, then keep the new ones.
        gc.unfreeze()
        self.set_timer(KEEP_CARDS_DELAY, self.keep_cards)

    def pop_screen(self):
        """Go back a screen; from the first screen of a start straight into review, quiz or interview,
        back means the home screen."""
        from quizapp.tui.screens.home import HomeScreen

        if len(self.screen_stack) <= 2 and not isinstance(self.screen, HomeScreen):
            closing = self.switch_screen(HomeScreen())
        else:
            closing = super().pop_screen()
        self.call_next(self._release_closed, closing)
        return closing

    async def _release_closed(self, closing: AwaitComplete) -> None:
        """Once the closed screen is removed, drop what Textual keeps of it (``tui/release.py``)
        and collect it. Its widgets refer to one another, so only the cycle collector frees them;
        collected now, the pause is one screen's worth (40-90 ms at 100k cards) while the user looks
        at the screen below, rather than several screens' worth in the middle of the next one."""
        await closing
        release_closed(self)
        gc.collect()

    def action_home(self) -> None:
        from quizapp.tui.screens.home import HomeScreen

        while len(self.screen_stack) > 2:
            self.call_next(self._release_closed, super().pop_screen())
        if not isinstance(self.screen_stack[-1], HomeScreen):
            self.call_next(self._release_closed, self.switch_screen(HomeScreen()))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Review: all due cards", "Study every card due today", self.action_review)
        for deck in self.opened.decks.decks:
            yield SystemCommand(
                f"Review deck: {markup_literal(deck.title)}",
                f"Study the due cards of {markup_literal(deck.id)}",
                lambda deck_id=deck.id: self.action_review(deck_id),
            )
        yield SystemCommand("Quiz: all decks", "A round of questions from every deck", self.action_quiz)
        for deck in self.opened.decks.decks:
            if any(c.kind in ("choice", "order") or c.year is not None for c in deck.cards):
                yield SystemCommand(
                    f"Quiz deck: {markup_literal(deck.title)}",
                    f"A round of questions from {markup_literal(deck.id)}",
                    lambda deck_id=deck.id: self.action_quiz(deck_id),
                )
        tags = sorted({t for d in self.opened.decks.decks for c in d.cards if c.kind != "interview" for t in c.tags})
        for tag in tags:
            yield SystemCommand(f"Quiz tag: {markup_literal(tag)}", f"A round of questions on cards tagged {markup_literal(tag)}",
                                lambda tag=tag: self.action_quiz(tags=[tag]))
        yield SystemCommand("Mock interview", "Answer an interview prompt against the clock", self.action_interview)
        yield SystemCommand("Progress dashboard", "Streaks, retention, forecast, topics, weakest cards, plan",
                            self.action_dashboard)
        yield SystemCommand("Settings", "New cards a day, reviews a day, retention, steps, order, burying, leeches",
                            self.action_settings)
        yield SystemCommand("Custom study", "Extra new cards today, review ahead, or cram a tag or deck",
                            self.action_custom_study)
        yield SystemCommand("Browse cards", "Search every card; suspend, bury, forget or edit one", self.action_browse)
        yield SystemCommand("Keys of this screen", "What each key does here (? or F1)", self.action_help_keys)
        yield SystemCommand("Home", "Back to the decks", self.action_home)
        for command in getattr(screen, "screen_commands", lambda: [])():
            yield command
