"""The end-of-session summary: what was studied, how it went, how long it took."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static

from quizapp.errors import StoreError
from quizapp.scheduling.scheduler import RATINGS
from quizapp.study.study import Focus, SessionSummary
from quizapp.text import printable
from quizapp.tui.screens.base import AppScreen


def summary_text(summary: SessionSummary) -> Text:
    text = Text()
    if summary.count == 0:
        text.append("Nothing is due right now.\n", style="bold")
        text.append("Every card due today has been studied. Come back later, or start a quiz.")
        return text
    text.append("Session finished\n\n", style="bold green")
    text.append(f"{summary.cards} cards studied in {summary.count} answers ({summary.new_cards} new)\n")
    minutes, seconds = divmod(int(summary.seconds), 60)
    text.append(f"Time: {minutes} min {seconds:02d} s\n")
    text.append(f"Recalled: {summary.correct_share:.0%}\n\n")
    for rating, count in summary.by_rating().items():
        text.append(f"{RATINGS[rating]:<6} {count}\n")
    return text


class SummaryScreen(AppScreen[None]):
    """Shown when the queue is empty."""

    BINDINGS = [
        Binding("enter", "done", "Home", id="summary.home"),
        Binding("escape", "done", "Home", show=False, id="summary.escape"),
        Binding("ctrl+z", "undo", "Undo last answer", id="summary.undo"),
        Binding("q", "done", "Home", show=False, id="summary.quit"),
    ]

    def __init__(self, summary: SessionSummary, deck: str | None = None, focus: Focus | None = None):
        super().__init__()
        self.summary = summary
        self.deck = deck
        """The deck (or cards) of the session, which undo goes back to."""
        self.study_focus = focus

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(summary_text(self.summary), id="summary")
        yield Footer()

    def action_done(self) -> None:
        self.quiz_app.pop_screen()

    def action_undo(self) -> None:
        """Take back the session's last answer and show that card again, as on the review screen."""
        from quizapp.tui.screens.review import ReviewScreen

        try:
            card_id = self.quiz_app.study.undo()
        except StoreError as exc:
            self.notify(str(exc), title="Undo failed", severity="error", timeout=10, markup=False)
            return
        item = self.quiz_app.study.items.get(card_id) if card_id else None
        if item is None:
            self.notify("Nothing to undo")
            return
        self.notify(f"Undone: {printable(item.id)}", markup=False)
        self.quiz_app.switch_screen(ReviewScreen(self.deck, self.study_focus, resume=item))
