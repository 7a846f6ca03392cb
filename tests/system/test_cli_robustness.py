"""The command line where its output goes elsewhere: a closed pipe, no terminal, bad numbers, and
commands that only read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from quizapp.cli.main import main
from quizapp.session import open_workspace
from quizapp.tui.app import QuizApp
from quizapp.workspace import Workspace
from tests.support.decks import SMALL_DECK, write_deck

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.parametrize("command", [["decks"], ["stats", "--json"], ["stats", "--schema"], ["restore"]])
def test_output_into_a_closed_pipe_ends_quietly(tmp_path, command):
    write_deck(tmp_path / "decks", "small.yaml", SMALL_DECK)
    assert main(["--home", str(tmp_path), "decks"]) == 0
    assert main(["--home", str(tmp_path), "backup"]) == 0
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written, as `| head -1` after its line
    try:
        done = subprocess.run(
            [sys.executable, "-m", "quizapp", "--home", str(tmp_path), *command],
            stdout=write, stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=60,
        )
    finally:
        os.close(write)
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    assert done.returncode == 141


def test_the_tui_without_a_terminal_refuses_with_a_message(tmp_path, capsys):
    write_deck(tmp_path / "decks", "small.yaml", SMALL_DECK)
    assert main(["--home", str(tmp_path), "review"]) == 1
    err = capsys.readouterr().err
    assert "the TUI needs a terminal" in err and "Traceback" not in err


def test_where_reads_only_and_creates_no_database(tmp_path, capsys):
    assert main(["--home", str(tmp_path), "where"]) == 0
    assert not (tmp_path / "progress").exists()


@pytest.mark.parametrize("command", [["stats", "--top", "0"], ["plan", "--top", "-1"]])
def test_top_below_one_is_refused(tmp_path, capsys, command):
    write_deck(tmp_path / "decks", "small.yaml", SMALL_DECK)
    with pytest.raises(SystemExit) as exit:
        main(["--home", str(tmp_path), *command])
    assert exit.value.code == 2
    assert "must be a positive number" in capsys.readouterr().err


async def test_a_screenshot_without_a_downloads_folder_goes_to_the_workspace(tmp_path, monkeypatch, clock):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    write_deck(tmp_path / "ws" / "decks", "small.yaml", SMALL_DECK)
    opened = open_workspace(Workspace(tmp_path / "ws", (tmp_path / "ws" / "decks",), "test"))
    try:
        app = QuizApp(opened, clock=clock)
        async with app.run_test(size=(80, 24)) as pilot:
            app.action_screenshot()
            await pilot.pause()
            saved = list((tmp_path / "ws").glob("*.svg"))
            assert len(saved) == 1
            assert any(str(saved[0]) in str(n.message) for n in app._notifications)
    finally:
        opened.store.close()
