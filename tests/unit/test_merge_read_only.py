"""`merge` reads the other database without writing beside it: read-only, immutable where it must be."""

from __future__ import annotations

import os
import sqlite3
from datetime import timedelta
from pathlib import Path

from quizapp.cli.main import main
from quizapp.db import files
from quizapp.db.files import read_only_uri
from quizapp.session import open_workspace
from quizapp.workspace import Workspace
from tests.support.decks import FIXED_NOW, SMALL_DECK, Clock, write_deck


def _workspace(tmp_path: Path, name: str, answers: int) -> Workspace:
    ws = Workspace(tmp_path / name, (tmp_path / name / "decks",), "test")
    write_deck(ws.decks_dir, "small.yaml", SMALL_DECK)
    opened = open_workspace(ws)
    study = opened.study(Clock(FIXED_NOW + timedelta(hours=answers)))
    for _ in range(answers):
        study.answer(study.next_item().id, 3, 1000)
    opened.store.close()
    return ws


def test_merge_leaves_no_wal_or_shm_beside_the_other_database(tmp_path, capsys):
    laptop, desktop = _workspace(tmp_path, "laptop", 3), _workspace(tmp_path, "desktop", 1)
    before = sorted(os.listdir(laptop.db_path.parent))
    assert main(["--home", str(desktop.home), "merge", str(laptop.db_path)]) == 0
    assert "merged 3 answers" in capsys.readouterr().out
    assert sorted(os.listdir(laptop.db_path.parent)) == before
    assert not Path(f"{laptop.db_path}-wal").exists() and not Path(f"{laptop.db_path}-shm").exists()


def test_the_other_database_is_opened_read_only_and_immutable_in_a_read_only_folder(tmp_path, monkeypatch):
    db = tmp_path / "other.db"
    sqlite3.connect(db).close()
    Path(f"{db}-wal").write_bytes(b"")  # something may have it open: immutable only if it must
    assert read_only_uri(db).endswith("?mode=ro")
    real_access = os.access
    monkeypatch.setattr(files.os, "access", lambda p, mode: False if Path(p) == tmp_path else real_access(p, mode))
    assert read_only_uri(db).endswith("?mode=ro&immutable=1")


def test_a_database_another_program_has_open_still_merges_its_latest_answers(tmp_path, capsys):
    laptop, desktop = _workspace(tmp_path, "laptop", 2), _workspace(tmp_path, "desktop", 1)
    holder = sqlite3.connect(laptop.db_path)  # keeps the -wal and -shm there, as a running quizapp does
    holder.execute("SELECT count(*) FROM review_log").fetchone()
    try:
        assert main(["--home", str(desktop.home), "merge", str(laptop.db_path)]) == 0
        assert "merged 2 answers" in capsys.readouterr().out
    finally:
        holder.close()
