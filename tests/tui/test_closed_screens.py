"""A closed screen is freed: nothing Textual or the app keeps holds on to its widgets, so the
objects the cycle collector walks do not grow with each screen opened (its pauses grew with the
session when they did)."""

from __future__ import annotations

import gc
import weakref

from textual.widgets import Header

from quizapp.tui import app as app_module
from quizapp.tui.app import QuizApp
from quizapp.tui.screens.browse import BrowseScreen
from quizapp.tui.screens.dashboard import DashboardScreen
from quizapp.tui.screens.home import HomeScreen
from tests.support.tui import open_dashboard, wait_until


async def test_closed_screens_and_their_widgets_are_freed(opened, clock, monkeypatch):
    # The cards are read and frozen at once: what is frozen is never collected, so no screen may be
    # open at that moment.
    monkeypatch.setattr(app_module, "KEEP_CARDS_DELAY", 0.0)
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        kept: dict[str, weakref.ref] = {}
        for visit in range(2):
            dashboard = await open_dashboard(app, pilot)  # its figures are read in a thread worker
            kept[f"dashboard {visit}"] = weakref.ref(dashboard)
            kept[f"dashboard {visit}'s header"] = weakref.ref(dashboard.query_one(Header))
            kept[f"dashboard {visit}'s styles cache"] = weakref.ref(dashboard.query_one(Header)._styles_cache)
            del dashboard
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
            await pilot.press("b")
            await wait_until(pilot, lambda: isinstance(app.screen, BrowseScreen) and app.screen.index is not None)
            kept[f"browser {visit}"] = weakref.ref(app.screen)
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
        await app.workers.wait_for_complete()
        await pilot.pause()
        gc.collect()
        alive = [name for name, ref in kept.items() if ref() is not None]
        assert alive == []
        assert isinstance(app.screen, HomeScreen) and not any(isinstance(o, DashboardScreen) for o in gc.get_objects())
