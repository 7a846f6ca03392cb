"""The ``quizapp`` command line. Every command has ``--help``; with no command the TUI opens.

Every command is listed in ``COMMANDS`` below; each module of this package holds one group of them.
"""

from __future__ import annotations

import argparse
import sys

from quizapp.cli import anki, browse, common, decks, interop, modes, safety, settings, stats, study
from quizapp.cli.common import Command, run_tui
from quizapp.errors import QuizappError
from quizapp.text import printable

# fmt: off
COMMANDS: tuple[Command, ...] = (
    Command("review", "Study every card due today (or one deck's) in the TUI.", decks.cmd_review, common.deck_arg),
    Command("check", "Validate deck files; prints every problem as file:line:col and exits 1 if there is any.", decks.cmd_check, decks.check_args),
    Command("where", "Print the workspace, deck folders and progress database in use.", decks.cmd_where),
    Command("decks", "List the decks with their due / new / learned counts.", decks.cmd_decks),
    Command("search", "List the cards a search finds (free text, deck:ID, tag:T, is:due/new/learn/review/suspended/buried/leech, -word), with their schedules.", browse.cmd_search, browse.search_args),
    Command("card", "Show one card: its text, schedule and whole answer history.", browse.cmd_card, browse.card_args),
    Command("export", "Write decks as an Anki package (.apkg) or a CSV/TSV file.", interop.cmd_export, interop.export_args),
    Command("import", "Bring cards in from an Anki package or a CSV/TSV file, as a deck file in the workspace's decks/ (a second import of the same file updates its cards). Progress is backed up first.", interop.cmd_import, interop.import_args),
    Command("update-anki", "Write the answers given here into your Anki collection (close Anki first): its cards get our review log and, where ours is newer, our scheduling. A backup is made first.", anki.cmd_update_anki, anki.update_anki_args),
    Command("new-deck", "Write a starter deck file to the workspace's decks/, one commented card of each kind.", interop.cmd_new_deck, interop.new_deck_args),
    Command("backup", "Back up the progress database now (skipped when nothing changed since the newest backup).", safety.cmd_backup),
    Command("restore", "List the backups, or restore one (the current progress is backed up first).", safety.cmd_restore, safety.restore_args),
    Command("doctor", "Check the progress database; rebuild card states from the review log where they disagree.", safety.cmd_doctor, safety.doctor_args),
    Command("merge", "Merge another machine's progress (its quizapp.db) into this workspace: the union of both review logs, cards rebuilt from it.", safety.cmd_merge, safety.merge_args),
    Command("quiz", "A round of quiz questions (choices, years, which came first, orderings) in the TUI.", modes.cmd_quiz, modes.quiz_args),
    Command("interview", "A timed mock-interview prompt (due ones first) in the TUI.", modes.cmd_interview, modes.interview_args),
    Command("stats", "Show progress: today, streaks, retention, forecast, topics, weakest cards, interviews, plan.", stats.cmd_stats, stats.stats_args),
    Command("plan", "Set the date of your interview (--date) and see what it takes to be ready for it.", stats.cmd_plan, stats.plan_args),
    Command("config", "Show the study settings with their defaults, or change one: quizapp config new_per_day 30.", settings.cmd_config, settings.config_args),
    Command("unsuspend", "Bring suspended cards (leeches too) back into reviews.", study.cmd_unsuspend, study.unsuspend_args),
    Command("custom", "Custom study for today: extra new cards, review ahead, or cram a tag or deck without changing schedules.", study.cmd_custom, study.custom_args),
    Command("optimize", "Fit FSRS's parameters to your own review log (fsrs-rs) and use them from now on.", stats.cmd_optimize),
)
# fmt: on


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quizapp",
        description="Prepare ML-engineering interviews: spaced-repetition review, quizzes, mock interviews, progress.",
    )
    parser.add_argument("--home", metavar="DIR", help="the workspace folder (decks/ and progress/); default: $QUIZAPP_HOME, "
                        "the current folder when it has decks/, else the per-user data folder")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        p = sub.add_parser(command.name, help=command.help, description=command.help)
        if command.arguments:
            command.arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {command.name: command.run for command in COMMANDS}
    try:
        if args.command is None:
            return run_tui(args)
        return handlers[args.command](args)
    except QuizappError as exc:
        print(f"quizapp: {printable(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`quizapp decks | head -1`): what it wanted was written. Output still
        # buffered goes nowhere instead of failing again as Python exits.
        _quiet_stdout()
        return 141


def _quiet_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
