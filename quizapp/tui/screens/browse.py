"""The card browser (Anki's Browse): a search box, a sortable table of the cards found, and the
highlighted card's details and answer history; suspend, bury, forget and edit the card from here.

Longer than 400 lines: the search box, the table, the detail panel and the card actions act on one
highlighted card and one result set; the queries themselves are in ``study/search.py``."""

from __future__ import annotations

import subprocess
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Input, Static
from textual.widgets.data_table import RowDoesNotExist
from textual.worker import get_current_worker

from quizapp.errors import QuizappError
from quizapp.stats.queries import reading
from quizapp.study import cards as card_actions
from quizapp.study.search import CardIndex, CardRow, Context, SearchError, Term, context, parse_query
from quizapp.text import printable
from quizapp.tui.messages import BrowseFailed, BrowseFound, BrowseIndexRead
from quizapp.tui.screens.base import IN_WORKER_FROM, AppScreen
from quizapp.tui.widgets.table import SteppedTable

SHOWN_AT_MOST = 200
"""Rows put in the table at most; a narrower search shows the rest. (Filling a DataTable costs about
0.4 ms a row: 5,000 rows stalled every keystroke for two seconds at 100,000 cards.)"""

COLUMNS: list[tuple[str, str]] = [
    ("card", "Card"), ("deck", "Deck"), ("state", "State"), ("due", "Due"), ("interval", "Ivl"),
    ("stability", "Stab"), ("difficulty", "Diff"), ("recall", "Recall"), ("lapses", "Lapses"),
]
"""(key, heading) of the table's columns, in order."""
FIXED_WIDTHS = {"deck": 14, "state": 10, "due": 10, "interval": 4, "stability": 5, "difficulty": 4, "recall": 6,
                "lapses": 6}
"""Cells of every column but the card's, which takes the rest."""


def _days(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}d" if value >= 1 else f"{value * 24:.0f}h" if value * 24 >= 1 else f"{value * 1440:.0f}m"


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _cells(row: CardRow) -> list[Text]:
    state = Text(row.state_name, style={"new": "blue", "learning": "red", "relearning": "red"}.get(row.state_name, "green"))
    if row.suspended:
        state = Text("suspended", style="yellow")
    elif row.buried_until:
        state.append("*", style="dim")
    return [
        Text(printable(row.question or row.id), no_wrap=True, overflow="ellipsis"),
        Text(printable(row.deck_id), no_wrap=True, overflow="ellipsis"),
        state,
        Text(_when(row.due)[:10] if row.due else "-"),
        Text(_days(row.interval_days), justify="right"),
        Text("-" if row.stability is None else f"{row.stability:.1f}", justify="right"),
        Text("-" if row.difficulty is None else f"{row.difficulty:.1f}", justify="right"),
        Text("-" if row.recall is None else f"{row.recall:.0%}", justify="right"),
        Text(str(row.lapses), justify="right"),
    ]


class BrowseScreen(AppScreen[None]):
    """Every card, filtered by the search box; the side panel follows the highlighted row."""

    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="browse.search"),
        Binding("s", "sort_next", "Sort by next column", id="browse.sort"),
        Binding("S", "sort_reverse", "Reverse order", show=False, id="browse.sort_reverse"),
        Binding("at", "toggle_suspend", "Suspend/unsuspend", id="browse.suspend"),
        Binding("minus", "toggle_bury", "Bury/unbury", id="browse.bury"),
        Binding("f", "forget", "Forget", id="browse.forget"),
        Binding("e", "edit", "Edit in $EDITOR", id="browse.edit"),
        Binding("escape", "back", "Back", id="browse.back"),
        Binding("q", "back", "Back", show=False, id="browse.quit"),
    ]

    def __init__(self, query: str = ""):
        super().__init__()
        self.initial_query = query
        self.index: CardIndex | None = None
        """Every card, as last read from the database (searched by SQLite, not held as rows)."""
        self.shown: list[CardRow] = []
        """The first ``SHOWN_AT_MOST`` cards the search finds, in the table's order."""
        self.sort_key = "due"
        self.sort_reverse = False
        self.highlighted: str | None = None
        self.generation = 0
        """Counts reads and searches: a worker's result that a newer one replaced is dropped."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(self.initial_query, placeholder="search: text  deck:ID  tag:T  is:due|new|learn|review|suspended|buried|leech  -word",
                    id="browse-query")
        yield Static(id="browse-status")
        with Horizontal(id="browse-body"):
            yield SteppedTable(id="browse-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="browse-detail-box"):
                yield Static(id="browse-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Browse cards"
        table = self.query_one(DataTable)
        for key, label in COLUMNS:
            table.add_column(Text(label), key=key, width=FIXED_WIDTHS.get(key))
        table.focus()
        self.load()

    def on_unmount(self) -> None:
        if self.index is not None:
            self.index.close()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_card_column)

    def _fit_card_column(self) -> None:
        """The card column takes the table's room the fixed columns leave (at least 16 cells)."""
        table = self.query_one(DataTable)
        others = sum(FIXED_WIDTHS.values()) + 2 * len(COLUMNS) + 2
        width = max(16, table.size.width - others)
        column = table.columns.get("card")  # type: ignore[call-overload]
        if column is not None and column.width != width:
            column.width = width
            column.auto_width = False
            self.fill_table()  # rows are laid out when added: add them again at the new width

    # ------------------------------------------------------------ data

    def load(self) -> None:
        """Read every card again (after an action or an edit) and show the search's."""
        study, opened = self.quiz_app.study, self.quiz_app.opened
        self.generation += 1
        cards = self.card_count()
        if cards < IN_WORKER_FROM:
            self._use_index(CardIndex.read(opened.store, opened.decks, study.scheduler, study.now()))
            return
        if self.index is None:
            self.query_one("#browse-status", Static).update(Text(f"Reading {cards:,} cards…", style="dim"))
        self._read_index(study.scheduler, study.now(), self.generation)

    @work(thread=True, exclusive=True, group="browse-read", exit_on_error=False)
    def _read_index(self, scheduler, now: datetime, generation: int) -> None:
        worker = get_current_worker()
        try:
            with reading(self.quiz_app.opened.store) as store:
                index = CardIndex.read(store, self.quiz_app.opened.decks, scheduler, now)
        except Exception as exc:  # noqa: BLE001 - shown on the status line, never a crash
            if not worker.is_cancelled:
                self.post_message(BrowseFailed(f"cannot read the cards: {exc}"))
            return
        if worker.is_cancelled:
            index.close()
        else:
            self.post_message(BrowseIndexRead(index, generation))

    @on(BrowseIndexRead)
    def _index_read(self, message: BrowseIndexRead) -> None:
        if message.generation == self.generation and self.is_mounted:
            self._use_index(message.index)
        else:
            message.index.close()

    def _use_index(self, index: CardIndex) -> None:
        if self.index is not None:
            self.index.close()
        self.index = index
        self.refilter()

    def _search_context(self) -> Context:
        study = self.quiz_app.study
        return context(study.now(), study.settings.rollover_hour)

    def refilter(self) -> None:
        query = self.query_one("#browse-query", Input).value
        status = self.query_one("#browse-status", Static)
        try:
            terms = parse_query(query)
        except SearchError as exc:
            status.update(Text(str(exc), style="bold red"))
            return
        index = self.index
        if index is None:  # still being read: searched once it is
            return
        self.generation += 1
        if index.size < IN_WORKER_FROM:
            self._show_found(*self._find(index, terms))
            return
        generation = self.generation
        index.interrupt()  # a search still running is for an older query
        # run_worker rather than @work, which names its worker by the repr of every argument.
        self.run_worker(lambda: self._search(index, terms, generation), thread=True, exclusive=True,
                        group="browse-search", description="card search", exit_on_error=False)

    def _find(self, index: CardIndex, terms: list[Term]) -> tuple[int, list[CardRow]]:
        return index.find(terms, self._search_context(), self.sort_key, self.sort_reverse, limit=SHOWN_AT_MOST)

    def _search(self, index: CardIndex, terms: list[Term], generation: int) -> None:
        worker = get_current_worker()
        try:
            found, shown = self._find(index, terms)
        except Exception as exc:  # noqa: BLE001 - shown on the status line, never a crash
            if not worker.is_cancelled and generation == self.generation:
                self.post_message(BrowseFailed(f"search failed: {exc}"))
            return
        if not worker.is_cancelled:
            self.post_message(BrowseFound(found, shown, generation))

    @on(BrowseFound)
    def _found(self, message: BrowseFound) -> None:
        if message.generation == self.generation:
            self._show_found(message.found, message.shown)

    @on(BrowseFailed)
    def _failed(self, message: BrowseFailed) -> None:
        self.query_one("#browse-status", Static).update(Text(message.reason, style="bold red"))

    def _show_found(self, found: int, shown: list[CardRow]) -> None:
        self.shown = shown
        self.fill_table()
        heading = dict(COLUMNS)[self.sort_key]
        size = 0 if self.index is None else self.index.size
        line = Text(f"{found} of {size} cards", style="bold")
        line.append(f"  ·  sorted by {heading}{' (reversed)' if self.sort_reverse else ''}", style="dim")
        if found > len(shown):
            line.append(f"  ·  the first {len(shown)} shown: narrow the search", style="yellow")
        self.query_one("#browse-status", Static).update(line)

    def fill_table(self) -> None:
        """The found cards into the table (a step per refresh), the highlighted one kept if still
        found and the cursor not moved meanwhile."""
        table = self.query_one(SteppedTable)
        keep = self.highlighted

        def filled() -> None:
            if keep is not None and table.cursor_row == 0:
                try:
                    table.move_cursor(row=table.get_row_index(keep))
                except RowDoesNotExist:  # no longer found by the search
                    pass
            self.show_detail()

        table.show_rows([(row.id, _cells(row)) for row in self.shown], then=filled)

    def current(self) -> CardRow | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        index = table.cursor_row
        return self.shown[index] if 0 <= index < len(self.shown) else None

    def show_detail(self) -> None:
        card = self.current()
        self.highlighted = card.id if card else None
        detail = self.query_one("#browse-detail", Static)
        if card is None:
            detail.update(Text("No card found.", style="dim"))
            return
        text = Text()
        text.append(printable(card.question or "(no longer in any deck)"), style="bold")
        text.append("\n\n")
        text.append(printable(card.answer))
        text.append("\n\n")
        flags = []
        if card.suspended:
            flags.append("suspended")
        if card.buried_until:
            flags.append(f"buried through {card.buried_until}")
        recall = "-" if card.recall is None else f"{card.recall:.0%}"
        for label, value in (
            ("card", card.id), ("deck", card.deck_id), ("tags", ", ".join(card.tags) or "-"),
            ("state", ", ".join([card.state_name, *flags])), ("due", _when(card.due)),
            ("interval", _days(card.interval_days)),
            ("stability", "-" if card.stability is None else f"{card.stability:.2f} days"),
            ("difficulty", "-" if card.difficulty is None else f"{card.difficulty:.2f}"),
            ("recall now", recall), ("answers", str(card.reps)), ("lapses", str(card.lapses)),
        ):
            text.append(f"{label:<11}", style="dim")
            text.append(printable(value) + "\n")
        text.append("\nHistory\n", style="bold")
        answers = card_actions.history(self.quiz_app.opened.store, card.id)
        if not answers:
            text.append("no answers yet\n", style="dim")
        for a in answers:
            after = _days(a.interval_days) if a.scheduled else ("reset to new" if a.mode == "forget" else "unchanged")
            text.append(f"{_when(a.at)}  {a.mode:<9} {a.rating:<5} {after}\n")
        detail.update(text)

    # ------------------------------------------------------------ events

    @on(Input.Changed, "#browse-query")
    def _query_changed(self) -> None:
        self.refilter()

    @on(Input.Submitted, "#browse-query")
    def _query_submitted(self) -> None:
        self.query_one(DataTable).focus()

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self.show_detail()

    @on(DataTable.HeaderSelected)
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        if key == self.sort_key:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_key, self.sort_reverse = key, False
        self.refilter()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        # Letters typed into the search box are text, not commands.
        if isinstance(self.focused, Input) and action not in ("back",):
            return False if action != "focus_search" else None
        return True

    # ------------------------------------------------------------ actions

    def action_focus_search(self) -> None:
        self.query_one("#browse-query", Input).focus()

    def action_sort_next(self) -> None:
        keys = [k for k, _ in COLUMNS]
        self.sort_key = keys[(keys.index(self.sort_key) + 1) % len(keys)]
        self.sort_reverse = False
        self.refilter()

    def action_sort_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self.refilter()

    def _act(self, done: str, action) -> None:
        card = self.current()
        if card is None:
            return
        try:
            action(card)
        except QuizappError as exc:
            self.notify(str(exc), title="Not done", severity="error", markup=False)
            return
        self.notify(f"{done}: {printable(card.id)}", markup=False)
        self.load()

    def action_toggle_suspend(self) -> None:
        card = self.current()
        if card is not None:
            store = self.quiz_app.opened.store
            self._act("Unsuspended" if card.suspended else "Suspended",
                      lambda c: card_actions.set_suspended(store, c.id, not c.suspended))

    def action_toggle_bury(self) -> None:
        card = self.current()
        if card is not None:
            store, today = self.quiz_app.opened.store, self._search_context().today
            buried = card.buried_until is not None and card.buried_until >= today.isoformat()
            self._act("Unburied" if buried else "Buried until tomorrow",
                      lambda c: card_actions.set_buried(store, c.id, None if buried else today))

    def action_forget(self) -> None:
        card = self.current()
        if card is None:
            return
        from quizapp.tui.dialogs.confirm import ConfirmDialog

        question = Text("Forget this card? It goes back to new; its answers stay in the history.\n\n")
        question.append(printable(card.question or card.id), style="bold")

        def answered(yes: bool | None) -> None:
            if yes:
                store, now = self.quiz_app.opened.store, self.quiz_app.study.now()
                self._act("Forgotten (back to new)", lambda c: card_actions.forget(store, c.id, now))

        self.app.push_screen(ConfirmDialog(question), answered)

    def action_edit(self) -> None:
        card = self.current()
        if card is None:
            return
        from quizapp.interop.editdeck import deck_file_for_editing, editor_command

        opened = self.quiz_app.opened
        deck = opened.decks.deck(card.deck_id)
        if deck is None or not card.present:
            self.notify("This card is in no deck file any more.", severity="warning")
            return
        try:
            target = deck_file_for_editing(opened.workspace, deck, card.id.split("::", 1)[0])
        except QuizappError as exc:
            self.notify(str(exc), title="Cannot edit", severity="error", markup=False)
            return
        if target.copied_from is not None:
            self.notify(f"{target.copied_from.name} is a bundled deck: copied to {target.path} to edit "
                        "(that copy is the one studied from now on)", timeout=8, markup=False)
        command = editor_command(target.path, target.line)
        try:
            with self.app.suspend():
                outcome = subprocess.run(command, check=False)
        except SuspendNotSupported:
            if not self.app.is_headless:
                self.notify("This terminal cannot hand over to an editor.", severity="error")
                return
            outcome = subprocess.run(command, stdin=subprocess.DEVNULL, check=False)
        except OSError as exc:
            self.notify(f"cannot start {command[0]}: {exc.strerror or exc} (set $EDITOR)", severity="error", markup=False)
            return
        if outcome.returncode != 0:
            self.notify(f"{command[0]} exited with {outcome.returncode}; reloading the decks anyway", severity="warning",
                        markup=False)
        self.quiz_app.reload_decks()
        problems = [p for p in opened.decks.problems if str(target.path.name) in p]
        if problems:
            self.notify("\n".join(printable(p) for p in problems[:5]), title="Problems in the edited deck",
                        severity="error", timeout=15, markup=False)
        else:
            self.notify(f"Reloaded {target.path.name}", markup=False)
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    def screen_commands(self):
        yield SystemCommand("Card: suspend or unsuspend", "Toggle the highlighted card's suspension", self.action_toggle_suspend)
        yield SystemCommand("Card: bury or unbury", "Hide the highlighted card until tomorrow, or show it again", self.action_toggle_bury)
        yield SystemCommand("Card: forget", "Put the highlighted card back to new (history kept)", self.action_forget)
        yield SystemCommand("Card: edit in $EDITOR", "Open the card's deck file at its line", self.action_edit)
