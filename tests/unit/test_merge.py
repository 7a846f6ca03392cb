"""Merging another machine's progress: the union of both logs, cards rebuilt by replay; merging is
idempotent (twice = once) and order-free (A+B = B+A), checked with hypothesis."""

from __future__ import annotations

import functools
import hashlib
import sqlite3
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.cli.main import main
from quizapp.db.records import to_iso
from quizapp.db.schema import SCHEMA_VERSION
from quizapp.db.store import Store
from quizapp.decks.loader import load_decks
from quizapp.repair.doctor import examine
from quizapp.repair.merge import merge_stores
from quizapp.session import open_workspace
from quizapp.study.study import Study
from quizapp.workspace import Workspace
from tests.support.databases import old_database
from tests.support.decks import FIXED_NOW, SMALL_DECK, Clock, write_deck

STATE_COLUMNS = "state, step, stability, difficulty, due, last_review, reps, lapses"


def progress(store: Store) -> tuple[frozenset, dict]:
    """What merging must agree on: every answer, and every card's scheduling state."""
    log = frozenset(store.conn.execute("SELECT * FROM review_log").fetchall())
    cards = {r[0]: r[1:] for r in store.conn.execute(f"SELECT id, {STATE_COLUMNS} FROM cards")}
    return log, cards


def copy_store(store: Store) -> Store:
    twin = Store.open(None)
    store.conn.backup(twin.conn)
    return twin


# ------------------------------------------------------------------ properties

@functools.cache
def decks():
    """The small deck, loaded once for every example."""
    folder = Path(tempfile.mkdtemp()) / "decks"
    write_deck(folder, "small.yaml", SMALL_DECK)
    return load_decks([folder])


ITEMS = ["s-basic", "s-cloze", "s-cloze::c2", "s-choice", "s-reverse", "s-reverse::reverse"]

answer = st.tuples(st.sampled_from(ITEMS), st.integers(1, 4), st.integers(0, 4 * 24 * 60))
"""(card, rating, minutes since the previous answer on that machine)"""


def play(store: Store, answers, start) -> Clock:
    clock = Clock(start)
    study = Study(store, decks(), clock=clock)
    for item_id, rating, minutes in answers:
        clock.advance(minutes=minutes)
        study.answer(item_id, rating, 1000)
    return clock


def machines(shared, on_a, on_b):
    """A base history both machines share, then each machine's own answers."""
    base = Store.open(None)
    base.sync_items((i.id, i.deck_id, i.kind) for i in decks().items())
    clock = play(base, shared, FIXED_NOW)
    a, b = copy_store(base), copy_store(base)
    play(a, on_a, clock.now)
    play(b, on_b, clock.now + timedelta(minutes=7))
    base.close()
    return a, b


histories = st.lists(answer, max_size=6), st.lists(answer, max_size=10), st.lists(answer, max_size=10)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(*histories)
def test_merging_is_order_free(shared, on_a, on_b):
    a, b = machines(shared, on_a, on_b)
    a_then_b, b_then_a = copy_store(a), copy_store(b)
    merge_stores(a_then_b, b)
    merge_stores(b_then_a, a)
    log_ab, cards_ab = progress(a_then_b)
    log_ba, cards_ba = progress(b_then_a)
    assert log_ab == log_ba
    assert cards_ab == cards_ba
    # Nothing either machine answered is lost.
    assert progress(a)[0] | progress(b)[0] == log_ab
    for s in (a, b, a_then_b, b_then_a):
        s.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(*histories)
def test_merging_twice_is_merging_once(shared, on_a, on_b):
    a, b = machines(shared, on_a, on_b)
    merge_stores(a, b)
    once = progress(a)
    second = merge_stores(a, b)
    assert second.answers_added == 0 and second.cards_rebuilt == 0
    assert progress(a) == once
    # Merging the result back into B gives B the same progress, and merging B's again adds nothing.
    merge_stores(b, a)
    assert progress(b) == once
    # And the merged cards agree with their logs, as the doctor sees it.
    report = examine(a, fix=False, now=FIXED_NOW + timedelta(days=365))
    assert [f.kind for f in report.findings if f.kind == "state"] == []
    for s in (a, b):
        s.close()


def test_same_moment_answers_from_two_machines_replay_in_one_order():
    a, b = machines([], [("s-basic", 3, 0)], [])
    # B answers the same card at exactly the same moment as A did.
    b_study = Study(b, decks(), clock=Clock(FIXED_NOW))
    b_study.answer("s-basic", 1, 1000)
    ab, ba = copy_store(a), copy_store(b)
    merge_stores(ab, b)
    merge_stores(ba, a)
    assert progress(ab) == progress(ba)
    assert ab.card_state("s-basic").reps == 2


# ------------------------------------------------------------------ the command, with files


def _workspace(root, name) -> Workspace:
    home = root / name
    write_deck(home / "decks", "small.yaml", SMALL_DECK)
    return Workspace(home, (home / "decks",), "test")


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_merge_command_unions_two_workspaces(tmp_path, capsys):
    laptop, desktop = _workspace(tmp_path, "laptop"), _workspace(tmp_path, "desktop")
    for ws, rating in ((laptop, 3), (desktop, 1)):
        opened = open_workspace(ws)
        study = opened.study(Clock(FIXED_NOW + timedelta(hours=rating)))
        for _ in range(3):
            study.answer(study.next_item().id, rating, 1000)
        opened.store.close()
    laptop_answers = Store.open(laptop.db_path)
    expected = {r[0] for r in laptop_answers.conn.execute("SELECT id FROM review_log")}
    laptop_answers.close()
    other_digest = _digest(laptop.db_path)

    assert main(["--home", str(desktop.home), "merge", str(laptop.home)]) == 0
    out = capsys.readouterr().out
    assert "merged 3 answers" in out and "backed up first as quizapp-" in out
    assert _digest(laptop.db_path) == other_digest  # the other side is only read

    store = Store.open(desktop.db_path)
    have = {r[0] for r in store.conn.execute("SELECT id FROM review_log")}
    assert expected <= have and len(have) == 6
    assert examine(store, fix=False, now=FIXED_NOW + timedelta(days=1)).findings == []
    store.close()

    assert main(["--home", str(desktop.home), "merge", str(laptop.db_path)]) == 0
    assert "nothing to merge" in capsys.readouterr().out


def test_cards_only_the_other_machine_has_are_kept_as_orphans(tmp_path):
    ours = Store.open(tmp_path / "ours.db")
    theirs = Store.open(None)
    theirs.sync_items([("their-card", "their-deck", "basic")])
    Study(theirs, decks(), clock=Clock()).record("their-card", 3, 1000)
    result = merge_stores(ours, theirs)
    assert result.cards_added == 1 and result.answers_added == 1
    row = ours.card_row("their-card")
    assert row["present"] == 0 and row["deck_id"] == "their-deck" and row["reps"] == 1
    ours.close()


def test_an_older_other_database_is_upgraded_in_a_private_copy(tmp_path, capsys):
    ours = _workspace(tmp_path, "ours")
    other = tmp_path / "old.db"
    old_database(other)
    before = _digest(other)
    assert main(["--home", str(ours.home), "merge", str(other)]) == 0
    assert "merged 1 answers" in capsys.readouterr().out
    store = Store.open(ours.db_path)
    assert store.card_row("old-card")["reps"] == 1
    store.close()
    assert _digest(other) == before
    check = sqlite3.connect(other)
    assert check.execute("PRAGMA user_version").fetchone()[0] == 1 < SCHEMA_VERSION
    check.close()


def test_unusable_other_files_are_refused_with_a_message(tmp_path, capsys):
    ours = _workspace(tmp_path, "ours")
    home = ["--home", str(ours.home)]
    foreign = tmp_path / "notes.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    newer = tmp_path / "newer.db"
    Store.open(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    text = tmp_path / "text.db"
    text.write_text("not a database")

    for path, words in ((foreign, "did not write"), (newer, "newer quizapp"), (text, "not an SQLite file"),
                        (tmp_path / "missing.db", "no such file"), (ours.home, "own progress")):
        if path == ours.home:
            open_workspace(ours).store.close()
        assert main([*home, "merge", str(path)]) == 1
        assert words in capsys.readouterr().err


def test_impossible_answers_in_the_other_file_are_left_out(tmp_path):
    ours = Store.open(None)
    theirs = Store.open(None)
    theirs.sync_items([("s-basic", "small", "basic")])
    theirs.conn.execute("PRAGMA ignore_check_constraints = ON")
    theirs.conn.execute(
        "INSERT INTO review_log(id, card_id, rating, reviewed_at) VALUES ('bad', 's-basic', 9, ?)", [to_iso(FIXED_NOW)]
    )
    Study(theirs, decks(), clock=Clock(FIXED_NOW + timedelta(minutes=1))).answer("s-basic", 3)
    result = merge_stores(ours, theirs)
    assert result.skipped == 1 and result.answers_added == 1
    assert ours.scalar("SELECT COUNT(*) FROM review_log WHERE rating = 9") == 0
