"""Progress databases in states the tests need: one left by the first release, cards set by hand."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from quizapp.db.records import REVIEW, to_iso
from quizapp.db.schema import APPLICATION_ID, migrations


def old_database(path: Path) -> None:
    """A progress database as the first release left it: only the first migration applied, and one answer."""
    db = Database(sqlite3.connect(path, isolation_level=None))
    migrations.apply(db, stop_before=migrations._migrations[1].name)
    db.conn.executescript(
        f"""
        PRAGMA application_id = {APPLICATION_ID};
        PRAGMA user_version = 1;
        INSERT INTO cards(id, deck_id, kind, added_at) VALUES ('old-card', 'd', 'basic', '2025-01-01T00:00:00+00:00');
        INSERT INTO review_log(id, card_id, rating, reviewed_at) VALUES ('answer-1', 'old-card', 3, '2025-01-01T00:00:00+00:00');
        """
    )
    db.conn.close()


def set_card(store, card_id, **columns):
    """Write ``columns`` into a card's row (a reviewed card, difficulty 5, unless given)."""
    if "last_review" in columns:
        columns["last_review"] = to_iso(columns["last_review"])
    if "due" in columns:
        columns["due"] = to_iso(columns["due"])
    columns.setdefault("state", REVIEW)
    columns.setdefault("difficulty", 5.0)
    with store.write() as c:
        c.execute(f"UPDATE cards SET {', '.join(f'{k} = ?' for k in columns)} WHERE id = ?", [*columns.values(), card_id])
