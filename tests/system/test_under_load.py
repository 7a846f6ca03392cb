"""System tests under load: writer processes answering as fast as they can while another writer,
a backup, a restore or a file-sync tool acts on the same workspace. No acknowledged answer is lost,
the database passes SQLite's integrity check and the doctor finds nothing. Each prints its figures."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.decks import SMALL_DECK, write_deck
from tests.support.writers import WRITER, acknowledged, kill_writer, logged_ids, start_writer

pytestmark = pytest.mark.slow


def _workspace(tmp_path: Path) -> Path:
    write_deck(tmp_path / "decks", "small.yaml", SMALL_DECK)
    # Created and synced once, in a process of its own (an open store holds the workspace's shared
    # lock for as long as its process lives, and this one restores).
    subprocess.run([sys.executable, "-c", WRITER.replace("while not", "while False and not"), str(tmp_path)],
                   check=True, capture_output=True)
    return tmp_path


def _stop(home: Path, children: list[subprocess.Popen]) -> list[str]:
    """Ask the writers to stop (they close their store) and collect what they acknowledged."""
    (home / "stop").touch()
    said: list[str] = []
    for child in children:
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        said += acknowledged(out)
    (home / "stop").unlink()
    return said


def _until_diverted(child: subprocess.Popen) -> list[str]:
    """What the writer acknowledges until it says its answers go to a side file (it has noticed the
    swap and kept the database as it knew it there)."""
    acknowledged, deadline = [], time.monotonic() + 60
    while time.monotonic() < deadline:
        line = child.stdout.readline().strip()
        assert line, "the writer ended before it noticed the swap"
        if line == "diverted":
            return acknowledged
        acknowledged.append(line)
    raise AssertionError("the writer did not notice the swap within a minute")


def _sound(db: Path) -> None:
    """SQLite's integrity check passes and the doctor finds no state the log disagrees with."""
    from quizapp.db.store import Store
    from quizapp.repair.doctor import examine

    store = Store.open(db)
    try:
        assert store.scalar("PRAGMA integrity_check") == "ok"
        findings = [f for f in examine(store, fix=False).findings if f.kind in ("state", "damaged")]
        assert not findings, findings
    finally:
        store.close()


def test_two_writers_and_a_backup_under_load_lose_nothing(tmp_path):
    from quizapp.db.backup import list_backups, take_backup

    home = _workspace(tmp_path)
    db = home / "progress" / "quizapp.db"
    writers = [start_writer(home), start_writer(home)]
    time.sleep(0.3)
    taken = take_backup(db, "manual", backups_dir=home / "progress" / "backups")  # while both answer
    time.sleep(0.3)
    acknowledged = _stop(home, writers)
    lost = set(acknowledged) - logged_ids(db)
    print(f"\ntwo writers and a backup: {len(acknowledged)} answers acknowledged, {len(lost)} lost")
    assert len(acknowledged) > 20 and not lost
    assert taken.backup is not None and [b.reason for b in list_backups(home / "progress" / "backups")] == ["manual"]
    _sound(db)
    _sound(taken.backup.path)  # the copy taken under load is a sound database too


def test_restore_under_load_is_refused_and_works_once_the_writer_stops(tmp_path):
    from quizapp.db.backup import restore_backup, take_backup

    home = _workspace(tmp_path)
    db = home / "progress" / "quizapp.db"
    name = take_backup(db, "manual", backups_dir=home / "progress" / "backups").backup.name
    writer = start_writer(home)
    time.sleep(0.2)
    result = subprocess.run([sys.executable, "-m", "quizapp", "--home", str(home), "restore", name],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"process {writer.pid}" in result.stderr, result.stderr  # says who has the workspace open
    time.sleep(0.2)
    acknowledged = _stop(home, [writer])
    lost = set(acknowledged) - logged_ids(db)
    print(f"\nrestore under load: refused; {len(acknowledged)} answers acknowledged, {len(lost)} lost")
    assert acknowledged and not lost
    _sound(db)
    assert restore_backup(db, name).restored.name == name
    assert logged_ids(db) == set()  # the backup was taken before any answer
    _sound(db)


def test_database_swapped_under_a_running_writer_keeps_every_answer(tmp_path):
    """A file-sync tool brings another machine's copy (here: this one as it was before the round)
    and renames it over the database while a writer answers; once the writer says it noticed, it is
    killed. Every acknowledged answer is in the new database or in the side file it diverted to."""
    from quizapp.db.store import Store
    from quizapp.repair.merge import merge_file

    home = _workspace(tmp_path)
    db = home / "progress" / "quizapp.db"
    acknowledged: list[str] = []
    rounds, diverted = 5, 0
    for run in range(rounds):
        other = home / f"other-{run}.db"
        source, copy = sqlite3.connect(db), sqlite3.connect(other)
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
        source.close()
        copy.close()
        child = start_writer(home)
        time.sleep(0.15)
        os.replace(other, db)  # as a file-sync tool brings another machine's copy
        acknowledged += _until_diverted(child)
        time.sleep(0.1)
        acknowledged += kill_writer(child)
        store = Store.open(db)
        try:
            for side in sorted((home / "progress").glob("quizapp-kept-*.db")):
                merge_file(store, side, backups_dir=home / "progress" / "backups")
                side.rename(side.with_suffix(".merged"))
                diverted += 1
        finally:
            store.close()
    lost = set(acknowledged) - logged_ids(db)
    print(f"\nswap loop: {rounds} rounds, {diverted} diverted, {len(acknowledged)} answers acknowledged, {len(lost)} lost")
    assert acknowledged and diverted == rounds and not lost
    _sound(db)
