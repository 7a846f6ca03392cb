"""Earlier attempts at a mock-interview prompt, side by side with the model answer."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalScroll, VerticalScroll
from textual.widgets import Footer, Header, Static

from quizapp.decks.models import STAGES, Item
from quizapp.modes.interview import (
    Attempt,
    attempts_for,
)
from quizapp.scheduling import RATINGS
from quizapp.text import printable
from quizapp.tui.screens.base import AppScreen
from quizapp.tui.screens.quiz import literal_text
from quizapp.tui.widgets.rubric import STAGE_NAMES


def clock_text(delta: timedelta) -> str:
    """m:ss of a duration (its absolute value)."""
    seconds = int(abs(delta.total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


class AttemptsScreen(AppScreen[None]):
    """A prompt's model answer and earlier attempts in columns, newest first, each with its scores."""

    BINDINGS = [
        Binding("left", "column(-1)", "Column left", key_display="←", priority=True, id="attempts.left"),
        Binding("right", "column(1)", "Column right", key_display="→", priority=True, id="attempts.right"),
        Binding("escape", "leave", "Back", id="attempts.leave"),
        Binding("q", "leave", "Back", show=False, id="attempts.quit"),
    ]

    def __init__(self, item: Item):
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(literal_text(self.item.card.prompt, "bold"), id="att-prompt")
        with HorizontalScroll(id="att-columns", can_focus=False):
            with VerticalScroll(classes="att-column"):
                yield Static(self.model_text())
            for n, attempt in enumerate(self.attempts, 1):
                with VerticalScroll(classes="att-column"):
                    yield Static(self.attempt_text(attempt, len(self.attempts) - n + 1))
        yield Footer()

    @property
    def attempts(self) -> list[Attempt]:
        if not hasattr(self, "_attempts"):
            self._attempts = attempts_for(self.quiz_app.study.store, self.item.id)
        return self._attempts

    def on_mount(self) -> None:
        self.sub_title = f"Earlier attempts ({len(self.attempts)})"
        columns = list(self.query(".att-column"))
        # The newest attempt first, the model answer one column to the left.
        columns[1 if len(columns) > 1 else 0].focus()

    def model_text(self) -> Text:
        card = self.item.card
        text = Text()
        text.append("Model answer outline\n\n", style="bold")
        for line in card.model_answer:
            text.append("• " + printable(line) + "\n")
        text.append("\nRubric\n", style="bold")
        for point in card.rubric:
            text.append(f"• {printable(point.point)}", style="")
            text.append(f"  · {STAGE_NAMES[point.stage]}\n" if point.stage else "\n", style="dim")
        if not self.attempts:
            text.append("\nNo attempts yet.", style="italic")
        return text

    def attempt_text(self, a: Attempt, number: int) -> Text:
        text = Text()
        when = a.submitted_at.astimezone().strftime("%Y-%m-%d %H:%M")
        text.append(f"Attempt {number} · {when}\n", style="bold")
        style = "green" if a.rating >= 3 else ("yellow" if a.rating == 2 else "red")
        text.append(f"Score {a.score:.0%} → {RATINGS[a.rating]}\n", style=f"bold {style}")
        text.append(f"Time {clock_text(timedelta(seconds=a.duration_s))}")
        if a.overrun_s > 0:
            text.append(f" ({clock_text(timedelta(seconds=a.overrun_s))} over)", style="red")
        text.append(f" of {clock_text(timedelta(seconds=a.time_limit_s))}\n")
        for stage in STAGES:
            if stage in a.stage_scores:
                text.append(f"{STAGE_NAMES[stage]} {a.stage_scores[stage]:.0%}  ", style="dim")
        text.append("\n\n")
        for t in a.ticks:
            text.append("✓ " if t.ticked else "✗ ", style="green" if t.ticked else "red")
            text.append(printable(t.point))
            if t.detected:
                text.append("  detected", style="cyan")
            text.append("\n")
        text.append("\nAnswer\n", style="bold")
        text.append(printable(a.answer) if a.answer.strip() else "(no answer typed)")
        return text

    def action_column(self, step: int) -> None:
        """Move to the next column (older attempts are to the right); up/down scroll inside it."""
        columns = list(self.query(".att-column"))
        here = next((i for i, c in enumerate(columns) if c.has_focus), 0)
        target = columns[max(0, min(len(columns) - 1, here + step))]
        target.focus()
        target.scroll_visible(animate=False)

    def action_leave(self) -> None:
        self.quiz_app.pop_screen()
