"""Odd files where decks and progress belong get a one-line message, never a traceback or a hang."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.decks import SMALL_DECK, write_deck


def _run(home: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "quizapp", "--home", str(home), *args],
                          capture_output=True, text=True, timeout=timeout, check=False)


def test_a_fifo_and_a_symlink_loop_among_the_decks_are_skipped_with_a_message(tmp_path):
    from quizapp.decks.loader import load_decks

    decks = tmp_path / "decks"
    write_deck(decks, "small.yaml", SMALL_DECK)
    os.mkfifo(decks / "x.yaml")  # reading it would wait for a writer forever
    os.symlink(decks / "loop-b.yaml", decks / "loop-a.yaml")
    os.symlink(decks / "loop-a.yaml", decks / "loop-b.yaml")
    (decks / "folder.yaml").mkdir()
    loaded = load_decks([decks])
    assert [d.id for d in loaded.decks] == ["small"]
    text = "\n".join(loaded.problems)
    assert "x.yaml:1:1 not a regular file" in text and "folder.yaml:1:1 not a regular file" in text
    assert "loop-a.yaml:1:1" in text and "loop-b.yaml:1:1" in text


@pytest.mark.slow
def test_check_and_decks_do_not_hang_on_a_fifo(tmp_path):
    write_deck(tmp_path / "decks", "small.yaml", SMALL_DECK)
    os.mkfifo(tmp_path / "decks" / "x.yaml")
    for command in ("check", "decks"):
        run = _run(tmp_path, command, timeout=60)
        assert "not a regular file" in run.stderr and "Traceback" not in run.stderr


def test_a_folder_where_the_progress_database_belongs_is_a_message(workspace, capsys):
    from quizapp.cli.main import main

    (workspace.db_path).mkdir(parents=True)
    assert main(["--home", str(workspace.home), "decks"]) == 1
    err = capsys.readouterr().err
    assert "is not a file" in err and str(workspace.db_path) in err


def test_merging_an_empty_file_says_it_is_not_a_database(opened, workspace, capsys):
    from quizapp.cli.main import main

    empty = workspace.home / "other.db"
    empty.write_bytes(b"")
    assert main(["--home", str(workspace.home), "merge", str(empty)]) == 1
    assert "not a progress database" in capsys.readouterr().err
