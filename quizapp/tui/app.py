"""The Textual application: home, review, quiz and interview screens over the core's ``Study``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from quizapp.db.backup import PERIODIC_SECONDS
from quizapp.db.records import utcnow
from quizapp.errors import QuizappError
from quizapp.session import Opened
from quizapp.tui.messages import BackupFailed, ParametersSaved

START_BACKUP_DELAY = 3.0
"""Seconds after start before the first backup."""


class QuizApp(App[int]):
    """quizapp's TUI. ``start`` picks the first screen: ``home``, ``review``, ``quiz`` (options ``tags``,
    ``count``) or ``interview`` (option ``card``)."""

    CSS_PATH = "app.tcss"
    TITLE = "quizapp"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, show=False)]

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
        if self.start == "review":
            self.action_review(self.start_deck)
        elif self.start == "quiz":
            self.action_quiz(self.start_deck, self.options.get("tags"), self.options.get("count"))
        elif self.start == "interview":
            self.action_interview(self.options.get("card"))

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

    def action_dashboard(self) -> None:
        """The progress dashboard."""
        from quizapp.tui.screens.dashboard import DashboardScreen

        self.push_screen(DashboardScreen())

    def pop_screen(self):
        """Go back a screen; from the first screen of a start straight into review, quiz or interview,
        back means the home screen."""
        from quizapp.tui.screens.home import HomeScreen

        if len(self.screen_stack) <= 2 and not isinstance(self.screen, HomeScreen):
            return self.switch_screen(HomeScreen())
        return super().pop_screen()

    def action_home(self) -> None:
        from quizapp.tui.screens.home import HomeScreen

        while len(self.screen_stack) > 2:
            super().pop_screen()
        if not isinstance(self.screen_stack[-1], HomeScreen):
            self.switch_screen(HomeScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Review: all due cards", "Study every card due today", self.action_review)
        for deck in self.opened.decks.decks:
            yield SystemCommand(
                f"Review deck: {deck.title}",
                f"Study the due cards of {deck.id}",
                lambda deck_id=deck.id: self.action_review(deck_id),
            )
        yield SystemCommand("Quiz: all decks", "A round of questions from every deck", self.action_quiz)
        for deck in self.opened.decks.decks:
            if any(c.kind in ("choice", "order") or c.year is not None for c in deck.cards):
                yield SystemCommand(
                    f"Quiz deck: {deck.title}",
                    f"A round of questions from {deck.id}",
                    lambda deck_id=deck.id: self.action_quiz(deck_id),
                )
        tags = sorted({t for d in self.opened.decks.decks for c in d.cards if c.kind != "interview" for t in c.tags})
        for tag in tags:
            yield SystemCommand(f"Quiz tag: {tag}", f"A round of questions on cards tagged {tag}",
                                lambda tag=tag: self.action_quiz(tags=[tag]))
        yield SystemCommand("Mock interview", "Answer an interview prompt against the clock", self.action_interview)
        yield SystemCommand("Progress dashboard", "Streaks, retention, forecast, topics, weakest cards, plan",
                            self.action_dashboard)
        yield SystemCommand("Home", "Back to the decks", self.action_home)
        for command in getattr(screen, "screen_commands", lambda: [])():
            yield command
