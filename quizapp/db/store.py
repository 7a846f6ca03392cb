"""The progress database: card scheduling state, the append-only review log, settings.

The review log is the truth. Each answer appends one row in the same transaction that updates the
card's cached state; the state can always be rebuilt by replaying the log (see ``scheduling.replay``).

Longer than 400 lines: opening (with its checks and migrations), the write transaction (with the
check that the file on disk is still the one opened) and the reads every layer above uses belong to
one connection's life; schema, records and file checks are already in modules of their own.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database



from quizapp.db.backup import backup_before_migration
from quizapp.db.files import BUSY_TIMEOUT_MS, _environmental, check_file, store_error
from quizapp.db.records import (
    LOG_COLUMNS,
    STATE_COLUMNS,
    CardState,
    LogEntry,
    to_iso,
    utcnow,
)
from quizapp.db.schema import APPLICATION_ID, SCHEMA_VERSION, _sqlite_utils, migrations
from quizapp.errors import StoreError, StoreLockedError

PLAN_KEY = "plan"
"""Setting: the interview date and target (``quizapp.study.plan``)."""
SYNCED_KEY = "synced_decks"
"""Setting: the fingerprint of the decks the cards last matched, and the number of cards then."""

# Constant statements, so that SQLite's statement cache compiles each once per connection.
_SELECT_STATE = f"SELECT {', '.join(STATE_COLUMNS)} FROM cards WHERE id = ?"
_UPDATE_STATE = f"UPDATE cards SET {', '.join(f'{k} = ?' for k in STATE_COLUMNS)} WHERE id = ?"


def write_states(conn: sqlite3.Connection, states: Iterable[CardState]) -> None:
    """Store each card's scheduling state: the one statement that writes it. Call inside a write
    transaction."""
    conn.executemany(_UPDATE_STATE, ((*state.stored(), state.id) for state in states))


_INSERT_LOG = f"INSERT INTO review_log({', '.join(LOG_COLUMNS)}) VALUES ({', '.join('?' for _ in LOG_COLUMNS)})"


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
        self._wrote = False
        """Whether this store has committed a write (it then has answers the file at the path may lack)."""
        self.diverted: Path | None = None
        """Where writes go since the database file was replaced or deleted under this store (see
        ``_divert``); None while all is well."""
        self.stale_log: Path | None = None
        """Where a write-ahead log left by another database file was set aside when this store
        opened (see ``_set_aside_stale_log``); None when there was none."""

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
        stale_log = _set_aside_stale_log(path)
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
            raise store_error(exc, path) from None
        from quizapp.db.lock import hold_shared

        hold_shared(path)
        store._identity = _file_identity(path)
        store.stale_log = stale_log
        _record_owner(path, store._identity)
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
        return backup_before_migration(self.path)

    def close(self) -> None:
        """Close the connection. When the file was replaced or deleted under this store since its
        last write, the answers it wrote are kept aside first (see ``_divert``), and the write-ahead
        log is emptied either way, so that it is not applied to the file now at the path."""
        if self._swapped():
            try:
                if self._wrote:
                    self._divert()
                else:
                    self._release_wal()
            except StoreError:
                pass
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
            raise store_error(exc, self.path) from None
        if self._swapped():
            c.execute("ROLLBACK")
            c = self._divert()
            c.execute("BEGIN IMMEDIATE")
        try:
            yield c
        except sqlite3.OperationalError as exc:
            if c.in_transaction:
                c.execute("ROLLBACK")
            if _environmental(exc):
                raise store_error(exc, self.path) from None
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
            raise store_error(exc, self.path) from None
        self._wrote = True
        if self._swapped():
            # Replaced while this transaction ran: what it committed went into the old file's log,
            # which lies beside the new file. Kept aside now, before the caller takes it as saved.
            self._divert()

    def _swapped(self) -> bool:
        """Whether the file at the path is no longer the one this store opened (and writes are not
        diverted yet)."""
        return self._identity is not None and self.diverted is None and _file_identity(self.path) != self._identity

    def _release_wal(self) -> None:
        """Empty the write-ahead log of the file this store opened, its pages written into that
        (old) file. SQLite names the log after the path, not the file: left as it is, the log of the
        replaced file lies beside the new one, and the next process to open the new file applies the
        old file's pages to it ("database disk image is malformed"). A checkpoint that truncates the
        log leaves an empty one, which SQLite takes for no log at all."""
        try:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except sqlite3.Error:
            pass  # another process reading the log: it is as good as this store can leave it

    def _divert(self) -> sqlite3.Connection:
        """The database file was replaced (a file-sync tool bringing another machine's copy, a
        restore by hand) or deleted under this open store: writing on would write into a file that is
        no longer the one on disk, or corrupt the new one. Instead, the database as this store knows
        it (the old file, still open) is copied to a side file beside it, and every later write goes
        there; ``quizapp merge`` brings it into the new file. Returns the side file's connection.

        The copy is written under another name and renamed when whole, so that a quizapp killed
        while copying leaves no half side file for ``quizapp merge`` to trip over."""
        assert self.path is not None
        self._release_wal()
        stamp = utcnow().strftime("%Y%m%d-%H%M%S")
        side = self.path.with_name(f"{self.path.stem}-kept-{stamp}-{os.getpid()}.db")
        aside = side.with_name(f".{side.name}.tmp")
        try:
            copy = sqlite3.connect(str(aside), isolation_level=None)
            try:
                self.conn.backup(copy)
                copy.execute("PRAGMA synchronous = FULL")
                copy.execute("PRAGMA journal_mode = DELETE")
            finally:
                copy.close()
            os.replace(aside, side)
            target = sqlite3.connect(str(side), isolation_level=None, check_same_thread=False)
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

    def stale_log_message(self) -> str | None:
        """What to tell the user when a log left by a replaced database file was set aside on opening."""
        if self.stale_log is None:
            return None
        return (
            f"{self.path} was replaced (a file-sync tool?) while a quizapp that has since stopped had it "
            f"open; the write-ahead log it left, which belonged to the replaced file, was moved to "
            f"{self.stale_log} so that it cannot damage this one. Answers given in that quizapp after "
            "the replacement may be in it; this database is sound."
        )

    def diverted_message(self) -> str | None:
        """What to tell the user once writes were diverted (None while all is well)."""
        if self.diverted is None:
            return None
        return (
            f"{self.path} was replaced or deleted by another program (a file-sync tool?) while quizapp "
            f"had it open. Your answers since are kept in {self.diverted}; quit, then run "
            f"`quizapp merge {self.diverted}` to bring them into the current database."
        )

    def query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[dict]:
        """The rows as dicts of column name to value."""
        return list(self.rows(sql, params))

    def rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Iterator[dict]:
        """The rows as dicts of column name to value, one at a time (for results too many to hold)."""
        cursor = self.conn.execute(sql, params)
        columns = [d[0] for d in cursor.description or ()]
        for row in cursor:
            yield dict(zip(columns, row))

    def scalar(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
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
                added = changed = gone = []  # the first reading's lists go before the second is made
                added, changed, gone, remember = differences()
                start = (c.execute("SELECT MAX(new_position) FROM cards").fetchone()[0] or 0) + 1
                c.executemany(
                    "INSERT INTO cards(id, deck_id, kind, new_position, added_at) VALUES (?, ?, ?, ?, ?)",
                    ((i, d, k, start + n, now_text) for n, (i, d, k) in enumerate(added)),
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
        sets: list[str] = []
        params: list[object] = []
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


def _owner_file(path: Path) -> Path:
    return path.with_name(path.name + "-owner")


def _record_owner(path: Path, identity: tuple[int, int] | None) -> None:
    """Note which file (device, inode) the write-ahead log beside ``path`` belongs to."""
    if identity is None:
        return
    owner = _owner_file(path)
    text = f"{identity[0]} {identity[1]}\n"
    try:
        if owner.read_text(encoding="ascii") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    try:
        owner.write_text(text, encoding="ascii")
    except OSError:
        pass  # a read-only folder: nothing is written there anyway


def _set_aside_stale_log(path: Path) -> Path | None:
    """Move aside a write-ahead log that belongs to another database file than the one at ``path``.

    SQLite names the log after the path, not the file. When a file-sync tool replaces the database
    while a quizapp has it open, and that quizapp is killed before it notices (``_divert`` empties
    the log then), the old file's log stays beside the new file, and opening it would apply the old
    file's pages to the new one ("database disk image is malformed"). ``-owner`` beside the
    database records which file the log was written for; a log found beside another file is
    renamed to ``<name>-stale-<time>.wal`` (its answers belong to the replaced file) and the
    database opens clean. Returns where it went, or None."""
    log = path.with_name(path.name + "-wal")
    try:
        recorded = _owner_file(path).read_text(encoding="ascii").split()
        if log.stat().st_size == 0:
            return None
    except (OSError, UnicodeDecodeError):
        return None
    identity = _file_identity(path)
    if identity is None or recorded == [str(identity[0]), str(identity[1])]:
        return None
    if _log_fits(path, log):
        return None  # the workspace was copied or moved with its log (new inode, same database)
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.stem}-stale-{stamp}-{os.getpid()}.wal")
    try:
        os.replace(log, aside)
        shm = path.with_name(path.name + "-shm")
        if shm.exists():
            shm.unlink()
    except OSError:
        return None
    return aside


def _log_fits(path: Path, log: Path) -> bool:
    """Whether the database at ``path`` with ``log`` applied passes SQLite's quick check, tried on a
    private copy of both: a log written for this database (the folder copied after a crash) does,
    another file's log gives "malformed"."""
    import shutil
    import tempfile

    from quizapp.db.files import _copy_database_file

    with tempfile.TemporaryDirectory(prefix="quizapp-log-") as tmp:
        copy = Path(tmp) / "copy.db"
        try:
            _copy_database_file(path, copy)
            shutil.copyfile(log, f"{copy}-wal")
            conn = sqlite3.connect(copy)
            try:
                return conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            finally:
                conn.close()
        except (OSError, sqlite3.Error):
            return False


def _file_identity(path: Path | None) -> tuple[int, int] | None:
    """The (device, inode) of the file at ``path``; None when there is none."""
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)
