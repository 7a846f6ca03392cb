"""``quizapp merge OTHER.db``: take another machine's progress into this workspace's.

The merged review log is the union of both logs by answer id, and every card that gained answers
gets the state its whole log replays to. Nothing is "last writer wins": an answer given on either
machine is kept, merging twice changes nothing the second time, and merging A into B ends with the
same log and card states as merging B into A. Mock-interview attempts are unioned by id too.
Per-machine choices (suspended and buried cards, settings) stay as this workspace has them.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from quizapp.db.backup import damage, take_backup
from quizapp.db.files import BUSY_TIMEOUT_MS, check_file, read_only_uri
from quizapp.db.records import utcnow
from quizapp.db.store import Store
from quizapp.errors import StoreError
from quizapp.repair.doctor import add_missing_cards, read_log, rebuild_cards
from quizapp.scheduling.scheduler import Scheduler, load_settings
from quizapp.workspace import DB_NAME


@dataclass
class MergeResult:
    """What a merge added."""

    answers_added: int = 0
    cards_rebuilt: int = 0
    """Cards whose state changed because they gained answers."""
    cards_added: int = 0
    """Cards only the other side had; kept as orphans until a deck here has them."""
    attempts_added: int = 0
    skipped: int = 0
    """The other side's answers that could not be used (impossible rating, unreadable time)."""
    backup: str | None = None
    """The backup of this side taken before writing."""


def _columns(store: Store, table: str) -> list[str]:
    return [r[1] for r in store.conn.execute(f"PRAGMA table_info({table})")]


def merge_stores(
    ours: Store,
    theirs: Store,
    scheduler: Scheduler | None = None,
    *,
    now: datetime | None = None,
    before_write: Callable[[], str | None] | None = None,
) -> MergeResult:
    """Add ``theirs``'s answers and attempts that ``ours`` lacks, and rebuild the cards they touch.

    All of it is one transaction on ``ours``; ``theirs`` is only read. ``before_write`` runs first
    when there is something to add (the CLI backs up there) and returns the backup's name.
    """
    scheduler = scheduler or Scheduler(load_settings(ours))
    result = MergeResult()
    log_cols = [c for c in _columns(theirs, "review_log") if c in set(_columns(ours, "review_log"))]
    our_ids = {r[0] for r in ours.conn.execute("SELECT id FROM review_log")}
    incoming = [r for r in theirs.query(f"SELECT {', '.join(log_cols)} FROM review_log") if r["id"] not in our_ids]
    usable, bad_rating, bad_time = read_log(incoming)
    result.skipped = len(bad_rating) + len(bad_time)
    usable_ids = {e.id for entries in usable.values() for e in entries}
    rows = [r for r in incoming if r["id"] in usable_ids]

    attempt_rows: list[dict] = []
    attempt_cols: list[str] = []
    if "attempts" in theirs.db.table_names() and "attempts" in ours.db.table_names():
        attempt_cols = [c for c in _columns(theirs, "attempts") if c in set(_columns(ours, "attempts"))]
        our_attempts = {r[0] for r in ours.conn.execute("SELECT id FROM attempts")}
        attempt_rows = [
            r for r in theirs.query(f"SELECT {', '.join(attempt_cols)} FROM attempts") if r["id"] not in our_attempts
        ]
    if not rows and not attempt_rows:
        return result

    if before_write is not None:
        result.backup = before_write()
    their_cards = {r["id"]: r for r in theirs.query("SELECT id, deck_id, kind, added_at FROM cards")}
    affected = sorted({r["card_id"] for r in rows})
    with ours.write() as c:
        result.answers_added = _insert(c, "review_log", log_cols, rows)
        result.attempts_added = _insert(c, "attempts", attempt_cols, attempt_rows)
        have = {r[0] for r in c.execute("SELECT id FROM cards")}
        result.cards_added = add_missing_cards(c, [a for a in affected if a not in have], now or utcnow(), their_cards)
        result.cards_rebuilt = rebuild_cards(c, scheduler, affected)
    return result


def _insert(c: sqlite3.Connection, table: str, cols: list[str], rows: list[dict]) -> int:
    if not rows:
        return 0
    sql = f"INSERT OR IGNORE INTO {table}({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
    before = c.total_changes
    c.executemany(sql, [[r[col] for col in cols] for r in rows])
    return c.total_changes - before


def other_database(path: Path) -> Path:
    """The progress file ``path`` names: the file itself, or a workspace / progress folder's database."""
    path = Path(path).expanduser()
    if path.is_dir():
        for candidate in (path / "progress" / DB_NAME, path / DB_NAME):
            if candidate.is_file():
                return candidate
        raise StoreError(f"{path} is a folder without a progress database ({DB_NAME} or progress/{DB_NAME}).")
    if not path.exists():
        raise StoreError(f"{path}: no such file.")
    return path


def _copy_of(other: Path, target: Path) -> None:
    """Copy another database into ``target`` without writing to it, and check the copy."""
    try:
        try:
            _backup_into(read_only_uri(other), target)
        except sqlite3.OperationalError:
            # Read-only media, or a journal / WAL left by a killed process that only a writer can
            # roll back or recover: work on a plain copy of the files instead.
            raw = target.with_name("raw.db")
            for suffix in ("", "-journal", "-wal"):
                if Path(f"{other}{suffix}").exists():
                    shutil.copyfile(f"{other}{suffix}", f"{raw}{suffix}")
            target.unlink(missing_ok=True)
            _backup_into(raw.as_uri(), target)
        copy = sqlite3.connect(target)
        try:
            problems = damage(copy)
        finally:
            copy.close()
    except (sqlite3.DatabaseError, OSError) as exc:
        raise StoreError(f"cannot read {other}: {exc}; nothing was merged.") from None
    if problems:
        raise StoreError(
            f"{other} is damaged ({problems[0]}); nothing was merged. Run `quizapp doctor` where it came from."
        )


def _backup_into(uri: str, target: Path) -> None:
    source = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()


def merge_file(store: Store, other: Path, *, backups_dir: Path | None = None, now: datetime | None = None) -> MergeResult:
    """Merge the progress database at ``other`` (a copy from another machine) into ``store``.

    The other file is checked (quizapp's, not newer, not damaged) and read through a private copy,
    migrated to this version's schema if it is older; it is never written. This side is backed up
    before anything is added.
    """
    other = other_database(other)
    if store.path is not None and store.path.exists() and other.resolve() == store.path.resolve():
        raise StoreError(f"{other} is this workspace's own progress database; merge a copy from another machine.")
    if other.is_file() and other.stat().st_size == 0:
        raise StoreError(f"{other} is empty: it is not a progress database. Nothing was merged.")
    check_file(other, other=True)
    with tempfile.TemporaryDirectory(prefix="quizapp-merge-") as tmp:
        copy = Path(tmp) / DB_NAME
        _copy_of(other, copy)
        theirs = Store.open(copy)
        try:

            def backup() -> str | None:
                if store.path is None:
                    return None
                outcome = take_backup(store.path, "merge", backups_dir=backups_dir, now=now)
                return outcome.backup.name if outcome.backup else None

            return merge_stores(store, theirs, now=now, before_write=backup)
        finally:
            theirs.close()
