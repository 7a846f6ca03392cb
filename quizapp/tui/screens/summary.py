"""The end-of-session summary: what was studied, how it went, how long it took."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from quizapp.scheduling.scheduler import RATINGS
from quizapp.study.study import SessionSummary


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


class SummaryScreen(Screen):
    """Shown when the queue is empty."""

    BINDINGS = [
        Binding("enter", "done", "Home", id="summary.home"),
        Binding("escape", "done", "Home", show=False, id="summary.escape"),
        Binding("q", "done", "Home", show=False, id="summary.quit"),
    ]

    def __init__(self, summary: SessionSummary):
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(summary_text(self.summary), id="summary")
        yield Footer()

    def action_done(self) -> None:
        self.app.pop_screen()
