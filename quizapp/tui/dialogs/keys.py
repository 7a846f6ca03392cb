"""The keys of the screen underneath (``?`` or F1 on any screen)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEY_NAMES = {"space": "space", "minus": "-", "at": "@", "question_mark": "?", "escape": "esc", "enter": "enter",
             "exclamation_mark": "!", "slash": "/", "less_than_sign": "<", "greater_than_sign": ">"}


def key_label(key: str) -> str:
    return ",".join(KEY_NAMES.get(k.strip(), k.strip()) for k in key.split(","))


class KeysDialog(ModalScreen[None]):
    """A table of (keys, what they do), gathered from the screen's bindings when it was opened."""

    DEFAULT_CSS = """
    KeysDialog { align: center middle; }
    KeysDialog > VerticalScroll {
        width: 70; max-width: 100%; height: auto; max-height: 90%; padding: 0 2;
        border: round $primary; background: $panel;
    }
    """
    BINDINGS = [
        Binding("escape,question_mark,f1,q,enter", "close", "Close", id="keys.close"),
    ]

    def __init__(self, title: str, keys: list[tuple[str, str]]):
        super().__init__()
        self.title_text = title
        self.keys = keys
        """(key, description) pairs, in the screen's order."""

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, expand=True, padding=(0, 2, 0, 0))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for key, description in self.keys:
            table.add_row(Text(key), Text(description))
        table.add_row(Text("ctrl+p"), Text("all commands (searchable)"))
        table.add_row(Text("ctrl+q"), Text("quit quizapp"))
        with VerticalScroll():
            yield Static(Text(f"Keys: {self.title_text}", style="bold"), id="keys-title")
            yield Static(table, id="keys-table")
            yield Static(Text("esc, ? or F1 closes this", style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)


def screen_keys(screen) -> list[tuple[str, str]]:
    """The keys the screen answers now, with their descriptions, in the order its bindings give them;
    one line per action, keys that do the same joined."""
    seen: dict[str, tuple[list[str], str]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not active.enabled or binding.action in ("app.help_keys", "help_keys", "app.command_palette"):
            continue
        description = binding.description or binding.action
        if binding.action in ("app.quit", "quit") and binding.key == "ctrl+q":
            continue
        entry = seen.setdefault(binding.action, ([], description))
        label = key_label(key)
        if label not in entry[0]:
            entry[0].append(label)
    return [(" ".join(keys), description) for keys, description in seen.values()]
