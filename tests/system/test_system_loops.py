"""System tests: SIGKILL loops and a database file swapped under a running writer lose no
acknowledged answer. Each prints its figures (runs, answers acknowledged, answers lost)."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from tests.support.decks import SMALL_DECK, write_deck
from tests.support.writers import kill_writer, logged_ids, start_writer

pytestmark = pytest.mark.slow

def _workspace(tmp_path: Path) -> Path:
    write_deck(tmp_path / "decks", "small.yaml", SMALL_DECK)
    return tmp_path


def _clean(home: Path) -> None:
    from quizapp.db.store import Store
    from quizapp.repair.doctor import examine

    store = Store.open(home / "progress" / "quizapp.db")
    try:
        assert not [f for f in examine(store, fix=False).findings if f.kind in ("state", "damaged")]
    finally:
        store.close()


def test_sigkill_loop_loses_no_acknowledged_answer(tmp_path):
    home = _workspace(tmp_path)
    rng = random.Random(16)
    acknowledged: list[str] = []
    runs = 8
    for _ in range(runs):
        child = start_writer(home)
        time.sleep(rng.uniform(0.05, 0.4))
        acknowledged += kill_writer(child)
    lost = set(acknowledged) - logged_ids(home / "progress" / "quizapp.db")
    print(f"\nkill loop: {runs} runs, {len(acknowledged)} answers acknowledged, {len(lost)} lost")
    assert acknowledged and not lost
    _clean(home)
