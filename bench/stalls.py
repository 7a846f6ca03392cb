"""The longest the event loop goes without running while the TUI is driven as a user would: opening
each screen from home, answering cards, fitting FSRS from the dashboard until the fit is saved, and
going back home after each of these (until home's counts are taken again and shown). A timer ticking
every 5 ms records the largest gap
between its ticks in each step; a bare Textual app doing nothing, with the same timer for as long,
is the reference (what the machine and Textual cost on their own). Target: under 100 ms.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from bench.timing import Summary

TICK = 0.005
"""Seconds between the timer's ticks."""
ANSWERS = 20
"""Cards answered (revealed, then Good) in the answering step."""
HOME = "back home"
"""The longest of the returns home that end each step."""


class Gaps:
    """The largest gap between a timer's ticks since the last ``take``."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.longest = 0.0

    def tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def take(self) -> float:
        """The longest gap (ms) since the last take, counting the time since the last tick."""
        self.tick()
        longest, self.longest = self.longest, 0.0
        return longest * 1000


async def settle(app: App, pilot: Pilot) -> None:
    """Wait until the app's workers are done and the screen has been drawn."""
    await pilot.pause()
    for _ in range(100):
        try:
            await app.workers.wait_for_complete()
            break
        except WorkerCancelled:  # an exclusive worker replaced by a newer one: wait for that one
            await pilot.pause()
    await pilot.pause()


async def _open(app: App, pilot: Pilot, key: str, ready: Callable[[], bool] | None = None) -> None:
    await pilot.press(key)
    await settle(app, pilot)
    for _ in range(2000):  # at most about 20 s
        if ready is None or ready():
            break
        await asyncio.sleep(0.01)
    await settle(app, pilot)


async def _answer(app: App, pilot: Pilot) -> None:
    await pilot.press("r")
    await settle(app, pilot)
    for _ in range(ANSWERS):
        await pilot.press("space")
        await pilot.press("3")
        await settle(app, pilot)


async def _save_fit(app: App, pilot: Pilot) -> None:
    """Open the dashboard, press o and wait until the fit is done (and saved, when it is better),
    then close the dialog and wait for the dashboard's figures to be read again."""
    from quizapp.tui.dialogs.optimize import OptimizeScreen
    from quizapp.tui.screens.dashboard import DashboardScreen

    await _open(app, pilot, "d", lambda: isinstance(app.screen, DashboardScreen) and app.screen.loaded)
    await _open(app, pilot, "o", lambda: isinstance(app.screen, OptimizeScreen) and app.screen.done)
    await _open(app, pilot, "escape", lambda: isinstance(app.screen, DashboardScreen) and app.screen.loaded)


def steps() -> dict[str, Callable[[App, Pilot], Awaitable[None]]]:
    """Each step starts and ends on the home screen."""
    from quizapp.tui.screens.dashboard import DashboardScreen

    def dashboard_loaded(app: App) -> Callable[[], bool]:
        return lambda: isinstance(app.screen, DashboardScreen) and app.screen.loaded

    return {
        "review": lambda app, pilot: _open(app, pilot, "r"),
        "answering": _answer,
        "quiz": lambda app, pilot: _open(app, pilot, "z"),
        "interview": lambda app, pilot: _open(app, pilot, "i"),
        "dashboard": lambda app, pilot: _open(app, pilot, "d", dashboard_loaded(app)),
        "browser": lambda app, pilot: _open(app, pilot, "b"),
        "save a fit": _save_fit,
    }


async def _ours(workspace) -> tuple[dict[str, float], dict[str, float]]:
    """(longest stall per step in ms, seconds per step)."""
    from quizapp.session import open_workspace
    from quizapp.tui.app import KEEP_CARDS_DELAY, START_BACKUP_DELAY, QuizApp
    from quizapp.tui.screens.home import HomeScreen

    opened = open_workspace(workspace)
    stalls: dict[str, float] = {}
    took: dict[str, float] = {}
    try:
        app = QuizApp(opened)
        async with app.run_test(size=(120, 36)) as pilot:
            # The start-up work (a backup, reading every deck's cards) is not part of any step.
            await asyncio.sleep(max(START_BACKUP_DELAY, KEEP_CARDS_DELAY) + 0.5)
            await settle(app, pilot)
            gaps = Gaps()
            timer = app.set_interval(TICK, gaps.tick)
            home, home_took = 0.0, 0.0
            for name, step in steps().items():
                await pilot.pause()
                gaps.take()
                started = time.perf_counter()
                await step(app, pilot)
                stalls[name] = gaps.take()
                took[name] = time.perf_counter() - started
                started = time.perf_counter()
                for _ in range(5):  # back home, whatever the step left open
                    if isinstance(app.screen, HomeScreen):
                        break
                    await pilot.press("escape")
                    await settle(app, pilot)
                while isinstance(app.screen, HomeScreen) and not app.screen.counted:
                    await asyncio.sleep(0.01)
                home = max(home, gaps.take())
                home_took += time.perf_counter() - started
            stalls[HOME], took[HOME] = home, home_took
            timer.stop()
    finally:
        opened.store.close()
    return stalls, took


async def _bare(seconds: float) -> float:
    """The longest stall (ms) of a bare Textual app doing nothing for ``seconds``, with the same timer."""
    app: App = App()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        gaps = Gaps()
        timer = app.set_interval(TICK, gaps.tick)
        await pilot.pause()
        gaps.take()
        await asyncio.sleep(seconds)
        longest = gaps.take()
        timer.stop()
    return longest


def measure(workspace, runs: int) -> tuple[dict[str, Summary], dict[str, Summary]]:
    """Per step: (our longest stalls, the bare app's longest stalls over as long), ``runs`` each."""
    ours: dict[str, list[float]] = {}
    bare: dict[str, list[float]] = {}
    for _ in range(runs):
        stalls, took = asyncio.run(_ours(workspace))
        for name, stall in stalls.items():
            ours.setdefault(name, []).append(stall)
            bare.setdefault(name, []).append(asyncio.run(_bare(took[name])))
    return ({name: Summary(v) for name, v in ours.items()}, {name: Summary(v) for name, v in bare.items()})
