"""The home screen: every deck with its new / learning / due / learned counts, and today's totals."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from quizapp.modes.interview_due import prompt_counts
from quizapp.text import printable
from quizapp.tui.screens.base import AppScreen


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

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="totals")
        problems = self.quiz_app.opened.decks.problems
        if problems:
            text = Text(f"{len(problems)} problem(s) in deck files; the other decks loaded:\n", style="bold")
            text.append("\n".join(printable(p) for p in problems[:20]))
            yield Static(text, id="problems")
        table: DataTable[str | Text] = DataTable(id="decks", cursor_type="row", zebra_stripes=True)
        yield table
        # Two lines, each within 80 columns less the padding.
        yield Static(Text("enter: study this deck · r: all due · z: quiz (Z: this deck) · i: interview\n"
                          "b: browse cards · c: custom study · s: settings · ?: keys · ctrl+p: commands"), id="hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, key in (("Deck", "deck"), ("New", "new"), ("Learn", "learn"), ("Due", "due"),
                           ("Learned", "learned"), ("Cards", "total")):
            table.add_column(Text(label), key=key)
        self.refresh_counts()
        table.focus()

    def on_screen_resume(self) -> None:
        self.refresh_counts()

    def refresh_counts(self) -> None:
        study = self.quiz_app.study
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        # Decks of interview prompts only are studied in mock-interview mode, not listed for review.
        counts = [c for c in study.deck_counts() if c.total]
        for c in counts:
            table.add_row(
                Text(printable(c.title)),
                Text(str(c.new), style="bold blue" if c.new else "dim"),
                Text(str(c.learning), style="bold red" if c.learning else "dim"),
                Text(str(c.due), style="bold green" if c.due else "dim"),
                Text(str(c.learned)),
                Text(str(c.total)),
                key=c.deck_id,
            )
        if counts:
            table.move_cursor(row=min(keep, len(counts) - 1))
        new, learning, due = study.remaining()
        done = study.done_today()
        orphans = len(self.quiz_app.opened.store.orphans())
        line = Text()
        line.append("Today: ", style="bold")
        line.append(f"{due} to review", style="green")
        line.append(" · ")
        line.append(f"{learning} learning", style="red")
        line.append(" · ")
        line.append(f"{new} new", style="blue")
        answers = done['answers']
        line.append(f"  —  {answers} answer{'' if answers == 1 else 's'} today in {done['seconds'] // 60} min")
        prompts = prompt_counts(self.quiz_app.opened.store, study.now())
        if prompts.due or prompts.drafts or prompts.new:
            line.append("\nMock interviews: ", style="bold")
            line.append(f"{prompts.due} due", style="bold green" if prompts.due else "dim")
            line.append(f" · {prompts.drafts} draft{'' if prompts.drafts == 1 else 's'}",
                        style="bold yellow" if prompts.drafts else "dim")
            line.append(f" · {prompts.new} never answered", style="blue" if prompts.new else "dim")
            line.append("  (i)", style="dim")
        if orphans:
            line.append(f"  —  {orphans} card(s) with progress no longer in any deck (kept)", style="yellow")
        self.query_one("#totals", Static).update(line)

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
