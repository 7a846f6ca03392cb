"""The one replay of the review log: which rows count (``log_answer``) and how a card is rebuilt
from them (``rebuild``). Undo, the doctor, merge, saving a fit and Anki's imported history all come
here. No Textual.

Saving fitted parameters replays every card's answers through py-fsrs; the log is read once,
card by card (SQLite sorts the rows by card, which is faster than visiting them in the card
index's order), with only the columns replay needs.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timezone
from itertools import groupby
from operator import itemgetter

import fsrs

from quizapp.db.records import STATE_COLUMNS, CardState, LogEntry
from quizapp.db.store import write_states
from quizapp.scheduling.scheduler import FORGET, FORGET_MODE, RATINGS, Scheduler, from_fsrs, fsrs_id

Answers = list[tuple[datetime, int, "datetime | None"]]
"""One card's scheduled answers in replay order, each (time, rating, due after)."""

REPLAY_SQL = "SELECT card_id, id, rating, reviewed_at, scheduled, due_after, mode FROM review_log ORDER BY +card_id"


class UnusableRow(ValueError):
    """A review-log row replay cannot use; it stays in the log and is skipped."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind
        """``rating`` (not 1-4) or ``time`` (its time or due time cannot be read)."""


def _utc(value: object) -> datetime:
    at = value if isinstance(value, datetime) else datetime.fromisoformat(value)  # type: ignore[arg-type]
    return at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)


def log_answer(
    row_id: str, rating: object, reviewed_at: object, due_after: object, scheduled: object, mode: object
) -> tuple[datetime, str, int, datetime | None] | None:
    """What one review-log row contributes to its card's replay: the one rule every replay, the
    doctor and merge share.

    Returns (time, id, rating, due after) for an answer that moved the schedule, with the rating
    ``FORGET`` for a forget row (the card starts afresh after it), and None for a row that counts
    but does not move the schedule (a right quiz answer). Raises ``UnusableRow`` for a row replay
    cannot use (an impossible rating, an unreadable time or due time). Times may be ISO text, as
    stored, or datetimes, as in ``LogEntry``.
    """
    if not (isinstance(rating, int) and 1 <= rating <= 4):
        raise UnusableRow("rating")
    if not reviewed_at:
        raise UnusableRow("time")
    try:
        at = _utc(reviewed_at)
        due = _utc(due_after) if due_after else None
    except (TypeError, ValueError):
        raise UnusableRow("time") from None
    if mode == FORGET_MODE:
        return (at, row_id, FORGET, None)  # back to new from here on
    if scheduled:
        return (at, row_id, rating, due)
    return None


def ordered_answers(answers: Iterable[tuple[datetime, str, int, datetime | None] | None]) -> Answers:
    """``log_answer``'s results in replay order: by time, ties broken by answer id."""
    kept = sorted((a for a in answers if a is not None), key=itemgetter(0, 1))
    return [(at, rating, due) for at, _, rating, due in kept]


def card_answers(rows: Iterable[tuple]) -> Answers:
    """A card's scheduled answers in replay order, from its log rows (card_id, id, rating,
    reviewed_at, scheduled, due_after, mode), skipping the rows ``log_answer`` refuses."""

    return ordered_answers(_usable(row[1], row[2], row[3], row[5], row[4], row[6] if len(row) > 6 else None) for row in rows)


def replay_log(scheduler: Scheduler, card_id: str, log: Iterable[LogEntry]) -> CardState:
    """The state a card's answers (as ``LogEntry`` objects, in any order) replay to, skipping the
    entries ``log_answer`` refuses."""
    return rebuild(scheduler, card_id, ordered_answers(
        _usable(e.id, e.rating, e.reviewed_at, e.due_after, e.scheduled, e.mode) for e in log
    ))


def _usable(*row: object) -> tuple[datetime, str, int, datetime | None] | None:
    try:
        return log_answer(*row)  # type: ignore[arg-type]
    except UnusableRow:
        return None


def rebuild(scheduler: Scheduler, card_id: str, answers: Sequence[tuple[datetime, int, datetime | None]]) -> CardState:
    """How a card is rebuilt from its scheduled answers already in replay order, each (time,
    rating, due after); a rating of ``FORGET`` puts the card back to new (the answers before it
    stay in the log).

    FSRS without fuzz gives stability and difficulty; the due time each answer actually got is
    taken from the log, so a replayed card is due exactly when it was.
    """
    last_forget = max((i for i, answer in enumerate(answers) if answer[1] == FORGET), default=-1)
    answers = answers[last_forget + 1:]
    if not answers:
        return CardState(id=card_id)
    # One py-fsrs card is carried from answer to answer: only the final state is needed.
    review = scheduler.exact.review_card
    card: fsrs.Card = _ReplayCard(card_id=fsrs_id(card_id))
    last_review = None
    reps = lapses = 0
    due = None
    for reviewed_at, rating, due_after in answers:
        now = reviewed_at.astimezone(timezone.utc)
        if last_review is not None and now < last_review:
            now = last_review  # as the scheduler does: never before the last review
        if rating == 1 and card.state is fsrs.State.Review:
            lapses += 1
        card, _ = review(card, _RATINGS[rating], now)
        reps += 1
        last_review = card.last_review
        due = due_after if due_after is not None and due_after >= now else card.due
    state = from_fsrs(card_id, card, reps, lapses)
    state.due = due
    return state


class _ReplayCard(fsrs.Card):
    """A py-fsrs card that copies cheaply: ``review_card`` copies the card it is given, and the
    generic ``copy`` of a dataclass (``__reduce_ex__``) cost a third of a replayed answer."""

    def __copy__(self) -> "_ReplayCard":
        twin = object.__new__(_ReplayCard)
        twin.__dict__.update(self.__dict__)
        return twin


_RATINGS = {r: fsrs.Rating(r) for r in RATINGS}


def replay_card(conn: sqlite3.Connection, scheduler: Scheduler, card_id: str) -> CardState:
    """The state replaying one card's log gives it; call inside a transaction."""
    rows = conn.execute(REPLAY_SQL.replace("ORDER BY +card_id", "WHERE card_id = ?"), [card_id])
    return rebuild(scheduler, card_id, card_answers(rows))


def replay_all(conn: sqlite3.Connection, scheduler: Scheduler) -> Iterator[CardState]:
    """The state replaying the log gives every card that has answers; call inside a transaction."""
    for card_id, rows in groupby(conn.execute(REPLAY_SQL), key=itemgetter(0)):
        yield rebuild(scheduler, card_id, card_answers(rows))


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
