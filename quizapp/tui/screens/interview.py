"""The mock-interview screens: choosing a prompt, and answering it against the clock then judging
the answer against the rubric (the rubric's widgets are in ``tui/widgets/rubric.py``, earlier attempts
in ``screens/attempts.py``).

A little over 400 lines: one prompt's phases (answering with its draft and countdown, checking the
ticks, the saved result) share the screen's state, and splitting them would pass it around."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import DataTable, Footer, Header, Static, TextArea

from quizapp.decks.models import Item
from quizapp.errors import StoreError
from quizapp.modes.grading import Evidence, grade
from quizapp.modes.interview import (
    Attempt,
    Session,
    Tick,
    make_ticks,
    prompt_queue,
    rating_for,
    score_of,
    submit,
)
from quizapp.scheduling import RATINGS, format_interval
from quizapp.text import printable
from quizapp.tui.screens.attempts import AttemptsScreen, clock_text
from quizapp.tui.screens.base import AppScreen
from quizapp.tui.screens.quiz import literal_text
from quizapp.tui.widgets.rubric import CoverageBars, RubricChecklist

TICK_SECONDS = 0.5
"""How often the countdown is redrawn and the draft policy checked."""
TOGGLE = Binding.Group("Toggle point")



class InterviewPickScreen(AppScreen[None]):
    """Every interview prompt, due ones first; enter answers the highlighted one."""

    BINDINGS = [
        Binding("enter", "start", "Answer", id="interview_pick.start"),
        Binding("ctrl+o", "history", "Earlier attempts", id="interview_pick.history"),
        Binding("h", "history", "Earlier attempts", show=False, id="interview_pick.history_h"),
        Binding("escape", "leave", "Home", id="interview_pick.leave"),
        Binding("q", "leave", "Home", show=False, id="interview_pick.quit"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="iv-pick-hint")
        yield DataTable(id="iv-prompts", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Mock interview"
        table = self.query_one(DataTable)
        for label, key in (("Prompt", "prompt"), ("Status", "status"), ("Attempts", "attempts"),
                           ("Last score", "score"), ("Limit", "limit")):
            table.add_column(Text(label), key=key)
        self.refresh_prompts()
        table.focus()

    def on_screen_resume(self) -> None:
        self.refresh_prompts()

    def refresh_prompts(self) -> None:
        study = self.quiz_app.study
        table = self.query_one(DataTable)
        table.clear()
        queue = prompt_queue(study)
        now = study.now()
        for s in queue:
            if s.suspended:
                status = Text("suspended", style="dim")
            elif s.has_draft:
                status = Text("draft", style="bold yellow")
            elif s.is_due:
                status = Text("due", style="bold green")
            elif s.due is None:
                status = Text("new", style="bold blue")
            else:
                status = Text(f"in {format_interval(s.due - now)}", style="dim")
            prompt = printable(s.item.card.prompt)
            table.add_row(
                Text(prompt if len(prompt) <= 70 else prompt[:69] + "…"),
                status,
                Text(str(s.attempts)),
                Text("—" if s.last_score is None else f"{s.last_score:.0%}"),
                Text(clock_text(timedelta(seconds=s.item.card.time_limit))),
                key=s.item.id,
            )
        hint = Text()
        if queue:
            hint.append(f"{len(queue)} prompts", style="bold")
            hint.append(" · drafts and due prompts first · enter: answer the highlighted prompt · ctrl+o: earlier attempts")
        else:
            hint.append("No interview prompts in the decks.", style="bold")
        self.query_one("#iv-pick-hint", Static).update(hint)

    def highlighted(self) -> Item | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.quiz_app.study.items.get(key) if key is not None else None

    def action_start(self) -> None:
        item = self.highlighted()
        if item is not None:
            self.quiz_app.push_screen(InterviewScreen(item))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_start()

    def action_history(self) -> None:
        item = self.highlighted()
        if item is not None:
            self.quiz_app.push_screen(AttemptsScreen(item))

    def action_leave(self) -> None:
        self.quiz_app.pop_screen()


# --------------------------------------------------------------------------- answering


class InterviewScreen(AppScreen[None]):
    """One prompt: type the answer against the countdown, then tick the rubric and get the rating.

    The answer is saved as a draft while typing; leaving, quitting or a crash keeps it, and it comes
    back the next time this prompt is opened.
    """

    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit answer", priority=True, id="interview.submit"),
        *(Binding(str(n), f"toggle_point({n})", "Toggle", group=TOGGLE, id=f"interview.toggle{n}") for n in range(1, 10)),
        Binding("c", "confirm", "Confirm ticks", id="interview.confirm"),
        Binding("ctrl+o", "history", "Earlier attempts", id="interview.history"),
        Binding("n", "next_prompt", "Next prompt", id="interview.next"),
        Binding("escape", "leave", "Save draft & leave", id="interview.leave"),
        Binding("escape", "leave_unjudged", "Leave (keep draft)", id="interview.leave_unjudged"),
        Binding("escape", "back", "Back", id="interview.back"),
        # q while typing is a letter of the answer; once submitted it backs out as escape does.
        Binding("q", "leave_unjudged", "Leave (keep draft)", show=False, id="interview.quit_unjudged"),
        Binding("q", "back", "Back", show=False, id="interview.quit"),
    ]

    phase: reactive[str] = reactive("answer", bindings=True)
    """answer (typing), check (ticking the rubric) or done (stored)."""

    def __init__(self, item: Item):
        super().__init__()
        self.item = item
        """The interview prompt being answered."""
        self.session: Session | None = None
        self.submitted_at = None
        self.detected: list[bool] = []
        self.evidence: list[Evidence | None] = []
        self.attempt: Attempt | None = None
        self.save_failed = False

    @property
    def card(self):
        return self.item.card

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="iv-head"):
            yield Static(literal_text(self.card.prompt, "bold"), id="iv-prompt")
            yield Static(id="iv-clock")
        yield TextArea(
            id="iv-editor",
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            placeholder="Type your answer here. It is saved as you type; ctrl+s submits it.",
        )
        with Vertical(id="iv-review"):
            with Horizontal(id="iv-compare"):
                with VerticalScroll(id="iv-mine"):
                    yield Static(Text("Your answer", style="bold"), classes="iv-title")
                    yield Static(id="iv-mine-text")
                with VerticalScroll(id="iv-model"):
                    yield Static(Text("Model answer outline", style="bold"), classes="iv-title")
                    yield Static(id="iv-model-text")
            with Horizontal(id="iv-judge"):
                yield Vertical(id="iv-rubric-box")
                with Vertical(id="iv-coverage-box"):
                    yield Static(Text("Coverage by stage", style="bold"))
                    yield CoverageBars(id="iv-coverage")
            yield Static(id="iv-result")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Mock interview"
        study = self.quiz_app.study
        self.session = Session(study.store, self.item, study.now())
        editor = self.query_one("#iv-editor", TextArea)
        editor.load_text(self.session.text)
        editor.move_cursor(editor.document.end)
        self.query_one("#iv-review").display = False
        editor.focus()
        if self.session.resumed:
            self.notify("Your draft is back; the clock continues from where it stopped.", title="Draft restored")
        self.update_clock()
        self.set_interval(TICK_SECONDS, self.tick)

    # ------------------------------------------------------------ the clock and the draft

    def now(self):
        return self.quiz_app.study.now()

    def tick(self) -> None:
        if self.phase == "answer":
            self.save_draft(force=False)
        self.update_clock()

    def save_draft(self, force: bool) -> None:
        session = self.session
        if session is None:
            return
        try:
            saved = session.flush(self.now()) if force else session.save_if_due(self.now())
        except StoreError as exc:
            if not self.save_failed:
                self.notify(f"{exc}\nTyping is kept on screen; saving is retried.", title="Draft not saved",
                            severity="error", timeout=10, markup=False)
            self.save_failed = True
            return
        if saved:
            self.save_failed = False

    def update_clock(self) -> None:
        session = self.session
        if session is None:
            return
        limit = session.time_limit
        text = Text()
        if self.phase == "answer":
            left = session.remaining(self.now())
            if left >= timedelta(0):
                text.append(f"{clock_text(left)} left", style="bold" if left > timedelta(seconds=30) else "bold yellow")
            else:
                text.append(f"{clock_text(left)} over", style="bold red")
                text.append("  (going over is allowed; the overrun is recorded)", style="red")
            text.append(f"   of {clock_text(limit)}", style="dim")
            if self.save_failed:
                text.append("   draft NOT saved", style="bold red")
            elif session.saver.dirty:
                text.append("   typing…", style="dim")
            elif session.text.strip():
                text.append("   draft saved", style="dim green")
        else:
            assert self.submitted_at is not None  # set on submit, before the check phase
            taken = self.submitted_at - session.started_at
            text.append(f"Answered in {clock_text(taken)}", style="bold")
            over = taken - limit
            if over > timedelta(0):
                text.append(f"  ({clock_text(over)} over the {clock_text(limit)} limit)", style="red")
            else:
                text.append(f"  (limit {clock_text(limit)})", style="dim")
        self.query_one("#iv-clock", Static).update(text)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self.session is not None and self.phase == "answer":
            self.session.typed(event.text_area.text, self.now())

    def on_unmount(self) -> None:
        # Quitting the app from this screen: keep the last keystrokes.
        if self.phase == "answer":
            self.save_draft(force=True)

    # ------------------------------------------------------------ submit and judge

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "submit":
            return self.phase == "answer"
        if action == "toggle_point":
            return self.phase == "check" and parameters[0] <= len(self.card.rubric)
        if action == "confirm":
            return self.phase == "check"
        if action == "next_prompt":
            return self.phase == "done"
        if action == "history":
            return True if self.phase != "answer" else bool(self.attempt_count())
        if action in ("leave", "leave_unjudged", "back"):
            return self.phase == {"leave": "answer", "leave_unjudged": "check", "back": "done"}[action]
        return True

    def attempt_count(self) -> int:
        return self.quiz_app.study.store.scalar("SELECT COUNT(*) FROM attempts WHERE card_id = ?", [self.item.id]) or 0

    def action_submit(self) -> None:
        if self.phase != "answer" or self.session is None:
            return
        editor = self.query_one("#iv-editor", TextArea)
        self.session.typed(editor.text, self.now())
        self.submitted_at = self.now()
        # Until the ticks are confirmed the answer is still a draft; keep it safe.
        self.save_draft(force=True)
        self.evidence = grade(self.card.rubric, self.session.text, self.card.prompt)
        self.detected = [e is not None for e in self.evidence]
        self.phase = "check"
        self.show_review()

    def show_review(self) -> None:
        assert self.session is not None
        answer = self.session.text
        self.query_one("#iv-mine-text", Static).update(
            literal_text(answer) if answer.strip() else Text("(no answer typed)", style="dim italic")
        )
        outline = Text()
        for line in self.card.model_answer:
            outline.append("• ")
            outline.append(printable(line))
            outline.append("\n")
        self.query_one("#iv-model-text", Static).update(outline)
        rubric = RubricChecklist(list(self.card.rubric), self.evidence, id="iv-rubric")
        self.query_one("#iv-rubric-box").mount(rubric)
        self.query_one("#iv-editor").display = False
        # Hidden, it must not take the focus back when a screen above closes: it would swallow n.
        self.query_one("#iv-editor").disabled = True
        self.query_one("#iv-review").display = True
        rubric.focus()
        self.update_clock()
        self.update_judgement()

    def ticks(self) -> list[Tick]:
        return make_ticks(self.card.rubric, self.detected, self.query_one(RubricChecklist).ticked)

    def update_judgement(self) -> None:
        ticks = self.ticks()
        self.query_one(CoverageBars).show(ticks)
        score = score_of(ticks)
        text = Text()
        if self.phase == "check":
            text.append(f"Score so far: {sum(t.ticked for t in ticks)} of {len(ticks)} points = {score:.0%}", style="bold")
            text.append(f"  → {RATINGS[rating_for(score)]}", style="bold")
            text.append("\nPoints the answer shows are pre-ticked, with the sentence that shows them; check each one: space or its number toggles, "
                        "c confirms the score.", style="dim")
        elif self.attempt is not None:
            a = self.attempt
            state = self.quiz_app.study.store.card_state(self.item.id)
            text.append(f"Saved: {a.score:.0%} of the rubric → rated {RATINGS[a.rating]}", style="bold green")
            if state.due is not None:
                text.append(f"; this prompt comes back in {format_interval(state.due - self.now())}.", style="bold")
            text.append("\nn: next prompt · ctrl+o: earlier attempts side by side · escape: back", style="dim")
        self.query_one("#iv-result", Static).update(text)

    def on_rubric_checklist_changed(self, event: RubricChecklist.Changed) -> None:
        if self.phase == "check":
            self.update_judgement()

    def action_toggle_point(self, number: int) -> None:
        if self.phase == "check":
            self.query_one(RubricChecklist).toggle(number - 1)

    def action_confirm(self) -> None:
        if self.phase != "check" or self.session is None or self.submitted_at is None:
            return
        try:
            self.attempt = submit(
                self.quiz_app.study, self.item, self.session.text, self.session.started_at, self.submitted_at, self.ticks()
            )
        except StoreError as exc:
            self.notify(f"{exc}\nYour ticks are still here; press c to try again.", title="Attempt not saved",
                        severity="error", timeout=10, markup=False)
            return
        self.phase = "done"
        self.query_one(RubricChecklist).disabled = True
        self.update_judgement()

    # ------------------------------------------------------------ moving on

    def action_history(self) -> None:
        self.quiz_app.push_screen(AttemptsScreen(self.item))

    def action_next_prompt(self) -> None:
        queue = [s for s in prompt_queue(self.quiz_app.study) if s.item.id != self.item.id and not s.suspended]
        if not queue:
            self.notify("No other prompt to answer.")
            return
        self.quiz_app.switch_screen(InterviewScreen(queue[0].item))

    def action_leave(self) -> None:
        """Leave while typing: the draft is saved first (and the screen stays if it cannot be)."""
        if self.phase == "answer" and self.session is not None:
            self.session.typed(self.query_one("#iv-editor", TextArea).text, self.now())
            self.save_draft(force=True)
            if self.save_failed:
                return
        self.quiz_app.pop_screen()

    def action_leave_unjudged(self) -> None:
        """Leave before confirming the ticks: nothing is scored; the answer stays a draft."""
        self.quiz_app.pop_screen()

    def action_back(self) -> None:
        self.quiz_app.pop_screen()

    def screen_commands(self):
        if self.phase == "answer":
            yield SystemCommand("Submit answer", "Stop the clock and judge the answer against the rubric", self.action_submit)
            yield SystemCommand("Save draft and leave", "Keep the answer as a draft for later", self.action_leave)
        if self.phase == "check":
            yield SystemCommand("Confirm ticks", "Store the attempt and rate the prompt from its score", self.action_confirm)
        if self.phase == "done":
            yield SystemCommand("Next interview prompt", "Answer the next prompt in the queue", self.action_next_prompt)
        yield SystemCommand("Earlier attempts", "Read this prompt's earlier attempts side by side", self.action_history)


# --------------------------------------------------------------------------- earlier attempts
