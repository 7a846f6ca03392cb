"""Custom study: extra new cards today, review ahead, cram without changing schedules."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from quizapp.cli.main import main
from quizapp.errors import QuizappError
from quizapp.scheduling.scheduler import StudySettings, save_settings
from quizapp.study.custom import add_new_today, ahead_focus, cram_focus
from quizapp.tui.app import QuizApp


def study_all(study, focus=None, **answer):
    given = []
    while (item := study.next_item(focus=focus)) is not None and len(given) < 100:
        given.append(item.id)
        study.answer(item.id, 4, **answer)
    return given


def test_extra_new_cards_raise_todays_limit_only(study):
    save_settings(study.store, StudySettings(new_per_day=1))
    study.settings = StudySettings(new_per_day=1)
    assert len(study_all(study)) == 1
    assert add_new_today(study, 2) == 2
    assert len(study_all(study)) == 2
    study.clock.advance(days=1)
    assert study.remaining()[0] == 1
    with pytest.raises(QuizappError, match="--new 0: expected a whole number from 1"):
        add_new_today(study, 0)


def test_review_ahead_shows_cards_due_in_the_next_days_and_schedules_them(study):
    study.answer("s-basic", 4)
    study.answer("s-choice", 4)
    due_before = study.store.card_row("s-basic")["due"]
    assert study.next_item() is None or study.next_item().id not in ("s-basic", "s-choice")
    study.clock.advance(minutes=5)
    focus = ahead_focus(study, 60)
    assert set(focus.ids) == {"s-basic", "s-choice"}
    assert set(study_all(study, focus)) == {"s-basic", "s-choice"}
    assert study.store.card_row("s-basic")["due"] != due_before
    assert ahead_focus(study, 1).ids == ()


def test_cram_answers_are_logged_as_cram_and_change_no_schedule(study):
    study.answer("s-reverse", 4)
    before = study.store.card_row("s-reverse")
    focus = cram_focus(study, "compiler")
    assert set(focus.ids) == {"s-reverse", "s-reverse::reverse"}
    first = study.next_item(focus=focus)
    study.answer(first.id, 1, mode="cram", scheduled=False)  # Again: it comes back after the others
    second = study.next_item(focus=focus)
    assert second.id != first.id
    study.answer(second.id, 3, mode="cram", scheduled=False)
    assert study.next_item(focus=focus).id == first.id
    study.answer(first.id, 3, mode="cram", scheduled=False)
    assert study.next_item(focus=focus) is None and study.focus_remaining(focus) == 0
    assert study.store.card_row("s-reverse") == before
    assert study.store.card_row("s-reverse::reverse")["state"] == 0
    rows = study.store.query("SELECT mode, scheduled FROM review_log WHERE mode = 'cram'")
    assert rows == [{"mode": "cram", "scheduled": 0}] * 3
    # Cram answers take nothing from today's limits.
    assert study.done_today()["new"] == 1
    assert len(cram_focus(study, "deck:small").ids) == 6
    with pytest.raises(QuizappError, match="no card is tagged 'nothing'"):
        cram_focus(study, "nothing")
    with pytest.raises(QuizappError, match="no deck with id 'nope'"):
        cram_focus(study, "deck:nope")


def test_custom_cli_adds_new_cards_and_refuses_bad_input(workspace, capsys):
    assert main(["--home", str(workspace.home), "custom", "--new", "5"]) == 0
    assert "25 new cards left today" not in capsys.readouterr().err
    assert main(["--home", str(workspace.home), "custom", "--ahead", "0"]) == 1
    assert "--ahead 0: expected a whole number of days" in capsys.readouterr().err
    assert main(["--home", str(workspace.home), "custom", "--cram", "deck:nope"]) == 1
    assert "no deck with id 'nope'" in capsys.readouterr().err


async def test_custom_study_dialog_from_home_starts_a_cram(opened, clock):
    app = QuizApp(opened, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        app.screen.query_one("#custom-cram", Input).value = "origins"
        app.screen.query_one("#custom-cram", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "ReviewScreen"
        assert "Cram origins" in app.screen.sub_title
        await pilot.press("space", "3")
        await pilot.pause()
        rows = opened.store.query("SELECT mode, scheduled FROM review_log")
        assert rows == [{"mode": "cram", "scheduled": 0}]
        assert opened.store.card_row("s-cloze")["state"] == 0
