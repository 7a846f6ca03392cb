"""Recomputing every card's state from the review log, optionally with a second Python doing part.

Saving fitted parameters replays the whole log through py-fsrs, about 15 µs an answer in Python. A
``Helper`` is a second Python (``python -m quizapp.rebuild <database>``) started before the fit: it
reads and parses the log while this process fits (fsrs-rs holds this process's interpreter lock, so
the work cannot overlap here), then, told the new settings, replays its share of the cards on the
other core while this process replays the rest. Its states are used only when it read the very log
this process is about to write beside (same row count, newest rowid and newest answer); otherwise,
or when it failed, this process replays its cards too. No Textual.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from quizapp.scheduling import Scheduler, StudySettings
from quizapp.store import CardState, to_iso

REPLAY_SQL = "SELECT card_id, id, rating, reviewed_at, scheduled, due_after FROM review_log"
# Sorting the table (`+card_id`) is faster than visiting its rows in the card index's order.
REPLAY_ORDER = " ORDER BY +card_id"

HELPER_SHARE = 55
"""Percent of the cards the helper replays: a little over half, since this process also reads its
share of the log after the fit, while the helper read its own during the fit."""
HELPER_MIN_ANSWERS = 20_000
"""Below this many answers a whole replay takes under ~0.3 s and a second Python is not worth starting."""


def log_answers(
    rows: Iterable[tuple], wanted: Callable[[str], bool] = lambda card_id: True
) -> Iterator[tuple[str, list[tuple[datetime, int, datetime | None]]]]:
    """Each ``wanted`` card's scheduled answers in replay order, each (time, rating, due after), from
    ``REPLAY_SQL`` rows sorted by card.

    Rows replay cannot use (impossible ratings, unreadable times) are skipped, as
    ``quizapp.doctor.read_log`` skips them; a card with none left still comes, with no answers.
    """
    parse = datetime.fromisoformat
    for card_id, rows_of_card in groupby(rows, key=itemgetter(0)):
        if not wanted(card_id):
            continue
        answers = []
        for _, answer_id, rating, reviewed_at, scheduled, due_after in rows_of_card:
            if not (isinstance(rating, int) and 1 <= rating <= 4) or not reviewed_at:
                continue
            # Parsed as store.from_iso does, inline because this runs for every answer.
            try:
                at = parse(reviewed_at)
                due = parse(due_after) if due_after else None
            except (TypeError, ValueError):
                continue
            if at.tzinfo is None:
                at = at.replace(tzinfo=timezone.utc)
            if due is not None and due.tzinfo is None:
                due = due.replace(tzinfo=timezone.utc)
            if scheduled:
                answers.append((at, answer_id, rating, due))
        answers.sort(key=itemgetter(0, 1))
        yield card_id, [(at, rating, due) for at, _, rating, due in answers]


def log_snapshot(conn: sqlite3.Connection) -> list:
    """What identifies the log's content: it only grows (undo removes the newest rows), so its row
    count, newest rowid and newest answer's id."""
    count, newest = conn.execute("SELECT COUNT(*), MAX(rowid) FROM review_log").fetchone()
    row = conn.execute("SELECT id FROM review_log WHERE rowid = ?", [newest]).fetchone()
    return [count, newest, row[0] if row else None]


def helpers_card(card_id: str) -> bool:
    """Whether the helper replays this card (a fixed share of the cards, by a hash of the id)."""
    return zlib.crc32(card_id.encode()) % 100 < HELPER_SHARE


def replay_all(conn: sqlite3.Connection, scheduler: Scheduler, helper: "Helper | None" = None) -> list[CardState]:
    """The state replaying the log gives every card that has answers; ``helper`` replays its share.

    Call inside a transaction, so that the log read is the log written beside.
    """
    if helper is not None and not helper.start_replay(scheduler.settings):
        helper = None
    rows = conn.execute(REPLAY_SQL + REPLAY_ORDER)
    mine = log_answers(rows) if helper is None else log_answers(rows, lambda card_id: not helpers_card(card_id))
    states = [scheduler.replay_answers(card_id, answers) for card_id, answers in mine]
    if helper is not None:
        theirs = helper.states(log_snapshot(conn))
        if theirs is None:  # it failed, or read a log that has changed since: its cards are replayed here
            rest = log_answers(conn.execute(REPLAY_SQL + REPLAY_ORDER), helpers_card)
            theirs = [scheduler.replay_answers(card_id, answers) for card_id, answers in rest]
        states.extend(theirs)
    return states


class Helper:
    """A second Python reading the log now and replaying its share of the cards when told the settings."""

    def __init__(self, process: subprocess.Popen):
        self.process = process
        self.used = False
        """Whether its states were used (not replayed here instead)."""

    @classmethod
    def start(cls, db_path: Path | str | None, answers: int) -> "Helper | None":
        """A helper for the database at ``db_path``, or None when ``answers`` are too few to need one
        (or the database is in memory, or no second Python can be started)."""
        if db_path is None or answers < HELPER_MIN_ANSWERS:
            return None
        root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "quizapp.rebuild", str(db_path)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
            )
        except OSError:
            return None
        return cls(process)

    def start_replay(self, settings: StudySettings) -> bool:
        """Tell the helper the settings to replay with; False when it can no longer be told."""
        try:
            self.process.stdin.write(json.dumps(settings.model_dump()).encode() + b"\n")
            self.process.stdin.close()
        except OSError:
            self.close()
            return False
        return True

    def states(self, snapshot: list) -> list[CardState] | None:
        """The helper's states, or None when it failed or read a log other than ``snapshot``'s."""
        try:
            out = self.process.stdout.read()
            code = self.process.wait()
        except OSError:
            code = -1
        if code != 0:
            return None
        try:
            got = json.loads(out)
        except ValueError:
            return None
        if got.get("snapshot") != snapshot:
            return None
        self.used = True
        return [CardState.from_row(dict(zip(_STATE_KEYS, row))) for row in got["states"]]

    def close(self) -> None:
        """Stop the helper, whatever it is doing (nothing is written by it)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass


_STATE_KEYS = ("id", "state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")


def _helper_main(db_path: str) -> None:
    # Read-only: a connection that could write would, on closing, checkpoint the log and delete the
    # WAL file when it finds no other process's lock, which the parent may have lost (an unrelated
    # close() of the database file by the parent drops its POSIX locks). The parent has the file
    # open already, so there is nothing to recover that would need writing.
    conn = sqlite3.connect(Path(db_path).resolve().as_uri() + "?mode=ro", uri=True, isolation_level=None)
    # The log and its snapshot are read in one read transaction, so they belong together.
    conn.execute("BEGIN")
    snapshot = log_snapshot(conn)
    mine = list(log_answers(conn.execute(REPLAY_SQL + REPLAY_ORDER), helpers_card))
    conn.execute("COMMIT")
    conn.close()
    line = sys.stdin.readline()
    if not line:
        return  # the fit was not saved
    scheduler = Scheduler(StudySettings.model_validate(json.loads(line)))
    states = []
    for card_id, answers in mine:
        state = scheduler.replay_answers(card_id, answers)
        states.append([card_id, state.state, state.step, state.stability, state.difficulty,
                       to_iso(state.due), to_iso(state.last_review), state.reps, state.lapses])
    json.dump({"snapshot": snapshot, "states": states}, sys.stdout)


if __name__ == "__main__":
    _helper_main(sys.argv[1])
