"""``quizapp unsuspend`` and ``quizapp custom``: bringing cards back, and custom study for today."""

from __future__ import annotations

import argparse

from quizapp.cli.common import open_workspace, run_tui
from quizapp.errors import QuizappError


def unsuspend_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("ids", nargs="+", metavar="ID", help="card ids (as `quizapp stats` and the dashboard list them)")


def cmd_unsuspend(args: argparse.Namespace) -> int:
    opened = open_workspace(args)
    try:
        study = opened.study()
        unknown = [i for i in args.ids if opened.store.card_row(i) is None]
        if unknown:
            raise QuizappError(f"no card with id {', '.join(repr(i) for i in unknown)}; nothing was changed")
        for card_id in args.ids:
            row = opened.store.card_row(card_id)
            was = bool(row and row["suspended"])
            study.unsuspend(card_id)
            print(f"{card_id}: {'unsuspended' if was else 'was not suspended'}")
    finally:
        opened.store.close()
    return 0


def custom_args(p: argparse.ArgumentParser) -> None:
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--new", type=int, metavar="N", help="introduce N more new cards today than the daily limit")
    which.add_argument("--ahead", type=int, metavar="DAYS", help="review now the cards due in the next DAYS days")
    which.add_argument("--cram", metavar="TAG|deck:ID", help="go through a tag's or a deck's cards without changing their schedules")


def cmd_custom(args: argparse.Namespace) -> int:
    from quizapp.study.custom import add_new_today, ahead_focus, cram_focus

    if args.new is not None:
        opened = open_workspace(args)
        try:
            left = add_new_today(opened.study(), args.new)
        finally:
            opened.store.close()
        print(f"Today's new-card limit is {args.new} higher: {left} new cards left today. Study them with `quizapp review`.")
        return 0
    holder: dict = {}

    def check(opened) -> None:
        study = opened.study()
        focus = ahead_focus(study, args.ahead) if args.ahead is not None else cram_focus(study, args.cram)
        if not focus.ids:
            raise QuizappError(f"no review card is due in the next {args.ahead} days")
        holder["focus"] = focus

    return run_tui(args, start="custom", check=check, focus=holder)
