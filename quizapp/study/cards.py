"""What the card browser and ``quizapp card`` do to one card: its details and answer history, suspend,
bury, forget. No Textual here.

Forget keeps the card's history: it appends a review-log row of mode ``forget`` (not an answer: not
scheduled, its rating is a placeholder the log's CHECK requires) in the transaction that puts the card
back to new, and replay starts the card afresh after such a row, so doctor and merge rebuild the same
state from the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from quizapp.db.records import CardState, LogEntry, new_id, time_of, to_iso
from quizapp.db.store import Store
from quizapp.errors import QuizappError
from quizapp.scheduling.scheduler import FORGET_MODE, RATINGS


class NoSuchCard(QuizappError):
    """A card id the progress database does not know."""


@dataclass
class HistoryRow:
    """One row of a card's review log, as the browser shows it."""

    at: datetime
    mode: str
    rating: str
    """Again / Hard / Good / Easy, or '' for a forget."""
    interval_days: float | None
    """Days from this answer to the due time it gave (None when it did not schedule the card)."""
    scheduled: bool

    def to_json(self) -> dict:
        return {"at": to_iso(self.at), "mode": self.mode, "rating": self.rating,
                "interval_days": self.interval_days, "scheduled": self.scheduled}


def _require(store: Store, card_id: str) -> dict:
    row = store.card_row(card_id)
    if row is None:
        raise NoSuchCard(f"no card with id '{card_id}' in the progress database (`quizapp search` lists them)")
    return row


def history(store: Store, card_id: str) -> list[HistoryRow]:
    """Every answer (and forget) of the card, oldest first."""
    _require(store, card_id)
    out = []
    for entry in store.log_for(card_id):
        forget = entry.mode == FORGET_MODE
        interval = None
        if entry.scheduled and entry.due_after is not None:
            interval = (entry.due_after - entry.reviewed_at).total_seconds() / 86400
        out.append(HistoryRow(entry.reviewed_at, entry.mode, "" if forget else RATINGS.get(entry.rating, "?"),
                              interval, entry.scheduled))
    return out


def set_suspended(store: Store, card_id: str, suspended: bool) -> None:
    _require(store, card_id)
    store.set_flags(card_id, suspended=suspended)


def set_buried(store: Store, card_id: str, today: date | None) -> None:
    """Bury the card through the study day ``today``, or unbury it (``None``)."""
    _require(store, card_id)
    store.set_flags(card_id, buried_until=today.isoformat() if today is not None else None)


def forget(store: Store, card_id: str, now: datetime) -> LogEntry:
    """Put the card back to new, keeping its answers: logs a ``forget`` row and resets the cached state
    in one transaction. Returns the row."""
    row = _require(store, card_id)
    before = CardState.from_row(row)
    last = store.scalar("SELECT MAX(reviewed_at) FROM review_log WHERE card_id = ?", [card_id])
    if last is not None and to_iso(now) <= last:
        # Replay orders a card's rows by time: the forget must come after every answer it undoes.
        now = time_of(last) + timedelta(microseconds=1)
    entry = LogEntry(
        id=new_id(), card_id=card_id, rating=1, reviewed_at=now, mode=FORGET_MODE, scheduled=False,
        state_before=before.state, prev=before.to_json(),
    )
    store.record_answer(entry, CardState(id=card_id))
    return entry
