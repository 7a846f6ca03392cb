"""Who has a workspace's progress database open: a lock file beside it, ``quizapp.db.lock``.

Every quizapp process that opens the database holds a shared POSIX lock on the lock file for as long
as it runs; ``quizapp restore`` needs it exclusively, so it refuses while another quizapp (a review
in another terminal, a running import) has the workspace open instead of replacing the database under
it. POSIX locks belong to the process, so one process's own connections never conflict with it, and
the kernel drops them when the process ends, however it ends: a killed quizapp leaves no stale lock.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

from quizapp.errors import StoreLockedError

try:
    import fcntl
except ImportError:  # Windows: no POSIX locks; restore then relies on SQLite's own locking
    fcntl = None  # type: ignore[assignment]

_HELD: dict[tuple[str, bool], int] = {}
"""One descriptor per lock file this process holds, kept open until the process ends (closing any
descriptor of a file drops the process's POSIX locks on it)."""


def lock_path(db_path: Path) -> Path:
    return Path(f"{db_path}.lock")


def _descriptor(db_path: Path, write: bool = False) -> int | None:
    """A descriptor of the lock file: read-only for the shared lock (a file open for writing would
    keep its filesystem from being remounted read-only), read-write for the exclusive one."""
    path = lock_path(db_path)
    key = (str(path.resolve()) if path.parent.exists() else str(path), write)
    fd = _HELD.get(key)
    if fd is not None:
        return fd
    try:
        fd = os.open(path, (os.O_RDWR if write else os.O_RDONLY) | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError:
        return None  # a read-only folder: nothing can be written there, restore included
    _HELD[key] = fd
    return fd


def hold_shared(db_path: Path) -> None:
    """Mark the workspace as open by this process (a shared lock, taken without waiting)."""
    if fcntl is None:
        return
    fd = _descriptor(db_path)
    if fd is None:
        return
    try:
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        pass  # a restore holds it this very moment; SQLite's busy timeout covers that instant


def _holder(fd: int) -> int | None:
    """The process id of one other process holding a lock on ``fd``'s file, where the system says."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        # struct flock on Linux: short l_type, short l_whence, off_t l_start, off_t l_len, pid_t l_pid.
        layout = "hhqqi4x"
        asked = struct.pack(layout, fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, asked)
        kind, _, _, _, pid = struct.unpack(layout, answer)
        return pid if kind != fcntl.F_UNLCK and pid > 0 else None
    except (OSError, struct.error):
        return None


def hold_exclusive(db_path: Path, what: str) -> None:
    """Take the workspace for ``what`` (e.g. "restore"), which must not run while another quizapp
    has it open; raises ``StoreLockedError`` naming the other process when one does."""
    if fcntl is None:
        return
    fd = _descriptor(db_path, write=True)
    if fd is None:
        return
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        pid = _holder(fd)
        who = f"another quizapp (process {pid})" if pid else "another quizapp"
        raise StoreLockedError(
            f"{db_path} is open in {who}. Nothing was changed; quit it (or wait for it to finish), "
            f"then {what} again."
        ) from None


def release_exclusive(db_path: Path) -> None:
    """Back to a shared lock after ``hold_exclusive``."""
    if fcntl is None:
        return
    fd = _descriptor(db_path, write=True)
    if fd is None:
        return
    try:
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        fcntl.lockf(fd, fcntl.LOCK_UN)
