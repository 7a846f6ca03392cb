"""``python -m bench``'s event-loop stall figure: a blocked loop shows as a stall as long as the block,
and driving the TUI through every step measures each one and comes back home."""

from __future__ import annotations

import time

from textual.app import App

from bench.stalls import HOME, TICK, Gaps, _bare, _ours, steps
from quizapp.session import open_workspace


async def test_a_blocked_event_loop_is_measured_as_a_stall_of_that_length():
    app: App = App()
    async with app.run_test() as pilot:
        gaps = Gaps()
        timer = app.set_interval(TICK, gaps.tick)
        await pilot.pause(0.05)
        gaps.take()
        await pilot.pause(0.1)
        assert gaps.take() < 120  # idle: only the timer's own period and scheduling noise
        app.call_later(lambda: time.sleep(0.2))
        await pilot.pause(0.3)
        assert gaps.take() >= 200
        timer.stop()


async def test_the_bare_reference_idles_without_a_long_stall():
    assert await _bare(0.2) < 150


async def test_every_step_is_measured_on_a_small_workspace(workspace):
    stalls, took = await _ours(workspace)
    assert list(steps()) == ["review", "answering", "quiz", "interview", "dashboard", "browser", "save a fit"]
    assert list(stalls) == [*steps(), HOME]
    assert all(value > 0 for value in stalls.values()) and all(seconds > 0 for seconds in took.values())
    opened = open_workspace(workspace)
    try:
        assert opened.store.log_count() > 0  # the answering step answered
    finally:
        opened.store.close()
