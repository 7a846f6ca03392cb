"""What every command shares: the command table's entry, the workspace the arguments name, and
opening the TUI."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from quizapp.errors import QuizappError

if TYPE_CHECKING:
    from quizapp.session import Opened
    from quizapp.workspace import Workspace


@dataclass(frozen=True)
class Command:
    """One sub-command of ``quizapp``: its name, help line, the function adding its arguments and the
    function running it (returning the exit code)."""

    name: str
    help: str
    run: Callable[[argparse.Namespace], int]
    arguments: Callable[[argparse.ArgumentParser], None] | None = None


def workspace(args: argparse.Namespace) -> Workspace:
    from quizapp.workspace import Workspace

    return Workspace.resolve(args.home)


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {value}")
    return value


def deck_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--deck", metavar="ID", help="only this deck (its id, as `quizapp decks` lists)")


def open_workspace(args: argparse.Namespace) -> Opened:
    """The workspace the arguments name, opened (decks loaded, database opened and synced)."""
    import sys

    from quizapp.session import open_workspace
    from quizapp.text import printable

    opened = open_workspace(workspace(args))
    message = opened.store.stale_log_message()
    if message is not None:
        print(f"quizapp: {printable(message)}", file=sys.stderr)
    return opened


def _need_terminal() -> None:
    """The TUI draws on a terminal and reads keys from one; without one it would wait forever."""
    import sys

    missing = [name for name, stream in (("input", sys.stdin), ("output", sys.stdout))
               if stream is None or not stream.isatty()]
    if missing:
        raise QuizappError(
            f"the TUI needs a terminal, and its {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not one "
            "(redirected or run in the background). Run quizapp in a terminal; in scripts use its commands "
            "(`quizapp --help`)."
        )


def run_tui(args: argparse.Namespace, start: str = "home", check: Callable[[Opened], None] | None = None,
            **options: Any) -> int:
    """Open the workspace and run the TUI on the ``start`` screen; ``check`` may refuse the workspace
    (raising ``QuizappError``) before the app starts. Returns the exit code."""
    from quizapp.tui.app import QuizApp

    opened = open_workspace(args)
    try:
        deck = options.get("deck")
        if deck and opened.decks.deck(deck) is None:
            known = ", ".join(d.id for d in opened.decks.decks) or "none"
            raise QuizappError(f"no deck with id '{deck}' (decks: {known})")
        if check is not None:
            check(opened)
        _need_terminal()
        app = QuizApp(opened, start=start, **options)
        app.run()
        return app.return_code or 0
    finally:
        opened.store.close()
