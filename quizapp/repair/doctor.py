"""``quizapp doctor``: check the progress database and repair what the review log can rebuild.

The review log is the truth and is never deleted from. What the doctor can fix safely, it fixes by
replaying the log: card states that disagree with their answers, and answers whose card has no row
(a row is added, kept as an orphan). What it cannot fix, it reports with the way out: a damaged
file (restore a backup), answers dated in the future (a wrong clock), impossible ratings or
unreadable times (left in the log, skipped by replay). A second run finds nothing more to change.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from quizapp.db.backup import damage, take_backup
from quizapp.db.records import CardState, LogEntry, to_iso, utcnow
from quizapp.db.store import Store, write_states
from quizapp.scheduling.replay import (
    UnusableRow,
    cached_state,
    log_answer,
    replay_all,
    replay_card,
    replay_log,
    same_state,
    store_states,
)
from quizapp.scheduling.scheduler import Scheduler, StudySettings

FUTURE_SLACK = timedelta(minutes=10)
"""Answers dated later than now plus this are reported as coming from a wrong clock."""
EXAMPLES = 5
"""How many example ids a finding lists."""


@dataclass
class Finding:
    """One kind of problem the doctor found, how many, and what became of it."""

    kind: str
    """integrity, settings, rating, time, future, log-orphan, orphan, state."""
    count: int
    message: str
    examples: list[str] = field(default_factory=list)
    fixed: bool = False
    """True when the doctor repaired it in this run."""


@dataclass
class Examination:
    """Everything one doctor run found and did."""

    findings: list[Finding] = field(default_factory=list)
    backup: str | None = None
    """The backup taken before repairing, when a repair was made."""
    cards_checked: int = 0
    answers_checked: int = 0

    @property
    def changed(self) -> bool:
        return any(f.fixed for f in self.findings)

    @property
    def damaged(self) -> bool:
        return any(f.kind == "integrity" for f in self.findings)

    def add(self, kind: str, items: list[str], message: str, fixed: bool = False) -> Finding | None:
        if not items:
            return None
        finding = Finding(kind, len(items), message, items[:EXAMPLES], fixed)
        self.findings.append(finding)
        return finding


# ------------------------------------------------------------------ reading the log


def read_log(rows: Iterable[dict]) -> tuple[dict[str, list[LogEntry]], list[str], list[str]]:
    """Answers grouped by card, skipping rows replay cannot use; returns (by card, bad ratings, bad times)."""
    by_card: dict[str, list[LogEntry]] = {}
    bad_rating: list[str] = []
    bad_time: list[str] = []
    for row in rows:
        try:
            log_answer(row["id"], row["rating"], row["reviewed_at"], row["due_after"], row["scheduled"], row["mode"])
        except UnusableRow as unusable:
            if unusable.kind == "rating":
                bad_rating.append(f"{row['id']} (rating {row['rating']!r})")
            else:
                bad_time.append(f"{row['id']} (reviewed_at {row['reviewed_at']!r})")
            continue
        entry = LogEntry.from_row(row)
        by_card.setdefault(entry.card_id, []).append(entry)
    return by_card, bad_rating, bad_time


def rebuild_cards(conn: sqlite3.Connection, scheduler: Scheduler, card_ids: Iterable[str]) -> int:
    """Replay each card's log and store the state it gives; call inside a write transaction.

    Rows replay cannot use (impossible ratings, unreadable times) are skipped, never deleted.
    Returns how many cards changed.
    """
    changed = 0
    for card_id in card_ids:
        current = dict_rows(conn, "SELECT * FROM cards WHERE id = ?", [card_id])
        changed += _store_replay(conn, replay_card(conn, scheduler, card_id), current[0] if current else None)
    return changed


def rebuild_all_cards(conn: sqlite3.Connection, scheduler: Scheduler) -> int:
    """``rebuild_cards`` for every card that has answers, reading the log and the cards once each
    (two queries, not two a card); call inside a write transaction. Returns how many cards changed."""
    return store_states(conn, replay_all(conn, scheduler))


def _store_replay(conn: sqlite3.Connection, replayed: CardState, current: dict | None) -> int:
    """Store the ``replayed`` state, unless the cached row ``current`` already agrees; 1 if written."""
    if current and same_state(cached_state(current), replayed):
        return 0
    write_states(conn, [replayed])
    return 1


def dict_rows(conn: sqlite3.Connection, sql: str, params: Iterable = ()) -> list[dict]:
    """Rows as dicts keyed by column name, without touching the connection's row factory."""
    cursor = conn.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def add_missing_cards(conn: sqlite3.Connection, card_ids: Iterable[str], now: datetime, known: dict[str, dict] | None = None) -> int:
    """Give answers whose card has no row one, marked absent from the decks (an orphan, kept).

    ``known`` supplies deck id and kind when another database had the card. Returns rows added.
    """
    known = known or {}
    start = (conn.execute("SELECT MAX(new_position) FROM cards").fetchone()[0] or 0) + 1
    added = 0
    for n, card_id in enumerate(sorted(card_ids)):
        info = known.get(card_id, {})
        cur = conn.execute(
            "INSERT OR IGNORE INTO cards(id, deck_id, kind, present, new_position, added_at) VALUES (?, ?, ?, 0, ?, ?)",
            [card_id, info.get("deck_id") or "", info.get("kind") or "basic", start + n, info.get("added_at") or to_iso(now)],
        )
        added += cur.rowcount
    return added


# ------------------------------------------------------------------ the check


def examine(
    store: Store,
    *,
    fix: bool = True,
    now: datetime | None = None,
    backup=None,
) -> Examination:
    """Check ``store`` and, with ``fix``, repair what replaying the log can repair.

    ``backup`` is called (with no arguments) before the first write and returns the name of the
    backup it took; the CLI passes one that backs up the workspace's database.
    """
    now = now or utcnow()
    report = Examination()
    conn = store.conn

    problems = damage(conn, "integrity_check")
    if problems:
        report.add(
            "integrity",
            problems,
            "SQLite's integrity check failed: the file is damaged. Nothing was repaired; "
            "`quizapp restore` lists the backups to go back to.",
        )
        return report

    # Settings, log and cards are read in one read transaction: an answer another quizapp gives
    # meanwhile (its log row and its card's state) is seen whole or not at all.
    begun = not conn.in_transaction
    if begun:
        conn.execute("BEGIN")
    try:
        raw_settings, rows, cards = _read_all(store)
    finally:
        if begun:
            conn.execute("COMMIT")

    settings_ok = True
    try:
        if isinstance(raw_settings, Exception):
            raise raw_settings
        settings = StudySettings.model_validate(raw_settings)
    except Exception as exc:  # bad JSON or values out of range, written by hand or by another tool
        settings_ok = False
        settings = StudySettings()
        report.add(
            "settings",
            [f"study ({type(exc).__name__})"],
            "the study settings cannot be read; card states are not rebuilt until they are fixed "
            "(`quizapp settings`, or restore a backup).",
        )
    scheduler = Scheduler(settings)

    report.answers_checked = len(rows)
    by_card, bad_rating, bad_time = read_log(rows)
    report.add(
        "rating",
        bad_rating,
        "answers with an impossible rating (not 1-4): kept in the log, left out when card states are rebuilt.",
    )
    report.add(
        "time",
        bad_time,
        "answers whose time cannot be read: kept in the log, left out when card states are rebuilt.",
    )
    future = [
        f"{e.id} ({to_iso(e.reviewed_at)})"
        for entries in by_card.values()
        for e in entries
        if e.reviewed_at > now + FUTURE_SLACK
    ]
    report.add(
        "future",
        sorted(future),
        f"answers dated after now ({to_iso(now)}): a clock was wrong when they were given. "
        "They are kept and count in the order they were dated.",
    )

    report.cards_checked = len(cards)
    missing = sorted(set(by_card) - set(cards))
    absent = sorted(card_id for card_id, r in cards.items() if not r["present"] and card_id in by_card)

    disagree = []
    if settings_ok:
        for card_id, row in cards.items():
            replayed = replay_log(scheduler, card_id, by_card.get(card_id, []))
            if not same_state(cached_state(row), replayed):
                disagree.append(card_id)

    writes = fix and settings_ok and (missing or disagree)
    if writes:
        if backup is not None:
            report.backup = backup()
        with store.write() as c:
            add_missing_cards(c, missing, now)
            # Replayed again inside the transaction: another quizapp may have answered meanwhile.
            rebuild_cards(c, scheduler, sorted(set(disagree) | set(missing)))
    report.add(
        "log-orphan",
        missing,
        "answers for cards that had no row: a row was added for each (kept as an orphan until a deck has the card)."
        if writes
        else "answers for cards that have no row; a repair adds one for each (kept as an orphan).",
        fixed=bool(writes),
    )
    report.add(
        "orphan",
        absent,
        "cards with answers that no deck has any more: kept with their history, never deleted.",
    )
    report.add(
        "state",
        disagree,
        "card states that disagreed with their answers: rebuilt by replaying the log."
        if writes
        else "card states that disagree with their answers; a repair rebuilds them by replaying the log.",
        fixed=bool(writes),
    )
    return report


def _read_all(store: Store) -> tuple[object, list[dict], dict[str, dict]]:
    """The study settings (or the error reading them), the review log and the cards by id."""
    try:
        raw_settings: object = store.get_setting("study", {})
    except ValueError as exc:  # not JSON
        raw_settings = exc
    rows = store.query("SELECT * FROM review_log")
    cards = {r["id"]: r for r in store.query("SELECT * FROM cards")}
    return raw_settings, rows, cards


def backup_before_repair(db_path) -> str | None:
    """Back up the database before the doctor writes; returns the backup's name."""
    outcome = take_backup(db_path, "doctor")
    return outcome.backup.name if outcome.backup else None

