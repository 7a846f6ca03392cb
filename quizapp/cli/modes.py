"""``quizapp quiz`` and ``quizapp interview``: open the TUI on a quiz round or a mock interview."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from quizapp.cli.common import run_tui
from quizapp.errors import QuizappError

if TYPE_CHECKING:
    from quizapp.session import Opened


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= 200:
        raise argparse.ArgumentTypeError("a round has 1 to 200 questions")
    return value


def quiz_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--deck", metavar="ID", help="only this deck (its id, as `quizapp decks` lists)")
    p.add_argument("--tag", metavar="T", action="append", help="only cards with this tag (repeat for any of several)")
    p.add_argument("-n", metavar="N", type=_count, default=10, help="questions in the round (default 10)")


def interview_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--card", metavar="ID", help="answer this prompt (its card id) instead of choosing one")


def cmd_quiz(args: argparse.Namespace) -> int:
    def check(opened: Opened) -> None:
        from quizapp.modes.quiz import build_round

        decks = opened.decks
        if args.tag:
            known_tags = {t for d in decks.decks for c in d.cards for t in c.tags}
            unknown = [t for t in args.tag if t not in known_tags]
            if unknown:
                raise QuizappError(
                    f"no card has the tag {', '.join(repr(t) for t in unknown)} (tags: {', '.join(sorted(known_tags)) or 'none'})"
                )
        if not build_round(decks, 1, [args.deck] if args.deck else None, args.tag):
            raise QuizappError("those cards have no quiz questions: quizzes ask choice and ordering cards and dated cards")

    return run_tui(args, "quiz", check, deck=args.deck, tags=args.tag, count=args.n)


def cmd_interview(args: argparse.Namespace) -> int:
    def check(opened: Opened) -> None:
        if args.card:
            card = opened.decks.card(args.card)
            if card is None:
                raise QuizappError(f"no card with id '{args.card}'")
            if card.kind != "interview":
                raise QuizappError(f"'{args.card}' is a {card.kind} card, not an interview prompt")
        elif not any(c.kind == "interview" for d in opened.decks.decks for c in d.cards):
            raise QuizappError("the decks have no interview prompts (cards of kind: interview)")

    return run_tui(args, "interview", check, card=args.card)
