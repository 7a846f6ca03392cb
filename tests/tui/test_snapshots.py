"""Every screen as a user sees it, at 80x24 and 120x36 (pytest-textual-snapshot).

Deterministic: the small test deck, a fixed clock in UTC, quiz rounds drawn with a seeded random,
cursor blink off. After an intended change of a screen, look at the new pictures and update them
with ``pytest tests/tui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import random
import time
from functools import partial

import pytest
from textual.widgets import Input, TextArea

from quizapp.session import open_workspace
from quizapp.tui.app import QuizApp
from tests.support.decks import FIXED_NOW, Clock

SIZES = [(80, 24), (120, 36)]


@pytest.fixture(autouse=True)
def _utc(monkeypatch):
    """Study days and times shown in local time: the same pictures in every time zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(autouse=True)
def _seeded_quiz(monkeypatch):
    """Quiz rounds and FSRS's interval fuzz (py-fsrs draws it from ``random``) the same every run."""
    import quizapp.tui.screens.quiz as quiz_screen

    random.seed(13)
    monkeypatch.setattr(quiz_screen, "build_round", partial(quiz_screen.build_round, rng=random.Random(7)))


@pytest.fixture
def app(workspace):
    """The app over the small deck with a little history: two cards answered yesterday, one today."""
    opened = open_workspace(workspace)
    clock = Clock(FIXED_NOW)
    study = opened.study(clock)
    clock.advance(days=-1)
    study.answer("s-basic", 3, 4000)
    study.answer("s-choice", 1, 6000)
    clock.advance(days=1)
    study.answer("s-choice", 3, 5000)
    yield QuizApp(opened, clock=clock)
    opened.store.close()


async def steady(pilot) -> None:
    """No blinking cursors, and every pending refresh done."""
    for widget in pilot.app.query("Input, TextArea"):
        if isinstance(widget, (Input, TextArea)):
            widget.cursor_blink = False
    await pilot.pause()


def screen_after(*keys: str):
    async def run(pilot) -> None:
        await pilot.pause()
        for key in keys:
            if key.startswith("TYPE:"):
                pilot.app.screen.query_one(TextArea).insert(key[5:])
                await pilot.pause()
                # The draft saved now, not whenever the clock's tick comes: "draft saved" every run.
                pilot.app.screen.save_draft(force=True)
                pilot.app.screen.update_clock()
            else:
                await pilot.press(key)
            await pilot.pause()
        for widget in pilot.app.screen.query("Input, TextArea"):
            widget.cursor_blink = False
        await steady(pilot)

    return run


ANSWER = "Shard the parameters so the model fits in the memory of each GPU, and watch throughput."

SCREENS = {
    "home": (),
    "review_question": ("r",),
    "review_answer": ("r", "space"),
    "quiz": ("z",),
    "interview_chooser": ("i",),
    "interview_prompt": ("i", "enter", "TYPE:" + ANSWER[:40]),
    "interview_result": ("i", "enter", "TYPE:" + ANSWER, "ctrl+s"),
    **{f"dashboard_{n}_{tab}": ("d", str(n)) for n, tab in enumerate(
        ("overview", "decks", "topics", "weakest", "interviews", "plan"), 1)},
    "browser": ("b", "down", "down"),
    "settings": ("s", "down"),
    "custom_study": ("c",),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(SCREENS))
def test_screen(name, size, app, snap_compare):
    assert snap_compare(app, terminal_size=size, run_before=screen_after(*SCREENS[name]))
