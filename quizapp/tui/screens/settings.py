"""The Settings screen: every study setting with its value, default and what is allowed; enter edits
the highlighted one, checked as ``quizapp config`` checks it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Input, Static

from quizapp.errors import QuizappError
from quizapp.scheduling.config import SETTINGS, change, rows, setting
from quizapp.scheduling.scheduler import load_settings
from quizapp.tui.screens.base import AppScreen


class SettingsScreen(AppScreen[None]):
    """The study settings; changes apply to the next card shown."""

    BINDINGS = [
        Binding("enter", "edit", "Change", id="settings.edit", show=True),
        Binding("escape", "leave", "Back", id="settings.leave"),
    ]
    DEFAULT_CSS = """
    SettingsScreen #settings-table { height: auto; max-height: 1fr; margin: 1 2 0 2; }
    SettingsScreen #settings-help { height: auto; padding: 1 2 0 2; color: $text-muted; }
    SettingsScreen #settings-input { margin: 0 2; display: none; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="settings-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="settings-help")
        yield Input(id="settings-input")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Settings"
        table = self.query_one(DataTable)
        for label, key in (("Setting", "label"), ("Value", "value"), ("Default", "default"), ("Key", "key")):
            table.add_column(Text(label), key=key)
        self.fill()
        table.focus()

    def fill(self) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for s, value, default in rows(load_settings(self.quiz_app.opened.store)):
            style = "bold" if value != default else ""
            table.add_row(Text(s.label), Text(value, style=style), Text(default, style="dim"), Text(s.key, style="dim"),
                          key=s.key)
        table.move_cursor(row=min(keep, len(SETTINGS) - 1))
        self.show_help()

    def current_key(self) -> str:
        table = self.query_one(DataTable)
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def show_help(self) -> None:
        s = setting(self.current_key())
        self.query_one("#settings-help", Static).update(Text(f"{s.help}\nAllowed: {s.allowed}. Enter to change it."))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_help()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_edit(self) -> None:
        box = self.query_one("#settings-input", Input)
        if box.display:
            return
        key = self.current_key()
        value = dict((s.key, v) for s, v, _ in rows(load_settings(self.quiz_app.opened.store)))[key]
        box.value = value
        box.border_title = f"{setting(key).label} (enter to save, esc to cancel)"
        box.display = True
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        key = self.current_key()
        try:
            settings = change(self.quiz_app.opened.store, key, event.value)
        except QuizappError as exc:
            self.notify(str(exc), title="Not changed", severity="error", markup=False)
            return
        self.quiz_app.study.use_settings(settings)
        self.close_input()
        self.fill()
        self.notify(f"{setting(key).label}: {event.value.strip()}", markup=False)

    def close_input(self) -> None:
        box = self.query_one("#settings-input", Input)
        box.display = False
        self.query_one(DataTable).focus()

    def action_leave(self) -> None:
        if self.query_one("#settings-input", Input).display:
            self.close_input()
            return
        self.quiz_app.pop_screen()
