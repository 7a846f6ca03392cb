"""``quizapp search QUERY`` and ``quizapp card ID``: the card browser on the command line."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from datetime import datetime

from quizapp.cli.common import open_workspace


def search_args(p: argparse.ArgumentParser) -> None:
    # REMAINDER: a query's words may start with '-' (-is:new, -tag:x), which are not options.
    p.add_argument("query", nargs=argparse.REMAINDER, metavar="QUERY",
                   help="words that must all match: free text, deck:ID, tag:T, is:due|new|learn|review|suspended|"
                        "buried|leech; -word excludes; quote words that belong together (default: every card)")
    p.add_argument("--json", action="store_true", help="print the cards as JSON")


def card_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("card_id", metavar="ID", help="the card's id (as `quizapp search` lists it)")
    p.add_argument("--json", action="store_true", help="print the card and its history as JSON")


def _number(value: float | None, digits: int = 1, suffix: str = "") -> str:
    return "-" if value is None else f"{value:.{digits}f}{suffix}"


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M")


def cmd_search(args: argparse.Namespace) -> int:
    from quizapp.study.search import search

    if "--json" in args.query:
        args.query = [word for word in args.query if word != "--json"]
        args.json = True
    opened = open_workspace(args)
    try:
        study = opened.study()
        rows = search(opened.store, opened.decks, study.scheduler, " ".join(args.query), study.now())
    finally:
        opened.store.close()
    if args.json:
        print(json.dumps([r.to_json() for r in rows], indent=2, ensure_ascii=False))
        return 0
    header = f"{'card':<28} {'deck':<20} {'state':<10} {'due':<16} {'ivl':>6} {'stab':>7} {'diff':>5} {'recall':>6} {'lapses':>6}  question"
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    print(header)
    for r in rows:
        recall = "-" if r.recall is None else f"{r.recall:.0%}"
        flags = " (suspended)" if r.suspended else ""
        line = (f"{r.id:<28} {r.deck_id:<20} {r.state_name:<10} {_when(r.due):<16} {_number(r.interval_days, 0, 'd'):>6} "
                f"{_number(r.stability):>7} {_number(r.difficulty):>5} {recall:>6} {r.lapses:>6}  {r.question}{flags}")
        print(line[:width] if width else line)
    print(f"{len(rows)} card{'' if len(rows) == 1 else 's'}")
    return 0


def cmd_card(args: argparse.Namespace) -> int:
    from quizapp.study.cards import history
    from quizapp.study.search import card_rows

    opened = open_workspace(args)
    try:
        study = opened.study()
        rows = card_rows(opened.store, opened.decks, study.scheduler, study.now(), [args.card_id])
        answers = history(opened.store, args.card_id)  # says so when there is no such card
    finally:
        opened.store.close()
    card = rows[0]
    if args.json:
        print(json.dumps({**card.to_json(), "answer": card.answer, "history": [a.to_json() for a in answers]},
                         indent=2, ensure_ascii=False))
        return 0
    recall = "-" if card.recall is None else f"{card.recall:.0%}"
    for label, value in (
        ("card", card.id), ("deck", card.deck_id + ("" if card.present else "  (no longer in any deck)")),
        ("kind", card.kind), ("tags", ", ".join(card.tags) or "-"), ("question", card.question),
        ("answer", card.answer), ("state", card.state_name + (", suspended" if card.suspended else "")
                                  + (f", buried through {card.buried_until}" if card.buried_until else "")),
        ("due", _when(card.due)), ("interval", _number(card.interval_days, 1, " days")),
        ("stability", _number(card.stability, 2, " days")), ("difficulty", _number(card.difficulty, 2)),
        ("recall now", recall), ("answers", str(card.reps)), ("lapses", str(card.lapses)),
    ):
        print(f"{label + ':':<12} {value}")
    print()
    print(f"{'when':<16}  {'mode':<9}  {'rating':<6}  interval after")
    for a in answers:
        interval = _number(a.interval_days, 1, " days") if a.scheduled else ("back to new" if a.mode == "forget" else "unchanged")
        print(f"{_when(a.at):<16}  {a.mode:<9}  {a.rating:<6}  {interval}")
    if not answers:
        print("(no answers yet)")
    return 0
