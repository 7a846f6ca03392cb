"""The ``quizapp`` command line. Every command has ``--help``; with no command the TUI opens."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable
from pathlib import Path

from quizapp.errors import QuizappError

COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None] | None]] = {}
"""Sub-command name -> (help line, function adding its arguments); filled by ``command``."""
HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str, help: str, arguments: Callable[[argparse.ArgumentParser], None] | None = None):
    """Register a sub-command; the decorated function gets the parsed arguments and returns the exit code."""

    def wrap(fn: Callable[[argparse.Namespace], int]):
        COMMANDS[name] = (help, arguments)
        HANDLERS[name] = fn
        return fn

    return wrap


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quizapp",
        description="Prepare ML-engineering interviews: spaced-repetition review, quizzes, mock interviews, progress.",
    )
    parser.add_argument("--home", metavar="DIR", help="the workspace folder (decks/ and progress/); default: $QUIZAPP_HOME, "
                        "the current folder when it has decks/, else the per-user data folder")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, arguments) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if arguments:
            arguments(p)
    return parser


def workspace(args: argparse.Namespace):
    from quizapp.workspace import Workspace

    return Workspace.resolve(args.home)


def _deck_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--deck", metavar="ID", help="only this deck (its id, as `quizapp decks` lists)")


def run_tui(args: argparse.Namespace, start: str = "home", **options) -> int:
    from quizapp.study import open_workspace
    from quizapp.tui.app import QuizApp

    opened = open_workspace(workspace(args))
    # The decks and everything imported live until the app ends: the cycle collector need not walk
    # them every time the TUI's widgets trigger a collection (seconds, over a large collection).
    gc.freeze()
    try:
        deck = options.get("deck")
        if deck and opened.decks.deck(deck) is None:
            known = ", ".join(d.id for d in opened.decks.decks) or "none"
            raise QuizappError(f"no deck with id '{deck}' (decks: {known})")
        app = QuizApp(opened, start=start, **options)
        app.run()
        return app.return_code or 0
    finally:
        opened.store.close()


@command("review", "Study every card due today (or one deck's) in the TUI.", _deck_arg)
def cmd_review(args: argparse.Namespace) -> int:
    return run_tui(args, start="review", deck=args.deck)


def _check_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="deck files or folders (default: the workspace's decks)")


@command("check", "Validate deck files; prints every problem as file:line:col and exits 1 if there is any.", _check_args)
def cmd_check(args: argparse.Namespace) -> int:
    from quizapp.deck import load_deck_file, load_decks

    if args.paths:
        folders, problems, decks = [], [], []
        for raw in args.paths:
            path = Path(raw)
            if path.is_dir():
                folders.append(path)
            elif path.exists():
                deck, found = load_deck_file(path, raw)
                problems.extend(found)
                if deck:
                    decks.append(deck)
            else:
                problems.append(f"{raw}: no such file or folder")
        if folders:
            loaded = load_decks(folders)
            problems.extend(loaded.problems)
            decks.extend(loaded.decks)
    else:
        ws = workspace(args)
        loaded = load_decks(ws.deck_dirs, base=ws.home)
        problems, decks = loaded.problems, loaded.decks
    for line in problems:
        print(line, file=sys.stderr)
    cards = sum(len(d.cards) for d in decks)
    print(f"{len(decks)} decks, {cards} cards, {len(problems)} problems")
    return 1 if problems else 0


@command("where", "Print the workspace, deck folders and progress database in use.")
def cmd_where(args: argparse.Namespace) -> int:
    ws = workspace(args)
    print(f"workspace: {ws.home}  ({ws.how})")
    for d in ws.deck_dirs:
        print(f"decks:     {d}")
    print(f"progress:  {ws.db_path}")
    print(f"backups:   {ws.backups_dir}")
    return 0


@command("decks", "List the decks with their due / new / learned counts.")
def cmd_decks(args: argparse.Namespace) -> int:
    from quizapp.study import open_workspace

    opened = open_workspace(workspace(args))
    try:
        study = opened.study()
        print(f"{'deck':<28} {'new':>5} {'learn':>6} {'due':>5} {'learned':>8} {'total':>6}  title")
        for c in study.deck_counts():
            print(f"{c.deck_id:<28} {c.new:>5} {c.learning:>6} {c.due:>5} {c.learned:>8} {c.total:>6}  {c.title}")
        for line in opened.decks.problems:
            print(line, file=sys.stderr)
        orphans = opened.store.orphans()
        if orphans:
            print(f"{len(orphans)} cards with progress are no longer in any deck (kept): "
                  + ", ".join(o["id"] for o in orphans[:10]) + (" ..." if len(orphans) > 10 else ""))
    finally:
        opened.store.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    # Importing here registers the commands other modules define.
    from quizapp import commands  # noqa: F401

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            return run_tui(args)
        return HANDLERS[args.command](args)
    except QuizappError as exc:
        print(f"quizapp: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
