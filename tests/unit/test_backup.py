"""Backups: consistent copies, skipped when nothing changed, thinned, restorable; migrations back up
first and roll back whole when they fail."""

from __future__ import annotations

import os
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from quizapp.cli.main import main
from quizapp.db.backup import (
    Backup,
    BackupPolicy,
    backups_to_keep,
    list_backups,
    restore_backup,
    take_backup,
)
from quizapp.db.schema import SCHEMA_VERSION, migrations
from quizapp.db.store import Store
from quizapp.errors import StoreError
from quizapp.session import open_workspace
from tests.support.databases import old_database


def rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def answer_some(study, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        item = study.next_item()
        ids.append(study.answer(item.id, 3, 1500).id)
        study.clock.advance(minutes=15)
    return ids


def test_backup_holds_every_answer_and_is_a_plain_checked_file(opened, study, workspace):
    answered = answer_some(study, 3)
    outcome = take_backup(workspace.db_path)
    assert outcome.written
    path = outcome.backup.path
    assert path.parent == workspace.backups_dir
    assert sorted(r[0] for r in rows(path, "SELECT id FROM review_log")) == sorted(answered)
    assert rows(path, "PRAGMA quick_check") == [("ok",)]
    # A plain rollback-journal file: no -wal companion to forget when it is copied elsewhere.
    assert rows(path, "PRAGMA journal_mode") == [("delete",)]
    assert not Path(str(path) + "-wal").exists()
    assert [b.path for b in list_backups(workspace.backups_dir)] == [path]


def test_backup_taken_during_an_open_transaction_is_consistent(opened, study, workspace):
    answer_some(study, 1)
    other = sqlite3.connect(workspace.db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE cards SET reps = 99")
    outcome = take_backup(workspace.db_path)  # a reader: WAL lets it run beside the writer
    other.execute("ROLLBACK")
    other.close()
    assert rows(outcome.backup.path, "SELECT MAX(reps) FROM cards") == [(1,)]
    assert rows(outcome.backup.path, "PRAGMA quick_check") == [("ok",)]


def test_no_backup_is_written_when_nothing_changed(opened, study, workspace):
    first = take_backup(workspace.db_path)
    again = take_backup(workspace.db_path, "periodic")
    assert first.written and not again.written
    assert again.backup == first.backup
    assert len(list_backups(workspace.backups_dir)) == 1

    item = study.next_item()
    study.answer(item.id, 3)
    assert take_backup(workspace.db_path, "periodic").written
    # Changes that add no answer count too: suspending a card, a setting.
    study.suspend(item.id)
    assert take_backup(workspace.db_path, "periodic").written
    opened.store.set_setting("theme", "dark")
    assert take_backup(workspace.db_path, "periodic").written
    assert not take_backup(workspace.db_path, "periodic").written
    assert len(list_backups(workspace.backups_dir)) == 4


def test_undo_then_a_new_answer_is_a_change(opened, study, workspace):
    item = study.next_item()
    study.answer(item.id, 3)
    take_backup(workspace.db_path)
    study.undo()
    study.answer(item.id, 1)  # same number of answers, same largest rowid
    assert take_backup(workspace.db_path).written


def test_backups_taken_at_the_same_moment_are_all_sound(opened, study, workspace):
    answer_some(study, 2)
    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(lambda _: take_backup(workspace.db_path, force=True), range(4)))
    assert all(o.written for o in outcomes)
    for backup in list_backups(workspace.backups_dir):
        assert rows(backup.path, "PRAGMA quick_check") == [("ok",)]
        assert rows(backup.path, "SELECT COUNT(*) FROM review_log") == [(2,)]
    assert not list(workspace.backups_dir.glob(".*.partial"))


def test_a_half_written_copy_left_by_a_kill_is_cleared_later(opened, study, workspace):
    workspace.backups_dir.mkdir(parents=True)
    leftover = workspace.backups_dir / ".quizapp-20260101-000000-periodic-123-abcd.partial"
    leftover.write_bytes(b"SQLite format 3\x00half")
    os.utime(leftover, (time.time() - 7200, time.time() - 7200))
    take_backup(workspace.db_path)
    assert not leftover.exists()


def _fake(taken: datetime) -> Backup:
    return Backup(Path(f"/b/{taken.isoformat()}.db"), taken, "periodic", "00000000")


def test_thinning_keeps_recent_daily_weekly_and_monthly_copies():
    now = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)
    hourly = [_fake(now - timedelta(hours=h)) for h in range(0, 24 * 800)]
    policy = BackupPolicy(recent=10, daily=14, weekly=8, monthly=12)
    kept = backups_to_keep(hourly, policy)
    by_path = {b.path: b for b in hourly}
    kept_times = sorted((by_path[p].taken_at for p in kept), reverse=True)

    assert set(b.path for b in hourly[:10]) <= kept
    local_days = {t.astimezone().date() for t in kept_times}
    for d in range(1, 13):  # every one of the last days
        assert (now - timedelta(days=d)).astimezone().date() in local_days
    months = {(t.astimezone().year, t.astimezone().month) for t in kept_times}
    assert len(months) == 12
    assert len(kept) <= 10 + 14 + 8 + 12
    assert kept_times[-1] > now - timedelta(days=366)


def test_thinning_deletes_old_copies_on_disk(opened, study, workspace):
    start = datetime(2026, 1, 1, 9, tzinfo=timezone.utc)
    policy = BackupPolicy(recent=2, daily=3, weekly=0, monthly=0)
    for day in range(6):
        item = study.next_item()
        study.answer(item.id, 3)
        take_backup(workspace.db_path, "periodic", now=start + timedelta(days=day), retention=policy)
    left = list_backups(workspace.backups_dir)
    assert [b.taken_at.date().day for b in left] == [6, 5, 4]
    # Files that are not backups are never touched.
    (workspace.backups_dir / "notes.txt").write_text("mine")
    take_backup(workspace.db_path, "manual", force=True, retention=policy)
    assert (workspace.backups_dir / "notes.txt").read_text() == "mine"


def test_restore_backs_up_the_current_state_first_and_live_connections_see_the_old_one(opened, study, workspace):
    early = answer_some(study, 2)
    first = take_backup(workspace.db_path).backup
    late = answer_some(study, 3)

    done = restore_backup(workspace.db_path, first.name[:24])
    assert done.restored == first
    assert done.saved is not None and done.saved.reason == "before-restore"
    # The progress that was replaced is in the backup restore took.
    assert sorted(r[0] for r in rows(done.saved.path, "SELECT id FROM review_log")) == sorted(early + late)
    # The store that had the database open (the running app) reads the restored contents.
    assert sorted(r["id"] for r in opened.store.query("SELECT id FROM review_log")) == sorted(early)
    assert opened.store.scalar("PRAGMA quick_check") == "ok"
    assert opened.store.scalar("PRAGMA journal_mode") == "wal"
    # And studying goes on.
    answer_some(study, 1)
    assert opened.store.log_count() == 3


def test_restore_replaces_a_damaged_database_and_keeps_it_aside(workspace):
    opened = open_workspace(workspace)
    study = opened.study()
    answer_some_ids = [study.answer(study.next_item().id, 3).id]
    backup = take_backup(workspace.db_path).backup
    opened.store.close()
    data = bytearray(workspace.db_path.read_bytes())
    data[:16] = b"garbage garbage!"
    workspace.db_path.write_bytes(bytes(data))

    with pytest.raises(StoreError, match="not an SQLite file"):
        Store.open(workspace.db_path)
    done = restore_backup(workspace.db_path, backup.name)
    assert done.saved is None and done.saved_damaged is not None
    assert done.saved_damaged.read_bytes()[:16] == b"garbage garbage!"
    store = Store.open(workspace.db_path)
    assert [r["id"] for r in store.query("SELECT id FROM review_log")] == answer_some_ids
    store.close()


def test_restore_refuses_an_unknown_or_ambiguous_name(opened, study, workspace):
    take_backup(workspace.db_path)
    answer_some(study, 1)
    take_backup(workspace.db_path)
    with pytest.raises(StoreError, match="no backup called"):
        restore_backup(workspace.db_path, "nope")
    with pytest.raises(StoreError, match="matches 2 backups"):
        restore_backup(workspace.db_path, "quizapp-")
    assert opened.store.log_count() == 1


def test_backup_into_an_unwritable_place_says_so_and_touches_nothing(opened, study, workspace):
    answer_some(study, 1)
    blocker = workspace.progress_dir / "backups"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(StoreError, match="cannot write a backup"):
        take_backup(workspace.db_path)
    assert opened.store.log_count() == 1
    assert blocker.read_text() == "a file where the folder should be"


# ------------------------------------------------------------------ migrations


def test_upgrading_an_old_database_backs_it_up_first(tmp_path):
    path = tmp_path / "progress" / "quizapp.db"
    path.parent.mkdir()
    old_database(path)
    store = Store.open(path)
    assert store.scalar("PRAGMA user_version") == SCHEMA_VERSION
    store.close()
    (backup,) = list_backups(path.parent / "backups")
    assert backup.reason == "migration"
    assert rows(backup.path, "PRAGMA user_version") == [(1,)]
    assert rows(backup.path, "SELECT id FROM review_log") == [("answer-1",)]


@pytest.fixture
def add_failing_migration():
    """Registers (when called) a migration that creates a table, writes, then fails on its last statement."""

    def m999_broken(db):
        db.executescript(
            """
            CREATE TABLE half_done (x TEXT);
            INSERT INTO settings(key, value) VALUES ('half', '1');
            UPDATE review_log SET rating = 1;
            CREATE TABLE cards (x TEXT);
            """
        )

    yield lambda: migrations._migrations.append(migrations._Migration("m999_broken", m999_broken))
    _drop_broken()


def _drop_broken() -> None:
    migrations._migrations[:] = [m for m in migrations._migrations if m.name != "m999_broken"]


def test_a_migration_failing_halfway_is_rolled_back_and_the_backup_is_there(tmp_path, add_failing_migration):
    path = tmp_path / "progress" / "quizapp.db"
    path.parent.mkdir()
    old_database(path)
    add_failing_migration()
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    message = str(caught.value)
    assert "rolled back" in message and "progress is as it was" in message
    (backup,) = list_backups(path.parent / "backups")
    assert str(backup.path) in message
    # Nothing of the failed upgrade stayed, not even the migrations before the broken one.
    tables = {r[0] for r in rows(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "half_done" not in tables and "attempts" not in tables
    assert rows(path, "SELECT rating FROM review_log") == [(3,)]
    assert rows(path, "SELECT value FROM settings WHERE key = 'half'") == []
    assert rows(path, "PRAGMA user_version") == [(1,)]
    assert rows(backup.path, "SELECT id, rating FROM review_log") == [("answer-1", 3)]


def test_after_a_failed_upgrade_a_fixed_version_opens_the_database(tmp_path, add_failing_migration):
    path = tmp_path / "quizapp.db"
    old_database(path)
    add_failing_migration()
    with pytest.raises(StoreError):
        Store.open(path)
    _drop_broken()  # the fixed release no longer ships the broken migration
    store = Store.open(path)
    assert store.scalar("SELECT rating FROM review_log") == 3
    assert "attempts" in store.db.table_names()
    store.close()


def test_the_migration_backup_is_skipped_for_a_new_empty_database(tmp_path):
    Store.open(tmp_path / "quizapp.db").close()
    assert list_backups(tmp_path / "backups") == []


# ------------------------------------------------------------------ the commands


def test_backup_and_restore_commands(opened, study, workspace, capsys):
    home = ["--home", str(workspace.home)]
    assert main([*home, "restore"]) == 0
    assert "no backups yet" in capsys.readouterr().out

    answer_some(study, 2)
    assert main([*home, "backup"]) == 0
    out = capsys.readouterr().out
    assert "backed up to" in out and "2 answers" in out
    assert main([*home, "backup"]) == 0
    assert "nothing changed" in capsys.readouterr().out

    answer_some(study, 1)
    assert main([*home, "restore"]) == 0
    listing = capsys.readouterr().out
    (name,) = [w for w in listing.split() if w.startswith("quizapp-") and w.endswith(".db")]
    assert "2 answers" in listing

    assert main([*home, "restore", name]) == 0
    out = capsys.readouterr().out
    assert "the progress you had is kept as quizapp-" in out and "before-restore" in out
    assert opened.store.log_count() == 2
    assert main([*home, "restore", "no-such-backup"]) == 1
    assert "no backup called" in capsys.readouterr().err


# ------------------------------------------------------------------ while studying


async def test_the_app_backs_up_at_start_and_periodically_while_studying(opened, workspace, clock, monkeypatch):
    import quizapp.tui.app
    from quizapp.tui.app import QuizApp

    monkeypatch.setattr(quizapp.tui.app, "START_BACKUP_DELAY", 0.05)
    app = QuizApp(opened, clock=clock, start="review")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        first = list_backups(workspace.backups_dir)
        assert [b.reason for b in first] == ["periodic"]

        await pilot.press("space", "3")
        await pilot.pause()
        app.backup_in_background()  # what the timer calls every few minutes
        await app.workers.wait_for_complete()
        after_answer = list_backups(workspace.backups_dir)
        assert len(after_answer) == 2
        assert rows(after_answer[0].path, "SELECT COUNT(*) FROM review_log") == [(1,)]

        app.backup_in_background()  # nothing changed since: nothing written
        await app.workers.wait_for_complete()
        assert list_backups(workspace.backups_dir) == after_answer
