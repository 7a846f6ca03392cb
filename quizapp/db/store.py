"""The progress database: card scheduling state, the append-only review log, settings.

The review log is the truth. Each answer appends one row in the same transaction that updates the
card's cached state; the state can always be rebuilt by replaying the log (see ``scheduling.replay``).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
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


from quizapp.errors import StoreError, StoreLockedError

APPLICATION_ID = 0x517A4170
"""Written into the SQLite header so a file can be told to be ours."""
BUSY_TIMEOUT_MS = 5000
"""How long a write waits for another process's lock before giving up with a message."""
PLAN_KEY = "plan"
"""Setting: the interview date and target (``quizapp.study.plan``)."""
SYNCED_KEY = "synced_decks"
"""Setting: the fingerprint of the decks the cards last matched, and the number of cards then."""

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3

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
SCHEMA_VERSION = len(migrations)
"""One more with every migration; a database with a higher number is refused."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def to_iso(moment: datetime | None) -> str | None:
    """UTC ISO-8601 text, the only form times take in the database."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("times stored in progress must be timezone-aware")
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def from_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass
class CardState:
    """The scheduling state of one item, as cached in ``cards``."""

    id: str
    state: int = NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0

    @classmethod
    def from_stored(cls, card_id: str, values: tuple) -> "CardState":
        """The state from its ``STATE_COLUMNS`` values as stored (see ``Store.state_values``)."""
        state, step, stability, difficulty, due, last_review, reps, lapses = values
        return cls(card_id, state, step, stability, difficulty, from_iso(due), from_iso(last_review), reps, lapses)

    def stored(self) -> tuple:
        """The ``STATE_COLUMNS`` values as they are stored."""
        return (
            self.state, self.step, self.stability, self.difficulty,
            to_iso(self.due), to_iso(self.last_review), self.reps, self.lapses,
        )

    @classmethod
    def from_row(cls, row: dict) -> "CardState":
        return cls(
            id=row["id"],
            state=row["state"],
            step=row["step"],
            stability=row["stability"],
            difficulty=row["difficulty"],
            due=from_iso(row["due"]),
            last_review=from_iso(row["last_review"]),
            reps=row["reps"],
            lapses=row["lapses"],
        )

    def columns(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "due": to_iso(self.due),
            "last_review": to_iso(self.last_review),
            "reps": self.reps,
            "lapses": self.lapses,
        }

    def to_json(self) -> str:
        return json.dumps(self.columns(), sort_keys=True)

    @classmethod
    def from_json(cls, card_id: str, text: str) -> "CardState":
        """The state saved by ``to_json`` (a log row's ``prev``)."""
        return cls.from_row({**json.loads(text), "id": card_id})


@dataclass
class LogEntry:
    """One answer: the append-only truth that card state is derived from."""

    id: str
    card_id: str
    rating: int
    reviewed_at: datetime
    duration_ms: int = 0
    mode: str = "review"
    scheduled: bool = True
    """Whether this answer moved the card's schedule (a right quiz answer does not)."""
    state_before: int = NEW
    due_after: datetime | None = None
    prev: str | None = None
    recall: float | None = None
    """FSRS's predicted chance, just before the answer, that the card would be recalled (None for a
    new card, or when not recorded)."""

    def values(self) -> tuple:
        """The row's values in ``LOG_COLUMNS`` order, as stored."""
        return (
            self.id, self.card_id, self.rating, to_iso(self.reviewed_at), self.duration_ms, self.mode,
            int(self.scheduled), self.state_before, to_iso(self.due_after), self.prev, self.recall,
        )

    def row(self) -> dict[str, Any]:
        # A shallow copy: asdict() deep-copies every value and was a third of an answer's work.
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["reviewed_at"] = to_iso(self.reviewed_at)
        data["due_after"] = to_iso(self.due_after)
        data["scheduled"] = int(self.scheduled)
        return data

    @classmethod
    def from_row(cls, row: dict) -> "LogEntry":
        return cls(
            id=row["id"],
            card_id=row["card_id"],
            rating=row["rating"],
            reviewed_at=from_iso(row["reviewed_at"]),
            duration_ms=row["duration_ms"],
            mode=row["mode"],
            scheduled=bool(row["scheduled"]),
            state_before=row["state_before"],
            due_after=from_iso(row["due_after"]),
            prev=row["prev"],
            recall=row.get("recall"),
        )


STATE_COLUMNS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")
"""The columns of ``cards`` that hold a card's scheduling state (``CardState`` without its id)."""
LOG_COLUMNS = tuple(LogEntry.__dataclass_fields__)
"""The columns of ``review_log``, in ``LogEntry.values`` order."""
# Constant statements, so that SQLite's statement cache compiles each once per connection.
_SELECT_STATE = f"SELECT {', '.join(STATE_COLUMNS)} FROM cards WHERE id = ?"
_UPDATE_STATE = f"UPDATE cards SET {', '.join(f'{k} = ?' for k in STATE_COLUMNS)} WHERE id = ?"


def write_states(conn: sqlite3.Connection, states: Iterable[CardState]) -> None:
    """Store each card's scheduling state: the one statement that writes it. Call inside a write
    transaction."""
    conn.executemany(_UPDATE_STATE, ((*state.stored(), state.id) for state in states))


_INSERT_LOG = f"INSERT INTO review_log({', '.join(LOG_COLUMNS)}) VALUES ({', '.join('?' for _ in LOG_COLUMNS)})"


def new_id() -> str:
    """A random (version 4) UUID as text, the form of every log id."""
    # As uuid.uuid4(), a quarter of its cost: 122 random bits with the version and variant bits set.
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_DESCRIPTORS: dict[tuple[int, int], int] = {}
"""One read-only descriptor per database file this process has looked into, kept open."""


def _descriptor(path: Path) -> int:
    """A read-only descriptor of the database file, opened once per file and never closed.

    SQLite's locks are POSIX advisory locks, which belong to the process: closing *any* descriptor
    of the file drops all of them, those of this process's open connections included. Another
    process would then take the file for unused, checkpoint it and delete its WAL under them (SQLite
    itself keeps descriptors open for this reason). So the file is never opened and closed behind
    SQLite's back: one descriptor stays open, as SQLite's own do.
    """
    st = os.stat(path)
    key = (st.st_dev, st.st_ino)
    fd = _DESCRIPTORS.get(key)
    if fd is not None:
        try:
            if os.fstat(fd).st_nlink > 0:
                return fd
        except OSError:
            pass
        # The file was deleted and its inode reused: closing the old one's descriptor is safe.
        del _DESCRIPTORS[key]
        try:
            os.close(fd)
        except OSError:
            pass
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    _DESCRIPTORS[key] = fd
    return fd


def _read_header(path: Path) -> bytes:
    return os.pread(_descriptor(path), 100, 0)


def _copy_database_file(path: Path, target: Path) -> None:
    """Copy the database file's bytes without opening and closing it (see ``_descriptor``)."""
    fd = _descriptor(path)
    with open(target, "wb") as out:
        offset = 0
        while chunk := os.pread(fd, 1 << 20, offset):
            out.write(chunk)
            offset += len(chunk)


def check_file(path: Path) -> None:
    """Refuse, without writing a byte, a file that is not a quizapp progress database we can use."""
    if not path.exists():
        return
    if not path.is_file():
        raise StoreError(
            f"{path} is not a file (a folder or a special file) where the progress database belongs. "
            "It was left untouched; move it away or choose another workspace with --home."
        )
    if path.stat().st_size == 0:
        from quizapp.db.backup import backups_dir_for, list_backups  # quizapp.db.backup imports this module

        backups = list_backups(backups_dir_for(path))
        if backups:
            # Empty beside backups: something emptied a database that held progress.
            raise StoreError(
                f"{path} is empty, yet there are backups of it in {backups_dir_for(path)}. It was left "
                f"untouched; `quizapp restore {backups[0].name}` puts the newest back, or delete the "
                "empty file to start afresh."
            )
        return
    header = _read_header(path)
    if not header.startswith(b"SQLite format 3\x00"):
        raise StoreError(
            f"{path} is not a quizapp progress database (not an SQLite file). "
            "It was left untouched; move it away or choose another workspace with --home."
        )
    try:
        try:
            app_id, version, tables = _identify(path.resolve().as_uri() + "?mode=ro")
        except sqlite3.OperationalError as exc:
            if "readonly" not in str(exc) and "unable to open" not in str(exc):
                raise
            # A journal or WAL left behind by a killed process must be rolled back or recovered
            # before the file can be read, which a read-only connection cannot do; and in a
            # read-only folder a WAL database cannot even get its -shm file. Identify a private
            # copy instead.
            with tempfile.TemporaryDirectory(prefix="quizapp-check-") as tmp:
                copy = Path(tmp) / "copy.db"
                _copy_database_file(path, copy)
                for suffix in ("-journal", "-wal"):
                    if Path(f"{path}{suffix}").exists():
                        shutil.copyfile(f"{path}{suffix}", f"{copy}{suffix}")
                app_id, version, tables = _identify(copy.as_uri())
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{path} is damaged ({exc}). It was left untouched; "
            "restore a backup with `quizapp restore` or run `quizapp doctor`."
        ) from None
    except OSError as exc:
        raise StoreError(f"{path} cannot be read: {exc.strerror or exc}") from None
    if app_id != APPLICATION_ID and (app_id != 0 or tables):
        raise StoreError(
            f"{path} is an SQLite database that quizapp did not write (application id {app_id:#x}). "
            "It was left untouched; choose another workspace with --home."
        )
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer quizapp (schema {version}; this one knows {SCHEMA_VERSION}). "
            "It was left untouched; upgrade quizapp to open it."
        )


def _identify(uri: str) -> tuple[int, int, list[str]]:
    """The application id, schema version and table names of the database at ``uri``."""
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    finally:
        conn.close()
    return app_id, version, tables


class Store:
    """The progress database of one workspace.

    Open it with ``Store.open(path)``; every write is one short ``BEGIN IMMEDIATE`` transaction.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path | None):
        self.conn = conn
        self.path = path
        """The file, or None for an in-memory store."""
        self._db: Database | None = None
        self._identity: tuple[int, int] | None = None
        """The database file's (device, inode) when opened: a different one means it was replaced."""
        self.diverted: Path | None = None
        """Where writes go since the database file was replaced or deleted under this store (see
        ``_divert``); None while all is well."""

    @property
    def db(self) -> Database:
        """The sqlite-utils database on the same connection, for tables and migrations."""
        if self._db is None:
            Database, _ = _sqlite_utils()
            self._db = Database(self.conn, execute_plugins=False)
        return self._db

    @classmethod
    def open(cls, path: Path | str | None, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> "Store":
        """Open (creating and migrating as needed) the database at ``path``; ``None`` means in memory."""
        if path is None or str(path) == ":memory:":
            conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            store = cls(conn, None)
            store._prepare()
            return store
        path = Path(path)
        check_file(path)
        if path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
            raise StoreError(
                f"{path.parent} is read-only, and quizapp writes every answer there. Nothing was changed; "
                "your progress is intact. Make the folder writable, or choose another workspace with --home."
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                str(path), timeout=busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open {path}: {exc}") from None
        store = cls(conn, path)
        try:
            store._prepare_patiently(busy_timeout_ms)
        except StoreError:
            conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise _store_error(exc, path) from None
        from quizapp.db.lock import hold_shared

        hold_shared(path)
        store._identity = _file_identity(path)
        return store

    def _prepare_patiently(self, busy_timeout_ms: int) -> None:
        """``_prepare``, tried again while another process holds the file, up to the busy timeout.

        Two processes creating or upgrading the same file at once can get "locked" at once where
        SQLite does not wait (switching to WAL, or recovering a WAL, while the other holds a lock);
        every step of ``_prepare`` can simply be done again."""
        deadline = time.monotonic() + busy_timeout_ms / 1000
        while True:
            try:
                self._prepare(busy_timeout_ms)
                return
            except (sqlite3.OperationalError, StoreLockedError) as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                time.sleep(0.05)

    def _prepare(self, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        c = self.conn
        c.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if self.path is not None:
            mode = c.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise sqlite3.OperationalError(f"could not switch to WAL journaling (got {mode})")
        c.execute("PRAGMA synchronous = FULL")
        c.execute("PRAGMA foreign_keys = ON")
        # Marked as ours before the first table exists: a kill during the first migrations must not
        # leave a file that the next start refuses as foreign.
        if c.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        if self._up_to_date():
            return
        pending = migrations.pending(self.db)
        if pending:
            self._migrate(all(m.transactional for m in pending))
        if c.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _up_to_date(self) -> bool:
        """Whether every migration is applied, asked of SQLite directly (sqlite-utils not needed)."""
        c = self.conn
        if c.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            return False
        try:
            applied = {
                row[0] for row in c.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [migrations.name])
            }
        except sqlite3.OperationalError:  # no such table: nothing applied yet
            return False
        return applied.issuperset(migrations.names())

    def _migrate(self, transactional: bool) -> None:
        """Back up, then apply every pending migration in one transaction: all of them or none.

        BEGIN IMMEDIATE also makes a second process opening the same file wait, then find nothing
        left to apply.
        """
        saved = self.before_migration()
        try:
            if transactional:
                with self.write():
                    migrations.apply(self.db)
            else:
                migrations.apply(self.db)
        except StoreError:
            raise
        except Exception as exc:
            kept = f" The backup taken before the upgrade is {saved}." if saved else ""
            raise StoreError(
                f"{self.path or 'the progress database'}: upgrading it to schema {SCHEMA_VERSION} failed "
                f"({type(exc).__name__}: {exc}). The upgrade was rolled back; your progress is as it was.{kept}"
            ) from exc

    def before_migration(self) -> Path | None:
        """Back up the database before pending migrations change it; returns the backup (None when
        there is nothing to keep yet, or the store is in memory)."""
        if self.path is None:
            return None
        from quizapp.db.backup import backup_before_migration  # quizapp.db.backup imports this module

        return backup_before_migration(self.path)

    def close(self) -> None:
        try:
            self.conn.close()
        except sqlite3.Error:
            pass

    # ------------------------------------------------------------------ transactions

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction: all of it is committed, durably, or none of it.

        Inside another ``write()`` it joins that transaction (which commits or rolls back the whole).
        """
        c = self.conn
        if c.in_transaction:
            yield c
            return
        try:
            c.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _store_error(exc, self.path) from None
        if self._identity is not None and self.diverted is None and _file_identity(self.path) != self._identity:
            c.execute("ROLLBACK")
            c = self._divert()
            c.execute("BEGIN IMMEDIATE")
        try:
            yield c
        except sqlite3.OperationalError as exc:
            if c.in_transaction:
                c.execute("ROLLBACK")
            if _environmental(exc):
                raise _store_error(exc, self.path) from None
            raise
        except BaseException:
            if c.in_transaction:
                c.execute("ROLLBACK")
            raise
        try:
            c.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if c.in_transaction:
                c.execute("ROLLBACK")
            raise _store_error(exc, self.path) from None

    def _divert(self) -> sqlite3.Connection:
        """The database file was replaced (a file-sync tool bringing another machine's copy, a
        restore by hand) or deleted under this open store: writing on would write into a file that is
        no longer the one on disk, or corrupt the new one. Instead, the database as this store knows
        it (the old file, still open) is copied to a side file beside it, and every later write goes
        there; ``quizapp merge`` brings it into the new file. Returns the side file's connection."""
        assert self.path is not None
        stamp = utcnow().strftime("%Y%m%d-%H%M%S")
        side = self.path.with_name(f"{self.path.stem}-kept-{stamp}-{os.getpid()}.db")
        try:
            target = sqlite3.connect(str(side), isolation_level=None, check_same_thread=False)
            self.conn.backup(target)
            target.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            target.execute("PRAGMA journal_mode = WAL")
            target.execute("PRAGMA synchronous = FULL")
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"{self.path} was replaced or deleted while quizapp had it open, and the answers could not "
                f"be kept aside in {side} ({exc}). Nothing more was written; restart quizapp."
            ) from None
        old, self.conn, self._db = self.conn, target, None
        old.close()
        self.diverted = side
        return target

    def diverted_message(self) -> str | None:
        """What to tell the user once writes were diverted (None while all is well)."""
        if self.diverted is None:
            return None
        return (
            f"{self.path} was replaced or deleted by another program (a file-sync tool?) while quizapp "
            f"had it open. Your answers since are kept in {self.diverted}; quit, then run "
            f"`quizapp merge {self.diverted}` to bring them into the current database."
        )

    def query(self, sql: str, params: Iterable | dict = ()) -> list[dict]:
        """The rows as dicts of column name to value."""
        cursor = self.conn.execute(sql, params)
        columns = [d[0] for d in cursor.description or ()]
        return [dict(zip(columns, row)) for row in cursor]

    def scalar(self, sql: str, params: Iterable | dict = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------------ settings

    def get_setting(self, key: str, default: Any = None) -> Any:
        value = self.scalar("SELECT value FROM settings WHERE key = ?", [key])
        return default if value is None else json.loads(value)

    _SET_SETTING = "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"

    def set_setting(self, key: str, value: Any) -> None:
        with self.write() as c:
            c.execute(self._SET_SETTING, [key, json.dumps(value)])

    # ------------------------------------------------------------------ cards

    def sync_items(
        self,
        items: Iterable[tuple[str, str, str]] | Callable[[], Iterable[tuple[str, str, str]]],
        now: datetime | None = None,
        fingerprint: str | None = None,
    ) -> dict[str, int]:
        """Make ``cards`` match the decks: ``items`` is (item id, deck id, kind) for every loaded item
        (or a function giving them, called only when needed).

        New items are added as new cards at the end of the new queue; items no longer in any deck are
        marked absent (orphans) and keep their history; items that moved deck follow. Nothing is written
        when nothing changed. With ``fingerprint`` (``DeckSet.fingerprint()``), a sync that found the
        cards matching decks of the same fingerprint is remembered, and the next one with the same
        fingerprint and as many cards in the database does nothing at all.
        """
        if fingerprint is not None:
            cards = self.conn.execute("SELECT count(*) FROM cards").fetchone()[0]
            if self.get_setting(SYNCED_KEY) == [fingerprint, cards]:
                return {"added": 0, "changed": 0, "orphaned": 0}
        if callable(items):
            items = items()
        wanted = {item_id: (deck_id, kind) for item_id, deck_id, kind in items}

        def differences() -> tuple[list, list, list, list]:
            have = {
                row[0]: (row[1], row[2], row[3])
                for row in self.conn.execute("SELECT id, deck_id, kind, present FROM cards")
            }
            added = [(i, d, k) for i, (d, k) in wanted.items() if i not in have]
            changed = [
                (d, k, i) for i, (d, k) in wanted.items() if i in have and (have[i][0], have[i][1], have[i][2]) != (d, k, 1)
            ]
            gone = [i for i, (_, _, present) in have.items() if present and i not in wanted]
            remember = [SYNCED_KEY, json.dumps([fingerprint, len(have) + len(added)])]
            return added, changed, gone, remember

        added, changed, gone, remember = differences()
        if not (added or changed or gone):
            if fingerprint is not None:
                try:
                    with self.write() as c:
                        c.execute(self._SET_SETTING, remember)
                except (sqlite3.Error, StoreError):  # read-only, full or busy: the next start syncs again, that is all
                    pass
        else:
            now_text = to_iso(now or utcnow())
            with self.write() as c:
                # Read again inside the write transaction: another quizapp starting on the same new
                # workspace may have added the same cards since the read above.
                added, changed, gone, remember = differences()
                start = (c.execute("SELECT MAX(new_position) FROM cards").fetchone()[0] or 0) + 1
                c.executemany(
                    "INSERT INTO cards(id, deck_id, kind, new_position, added_at) VALUES (?, ?, ?, ?, ?)",
                    [(i, d, k, start + n, now_text) for n, (i, d, k) in enumerate(added)],
                )
                c.executemany("UPDATE cards SET deck_id = ?, kind = ?, present = 1 WHERE id = ?", changed)
                c.executemany("UPDATE cards SET present = 0 WHERE id = ?", [(i,) for i in gone])
                if fingerprint is not None:
                    c.execute(self._SET_SETTING, remember)
        return {"added": len(added), "changed": len(changed), "orphaned": len(gone)}

    def orphans(self) -> list[dict]:
        """Cards with progress whose deck no longer has them (kept, never deleted)."""
        return self.query("SELECT id, deck_id, reps FROM cards WHERE present = 0 ORDER BY id")

    def state_values(self, card_id: str) -> tuple | None:
        """The card's ``STATE_COLUMNS`` as stored, or None when there is no such card."""
        return self.conn.execute(_SELECT_STATE, (card_id,)).fetchone()

    def card_state(self, card_id: str) -> CardState:
        values = self.state_values(card_id)
        if values is None:
            raise KeyError(card_id)
        return CardState.from_stored(card_id, values)

    def card_row(self, card_id: str) -> dict | None:
        rows = self.query("SELECT * FROM cards WHERE id = ?", [card_id])
        return rows[0] if rows else None

    def record_answer(
        self,
        entry: LogEntry,
        new_state: CardState | None,
        also: Callable[[sqlite3.Connection], None] | None = None,
    ) -> None:
        """Append ``entry`` to the log and, when given, store the card's new state, in one transaction.

        ``also`` runs further writes that must commit or fail with the answer (a mock-interview
        attempt and its draft); it gets the connection inside the transaction.
        """
        with self.write() as c:
            c.execute(_INSERT_LOG, entry.values())
            if new_state is not None:
                write_states(c, [new_state])
            if also is not None:
                also(c)

    def undo_answer(self, log_id: str) -> str | None:
        """Remove one answer from the log and put its card back exactly as it was before it."""
        rows = self.query("SELECT * FROM review_log WHERE id = ?", [log_id])
        if not rows:
            return None
        entry = LogEntry.from_row(rows[0])
        with self.write() as c:
            c.execute("DELETE FROM review_log WHERE id = ?", [log_id])
            if entry.scheduled and entry.prev:
                write_states(c, [CardState.from_json(entry.card_id, entry.prev)])
        return entry.card_id

    def set_flags(self, card_id: str, *, suspended: bool | None = None, buried_until: str | None | bool = False) -> None:
        sets, params = [], []
        if suspended is not None:
            sets.append("suspended = ?")
            params.append(int(suspended))
        if buried_until is not False:
            sets.append("buried_until = ?")
            params.append(buried_until)
        if not sets:
            return
        with self.write() as c:
            c.execute(f"UPDATE cards SET {', '.join(sets)} WHERE id = ?", [*params, card_id])

    def log_for(self, card_id: str) -> list[LogEntry]:
        return [
            LogEntry.from_row(r)
            for r in self.query("SELECT * FROM review_log WHERE card_id = ? ORDER BY reviewed_at, id", [card_id])
        ]

    def log_count(self) -> int:
        return self.scalar("SELECT COUNT(*) FROM review_log")


def _file_identity(path: Path | None) -> tuple[int, int] | None:
    """The (device, inode) of the file at ``path``; None when there is none."""
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _environmental(exc: sqlite3.Error) -> bool:
    """Whether an error comes from the machine (lock, permissions, disk) rather than from a bug."""
    text = str(exc)
    return any(word in text for word in ("locked", "busy", "readonly", "read-only", "full", "disk I/O"))


def _store_error(exc: sqlite3.Error, path: Path | None) -> Exception:
    text = str(exc)
    where = str(path) if path else "the progress database"
    if "malformed" in text or "not a database" in text:
        return StoreError(
            f"{where} is damaged ({text}). Restore a backup with `quizapp restore`; "
            "`quizapp doctor` tells what is wrong."
        )
    if "locked" in text or "busy" in text:
        return StoreLockedError(
            f"{where} is locked by another process (another quizapp?) and stayed locked for "
            f"{BUSY_TIMEOUT_MS // 1000} s. Nothing was written; close the other program and try again."
        )
    if "readonly" in text or "read-only" in text:
        return StoreError(f"{where} is read-only ({text}). Nothing was written; earlier progress is intact.")
    if "full" in text:
        return StoreError(
            f"the disk holding {where} is full. Nothing was written; earlier progress is intact. "
            "Free some space, then try again."
        )
    return StoreError(f"{where}: {text}")


@contextmanager
def one_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """Run the statements inside as one transaction (a savepoint, so it nests in one already open):
    the figures then read one snapshot of the database, and filling temporary tables is not a
    transaction per row."""
    conn.execute("SAVEPOINT stats")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK TO stats")
        conn.execute("RELEASE stats")
        raise
    conn.execute("RELEASE stats")
