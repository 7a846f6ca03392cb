"""The review screen: question, space to reveal, 1-4 to rate with FSRS's next intervals on the buttons."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Button, Footer, Header, Rule, Static

from quizapp.decks.models import Item
from quizapp.errors import StoreError
from quizapp.scheduling.scheduler import RATINGS, format_interval
from quizapp.study.study import Focus, SessionSummary, StaleCardError
from quizapp.text import printable
from quizapp.tui.screens.base import AppScreen

MAX_ANSWER_MS = 60_000
"""Time counted for one answer at most, so a card left on screen does not count as an hour of study."""
SPAN_STYLES = {"": "", "cloze": "bold cyan", "answer": "bold green", "dim": "dim"}


def spans_text(spans: list[tuple[str, str]]) -> Text:
    """Deck text as a Rich Text: every character literal, styles only from the core's span kinds."""
    text = Text()
    for piece, kind in spans:
        text.append(printable(piece), style=SPAN_STYLES.get(kind, ""))
    return text


class ReviewScreen(AppScreen[None]):
    """One card at a time from today's queue; ends on a summary when nothing is left."""

    BINDINGS = [
        Binding("space", "reveal", "Show answer", id="review.reveal"),
        Binding("enter", "reveal", "Show answer", show=False, id="review.reveal_enter"),
        # On the answer side space and enter mean Good, as in Anki.
        Binding("space", "rate(3)", "Good", show=False, id="review.good_space"),
        Binding("enter", "rate(3)", "Good", show=False, id="review.good_enter"),
        Binding("1", "rate(1)", "Again", id="review.again"),
        Binding("2", "rate(2)", "Hard", id="review.hard"),
        Binding("3", "rate(3)", "Good", id="review.good"),
        Binding("4", "rate(4)", "Easy", id="review.easy"),
        Binding("ctrl+z", "undo", "Undo", id="review.undo"),
        Binding("minus", "bury", "Bury", id="review.bury"),
        Binding("at", "suspend", "Suspend", id="review.suspend"),
        Binding("escape", "leave", "Home", id="review.leave"),
        Binding("q", "leave", "Home", show=False, id="review.quit"),
    ]

    revealed: reactive[bool] = reactive(False, bindings=True)
    """Whether the answer side is showing."""

    def __init__(self, deck: str | None = None, focus: Focus | None = None, resume: Item | None = None):
        super().__init__()
        self.resume = resume
        """The card to show first, continuing the session (undo from its summary); otherwise a new
        session starts, with a summary of its own."""
        self.deck = deck
        """Only this deck's cards, or every deck's."""
        self.study_focus = focus
        """Only these cards, due or not (the dashboard's weakest cards), instead of today's queue."""
        self.item: Item | None = None
        self.shown_at = 0.0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="review-status")
        with VerticalScroll(id="card-scroll", classes="card"):
            yield Static(id="question")
            yield Rule(id="answer-rule")
            yield Static(id="answer")
        with Horizontal(id="buttons"):
            yield Button(Text("Show answer  [space]"), id="show", variant="primary")
            for rating, name in RATINGS.items():
                yield Button(Text(name), id=f"rate-{rating}", variant=("error", "warning", "success", "primary")[rating - 1])
        yield Footer()

    def on_mount(self) -> None:
        for button in self.query(Button):
            button.can_focus = False
        if self.study_focus is not None:
            self.sub_title = self.focus_title() + (" (schedules unchanged)" if self.study_focus.mode == "cram" else "")
        else:
            deck = self.quiz_app.opened.decks.deck(self.deck) if self.deck else None
            self.sub_title = printable(deck.title) if deck else "All decks"
        if self.resume is not None:
            self.show(self.resume)
            return
        self.quiz_app.study.summary = SessionSummary()
        self.show_next()

    def focus_title(self) -> str:
        return (self.study_focus.title if self.study_focus is not None else "") or "Weakest cards"

    # ------------------------------------------------------------ showing

    def show_next(self) -> None:
        item = self.quiz_app.study.next_item(self.deck, focus=self.study_focus)
        if item is None:
            from quizapp.tui.screens.summary import SummaryScreen

            self.quiz_app.switch_screen(SummaryScreen(self.quiz_app.study.summary, self.deck, self.study_focus))
            return
        self.show(item)

    def show(self, item: Item) -> None:
        self.item = item
        self.revealed = False
        self.shown_at = time.monotonic()
        self.query_one("#question", Static).update(spans_text(item.front_spans()))
        self.query_one("#answer", Static).update(spans_text(item.back_spans()))
        self.update_status()

    def update_status(self) -> None:
        status = Text()
        if self.study_focus is not None:
            status.append(f"{self.focus_title()}: {self.quiz_app.study.focus_remaining(self.study_focus)} left", style="bold")
        else:
            new, learning, due = self.quiz_app.study.remaining(self.deck)
            status.append(f"New {new}", style="bold blue")
            status.append("  ·  ")
            status.append(f"Learning {learning}", style="bold red")
            status.append("  ·  ")
            status.append(f"Review {due}", style="bold green")
        if self.item is not None:
            deck = self.quiz_app.opened.decks.deck(self.item.deck_id)
            status.append(f"     {printable(deck.title if deck else self.item.deck_id)}", style="dim")
            status.append(f"  ·  {printable(', '.join(self.item.card.tags))}", style="dim italic")
        self.query_one("#review-status", Static).update(status)

    def watch_revealed(self, revealed: bool) -> None:
        self.query_one("#answer-rule").display = revealed
        self.query_one("#answer").display = revealed
        self.query_one("#show").display = not revealed
        for rating in RATINGS:
            self.query_one(f"#rate-{rating}").display = revealed
        if revealed and self.item is not None:
            preview = self.quiz_app.study.preview(self.item.id)
            for rating, name in RATINGS.items():
                button = self.query_one(f"#rate-{rating}", Button)
                button.label = Text(f"{name}  {format_interval(preview[rating])}  [{rating}]")

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "rate":
            return self.revealed
        if action == "reveal":
            return not self.revealed
        return True

    # ------------------------------------------------------------ actions

    def action_reveal(self) -> None:
        if self.item is not None:
            self.revealed = True

    def action_rate(self, rating: int) -> None:
        if self.item is None or not self.revealed:
            return
        spent = min(MAX_ANSWER_MS, int((time.monotonic() - self.shown_at) * 1000))
        cram = self.study_focus is not None and self.study_focus.mode == "cram"
        try:
            self.quiz_app.study.answer(self.item.id, rating, spent, mode="cram" if cram else "review", scheduled=not cram)
        except StaleCardError as exc:
            self.notify(str(exc), title="Answered elsewhere", severity="warning", timeout=10, markup=False)
            self.show(self.item)
            return
        except StoreError as exc:
            # The answer stays on screen; pressing the key again retries.
            self.notify(str(exc), title="Answer not saved", severity="error", timeout=10, markup=False)
            return
        self.show_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "show":
            self.action_reveal()
        elif event.button.id and event.button.id.startswith("rate-"):
            self.action_rate(int(event.button.id.split("-")[1]))

    def action_undo(self) -> None:
        try:
            card_id = self.quiz_app.study.undo()
        except StoreError as exc:
            self.notify(str(exc), title="Undo failed", severity="error", timeout=10, markup=False)
            return
        if card_id is None:
            self.notify("Nothing to undo")
            return
        item = self.quiz_app.study.items.get(card_id)
        self.notify(f"Undone: {printable(card_id)}", markup=False)
        if item is not None:
            self.show(item)

    def action_bury(self) -> None:
        if self.item is None:
            return
        try:
            self.quiz_app.study.bury(self.item.id)
        except StoreError as exc:
            # As for an answer: the card stays on screen; pressing the key again retries.
            self.notify(str(exc), title="Not buried", severity="error", timeout=10, markup=False)
            return
        self.notify("Buried until tomorrow (ctrl+z to undo)")
        self.show_next()

    def action_suspend(self) -> None:
        if self.item is None:
            return
        try:
            self.quiz_app.study.suspend(self.item.id)
        except StoreError as exc:
            self.notify(str(exc), title="Not suspended", severity="error", timeout=10, markup=False)
            return
        self.notify("Suspended: it will not come up until unsuspended (ctrl+z to undo)")
        self.show_next()

    def action_leave(self) -> None:
        self.quiz_app.pop_screen()

    def screen_commands(self):
        yield SystemCommand("Undo last answer", "Take back the last answer, bury or suspend", self.action_undo)
        yield SystemCommand("Bury card", "Hide this card until tomorrow", self.action_bury)
        yield SystemCommand("Suspend card", "Stop showing this card", self.action_suspend)
        yield SystemCommand("Show answer", "Reveal the answer side", self.action_reveal)
