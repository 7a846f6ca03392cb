"""The Textual application: home, review and summary screens over the core's ``Study``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from quizapp.store import utcnow
from quizapp.study import Opened


class QuizApp(App[int]):
    """quizapp's TUI. ``start`` picks the first screen: ``home`` or ``review``."""

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
        from quizapp.tui.screens.home import HomeScreen

        self.push_screen(HomeScreen())
        if self.start == "review":
            self.action_review(self.start_deck)

    def action_review(self, deck: str | None = None) -> None:
        """Study the cards due today, of every deck or of one."""
        from quizapp.tui.screens.review import ReviewScreen

        self.push_screen(ReviewScreen(deck))

    def action_home(self) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Review: all due cards", "Study every card due today", self.action_review)
        for deck in self.opened.decks.decks:
            yield SystemCommand(
                f"Review deck: {deck.title}",
                f"Study the due cards of {deck.id}",
                lambda deck_id=deck.id: self.action_review(deck_id),
            )
        yield SystemCommand("Home", "Back to the decks", self.action_home)
        for command in getattr(screen, "screen_commands", lambda: [])():
            yield command
