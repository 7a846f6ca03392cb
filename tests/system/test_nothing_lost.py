"""Nothing lost: undo agrees with the log, a refused command writes nothing, first starts race safely,
safety copies are kept, restore refuses while the workspace is open, a swapped file stops writing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from quizapp.db.store import Store
from quizapp.repair.doctor import examine
from quizapp.scheduling.replay import same_state


def test_undo_after_a_quiz_answer_leaves_the_state_the_remaining_log_replays_to(study):
    study.answer("s-basic", 3)
    study.clock.advance(minutes=5)
    study.record("s-basic", 1, mode="quiz")  # a wrong quiz answer moves the schedule
    study.clock.advance(minutes=1)
    study.undo()  # takes back the review answer only
    log = study.store.log_for("s-basic")
    assert [e.mode for e in log] == ["quiz"]
    replayed = study.scheduler.replay("s-basic", log)
    assert same_state(study.store.card_state("s-basic"), replayed)
    report = examine(study.store, fix=False)
    assert not [f for f in report.findings if f.kind == "state"]


def test_a_plan_date_too_far_away_is_refused_and_nothing_is_saved(workspace, capsys):
    from quizapp.cli.main import main

    assert main(["--home", str(workspace.home), "plan", "--date", "9999-12-31"]) == 1
    err = capsys.readouterr().err
    assert "ten years" in err and "Traceback" not in err
    store = Store.open(workspace.db_path)
    try:
        assert store.get_setting("plan") is None
    finally:
        store.close()
    with pytest.raises(SystemExit) as exited:  # argparse's usage error
        main(["--home", str(workspace.home), "stats", "--top", "-1"])
    assert exited.value.code == 2
    assert "positive" in capsys.readouterr().err


def test_a_far_plan_left_by_an_older_version_does_not_break_stats_or_plan(workspace, capsys):
    from quizapp.cli.main import main

    store = Store.open(workspace.db_path)
    store.set_setting("plan", {"day": "9999-12-31", "target": 0.9})
    store.close()
    assert main(["--home", str(workspace.home), "stats"]) == 0
    assert main(["--home", str(workspace.home), "plan"]) == 0
    assert "No interview date" in capsys.readouterr().out


def test_two_first_starts_adding_the_same_cards_at_once_both_succeed(tmp_path, monkeypatch):
    path = tmp_path / "progress" / "quizapp.db"
    first, second = Store.open(path), Store.open(path)
    items = [(f"c{n}", "deck", "basic") for n in range(50)]
    real_write = first.write

    def write_after_the_other_start():
        second.sync_items(items)  # the other process commits between our read and our write
        return real_write()

    monkeypatch.setattr(first, "write", write_after_the_other_start)
    try:
        first.sync_items(items)
        assert first.scalar("SELECT COUNT(*) FROM cards") == 50
    finally:
        first.close()
        second.close()


# ---------------------------------------------------------------- restore, backups kept


def _answers(path: Path) -> set[str]:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT id FROM review_log")}
    finally:
        conn.close()


def test_restore_refuses_while_another_quizapp_process_has_the_workspace_open(opened, study, workspace):
    from quizapp.db.backup import restore_backup, take_backup
    from quizapp.errors import StoreLockedError

    study.answer("s-basic", 3)
    name = take_backup(workspace.db_path, "manual").backup.name
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from quizapp.db.store import Store; s = Store.open(sys.argv[1]); print('open', flush=True); sys.stdin.read()",
         str(workspace.db_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreLockedError, match=f"process {holder.pid}"):
            restore_backup(workspace.db_path, name)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert restore_backup(workspace.db_path, name).restored.name == name


def test_restore_says_busy_promptly_while_another_program_holds_the_write_lock(opened, study, workspace):
    import sqlite3
    import time

    from quizapp.db.backup import list_backups, restore_backup, take_backup
    from quizapp.errors import StoreLockedError

    study.answer("s-basic", 3)
    name = take_backup(workspace.db_path, "manual").backup.name
    other = sqlite3.connect(workspace.db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with pytest.raises(StoreLockedError, match="busy"):
            restore_backup(workspace.db_path, name)
        assert time.monotonic() - started < 3
        assert [b.reason for b in list_backups(workspace.backups_dir)] == ["manual"]
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_copies_before_a_restore_are_never_thinned_nor_is_the_backup_being_restored(opened, study, workspace, clock):
    from quizapp.db.backup import list_backups, restore_backup, take_backup

    study.answer("s-basic", 3)
    first = take_backup(workspace.db_path, "manual").backup.name
    study.answer("s-cloze", 3)
    second = take_backup(workspace.db_path, "manual").backup.name
    for n in range(12):  # restoring the two alternately, more times than the ten recent copies kept
        done = restore_backup(workspace.db_path, second if n % 2 else first)
        assert done.saved is not None
    before_restore = [b for b in list_backups(workspace.backups_dir) if b.reason == "before-restore"]
    assert len(before_restore) == 12
    for n in range(15):  # an hour and more of study with its periodic backups
        study.store.set_setting("n", n)
        take_backup(workspace.db_path, "periodic")
    kept = {b.name for b in list_backups(workspace.backups_dir)}
    assert {b.name for b in before_restore} <= kept


# ---------------------------------------------------------------- the file swapped under a running store


@pytest.mark.parametrize("how", ["replaced", "deleted"])
def test_answers_after_the_database_file_is_swapped_are_kept_for_merge(opened, study, workspace, how):
    import os
    import shutil

    from quizapp.repair.merge import merge_file

    before = study.answer("s-basic", 3).id
    other = workspace.home / "from-another-machine.db"
    shutil.copyfile(workspace.db_path, other)  # quiescent WAL database: the copy lacks the WAL's rows
    if how == "replaced":
        os.replace(other, workspace.db_path)  # what Syncthing does with a file from another machine
    else:
        os.unlink(workspace.db_path)
    after = study.answer("s-cloze", 3).id  # acknowledged: it must not be lost
    assert study.store.diverted is not None and study.store.diverted.exists()
    assert "quizapp merge" in study.store.diverted_message()
    assert {before, after} <= _answers(study.store.diverted)
    study.store.close()
    fresh = Store.open(workspace.db_path)
    try:
        merge_file(fresh, study.store.diverted, backups_dir=workspace.backups_dir)
        assert {before, after} <= {r["id"] for r in fresh.query("SELECT id FROM review_log")}
        assert not [f for f in examine(fresh, fix=False).findings if f.kind == "state"]
    finally:
        fresh.close()


def _checked_elsewhere(path: Path) -> str:
    """SQLite's integrity check of ``path`` run by another process, as the next quizapp would open it."""
    code = "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])"
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True)
    return done.stdout.strip() or done.stderr.strip().splitlines()[-1]


def _older_copy(workspace) -> Path:
    """Another machine's copy: this database as it is now, whole in one file."""
    import sqlite3

    other = workspace.home / "from-another-machine.db"
    source, copy = sqlite3.connect(workspace.db_path), sqlite3.connect(other)
    source.backup(copy)
    copy.execute("PRAGMA journal_mode = DELETE")
    source.close()
    copy.close()
    return other


def test_the_log_of_a_replaced_file_is_not_applied_to_the_file_that_replaced_it(opened, study, workspace):
    import os

    other = _older_copy(workspace)
    kept = {study.answer(item, 3).id for item in ("s-basic", "s-cloze", "s-choice")}  # in the log beside the file
    os.replace(other, workspace.db_path)
    after = study.answer("s-reverse", 3).id  # notices the swap
    assert study.store.diverted is not None
    assert kept | {after} <= _answers(study.store.diverted)
    # The old file's log lies beside the new file under the same name: emptied, it cannot damage it.
    assert _checked_elsewhere(workspace.db_path) == "ok"
    assert _answers(workspace.db_path) == set()


def test_closing_after_the_file_was_replaced_keeps_the_answers_and_leaves_the_new_file_sound(opened, study, workspace):
    import os

    other = _older_copy(workspace)
    answered = {study.answer(item, 3).id for item in ("s-basic", "s-cloze")}
    os.replace(other, workspace.db_path)  # and nothing more is answered before quitting
    opened.store.close()
    sides = sorted(workspace.db_path.parent.glob("quizapp-kept-*.db"))
    assert len(sides) == 1 and answered <= _answers(sides[0])
    assert _checked_elsewhere(workspace.db_path) == "ok"


def test_a_file_replaced_while_an_answer_is_being_saved_keeps_that_answer(opened, study, workspace):
    import os

    other = _older_copy(workspace)
    entry = study.record("s-basic", 3, also=lambda c: os.replace(other, workspace.db_path))
    # Committed into the replaced file's log: kept aside before the answer counts as saved.
    assert study.store.diverted is not None and entry.id in _answers(study.store.diverted)
    assert _checked_elsewhere(workspace.db_path) == "ok"


KILLED_AFTER_THE_SWAP = r"""
import sys
from pathlib import Path
from quizapp.session import open_workspace
from quizapp.workspace import Workspace
home = Path(sys.argv[1])
opened = open_workspace(Workspace(home, (home / "decks",), "test"))
study = opened.study()
for item in ("s-basic", "s-cloze", "s-choice"):
    study.record(item, 3)
print("answered", flush=True)
sys.stdin.readline()  # killed while it waits, before it writes again
"""


def test_a_quizapp_killed_after_its_file_was_replaced_leaves_a_log_that_does_not_damage_the_new_file(workspace, capsys):
    import os
    import signal
    import sqlite3

    opened = Store.open(workspace.db_path)  # the database exists, as on the other machine
    opened.close()
    other = _older_copy(workspace)
    with sqlite3.connect(other) as conn:  # where the other machine's copy went its own way
        conn.execute("CREATE TABLE elsewhere(x)")
        conn.executemany("INSERT INTO elsewhere VALUES (randomblob(600))", [()] * 300)
        conn.execute("DELETE FROM elsewhere WHERE rowid % 2 = 0")
    sqlite3.connect(other, isolation_level=None).execute("VACUUM")
    child = subprocess.Popen([sys.executable, "-c", KILLED_AFTER_THE_SWAP, str(workspace.home)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "answered"
        log = workspace.db_path.with_name(workspace.db_path.name + "-wal")
        assert log.stat().st_size > 0  # its answers are in the log, not yet in the file
        os.replace(other, workspace.db_path)  # a file-sync tool brings another machine's copy
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
    from quizapp.cli.main import main

    assert main(["--home", str(workspace.home), "decks"]) == 0
    err = capsys.readouterr().err
    stale = sorted(workspace.db_path.parent.glob("quizapp-stale-*.wal"))
    assert len(stale) == 1 and f"was moved to {stale[0]}" in err
    store = Store.open(workspace.db_path)
    try:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.stale_log is None  # once set aside, the next start finds nothing to say
        assert {r["id"] for r in store.query("SELECT id FROM review_log")} == set()
    finally:
        store.close()
    assert _checked_elsewhere(workspace.db_path) == "ok"


def test_a_workspace_copied_after_a_crash_keeps_the_answers_in_its_log(workspace, tmp_path_factory):
    """A copy of the folder has new inodes, but its log belongs to its database: it is applied."""
    import shutil
    import signal

    child = subprocess.Popen([sys.executable, "-c", KILLED_AFTER_THE_SWAP, str(workspace.home)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "answered"
        child.send_signal(signal.SIGKILL)  # a crash: the answers are only in the log
    finally:
        child.wait()
    moved = tmp_path_factory.mktemp("elsewhere") / "moved"
    shutil.copytree(workspace.home, moved)
    store = Store.open(moved / "progress" / "quizapp.db")
    try:
        assert store.stale_log is None
        assert len(store.query("SELECT id FROM review_log")) == 3
    finally:
        store.close()
