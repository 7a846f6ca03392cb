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


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "quizapp", "--home", str(home), *args], capture_output=True, timeout=120
    )


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
