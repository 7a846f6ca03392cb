"""The progress database: refuses what is not ours without touching it, and writes answers atomically."""

import hashlib
import sqlite3
import threading

import pytest

from quizapp.db.records import LogEntry, new_id, utcnow
from quizapp.db.schema import APPLICATION_ID, SCHEMA_VERSION
from quizapp.db.store import Store
from quizapp.errors import StoreError, StoreLockedError


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_database_is_marked_ours_and_durable(tmp_path):
    store = Store.open(tmp_path / "p.db")
    c = store.conn
    assert c.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert c.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert c.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert c.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    store.close()
    # Opening again applies nothing twice.
    again = Store.open(tmp_path / "p.db")
    assert again.scalar("SELECT COUNT(*) FROM _sqlite_migrations") == SCHEMA_VERSION
    again.close()


def test_foreign_sqlite_file_is_refused_and_left_byte_for_byte(tmp_path):
    path = tmp_path / "p.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE notes (body TEXT)")
    other.execute("INSERT INTO notes VALUES ('mine')")
    other.commit()
    other.close()
    before = digest(path)
    with pytest.raises(StoreError, match="did not write"):
        Store.open(path)
    assert digest(path) == before


def test_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "p.db"
    path.write_bytes(b"hello, this is a text file\n" * 10)
    before = digest(path)
    with pytest.raises(StoreError, match="not an SQLite file"):
        Store.open(path)
    assert digest(path) == before


def test_database_from_a_newer_version_is_refused_untouched(tmp_path):
    path = tmp_path / "p.db"
    Store.open(path).close()
    c = sqlite3.connect(path)
    c.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    c.commit()
    c.close()
    before = digest(path)
    with pytest.raises(StoreError, match="newer quizapp"):
        Store.open(path)
    assert digest(path) == before


def test_answer_and_card_state_commit_together_or_not_at_all(fresh_store):
    fresh_store.sync_items([("a", "d", "basic")])
    entry = LogEntry(id=new_id(), card_id="a", rating=3, reviewed_at=utcnow())
    with pytest.raises(sqlite3.IntegrityError):
        with fresh_store.write() as c:
            c.execute("UPDATE cards SET reps = 99 WHERE id = 'a'")
            c.execute("INSERT INTO review_log(id, card_id, rating, reviewed_at) VALUES (?, 'a', 9, ?)", [entry.id, "x"])
    assert fresh_store.log_count() == 0
    assert fresh_store.card_state("a").reps == 0


def test_locked_database_waits_then_says_so_and_drops_nothing(tmp_path):
    path = tmp_path / "p.db"
    Store.open(path).close()
    store = Store.open(path, busy_timeout_ms=200)
    store.sync_items([("a", "d", "basic")])
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    entry = LogEntry(id=new_id(), card_id="a", rating=3, reviewed_at=utcnow())
    with pytest.raises(StoreLockedError, match="locked by another process"):
        store.record_answer(entry, None)
    blocker.execute("ROLLBACK")
    blocker.close()
    # Once the other writer is gone the same answer goes through.
    store.record_answer(entry, None)
    assert store.log_count() == 1
    store.close()


def test_locked_database_succeeds_when_the_lock_is_released_within_the_wait(tmp_path):
    path = tmp_path / "p.db"
    store = Store.open(path, busy_timeout_ms=5000)
    store.sync_items([("a", "d", "basic")])
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, lambda: blocker.execute("ROLLBACK")).start()
    store.record_answer(LogEntry(id=new_id(), card_id="a", rating=3, reviewed_at=utcnow()), None)
    assert store.log_count() == 1
    store.close()


def test_sync_keeps_progress_of_removed_cards_as_orphans_and_restores_them(fresh_store):
    fresh_store.sync_items([("a", "d1", "basic"), ("b", "d1", "basic")])
    fresh_store.conn.execute("UPDATE cards SET reps = 5 WHERE id = 'a'")
    fresh_store.sync_items([("b", "d1", "basic")])
    assert [o["id"] for o in fresh_store.orphans()] == ["a"]
    assert fresh_store.card_state("a").reps == 5
    # Moving it to another deck file brings it back with its progress.
    fresh_store.sync_items([("a", "d2", "basic"), ("b", "d1", "basic")])
    assert fresh_store.orphans() == []
    assert fresh_store.card_row("a")["deck_id"] == "d2"
    assert fresh_store.card_state("a").reps == 5


def test_sync_writes_nothing_when_nothing_changed(tmp_path):
    store = Store.open(tmp_path / "p.db")
    items = [(f"c{i}", "d", "basic") for i in range(100)]
    store.sync_items(items)
    changes = store.conn.total_changes
    assert store.sync_items(items) == {"added": 0, "changed": 0, "orphaned": 0}
    assert store.conn.total_changes == changes
    store.close()


def test_opening_an_up_to_date_database_needs_no_sqlite_utils(tmp_path):
    import subprocess
    import sys

    Store.open(tmp_path / "q.db").close()
    code = (
        "import sys; from quizapp.db.store import Store; s = Store.open(sys.argv[1]); "
        "s.sync_items([('a', 'd', 'basic')]); print(s.query('SELECT id, kind FROM cards')); "
        "print('sqlite_utils' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "q.db")], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[{'id': 'a', 'kind': 'basic'}]", "False"]


def test_a_sync_with_the_same_fingerprint_and_cards_is_skipped(fresh_store):
    def never():
        raise AssertionError("the items were asked for")

    items = [("a", "d", "basic"), ("b", "d", "cloze")]
    assert fresh_store.sync_items(lambda: items, fingerprint="f1")["added"] == 2
    assert fresh_store.sync_items(never, fingerprint="f1") == {"added": 0, "changed": 0, "orphaned": 0}
    # Other decks, or a card row gone from the database, sync again.
    assert fresh_store.sync_items(lambda: items[:1], fingerprint="f2")["orphaned"] == 1
    with fresh_store.write() as c:
        c.execute("DELETE FROM cards WHERE id = 'b'")
    assert fresh_store.sync_items(lambda: items, fingerprint="f2")["added"] == 1
    assert fresh_store.sync_items(never, fingerprint="f2") == {"added": 0, "changed": 0, "orphaned": 0}
