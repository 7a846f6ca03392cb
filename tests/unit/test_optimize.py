"""Fitting FSRS to the user's own log: enough data or a clear count of what is missing, and the
fitted parameters used from then on."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import fsrs
import pytest

from quizapp.db.records import LogEntry, new_id
from quizapp.scheduling.optimize import MIN_REVIEWS, NotEnoughReviews, histories, optimize, usable_count, within_bounds
from quizapp.scheduling.scheduler import load_settings
from quizapp.session import open_workspace
from quizapp.workspace import Workspace
from tests.support.decks import FIXED_NOW
from tests.support.history import generate_history, write_generated_decks


@pytest.fixture
def generated(tmp_path):
    write_generated_decks(tmp_path / "decks", {"gen-a": 120})
    opened = open_workspace(Workspace(tmp_path, (tmp_path / "decks",), "test"))
    yield opened
    opened.store.close()


def card_ids(opened) -> list[str]:
    return [r["id"] for r in opened.store.query("SELECT id FROM cards ORDER BY id")]


def test_answers_are_counted_in_study_days_that_roll_over_at_4am(fresh_store, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()

    def answer(at: datetime, rating: int, scheduled: bool = True) -> None:
        fresh_store.record_answer(
            LogEntry(id=new_id(), card_id="c", rating=rating, reviewed_at=at, scheduled=scheduled), None
        )

    day = datetime(2026, 3, 1, 10, tzinfo=FIXED_NOW.tzinfo)
    answer(day, 1)
    answer(day + timedelta(minutes=10), 3)
    answer(day + timedelta(days=2), 3)
    answer(day + timedelta(days=3, hours=16), 1, scheduled=False)  # a right quiz pick: not FSRS's to learn from
    answer(day + timedelta(days=5, hours=16, minutes=30), 3)  # 2:30 a.m. on day 6 still counts as day 5
    answer(day + timedelta(days=7), 4)
    assert histories(fresh_store) == [[(1, 0), (3, 0), (3, 2), (3, 3), (4, 2)]]
    assert usable_count(histories(fresh_store)) == 3
    monkeypatch.undo()
    time.tzset()


def test_too_few_reviews_says_how_many_more_are_needed_and_changes_nothing(generated):
    generate_history(generated.store, card_ids(generated)[:20], end=FIXED_NOW, days=60)
    usable = usable_count(histories(generated.store))
    assert 0 < usable < MIN_REVIEWS
    with pytest.raises(NotEnoughReviews) as raised:
        optimize(generated.store)
    message = str(raised.value)
    assert f"{usable} answer(s)" in message and f"needs {MIN_REVIEWS}" in message
    assert f"About {MIN_REVIEWS - usable} more" in message
    assert load_settings(generated.store).parameters is None


def test_fitting_a_generated_history_improves_the_fit_and_is_used_from_then_on(generated, clock):
    generate_history(generated.store, card_ids(generated), end=FIXED_NOW, days=365)
    steps: list[str] = []
    fit = optimize(generated.store, progress=steps.append)
    assert fit.usable >= MIN_REVIEWS and fit.cards == 120
    assert steps[0] == "Reading the review log" and steps[1].startswith(f"Fitting FSRS to {fit.usable:,} reviews")
    assert fit.after.log_loss < fit.before.log_loss
    assert fit.saved and fit.previous is None
    # The generated learner's memory starts 2.5 times as stable as FSRS's defaults assume: the fit finds that.
    default_good = fsrs.Scheduler().parameters[2]
    assert fit.parameters[2] > 1.3 * default_good
    assert load_settings(generated.store).parameters == fit.parameters
    study = generated.study(clock)
    assert list(study.scheduler.fsrs.parameters) == pytest.approx(fit.parameters)
    # Memory states were recomputed with the new parameters: the doctor finds every card agreeing with its log.
    from quizapp.repair.doctor import examine

    assert [f.kind for f in examine(generated.store, fix=False).findings if f.kind == "state"] == []
    # A second run starts from the fitted parameters and reports them as "before".
    again = optimize(generated.store)
    assert again.previous == fit.parameters
    assert again.before.log_loss == pytest.approx(fit.after.log_loss, rel=1e-4)


def test_parameters_are_kept_within_what_py_fsrs_accepts():
    low = [p - 1e-7 for p in fsrs.scheduler.LOWER_BOUNDS_PARAMETERS]
    clamped = within_bounds(low)
    assert clamped == list(fsrs.scheduler.LOWER_BOUNDS_PARAMETERS)
    fsrs.Scheduler(parameters=clamped)
