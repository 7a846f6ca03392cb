"""Backups of the progress database: consistent copies, thinned over time, restorable.

A backup is taken with SQLite's online backup API from its own read connection, so it is a consistent
snapshot even while quizapp is writing (a file copy of a live WAL database can miss committed answers
or catch a half-written page). Each backup is checked, written under a temporary name and renamed into
place, so ``progress/backups/`` only ever holds complete copies.

A backup is skipped when nothing changed since the newest one: the name of every backup carries a
short fingerprint of its contents, compared with the live database's.

Longer than 400 lines: taking, checking, thinning and restoring backups share the file handling and
the error messages; split by job once restore grows further.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from quizapp.db.files import BUSY_TIMEOUT_MS, Backup, backups_dir_for, check_file, list_backups, store_error
from quizapp.db.records import utcnow
from quizapp.errors import StoreError, StoreLockedError

DAMAGED_PREFIX = "damaged-"
"""Raw copies of a database too damaged to back up properly, kept by ``restore``; never thinned."""
KEPT_REASONS = frozenset({"before-restore", "import", "merge"})
"""Backups taken before a restore, import or merge: never thinned, kept until the user deletes them
(they may hold the only copy of answers a mistaken restore replaced)."""
PERIODIC_SECONDS = 5 * 60
"""How often the TUI offers a periodic backup while it is open (skipped when nothing changed)."""


@dataclass(frozen=True)
class BackupPolicy:
    """How many backups thinning keeps: the newest few, then one per day, ISO week and month."""

    recent: int = 10
    """The newest backups, whatever their age."""
    daily: int = 14
    """The newest backup of each of this many most recent days that have one."""
    weekly: int = 8
    """The newest backup of each of this many most recent weeks."""
    monthly: int = 12
    """The newest backup of each of this many most recent months."""


@dataclass(frozen=True)
class Outcome:
    """What ``take_backup`` did."""

    backup: Backup | None
    """The new backup, or the newest existing one when nothing changed (None if there is none)."""
    written: bool
    """False when the database had not changed since ``backup`` and nothing was written."""
    removed: tuple[Path, ...] = ()
    """Older backups that thinning deleted."""


# ------------------------------------------------------------------ fingerprint


def fingerprint(conn: sqlite3.Connection) -> str:
    """A digest of what a database holds, cheap enough to take every few minutes.

    ``review_log`` only grows (undo removes the newest rows), so its row count, largest rowid and
    newest row stand for it; every other table is small and is hashed in full.
    """
    digest = hashlib.sha256()
    digest.update(repr(conn.execute("PRAGMA user_version").fetchone()).encode())
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        )
    ]
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        digest.update(b"\x00table " + table.encode())
        if table == "review_log":
            digest.update(repr(conn.execute(f"SELECT COUNT(*), MAX(rowid) FROM {quoted}").fetchone()).encode())
            digest.update(repr(conn.execute(f"SELECT * FROM {quoted} ORDER BY rowid DESC LIMIT 1").fetchone()).encode())
            continue
        for row in conn.execute(f"SELECT * FROM {quoted}"):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def damage(conn: sqlite3.Connection, check: str = "quick_check") -> list[str]:
    """What SQLite's ``quick_check`` (or ``integrity_check``) finds wrong with the file itself.

    Rows that break a CHECK or NOT NULL rule are bad data in a sound file (``quizapp doctor`` names
    them), so they are left out: such a file is still copied, restored and merged faithfully.
    """
    try:
        found = [r[0] for r in conn.execute(f"PRAGMA {check}")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [p for p in found if p != "ok" and " constraint failed in " not in p]


def _reader(path: Path) -> sqlite3.Connection:
    """A connection for reading an existing database (never creating one).

    Not ``mode=ro``: after a crash the file may need its journal rolled back or its WAL recovered
    before it can be read, which only a read-write connection can do. Reading writes nothing else.
    """
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=rw", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def has_progress(db_path: Path) -> bool:
    """Whether the file is a progress database with any table in it (an empty new one is not worth keeping)."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return False
    conn = _reader(db_path)
    try:
        return conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0
    finally:
        conn.close()


# ------------------------------------------------------------------ taking backups


def take_backup(
    db_path: Path,
    reason: str = "manual",
    *,
    backups_dir: Path | None = None,
    now: datetime | None = None,
    force: bool = False,
    retention: BackupPolicy | None = None,
    keep: Iterable[Path] = (),
) -> Outcome:
    """Back up the database at ``db_path`` into ``backups_dir`` unless nothing changed, then thin.

    Raises ``StoreError`` with a message when the database cannot be read or the copy cannot be
    written (a read-only folder, a full disk); the database itself is never written to.
    """
    db_path = Path(db_path)
    backups_dir = backups_dir or backups_dir_for(db_path)
    if not re.fullmatch(r"[a-z][a-z-]*", reason):
        raise ValueError(f"a backup reason is lowercase letters and dashes, not {reason!r}")
    check_file(db_path)
    if not db_path.exists():
        raise StoreError(f"there is no progress database at {db_path} yet, so there is nothing to back up.")
    existing = list_backups(backups_dir)
    try:
        source = _reader(db_path)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read {db_path} to back it up: {exc}") from None
    try:
        if existing and not force:
            current = fingerprint(source)[:8]
            # A copy that is kept for good is written even when a thinnable one holds the same.
            same = existing[0].fingerprint == current
            if same and (reason not in KEPT_REASONS or existing[0].reason in KEPT_REASONS):
                return Outcome(existing[0], written=False)
        backup = _write_copy(source, backups_dir, reason, now or utcnow())
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"cannot back up {db_path}: {exc}. Run `quizapp doctor`, or `quizapp restore` to go back to a backup."
        ) from None
    finally:
        source.close()
    removed = thin_backups(backups_dir, retention or BackupPolicy(), keep=[backup.path, *keep])
    return Outcome(backup, written=True, removed=tuple(removed))


def _write_copy(source: sqlite3.Connection, backups_dir: Path, reason: str, now: datetime) -> Backup:
    now = now.astimezone(timezone.utc).replace(microsecond=now.microsecond // 1000 * 1000)
    stamp = now.strftime("%Y%m%d-%H%M%S.%f")[:-3]
    # Unique, so two quizapps backing up in the same second never write into one file.
    partial = backups_dir / f".quizapp-{stamp}-{reason}-{os.getpid()}-{secrets.token_hex(4)}.partial"
    try:
        backups_dir.mkdir(parents=True, exist_ok=True)
        _remove(partial)
        target = sqlite3.connect(partial, isolation_level=None)
        try:
            # One step copies every page inside one read transaction: a consistent snapshot.
            source.backup(target)
            # A backup is a plain file: no -wal/-shm companions to lose when it is copied around.
            target.execute("PRAGMA journal_mode = DELETE")
            problems = damage(target)
            if problems:
                raise sqlite3.DatabaseError(f"the copy failed its check ({problems[0]})")
            digest = fingerprint(target)[:8]
        finally:
            target.close()
        _fsync(partial)
        final = backups_dir / f"quizapp-{stamp}-{reason}-{digest}.db"
        os.replace(partial, final)
        _fsync(backups_dir)
    except sqlite3.OperationalError as exc:
        _remove(partial)
        raise _write_error(str(exc), backups_dir) from None
    except OSError as exc:
        _remove(partial)
        raise _write_error(exc.strerror or str(exc), backups_dir) from None
    except BaseException:
        _remove(partial)
        raise
    return Backup(final, now, reason, digest)


def _write_error(text: str, backups_dir: Path) -> StoreError:
    lowered = text.lower()
    if "full" in lowered or "no space" in lowered:
        why = "the disk is full"
    elif "read-only" in lowered or "readonly" in lowered or "permission" in lowered or "unable to open" in lowered:
        why = "the folder cannot be written to"
    else:
        why = text
    return StoreError(
        f"cannot write a backup into {backups_dir}: {why} ({text}). No backup was made; your progress is untouched."
    )


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems cannot fsync a folder; the rename is still atomic
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    """Delete a file if it is there; a leftover that cannot be deleted is not worth an error."""
    try:
        path.unlink()
    except OSError:
        pass


def backup_before_migration(db_path: Path) -> Path | None:
    """The backup ``Store`` takes before upgrading a database's schema; None when it holds nothing yet."""
    if not has_progress(db_path):
        return None
    backup = take_backup(db_path, "migration").backup
    return backup.path if backup else None


# ------------------------------------------------------------------ thinning


def backups_to_keep(backups: Iterable[Backup], retention: BackupPolicy) -> set[Path]:
    """The backups a retention policy keeps: the newest ``recent``, and the newest of each of the
    last ``daily`` days, ``weekly`` ISO weeks and ``monthly`` months (local time) that have one."""
    ordered = sorted(backups, key=lambda b: b.taken_at, reverse=True)
    keep = {b.path for b in ordered[: retention.recent]}
    buckets = (
        (retention.daily, lambda t: t.date()),
        (retention.weekly, lambda t: t.isocalendar()[:2]),
        (retention.monthly, lambda t: (t.year, t.month)),
    )
    for count, bucket in buckets:
        seen: set = set()
        for b in ordered:
            if len(seen) >= count:
                break
            key = bucket(b.taken_at.astimezone())
            if key not in seen:
                seen.add(key)
                keep.add(b.path)
    return keep


def thin_backups(backups_dir: Path, retention: BackupPolicy, keep: Iterable[Path] = ()) -> list[Path]:
    """Delete the backups ``retention`` does not keep; returns what was deleted.

    Half-written copies left by a process killed while backing up go too, once they are an hour old.
    """
    backups = [b for b in list_backups(backups_dir) if b.reason not in KEPT_REASONS]
    stale = time.time() - 3600
    for partial in backups_dir.glob(".quizapp-*.partial"):
        try:
            if partial.stat().st_mtime < stale:
                _remove(partial)
        except OSError:
            pass
    kept = backups_to_keep(backups, retention) | set(keep)
    removed = []
    for b in backups:
        if b.path not in kept:
            _remove(b.path)
            removed.append(b.path)
    return removed


# ------------------------------------------------------------------ restoring


@dataclass(frozen=True)
class Restored:
    """What ``restore_backup`` did."""

    restored: Backup
    saved: Backup | None
    """The backup holding the state just replaced (None when there was no database)."""
    saved_damaged: Path | None = None
    """When the replaced database was too damaged to back up: the raw copy kept of it."""


def find_backup(backups_dir: Path, name: str) -> Backup:
    """The backup called ``name`` (or the only one whose name starts with it)."""
    backups = list_backups(backups_dir)
    exact = [b for b in backups if b.name == name]
    matches = exact or [b for b in backups if b.name.startswith(name)]
    if len(matches) == 1:
        return matches[0]
    if not backups:
        raise StoreError(f"there are no backups in {backups_dir}.")
    if not matches:
        raise StoreError(f"no backup called '{name}' in {backups_dir}; `quizapp restore` lists them.")
    raise StoreError(
        f"'{name}' matches {len(matches)} backups ({', '.join(b.name for b in matches[:3])}...); give more of the name."
    )


def backup_summary(path: Path) -> dict[str, object]:
    """Answers, cards studied and the newest answer's time in a backup (for listing); empty if unreadable."""
    try:
        conn = _reader(path)
    except sqlite3.Error:
        return {}
    try:
        answers, newest = conn.execute("SELECT COUNT(*), MAX(reviewed_at) FROM review_log").fetchone()
        cards = conn.execute("SELECT COUNT(*) FROM cards WHERE reps > 0").fetchone()[0]
        return {"answers": answers, "cards": cards, "newest": newest}
    except sqlite3.Error:
        return {}
    finally:
        conn.close()


def verify_backup(path: Path) -> None:
    """Refuse a backup that is not a sound quizapp database this version can open."""
    check_file(path)
    try:
        conn = _reader(path)
        try:
            problems = damage(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    if problems:
        raise StoreError(f"the backup {path.name} is damaged ({problems[0]}); choose another one.")


def restore_backup(db_path: Path, name: str, *, backups_dir: Path | None = None, now: datetime | None = None) -> Restored:
    """Put the backup ``name`` back as the progress database, after backing up the current state.

    The copy goes through SQLite's backup API into the live database, so another quizapp that has
    it open sees either the old or the restored contents, never a mix. A database too damaged to be
    read is kept as a raw copy (``damaged-...``) and replaced as a file.
    """
    from quizapp.db.lock import hold_exclusive, release_exclusive

    db_path = Path(db_path)
    backups_dir = backups_dir or backups_dir_for(db_path)
    chosen = find_backup(backups_dir, name)
    verify_backup(chosen.path)
    if db_path.parent.is_dir():
        hold_exclusive(db_path, "restore")
    try:
        if db_path.is_file() and db_path.stat().st_size > 0:
            _refuse_if_busy(db_path)
        saved: Backup | None = None
        damaged: Path | None = None
        if db_path.exists() and db_path.stat().st_size > 0:
            try:
                saved = take_backup(
                    db_path, "before-restore", backups_dir=backups_dir, now=now, keep=[chosen.path]
                ).backup
            except StoreError as exc:
                if _cannot_write(exc):
                    raise
                damaged = _keep_raw_copy(db_path, backups_dir, now or utcnow())
        if damaged is None and db_path.exists() and db_path.stat().st_size > 0:
            _copy_into_live(chosen.path, db_path)
        else:
            _replace_file(chosen.path, db_path)
    finally:
        if db_path.parent.is_dir():
            release_exclusive(db_path)
    return Restored(chosen, saved, damaged)


RESTORE_WAIT_S = 1.0
"""How long restore waits for another program's write lock on the database before saying it is busy."""


def _refuse_if_busy(db_path: Path) -> None:
    """Say at once that another program (a database browser, a script) is writing to the database,
    rather than wait out the busy timeout and restore after it."""
    try:
        probe = sqlite3.connect(db_path, timeout=RESTORE_WAIT_S, isolation_level=None)
    except sqlite3.Error:
        return  # unreadable: restore replaces it as a file
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise StoreLockedError(
                f"{db_path} is busy: another program is writing to it. Nothing was restored; "
                "close that program, then restore again."
            ) from None
    except sqlite3.DatabaseError:
        pass  # damaged: restore keeps a raw copy and replaces it
    finally:
        probe.close()


def _cannot_write(exc: StoreError) -> bool:
    return str(exc).startswith("cannot write a backup")


def _keep_raw_copy(db_path: Path, backups_dir: Path, now: datetime) -> Path:
    """Copy a damaged database (and its WAL, which may hold the newest answers) aside, byte for byte."""
    stamp = now.astimezone(timezone.utc).strftime("%Y%m%d-%H%M%S")
    target = backups_dir / f"{DAMAGED_PREFIX}{stamp}-{db_path.name}"
    try:
        backups_dir.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal"):
            source = Path(str(db_path) + suffix)
            if source.exists():
                shutil.copyfile(source, Path(str(target) + suffix))
                _fsync(Path(str(target) + suffix))
    except OSError as exc:
        raise _write_error(exc.strerror or str(exc), backups_dir) from None
    return target


def _copy_into_live(backup: Path, db_path: Path) -> None:
    source = _reader(backup)
    try:
        target = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            target.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            source.backup(target)
            target.execute("PRAGMA journal_mode = WAL")
        finally:
            target.close()
    except sqlite3.OperationalError as exc:
        raise store_error(exc, db_path) from None
    finally:
        source.close()


def _replace_file(backup: Path, db_path: Path) -> None:
    """Write the backup next to the database and rename it over it (for a missing or unreadable one)."""
    partial = db_path.with_name(f".{db_path.name}.restoring")
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        _remove(partial)
        source = _reader(backup)
        try:
            target = sqlite3.connect(partial, isolation_level=None)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
        _fsync(partial)
        # A WAL left from the replaced file would be applied to the restored one: remove it first.
        for suffix in ("-wal", "-shm"):
            _remove(Path(str(db_path) + suffix))
        os.replace(partial, db_path)
        _fsync(db_path.parent)
    except (OSError, sqlite3.Error) as exc:
        _remove(partial)
        text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise StoreError(f"cannot restore into {db_path}: {text}. Nothing was changed.") from None
