"""The home screen: every deck with its new / learning / due / learned counts, and today's totals."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static
from textual.widgets.data_table import ColumnKey
from textual.worker import get_current_worker

from quizapp.modes.interview_due import PromptCounts, prompt_counts
from quizapp.stats.queries import reading
from quizapp.study.study import DeckCounts, Study
from quizapp.text import printable
from quizapp.tui.collector import collector_paused
from quizapp.tui.messages import HomeCounted
from quizapp.tui.screens.base import IN_WORKER_FROM, AppScreen
from quizapp.tui.widgets.table import SteppedTable

COLUMN_KEYS = ("deck", "new", "learn", "due", "learned", "total")


@dataclass(frozen=True)
class HomeFigures:
    """What the home screen shows: the counts of every deck with cards, and today's totals."""

    decks: list[DeckCounts]
    remaining: tuple[int, int, int]
    """New, learning and review cards still to study today."""
    done: dict[str, int]
    """What ``Study.done_today`` gives."""
    prompts: PromptCounts
    orphans: int
    """Cards with progress whose deck no longer has them."""


def home_figures(study: Study) -> HomeFigures:
    # Decks of interview prompts only are studied in mock-interview mode, not listed for review.
    return HomeFigures(
        decks=[c for c in study.deck_counts() if c.total],
        remaining=study.remaining(),
        done=study.done_today(),
        prompts=prompt_counts(study.store, study.now()),
        orphans=len(study.store.orphans()),
    )


def deck_cells(c: DeckCounts) -> tuple[Text, ...]:
    return (
        Text(printable(c.title)),
        Text(str(c.new), style="bold blue" if c.new else "dim"),
        Text(str(c.learning), style="bold red" if c.learning else "dim"),
        Text(str(c.due), style="bold green" if c.due else "dim"),
        Text(str(c.learned)),
        Text(str(c.total)),
    )


class HomeScreen(AppScreen[None]):
    """Decks and counts; enter studies the highlighted deck, r studies everything due."""

    BINDINGS = [
        Binding("r", "app.review", "Review all", id="home.review_all"),
        Binding("enter", "review_deck", "Review deck", id="home.review_deck", show=True),
        Binding("z", "app.quiz", "Quiz", id="home.quiz"),
        Binding("Z", "quiz_deck", "Quiz deck", id="home.quiz_deck"),
        Binding("i", "app.interview", "Mock interview", id="home.interview"),
        Binding("d", "app.dashboard", "Dashboard", id="home.dashboard"),
        Binding("c", "app.custom_study", "Custom study", id="home.custom_study"),
        Binding("s", "app.settings", "Settings", id="home.settings"),
        Binding("b", "app.browse", "Browse", id="home.browse"),
        Binding("q", "app.quit", "Quit", id="home.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.figures: HomeFigures | None = None
        """The counts on screen (None until the first are taken)."""

    @property
    def counted(self) -> bool:
        """Whether the latest counts are on screen, every row in."""
        return (self.figures is not None and not self.query_one(SteppedTable).filling
                and not any(w.group == "home-counts" and not w.is_finished for w in self.workers))

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="totals")
        problems = self.quiz_app.opened.decks.problems
        if problems:
            text = Text(f"{len(problems)} problem(s) in deck files; the other decks loaded:\n", style="bold")
            text.append("\n".join(printable(p) for p in problems[:20]))
            yield Static(text, id="problems")
        yield SteppedTable(id="decks", cursor_type="row", zebra_stripes=True)
        # Two lines, each within 80 columns less the padding.
        yield Static(Text("enter: study this deck · r: all due · z: quiz (Z: this deck) · i: interview\n"
                          "b: browse cards · c: custom study · s: settings · ?: keys · ctrl+p: commands"), id="hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(SteppedTable)
        for label, key in zip(("Deck", "New", "Learn", "Due", "Learned", "Cards"), COLUMN_KEYS):
            table.add_column(Text(label), key=key)
        self.refresh_counts()
        table.focus()

    def on_screen_resume(self) -> None:
        self.refresh_counts()

    def refresh_counts(self) -> None:
        """Count again: at once for a small collection, in a worker from ``IN_WORKER_FROM`` cards on
        (the figures on screen stay until the new ones come)."""
        if self.card_count() < IN_WORKER_FROM:
            self.show_figures(home_figures(self.quiz_app.study))
            return
        if self.figures is None:
            self.query_one("#totals", Static).update(Text("Counting your cards…", style="dim"))
        self._count()

    @work(thread=True, exclusive=True, group="home-counts", exit_on_error=False)
    def _count(self) -> None:
        worker = get_current_worker()
        app = self.quiz_app
        try:
            with reading(app.opened.store) as store, collector_paused():
                figures = home_figures(Study(store, app.opened.decks, app.study.settings, app.study.clock))
        except Exception as exc:  # noqa: BLE001 - told on screen, never a crash
            if not worker.is_cancelled:
                self.post_message(HomeCounted(None, str(exc)))
            return
        if not worker.is_cancelled:
            self.post_message(HomeCounted(figures))

    @on(HomeCounted)
    def _counted(self, message: HomeCounted) -> None:
        if message.figures is None:
            self.notify(f"The decks could not be counted: {message.problem}", title="Home", severity="error",
                        markup=False)
            return
        self.show_figures(message.figures)

    def show_figures(self, figures: HomeFigures) -> None:
        """The decks' rows and today's totals. When the same decks are listed, only the cells that
        changed are written (the cursor stays where it is); otherwise the rows are laid out anew."""
        table = self.query_one(SteppedTable)
        shown, self.figures = self.figures, figures
        changed = self._changed_cells(shown, figures) if shown is not None and not table.filling else None
        if changed is not None:
            for deck_id, key, value in changed:
                table.update_cell(deck_id, key, value)
        else:
            keep = table.cursor_row
            rows = [(c.deck_id, deck_cells(c)) for c in figures.decks]
            last = len(rows) - 1
            table.show_rows(rows, then=lambda: table.move_cursor(row=min(keep, last)) if last >= 0 else None)
        new, learning, due = figures.remaining
        done, prompts = figures.done, figures.prompts
        line = Text()
        line.append("Today: ", style="bold")
        line.append(f"{due} to review", style="green")
        line.append(" · ")
        line.append(f"{learning} learning", style="red")
        line.append(" · ")
        line.append(f"{new} new", style="blue")
        answers = done['answers']
        line.append(f"  —  {answers} answer{'' if answers == 1 else 's'} today in {done['seconds'] // 60} min")
        if prompts.due or prompts.drafts or prompts.new:
            line.append("\nMock interviews: ", style="bold")
            line.append(f"{prompts.due} due", style="bold green" if prompts.due else "dim")
            line.append(f" · {prompts.drafts} draft{'' if prompts.drafts == 1 else 's'}",
                        style="bold yellow" if prompts.drafts else "dim")
            line.append(f" · {prompts.new} never answered", style="blue" if prompts.new else "dim")
            line.append("  (i)", style="dim")
        if figures.orphans:
            line.append(f"  —  {figures.orphans} card(s) with progress no longer in any deck (kept)", style="yellow")
        self.query_one("#totals", Static).update(line)

    def _changed_cells(self, shown: HomeFigures, figures: HomeFigures) -> list[tuple[str, str, Text]] | None:
        """(deck, column, cell) of each cell that changed, or None when the rows must be laid out
        anew: other decks, or a cell wider than its column. (Asking the table to widen a column as
        it updates a cell measures the whole column again, for every cell: 1.4 s for 500 decks.)"""
        if [c.deck_id for c in shown.decks] != [c.deck_id for c in figures.decks]:
            return None
        table = self.query_one(SteppedTable)
        changed = []
        for before, now in zip(shown.decks, figures.decks):
            if before == now:
                continue
            for key, old, new in zip(COLUMN_KEYS, deck_cells(before), deck_cells(now)):
                if old.plain == new.plain and old.style == new.style:
                    continue
                if new.cell_len > table.columns[ColumnKey(key)].content_width:
                    return None
                changed.append((now.deck_id, key, new))
        return changed

    def highlighted_deck(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def action_review_deck(self) -> None:
        key = self.highlighted_deck()
        if key is not None:
            self.quiz_app.action_review(key)

    def action_quiz_deck(self) -> None:
        """A quiz round from the highlighted deck."""
        key = self.highlighted_deck()
        if key is not None:
            self.quiz_app.action_quiz(key)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.quiz_app.action_review(event.row_key.value)
