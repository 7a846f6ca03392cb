"""The mock interview's rubric as a checklist (with the sentence that earned each detected point) and
its coverage bar per stage."""

from __future__ import annotations

import re

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import ProgressBar, Static

from quizapp.decks.models import STAGES
from quizapp.modes.grading import Evidence
from quizapp.modes.interview import (
    Tick,
)
from quizapp.text import printable

STAGE_NAMES = {"data": "data", "model": "model", "serving": "serving", "monitoring": "monitoring", "tradeoff": "trade-offs"}
"""How each rubric stage is labelled on screen."""


class CoverageBars(Widget):
    """One bar per interview stage: the share of that stage's rubric points the answer covered."""

    DEFAULT_CSS = """
    CoverageBars { height: auto; }
    CoverageBars Horizontal { height: 1; }
    CoverageBars .stage { width: 11; }
    CoverageBars ProgressBar { width: 18; }
    CoverageBars Bar { width: 18; }
    CoverageBars .count { width: 1fr; padding-left: 1; }
    """

    def compose(self) -> ComposeResult:
        for stage in STAGES:
            with Horizontal(id=f"cov-{stage}"):
                yield Static(Text(STAGE_NAMES[stage]), classes="stage")
                yield ProgressBar(total=1, show_eta=False, show_percentage=False)
                yield Static(classes="count")

    def show(self, ticks: list[Tick]) -> None:
        for stage in STAGES:
            mine = [t for t in ticks if t.stage == stage]
            row = self.query_one(f"#cov-{stage}")
            bar = row.query_one(ProgressBar)
            count = row.query_one(".count", Static)
            if not mine:
                bar.update(total=1, progress=0)
                count.update(Text("not asked", style="dim"))
                continue
            covered = sum(t.ticked for t in mine)
            bar.update(total=len(mine), progress=covered)
            style = "green" if covered == len(mine) else ("yellow" if covered else "red")
            count.update(Text(f"{covered}/{len(mine)}" + ("" if covered == len(mine) else " missed"), style=style))


WIDE_CHECKLIST = 90
"""From this width on, every detected point shows its sentence; below it, the highlighted one only."""


def evidence_line(evidence: Evidence) -> Text:
    """The sentence a point was detected in, its matching words in bold, shown literally."""
    line = Text("    ↳ ", style="dim")
    sentence = printable(evidence.sentence)
    if len(sentence) > 120:
        sentence = sentence[:117] + "..."
    body = Text(f"“{sentence}”", style="italic")
    lowered = sentence.lower()
    for word in set(evidence.words):
        for match in re.finditer(r"(?<![a-z0-9])" + re.escape(word) + r"(?![a-z0-9])", lowered):
            body.stylize("bold", match.start() + 1, match.end() + 1)
    line.append_text(body)
    return line


class RubricChecklist(Widget, can_focus=True):
    """The rubric as a checklist: up/down move, space toggles the highlighted point.

    Long points wrap onto further lines (a SelectionList keeps each option on one line).
    """

    DEFAULT_CSS = """
    RubricChecklist { height: auto; padding: 0 1; border: round $primary-muted; }
    RubricChecklist:focus { border: round $primary; }
    RubricChecklist:disabled { opacity: 0.8; }
    """
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("space", "toggle_highlighted", "Toggle", id="rubric.toggle"),
    ]

    cursor: reactive[int] = reactive(0)
    """The highlighted point."""

    class Changed(Message):
        """A tick was set or cleared."""

    def __init__(self, points: list, evidence: list[Evidence | None], **kwargs):
        super().__init__(**kwargs)
        self.points = points
        """The rubric points, in deck order."""
        self.evidence = list(evidence)
        """For each point, the sentence of the answer that shows it, or None."""
        self.detected = [e is not None for e in evidence]
        """Whether the grader found evidence for each point."""
        self.ticked = list(self.detected)
        """The user's judgement, starting from the detection."""

    def render(self) -> Text:
        text = Text()
        for i, (point, found, ticked) in enumerate(zip(self.points, self.detected, self.ticked)):
            here = i == self.cursor and self.has_focus
            line = Text(style="reverse" if here else "")
            line.append("[x] " if ticked else "[ ] ", style="bold green" if ticked else "dim")
            line.append(f"{i + 1}. ", style="bold")
            line.append(printable(point.point))
            if point.stage:
                line.append(f"  · {STAGE_NAMES[point.stage]}", style="dim")
            if found:
                line.append("  detected", style="bold cyan")
            if i:
                text.append("\n")
            text.append_text(line)
            evidence = self.evidence[i]
            # Narrow: only the highlighted point's sentence, so the checklist still fits the screen.
            if evidence is not None and (i == self.cursor or self.size.width >= WIDE_CHECKLIST):
                text.append("\n")
                text.append_text(evidence_line(evidence))
        return text

    def watch_cursor(self) -> None:
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_cursor(self, step: int) -> None:
        self.cursor = (self.cursor + step) % len(self.points)

    def toggle(self, index: int) -> None:
        if self.disabled or not 0 <= index < len(self.points):
            return
        self.ticked[index] = not self.ticked[index]
        self.cursor = index
        self.refresh()
        self.post_message(self.Changed())

    def action_toggle_highlighted(self) -> None:
        self.toggle(self.cursor)


# --------------------------------------------------------------------------- choosing a prompt
