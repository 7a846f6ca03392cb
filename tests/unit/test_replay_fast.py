"""The fast paths of saving a fit give exactly what the straightforward computations give: replay
with one py-fsrs card carried across a card's answers (the whole log read in one pass) against a
fresh py-fsrs card built from the cached state for every answer, and the fitting histories and
training items against their first versions."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import fsrs
import fsrs_rs_python
import pytest

from quizapp.db.records import CardState, LogEntry, new_id, to_iso
from quizapp.db.store import Store
from quizapp.repair.doctor import dict_rows, examine, rebuild_all_cards
from quizapp.scheduling.optimize import fit_log, histories, save_fit, training_items
from quizapp.scheduling.replay import same_state
from quizapp.scheduling.scheduler import Scheduler, StudySettings, _safe_now, from_fsrs, to_fsrs
from tests.support.decks import FIXED_NOW
from tests.support.history import TRUE_PARAMETERS, generate_history


def straightforward_replay(scheduler: Scheduler, card_id: str, log: list[LogEntry]) -> CardState:
    """Replay as it was first written: every answer converts the cached state to py-fsrs and back."""
    state = CardState(id=card_id)
    for entry in sorted(log, key=lambda e: (e.reviewed_at, e.id)):
        if not entry.scheduled:
            continue
        now = _safe_now(state, entry.reviewed_at)
        card, _ = scheduler.exact.review_card(to_fsrs(state), fsrs.Rating(entry.rating), now)
        lapsed = state.state == 2 and entry.rating == 1
        state = from_fsrs(card_id, card, state.reps + 1, state.lapses + int(lapsed))
        if entry.due_after is not None and entry.due_after >= now:
            state.due = entry.due_after
    return state


# The history is scheduled with one set of settings and replayed with others, so replay meets cards
# left on steps the replaying scheduler does not have, and states with no steps at all.
SCHEDULED_WITH = [
    StudySettings(fuzz=False),
    StudySettings(fuzz=True, learning_steps_min=[1, 10, 60], relearning_steps_min=[10, 120]),
]
REPLAYED_WITH = [
    StudySettings(),
    StudySettings(parameters=list(TRUE_PARAMETERS)),
    StudySettings(learning_steps_min=[], relearning_steps_min=[]),
    StudySettings(learning_steps_min=[5], relearning_steps_min=[5, 30, 90]),
]


def history_store(settings: StudySettings, seed: int, path=None) -> tuple[Store, list[str]]:
    random.seed(seed)  # py-fsrs fuzzes with the random module's own generator
    store = Store.open(path)
    cards = [f"card-{n:03d}" for n in range(80)] + ["only-unscheduled"]
    with store.write() as c:
        c.executemany(
            "INSERT INTO cards(id, deck_id, kind, present, new_position, added_at) VALUES (?, 'd', 'basic', 1, ?, ?)",
            [(card, n, to_iso(FIXED_NOW)) for n, card in enumerate(cards)],
        )
    generate_history(store, cards[:-1], end=FIXED_NOW, days=365, seed=seed, settings=settings)
    # Answers that did not move the schedule, a clock set back, two answers in the same second,
    # and rows replay must skip (an unreadable time, an unreadable due time).
    extra = [
        LogEntry(id=new_id(), card_id=cards[0], rating=3, reviewed_at=FIXED_NOW - timedelta(days=3), scheduled=False),
        LogEntry(id=new_id(), card_id=cards[1], rating=1, reviewed_at=FIXED_NOW - timedelta(days=400)),
        LogEntry(id="a-tie", card_id=cards[2], rating=1, reviewed_at=FIXED_NOW - timedelta(hours=1)),
        LogEntry(id="b-tie", card_id=cards[2], rating=4, reviewed_at=FIXED_NOW - timedelta(hours=1)),
        LogEntry(id=new_id(), card_id="only-unscheduled", rating=3, reviewed_at=FIXED_NOW, scheduled=False),
    ]
    with store.write() as c:
        for entry in extra:
            row = entry.row()
            c.execute(f"INSERT INTO review_log({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))
        c.execute("INSERT INTO review_log(id, card_id, rating, reviewed_at) VALUES ('bad-time', ?, 3, 'yesterday')", [cards[3]])
        c.execute(
            "INSERT INTO review_log(id, card_id, rating, reviewed_at, due_after) VALUES ('bad-due', ?, 3, ?, 'soon')",
            [cards[4], to_iso(FIXED_NOW)],
        )
    return store, cards


def logs_by_card(store: Store) -> dict[str, list[LogEntry]]:
    from quizapp.repair.doctor import read_log

    by_card, _, _ = read_log(dict_rows(store.conn, "SELECT * FROM review_log"))
    return by_card


@pytest.mark.parametrize("scheduled_with", range(len(SCHEDULED_WITH)))
def test_replay_gives_the_straightforward_states(scheduled_with):
    store, _ = history_store(SCHEDULED_WITH[scheduled_with], seed=11 + scheduled_with)
    try:
        logs = logs_by_card(store)
        assert sum(len(log) for log in logs.values()) > 600
        for settings in REPLAYED_WITH:
            scheduler = Scheduler(settings)
            for card_id, log in logs.items():
                assert scheduler.replay(card_id, log) == straightforward_replay(scheduler, card_id, log), card_id
    finally:
        store.close()


def test_rebuilding_every_card_stores_the_straightforward_states_and_the_doctor_agrees():
    store, cards = history_store(SCHEDULED_WITH[1], seed=5)
    try:
        logs = logs_by_card(store)
        with store.write() as c:  # a card whose cached row is wrong, and one whose row is missing
            c.execute("UPDATE cards SET stability = 99.5, reps = 0 WHERE id = ?", [cards[5]])
        for settings in REPLAYED_WITH:
            scheduler = Scheduler(settings)
            with store.write() as c:
                rebuild_all_cards(c, scheduler)
            for card_id in cards:
                row = dict_rows(store.conn, "SELECT * FROM cards WHERE id = ?", [card_id])[0]
                expected = straightforward_replay(scheduler, card_id, logs.get(card_id, []))
                # A row already agreeing to the doctor's tolerance is left as it is.
                assert same_state(CardState.from_row(row), expected), card_id
            # Rebuilding again changes nothing.
            with store.write() as c:
                assert rebuild_all_cards(c, scheduler) == 0
        from quizapp.scheduling.scheduler import save_settings

        save_settings(store, REPLAYED_WITH[-1])
        assert [f for f in examine(store, fix=False).findings if f.kind == "state"] == []
    finally:
        store.close()


def stored_states_agree(store: Store, scheduler: Scheduler, cards: list[str]) -> None:
    logs = logs_by_card(store)
    for card_id in cards:
        row = dict_rows(store.conn, "SELECT * FROM cards WHERE id = ?", [card_id])[0]
        assert same_state(CardState.from_row(row), straightforward_replay(scheduler, card_id, logs.get(card_id, []))), card_id


def straightforward_histories(store: Store, rollover_hour: int = 4) -> list[list[tuple[int, int]]]:
    """The fitting histories read through the card index, skipping rows without a study day."""
    rows = store.conn.execute(
        "SELECT card_id, rating, CAST(julianday(date(reviewed_at, 'localtime', :shift)) AS INTEGER) FROM review_log"
        " WHERE scheduled = 1 ORDER BY card_id, reviewed_at, id",
        {"shift": f"-{rollover_hour} hours"},
    )
    out, card, last = [], None, 0
    for card_id, rating, day in rows:
        if day is None:
            continue
        if card_id != card:
            out.append([(rating, 0)])
            card = card_id
        else:
            out[-1].append((rating, day - last))
        last = day
    return out


def straightforward_items(cards: list[list[tuple[int, int]]]) -> list[str]:
    """The training items as first built: one per answer a day or more after the previous one, kept
    when fsrs-rs counts a long-term review in it."""
    items = []
    for history in cards:
        reviews = []
        for n, (rating, delta) in enumerate(history):
            reviews.append(fsrs_rs_python.FSRSReview(rating, delta))
            if n > 0 and delta > 0:
                items.append(fsrs_rs_python.FSRSItem(list(reviews)))
    return [repr(item) for item in items if item.long_term_review_cnt() > 0]


@pytest.mark.parametrize("rollover_hour", [4, 0])
def test_fitting_reads_the_straightforward_histories_and_items_skipping_unreadable_times(rollover_hour):
    store, _ = history_store(SCHEDULED_WITH[1], seed=2)
    try:
        expected = straightforward_histories(store, rollover_hour)
        assert len(expected) == 80 and sum(map(len, expected)) > 600
        got = histories(store, rollover_hour)
        assert got == expected
        assert [repr(item) for item in training_items(got)] == straightforward_items(expected)
    finally:
        store.close()


@pytest.mark.parametrize("meanwhile", ["nothing", "an answer", "the backup fails"])
def test_saving_a_fit_leaves_every_card_agreeing_with_its_log(tmp_path, monkeypatch, meanwhile):
    """The states are replayed while the backup is taken, outside the write: an answer given
    meanwhile (in another window) is replayed too, and a failed backup saves nothing."""
    import quizapp.db.backup
    import quizapp.scheduling.replay
    from quizapp.errors import StoreError
    from quizapp.scheduling.scheduler import load_settings

    store, cards = history_store(SCHEDULED_WITH[0], seed=3, path=tmp_path / "quizapp.db")
    try:
        fit = fit_log(store, in_child=False)
        fit = replace(fit, after=replace(fit.before, log_loss=0.0))  # saved whether or not it fits better
        before = dict_rows(store.conn, "SELECT * FROM cards ORDER BY id")
        if meanwhile == "an answer":
            replay_snapshot = quizapp.scheduling.replay.replay_snapshot

            def answer_meanwhile(conn, scheduler):
                got = replay_snapshot(conn, scheduler)
                store.record_answer(LogEntry(id=new_id(), card_id=cards[7], rating=1, reviewed_at=FIXED_NOW), None)
                return got

            monkeypatch.setattr(quizapp.scheduling.replay, "replay_snapshot", answer_meanwhile)
        if meanwhile == "the backup fails":
            def fail(*args, **kwargs):
                raise StoreError("the disk is full")

            monkeypatch.setattr(quizapp.db.backup, "take_backup", fail)
            with pytest.raises(StoreError):
                save_fit(store, fit)
            assert load_settings(store).parameters is None
            assert dict_rows(store.conn, "SELECT * FROM cards ORDER BY id") == before
            return
        saved, settings = save_fit(store, fit)
        assert saved.saved and len(list((tmp_path / "backups").iterdir())) == 1
        stored_states_agree(store, Scheduler(settings), cards)
        assert [f for f in examine(store, fix=False).findings if f.kind == "state"] == []
    finally:
        store.close()
