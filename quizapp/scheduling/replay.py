"""Recomputing every card's state from the whole review log in one pass. No Textual.

Saving fitted parameters replays every card's answers through py-fsrs; the log is read once,
card by card (SQLite sorts the rows by card, which is faster than visiting them in the card
index's order), with only the columns replay needs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from itertools import groupby
from operator import itemgetter

from quizapp.scheduling.scheduler import Scheduler
from quizapp.db.store import CardState

Answers = list[tuple[datetime, int, "datetime | None"]]
"""One card's scheduled answers in replay order, each (time, rating, due after)."""

REPLAY_SQL = "SELECT card_id, id, rating, reviewed_at, scheduled, due_after FROM review_log ORDER BY +card_id"


def card_answers(rows: Iterable[tuple]) -> Answers:
    """A card's scheduled answers in replay order, from its log rows (card_id, id, rating,
    reviewed_at, scheduled, due_after, ...).

    Rows replay cannot use (impossible ratings, unreadable times) are skipped, as
    ``quizapp.repair.doctor.read_log`` skips them.
    """
    parse = datetime.fromisoformat
    answers = []
    for row in rows:
        rating, reviewed_at, due_after = row[2], row[3], row[5]
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
        if row[4]:
            answers.append((at, row[1], rating, due))
    answers.sort(key=itemgetter(0, 1))
    return [(at, rating, due) for at, _, rating, due in answers]


def replay_all(conn: sqlite3.Connection, scheduler: Scheduler) -> Iterator[CardState]:
    """The state replaying the log gives every card that has answers; call inside a transaction."""
    for card_id, rows in groupby(conn.execute(REPLAY_SQL), key=itemgetter(0)):
        yield scheduler.replay_answers(card_id, card_answers(rows))


def log_snapshot(conn: sqlite3.Connection) -> list:
    """What identifies the log's content: it only grows (undo removes the newest rows), so its row
    count, newest rowid and newest answer's id."""
    count, newest = conn.execute("SELECT COUNT(*), MAX(rowid) FROM review_log").fetchone()
    row = conn.execute("SELECT id FROM review_log WHERE rowid = ?", [newest]).fetchone()
    return [count, newest, row[0] if row else None]


def replay_snapshot(conn: sqlite3.Connection, scheduler: Scheduler) -> tuple[list[CardState], list]:
    """``replay_all`` and the ``log_snapshot`` of the log it replayed, read in one read transaction
    (outside any write, so that other work can go on meanwhile)."""
    begun = not conn.in_transaction
    if begun:
        conn.execute("BEGIN")
    try:
        snapshot = log_snapshot(conn)
        return list(replay_all(conn, scheduler)), snapshot
    finally:
        if begun:
            conn.execute("COMMIT")
