"""An imported package's review history and suspensions, carried into the progress database.

Each answer in Anki's review log becomes a row of ours for the item studied in place of its card,
then every such card's state is rebuilt by the project's one replay through FSRS, so the imported
cards are due when their history says and the optimiser can learn from it.

Anki's log, mapped: ``ease`` 1-4 is our rating 1-4 (in an old-scheduler collection, ``schedVer``
1, learning answers had three buttons, so ease 2 and 3 there are Good and Easy); ``type`` 0
learning, 1 review, 2 relearning give the state before the answer; 3 (a filtered deck) counts only
when it rescheduled the card; 4 and 5 (set due date, reset, rescheduled by Anki) are not answers,
and a reset to new makes the answers before it history that is kept but not replayed, as in
Anki. ``ivl`` gives when the card was due next (days, or seconds when negative). Rows already in
the log, or answers a package we exported carried back, are not added twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from quizapp.db.records import LEARNING, LOG_COLUMNS, NEW, RELEARNING, REVIEW, LogEntry
from quizapp.db.store import Store, write_states
from quizapp.interop.anki.notes import PackageCards
from quizapp.scheduling.replay import replay_card
from quizapp.scheduling.scheduler import Scheduler

_NAMESPACE = uuid.UUID("6f1f3c2e-7a4b-4d0e-9c55-3b1e2a7d9f10")
"""Log ids of imported answers are made from Anki's revlog id and card id, so importing again adds none."""
_STATE = {0: LEARNING, 1: REVIEW, 2: RELEARNING, 3: REVIEW}
_INSERT = f"INSERT OR IGNORE INTO review_log({', '.join(LOG_COLUMNS)}) VALUES ({', '.join('?' for _ in LOG_COLUMNS)})"


@dataclass
class HistoryReport:
    answers: int = 0
    cards: int = 0
    suspended: int = 0

    def lines(self) -> list[str]:
        if not (self.answers or self.suspended):
            return []
        line = (f"history: {self.answers} answers from Anki's review log for {self.cards} cards, their states "
                f"rebuilt by replay; {self.suspended} cards suspended as in Anki")
        return [line]


def log_entries(package: PackageCards) -> list[LogEntry]:
    """Our log rows for the package's review log, in time order."""
    collection = package.collection
    if collection is None:
        return []
    old_buttons = collection.sched_ver < 2
    by_card: dict[str, list[LogEntry]] = {}
    for row in collection.revlog:
        item_id = package.items.get(row.cid)
        if item_id is None:
            continue
        entries = by_card.setdefault(item_id, [])
        at = datetime.fromtimestamp(row.id / 1000, UTC)
        if row.type in (4, 5) or row.ease == 0:
            if row.type == 4 and row.ivl == 0 and row.factor == 0:
                for entry in entries:  # reset to new: Anki's FSRS starts again from here
                    entry.scheduled = False
            continue
        rating = row.ease
        if old_buttons and row.type in (0, 2) and rating in (2, 3):
            rating += 1
        if not 1 <= rating <= 4:
            continue
        due = at + (timedelta(days=row.ivl) if row.ivl > 0 else timedelta(seconds=-row.ivl))
        first = not any(e.scheduled for e in entries)
        state = NEW if row.type == 0 and first else _STATE.get(row.type, REVIEW)
        entries.append(LogEntry(
            id=str(uuid.uuid5(_NAMESPACE, f"{row.id}-{row.cid}")), card_id=item_id, rating=rating, reviewed_at=at,
            duration_ms=max(0, row.time), scheduled=not (row.type == 3 and row.factor == 0),
            state_before=state, due_after=due,
        ))
    return sorted((e for entries in by_card.values() for e in entries), key=lambda e: e.reviewed_at)


def import_history(store: Store, scheduler: Scheduler, package: PackageCards) -> HistoryReport:
    """Add the package's answers to the log, replay the cards they concern, and suspend the cards
    Anki had suspended; all in one transaction."""
    report = HistoryReport()
    entries = log_entries(package)
    suspended = [
        package.items[card.id] for note in (package.collection.notes if package.collection else [])
        for card in note.cards if card.queue == -1 and card.id in package.items
    ]
    with store.write() as conn:
        known = {row[0] for row in conn.execute("SELECT id FROM cards")}
        entries = [e for e in entries if e.card_id in known]
        seen = _answer_seconds(conn, {e.card_id for e in entries})
        fresh = [e for e in entries if (e.card_id, int(e.reviewed_at.timestamp())) not in seen]
        before = conn.total_changes
        conn.executemany(_INSERT, (e.values() for e in fresh))
        report.answers = conn.total_changes - before
        touched = sorted({e.card_id for e in fresh})
        write_states(conn, [replay_card(conn, scheduler, card_id) for card_id in touched])
        report.cards = len(touched)
        before = conn.total_changes
        conn.executemany("UPDATE cards SET suspended = 1 WHERE id = ? AND suspended = 0",
                         [(c,) for c in suspended if c in known])
        report.suspended = conn.total_changes - before
    return report


def _answer_seconds(conn, card_ids: set[str]) -> set[tuple[str, int]]:
    """(card, second) of every answer already logged for these cards: an answer exported to Anki
    and coming back is the same answer."""
    out = set()
    for card_id in card_ids:
        for (at,) in conn.execute("SELECT reviewed_at FROM review_log WHERE card_id = ?", [card_id]):
            try:
                out.add((card_id, int(datetime.fromisoformat(at).timestamp())))
            except (TypeError, ValueError):
                continue
    return out
