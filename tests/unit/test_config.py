"""Study settings a user changes: `quizapp config`, the Settings screen, and what review then gives."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from textual.widgets import DataTable, Input

from quizapp.cli.main import main
from quizapp.scheduling.scheduler import load_settings
from quizapp.session import open_workspace
from quizapp.tui.app import QuizApp
from quizapp.workspace import Workspace
from tests.support.decks import cloze_heavy_deck, write_deck


@pytest.fixture
def home(tmp_path):
    write_deck(tmp_path / "decks", "sim.yaml", cloze_heavy_deck(60))
    return tmp_path


def test_config_alone_lists_every_setting_with_value_and_default(home, capsys):
    assert main(["--home", str(home), "config"]) == 0
    out = capsys.readouterr().out
    for key in ("new_per_day", "reviews_per_day", "desired_retention", "rollover_hour", "learning_steps",
                "relearning_steps", "new_order", "bury_siblings", "leech_threshold"):
        assert key in out
    assert "learning_steps    1m 10m" in out.replace("  ", "  ") or "1m 10m" in out
    assert "default 20" in out


def test_config_sets_a_value_and_review_then_gives_that_many_new_cards(home, capsys, clock):
    assert main(["--home", str(home), "config", "new_per_day", "30"]) == 0
    assert "new_per_day = 30  (was 20)" in capsys.readouterr().out
    assert main(["--home", str(home), "config", "learning-steps", "2m 1h"]) == 0
    assert main(["--home", str(home), "config", "new_per_day"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "new_per_day = 30"
    opened = open_workspace(Workspace(home, (home / "decks",), "test"))
    try:
        assert load_settings(opened.store).learning_steps_min == [2.0, 60.0]
        study = opened.study(clock)
        assert study.remaining()[0] == 30
        introduced = set()
        while (item := study.next_item()) is not None:
            entry = study.answer(item.id, 4)
            if entry.state_before == 0:
                introduced.add(item.id)
        assert len(introduced) == 30
    finally:
        opened.store.close()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("new_per_day", "many", "new_per_day = 'many': expected a whole number from 0 to 9999"),
        ("new_per_day", "10000", "new_per_day = '10000': expected a whole number from 0 to 9999"),
        ("desired_retention", "1.2", "desired_retention = '1.2': expected a number from 0.7 to 0.99"),
        ("rollover_hour", "24", "rollover_hour = '24': expected a whole hour from 0 to 23"),
        ("learning_steps", "1m -3m", "learning_steps = '1m -3m': expected steps like"),
        ("learning_steps", "0m", "learning_steps = '0m': expected steps like"),
        ("new_order", "random", "new_order = 'random': expected one of mixed, before, after"),
        ("bury_siblings", "maybe", "bury_siblings = 'maybe': expected yes or no"),
        ("colour", "red", "no setting 'colour' (settings: new_per_day,"),
    ],
)
def test_a_bad_value_is_refused_with_key_value_and_what_is_allowed(home, capsys, key, value, message):
    assert main(["--home", str(home), "config", key, value]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert main(["--home", str(home), "config"]) == 0
    assert "(changed)" not in capsys.readouterr().out


def test_an_old_database_without_the_new_settings_keeps_working(fresh_store):
    fresh_store.set_setting("study", {"new_per_day": 12, "desired_retention": 0.85})
    settings = load_settings(fresh_store)
    assert settings.new_per_day == 12 and settings.new_order == "mixed" and settings.bury_siblings
    assert settings.leech_threshold == 8


def test_plan_apply_sets_new_cards_a_day_to_the_plans_suggestion(home, capsys):
    far = (date.today() + timedelta(days=9 * 365)).isoformat()
    assert main(["--home", str(home), "plan", "--date", far]) == 0
    capsys.readouterr()
    assert main(["--home", str(home), "plan", "--apply"]) == 0
    out = capsys.readouterr().out
    assert "new_per_day = 1" in out  # 120 cards over nine years: one a day suffices
    assert main(["--home", str(home), "plan", "--date", "2000-01-01"]) == 1


async def test_settings_screen_changes_a_setting_and_refuses_a_bad_value(opened, clock):
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert [str(c) for c in table.get_row_at(0)][:3] == ["New cards a day", "20", "20"]
        await pilot.press("enter")
        box = app.screen.query_one(Input)
        box.value = "lots"
        await pilot.press("enter")
        await pilot.pause()
        assert load_settings(opened.store).new_per_day == 20
        assert box.display
        box.value = "3"
        await pilot.press("enter")
        await pilot.pause()
        assert load_settings(opened.store).new_per_day == 3
        assert [str(c) for c in table.get_row_at(0)][1] == "3"
        assert app.study.settings.new_per_day == 3
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HomeScreen"


async def test_a_on_the_dashboard_applies_the_plans_new_cards_a_day(opened, clock):
    from datetime import timedelta

    from quizapp.study.plan import parse_plan, save_plan
    from tests.support.tui import open_dashboard

    settings = load_settings(opened.store)
    day = clock.now.date() + timedelta(days=2)
    save_plan(opened.store, parse_plan(day.isoformat(), None, clock.now.date(), settings))
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_dashboard(app, pilot)
        suggested = screen.report.plan.new_per_day
        assert suggested not in (0, 20)
        await pilot.press("a")
        await pilot.pause()
        assert load_settings(opened.store).new_per_day == suggested
        assert app.study.settings.new_per_day == suggested
