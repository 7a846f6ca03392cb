"""The quiz screens: a round of questions with immediate feedback, then the score and the misses."""

from __future__ import annotations

import time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Footer, Header, Static

from quizapp.errors import StoreError
from quizapp.modes.quiz import DEFAULT_QUESTIONS, QuizResult, QuizRound, build_round
from quizapp.text import literal as literal_text
from quizapp.text import printable
from quizapp.tui.collector import collector_paused
from quizapp.tui.messages import QuizRoundBuilt
from quizapp.tui.screens.base import AppScreen
from quizapp.tui.screens.review import MAX_ANSWER_MS

PICK = Binding.Group("Pick")
MOVE = Binding.Group("Move item")


class QuizScreen(AppScreen[None]):
    """One question at a time: number keys pick a choice, orderings are answered by moving items;
    every answer is scored and logged at once, with the right answer shown straight after. The round
    is drawn in a worker (it reads every card of the chosen decks); until it is in, the screen says so
    and only leaving does anything."""

    BINDINGS = [
        *(Binding(str(n), f"pick({n})", "Pick", group=PICK, id=f"quiz.pick{n}") for n in range(1, 10)),
        Binding("up", "cursor(-1)", "Up", show=False, id="quiz.cursor_up"),
        Binding("down", "cursor(1)", "Down", show=False, id="quiz.cursor_down"),
        Binding("shift+up,u", "move(-1)", "Move up", key_display="⇧↑", group=MOVE, id="quiz.move_up"),
        Binding("shift+down,d", "move(1)", "Move down", key_display="⇧↓", group=MOVE, id="quiz.move_down"),
        Binding("enter", "enter", "Submit order", id="quiz.submit"),
        Binding("enter", "next", "Next", id="quiz.next"),
        Binding("escape", "leave", "End round", id="quiz.leave"),
        Binding("q", "leave", "End round", show=False, id="quiz.quit"),
    ]

    answered: reactive[bool] = reactive(False, bindings=True)
    """Whether the current question's feedback is showing."""

    def __init__(self, deck_ids: list[str] | None = None, tags: list[str] | None = None, count: int = DEFAULT_QUESTIONS):
        super().__init__()
        self.deck_ids = deck_ids
        """Only these decks' cards, or every deck's."""
        self.tags = tags
        """Only cards with one of these tags, or any."""
        self.count = count
        self.round: QuizRound | None = None
        self.order: list[str] = []
        """The ordering as the user has arranged it so far."""
        self.cursor = 0
        """The highlighted item of an ordering."""
        self.shown_at = 0.0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="quiz-status")
        with VerticalScroll(id="quiz-scroll", classes="card"):
            yield Static(id="quiz-prompt")
            yield Static(id="quiz-body")
            yield Static(id="quiz-feedback")
        yield Footer()

    def on_mount(self) -> None:
        parts = [*(self.deck_ids or []), *(f"#{t}" for t in self.tags or [])]
        self.sub_title = "Quiz: " + (printable(", ".join(parts)) if parts else "all decks")
        self.query_one("#quiz-status", Static).update(Text("Drawing the questions…", style="dim"))
        self.query_one("#quiz-feedback").display = False
        self.draw_round()

    @work(thread=True, exclusive=True, group="quiz", exit_on_error=False)
    def draw_round(self) -> None:
        """Draw the round's questions from the decks (in memory only: no database here). Drawing
        looks at every card, and what it makes on the way is dropped at the end."""
        with collector_paused():
            questions = build_round(self.quiz_app.study.decks, self.count, self.deck_ids, self.tags)
        self.post_message(QuizRoundBuilt(questions))

    @on(QuizRoundBuilt)
    def start_round(self, message: QuizRoundBuilt) -> None:
        questions = message.questions
        self.round = QuizRound(self.quiz_app.study, questions)
        if not questions:
            self.quiz_app.pop_screen()
            self.quiz_app.notify("These decks have no quiz questions (choice, ordering or dated cards).", severity="warning")
            return
        self.show_question()
        self.refresh_bindings()  # the number keys (or the ordering's) work from now on

    # ------------------------------------------------------------ showing

    @property
    def question(self):
        return self.round.current if self.round else None

    def show_question(self) -> None:
        q = self.question
        if q is None:
            self.finish()
            return
        self.answered = False
        self.order = list(q.start)
        self.cursor = 0
        self.shown_at = time.monotonic()
        self.query_one("#quiz-prompt", Static).update(literal_text(q.prompt, "bold"))
        self.query_one("#quiz-feedback", Static).update("")
        self.query_one("#quiz-feedback").display = False
        self.render_body()
        self.update_status()
        self.query_one("#quiz-scroll").scroll_home(animate=False)

    @property
    def current_round(self) -> QuizRound:
        """The round, made when the screen mounts."""
        assert self.round is not None
        return self.round

    def update_status(self) -> None:
        r = self.current_round
        number = min(len(r.results) + (0 if self.answered else 1), len(r.questions))
        status = Text()
        status.append(f"Question {number} of {len(r.questions)}", style="bold")
        status.append(f"  ·  score {_points(r.points)} / {len(r.results)}")
        self.query_one("#quiz-status", Static).update(status)

    def render_body(self, result: QuizResult | None = None) -> None:
        q = self.question if result is None else result.question
        body = Text()
        if q.is_ordering:
            shown = self.order if result is None or not isinstance(result.response, tuple) else list(result.response)
            for i, item in enumerate(shown):
                here = result is None and i == self.cursor
                style = "reverse" if here else ""
                mark = ""
                if result is not None:
                    right = q.items[i] == item
                    style = "green" if right else "red"
                    mark = "  ✓" if right else "  ✗"
                body.append("▶ " if here else "  ")
                body.append(f"{i + 1}. ", style=style)
                body.append(printable(item), style=style)
                body.append(mark, style=style)
                body.append("\n")
            if result is None:
                body.append("\n↑/↓ choose an item · shift+↑/shift+↓ (or u/d) move it · enter submits the order", style="dim")
        else:
            for i, choice in enumerate(q.choices):
                style = ""
                mark = ""
                if result is not None:
                    if i == q.answer:
                        style, mark = "bold green", "  ✓"
                    elif i == result.response:
                        style, mark = "bold red", "  ✗ your answer"
                body.append(f"{i + 1}. ", style=style or "bold")
                body.append(printable(choice), style=style)
                body.append(mark, style=style)
                body.append("\n")
        self.query_one("#quiz-body", Static).update(body)

    def show_feedback(self, result: QuizResult) -> None:
        q = result.question
        text = Text()
        if result.right:
            text.append("Right!", style="bold green")
        elif q.is_ordering and result.score > 0:
            text.append(f"Partly right: {result.score:.0%} of the pairs in order", style="bold yellow")
        else:
            text.append("Not quite.", style="bold red")
        if not result.right:
            text.append("\nThe right answer:\n", style="bold")
            text.append(printable(q.right_answer()), style="green")
            text.append("\nThe card is due again in review soon.", style="dim")
        if q.explanation:
            text.append("\n\n")
            text.append(printable(q.explanation), style="dim")
        text.append("\n\nenter: next question", style="dim")
        feedback = self.query_one("#quiz-feedback", Static)
        feedback.update(text)
        feedback.display = True
        self.render_body(result)
        self.update_status()
        self.call_after_refresh(self.query_one("#quiz-scroll").scroll_end, animate=False)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        q = self.question
        ordering = q is not None and q.is_ordering
        if action == "pick":
            return not self.answered and not ordering and q is not None and parameters[0] <= len(q.choices)
        if action in ("move", "cursor"):
            return not self.answered and ordering
        if action == "enter":
            return not self.answered and ordering
        if action == "next":
            return self.answered
        return True

    # ------------------------------------------------------------ actions

    def _answer(self, response) -> None:
        spent = min(MAX_ANSWER_MS, int((time.monotonic() - self.shown_at) * 1000))
        try:
            result = self.current_round.answer(response, spent)
        except StoreError as exc:
            # Nothing was logged; the question stays, so answering again retries.
            self.notify(str(exc), title="Answer not saved", severity="error", timeout=10, markup=False)
            return
        self.answered = True
        self.show_feedback(result)

    def action_pick(self, number: int) -> None:
        q = self.question
        if q is None or self.answered or q.is_ordering or not 1 <= number <= len(q.choices):
            return
        self._answer(number - 1)

    def action_cursor(self, step: int) -> None:
        if self.order:
            self.cursor = (self.cursor + step) % len(self.order)
            self.render_body()

    def action_move(self, step: int) -> None:
        target = self.cursor + step
        if not self.order or not 0 <= target < len(self.order):
            return
        self.order[self.cursor], self.order[target] = self.order[target], self.order[self.cursor]
        self.cursor = target
        self.render_body()

    def action_enter(self) -> None:
        q = self.question
        if q is not None and q.is_ordering and not self.answered:
            self._answer(tuple(self.order))

    def action_next(self) -> None:
        if self.answered:
            self.show_question()

    def action_leave(self) -> None:
        if self.round and self.round.results:
            self.finish()
        else:
            self.quiz_app.pop_screen()

    def finish(self) -> None:
        self.quiz_app.switch_screen(QuizSummaryScreen(self.current_round, self.deck_ids, self.tags, self.count))

    def screen_commands(self):
        if self.answered:
            yield SystemCommand("Next question", "Go on to the next quiz question", self.action_next)
        elif self.question is not None and self.question.is_ordering:
            yield SystemCommand("Submit order", "Submit the ordering as it stands", self.action_enter)
        yield SystemCommand("End quiz round", "Stop here and see the score so far", self.action_leave)


def _points(points: float) -> str:
    return f"{points:g}" if points == int(points) else f"{points:.1f}"


class QuizSummaryScreen(AppScreen[None]):
    """The end of a round: the score and every miss with its right answer."""

    BINDINGS = [
        Binding("enter", "done", "Home", id="quiz_summary.home"),
        Binding("escape", "done", "Home", show=False, id="quiz_summary.escape"),
        Binding("q", "done", "Home", show=False, id="quiz_summary.quit"),
        Binding("z", "again", "Another round", id="quiz_summary.again"),
    ]

    def __init__(self, round: QuizRound, deck_ids: list[str] | None, tags: list[str] | None, count: int):
        super().__init__()
        self.round = round
        self.choice = (deck_ids, tags, count)
        """The decks, tags and size of the round, for another like it."""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="quiz-summary", classes="card"):
            yield Static(self.summary_text(), id="quiz-summary-text")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Quiz results"

    def summary_text(self) -> Text:
        r = self.round
        asked = len(r.results)
        text = Text()
        share = r.points / asked if asked else 0.0
        text.append("Round finished\n\n" if asked == len(r.questions) else "Round ended early\n\n", style="bold green")
        text.append(f"Score: {_points(r.points)} / {asked}  ({share:.0%})\n", style="bold")
        if asked < len(r.questions):
            text.append(f"Ended after {asked} of {len(r.questions)} questions.\n", style="dim")
        misses = r.misses
        if not misses:
            text.append("\nNo misses.")
            return text
        text.append(f"\nMisses ({len(misses)}), now due again in review soon:\n", style="bold")
        for result in misses:
            q = result.question
            text.append("\n• ")
            text.append(printable(q.prompt.replace("\n\n", " ")), style="bold")
            if q.is_ordering:
                text.append(f"  ({result.score:.0%} of pairs in order)", style="yellow")
            yours = " → ".join(result.response) if isinstance(result.response, tuple) else q.response_text(result.response)
            right = " → ".join(q.items) if q.is_ordering else q.right_answer()
            text.append("\n  your answer:  ", style="dim")
            text.append(printable(yours), style="red")
            text.append("\n  right answer: ", style="dim")
            text.append(printable(right), style="green")
            text.append("\n")
        return text

    def action_done(self) -> None:
        self.quiz_app.pop_screen()

    def action_again(self) -> None:
        deck_ids, tags, count = self.choice
        self.quiz_app.switch_screen(QuizScreen(deck_ids, tags, count))
