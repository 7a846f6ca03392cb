"""The progress database's schema: its migrations, applied in order by sqlite-utils' ``Migrations``
and recorded in ``_sqlite_migrations``; ``user_version`` mirrors their count so that a newer database
can be refused from its header alone."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database


def _sqlite_utils():
    """sqlite-utils' ``Database`` and ``Migrations``, imported when first needed: opening a database
    whose schema is up to date, answering and counting need only the standard library."""
    if "sqlite_utils" not in sys.modules:
        # sqlite-utils imports numpy and pandas when they are installed, only to map their scalar
        # types to column types. quizapp never stores such values, and numpy alone is ~100 ms, so both
        # are hidden while sqlite-utils loads; a later `import numpy` elsewhere works as usual.
        hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
        sys.modules.update(dict.fromkeys(hidden))  # None there makes `import numpy` fail at once
        try:
            import sqlite_utils  # noqa: F401
        finally:
            for name in hidden:
                if sys.modules.get(name, 0) is None:
                    del sys.modules[name]
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

    return Database, Migrations


APPLICATION_ID = 0x517A4170
"""Written into the SQLite header so a file can be told to be ours."""

class _Migrations:
    """The schema's migrations, registered (``@migrations()``) without importing sqlite-utils; its
    ``Migrations``, which applies them and records each in ``_sqlite_migrations``, is made when
    first needed. Everything else is that object's."""

    def __init__(self, name: str):
        self.name = name
        self._registered: list[tuple[Callable, dict]] = []
        self._real: Any = None

    def __call__(self, **options) -> Callable:
        def register(func: Callable) -> Callable:
            if self._real is not None:
                self._real(**options)(func)
            else:
                self._registered.append((func, options))
            return func

        return register

    @property
    def real(self) -> Any:
        if self._real is None:
            _, Migrations = _sqlite_utils()
            real = Migrations(self.name)
            for func, options in self._registered:
                real(**options)(func)
            self._real = real
        return self._real

    def names(self) -> list[str]:
        if self._real is not None:
            return [m.name for m in self._real._migrations]
        return [options.get("name") or func.__name__ for func, options in self._registered]

    def __len__(self) -> int:
        return len(self.names())

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.real, attr)


migrations = _Migrations("quizapp")


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE cards (
            id TEXT PRIMARY KEY,
            deck_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            present INTEGER NOT NULL DEFAULT 1,
            new_position INTEGER NOT NULL DEFAULT 0,
            added_at TEXT NOT NULL,
            state INTEGER NOT NULL DEFAULT 0,
            step INTEGER,
            stability REAL,
            difficulty REAL,
            due TEXT,
            last_review TEXT,
            reps INTEGER NOT NULL DEFAULT 0,
            lapses INTEGER NOT NULL DEFAULT 0,
            suspended INTEGER NOT NULL DEFAULT 0,
            buried_until TEXT
        );
        CREATE INDEX cards_due ON cards(state, due) WHERE suspended = 0 AND present = 1;
        CREATE INDEX cards_new ON cards(new_position) WHERE state = 0 AND suspended = 0 AND present = 1;
        CREATE INDEX cards_deck ON cards(deck_id);
        CREATE TABLE review_log (
            id TEXT PRIMARY KEY,
            card_id TEXT NOT NULL,
            rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
            reviewed_at TEXT NOT NULL,
            duration_ms INTEGER NOT NULL DEFAULT 0,
            mode TEXT NOT NULL DEFAULT 'review',
            scheduled INTEGER NOT NULL DEFAULT 1,
            state_before INTEGER NOT NULL DEFAULT 0,
            due_after TEXT,
            prev TEXT
        );
        CREATE INDEX review_log_card ON review_log(card_id, reviewed_at);
        CREATE INDEX review_log_time ON review_log(reviewed_at);
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """
    )


@migrations()
def m002_interview(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE attempts (
            id TEXT PRIMARY KEY,
            card_id TEXT NOT NULL,
            started_at TEXT NOT NULL,
            submitted_at TEXT NOT NULL,
            time_limit_s INTEGER NOT NULL,
            duration_s REAL NOT NULL,
            overrun_s REAL NOT NULL DEFAULT 0,
            answer TEXT NOT NULL,
            ticks TEXT NOT NULL,
            score REAL NOT NULL CHECK (score BETWEEN 0 AND 1),
            stage_scores TEXT NOT NULL,
            rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
            review_id TEXT
        );
        CREATE INDEX attempts_card ON attempts(card_id, submitted_at);
        CREATE TABLE drafts (
            card_id TEXT PRIMARY KEY,
            text TEXT NOT NULL,
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """
    )



@migrations()
def m003_review_recall(db: Database) -> None:
    # FSRS's predicted recall at each answer, so retention statistics need not re-derive it from
    # ``prev`` for every row; rows written before this (or by other tools) leave it NULL.
    db.execute("ALTER TABLE review_log ADD COLUMN recall REAL")


@migrations()
def m004_review_retention_index(db: Database) -> None:
    # True retention per card, deck and topic reads these columns of these rows only: a covering
    # index lets it walk them in card order instead of sorting the whole log.
    db.execute(
        "CREATE INDEX review_log_retained ON review_log(card_id, rating, recall)"
        " WHERE state_before = 2 AND mode = 'review'"
    )

# Add migrations above this line, in order; never edit one that has shipped.
@migrations()
def m005_leech(db: Database) -> None:
    # A card lapsed ``leech_threshold`` times is tagged leech (and suspended). Deck tags belong to the
    # deck files, so the tag lives here.
    db.execute("ALTER TABLE cards ADD COLUMN leech INTEGER NOT NULL DEFAULT 0")


SCHEMA_VERSION = len(migrations)
"""One more with every migration; a database with a higher number is refused."""


