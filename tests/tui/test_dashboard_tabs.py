"""The dashboard's later tabs (mounted a frame after the overview) show the figures whichever comes
first: the figures, or the tab."""

from __future__ import annotations

from textual.widgets import DataTable

from quizapp.stats.queries import Stats, reading
from quizapp.tui.app import QuizApp
from quizapp.tui.messages import FiguresReady
from quizapp.tui.screens.dashboard import LATER_TABS, DashboardScreen
from tests.support.tui import open_dashboard


def deck_rows(screen: DashboardScreen) -> list[str]:
    table = screen.query_one("#deck-table", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_figures_ready_before_the_tabs_mount_fill_them_when_they_do(opened, clock, monkeypatch):
    def load_at_once(screen: DashboardScreen) -> None:
        # The figures are posted before the screen's first refresh, so before any later tab mounts.
        assert not screen.mounted_tabs
        with reading(screen.quiz_app.opened.store) as store:
            report = Stats(store, screen.quiz_app.opened.decks, clock=clock).report(with_plan=False)
        screen.post_message(FiguresReady(report))

    monkeypatch.setattr(DashboardScreen, "load", load_at_once)
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_dashboard(app, pilot)
        assert screen.mounted_tabs == set(LATER_TABS)
        await pilot.press("2")
        assert "Small deck" in deck_rows(screen)


async def test_tabs_mounted_before_the_figures_are_filled_when_the_figures_come(opened, clock, monkeypatch):
    original = DashboardScreen.load

    def load_once_mounted(screen: DashboardScreen) -> None:
        if screen.mounted_tabs != set(LATER_TABS):
            screen.call_after_refresh(load_once_mounted, screen)
            return
        assert not deck_rows(screen)
        original(screen)

    monkeypatch.setattr(DashboardScreen, "load", load_once_mounted)
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("d")
        for _ in range(50):
            await pilot.pause(0.02)
            await app.workers.wait_for_complete()
            if isinstance(app.screen, DashboardScreen) and app.screen.loaded:
                break
        screen = app.screen
        assert isinstance(screen, DashboardScreen) and screen.loaded
        await pilot.press("2")
        assert "Small deck" in deck_rows(screen)
