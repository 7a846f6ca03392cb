"""Fitting FSRS to the review log, with progress; the fit is saved when it predicts the log better."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, ProgressBar, Static
from textual.worker import get_current_worker

from quizapp.db.store import Store
from quizapp.errors import QuizappError
from quizapp.scheduling.optimize import fit_log, save_fit
from quizapp.scheduling.scheduler import load_settings
from quizapp.stats.queries import reading
from quizapp.text import printable
from quizapp.tui.collector import collector_paused
from quizapp.tui.dialogs.common import DIALOG_CSS
from quizapp.tui.messages import FitDone, FitProgress, ParametersSaved
from quizapp.tui.screens.base import AppModal


@contextmanager
def writing(store: Store) -> Iterator[Store]:
    """A connection of this thread's own to the store's database (SQLite connections stay in the
    thread that made them); the store itself when it lives in memory."""
    if store.path is None:
        yield store
        return
    own = Store.open(store.path)
    try:
        yield own
    finally:
        own.close()


class OptimizeScreen(AppModal[bool]):
    """Fit FSRS to the review log in a worker (the fit itself in a child process), with progress;
    returns True when new parameters were saved."""

    DEFAULT_CSS = DIALOG_CSS.format(name="OptimizeScreen")

    BINDINGS = [Binding("escape,q", "close", "Close", id="optimize.close")]

    def __init__(self) -> None:
        super().__init__()
        self.saved = False
        self.done = False
        """Whether the fit's outcome is on screen."""
        self.started = 0.0
        self.step = "Starting"
        """What the fit is doing now, shown with the time it has taken so far."""

    def compose(self) -> ComposeResult:
        with Vertical(id="optimize-dialog", classes="dialog"):
            yield Label(Text("Fit FSRS to your review log", style="bold"))
            yield Static(Text("Starting…"), id="optimize-status")
            yield ProgressBar(total=None, show_eta=False, id="optimize-progress")
            yield Static(id="optimize-result")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Text("Close"), id="optimize-close")

    def on_mount(self) -> None:
        self.started = time.monotonic()
        self.set_interval(0.25, self.tick)
        self.run_fit()

    def tick(self) -> None:
        if self.query_one(ProgressBar).display:
            self.status(self.step)

    def status(self, message: str) -> None:
        self.step = message
        self.query_one("#optimize-status", Static).update(
            Text(f"{message}… ({time.monotonic() - self.started:.0f} s)")
        )

    @work(thread=True, exclusive=True, group="optimize", exit_on_error=False)
    def run_fit(self) -> None:
        """Fit and, when the fit is better, save it (replaying every card), all in this worker, which
        posts its progress and its outcome to the dialog."""
        worker = get_current_worker()
        store = self.quiz_app.opened.store
        try:
            with reading(store) as reader, collector_paused():
                settings = load_settings(reader)
                fit = fit_log(reader, settings, progress=self.post_step)
            # Closing the dialog while it works means: leave the parameters as they are.
            if worker.is_cancelled:
                return
            self.post_message(FitProgress("Saving the fitted parameters"))
            with writing(store) as writer, collector_paused():
                fit, settings = save_fit(writer, fit, settings)
            if fit.saved:
                self.quiz_app.post_message(ParametersSaved(settings))
        except QuizappError as exc:
            if not worker.is_cancelled:
                self.post_message(FitDone(None, None, str(exc)))
            return
        self.post_message(FitDone(fit, settings, ""))

    def post_step(self, step: str) -> None:
        """Called by the fit in the worker's thread: the dialog shows the step."""
        self.post_message(FitProgress(step))

    @on(FitProgress)
    def show_progress(self, message: FitProgress) -> None:
        self.status(message.step)

    @on(FitDone)
    def finished(self, message: FitDone) -> None:
        fit, settings = message.fit, message.settings
        self.done = True
        self.query_one(ProgressBar).display = False
        result = self.query_one("#optimize-result", Static)
        if fit is None or settings is None:
            self.query_one("#optimize-status", Static).update(Text("Nothing was fitted.", style="bold yellow"))
            result.update(Text(printable(message.problem)))
            return
        if fit.saved:
            self.saved = True
        text = Text()
        text.append(f"{fit.usable:,} reviews of {fit.cards:,} cards; lower is better.\n\n")
        text.append(f"{'parameters':<24}{'log loss':>10}{'RMSE':>10}\n", style="bold")
        label = "before" + (" (FSRS defaults)" if fit.previous is None else "")
        text.append(f"{label:<24}{fit.before.log_loss:>10.4f}{fit.before.rmse:>10.4f}\n")
        text.append(f"{'fitted':<24}{fit.after.log_loss:>10.4f}{fit.after.rmse:>10.4f}\n\n")
        if fit.saved:
            text.append("Saved: every answer from now on is scheduled with the fitted parameters.", style="bold green")
        else:
            text.append("The fit was no better than the parameters in use, which are kept.", style="yellow")
        self.query_one("#optimize-status", Static).update(
            Text(f"Done in {time.monotonic() - self.started:.1f} s.", style="bold")
        )
        result.update(text)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_close()

    def action_close(self) -> None:
        self.dismiss(self.saved)
