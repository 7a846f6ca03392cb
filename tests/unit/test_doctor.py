"""``quizapp doctor``: finds what is wrong, rebuilds card states from the log, never deletes an answer,
and changes nothing on a second run."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from quizapp.cli.main import main
from quizapp.db.backup import fingerprint, list_backups
from quizapp.db.records import new_id, to_iso
from quizapp.db.store import Store
from quizapp.repair.doctor import examine
from quizapp.scheduling.scheduler import Scheduler, load_settings


def answer_all(study, rounds: int = 3) -> None:
    for _ in range(rounds):
        while (item := study.next_item()) is not None:
            study.answer(item.id, 3, 2000)
        study.clock.advance(days=2)


def states_match_replay(store: Store) -> list[str]:
    """The cards whose cached state is not what their log replays to (or cannot even be read)."""
    scheduler = Scheduler(load_settings(store))
    wrong = []
    for (card_id,) in store.conn.execute("SELECT id FROM cards").fetchall():
        try:
            ok = store.card_state(card_id) == scheduler.replay(card_id, store.log_for(card_id))
        except ValueError:
            ok = False
        if not ok:
            wrong.append(card_id)
    return wrong


def log_ids(store: Store) -> list[str]:
    return sorted(r[0] for r in store.conn.execute("SELECT id FROM review_log"))


def kinds(report) -> dict[str, tuple[int, bool]]:
    return {f.kind: (f.count, f.fixed) for f in report.findings}


def test_a_healthy_database_has_nothing_to_report(opened, study, clock):
    answer_all(study)
    report = examine(opened.store, now=clock())
    assert report.findings == [] and not report.changed
    assert report.answers_checked == opened.store.log_count() > 0


def test_card_states_that_disagree_with_their_log_are_rebuilt_once(opened, study, clock, workspace):
    answer_all(study)
    store = opened.store
    answers = log_ids(store)
    with store.write() as c:
        c.execute("UPDATE cards SET stability = stability * 3 WHERE id = 's-basic'")
        c.execute("UPDATE cards SET due = '2099-01-01T00:00:00.000000+00:00', reps = 0 WHERE id = 's-cloze'")
        c.execute("UPDATE cards SET due = 'not a time' WHERE id = 's-choice'")
    assert set(states_match_replay(store)) == {"s-basic", "s-cloze", "s-choice"}

    report = examine(store, now=clock(), backup=lambda: "taken")
    assert kinds(report) == {"state": (3, True)}
    assert report.backup == "taken"
    assert states_match_replay(store) == []
    assert log_ids(store) == answers

    before = fingerprint(store.conn)
    again = examine(store, now=clock(), backup=lambda: pytest.fail("nothing to repair, so no backup"))
    assert again.findings == [] and not again.changed
    assert fingerprint(store.conn) == before


def test_answers_without_a_card_row_get_one_and_keep_their_history(opened, study, clock):
    answer_all(study, rounds=1)
    store = opened.store
    with store.write() as c:
        for minutes in (0, 10):
            c.execute(
                "INSERT INTO review_log(id, card_id, rating, reviewed_at) VALUES (?, 'ghost-card', 3, ?)",
                [new_id(), to_iso(clock() - timedelta(days=3, minutes=-minutes))],
            )
    report = examine(store, now=clock())
    assert kinds(report)["log-orphan"] == (1, True)
    ghost = store.card_row("ghost-card")
    assert ghost["present"] == 0 and ghost["reps"] == 2
    assert states_match_replay(store) == []

    again = examine(store, now=clock())
    assert not again.changed
    assert kinds(again) == {"orphan": (1, False)}  # reported, kept, never deleted


def test_future_times_impossible_ratings_and_unreadable_times_are_reported_and_kept(opened, study, clock):
    answer_all(study, rounds=1)
    store = opened.store
    store.conn.execute("PRAGMA ignore_check_constraints = ON")
    with store.write() as c:
        c.execute(
            "INSERT INTO review_log(id, card_id, rating, reviewed_at) VALUES ('from-the-future', 's-basic', 3, ?)",
            [to_iso(clock() + timedelta(days=30))],
        )
        c.execute(
            "INSERT INTO review_log(id, card_id, rating, reviewed_at) VALUES ('rating-seven', 's-basic', 7, ?)",
            [to_iso(clock())],
        )
        c.execute(
            "INSERT INTO review_log(id, card_id, rating, reviewed_at) VALUES ('when', 's-basic', 2, 'last tuesday')"
        )
    store.conn.execute("PRAGMA ignore_check_constraints = OFF")
    answers = log_ids(store)

    report = examine(store, now=clock())
    found = kinds(report)
    assert found["future"] == (1, False)
    assert found["rating"] == (1, False)
    assert found["time"] == (1, False)
    # The future answer is a real answer with a wrong date: the card's state includes it.
    assert found["state"] == (1, True)
    assert log_ids(store) == answers
    assert "rating-seven" in " ".join(next(f for f in report.findings if f.kind == "rating").examples)

    again = examine(store, now=clock())
    assert not again.changed
    assert {k for k, (_, fixed) in kinds(again).items()} == {"future", "rating", "time"}
    assert log_ids(store) == answers


def test_unreadable_settings_stop_the_rebuild(opened, study, clock):
    answer_all(study, rounds=1)
    store = opened.store
    with store.write() as c:
        c.execute("INSERT OR REPLACE INTO settings(key, value) VALUES ('study', '{\"desired_retention\": 5}')")
        c.execute("UPDATE cards SET stability = 1234 WHERE id = 's-basic'")
    report = examine(store, now=clock())
    assert "settings" in kinds(report)
    assert not report.changed
    assert store.card_state("s-basic").stability == 1234


def _corrupt_middle_page(path) -> None:
    data = bytearray(path.read_bytes())
    page = 4096
    pages = len(data) // page
    for n in range(pages // 2, pages // 2 + 3):
        data[n * page + 8 : n * page + 400] = b"\xa5" * 392
    path.write_bytes(bytes(data))


def test_a_damaged_file_is_reported_with_the_way_out_and_not_written(workspace, study, capsys):
    # A larger log, so the file has pages to damage away from the header.
    with study.store.write() as c:
        c.executemany(
            "INSERT INTO review_log(id, card_id, rating, reviewed_at, prev) VALUES (?, 's-basic', 3, ?, ?)",
            [[new_id(), to_iso(study.clock() + timedelta(minutes=n)), "x" * 200] for n in range(1500)],
        )
    assert main(["--home", str(workspace.home), "backup"]) == 0
    study.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    study.store.close()
    capsys.readouterr()
    _corrupt_middle_page(workspace.db_path)
    damaged = hashlib.sha256(workspace.db_path.read_bytes()).hexdigest()

    assert main(["--home", str(workspace.home), "doctor"]) == 1
    out = capsys.readouterr().out
    assert "damaged" in out or "integrity" in out
    assert "quizapp restore" in out
    assert list_backups(workspace.backups_dir)[0].name in out or "integrity check failed" in out
    assert hashlib.sha256(workspace.db_path.read_bytes()).hexdigest() == damaged


def test_doctor_command_reports_fixes_then_finds_nothing(opened, study, workspace, capsys):
    answer_all(study, rounds=1)
    with opened.store.write() as c:
        c.execute("UPDATE cards SET lapses = 5 WHERE id = 's-basic'")
    home = ["--home", str(workspace.home)]

    assert main([*home, "doctor", "--check"]) == 1
    out = capsys.readouterr().out
    assert "found (1): card states that disagree" in out and "s-basic" in out
    assert opened.store.card_state("s-basic").lapses == 5

    assert main([*home, "doctor"]) == 0
    out = capsys.readouterr().out
    assert "fixed (1): card states" in out and "backed up first as quizapp-" in out
    assert list_backups(workspace.backups_dir)[0].reason == "doctor"
    assert opened.store.card_state("s-basic").lapses == 0

    assert main([*home, "doctor"]) == 0
    assert "no problems found" in capsys.readouterr().out


def test_doctor_without_a_database_says_so(tmp_path, capsys):
    (tmp_path / "decks").mkdir()
    assert main(["--home", str(tmp_path), "doctor"]) == 0
    assert "no progress database" in capsys.readouterr().out
    assert not (tmp_path / "progress" / "quizapp.db").exists()


def test_truncated_database_is_refused_with_a_message(workspace, study, capsys):
    for _ in range(3):
        study.answer(study.next_item().id, 3)
    study.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    study.store.close()
    data = workspace.db_path.read_bytes()
    workspace.db_path.write_bytes(data[: len(data) // 2])
    code = main(["--home", str(workspace.home), "doctor"])
    captured = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in captured.out + captured.err
    assert "damaged" in captured.out or "integrity" in captured.out
    assert len(workspace.db_path.read_bytes()) == len(data) // 2



def test_bad_rows_do_not_stop_the_backup_before_a_repair(opened, study, workspace, capsys):
    answer_all(study, rounds=1)
    store = opened.store
    store.conn.execute("PRAGMA ignore_check_constraints = ON")
    store.conn.execute(
        "INSERT INTO review_log(id, card_id, rating, reviewed_at) VALUES ('rating-nine', 's-basic', 9, ?)",
        [to_iso(study.clock())],
    )
    store.conn.execute("PRAGMA ignore_check_constraints = OFF")
    store.conn.execute("UPDATE cards SET reps = 40 WHERE id = 's-cloze'")

    assert main(["--home", str(workspace.home), "doctor"]) == 0
    out = capsys.readouterr().out
    assert "fixed (1): card states" in out and "found (1): answers with an impossible rating" in out
    (backup,) = list_backups(workspace.backups_dir)
    # The backup is a faithful copy, bad row and all.
    copy = Store.open(backup.path)
    assert copy.scalar("SELECT rating FROM review_log WHERE id = 'rating-nine'") == 9
    copy.close()
    assert store.card_state("s-cloze").reps == len(store.log_for("s-cloze")) < 40
