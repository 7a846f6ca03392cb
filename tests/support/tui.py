"""Helpers for driving the TUI in tests: what a screen shows, and opening the dashboard."""

from __future__ import annotations

from textual.widgets import Static

from quizapp.tui.screens.dashboard import DashboardScreen


def screen_text(app) -> str:
    """Everything the current screen shows, as plain text."""
    return "\n".join(str(w.render()) for w in app.screen.query(Static) if w.display)


async def open_dashboard(app, pilot) -> DashboardScreen:
    """Press `d` on home and wait until the dashboard's figures are in."""
    await pilot.press("d")
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, DashboardScreen) and screen.loaded
    return screen


async def wait_until(pilot, condition, seconds: float = 10.0) -> None:
    """Pause the test until ``condition()`` holds; fail after ``seconds``."""
    for _ in range(int(seconds * 50)):
        if condition():
            return
        await pilot.pause(0.02)
    assert condition(), "the screen never got there"
