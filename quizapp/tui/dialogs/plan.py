"""Setting or clearing the interview date."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from quizapp.errors import QuizappError
from quizapp.scheduling.scheduler import load_settings
from quizapp.study.plan import clear_plan, load_plan, parse_plan, save_plan
from quizapp.text import printable
from quizapp.tui.dialogs.common import DIALOG_CSS
from quizapp.tui.screens.base import AppModal


class PlanScreen(AppModal[bool]):
    """Set or clear the interview date; returns True when the plan changed."""

    DEFAULT_CSS = DIALOG_CSS.format(name="PlanScreen")

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="plan.cancel")]

    def compose(self) -> ComposeResult:
        store = self.quiz_app.opened.store
        plan = load_plan(store)
        settings = load_settings(store)
        with Vertical(id="plan-dialog", classes="dialog"):
            yield Label(Text("The day of your interview", style="bold"))
            yield Input(plan.day.isoformat() if plan else "", placeholder="YYYY-MM-DD", id="plan-date")
            yield Label(Text("Recall wanted on the day (0.70-0.99)"))
            yield Input(f"{plan.target if plan else settings.desired_retention:g}", id="plan-target")
            yield Static(id="plan-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Text("Save"), id="plan-save", variant="primary")
                yield Button(Text("Clear the date"), id="plan-clear", disabled=plan is None)
                yield Button(Text("Cancel"), id="plan-cancel")

    def on_mount(self) -> None:
        self.query_one("#plan-date", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "plan-date":
            self.query_one("#plan-target", Input).focus()
        else:
            self.save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "plan-save":
            self.save()
        elif event.button.id == "plan-clear":
            clear_plan(self.quiz_app.opened.store)
            self.dismiss(True)
        else:
            self.dismiss(False)

    def save(self) -> None:
        store = self.quiz_app.opened.store
        settings = load_settings(store)
        target_text = self.query_one("#plan-target", Input).value.strip()
        try:
            try:
                target = float(target_text) if target_text else None
            except ValueError:
                raise QuizappError(f"the target must be a number such as 0.9 (got {target_text!r})") from None
            plan = parse_plan(self.query_one("#plan-date", Input).value, target, self.quiz_app.study.today(), settings)
            save_plan(store, plan)
        except QuizappError as exc:
            self.query_one("#plan-error", Static).update(Text(printable(str(exc)), style="bold red"))
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
