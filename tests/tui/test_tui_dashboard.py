"""The progress dashboard driven by keys over a generated history: the figures shown, reviewing the
weakest cards, setting the interview date, and fitting FSRS."""

from __future__ import annotations

import shutil
import threading
from datetime import date, timedelta

import pytest
from textual.widgets import DataTable, Static

from quizapp.scheduling.scheduler import load_settings
from quizapp.session import open_workspace
from quizapp.stats.queries import Stats
from quizapp.study.plan import load_plan
from quizapp.tui.app import QuizApp
from quizapp.tui.dialogs.optimize import OptimizeScreen
from quizapp.tui.dialogs.plan import PlanScreen
from quizapp.tui.messages import FiguresReady, PlanFiguresReady
from quizapp.tui.screens.dashboard import DashboardScreen
from quizapp.tui.screens.review import ReviewScreen
from quizapp.workspace import Workspace
from tests.support.decks import FIXED_NOW, write_deck
from tests.support.history import add_attempt, generate_history, write_generated_decks
from tests.support.tui import open_dashboard

TRICKY_DECK = """
id: tricky
title: "[bold red]Tricky[/] deck"
cards:
  - {id: t1, front: "[link=x]q[/link]", back: a, source: s.txt, tags: ["[b]topic[/b]", serving]}
"""


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def rows_of(app, selector: str) -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.fixture(scope="module")
def history_template(tmp_path_factory):
    """A workspace of generated decks with ten months of answers and a few mock interviews (made once)."""
    home = tmp_path_factory.mktemp("history")
    write_generated_decks(home / "decks", {"gen-a": 90, "gen-b": 30}, interview=2)
    write_deck(home / "decks", "tricky.yaml", TRICKY_DECK)
    opened = open_workspace(Workspace(home, (home / "decks",), "test"))
    ids = [r["id"] for r in opened.store.query("SELECT id FROM cards WHERE kind = 'basic' ORDER BY id")]
    generate_history(opened.store, ids[:100] + ["t1"], end=FIXED_NOW - timedelta(hours=2), days=300)
    for k, share in enumerate([0.25, 0.5, 0.75]):
        add_attempt(opened.store, "gen-a-prompt-0", FIXED_NOW - (10 - k) * timedelta(days=1),
                    {"data": share, "model": 1.0, "serving": 0.0})
    opened.store.close()
    return home


@pytest.fixture
def history(history_template, tmp_path):
    """A copy of the template workspace for one test to change."""
    shutil.copytree(history_template, tmp_path, dirs_exist_ok=True)
    opened = open_workspace(Workspace(tmp_path, (tmp_path / "decks",), "test"))
    yield opened
    opened.store.close()



async def test_the_dashboard_shows_the_figures_of_the_history(history, clock):
    expected = Stats(history.store, history.decks, clock=clock).report()
    app = QuizApp(history, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dashboard(app, pilot)
        today = text_of(app, "#today")
        t = expected.today
        assert f"Streak    {t.streak} days · longest {t.longest_streak}" in today
        assert f"Due       {t.due} reviews · {t.learning} learning" in today
        assert f"{expected.retention.true_retention:.0%} true · {expected.retention.predicted_retention:.0%} FSRS predicted" in today
        total = sum(d.reviews for d in expected.heatmap)
        assert f"{total:,} answers on {sum(1 for d in expected.heatmap if d.reviews)} days" in text_of(app, "#heat-title")
        assert "No interview date set" in text_of(app, "#plan-summary")

        await pilot.press("2")
        decks = {row[0]: row for row in rows_of(app, "#deck-table")}
        assert "[bold red]Tricky[/] deck" in decks  # deck text as written, never read as markup
        gen_a = next(d for d in expected.decks if d.key == "gen-a")
        assert decks["Generated gen-a"][1:] == [
            str(gen_a.cards), str(gen_a.studied), f"{gen_a.recall_now:.0%}", str(gen_a.answers),
            f"{gen_a.true_retention:.0%}", f"{gen_a.predicted_retention:.0%}",
        ]

        await pilot.press("3")
        topics = rows_of(app, "#topic-table")
        assert [row[0] for row in topics] == [m.topic for m in expected.topics]
        assert "[b]topic[/b]" in [row[0] for row in topics]
        stages = {row[0]: row[1:] for row in rows_of(app, "#stage-table")}
        # The prompt's latest attempt covered every model point; serving none of them.
        compilers = {c.stage: c for c in expected.stage_map if c.topic == "compilers"}
        assert stages["compilers"][1] == f"{compilers['model'].strength:.0%}"

        await pilot.press("4")
        weak = rows_of(app, "#weak-table")
        assert [row[0] for row in weak] == [w.title for w in expected.weakest]

        await pilot.press("5")
        scores = {row[0]: row for row in rows_of(app, "#interview-table")}
        assert scores["data"][1:] == ["3", "50%", "50%"] and scores["model"][2] == "100%"


async def test_w_reviews_the_weakest_cards_due_or_not(history, clock):
    app = QuizApp(history, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_dashboard(app, pilot)
        weakest = [w.id for w in screen.report.weakest]
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.item.id == weakest[0]
        assert f"Weakest cards: {len(weakest)} left" in text_of(app, "#review-status")
        await pilot.press("space", "3")
        await pilot.pause()
        rows = history.store.query("SELECT card_id FROM review_log WHERE reviewed_at = ?", [FIXED_NOW.isoformat(timespec="microseconds")])
        assert [r["card_id"] for r in rows] == [weakest[0]]
        assert app.screen.item.id == weakest[1]
        await pilot.press("escape")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        # Back on the dashboard, the figures are taken again: the card just answered is no longer the weakest.
        assert isinstance(app.screen, DashboardScreen) and app.screen.loaded
        assert app.screen.report.weakest[0].id != weakest[0]


async def test_p_sets_the_interview_date_and_the_dashboard_plans_for_it(history, clock):
    app = QuizApp(history, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dashboard(app, pilot)
        await pilot.press("p", *"21/04/2026", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)  # a date it cannot read is explained, nothing saved
        assert "must be written YYYY-MM-DD" in text_of(app, "#plan-error")
        assert load_plan(history.store) is None
        await pilot.press("escape", "p")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
        await pilot.press(*"2026-04-21", "enter", *"0.85", "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert load_plan(history.store).model_dump() == {"day": date(2026, 4, 21), "target": 0.85}
        plan = app.screen.report.plan
        summary = text_of(app, "#plan-summary")
        assert "Interview in 42 days · Tue 21 Apr 2026" in summary
        assert f"Predicted recall on the day: {plan.recall_on_day:.0%}" in summary
        assert f"~{plan.answers_per_day} answers a day" in summary
        await pilot.press("6")
        decks = {row[0]: row for row in rows_of(app, "#plan-decks")}
        gen_b = next(g for g in plan.decks if g.key == "gen-b")
        assert decks["Generated gen-b"][3] == f"{gen_b.recall_on_day:.0%}"


async def test_o_fits_fsrs_without_freezing_and_uses_the_new_parameters(history, clock, monkeypatch):
    import quizapp.tui.dialogs.optimize as optimize_dialog

    threads = []
    for name in ("fit_log", "save_fit"):  # the slow parts: both must run outside the event loop's thread
        slow = getattr(optimize_dialog, name)
        monkeypatch.setattr(optimize_dialog, name,
                            lambda *a, _slow=slow, **k: threads.append(threading.current_thread()) or _slow(*a, **k))
    app = QuizApp(history, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dashboard(app, pilot)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OptimizeScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        result = text_of(app, "#optimize-result")
        assert "log loss" in result and "before (FSRS defaults)" in result
        assert len(threads) == 2 and threading.main_thread() not in threads
        saved = load_settings(history.store).parameters
        if "Saved" in result:
            assert saved is not None
            assert list(app.study.scheduler.fsrs.parameters) == pytest.approx(saved)
        else:
            assert saved is None
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_o_with_too_little_history_says_how_much_more_is_needed(opened, clock):
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_dashboard(app, pilot)
        assert "No weak cards yet" in text_of(app, "#weak-head")
        await pilot.press("o")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "About 400 more" in text_of(app, "#optimize-result")
        assert load_settings(opened.store).parameters is None


async def test_the_dashboard_is_in_the_command_palette(opened, clock):
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Progress dashboard")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)



async def test_leaving_while_the_figures_are_computed_is_safe(opened, clock, monkeypatch):
    from quizapp.tui.screens.home import HomeScreen

    release = threading.Event()
    computed = Stats.report

    def slow_report(self, with_plan=True):
        release.wait(10)  # the figures arrive only after the user has left
        return computed(self, with_plan)

    monkeypatch.setattr(Stats, "report", slow_report)
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen) and not dashboard.loaded
        await pilot.press("escape")
        await pilot.pause()
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        # Figures that reach the screen just after it was left (the worker already past its last
        # check) are dropped, not drawn into a screen that is gone.
        dashboard.post_message(FiguresReady(computed(Stats(opened.store, opened.decks, clock=clock))))
        dashboard.post_message(PlanFiguresReady(None))
        await pilot.pause()
        assert dashboard.report is None
        await pilot.press("d")  # and it opens again, with its figures
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.loaded
