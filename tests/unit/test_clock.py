"""A clock set back a day, and daylight-saving changes: no negative interval, no crash, and the log
still replays to every card's state."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

import pytest

from quizapp.db.store import Store
from quizapp.repair.doctor import examine
from quizapp.scheduling.scheduler import Scheduler, day_start, load_settings, study_day


def replay_matches(store: Store) -> list[str]:
    scheduler = Scheduler(load_settings(store))
    return [
        card_id
        for (card_id,) in store.conn.execute("SELECT id FROM cards").fetchall()
        if store.card_state(card_id) != scheduler.replay(card_id, store.log_for(card_id))
    ]


def assert_no_negative_intervals(study) -> None:
    for item_id in study.items:
        state = study.store.card_state(item_id)
        for rating, interval in study.preview(item_id).items():
            assert interval >= timedelta(0), (item_id, rating, interval)
        if state.due is not None and state.last_review is not None:
            assert state.due >= state.last_review, item_id
    for entry_row in study.store.query("SELECT reviewed_at, due_after FROM review_log WHERE scheduled = 1"):
        assert entry_row["due_after"] >= entry_row["reviewed_at"]


def study_until_done(study, rating: int = 3, limit: int = 50) -> int:
    answered = 0
    while answered < limit and (item := study.next_item()) is not None:
        study.answer(item.id, rating, 1000)
        answered += 1
    return answered


def test_clock_set_back_a_day_mid_session(opened, study, clock):
    assert study_until_done(study) > 0
    clock.advance(days=3)
    study_until_done(study, rating=1)
    answered_at = {r[0]: r[1] for r in opened.store.conn.execute("SELECT card_id, MAX(reviewed_at) FROM review_log GROUP BY card_id")}

    clock.advance(days=-1, hours=-2)  # the machine's clock jumps back
    counts = study.deck_counts()
    assert all(c.new >= 0 and c.learning >= 0 and c.due >= 0 for c in counts)
    assert all(n >= 0 for n in study.remaining())
    assert_no_negative_intervals(study)
    for item_id in ("s-basic", "s-cloze", "s-choice"):
        entry = study.answer(item_id, 2, 1000)
        state = opened.store.card_state(item_id)
        # Its time is never before the card's previous answer, so the log keeps the order given.
        assert entry.reviewed_at > datetime.fromisoformat(answered_at[item_id])
        assert state.due >= state.last_review
    assert_no_negative_intervals(study)
    assert replay_matches(opened.store) == []

    # The doctor sees answers "from the future", reports them, and changes nothing.
    report = examine(opened.store, now=clock())
    assert [f.kind for f in report.findings] == ["future"] and not report.changed

    clock.advance(days=2)  # the clock is corrected
    study_until_done(study)
    assert_no_negative_intervals(study)
    assert replay_matches(opened.store) == []


def test_two_answers_in_the_same_clock_tick_keep_their_order(opened, study, clock):
    first = study.answer("s-basic", 1, 1000)
    second = study.answer("s-basic", 4, 1000)  # the clock has not moved at all
    assert second.reviewed_at > first.reviewed_at
    assert replay_matches(opened.store) == []


@pytest.fixture
def local_zone(monkeypatch):
    """Switch the process's local time zone (TZ) for one test."""

    def use(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()


# Spring forward and fall back in three zones; Santiago changes at midnight, so midnight is skipped.
DST_DAYS = [
    ("Europe/Berlin", date(2026, 3, 29)),
    ("Europe/Berlin", date(2026, 10, 25)),
    ("America/New_York", date(2026, 3, 8)),
    ("America/New_York", date(2026, 11, 1)),
    ("America/Santiago", date(2026, 9, 6)),
    ("America/Santiago", date(2026, 4, 5)),
]


@pytest.mark.parametrize("zone, change_day", DST_DAYS)
@pytest.mark.parametrize("rollover_hour", [0, 2, 4])
def test_study_days_around_a_daylight_saving_change_are_consistent(local_zone, zone, change_day, rollover_hour):
    local_zone(zone)
    for offset in range(-1, 2):
        day = change_day + timedelta(days=offset)
        start, end = day_start(day, rollover_hour), day_start(day + timedelta(days=1), rollover_hour)
        assert start < end
        assert timedelta(hours=22) <= end - start <= timedelta(hours=26)
        # Every moment of the day, in 10-minute steps, counts towards that day and no other.
        moment = start
        while moment < end:
            assert study_day(moment, rollover_hour) == day, (moment, day)
            moment += timedelta(minutes=10)
        assert study_day(end - timedelta(microseconds=1), rollover_hour) == day


@pytest.mark.parametrize("zone, change_day", DST_DAYS[:4])
def test_studying_through_a_daylight_saving_change(local_zone, opened, study, clock, zone, change_day):
    local_zone(zone)
    settings = study.settings.model_copy(update={"rollover_hour": 2})
    study.settings = settings
    clock.now = datetime.combine(change_day - timedelta(days=1), datetime.min.time(), timezone.utc) + timedelta(hours=20)
    days_seen = []
    for _ in range(24 * 3):  # every half hour for a day and a half
        days_seen.append(study.today())
        study_until_done(study, rating=2 if len(days_seen) % 3 else 3, limit=5)
        assert all(n >= 0 for n in study.remaining())
        clock.advance(minutes=30)
    assert days_seen == sorted(days_seen)  # study days never go backwards
    assert change_day in days_seen
    assert_no_negative_intervals(study)
    assert replay_matches(opened.store) == []
