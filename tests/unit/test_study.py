"""Scheduling and the study session: FSRS intervals, undo, limits, the 4 a.m. day, bury and suspend."""

from datetime import datetime, timedelta, timezone

import pytest

from quizapp.db.records import NEW, REVIEW
from quizapp.scheduling.scheduler import Scheduler, StudySettings, day_start, format_interval, save_settings, study_day
from quizapp.session import open_workspace
from tests.support.decks import write_deck

STUDY_ITEMS = {"s-basic", "s-cloze", "s-cloze::c2", "s-choice", "s-reverse", "s-reverse::reverse"}
FIRST_DAY = {"s-basic", "s-cloze", "s-choice", "s-reverse"}
"""New items studied on the first day: the other side of a card waits for the next day."""


def answer_all_good(study, deck=None):
    seen = []
    while (item := study.next_item(deck)) is not None:
        study.answer(item.id, 3, 1500)
        seen.append(item.id)
        study.clock.advance(minutes=11)
        if len(seen) > 100:
            raise AssertionError("queue never emptied")
    return seen


def test_new_cards_are_studied_and_interview_prompts_are_left_to_interview_mode(study):
    first_pass = set()
    while (item := study.next_item()) is not None and item.id not in first_pass:
        first_pass.add(item.id)
        study.answer(item.id, 4)
    assert first_pass == FIRST_DAY
    study.clock.advance(days=1)
    second_day = set()
    while (item := study.next_item()) is not None and item.id not in second_day:
        second_day.add(item.id)
        study.answer(item.id, 4)
    assert second_day == STUDY_ITEMS - FIRST_DAY


def test_siblings_wait_for_the_next_day_and_undo_brings_them_back(study):
    study.answer("s-reverse", 4)
    assert study.store.card_row("s-reverse::reverse")["buried_until"] == study.today().isoformat()
    new, _, _ = study.remaining()
    assert new == 3  # 6 items of 4 cards, one answered (its sibling buried); a cloze's 2 deletions count once
    study.undo()
    assert study.store.card_row("s-reverse::reverse")["buried_until"] is None


def test_each_answer_writes_one_log_row_with_its_details(study):
    item = study.next_item()
    entry = study.answer(item.id, 4, 2500)
    rows = study.store.query("SELECT * FROM review_log")
    assert len(rows) == 1
    row = rows[0]
    assert (row["id"], row["card_id"], row["rating"], row["duration_ms"], row["mode"]) == (entry.id, item.id, 4, 2500, "review")
    assert row["reviewed_at"] == study.now().isoformat(timespec="microseconds")
    assert study.store.card_state(item.id).state == REVIEW


def test_buttons_preview_the_intervals_fsrs_gives(study):
    item = study.next_item()
    preview = study.preview(item.id)
    assert preview[1] < preview[2] < preview[3] < preview[4]
    assert [format_interval(preview[r]) for r in (1, 3)] == ["1m", "10m"]
    # A card answered Easy on its first sight is due after the Easy interval shown, give or take fuzz.
    study.answer(item.id, 4)
    assert abs(study.store.card_state(item.id).due - study.now() - preview[4]) <= timedelta(days=3)


def test_without_fuzz_the_interval_is_exactly_the_one_shown(opened, clock):
    save_settings(opened.store, StudySettings(fuzz=False))
    study = opened.study(clock)
    item = study.next_item()
    preview = study.preview(item.id)
    study.answer(item.id, 4)
    assert study.store.card_state(item.id).due - study.now() == preview[4]


def test_undo_restores_the_exact_previous_state_and_removes_the_row(study):
    item = study.next_item()
    study.answer(item.id, 3)
    study.clock.advance(minutes=12)
    before = study.store.card_state(item.id)
    study.answer(item.id, 3)
    study.clock.advance(minutes=1)
    other = study.next_item()
    study.answer(other.id, 1)
    assert study.store.log_count() == 3
    assert study.undo() == other.id
    assert study.store.card_state(other.id).state == NEW
    assert study.undo() == item.id
    assert study.store.card_state(item.id) == before
    assert study.store.log_count() == 1
    assert study.undo() == item.id
    assert study.undo() is None
    assert study.store.log_count() == 0


def test_state_is_rebuilt_exactly_by_replaying_the_log(study):
    for _ in range(4):
        answer_all_good(study)
        study.clock.advance(days=9)
    scheduler = Scheduler(study.settings)
    for item_id in STUDY_ITEMS:
        cached = study.store.card_state(item_id)
        replayed = scheduler.replay(item_id, study.store.log_for(item_id))
        assert replayed == cached


def test_daily_new_card_limit_and_rollover_at_4am_local(opened, clock, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    import time

    time.tzset()
    save_settings(opened.store, StudySettings(new_per_day=2))
    clock.now = datetime(2026, 3, 10, 3, 30, tzinfo=timezone.utc)  # 03:30: still the 9th's study day
    study = opened.study(clock)
    assert study.today().isoformat() == "2026-03-09"
    introduced = set()
    while (item := study.next_item()) is not None:
        introduced.add(item.id)
        study.answer(item.id, 4)
    assert len(introduced) == 2
    clock.now = datetime(2026, 3, 10, 4, 1, tzinfo=timezone.utc)  # a new study day
    assert study.today().isoformat() == "2026-03-10"
    item = study.next_item()
    assert item is not None and item.id not in introduced


def test_day_boundaries_follow_local_time(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        moment = datetime(2026, 7, 1, 7, 30, tzinfo=timezone.utc)  # 03:30 in New York (EDT)
        assert study_day(moment).isoformat() == "2026-06-30"
        assert day_start(study_day(moment)) == datetime(2026, 6, 30, 8, 0, tzinfo=timezone.utc)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_bury_hides_until_tomorrow_and_suspend_until_unsuspended(study):
    first = study.next_item()
    study.bury(first.id)
    second = study.next_item()
    assert second.id != first.id
    study.suspend(second.id)
    remaining = set()
    while (item := study.next_item()) is not None and item.id not in remaining:
        remaining.add(item.id)
        study.answer(item.id, 4)
    assert first.id not in remaining and second.id not in remaining
    study.clock.advance(days=1)
    upcoming = set()
    while (item := study.next_item()) is not None and item.id not in upcoming:
        upcoming.add(item.id)
        study.answer(item.id, 4)
    assert first.id in upcoming and second.id not in upcoming


def test_undo_takes_back_a_bury(study):
    item = study.next_item()
    study.bury(item.id)
    assert study.next_item().id != item.id
    study.undo()
    assert study.next_item().id == item.id


def test_editing_a_card_keeps_its_progress_and_removing_it_keeps_history(workspace, clock):
    opened = open_workspace(workspace)
    study = opened.study(clock)
    study.answer("s-basic", 3)
    opened.store.close()
    path = workspace.deck_dirs[0] / "small.yaml"
    path.write_text(path.read_text().replace("What does", "What, exactly, does"))
    opened = open_workspace(workspace)
    assert opened.decks.card("s-basic").front.startswith("What, exactly")
    assert opened.store.card_state("s-basic").reps == 1
    opened.store.close()
    # Move every card but s-basic to another file; s-basic is removed from the decks.
    text = path.read_text()
    start = text.index("  - id: s-basic")
    end = text.index("  - id: s-cloze")
    path.write_text(text[:start] + text[end:])
    opened = open_workspace(workspace)
    assert [o["id"] for o in opened.store.orphans()] == ["s-basic"]
    assert len(opened.store.log_for("s-basic")) == 1
    assert "s-basic" not in opened.study(clock).items
    opened.store.close()


def test_clock_moved_back_never_gives_negative_intervals(study):
    item = study.next_item()
    study.answer(item.id, 3)
    study.clock.advance(days=-1)
    state = study.store.card_state(item.id)
    study.answer(item.id, 3)
    after = study.store.card_state(item.id)
    assert after.due >= state.last_review
    assert all(delta >= timedelta(0) for delta in study.preview(item.id).values())


def test_rating_outside_1_to_4_is_refused(study):
    with pytest.raises(ValueError):
        study.answer(study.next_item().id, 5)
    assert study.store.log_count() == 0


def test_summary_counts_what_was_studied(study):
    for rating in (1, 3, 4):
        item = study.next_item()
        study.answer(item.id, rating, 2000)
    s = study.summary
    assert (s.count, s.new_cards, s.seconds) == (3, 3, 6.0)
    assert s.by_rating() == {1: 1, 2: 0, 3: 1, 4: 1}


def test_new_cards_of_review_all_take_turns_across_decks(tmp_path, clock):
    from quizapp.workspace import Workspace

    decks = tmp_path / "decks"
    for name in ("a", "b"):
        cards = "".join(f"  - {{id: {name}{i}, front: q, back: a, source: s}}\n" for i in range(3))
        write_deck(decks, f"{name}.yaml", f"id: {name}\ntitle: {name}\ncards:\n{cards}")
    opened = open_workspace(Workspace(tmp_path, (decks,), "test"))
    study = opened.study(clock)
    order = []
    while (item := study.next_item()) is not None and len(order) < 6:
        order.append(item.deck_id)
        study.answer(item.id, 4)
    assert order == ["a", "b", "a", "b", "a", "b"]
    opened.store.close()


def test_a_buried_card_still_counts_in_its_decks_total(study):
    total = study.deck_counts()[0].total
    study.bury(study.next_item().id)
    counts = study.deck_counts()[0]
    assert counts.total == total and counts.new == 3  # 4 cards (new counted one a card), one buried
