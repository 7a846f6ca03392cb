"""Today's queue over simulated days: due reviews are never held back by new siblings, new cards are
spread among the reviews, and the counts every screen announces are the cards the session gives."""

from __future__ import annotations

import random

import pytest

from quizapp.db.records import NEW, REVIEW, to_iso
from quizapp.scheduling.scheduler import StudySettings, save_settings
from quizapp.session import open_workspace
from quizapp.study.queue import new_comes_next
from quizapp.workspace import Workspace
from tests.support.decks import cloze_heavy_deck, write_deck


@pytest.fixture
def sim(tmp_path, clock):
    folder = tmp_path / "decks"
    write_deck(folder, "sim.yaml", cloze_heavy_deck(36))
    opened = open_workspace(Workspace(tmp_path, (folder,), "test"))
    yield opened
    opened.store.close()


def due_reviews(study) -> set[str]:
    bounds = study._bounds()
    return {
        r["id"]
        for r in study.store.query(
            f"SELECT id FROM cards WHERE {study._VISIBLE} AND state = 2 AND due < :day_end", bounds
        )
    }


def study_one_day(study, rng) -> list:
    """Answer everything today's review gives, waiting out learning steps; returns the log entries."""
    entries = []
    day_end = study._bounds()["day_end"]
    while True:
        item = study.next_item()
        if item is None:
            waiting = study.store.scalar(
                "SELECT MIN(due) FROM cards WHERE state IN (1, 3) AND due < ? AND suspended = 0", [day_end]
            )
            if waiting is None:
                return entries
            study.clock.advance(minutes=15)
            if to_iso(study.now()) >= day_end:
                return entries
            continue
        entries.append(study.answer(item.id, rng.choice([1, 3, 3, 3, 3, 4]), 4000))
        study.clock.advance(minutes=rng.choice([0, 1, 2]))


@pytest.mark.parametrize("new_per_day", [6, 14])
def test_over_simulated_days_due_reviews_are_shown_on_their_day_and_counts_equal_cards_given(sim, clock, new_per_day):
    save_settings(sim.store, StudySettings(new_per_day=new_per_day, fuzz=False, leech_threshold=0))
    rng = random.Random(new_per_day)
    answers = 0
    for day in range(14):
        study = sim.study(clock)
        due = due_reviews(study)
        announced = study.remaining()
        home = study.deck_counts()[0]
        assert (home.new, home.learning, home.due) == announced, day
        learning_at_start = set(
            r["id"] for r in study.store.query(f"SELECT id FROM cards WHERE {study._VISIBLE} AND state IN (1, 3)", study._bounds())
        )
        entries = study_one_day(study, rng)
        answers += len(entries)
        introduced = {e.card_id for e in entries if e.state_before == NEW}
        reviewed = {e.card_id for e in entries if e.state_before == REVIEW}
        assert (len(introduced), len(reviewed)) == (announced[0], announced[2]), day
        assert learning_at_start <= {e.card_id for e in entries}, day
        # Every review due today was shown today: none waited for a sibling.
        assert due <= reviewed, (day, due - reviewed)
        assert study.remaining() == (0, 0, 0)
        # Nothing in review was ever buried by an answered sibling.
        assert not study.store.query(
            "SELECT id FROM cards WHERE state = 2 AND buried_until >= :today", study._bounds()
        )
        clock.advance(days=1)
        clock.now = clock.now.replace(hour=12, minute=0)
    assert answers > 300


def test_a_new_sibling_waits_while_its_review_is_due(sim, clock):
    save_settings(sim.store, StudySettings(new_per_day=50, fuzz=False))
    study = sim.study(clock)
    study.answer("c0", 4)  # the first deletion, straight to review
    assert study.store.card_row("c0::c2")["buried_until"] == study.today().isoformat()
    clock.advance(days=30)
    study = sim.study(clock)
    assert "c0" in due_reviews(study)
    given = []
    while (item := study.next_item()) is not None and len(given) < 200:
        given.append(item.id)
        study.answer(item.id, 4)
    assert "c0" in given
    assert "c0::c2" not in given and "c0::c3" not in given
    # The review was shown; its new siblings are the ones buried.
    assert study.store.card_row("c0")["buried_until"] is None
    assert study.store.card_row("c0::c2")["buried_until"] == study.today().isoformat()


def test_new_cards_are_spread_among_reviews_even_when_fewer_reviews_are_due(sim, clock):
    save_settings(sim.store, StudySettings(new_per_day=3, fuzz=False))
    study = sim.study(clock)
    for card in ("b2", "b5", "b8"):
        study.answer(card, 4)
    clock.advance(days=40)
    save_settings(sim.store, StudySettings(new_per_day=9, fuzz=False))
    study = sim.study(clock)
    assert study.remaining() == (9, 0, 3)
    kinds = []
    while (item := study.next_item()) is not None:
        kinds.append("R" if study.store.card_row(item.id)["state"] == REVIEW else "N")
        study.answer(item.id, 4)
    assert kinds.count("R") == 3 and kinds.count("N") == 9
    # Not all new first: a review comes within every few cards.
    assert "NNNNN" not in "".join(kinds) and kinds[0] == "N" and kinds[-1] == "N"


@pytest.mark.parametrize(("order", "first"), [("before", "N"), ("after", "R")])
def test_new_card_order_puts_new_cards_before_or_after_the_reviews(sim, clock, order, first):
    save_settings(sim.store, StudySettings(new_per_day=3, fuzz=False))
    study = sim.study(clock)
    for card in ("b2", "b5", "b8"):
        study.answer(card, 4)
    clock.advance(days=40)
    save_settings(sim.store, StudySettings(new_per_day=3, fuzz=False, new_order=order))
    study = sim.study(clock)
    kinds = []
    while (item := study.next_item()) is not None:
        kinds.append("R" if study.store.card_row(item.id)["state"] == REVIEW else "N")
        study.answer(item.id, 4)
    assert "".join(kinds) == first * 3 + ("R" if first == "N" else "N") * 3


def test_siblings_are_not_buried_when_the_setting_is_off(sim, clock):
    save_settings(sim.store, StudySettings(new_per_day=100, bury_siblings=False))
    study = sim.study(clock)
    assert study.remaining()[0] == 36 + 12 * 2 + 12  # every item: clozes of 3, reversed basics of 2
    study.answer("c0", 3)
    assert study.store.card_row("c0::c2")["buried_until"] is None


@pytest.mark.parametrize(("new", "reviews"), [(1, 10), (10, 1), (5, 5), (0, 3), (20, 20)])
def test_mixing_shows_every_card_and_spreads_the_rarer_kind(new, reviews):
    order, n, r = [], 0, 0
    while n < new or r < reviews:
        if n < new and (r == reviews or new_comes_next("mixed", n, r, new - n, reviews - r)):
            order.append("N")
            n += 1
        else:
            order.append("R")
            r += 1
    rarer, commoner = ("N", "R") if new < reviews else ("R", "N")
    runs = [len(run) for run in "".join(order).split(rarer) if run]
    if min(new, reviews):
        assert max(runs) - min(runs) <= 2, order
    assert order.count("N") == new and order.count("R") == reviews
