"""Recomputing every card's state from the whole review log in one pass. No Textual.

Saving fitted parameters replays every card's answers through py-fsrs; the log is read once,
card by card (SQLite sorts the rows by card, which is faster than visiting them in the card
index's order), with only the columns replay needs.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from itertools import groupby
from operator import itemgetter

from quizapp.db.records import STATE_COLUMNS, CardState
from quizapp.db.store import write_states
from quizapp.scheduling.scheduler import FORGET, FORGET_MODE, Scheduler

Answers = list[tuple[datetime, int, "datetime | None"]]
"""One card's scheduled answers in replay order, each (time, rating, due after)."""

REPLAY_SQL = "SELECT card_id, id, rating, reviewed_at, scheduled, due_after, mode FROM review_log ORDER BY +card_id"


def card_answers(rows: Iterable[tuple]) -> Answers:
    """A card's scheduled answers in replay order, from its log rows (card_id, id, rating,
    reviewed_at, scheduled, due_after, mode); a forget row comes as the rating ``FORGET``.

    Rows replay cannot use (impossible ratings, unreadable times) are skipped, as
    ``quizapp.repair.doctor.read_log`` skips them.
    """
    parse = datetime.fromisoformat
    answers: list[tuple[datetime, int, int, datetime | None]] = []
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
        if len(row) > 6 and row[6] == FORGET_MODE:
            answers.append((at, row[1], FORGET, None))  # back to new from here on
        elif row[4]:
            answers.append((at, row[1], rating, due))
    answers.sort(key=itemgetter(0, 1))
    return [(at, rating, due) for at, _, rating, due in answers]


def replay_card(conn: sqlite3.Connection, scheduler: Scheduler, card_id: str) -> CardState:
    """The state replaying one card's log gives it; call inside a transaction."""
    rows = conn.execute(REPLAY_SQL.replace("ORDER BY +card_id", "WHERE card_id = ?"), [card_id])
    return scheduler.replay_answers(card_id, card_answers(rows))


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


def same_state(a: CardState, b: CardState) -> bool:
    """Whether two cached states agree (floats to 1e-9, as they pass through SQLite exactly)."""
    for name in STATE_COLUMNS:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, float) and isinstance(y, float):
            if not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12):
                return False
        elif x != y:
            return False
    return True


def cached_state(row: dict) -> CardState:
    """The state a ``cards`` row holds; one that cannot match any replay when it is unreadable."""
    try:
        return CardState.from_row(row)
    except (TypeError, ValueError):
        # An unreadable cached time is one more disagreement with the log; replay will rewrite it.
        return CardState(id=row["id"], state=-1)


def store_states(conn: sqlite3.Connection, states: Iterable[CardState]) -> int:
    """Write the replayed ``states`` of cards that have answers, unless their rows already agree; call
    inside a write transaction. Returns how many cards changed."""
    cursor = conn.execute("SELECT * FROM cards WHERE id IN (SELECT card_id FROM review_log)")
    names = [d[0] for d in cursor.description]
    current = {row["id"]: row for row in (dict(zip(names, values)) for values in cursor)}
    changed = [s for s in states if not ((row := current.get(s.id)) and same_state(cached_state(row), s))]
    write_states(conn, changed)
    return len(changed)
