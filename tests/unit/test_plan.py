"""The interview-date plan: recall on the day, the workload to be ready, and what the queue puts first."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from quizapp.db.records import REVIEW, CardState
from quizapp.scheduling.scheduler import Scheduler, StudySettings, day_start, load_settings, save_settings
from quizapp.study.plan import Plan, PlanError, clear_plan, load_plan, parse_plan, plan_moment, plan_report, save_plan
from tests.support.databases import set_card
from tests.support.decks import FIXED_NOW

DAY = timedelta(days=1)
TODAY = date(2026, 3, 10)


def recall(stability, last_review, at) -> float:
    return Scheduler().retrievability(CardState(id="x", state=REVIEW, stability=stability, last_review=last_review), at)


def test_the_date_must_be_a_real_day_from_today_on():
    settings = StudySettings()
    assert parse_plan("2026-12-15", None, TODAY, settings) == Plan(day=date(2026, 12, 15), target=0.9)
    assert parse_plan(" 2026-03-10 ", 0.95, TODAY, settings).target == 0.95
    with pytest.raises(PlanError, match=r"YYYY-MM-DD, e.g. 2026-12-15 \(got '15/12/2026'\)"):
        parse_plan("15/12/2026", None, TODAY, settings)
    with pytest.raises(PlanError, match="2026-03-09 is in the past"):
        parse_plan("2026-03-09", None, TODAY, settings)
    with pytest.raises(PlanError, match="between 0.70 and 0.99"):
        parse_plan("2026-12-15", 1.5, TODAY, settings)


def test_the_plan_is_kept_in_settings_until_cleared(fresh_store):
    assert load_plan(fresh_store) is None
    save_plan(fresh_store, Plan(day=date(2026, 12, 15), target=0.92))
    assert load_plan(fresh_store) == Plan(day=date(2026, 12, 15), target=0.92)
    assert fresh_store.get_setting("plan") == {"day": "2026-12-15", "target": 0.92}
    assert clear_plan(fresh_store) is True
    assert load_plan(fresh_store) is None and clear_plan(fresh_store) is False


def test_recall_on_the_day_is_fsrs_retrievability_then_with_new_cards_at_zero(opened, clock):
    last = FIXED_NOW - 2 * DAY
    set_card(opened.store, "s-reverse", stability=6.0, last_review=last, due=FIXED_NOW + 5 * DAY)
    set_card(opened.store, "s-basic", stability=400.0, last_review=last, due=FIXED_NOW + 300 * DAY)
    plan = Plan(day=TODAY + 8 * DAY, target=0.9)
    report = plan_report(opened.store, opened.decks, plan, clock=clock)
    at = day_start(plan.day)
    weak, strong = recall(6.0, last, at), recall(400.0, last, at)
    assert weak < 0.9 < strong
    assert (report.cards, report.studied, report.days_left) == (7, 2, 8)  # 7 items, the interview prompt included
    assert report.recall_on_day == pytest.approx((weak + strong) / 7)
    assert report.below_target == 6  # every card but the strong one
    (small,) = report.decks
    assert small.recall_studied == pytest.approx((weak + strong) / 2)
    topics = {g.key: g for g in report.topics}
    assert topics["compiler"].recall_on_day == pytest.approx(weak / 2)  # s-reverse and its unstudied reverse
    assert topics["markup"].recall_on_day == pytest.approx(strong)
    assert report.topics[-1].key == "markup"  # weakest first


def test_a_card_due_after_the_day_needs_no_work_and_new_cards_are_spread_over_the_days_left(opened, clock):
    store = opened.store
    with store.write() as c:
        c.execute("UPDATE cards SET suspended = 1 WHERE id != 's-basic'")
    set_card(store, "s-basic", stability=400.0, last_review=FIXED_NOW - DAY, due=FIXED_NOW + 300 * DAY)
    report = plan_report(store, opened.decks, Plan(day=TODAY + 10 * DAY), clock=clock)
    assert (report.answers_needed, report.new_to_learn, report.answers_per_day) == (0, 0, 0)
    with store.write() as c:
        c.execute("UPDATE cards SET suspended = 0")
    report = plan_report(store, opened.decks, Plan(day=TODAY + 4 * DAY), clock=clock)
    assert report.new_to_learn == 6
    assert report.new_per_day == math.ceil(6 / 4)
    # Each new card takes at least its learning steps (Good twice) before the day.
    assert report.answers_needed >= 2 * 6
    assert report.answers_per_day == math.ceil(report.answers_needed / 4)


def test_a_plan_whose_day_has_passed_says_so_and_asks_for_no_work(opened, clock):
    report = plan_report(opened.store, opened.decks, Plan(day=TODAY - 3 * DAY), clock=clock)
    assert report.passed and report.days_left == -3
    assert (report.answers_needed, report.answers_per_day, report.new_per_day) == (0, 0, 0)


def test_following_the_plan_leaves_every_card_above_target_on_the_day(opened, clock):
    store = opened.store
    with store.write() as c:  # interview prompts are studied in mock-interview mode, not here
        c.execute("UPDATE cards SET suspended = 1 WHERE kind = 'interview'")
    plan = Plan(day=TODAY + 6 * DAY, target=0.9)
    report = plan_report(store, opened.decks, plan, clock=clock)
    save_settings(store, StudySettings(fuzz=False, new_per_day=report.new_per_day))
    study = opened.study(clock)
    given = 0
    for day in range(report.days_left):
        clock.now = day_start(TODAY + day * DAY) + timedelta(hours=2)
        while (item := study.next_item()) is not None:
            study.answer(item.id, 3)
            given += 1
            clock.advance(minutes=11)
    at = plan_moment(plan, load_settings(store))
    recalls = [
        Scheduler().retrievability(study.store.card_state(i), at) for i in study.items if study.items[i].kind != "interview"
    ]
    assert min(recalls) >= plan.target
    assert abs(given - report.answers_needed) <= max(2, report.answers_needed // 5)


def test_with_a_plan_the_reviews_at_risk_on_the_day_come_first(study, opened, clock):
    store = opened.store
    with store.write() as c:
        c.execute("UPDATE cards SET suspended = 1 WHERE state = 0")
    # Due first, but strong enough to stay above 80 % until the day.
    set_card(store, "s-basic", stability=100.0, last_review=FIXED_NOW - 100 * DAY, due=FIXED_NOW - 2 * DAY, suspended=0)
    # Due later today, and far below 80 % by the day.
    set_card(store, "s-choice", stability=2.0, last_review=FIXED_NOW - 2 * DAY, due=FIXED_NOW - DAY, suspended=0)
    assert study.next_item().id == "s-basic"
    save_plan(store, Plan(day=TODAY + 5 * DAY, target=0.8))
    assert study.next_item().id == "s-choice"
    clear_plan(store)
    assert study.next_item().id == "s-basic"
    # A plan whose day has passed orders nothing.
    save_plan(store, Plan(day=TODAY - DAY, target=0.8))
    assert study.next_item().id == "s-basic"
