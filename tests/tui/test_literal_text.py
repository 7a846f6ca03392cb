"""Text from decks, files and paths reaches the terminal literally: no escape sequence, OSC, DCS, C1
control or direction override gets through, and markup in it is never interpreted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.decks import write_deck

HOSTILE = "Evil \x1b]52;c;aGk=\x07 \x1b[2J \x1bP1$q\x1b\\ \x9b31m \u202e[/] [bold]x[/bold] [@click=app.quit]q[/]"


def _hostile_workspace(tmp_path: Path) -> Path:
    title = json.dumps(HOSTILE)
    tag = json.dumps("t\x1b]0;pwned\x07[/]")
    write_deck(tmp_path / "decks", "evil.yaml", f"""
        id: evil
        title: {title}
        cards:
          - id: e-choice
            kind: choice
            question: {title}
            choices: [{title}, b]
            answer: b
            source: x.txt
            tags: [{tag}]
          - id: e-basic
            front: {title}
            back: back
            year: 2020
            event: {title}
            source: x.txt
            tags: [{tag}]
        """)
    return tmp_path


def _no_escapes(data: bytes) -> None:
    assert b"\x1b" not in data
    assert "\x9b".encode() not in data and "\u202e".encode() not in data
    assert b"\x07" not in data


@pytest.mark.slow
def test_cli_commands_print_hostile_deck_text_literally(tmp_path):
    home = _hostile_workspace(tmp_path)
    bad = tmp_path / "decks" / "bad\x1b[2J.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    for args in (["decks"], ["check"], ["where"], ["quiz", "--tag", "nope\x1b]52;c;aGk=\x07"],
                 ["review", "--deck", "x\x1b[2J[/]"]):
        run = subprocess.run([sys.executable, "-m", "quizapp", "--home", str(home), *args],
                             capture_output=True, timeout=120, check=False)
        _no_escapes(run.stdout)
        _no_escapes(run.stderr)
        assert b"Traceback" not in run.stderr, (args, run.stderr)


async def test_palette_and_quiz_header_show_hostile_deck_titles_literally(tmp_path):
    from quizapp.session import open_workspace
    from quizapp.tui.app import QuizApp
    from quizapp.workspace import Workspace

    home = _hostile_workspace(tmp_path)
    opened = open_workspace(Workspace(home, (home / "decks",), "test"))
    try:
        app = QuizApp(opened)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"quiz deck")
            await pilot.pause(0.3)
            screen = app.export_screenshot()
            assert "\x1b" not in screen and "␛]52" in screen and "[bold]x[/bold]" in screen and "\\[/]" not in screen
            await pilot.press("enter")
            await pilot.pause(0.3)
            assert type(app.screen).__name__ == "QuizScreen"
            header = app.export_screenshot()
            assert "\x1b" not in header and "\u202e" not in header
    finally:
        opened.store.close()
