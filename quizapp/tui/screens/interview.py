"""The mock-interview screens: choosing a prompt, answering it against the clock, judging the answer
against the rubric, and reading earlier attempts side by side."""

from __future__ import annotations

import re
from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, HorizontalScroll, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static, TextArea

from quizapp.decks.models import STAGES, Item
from quizapp.errors import StoreError
from quizapp.modes.grading import Evidence, grade
from quizapp.modes.interview import (
    Attempt,
    Session,
    Tick,
    attempts_for,
    make_ticks,
    prompt_queue,
    rating_for,
    score_of,
    submit,
)
from quizapp.scheduling import RATINGS, format_interval
from quizapp.text import printable
from quizapp.tui.screens.quiz import literal_text

STAGE_NAMES = {"data": "data", "model": "model", "serving": "serving", "monitoring": "monitoring", "tradeoff": "trade-offs"}
"""How each rubric stage is labelled on screen."""
TICK_SECONDS = 0.5
"""How often the countdown is redrawn and the draft policy checked."""
TOGGLE = Binding.Group("Toggle point")


def clock_text(delta: timedelta) -> str:
    """m:ss of a duration (its absolute value)."""
    seconds = int(abs(delta.total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


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


class InterviewPickScreen(Screen):
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
        study = self.app.study
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
        return self.app.study.items.get(key)

    def action_start(self) -> None:
        item = self.highlighted()
        if item is not None:
            self.app.push_screen(InterviewScreen(item))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_start()

    def action_history(self) -> None:
        item = self.highlighted()
        if item is not None:
            self.app.push_screen(AttemptsScreen(item))

    def action_leave(self) -> None:
        self.app.pop_screen()


# --------------------------------------------------------------------------- answering


class InterviewScreen(Screen):
    """One prompt: type the answer against the countdown, then tick the rubric and get the rating.

    The answer is saved as a draft while typing; leaving, quitting or a crash keeps it, and it comes
    back the next time this prompt is opened.
    """

    BINDINGS = [
        Binding("ctrl+s", "submit", "Submit answer", priority=True, id="interview.submit"),
        *(Binding(str(n), f"toggle({n})", "Toggle", group=TOGGLE, id=f"interview.toggle{n}") for n in range(1, 10)),
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
        study = self.app.study
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
        return self.app.study.now()

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
        if action == "toggle":
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
        return self.app.study.store.scalar("SELECT COUNT(*) FROM attempts WHERE card_id = ?", [self.item.id]) or 0

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
            state = self.app.study.store.card_state(self.item.id)
            text.append(f"Saved: {a.score:.0%} of the rubric → rated {RATINGS[a.rating]}", style="bold green")
            if state.due is not None:
                text.append(f"; this prompt comes back in {format_interval(state.due - self.now())}.", style="bold")
            text.append("\nn: next prompt · ctrl+o: earlier attempts side by side · escape: back", style="dim")
        self.query_one("#iv-result", Static).update(text)

    def on_rubric_checklist_changed(self, event: RubricChecklist.Changed) -> None:
        if self.phase == "check":
            self.update_judgement()

    def action_toggle(self, number: int) -> None:
        if self.phase == "check":
            self.query_one(RubricChecklist).toggle(number - 1)

    def action_confirm(self) -> None:
        if self.phase != "check" or self.session is None:
            return
        try:
            self.attempt = submit(
                self.app.study, self.item, self.session.text, self.session.started_at, self.submitted_at, self.ticks()
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
        self.app.push_screen(AttemptsScreen(self.item))

    def action_next_prompt(self) -> None:
        queue = [s for s in prompt_queue(self.app.study) if s.item.id != self.item.id and not s.suspended]
        if not queue:
            self.notify("No other prompt to answer.")
            return
        self.app.switch_screen(InterviewScreen(queue[0].item))

    def action_leave(self) -> None:
        """Leave while typing: the draft is saved first (and the screen stays if it cannot be)."""
        if self.phase == "answer" and self.session is not None:
            self.session.typed(self.query_one("#iv-editor", TextArea).text, self.now())
            self.save_draft(force=True)
            if self.save_failed:
                return
        self.app.pop_screen()

    def action_leave_unjudged(self) -> None:
        """Leave before confirming the ticks: nothing is scored; the answer stays a draft."""
        self.app.pop_screen()

    def action_back(self) -> None:
        self.app.pop_screen()

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


class AttemptsScreen(Screen):
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
            self._attempts = attempts_for(self.app.study.store, self.item.id)
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
        self.app.pop_screen()
