"""``quizapp review``, ``check``, ``where`` and ``decks``: the workspace, its decks and their counts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quizapp.cli.common import run_tui, workspace
from quizapp.text import printable


def cmd_review(args: argparse.Namespace) -> int:
    return run_tui(args, start="review", deck=args.deck)


def check_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="deck files or folders (default: the workspace's decks)")


def cmd_check(args: argparse.Namespace) -> int:
    from quizapp.decks.loader import load_deck_file, load_decks

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
        print(printable(line), file=sys.stderr)
    from quizapp.decks.models import card_item_ids

    # Cards as every screen counts them: each side and cloze deletion is one.
    cards = sum(len(card_item_ids(c)) for d in decks for c in d.cards)
    notes = sum(len(d.cards) for d in decks)
    print(f"{len(decks)} decks, {cards} cards ({notes} written in the files), {len(problems)} problems")
    return 1 if problems else 0


def cmd_where(args: argparse.Namespace) -> int:
    ws = workspace(args)
    print(printable(f"workspace: {ws.home}  ({ws.how})"))
    for d in ws.deck_dirs:
        print(printable(f"decks:     {d}"))
    print(printable(f"progress:  {ws.db_path}"))
    print(printable(f"backups:   {ws.backups_dir}"))
    return 0


def cmd_decks(args: argparse.Namespace) -> int:
    from quizapp.cli.common import open_workspace

    opened = open_workspace(args)
    try:
        study = opened.study()
        print(f"{'deck':<28} {'new':>5} {'learn':>6} {'due':>5} {'learned':>8} {'total':>6}  title")
        for c in study.deck_counts():
            print(f"{printable(c.deck_id):<28} {c.new:>5} {c.learning:>6} {c.due:>5} {c.learned:>8} {c.total:>6}  "
                  f"{printable(c.title)}")
        for line in opened.decks.problems:
            print(printable(line), file=sys.stderr)
        orphans = opened.store.orphans()
        if orphans:
            print(f"{len(orphans)} cards with progress are no longer in any deck (kept): "
                  + printable(", ".join(o["id"] for o in orphans[:10])) + (" ..." if len(orphans) > 10 else ""))
    finally:
        opened.store.close()
    return 0


