"""The custom study dialog (home's ``c``): extra new cards today, review ahead, or cram a tag or deck."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from quizapp.errors import QuizappError


class CustomStudyDialog(ModalScreen[tuple[str, str] | None]):
    """Returns (``new`` | ``ahead`` | ``cram``, the text typed), or None when cancelled."""

    DEFAULT_CSS = """
    CustomStudyDialog { align: center middle; }
    CustomStudyDialog > Vertical {
        width: 72; max-width: 100%; height: auto; padding: 1 2; border: thick $primary; background: $panel;
    }
    CustomStudyDialog Input { margin-bottom: 1; }
    CustomStudyDialog #custom-hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="custom.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Custom study for today", style="bold"))
            yield Label("Extra new cards today (a number):")
            yield Input(id="custom-new", type="integer", placeholder="e.g. 10")
            yield Label("Review ahead: cards due in the next days (a number of days):")
            yield Input(id="custom-ahead", type="integer", placeholder="e.g. 3")
            yield Label("Cram without changing schedules (a tag, or deck:ID):")
            yield Input(id="custom-cram", placeholder="e.g. distributed  or  deck:pytorch")
            yield Static(Text("enter: start the one typed in · tab: next field · esc: cancel"), id="custom-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.dismiss(((event.input.id or "").removeprefix("custom-"), event.value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)


def start_custom_study(app, choice: tuple[str, str] | None) -> None:
    """Do what the dialog asked: raise today's new-card limit, or start a review ahead or a cram."""
    from quizapp.study.custom import add_new_today, ahead_focus, cram_focus
    from quizapp.tui.screens.review import ReviewScreen

    if choice is None:
        return
    kind, value = choice
    study = app.study
    try:
        if kind == "new":
            left = add_new_today(study, _whole(value, "new cards"))
            app.notify(f"{left} new cards left today", markup=False)
            if hasattr(app.screen, "refresh_counts"):
                app.screen.refresh_counts()
            return
        focus = ahead_focus(study, _whole(value, "days")) if kind == "ahead" else cram_focus(study, value)
    except QuizappError as exc:
        app.notify(str(exc), title="Custom study", severity="error", markup=False)
        return
    if not focus.ids:
        app.notify(f"No review card is due in the next {value} days", title="Custom study", markup=False)
        return
    app.push_screen(ReviewScreen(focus=focus))


def _whole(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise QuizappError(f"{text!r}: expected a whole number of {what}") from None
