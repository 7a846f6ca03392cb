"""The database file itself: checking a file is ours before opening it, reading it without dropping
this process's locks, naming the errors SQLite gives, and the backups' file names."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from quizapp.db.schema import APPLICATION_ID, SCHEMA_VERSION
from quizapp.errors import StoreError, StoreLockedError

BUSY_TIMEOUT_MS = 5000
"""How long a write waits for another process's lock before giving up with a message."""
NAME_RE = re.compile(r"^quizapp-(\d{8}-\d{6}\.\d{3})-([a-z][a-z-]*)-([0-9a-f]{8})\.db$")
"""quizapp-<UTC yyyymmdd-hhmmss.mmm>-<reason>-<fingerprint>.db"""

@dataclass(frozen=True)
class Backup:
    """One backup file in ``progress/backups/``."""

    path: Path
    taken_at: datetime
    """When it was taken (UTC, to the millisecond)."""
    reason: str
    """Why: manual, periodic, migration, merge, doctor, before-restore, import..."""
    fingerprint: str
    """The first 8 hex digits of the contents' fingerprint."""

    @property
    def name(self) -> str:
        return self.path.name

    @classmethod
    def parse(cls, path: Path) -> "Backup | None":
        match = NAME_RE.match(path.name)
        if not match:
            return None
        taken = datetime.strptime(match.group(1), "%Y%m%d-%H%M%S.%f").replace(tzinfo=timezone.utc)
        return cls(path, taken, match.group(2), match.group(3))


def backups_dir_for(db_path: Path) -> Path:
    """Where a progress database's backups live: ``backups/`` beside it (``Workspace.backups_dir``)."""
    return Path(db_path).parent / "backups"


def list_backups(backups_dir: Path) -> list[Backup]:
    """The backups in ``backups_dir``, newest first; files not named like a backup are ignored."""
    if not backups_dir.is_dir():
        return []
    found = [b for p in backups_dir.iterdir() if p.is_file() and (b := Backup.parse(p))]
    return sorted(found, key=lambda b: (b.taken_at, b.name), reverse=True)


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


def read_only_uri(path: Path) -> str:
    """A URI that reads the database at ``path`` and leaves nothing beside it.

    Read-only (``mode=ro``); also ``immutable=1`` when no -wal or -journal is beside it and either
    its folder is not writable (read-only media, where SQLite could not make a -shm file) or no -shm
    is there either (nothing has it open, and a read-only connection would otherwise leave a -wal
    and -shm behind). Answers still in a -wal are never skipped that way: without ``immutable`` a
    read-only folder makes the connection fail, and the caller reads a private copy of the files.
    """
    path = Path(path).resolve()
    uri = path.as_uri() + "?mode=ro"
    pending = any(Path(f"{path}{suffix}").exists() for suffix in ("-wal", "-journal"))
    if not pending and (not os.access(path.parent, os.W_OK) or not Path(f"{path}-shm").exists()):
        uri += "&immutable=1"
    return uri


def check_file(path: Path, *, other: bool = False) -> None:
    """Refuse, without writing a byte, a file that is not a quizapp progress database we can use.

    ``other``: a database from elsewhere (merge), read through ``read_only_uri``.
    """
    if not path.exists():
        return
    if not path.is_file():
        raise StoreError(
            f"{path} is not a file (a folder or a special file) where the progress database belongs. "
            "It was left untouched; move it away or choose another workspace with --home."
        )
    if path.stat().st_size == 0:
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
            app_id, version, tables = _identify(read_only_uri(path) if other else path.resolve().as_uri() + "?mode=ro")
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


def _environmental(exc: sqlite3.Error) -> bool:
    """Whether an error comes from the machine (lock, permissions, disk) rather than from a bug."""
    text = str(exc)
    return any(word in text for word in ("locked", "busy", "readonly", "read-only", "full", "disk I/O"))


def store_error(exc: sqlite3.Error, path: Path | None) -> Exception:
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


