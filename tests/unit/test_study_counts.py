"""The counts the review screen shows, after any mix of answers, undos, burials and other processes' answers,
equal the counts a fresh session makes."""

import random
import time
from datetime import datetime, timedelta, timezone

import pytest

from quizapp.db.store import Store
from quizapp.scheduling.scheduler import StudySettings, save_settings
from quizapp.session import open_workspace
from quizapp.study.study import Study
from quizapp.workspace import Workspace
from tests.support.decks import write_deck


def deck_text(deck_id: str, cards: int) -> str:
    lines = [f"id: {deck_id}", f"title: Deck {deck_id}", "cards:"]
    for n in range(cards):
        card_id = f"{deck_id}-{n}"
        if n % 3 == 0:
            lines += [f"  - id: {card_id}", "    front: Front", "    back: Back", "    reverse: true"]
        elif n % 3 == 1:
            lines += [f"  - id: {card_id}", "    kind: cloze", '    text: "{{c1::One}} and {{c2::two}}."']
        else:
            lines += [f"  - id: {card_id}", "    front: Front", "    back: Back"]
        lines.append("    source: s.txt")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("deck", [None, "a"])
def test_the_session_s_counts_equal_counts_made_afresh(tmp_path, clock, deck):
    folder = tmp_path / "decks"
    write_deck(folder, "a.yaml", deck_text("a", 24))
    write_deck(folder, "b.yaml", deck_text("b", 24))
    workspace = Workspace(tmp_path, (folder,), "test")
    opened = open_workspace(workspace)
    save_settings(opened.store, StudySettings(new_per_day=9, reviews_per_day=6))
    study = opened.study(clock)
    elsewhere = Store.open(workspace.db_path)
    rng = random.Random(11)
    answers = 0
    try:
        for step in range(240):
            item = study.next_item(deck)
            if item is None:
                clock.advance(hours=rng.choice([3, 20]))
                continue
            op = rng.random()
            if op < 0.72:
                if rng.random() < 0.8:
                    study.preview(item.id)
                study.answer(item.id, rng.choice([1, 2, 3, 3, 3, 4]), rng.choice([0, 999, 1500, 61_000]))
                answers += 1
            elif op < 0.77:
                study.bury(item.id)
            elif op < 0.8:
                study.suspend(item.id)
            elif op < 0.9:
                study.undo()
            elif op < 0.95:
                # Another quizapp on the same workspace answers the card.
                Study(elsewhere, opened.decks, clock=clock).answer(item.id, rng.choice([1, 3]))
            else:
                # ... or answers another card while this one is on screen, just before it is answered.
                other = rng.choice([i.id for i in opened.decks.items()])
                Study(elsewhere, opened.decks, clock=clock).answer(other, rng.choice([1, 3]))
                study.answer(item.id, 3)
            clock.advance(minutes=rng.choice([0, 1, 2, 11, 90]))
            fresh = Study(opened.store, opened.decks, clock=clock)
            fresh.summary = study.summary
            assert study.remaining(deck) == fresh.remaining(deck), step
            assert study.done_today() == fresh.done_today(), step
            assert getattr(study.next_item(deck), "id", None) == getattr(fresh.next_item(deck), "id", None), step
    finally:
        elsewhere.close()
        opened.store.close()
    assert answers > 100


def test_the_study_day_follows_the_clock_and_a_change_of_time_zone(study, clock, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        clock.now = datetime(2026, 7, 1, 3, 30, tzinfo=timezone.utc)
        assert study.today().isoformat() == "2026-06-30"
        clock.now = datetime(2026, 7, 1, 4, 0, tzinfo=timezone.utc)  # the rollover, 4 a.m. in UTC
        assert study.today().isoformat() == "2026-07-01"
        assert study._bounds()["day_start"] == "2026-07-01T04:00:00.000000+00:00"
        monkeypatch.setenv("TZ", "America/New_York")
        time.tzset()
        assert study.today().isoformat() == "2026-06-30"  # midnight in New York
        assert study._bounds()["day_end"] == "2026-07-01T08:00:00.000000+00:00"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_a_review_card_answered_twice_in_a_day_counts_once(study, clock):
    item = study.next_item()
    study.answer(item.id, 4)
    clock.now = study.store.card_state(item.id).due + timedelta(hours=1)
    study.remaining()  # the counts and today's figures are kept from here
    for _ in range(2):  # e.g. due, then again among the weakest cards
        study.answer(item.id, 3, 2000)
        fresh = Study(study.store, study.decks, clock=clock)
        assert study.done_today() == fresh.done_today()
        assert study.remaining() == fresh.remaining()
    assert study.done_today()["reviews"] == 1
