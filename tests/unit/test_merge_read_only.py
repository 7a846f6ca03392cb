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


def _read_only_folder(monkeypatch, folder: Path) -> None:
    real_access = os.access
    monkeypatch.setattr(files.os, "access",
                        lambda p, mode: False if Path(p).resolve() == folder.resolve() else real_access(p, mode))


def test_the_other_database_is_opened_read_only_and_immutable_where_nothing_is_pending(tmp_path, monkeypatch):
    db = tmp_path / "other.db"
    sqlite3.connect(db).close()
    assert read_only_uri(db).endswith("?mode=ro&immutable=1")  # nothing has it open
    Path(f"{db}-shm").write_bytes(b"")
    assert read_only_uri(db).endswith("?mode=ro")  # something may have it open
    _read_only_folder(monkeypatch, tmp_path)
    assert read_only_uri(db).endswith("?mode=ro&immutable=1")  # read-only media
    Path(f"{db}-wal").write_bytes(b"")
    assert read_only_uri(db).endswith("?mode=ro")  # answers may wait in the -wal: never skipped


def test_answers_still_in_the_wal_on_read_only_media_are_merged(tmp_path, monkeypatch, capsys):
    laptop, desktop = _workspace(tmp_path, "laptop", 1), _workspace(tmp_path, "desktop", 1)
    opened = open_workspace(laptop)  # left open: its answers stay in the -wal
    study = opened.study(Clock(FIXED_NOW + timedelta(hours=5)))
    for _ in range(2):
        study.answer(study.next_item().id, 3, 1000)
    assert Path(f"{laptop.db_path}-wal").stat().st_size > 0
    _read_only_folder(monkeypatch, laptop.db_path.parent)
    try:
        assert main(["--home", str(desktop.home), "merge", str(laptop.db_path)]) == 0
        assert "merged 3 answers" in capsys.readouterr().out
    finally:
        opened.store.close()


def test_a_database_another_program_has_open_still_merges_its_latest_answers(tmp_path, capsys):
    laptop, desktop = _workspace(tmp_path, "laptop", 2), _workspace(tmp_path, "desktop", 1)
    holder = sqlite3.connect(laptop.db_path)  # keeps the -wal and -shm there, as a running quizapp does
    holder.execute("SELECT count(*) FROM review_log").fetchone()
    try:
        assert main(["--home", str(desktop.home), "merge", str(laptop.db_path)]) == 0
        assert "merged 2 answers" in capsys.readouterr().out
    finally:
        holder.close()
