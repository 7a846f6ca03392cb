"""SQLite's locks are the process's own (POSIX advisory locks): closing any descriptor of the database
file drops them all. Checking or backing up the database the app has open must never do that, or
another process would take the file for unused and remove its WAL under the app."""

from __future__ import annotations

import subprocess
import sys

from quizapp.db.backup import take_backup
from quizapp.db.files import check_file
from quizapp.db.store import Store


def _touch_from_another_process(path) -> None:
    code = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('SELECT count(*) FROM cards').fetchall(); c.close()"
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)


def test_a_backup_taken_while_the_app_has_the_database_open_loses_nothing(tmp_path):
    path = tmp_path / "progress" / "quizapp.db"
    store = Store.open(path)
    store.sync_items([(f"c{n}", "d", "basic") for n in range(50)])
    with store.write() as c:
        c.execute("UPDATE cards SET reps = reps + 1")
    take_backup(path, "manual")
    check_file(path)
    _touch_from_another_process(path)
    # The app's connection still works, and what it writes next is there for everyone.
    with store.write() as c:
        c.execute("UPDATE cards SET reps = reps + 1")
    assert store.scalar("SELECT sum(reps) FROM cards") == 100
    # A second connection in the same process (the next backup, the dashboard's reader) sees it too.
    assert take_backup(path, "manual").written
    reader = Store.open(path)
    assert reader.scalar("SELECT sum(reps) FROM cards") == 100
    reader.close()
    store.close()
    again = Store.open(path)
    assert again.scalar("SELECT sum(reps) FROM cards") == 100
    assert again.scalar("PRAGMA integrity_check") == "ok"
    again.close()
