"""Every path that rebuilds cards from the review log agrees on which rows count: the whole-log pass
(saving a fit), one card at a time (undo, merge, Anki history), the doctor's check and repair, and
``Scheduler.replay`` over the entries the doctor reads."""

from __future__ import annotations

from datetime import timedelta

from quizapp.db.records import LogEntry, to_iso
from quizapp.db.store import Store
from quizapp.repair.doctor import dict_rows, examine, read_log
from quizapp.scheduling.replay import replay_all, replay_card
from quizapp.scheduling.scheduler import FORGET_MODE, Scheduler
from tests.support.decks import FIXED_NOW

CARDS = ["plain", "forgotten", "bad-rows"]


def awkward_log() -> Store:
    """A log with answers, an unscheduled quiz answer, a forget, and every kind of row replay cannot use."""
    store = Store.open(None)
    day = timedelta(days=1)
    entries = [
        LogEntry(id="p1", card_id="plain", rating=3, reviewed_at=FIXED_NOW - 9 * day),
        LogEntry(id="p2", card_id="plain", rating=1, reviewed_at=FIXED_NOW - 4 * day),
        LogEntry(id="p3", card_id="plain", rating=4, reviewed_at=FIXED_NOW - 2 * day, scheduled=False),
        LogEntry(id="f1", card_id="forgotten", rating=4, reviewed_at=FIXED_NOW - 8 * day),
        LogEntry(id="f2", card_id="forgotten", rating=3, reviewed_at=FIXED_NOW - 6 * day, mode=FORGET_MODE),
        LogEntry(id="f3", card_id="forgotten", rating=2, reviewed_at=FIXED_NOW - 5 * day),
        LogEntry(id="b1", card_id="bad-rows", rating=3, reviewed_at=FIXED_NOW - 7 * day),
        LogEntry(id="b2", card_id="bad-rows", rating=3, reviewed_at=FIXED_NOW - 3 * day),
    ]
    store.conn.execute("PRAGMA ignore_check_constraints = ON")
    with store.write() as c:
        c.executemany(
            "INSERT INTO cards(id, deck_id, kind, present, new_position, added_at) VALUES (?, 'd', 'basic', 1, ?, ?)",
            [(card, n, to_iso(FIXED_NOW - 10 * day)) for n, card in enumerate(CARDS)],
        )
        for entry in entries:
            row = entry.row()
            c.execute(f"INSERT INTO review_log({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))
        bad = [
            ("x-rating-0", 0, to_iso(FIXED_NOW - 6 * day), None),
            ("x-rating-5", 5, to_iso(FIXED_NOW - 6 * day), None),
            ("x-rating-text", "three", to_iso(FIXED_NOW - 6 * day), None),
            ("x-time", 1, "last tuesday", None),
            ("x-no-time", 1, "", None),
            ("x-due", 1, to_iso(FIXED_NOW - 5 * day), "soon"),
        ]
        c.executemany(
            "INSERT INTO review_log(id, card_id, rating, reviewed_at, due_after) VALUES (?, 'bad-rows', ?, ?, ?)", bad
        )
        # A time written without its zone is read as UTC by every path.
        c.execute(
            "INSERT INTO review_log(id, card_id, rating, reviewed_at) VALUES ('b3', 'bad-rows', 1, ?)",
            [(FIXED_NOW - 1 * day).replace(tzinfo=None).isoformat()],
        )
    store.conn.execute("PRAGMA ignore_check_constraints = OFF")
    return store


def test_every_replay_path_rebuilds_the_same_states_from_an_awkward_log():
    store = awkward_log()
    scheduler = Scheduler()
    by_card, bad_rating, bad_time = read_log(dict_rows(store.conn, "SELECT * FROM review_log"))
    whole = {s.id: s for s in replay_all(store.conn, scheduler)}
    assert set(whole) == set(CARDS)
    for card_id in CARDS:
        one = replay_card(store.conn, scheduler, card_id)
        from_entries = scheduler.replay(card_id, by_card[card_id])
        assert whole[card_id] == one == from_entries, card_id
    # The rows replay skipped are the rows the doctor reports, and no others.
    assert sorted(r.split()[0] for r in bad_rating) == ["x-rating-0", "x-rating-5", "x-rating-text"]
    assert sorted(r.split()[0] for r in bad_time) == ["x-due", "x-no-time", "x-time"]
    # What counted: the two scheduled answers (not the quiz one), the answers after a forget only, and
    # the zone-less time as one more answer.
    assert whole["plain"].reps == 2
    assert whole["forgotten"].reps == 1
    assert whole["bad-rows"].reps == 3
    assert whole["bad-rows"].last_review == FIXED_NOW - timedelta(days=1)
    store.close()


def test_the_doctor_repairs_to_what_replay_gives_and_then_finds_nothing():
    store = awkward_log()
    scheduler = Scheduler()
    expected = {s.id: s for s in replay_all(store.conn, scheduler)}
    found = examine(store, fix=True, now=FIXED_NOW)
    assert any(f.kind == "state" and f.fixed for f in found.findings)
    for card_id in CARDS:
        assert store.card_state(card_id) == expected[card_id], card_id
    again = examine(store, fix=True, now=FIXED_NOW)
    assert not again.changed
    assert not any(f.kind == "state" for f in again.findings)
    store.close()
