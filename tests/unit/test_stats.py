"""Progress figures, each checked against a small history whose answer is worked out by hand."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.db.records import REVIEW, CardState, LogEntry, new_id, to_iso
from quizapp.scheduling.recall import curve_params, ensure_sql_math, recall_sql
from quizapp.scheduling.scheduler import Scheduler, StudySettings, day_start, save_settings
from quizapp.session import open_workspace
from quizapp.stats.queries import LEECH_LAPSES, Stats, reading
from quizapp.stats.report import Report, report_schema
from quizapp.study.study import Focus
from quizapp.workspace import Workspace
from tests.support.databases import set_card
from tests.support.decks import FIXED_NOW, SMALL_DECK, write_deck
from tests.support.history import add_attempt, generate_history, write_generated_decks

DAY = timedelta(days=1)


def log(store, card_id, at, rating, *, state_before=REVIEW, mode="review", prev: CardState | None = None, ms=1000):
    store.record_answer(
        LogEntry(
            id=new_id(), card_id=card_id, rating=rating, reviewed_at=at, duration_ms=ms, mode=mode,
            state_before=state_before, prev=prev.to_json() if prev else None,
        ),
        None,
    )


def recall(stability, last_review, at, settings=None) -> float:
    """py-fsrs's own answer, to check the SQL against."""
    return Scheduler(settings).retrievability(
        CardState(id="x", state=REVIEW, stability=stability, last_review=last_review), at
    )


def stats_at(opened, clock) -> Stats:
    return Stats(opened.store, opened.decks, clock=clock)


@pytest.fixture
def berlin(monkeypatch):
    """Local time in Berlin (UTC+1 in March), so the 4 a.m. rollover is not midnight UTC."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute).astimezone().astimezone(timezone.utc)


# ------------------------------------------------------------------ retention


def test_true_retention_is_the_share_of_review_answers_not_rated_again(opened, clock):
    store = opened.store
    last = FIXED_NOW - 20 * DAY
    before = CardState(id="s-basic", state=REVIEW, stability=10.0, last_review=last)
    for k, rating in enumerate([3, 1, 3, 4]):
        log(store, "s-basic", last + 5 * DAY + k * timedelta(minutes=1), rating, prev=before)
    # Neither an answer on a card still in learning nor a quiz answer counts.
    log(store, "s-basic", last + 6 * DAY, 1, state_before=1)
    log(store, "s-choice", last + 6 * DAY, 1, mode="quiz", prev=before)
    overall, decks = stats_at(opened, clock).decks_recall()
    assert overall.answers == 4
    assert overall.true_retention == pytest.approx(3 / 4)
    # FSRS's prediction for those answers: the card's recall 5 days after its last review.
    assert overall.predicted_retention == pytest.approx(recall(10.0, last, last + 5 * DAY))
    small = next(d for d in decks if d.key == "small")
    assert (small.answers, small.true_retention) == (4, pytest.approx(0.75))


def test_each_answer_logs_fsrs_predicted_recall_and_retention_uses_it(study, opened, clock):
    last = FIXED_NOW - 7 * DAY
    set_card(opened.store, "s-basic", stability=9.0, last_review=last, due=FIXED_NOW - DAY)
    study.answer("s-basic", 1)
    logged = opened.store.scalar("SELECT recall FROM review_log WHERE card_id = 's-basic'")
    assert logged == pytest.approx(recall(9.0, last, FIXED_NOW))
    with opened.store.write() as c:  # the logged value is the one used, not one worked out again
        c.execute("UPDATE review_log SET recall = 0.5")
    overall, _ = stats_at(opened, clock).decks_recall()
    assert (overall.answers, overall.true_retention, overall.predicted_retention) == (1, 0.0, 0.5)


def test_retention_per_week_buckets_answers_by_the_week_they_were_given(opened, clock):
    store = opened.store
    monday = date(2026, 3, 9)  # FIXED_NOW is Tuesday 2026-03-10
    log(store, "s-basic", day_start(monday) + timedelta(hours=5), 3)
    log(store, "s-basic", day_start(monday) + timedelta(hours=6), 1)
    log(store, "s-choice", day_start(monday - 2 * 7 * DAY) + timedelta(hours=5), 3)
    weeks = stats_at(opened, clock).retention_weeks()
    assert [(w.key, w.answers, w.true_retention) for w in weeks] == [
        ("2026-02-23", 1, 1.0),
        ("2026-03-09", 2, 0.5),
    ]


# ------------------------------------------------------------------ days, streaks, heatmap


def test_streaks_and_heatmap_count_study_days_that_roll_over_at_4am(opened, clock, berlin):
    today = date(2026, 3, 10)
    studied = {today - k * DAY for k in range(0, 4)} | {date(2026, 3, 1), date(2026, 3, 2)}
    studied |= {date(2026, 2, 20) + k * DAY for k in range(6)}
    for day in studied - {date(2026, 3, 9)}:
        log(opened.store, "s-basic", local(day, 10), 3)
    # 3:30 a.m. on the 10th still belongs to the study day of the 9th.
    log(opened.store, "s-basic", local(today, 3, 30), 3)
    stats = stats_at(opened, clock)
    assert stats.streaks() == (4, 6)
    heat = {d.day: d.reviews for d in stats.heatmap()}
    assert len(heat) == 365 and max(heat) == today
    assert heat[today] == 1 and heat[date(2026, 3, 9)] == 1 and heat[date(2026, 3, 5)] == 0
    assert sum(heat.values()) == len(studied)


def test_a_streak_still_counts_while_today_is_open(opened, clock, berlin):
    for k in (1, 2, 3):
        log(opened.store, "s-basic", local(date(2026, 3, 10) - k * DAY, 20), 3)
    assert stats_at(opened, clock).streaks() == (3, 3)
    clock.advance(days=1)  # a whole study day without an answer ends it
    assert stats_at(opened, clock).streaks() == (0, 3)


def test_today_shows_the_home_screens_counts_and_the_time_spent(study, opened, clock):
    for _ in range(3):
        item = study.next_item()
        study.answer(item.id, 3, 4000)
    today = stats_at(opened, clock).today()
    new, learning, due = study.remaining()
    assert (today.new, today.learning, today.due) == (new, learning, due)
    assert (today.answers, today.new_studied, today.seconds) == (3, 3, 12)
    assert today.streak == 1


# ------------------------------------------------------------------ forecast


def test_forecast_counts_cards_falling_due_each_day_with_overdue_ones_today(opened, clock):
    store = opened.store
    today = date(2026, 3, 10)
    set_card(store, "s-basic", due=FIXED_NOW - 3 * DAY, stability=5.0, last_review=FIXED_NOW - 8 * DAY)
    set_card(store, "s-choice", due=day_start(today + DAY) - timedelta(minutes=1), stability=5.0, last_review=FIXED_NOW)
    set_card(store, "s-cloze", due=day_start(today + DAY) + timedelta(hours=1), stability=5.0, last_review=FIXED_NOW)
    set_card(store, "s-cloze::c2", state=1, due=day_start(today + 3 * DAY), stability=1.0, last_review=FIXED_NOW)
    set_card(store, "s-reverse", due=FIXED_NOW + DAY, suspended=1, stability=5.0, last_review=FIXED_NOW)
    set_card(store, "s-interview", due=FIXED_NOW + DAY, stability=5.0, last_review=FIXED_NOW)  # interview mode's
    forecast = stats_at(opened, clock).forecast()
    assert len(forecast) == 30 and forecast[0].day == today
    assert [f.due for f in forecast[:5]] == [2, 1, 0, 1, 0]
    assert sum(f.due for f in forecast) == 4


# ------------------------------------------------------------------ topics, stages, weakest


def test_topic_mastery_is_mean_recall_with_unstudied_cards_counting_zero(opened, clock):
    last = FIXED_NOW - 6 * DAY
    set_card(opened.store, "s-reverse", stability=12.0, last_review=last, due=FIXED_NOW + DAY)
    log(opened.store, "s-reverse", last, 3)
    log(opened.store, "s-reverse", last - DAY, 1)
    topics = {t.topic: t for t in stats_at(opened, clock).topic_mastery()}
    r = recall(12.0, last, FIXED_NOW)
    compiler = topics["compiler"]  # s-reverse has two items: the card and its reverse (unstudied)
    assert (compiler.cards, compiler.studied) == (2, 1)
    assert compiler.recall_now == pytest.approx(r)
    assert compiler.mastery == pytest.approx(r / 2)
    assert (compiler.answers, compiler.true_retention) == (2, 0.5)
    assert topics["origins"].mastery == 0 and topics["origins"].recall_now is None
    assert list(topics)[-1] == "compiler"  # weakest first


STAGED_DECK = """
id: staged
title: Staged
cards:
  - {id: x1, front: Q1, back: A1, source: s.txt, tags: [distributed, serving]}
  - {id: x2, front: Q2, back: A2, source: s.txt, tags: [distributed, serving]}
  - {id: x3, front: Q3, back: A3, source: s.txt, tags: [distributed, tradeoffs]}
"""


def test_stage_map_joins_stage_tagged_cards_and_the_latest_interview_attempts(tmp_path, clock):
    write_deck(tmp_path / "decks", "small.yaml", SMALL_DECK)
    write_deck(tmp_path / "decks", "staged.yaml", STAGED_DECK)
    opened = open_workspace(Workspace(tmp_path, (tmp_path / "decks",), "test"))
    try:
        set_card(opened.store, "x1", stability=3.0, last_review=FIXED_NOW - 4 * DAY, due=FIXED_NOW)
        set_card(opened.store, "x2", stability=30.0, last_review=FIXED_NOW - 4 * DAY, due=FIXED_NOW)
        set_card(opened.store, "x3", stability=30.0, last_review=FIXED_NOW - 1 * DAY, due=FIXED_NOW)
        add_attempt(opened.store, "s-interview", FIXED_NOW - 5 * DAY, {"model": 0.0, "tradeoff": 0.0})
        add_attempt(opened.store, "s-interview", FIXED_NOW - DAY, {"model": 1.0, "tradeoff": 0.5, "monitoring": 0.0})
        cells = {(c.topic, c.stage): c for c in stats_at(opened, clock).stage_map()}
    finally:
        opened.store.close()
    serving = cells[("distributed", "serving")]
    assert serving.strength == pytest.approx(
        (recall(3.0, FIXED_NOW - 4 * DAY, FIXED_NOW) + recall(30.0, FIXED_NOW - 4 * DAY, FIXED_NOW)) / 2
    )
    assert (serving.cards, serving.attempts) == (2, 0)
    assert cells[("distributed", "model")].strength == 1.0  # the latest attempt, not the first
    tradeoff = cells[("distributed", "tradeoff")]  # the 'tradeoffs' tag names the stage too
    assert tradeoff.strength == pytest.approx((recall(30.0, FIXED_NOW - DAY, FIXED_NOW) + 0.5) / 2)
    assert (tradeoff.cards, tradeoff.attempts) == (1, 1)
    assert cells[("distributed", "monitoring")].strength == 0.0
    assert ("distributed", "data") not in cells


def test_weakest_cards_put_leeches_first_then_the_lowest_recall(opened, clock):
    store = opened.store
    set_card(store, "s-basic", stability=200.0, last_review=FIXED_NOW - DAY, due=FIXED_NOW + 100 * DAY,
             lapses=LEECH_LAPSES + 1, reps=20)
    set_card(store, "s-choice", stability=1.0, last_review=FIXED_NOW - 30 * DAY, due=FIXED_NOW - 29 * DAY, lapses=1)
    set_card(store, "s-cloze", stability=5.0, last_review=FIXED_NOW - 5 * DAY, due=FIXED_NOW)
    set_card(store, "s-cloze::c2", stability=0.5, last_review=FIXED_NOW - 50 * DAY, due=FIXED_NOW, suspended=1)
    weakest = stats_at(opened, clock).weakest()
    assert [w.id for w in weakest] == ["s-basic", "s-choice", "s-cloze"]
    assert weakest[0].leech and not weakest[1].leech
    assert weakest[1].recall_now == pytest.approx(recall(1.0, FIXED_NOW - 30 * DAY, FIXED_NOW))
    assert weakest[0].title == "What does [bold]x[0][/] print?"  # as written, markup and all


def test_a_focused_review_shows_the_chosen_cards_whether_due_or_not(study, opened, clock):
    set_card(opened.store, "s-choice", stability=1.0, last_review=FIXED_NOW - 30 * DAY, due=FIXED_NOW + 40 * DAY)
    set_card(opened.store, "s-cloze", stability=5.0, last_review=FIXED_NOW - 5 * DAY, due=FIXED_NOW + 40 * DAY)
    focus = Focus(("s-cloze", "s-choice"), study.now())
    shown = []
    while (item := study.next_item(focus=focus)) is not None:
        shown.append(item.id)
        study.answer(item.id, 1 if item.id == "s-choice" and shown.count(item.id) == 1 else 3)
        clock.advance(minutes=11)
        assert len(shown) < 10
    # In the order given; the forgotten one comes back after its relearning step, then it is over.
    assert shown == ["s-cloze", "s-choice", "s-choice"]
    assert study.focus_remaining(focus) == 0
    assert study.next_item() is not None  # the ordinary queue (new cards) is untouched


# ------------------------------------------------------------------ interviews


def test_interview_scores_per_stage_with_the_latest_five(opened, clock):
    for k, share in enumerate([0.0, 0.2, 0.4, 0.6, 0.8, 1.0]):
        stages = {"model": share, "serving": 1.0} | ({"data": 0.5} if k == 0 else {})
        add_attempt(opened.store, "s-interview", FIXED_NOW - (10 - k) * DAY, stages)
    attempts, stages = stats_at(opened, clock).interviews()
    assert [a.stages["model"] for a in attempts] == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert attempts[0].score == pytest.approx((0.0 + 1.0 + 0.5) / 3)
    by = {s.stage: s for s in stages}
    assert by["model"].attempts == 6
    assert by["model"].mean == pytest.approx(0.5) and by["model"].recent == pytest.approx(0.6)
    assert (by["data"].attempts, by["data"].mean) == (1, 0.5)
    assert (by["tradeoff"].attempts, by["tradeoff"].mean) == (0, None)


# ------------------------------------------------------------------ FSRS in SQL


@settings(max_examples=200, deadline=None)
@given(
    stability=st.floats(0.05, 5000),
    seconds=st.integers(0, 3000 * 86400),
    decay=st.sampled_from([0.1542, 0.1, 0.5, 0.8]),
)
def test_recall_in_sql_is_py_fsrs_retrievability(stability, seconds, decay):
    conn = sqlite3.connect(":memory:")
    ensure_sql_math(conn)
    parameters = list(Scheduler().exact.parameters)
    parameters[20] = decay
    scheduler = Scheduler(StudySettings(parameters=parameters))
    last = datetime(2025, 1, 1, 8, 0, 0, 123456, tzinfo=timezone.utc)
    at = last + timedelta(seconds=seconds)
    got = conn.execute(
        f"SELECT {recall_sql(':s', ':last', ':at')}",
        {"s": stability, "last": to_iso(last), "at": to_iso(at), **curve_params(scheduler)},
    ).fetchone()[0]
    expected = scheduler.retrievability(CardState(id="x", state=REVIEW, stability=stability, last_review=last), at)
    assert got == pytest.approx(expected, rel=1e-9)


def test_recall_uses_the_fitted_parameters_once_saved(opened, clock):
    set_card(opened.store, "s-basic", stability=4.0, last_review=FIXED_NOW - 10 * DAY, due=FIXED_NOW)
    before = stats_at(opened, clock).weakest()[0].recall_now
    parameters = list(Scheduler().exact.parameters)
    parameters[20] = 0.6
    save_settings(opened.store, StudySettings(parameters=parameters))
    after = stats_at(opened, clock).weakest()[0].recall_now
    assert after != pytest.approx(before)
    assert after == pytest.approx(recall(4.0, FIXED_NOW - 10 * DAY, FIXED_NOW, StudySettings(parameters=parameters)))


# ------------------------------------------------------------------ the whole report


def test_report_over_a_generated_history_adds_up(tmp_path, clock):
    write_generated_decks(tmp_path / "decks", {"gen-a": 40, "gen-b": 25}, interview=2)
    opened = open_workspace(Workspace(tmp_path, (tmp_path / "decks",), "test"))
    try:
        ids = [r["id"] for r in opened.store.query("SELECT id FROM cards WHERE kind = 'basic' ORDER BY id")]
        written = generate_history(opened.store, ids[:50], end=FIXED_NOW - timedelta(hours=1), days=300)
        report = stats_at(opened, clock).report()
        in_year = opened.store.scalar(
            "SELECT COUNT(*) FROM review_log WHERE reviewed_at >= ?", [to_iso(day_start(date(2026, 3, 10) - 364 * DAY))]
        )
    finally:
        opened.store.close()
    assert sum(d.reviews for d in report.heatmap) == in_year <= written
    assert report.retention.answers == sum(d.answers for d in report.decks) > 0
    assert 0.5 < report.retention.true_retention < 1 and 0.5 < report.retention.predicted_retention < 1
    assert sum(d.studied for d in report.decks) == 50
    assert {t.topic for t in report.topics} == {"compilers", "distributed", "serving-infra", "data-pipelines"}
    assert sum(t.cards for t in report.topics) == 67  # every card has one topic
    assert report.today.longest_streak >= report.today.streak >= 1
    assert {c.stage for c in report.stage_map} == {"data", "model", "serving", "monitoring", "tradeoff"}


def test_the_report_survives_json_and_its_schema_describes_every_field(opened, clock):
    log(opened.store, "s-basic", FIXED_NOW - DAY, 3)
    add_attempt(opened.store, "s-interview", FIXED_NOW - DAY, {"model": 0.5})
    report = stats_at(opened, clock).report()
    assert Report.model_validate(json.loads(report.model_dump_json())) == report
    schema = report_schema()
    undocumented = [
        f"{name}.{field}"
        for name, model in [("Report", schema), *schema["$defs"].items()]
        for field, spec in model.get("properties", {}).items()
        if "description" not in spec and "$ref" not in spec
    ]
    assert undocumented == []


def test_figures_are_read_through_a_connection_that_cannot_write(opened):
    with reading(opened.store) as reader:
        assert reader.conn is not opened.store.conn
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.conn.execute("INSERT INTO settings(key, value) VALUES ('x', '1')")
        log(opened.store, "s-basic", FIXED_NOW, 3)  # the app keeps writing meanwhile
        assert reader.log_count() == 1
